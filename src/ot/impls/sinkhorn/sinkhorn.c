/* OTSINKHORN: log-domain Sinkhorn with optional epsilon scaling. */
#include <math.h>
#include "ot/otimpl.h"

typedef struct {
  PetscReal factor; /* eta is divided by factor^s for the stages s = stages, ..., 1 */
  PetscInt  stages;
  PetscReal stage_tol; /* marginal error at which an intermediate stage ends */
} OT_SK;

static PetscErrorCode OTSolve_Sinkhorn(OT ot)
{
  OT_SK    *sk = (OT_SK *)ot->data;
  PetscInt  its;
  PetscReal err = PETSC_MAX_REAL;

  PetscFunctionBegin;
  for (PetscInt s = sk->stages; s >= 1; s--) {
    PetscCall(OTSinkhornSweeps_Private(ot, ot->eta / PetscPowReal(sk->factor, (PetscReal)s), ot->max_it - ot->its_sinkhorn, PetscMax(sk->stage_tol, ot->tol), &its, &err));
    if (PetscIsInfOrNanReal(err)) break;
  }
  if (!PetscIsInfOrNanReal(err)) PetscCall(OTSinkhornSweeps_Private(ot, ot->eta, ot->max_it - ot->its_sinkhorn, ot->tol, &its, &err));
  if (PetscIsInfOrNanReal(err)) ot->reason = OT_DIVERGED_NANORINF;
  else if (err < ot->tol) ot->reason = OT_CONVERGED_MARGINAL;
  else ot->reason = OT_DIVERGED_MAX_IT;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSetFromOptions_Sinkhorn(OT ot, PetscOptionItems *PetscOptionsObject)
{
  OT_SK    *sk     = (OT_SK *)ot->data;
  PetscReal factor = sk->factor, stage_tol = sk->stage_tol;
  PetscInt  stages = sk->stages;
  PetscBool flg[3];

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "OT Sinkhorn options");
  PetscCall(PetscOptionsReal("-ot_sinkhorn_eps_scaling_factor", "Epsilon scaling: eta is divided by factor^s at stage s", "OTSinkhornSetEpsilonScaling", factor, &factor, &flg[0]));
  PetscCall(PetscOptionsInt("-ot_sinkhorn_eps_scaling_stages", "Epsilon scaling: number of stages before the final eta (0: off)", "OTSinkhornSetEpsilonScaling", stages, &stages, &flg[1]));
  PetscCall(PetscOptionsReal("-ot_sinkhorn_eps_scaling_tol", "Epsilon scaling: marginal error that ends an intermediate stage", "OTSinkhornSetEpsilonScaling", stage_tol, &stage_tol, &flg[2]));
  PetscOptionsHeadEnd();
  if (flg[0] || flg[1] || flg[2]) PetscCall(OTSinkhornSetEpsilonScaling(ot, factor, stages, stage_tol));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTView_Sinkhorn(OT ot, PetscViewer viewer)
{
  OT_SK *sk = (OT_SK *)ot->data;

  PetscFunctionBegin;
  if (sk->stages) PetscCall(PetscViewerASCIIPrintf(viewer, "epsilon scaling: %" PetscInt_FMT " stages, eta / %g^s, stage tolerance %g\n", sk->stages, (double)sk->factor, (double)sk->stage_tol));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "log-domain Sinkhorn, no epsilon scaling\n"));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTDestroy_Sinkhorn(OT ot)
{
  PetscFunctionBegin;
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSinkhornSetEpsilonScaling_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSinkhornGetEpsilonScaling_C", NULL));
  PetscCall(PetscFree(ot->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSinkhornSetEpsilonScaling_Sinkhorn(OT ot, PetscReal factor, PetscInt stages, PetscReal stage_tol)
{
  OT_SK *sk = (OT_SK *)ot->data;

  PetscFunctionBegin;
  PetscCheck(stages >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sinkhorn_eps_scaling_stages %" PetscInt_FMT ": the number of stages must be non-negative", stages);
  PetscCheck(stages == 0 || (factor > 1 && !PetscIsInfOrNanReal(factor)), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sinkhorn_eps_scaling_factor %g: the factor must be finite and exceed 1", (double)factor);
  /* the first stage runs at eta / factor^stages, which must stay a normal number */
  PetscCheck(stages == 0 || PetscIsNormalReal(ot->eta / PetscPowReal(factor, (PetscReal)stages)), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sinkhorn_eps_scaling_stages %" PetscInt_FMT " with factor %g: eta / factor^stages underflows", stages, (double)factor);
  PetscCheck(stage_tol > 0 && !PetscIsInfOrNanReal(stage_tol), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sinkhorn_eps_scaling_tol %g: the stage tolerance must be positive and finite", (double)stage_tol);
  sk->factor    = factor;
  sk->stages    = stages;
  sk->stage_tol = stage_tol;
  PetscFunctionReturn(0);
}

/*@
  OTSinkhornSetEpsilonScaling - Runs Sinkhorn first at eta / factor^s, s = stages, ..., 1, each stage until the marginal error falls below stage_tol, then at eta

  Logically Collective

  Input Parameters:
+ ot - the solver, of type `OTSINKHORN`
. factor - ratio between consecutive inverse temperatures (> 1)
. stages - number of stages before the final one (0 turns scaling off, the default)
- stage_tol - marginal error that ends an intermediate stage

  Options Database Keys:
+ -ot_sinkhorn_eps_scaling_factor <f> - the factor (default 4)
. -ot_sinkhorn_eps_scaling_stages <s> - the number of stages (default 0)
- -ot_sinkhorn_eps_scaling_tol <t> - the stage tolerance (default 1e-3)

  Level: intermediate

  Note:
  eta / factor^stages is checked against the eta set when this is called; set eta first.

.seealso: `OTSINKHORN`, `OTSinkhornGetEpsilonScaling()`
@*/
PetscErrorCode OTSinkhornSetEpsilonScaling(OT ot, PetscReal factor, PetscInt stages, PetscReal stage_tol)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidLogicalCollectiveReal(ot, factor, 2);
  PetscValidLogicalCollectiveInt(ot, stages, 3);
  PetscValidLogicalCollectiveReal(ot, stage_tol, 4);
  PetscTryMethod(ot, "OTSinkhornSetEpsilonScaling_C", (OT, PetscReal, PetscInt, PetscReal), (ot, factor, stages, stage_tol));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSinkhornGetEpsilonScaling_Sinkhorn(OT ot, PetscReal *factor, PetscInt *stages, PetscReal *stage_tol)
{
  OT_SK *sk = (OT_SK *)ot->data;

  PetscFunctionBegin;
  if (factor) *factor = sk->factor;
  if (stages) *stages = sk->stages;
  if (stage_tol) *stage_tol = sk->stage_tol;
  PetscFunctionReturn(0);
}

/*@
  OTSinkhornGetEpsilonScaling - Gets the epsilon-scaling settings of `OTSINKHORN`

  Not Collective

  Input Parameter:
. ot - the solver, of type `OTSINKHORN`

  Output Parameters:
+ factor - ratio between consecutive inverse temperatures, or NULL
. stages - number of stages before the final one, or NULL
- stage_tol - marginal error that ends an intermediate stage, or NULL

  Level: intermediate

.seealso: `OTSINKHORN`, `OTSinkhornSetEpsilonScaling()`
@*/
PetscErrorCode OTSinkhornGetEpsilonScaling(OT ot, PetscReal *factor, PetscInt *stages, PetscReal *stage_tol)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscUseMethod(ot, "OTSinkhornGetEpsilonScaling_C", (OT, PetscReal *, PetscInt *, PetscReal *), (ot, factor, stages, stage_tol));
  PetscFunctionReturn(0);
}

/*MC
  OTSINKHORN - Log-domain Sinkhorn: alternate exact row and column scalings of the plan
  P_ij = exp(eta (-C_ij + x_i + y_j) - 1), each a stable log-sum-exp, optionally with
  epsilon scaling.

  Options Database Keys:
+ -ot_sinkhorn_eps_scaling_factor <f> - see `OTSinkhornSetEpsilonScaling()`
. -ot_sinkhorn_eps_scaling_stages <s> - see `OTSinkhornSetEpsilonScaling()`
- -ot_sinkhorn_eps_scaling_tol <t> - see `OTSinkhornSetEpsilonScaling()`

  Level: beginner

  Note:
  One iteration is one row scaling plus one column scaling: two passes over the cost,
  one vector exponential per entry. The stopping test uses the row error measured by the
  next row scaling; the column marginals hold to rounding after each column scaling.

.seealso: `OT`, `OTSNS`, `OTSetType()`
M*/
PetscErrorCode OTCreate_Sinkhorn(OT ot)
{
  OT_SK *sk;

  PetscFunctionBegin;
  PetscCall(PetscNew(&sk));
  sk->factor              = 4;
  sk->stages              = 0;
  sk->stage_tol           = 1e-3;
  ot->data                = sk;
  ot->ops->solve          = OTSolve_Sinkhorn;
  ot->ops->setfromoptions = OTSetFromOptions_Sinkhorn;
  ot->ops->view           = OTView_Sinkhorn;
  ot->ops->destroy        = OTDestroy_Sinkhorn;
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSinkhornSetEpsilonScaling_C", OTSinkhornSetEpsilonScaling_Sinkhorn));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSinkhornGetEpsilonScaling_C", OTSinkhornGetEpsilonScaling_Sinkhorn));
  PetscFunctionReturn(0);
}
