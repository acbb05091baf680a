/* Newton direction and Armijo line search on a concave dual (see dualnewton.h). */
#include <dualnewton/dualnewton.h>

/*
  KrylearnDualNewtonDirection - Solves H d = b with the KSP and checks that d is a usable ascent direction

  Input Parameters:
+ obj    - object that owns the solve (for -info and the log event)
. event  - log event around KSPSolve
. ksp    - the Newton KSP (its options already set)
. H      - the Newton matrix (positive semidefinite)
. nullsp - null space of H, removed from b and from the residual, or NULL
. b      - the right-hand side (the dual gradient up to a positive factor); modified by the projection
. d      - the direction (output)
. work   - a vector like b
- rtol   - relative tolerance of the solve

  Output Parameters:
+ bd  - b.d
. ok  - PETSC_FALSE when the KSP broke down, the true relative residual exceeds 0.5, or b.d <= 0
- its - KSP iterations

  Note:
  The true residual is recomputed, since a KSP stopped on a preconditioned norm may return a
  direction that is not an ascent one.
*/
PetscErrorCode KrylearnDualNewtonDirection(PetscObject obj, PetscLogEvent event, KSP ksp, Mat H, MatNullSpace nullsp, Vec b, Vec d, Vec work, PetscReal rtol, PetscReal *bd, PetscBool *ok, PetscInt *its)
{
  PetscReal          bnorm, rnorm;
  PetscScalar        dot;
  KSPConvergedReason reason;

  PetscFunctionBegin;
  if (nullsp) PetscCall(MatNullSpaceRemove(nullsp, b));
  PetscCall(KSPSetOperators(ksp, H, H));
  PetscCall(KSPSetTolerances(ksp, rtol, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(PetscLogEventBegin(event, obj, 0, 0, 0));
  PetscCall(KSPSolve(ksp, b, d));
  PetscCall(PetscLogEventEnd(event, obj, 0, 0, 0));
  PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(MatMult(H, d, work));
  PetscCall(VecAYPX(work, -1.0, b));
  if (nullsp) PetscCall(MatNullSpaceRemove(nullsp, work));
  PetscCall(VecNorm(work, NORM_2, &rnorm));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  PetscCall(VecDot(b, d, &dot));
  *bd = PetscRealPart(dot);
  *ok = (PetscBool)(reason != KSP_DIVERGED_NANORINF && reason != KSP_DIVERGED_BREAKDOWN && rnorm <= 0.5 * bnorm && *bd > 0 && !PetscIsInfOrNanReal(*bd));
  if (!*ok) PetscCall(PetscInfo(obj, "Newton step rejected: KSP %s after %" PetscInt_FMT " its, relative residual %g, b.d %g\n", KSPConvergedReasons[reason], *its, (double)(rnorm / bnorm), (double)*bd));
  PetscFunctionReturn(0);
}

/*
  KrylearnDualLineSearch - Backtracking Armijo search (sigma 1e-4, halving, at most 40 trials) on a concave dual

  Input Parameters:
+ obj    - object for the log event
. event  - log event around the search
. gd     - directional derivative g.d of the dual along the step (positive)
. change - computes f(z + alpha d) - f(z)
- ctx    - its context

  Output Parameters:
+ alpha - the accepted step length
- ok    - PETSC_FALSE when no trial was accepted (non-finite changes are rejected)
*/
PetscErrorCode KrylearnDualLineSearch(PetscObject obj, PetscLogEvent event, PetscReal gd, KrylearnDualChangeFn change, void *ctx, PetscReal *alpha, PetscBool *ok)
{
  PetscReal a = 1;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(event, obj, 0, 0, 0));
  *ok = PETSC_FALSE;
  for (PetscInt t = 0; t < 40; t++, a *= 0.5) {
    PetscReal df;

    PetscCall((*change)(a, &df, ctx));
    if (!PetscIsInfOrNanReal(df) && df >= 1e-4 * a * gd) {
      *ok = PETSC_TRUE;
      break;
    }
  }
  *alpha = a;
  PetscCall(PetscLogEventEnd(event, obj, 0, 0, 0));
  PetscFunctionReturn(0);
}
