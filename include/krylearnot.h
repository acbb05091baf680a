/* Entropic optimal transport: log-domain Sinkhorn and Sinkhorn-Newton-Sparse (SNS).

   Problem: min_P <C,P> + (1/eta) sum_ij P_ij log P_ij  subject to  P 1 = r, P^T 1 = c.
   Potentials (x, y) give the plan P_ij = exp(eta (-C_ij + x_i + y_j) - 1). */
#ifndef KRYLEARNOT_H
#define KRYLEARNOT_H

#include <petscksp.h>

/*S
  OT - Entropic optimal transport solver between two discrete measures

  Level: beginner

.seealso: `OTCreate()`, `OTSetType()`, `OTType`, `OTSolve()`
S*/
typedef struct _p_OT *OT;

/*J
  OTType - String naming an OT method

  Level: beginner
J*/
typedef const char *OTType;
#define OTSINKHORN "sinkhorn"
#define OTSNS      "sns"

/*E
  OTCostType - Ground cost between point clouds, computed on the fly

  Level: beginner
E*/
typedef enum {
  OT_COST_SQEUCLIDEAN,
  OT_COST_EUCLIDEAN
} OTCostType;
PETSC_EXTERN const char *const OTCostTypes[];

/*E
  OTSNSSparsifyType - How SNS sparsifies the Hessian: by dropped mass or by a kept count

  Level: intermediate
E*/
typedef enum {
  OT_SNS_SPARSIFY_MASS,
  OT_SNS_SPARSIFY_COUNT
} OTSNSSparsifyType;
PETSC_EXTERN const char *const OTSNSSparsifyTypes[];

/*E
  OTConvergedReason - Why OTSolve() stopped

  Level: beginner
E*/
typedef enum {
  OT_DIVERGED_STEP       = -5,
  OT_DIVERGED_NANORINF   = -4,
  OT_DIVERGED_MAX_IT     = -3,
  OT_CONVERGED_ITERATING = 0,
  OT_CONVERGED_MARGINAL  = 2
} OTConvergedReason;
PETSC_EXTERN const char *const *OTConvergedReasons;

PETSC_EXTERN PetscClassId      OT_CLASSID;
PETSC_EXTERN PetscFunctionList OTList;

PETSC_EXTERN PetscErrorCode KrylearnOTInitializePackage(void);
PETSC_EXTERN PetscErrorCode OTRegister(const char[], PetscErrorCode (*)(OT));

PETSC_EXTERN PetscErrorCode OTCreate(MPI_Comm, OT *);
PETSC_EXTERN PetscErrorCode OTSetType(OT, OTType);
PETSC_EXTERN PetscErrorCode OTGetType(OT, OTType *);
PETSC_EXTERN PetscErrorCode OTSetCostMatrix(OT, Mat);
PETSC_EXTERN PetscErrorCode OTSetPointClouds(OT, Mat, Mat);
PETSC_EXTERN PetscErrorCode OTSetCostType(OT, OTCostType);
PETSC_EXTERN PetscErrorCode OTGetCostType(OT, OTCostType *);
PETSC_EXTERN PetscErrorCode OTSetMarginals(OT, Vec, Vec);
PETSC_EXTERN PetscErrorCode OTSetEta(OT, PetscReal);
PETSC_EXTERN PetscErrorCode OTGetEta(OT, PetscReal *);
PETSC_EXTERN PetscErrorCode OTSetTolerances(OT, PetscReal, PetscInt);
PETSC_EXTERN PetscErrorCode OTGetTolerances(OT, PetscReal *, PetscInt *);
PETSC_EXTERN PetscErrorCode OTSetOptionsPrefix(OT, const char[]);
PETSC_EXTERN PetscErrorCode OTAppendOptionsPrefix(OT, const char[]);
PETSC_EXTERN PetscErrorCode OTGetOptionsPrefix(OT, const char *[]);
PETSC_EXTERN PetscErrorCode OTSetFromOptions(OT);
PETSC_EXTERN PetscErrorCode OTSetUp(OT);
PETSC_EXTERN PetscErrorCode OTSolve(OT);
PETSC_EXTERN PetscErrorCode OTGetPotentials(OT, Vec *, Vec *);
PETSC_EXTERN PetscErrorCode OTGetPlan(OT, MatType, PetscReal, Mat *);
PETSC_EXTERN PetscErrorCode OTGetConvergedReason(OT, OTConvergedReason *);
PETSC_EXTERN PetscErrorCode OTGetIterationNumbers(OT, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode OTGetMarginalError(OT, PetscReal *);
PETSC_EXTERN PetscErrorCode OTGetTransportCost(OT, PetscReal *);
PETSC_EXTERN PetscErrorCode OTGetSolveTime(OT, PetscReal *);
PETSC_EXTERN PetscErrorCode OTMonitorSet(OT, PetscErrorCode (*)(OT, PetscInt, PetscInt, PetscReal, void *), void *, PetscErrorCode (*)(void **));
PETSC_EXTERN PetscErrorCode OTMonitorDefault(OT, PetscInt, PetscInt, PetscReal, void *);
PETSC_EXTERN PetscErrorCode OTView(OT, PetscViewer);
PETSC_EXTERN PetscErrorCode OTDestroy(OT *);

PETSC_EXTERN PetscErrorCode OTSinkhornSetEpsilonScaling(OT, PetscReal, PetscInt, PetscReal);
PETSC_EXTERN PetscErrorCode OTSinkhornGetEpsilonScaling(OT, PetscReal *, PetscInt *, PetscReal *);
PETSC_EXTERN PetscErrorCode OTSNSSetWarmup(OT, PetscInt);
PETSC_EXTERN PetscErrorCode OTSNSGetWarmup(OT, PetscInt *);
PETSC_EXTERN PetscErrorCode OTSNSSetSparsify(OT, OTSNSSparsifyType, PetscReal);
PETSC_EXTERN PetscErrorCode OTSNSGetSparsify(OT, OTSNSSparsifyType *, PetscReal *);
PETSC_EXTERN PetscErrorCode OTSNSGetKSP(OT, KSP *);

#endif
