/* OT settings: regularisation, tolerances, cost type, and the options database. */
#include "ot/otimpl.h"

/*@
  OTSetCostType - Sets the ground cost used between point clouds

  Logically Collective

  Input Parameters:
+ ot - the solver
- type - `OT_COST_SQEUCLIDEAN` (|x - y|^2, the default) or `OT_COST_EUCLIDEAN` (|x - y|)

  Options Database Key:
. -ot_cost <sqeuclidean,euclidean> - the ground cost

  Level: beginner

.seealso: `OTSetPointClouds()`
@*/
PetscErrorCode OTSetCostType(OT ot, OTCostType type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  ot->costtype    = type;
  ot->setupcalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@
  OTSetEta - Sets the inverse temperature eta of the entropic regularisation

  Logically Collective

  Input Parameters:
+ ot - the solver
- eta - inverse temperature; POT's regularisation is reg = 1/eta

  Options Database Key:
. -ot_eta <eta> - the inverse temperature

  Level: beginner

.seealso: `OTGetEta()`
@*/
PetscErrorCode OTSetEta(OT ot, PetscReal eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(eta > 0 && PetscIsNormalReal(eta), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "eta must be positive and finite, not %g", (double)eta);
  ot->eta = eta;
  PetscFunctionReturn(0);
}

/*@
  OTGetEta - Gets the inverse temperature

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. eta - the inverse temperature

  Level: beginner

.seealso: `OTSetEta()`
@*/
PetscErrorCode OTGetEta(OT ot, PetscReal *eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *eta = ot->eta;
  PetscFunctionReturn(0);
}

/*@
  OTSetTolerances - Sets the tolerance on the marginal error ||P 1 - r||_1 + ||P^T 1 - c||_1 and the iteration cap

  Logically Collective

  Input Parameters:
+ ot - the solver
. tol - tolerance on the marginal error (`PETSC_DEFAULT` keeps the current one)
- max_it - maximum number of iterations, Sinkhorn and Newton together (`PETSC_DEFAULT` keeps)

  Options Database Keys:
+ -ot_tol <tol> - tolerance
- -ot_max_it <n> - iteration cap

  Level: beginner

.seealso: `OTGetMarginalError()`
@*/
PetscErrorCode OTSetTolerances(OT ot, PetscReal tol, PetscInt max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(tol > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "tolerance must be positive, not %g", (double)tol);
    ot->tol = tol;
  }
  if (max_it != PETSC_DEFAULT) {
    PetscCheck(max_it >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "max_it must be non-negative, not %" PetscInt_FMT, max_it);
    ot->max_it = max_it;
  }
  PetscFunctionReturn(0);
}

/*@
  OTSetFromOptions - Reads -ot_type, -ot_eta, -ot_tol, -ot_max_it, -ot_cost, -ot_monitor and the method's options

  Collective

  Level: beginner

.seealso: `OTSetType()`, `OTSetEta()`, `OTSetTolerances()`
@*/
PetscErrorCode OTSetFromOptions(OT ot)
{
  char      type[256];
  PetscBool flg, mon = PETSC_FALSE;
  PetscInt  width = 0;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)ot);
  PetscCall(PetscOptionsFList("-ot_type", "Optimal transport method", "OTSetType", OTList, ((PetscObject)ot)->type_name ? ((PetscObject)ot)->type_name : OTSNS, type, sizeof(type), &flg));
  if (flg || !((PetscObject)ot)->type_name) PetscCall(OTSetType(ot, flg ? type : OTSNS));
  PetscCall(PetscOptionsReal("-ot_eta", "Inverse temperature eta (POT's reg = 1/eta)", "OTSetEta", ot->eta, &ot->eta, NULL));
  PetscCheck(ot->eta > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_eta must be positive, not %g", (double)ot->eta);
  PetscCall(PetscOptionsReal("-ot_tol", "Tolerance on ||P1 - r||_1 + ||P^T1 - c||_1", "OTSetTolerances", ot->tol, &ot->tol, NULL));
  PetscCall(PetscOptionsInt("-ot_max_it", "Maximum iterations (Sinkhorn and Newton together)", "OTSetTolerances", ot->max_it, &ot->max_it, NULL));
  PetscCheck(ot->tol > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_tol must be positive, not %g", (double)ot->tol);
  PetscCheck(ot->max_it >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_max_it must be non-negative, not %" PetscInt_FMT, ot->max_it);
  PetscCall(PetscOptionsEnum("-ot_cost", "Ground cost between point clouds", "OTSetCostType", OTCostTypes, (PetscEnum)ot->costtype, (PetscEnum *)&ot->costtype, &flg));
  if (flg) ot->setupcalled = PETSC_FALSE;
  PetscCall(PetscOptionsInt("-ot_exp_width", "Vector exp width in doubles: 2 (SSE2), 4 (AVX2), 8 (AVX-512), 0 widest supported (process-wide)", "", width, &width, &flg));
  if (flg) PetscCall(PetscInfo(ot, "Vector exp of width %" PetscInt_FMT "\n", OTKernelSetExpWidth(width)));
  PetscCall(PetscOptionsBool("-ot_monitor", "Print the marginal error every iteration", "OTMonitorSet", mon, &mon, NULL));
  if (mon) PetscCall(OTMonitorSet(ot, OTMonitorDefault, NULL, NULL));
  if (ot->ops->setfromoptions) PetscCall((*ot->ops->setfromoptions)(ot, PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}
