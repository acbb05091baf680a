/* OTView. */
#include "ot/otimpl.h"

/*@C
  OTView - Prints the solver settings and the result of the last solve

  Collective

  Input Parameters:
+ ot - the solver
- viewer - an ASCII viewer, or NULL for standard output

  Options Database Key:
. -ot_view - views the solver after each `OTSolve()`

  Level: beginner

.seealso: `OTCreate()`
@*/
PetscErrorCode OTView(OT ot, PetscViewer viewer)
{
  PetscBool iascii;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)ot), &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)ot, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "problem: n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", cost %s\n", ot->n, ot->m,
                                   ot->rows.store == OT_STORE_DENSE    ? "dense matrix"
                                   : ot->rows.store == OT_STORE_SPARSE ? "sparse matrix"
                                                                       : OTCostTypes[ot->costtype]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "eta = %g (POT reg = %g), tolerance %g on ||P1 - r||_1 + ||P^T1 - c||_1, max_it %" PetscInt_FMT "\n", (double)ot->eta, (double)(1 / ot->eta), (double)ot->tol, ot->max_it));
  if (ot->ops->view) PetscCall((*ot->ops->view)(ot, viewer));
  if (ot->reason != OT_CONVERGED_ITERATING) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s: %" PetscInt_FMT " Sinkhorn + %" PetscInt_FMT " Newton iterations, marginal error %.3e, transport cost %.12g, %.3f s\n", OTConvergedReasons[ot->reason], ot->its_sinkhorn, ot->its_newton, (double)ot->marginal_error,
                                     (double)ot->transport_cost, (double)ot->solve_time));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}
