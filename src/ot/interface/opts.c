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

.seealso: `OTSetPointClouds()`, `OTGetCostType()`
@*/
PetscErrorCode OTSetCostType(OT ot, OTCostType type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(ot, type, 2);
  PetscCheck(type == OT_COST_SQEUCLIDEAN || type == OT_COST_EUCLIDEAN, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "Unknown OT cost type %d (-ot_cost sqeuclidean or euclidean)", (int)type);
  ot->costtype    = type;
  ot->setupcalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@
  OTGetCostType - Gets the ground cost used between point clouds

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. type - `OT_COST_SQEUCLIDEAN` or `OT_COST_EUCLIDEAN`

  Level: beginner

.seealso: `OTSetCostType()`
@*/
PetscErrorCode OTGetCostType(OT ot, OTCostType *type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidPointer(type, 2);
  *type = ot->costtype;
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
  PetscValidLogicalCollectiveReal(ot, eta, 2);
  /* normal, not only finite: 1/eta (POT's reg) and eta * cost must stay finite */
  PetscCheck(eta > 0 && PetscIsNormalReal(eta) && PetscIsNormalReal(1 / eta), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_eta %g: eta must be positive and finite, with a finite reciprocal", (double)eta);
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
  PetscValidRealPointer(eta, 2);
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

.seealso: `OTGetTolerances()`, `OTGetMarginalError()`
@*/
PetscErrorCode OTSetTolerances(OT ot, PetscReal tol, PetscInt max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidLogicalCollectiveReal(ot, tol, 2);
  PetscValidLogicalCollectiveInt(ot, max_it, 3);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(tol > 0 && !PetscIsInfOrNanReal(tol), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_tol %g: the tolerance must be positive and finite", (double)tol);
    ot->tol = tol;
  }
  if (max_it != PETSC_DEFAULT) {
    PetscCheck(max_it >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_max_it %" PetscInt_FMT ": the iteration cap must be non-negative", max_it);
    ot->max_it = max_it;
  }
  PetscFunctionReturn(0);
}

/*@
  OTGetTolerances - Gets the tolerance on the marginal error and the iteration cap

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameters:
+ tol - the tolerance, or NULL
- max_it - the iteration cap, or NULL

  Level: beginner

.seealso: `OTSetTolerances()`
@*/
PetscErrorCode OTGetTolerances(OT ot, PetscReal *tol, PetscInt *max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (tol) *tol = ot->tol;
  if (max_it) *max_it = ot->max_it;
  PetscFunctionReturn(0);
}

/*@
  OTSetFromOptions - Reads -ot_type, -ot_eta, -ot_tol, -ot_max_it, -ot_cost, -ot_monitor and the method's options

  Collective

  Input Parameter:
. ot - the solver

  Level: beginner

.seealso: `OTSetType()`, `OTSetEta()`, `OTSetTolerances()`
@*/
PetscErrorCode OTSetFromOptions(OT ot)
{
  char       type[256];
  PetscBool  flg, flg2, mon = PETSC_FALSE;
  PetscInt   width = 0, max_it;
  PetscReal  eta, tol;
  OTCostType cost;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)ot);
  PetscCall(PetscOptionsFList("-ot_type", "Optimal transport method", "OTSetType", OTList, ((PetscObject)ot)->type_name ? ((PetscObject)ot)->type_name : OTSNS, type, sizeof(type), &flg));
  if (flg || !((PetscObject)ot)->type_name) PetscCall(OTSetType(ot, flg ? type : OTSNS));
  PetscCall(PetscOptionsReal("-ot_eta", "Inverse temperature eta (POT's reg = 1/eta)", "OTSetEta", ot->eta, &eta, &flg));
  if (flg) PetscCall(OTSetEta(ot, eta));
  PetscCall(PetscOptionsReal("-ot_tol", "Tolerance on ||P1 - r||_1 + ||P^T1 - c||_1", "OTSetTolerances", ot->tol, &tol, &flg));
  PetscCall(PetscOptionsInt("-ot_max_it", "Maximum iterations (Sinkhorn and Newton together)", "OTSetTolerances", ot->max_it, &max_it, &flg2));
  if (flg || flg2) PetscCall(OTSetTolerances(ot, flg ? tol : (PetscReal)PETSC_DEFAULT, flg2 ? max_it : PETSC_DEFAULT));
  PetscCall(PetscOptionsEnum("-ot_cost", "Ground cost between point clouds", "OTSetCostType", OTCostTypes, (PetscEnum)ot->costtype, (PetscEnum *)&cost, &flg));
  if (flg) PetscCall(OTSetCostType(ot, cost));
  PetscCall(PetscOptionsInt("-ot_exp_width", "Vector exp width in doubles: 2 (SSE2), 4 (AVX2), 8 (AVX-512), 0 widest supported (process-wide)", "", width, &width, &flg));
  if (flg) {
    PetscCheck(width == 0 || width == 2 || width == 4 || width == 8, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_exp_width %" PetscInt_FMT ": the width must be 0, 2, 4 or 8", width);
    PetscCall(PetscInfo(ot, "Vector exp of width %" PetscInt_FMT "\n", OTKernelSetExpWidth(width)));
  }
  PetscCall(PetscOptionsBool("-ot_monitor", "Print the marginal error every iteration", "OTMonitorSet", mon, &mon, NULL));
  if (mon) PetscCall(OTMonitorSet(ot, OTMonitorDefault, NULL, NULL));
  if (ot->ops->setfromoptions) PetscCall((*ot->ops->setfromoptions)(ot, PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}
