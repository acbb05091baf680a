/* One timed solve with a one-line report, shared by the command-line programs. */
#include <krylearnksp.h>
#include "kspreport.h"

/*@C
  KrylearnKSPSolveReport - Sets up and solves with a KSP, then prints one line with the KSP and PC
  types, the iteration count, the converged reason, the true relative residual ||b - A x|| / ||b||
  and the set-up and solve times; for KSPDEEPCD also the network applications and their time.

  Collective

  Input Parameters:
+ ksp - the solver, with its operators set and KSPSetFromOptions() called
. b   - the right-hand side
- x   - the solution (the initial guess if KSPSetInitialGuessNonzero() was set)

  Level: beginner

.seealso: `KSPSolve()`, `KSPDeepCDGetInferenceTime()`
@*/
PetscErrorCode KrylearnKSPSolveReport(KSP ksp, Vec b, Vec x)
{
  Mat                A;
  Vec                r;
  PC                 pc;
  KSPType            ktype;
  PCType             ptype;
  KSPConvergedReason reason;
  PetscInt           its;
  PetscReal          bnorm, rnorm;
  PetscLogDouble     t0, t1, t2;
  PetscBool          isdeepcd;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSetUp(ksp));
  PetscCall(PetscTime(&t1));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(PetscTime(&t2));

  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPGetType(ksp, &ktype));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCGetType(pc, &ptype));
  PetscCall(KSPGetOperators(ksp, &A, NULL));
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rnorm));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  PetscCall(VecDestroy(&r));
  PetscCall(PetscPrintf(PetscObjectComm((PetscObject)ksp), "ksp %s pc %s: iterations %" PetscInt_FMT ", %s, relative residual %.3e, setup %.4f s, solve %.4f s\n", ktype, ptype, its, KSPConvergedReasons[reason], (double)(bnorm > 0 ? rnorm / bnorm : rnorm), t1 - t0, t2 - t1));
  PetscCall(PetscObjectTypeCompare((PetscObject)ksp, KSPDEEPCD, &isdeepcd));
  if (isdeepcd) {
    PetscInt       napply;
    PetscLogDouble tnet;

    PetscCall(KSPDeepCDGetInferenceTime(ksp, &napply, &tnet));
    PetscCall(PetscPrintf(PetscObjectComm((PetscObject)ksp), "deepcd: %" PetscInt_FMT " network applications, %.4f s in the network\n", napply, tnet));
  }
  PetscFunctionReturn(0);
}
