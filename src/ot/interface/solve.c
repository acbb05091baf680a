/* OTSolve and the results of a solve: potentials, plan, reason, counts. */
#include "ot/otimpl.h"

/*@
  OTSolve - Computes the optimal potentials from x = y = 0

  Collective

  Input Parameter:
. ot - the solver, with its cost and marginals set

  Options Database Key:
. -ot_view - views the solver and its result after the solve

  Level: beginner

  Note:
  After the solve the marginal error and the transport cost <C, P> are recomputed from
  the final potentials in one explicit pass over the plan.

.seealso: `OTGetPotentials()`, `OTGetPlan()`, `OTGetConvergedReason()`
@*/
PetscErrorCode OTSolve(OT ot)
{
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCall(OTSetUp(ot));
  PetscCall(PetscTime(&t0));
  PetscCall(PetscArrayzero(ot->x, ot->nloc));
  PetscCall(PetscArrayzero(ot->y, ot->m));
  ot->reason       = OT_CONVERGED_ITERATING;
  ot->its_sinkhorn = 0;
  ot->its_newton   = 0;
  PetscCall((*ot->ops->solve)(ot));
  PetscCall(OTPlanStats_Private(ot, NULL, NULL, &ot->marginal_error, &ot->transport_cost, NULL));
  PetscCall(PetscTime(&t1));
  ot->solve_time = (PetscReal)(t1 - t0);
  PetscCall(PetscObjectViewFromOptions((PetscObject)ot, NULL, "-ot_view"));
  PetscFunctionReturn(0);
}

/*@
  OTGetPotentials - Gets the potentials x (row layout of r) and y (layout of c)

  Collective

  Input Parameter:
. ot - the solver, after `OTSolve()`

  Output Parameters:
+ x - row potential, owned by the solver (do not destroy), or NULL
- y - column potential, owned by the solver (do not destroy), or NULL

  Level: beginner

  Note:
  The plan is P_ij = exp(eta (-C_ij + x_i + y_j) - 1); (x + t, y - t) gives the same plan.

.seealso: `OTGetPlan()`
@*/
PetscErrorCode OTGetPotentials(OT ot, Vec *x, Vec *y)
{
  PetscScalar *a;
  PetscInt     lo, hi;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->setupcalled, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "Call OTSolve() before OTGetPotentials()");
  if (x) {
    if (!ot->xvec) PetscCall(VecDuplicate(ot->r, &ot->xvec));
    PetscCall(VecGetArray(ot->xvec, &a));
    for (PetscInt i = 0; i < ot->nloc; i++) a[i] = ot->x[i];
    PetscCall(VecRestoreArray(ot->xvec, &a));
    *x = ot->xvec;
  }
  if (y) {
    if (!ot->yvec) PetscCall(VecDuplicate(ot->c, &ot->yvec));
    PetscCall(VecGetOwnershipRange(ot->yvec, &lo, &hi));
    PetscCall(VecGetArray(ot->yvec, &a));
    for (PetscInt j = lo; j < hi; j++) a[j - lo] = ot->y[j];
    PetscCall(VecRestoreArray(ot->yvec, &a));
    *y = ot->yvec;
  }
  PetscFunctionReturn(0);
}

/*@C
  OTGetPlan - Builds the transport plan from the current potentials

  Collective

  Input Parameters:
+ ot - the solver
. type - `MATDENSE` for the full n x m plan, or `MATAIJ` for a sparse plan
- droptol - sparse only: entries P_ij <= droptol are left out

  Output Parameter:
. P - the plan, distributed by rows like the cost; the caller destroys it

  Level: beginner

.seealso: `OTGetPotentials()`
@*/
PetscErrorCode OTGetPlan(OT ot, MatType type, PetscReal droptol, Mat *P)
{
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  PetscBool  dense;
  PetscInt  *cols;
  PetscReal *vals;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->setupcalled, comm, PETSC_ERR_ORDER, "Call OTSolve() before OTGetPlan()");
  PetscCall(PetscStrcmp(type, MATDENSE, &dense));
  PetscCall(PetscMalloc2(ot->m, &cols, ot->m, &vals));
  if (dense) {
    PetscScalar *a;
    PetscInt     lda;
    PetscCall(MatCreateDense(comm, ot->nloc, PETSC_DECIDE, ot->n, ot->m, NULL, P));
    PetscCall(MatDenseGetLDA(*P, &lda));
    PetscCall(MatDenseGetArrayWrite(*P, &a));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc;
      for (PetscInt j = 0; j < ot->m; j++) a[i + (size_t)j * lda] = 0;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++) a[i + (size_t)cols[k] * lda] = vals[k];
    }
    PetscCall(MatDenseRestoreArrayWrite(*P, &a));
  } else {
    PetscInt *dnnz, *onnz, clo, chi, mloc = PETSC_DECIDE;
    PetscCall(PetscSplitOwnership(comm, &mloc, &ot->m));
    PetscCallMPI(MPI_Scan(&mloc, &chi, 1, MPIU_INT, MPI_SUM, comm));
    clo = chi - mloc;
    PetscCall(PetscCalloc2(ot->nloc + 1, &dnnz, ot->nloc + 1, &onnz));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++)
        if (vals[k] > droptol) {
          if (cols[k] >= clo && cols[k] < chi) dnnz[i]++;
          else onnz[i]++;
        }
    }
    PetscCall(MatCreateAIJ(comm, ot->nloc, mloc, ot->n, ot->m, 0, dnnz, 0, onnz, P));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc, kept = 0, row = ot->rstart + i;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++)
        if (vals[k] > droptol) {
          cols[kept]   = cols[k];
          vals[kept++] = vals[k];
        }
      PetscCall(MatSetValues(*P, 1, &row, kept, cols, vals, INSERT_VALUES));
    }
    PetscCall(PetscFree2(dnnz, onnz));
  }
  PetscCall(MatAssemblyBegin(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree2(cols, vals));
  PetscFunctionReturn(0);
}

/*@
  OTGetConvergedReason - Why the last solve stopped

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. reason - positive when the marginal error fell below the tolerance, negative otherwise

  Level: beginner

.seealso: `OTConvergedReason`, `OTConvergedReasons`
@*/
PetscErrorCode OTGetConvergedReason(OT ot, OTConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *reason = ot->reason;
  PetscFunctionReturn(0);
}

/*@
  OTGetIterationNumbers - Sinkhorn and Newton iterations of the last solve

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameters:
+ sinkhorn - Sinkhorn sweeps, or NULL
- newton - Newton steps, or NULL

  Level: beginner

.seealso: `OTSolve()`
@*/
PetscErrorCode OTGetIterationNumbers(OT ot, PetscInt *sinkhorn, PetscInt *newton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (sinkhorn) *sinkhorn = ot->its_sinkhorn;
  if (newton) *newton = ot->its_newton;
  PetscFunctionReturn(0);
}

/*@
  OTGetMarginalError - ||P 1 - r||_1 + ||P^T 1 - c||_1 of the final plan

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. err - the marginal error

  Level: beginner

.seealso: `OTSetTolerances()`
@*/
PetscErrorCode OTGetMarginalError(OT ot, PetscReal *err)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *err = ot->marginal_error;
  PetscFunctionReturn(0);
}

/*@
  OTGetTransportCost - <C, P> of the final plan

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. cost - the transport cost

  Level: beginner

.seealso: `OTGetPlan()`
@*/
PetscErrorCode OTGetTransportCost(OT ot, PetscReal *cost)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *cost = ot->transport_cost;
  PetscFunctionReturn(0);
}

/*@
  OTGetSolveTime - Wall-clock seconds of the last OTSolve() (set-up excluded)

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. t - seconds

  Level: intermediate

.seealso: `OTSolve()`
@*/
PetscErrorCode OTGetSolveTime(OT ot, PetscReal *t)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *t = ot->solve_time;
  PetscFunctionReturn(0);
}
