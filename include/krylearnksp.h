/* Krylearn learned Krylov solvers: the Deep Conjugate Direction Method as a KSP
   (-ksp_type deepcd) and its network as a preconditioner (-pc_type deepcd). */
#ifndef KRYLEARNKSP_H
#define KRYLEARNKSP_H

#include <petscksp.h>
#include <krylearnsys.h>

#define KSPDEEPCD "deepcd"
#define PCDEEPCD  "deepcd"

/*E
  KrylearnDeepCDFaceType - what the deepcd network sees past the faces of the grid

$ KRYLEARN_DEEPCD_FACES_AUTO   - per face, from the operator: mirrored where the rows of the face's cells sum to zero (a closed, Neumann face), zeros elsewhere
$ KRYLEARN_DEEPCD_FACES_ZERO   - zeros past every face, as the network was trained (faces of the Dirichlet type)
$ KRYLEARN_DEEPCD_FACES_MIRROR - mirror images past every face

  Level: intermediate

.seealso: `KSPDeepCDSetFaces()`, `PCDeepCDSetFaces()`, `KrylearnNetSetFaces()`
E*/
typedef enum {
  KRYLEARN_DEEPCD_FACES_AUTO,
  KRYLEARN_DEEPCD_FACES_ZERO,
  KRYLEARN_DEEPCD_FACES_MIRROR
} KrylearnDeepCDFaceType;
PETSC_EXTERN const char *const KrylearnDeepCDFaceTypes[];
PETSC_EXTERN PetscErrorCode    KrylearnDeepCDInitializePackage(void);

PETSC_EXTERN PetscErrorCode KSPDeepCDSetModel(KSP, const char[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetModel(KSP, const char *[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetGrid(KSP, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetGrid(KSP, PetscInt *, PetscInt[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetFaces(KSP, KrylearnDeepCDFaceType);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetFaces(KSP, KrylearnDeepCDFaceType *);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetNumDirections(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetNumDirections(KSP, PetscInt *);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetRefresh(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetRefresh(KSP, PetscInt *);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetInferenceTime(KSP, PetscInt *, PetscLogDouble *);

PETSC_EXTERN PetscErrorCode PCDeepCDSetModel(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCDeepCDGetModel(PC, const char *[]);
PETSC_EXTERN PetscErrorCode PCDeepCDSetGrid(PC, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode PCDeepCDGetGrid(PC, PetscInt *, PetscInt[]);

PETSC_EXTERN PetscErrorCode PCDeepCDSetFaces(PC, KrylearnDeepCDFaceType);
PETSC_EXTERN PetscErrorCode PCDeepCDGetFaces(PC, KrylearnDeepCDFaceType *);
#endif
