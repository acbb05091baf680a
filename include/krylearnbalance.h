/* Matrix balancing by Sinkhorn-Newton: positive r, c with diag(r) |A|^p diag(c) doubly
   stochastic (two-sided, general matrices), or d with diag(d) |A|^p diag(d) doubly
   stochastic (symmetric). It is entropic transport on the sparse kernel |A|^p: Sinkhorn
   sweeps, then Newton steps on the dual whose matrix has A's own sparsity. */
#ifndef KRYLEARNBALANCE_H
#define KRYLEARNBALANCE_H

#include <petscksp.h>

/*S
  KrylearnBalance - Two-sided (or symmetric) scaling of a sparse matrix to a doubly stochastic one

  Level: beginner

.seealso: `KrylearnBalanceCreate()`, `KrylearnBalanceSolve()`, `PCSINKHORN`
S*/
typedef struct _p_KrylearnBalance *KrylearnBalance;

/*E
  KrylearnBalanceConvergedReason - Why KrylearnBalanceSolve() stopped

  Level: beginner
E*/
typedef enum {
  KRYLEARN_BALANCE_DIVERGED_NANORINF   = -4,
  KRYLEARN_BALANCE_DIVERGED_MAX_IT     = -3,
  KRYLEARN_BALANCE_CONVERGED_ITERATING = 0,
  KRYLEARN_BALANCE_CONVERGED_MARGINAL  = 2
} KrylearnBalanceConvergedReason;
PETSC_EXTERN const char *const *KrylearnBalanceConvergedReasons;

PETSC_EXTERN PetscClassId KRYLEARN_BALANCE_CLASSID;

PETSC_EXTERN PetscErrorCode KrylearnBalanceInitializePackage(void);
PETSC_EXTERN PetscErrorCode KrylearnBalanceCreate(MPI_Comm, KrylearnBalance *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetOperator(KrylearnBalance, Mat);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetOperator(KrylearnBalance, Mat *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetSymmetric(KrylearnBalance, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetSymmetric(KrylearnBalance, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetPower(KrylearnBalance, PetscReal);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetPower(KrylearnBalance, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetTolerances(KrylearnBalance, PetscReal, PetscInt);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetTolerances(KrylearnBalance, PetscReal *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetWarmup(KrylearnBalance, PetscInt, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetWarmup(KrylearnBalance, PetscInt *, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetDropUnsupported(KrylearnBalance, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetDropUnsupported(KrylearnBalance, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetKSP(KrylearnBalance, KSP *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetOptionsPrefix(KrylearnBalance, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnBalanceAppendOptionsPrefix(KrylearnBalance, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetFromOptions(KrylearnBalance);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSetUp(KrylearnBalance);
PETSC_EXTERN PetscErrorCode KrylearnBalanceSolve(KrylearnBalance);
PETSC_EXTERN PetscErrorCode KrylearnBalanceReset(KrylearnBalance);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetScalings(KrylearnBalance, Vec *, Vec *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetScalingRange(KrylearnBalance, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetConvergedReason(KrylearnBalance, KrylearnBalanceConvergedReason *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetIterationNumbers(KrylearnBalance, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceGetMarginalError(KrylearnBalance, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnBalanceView(KrylearnBalance, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnBalanceDestroy(KrylearnBalance *);

/* The preconditioner that balances its operator first: see PCSINKHORN in plugins/pc_sinkhorn.c. */
#define PCSINKHORN "sinkhorn"
PETSC_EXTERN PetscErrorCode PCSinkhornGetBalance(PC, KrylearnBalance *);
PETSC_EXTERN PetscErrorCode PCSinkhornGetSubPC(PC, PC *);
PETSC_EXTERN PetscErrorCode KrylearnSinkhornInitializePackage(void);

#endif
