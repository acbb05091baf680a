/* Krylearn network inference: convolutional networks stored in the Krylearn HDF5
   model format (docs/model-format.md), run in float32 on DMDA-distributed grids. */
#ifndef KRYLEARNNN_H
#define KRYLEARNNN_H

#include <petscdmda.h>

/*S
  KrylearnNet - a convolutional network loaded from a Krylearn HDF5 model file and
  bound to a DMDA grid for inference (a PetscObject: PetscObjectReference() and
  KrylearnNetDestroy() count references; options under its prefix)

  Level: beginner
S*/
typedef struct _p_KrylearnNet *KrylearnNet;

PETSC_EXTERN PetscClassId KRYLEARNNET_CLASSID;

/*E
  KrylearnNetFace - what a network's convolutions see past a face of the grid

$ KRYLEARN_NET_FACE_ZERO   - zeros, as the network was trained (a face with a prescribed value: Dirichlet)
$ KRYLEARN_NET_FACE_MIRROR - the mirror image of the cells inside (a closed face: Neumann, by the method of images)

  Level: intermediate

.seealso: `KrylearnNetSetFaces()`
E*/
typedef enum {
  KRYLEARN_NET_FACE_ZERO,
  KRYLEARN_NET_FACE_MIRROR
} KrylearnNetFace;
PETSC_EXTERN const char *const KrylearnNetFaces[];

PETSC_EXTERN PetscErrorCode KrylearnNetLoad(MPI_Comm, const char[], KrylearnNet *);
PETSC_EXTERN PetscErrorCode KrylearnNetSetOptionsPrefix(KrylearnNet, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnNetAppendOptionsPrefix(KrylearnNet, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnNetGetOptionsPrefix(KrylearnNet, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnNetSetFromOptions(KrylearnNet);
PETSC_EXTERN PetscErrorCode KrylearnNetSetUseDNNL(KrylearnNet, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnNetGetUseDNNL(KrylearnNet, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnNetGetDimension(KrylearnNet, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnNetSetUp(KrylearnNet, DM);
PETSC_EXTERN PetscErrorCode KrylearnNetSetFaces(KrylearnNet, const KrylearnNetFace[]);
PETSC_EXTERN PetscErrorCode KrylearnNetGetFaces(KrylearnNet, KrylearnNetFace[]);
PETSC_EXTERN PetscErrorCode KrylearnNetSetDomain(KrylearnNet, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KrylearnNetGetDomain(KrylearnNet, PetscInt[]);
PETSC_EXTERN PetscErrorCode KrylearnNetGetGeometry(KrylearnNet, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnNetGetHybrid(KrylearnNet, const char *[], PetscInt *, PetscReal *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnNetGetHybridCoarseIterations(KrylearnNet, const PetscInt *[]);
PETSC_EXTERN PetscErrorCode KrylearnNetSetGeometry(KrylearnNet, Vec);
PETSC_EXTERN PetscErrorCode KrylearnNetApply(KrylearnNet, Vec, Vec);
PETSC_EXTERN PetscErrorCode KrylearnNetView(KrylearnNet, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnNetDestroy(KrylearnNet *);
PETSC_EXTERN PetscErrorCode KrylearnNNInitializePackage(void);

#endif
