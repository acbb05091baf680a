/* Krylearn spectrum analyses: curvature operators of learning problems as shell
   matrices (Hessian, Gauss-Newton, empirical Fisher of multi-layer perceptron
   losses) and SLEPc-based analyses of their spectra. */
#ifndef KRYLEARNSPECTRUM_H
#define KRYLEARNSPECTRUM_H

#include <slepceps.h>

/*S
  KrylearnMLP - a multi-layer perceptron loss on a data set sharded over the ranks of a
  communicator, loaded from the Krylearn HDF5 model and data files (docs/spectrum.md);
  a PetscObject (references counted by PETSc, options under its prefix)

  Level: beginner
S*/
typedef struct _p_KrylearnMLP *KrylearnMLP;

/*E
  KrylearnCurvature - which curvature matrix of the loss a shell operator applies

  Level: beginner
E*/
typedef enum {
  KRYLEARN_CURVATURE_HESSIAN,
  KRYLEARN_CURVATURE_GGN,
  KRYLEARN_CURVATURE_FISHER
} KrylearnCurvature;
PETSC_EXTERN const char *const KrylearnCurvatures[];

/*E
  KrylearnTraceType - stochastic trace estimator

  Level: beginner
E*/
typedef enum {
  KRYLEARN_TRACE_HUTCHINSON,
  KRYLEARN_TRACE_HUTCHPP
} KrylearnTraceType;
PETSC_EXTERN const char *const KrylearnTraceTypes[];

PETSC_EXTERN PetscLogEvent KRYLEARN_MLPEvaluate, KRYLEARN_MLPProduct, KRYLEARN_SpectrumEPS, KRYLEARN_SpectrumSLQ, KRYLEARN_SpectrumTrace, KRYLEARN_SpectrumExact;

PETSC_EXTERN PetscErrorCode KrylearnSpectrumInitializePackage(void);

PETSC_EXTERN PetscClassId KRYLEARNMLP_CLASSID;

PETSC_EXTERN PetscErrorCode KrylearnMLPLoad(MPI_Comm, const char[], const char[], KrylearnMLP *);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetOptionsPrefix(KrylearnMLP, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPAppendOptionsPrefix(KrylearnMLP, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetOptionsPrefix(KrylearnMLP, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetFromOptions(KrylearnMLP);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetBlockSize(KrylearnMLP, PetscInt);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetBlockSize(KrylearnMLP, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnMLPView(KrylearnMLP, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetSizes(KrylearnMLP, PetscInt *, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetLoss(KrylearnMLP, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnMLPCreateOperator(KrylearnMLP, KrylearnCurvature, Mat *);
PETSC_EXTERN PetscErrorCode KrylearnMLPDestroy(KrylearnMLP *);

PETSC_EXTERN PetscErrorCode KrylearnSinkhornDualHessian(Mat, PetscReal, Mat *);

PETSC_EXTERN PetscErrorCode KrylearnSpectrumRademacher(PetscRandom, Vec);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumExtremes(Mat, PetscInt, EPSWhich, const char[], PetscReal *, PetscReal[], Vec[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumInterval(Mat, PetscReal, PetscReal, const char[], PetscInt *, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumSLQ(Mat, PetscInt, PetscInt, PetscRandom, PetscInt *, PetscReal **, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumDensity(PetscInt, const PetscReal[], const PetscReal[], PetscInt, PetscReal, PetscInt, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumTrace(Mat, KrylearnTraceType, PetscInt, PetscRandom, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumExact(Mat, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumOutlierCount(PetscInt, const PetscReal[], PetscInt *);

#endif
