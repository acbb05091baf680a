/* OT monitors. */
#include "ot/otimpl.h"

/*@C
  OTMonitorSet - Adds a routine called after every iteration with the marginal error

  Logically Collective

  Input Parameters:
+ ot - the solver
. monitor - routine (ot, iteration, phase (0 Sinkhorn, 1 Newton), marginal error, ctx)
. ctx - its context
- destroy - destroys the context, or NULL

  Options Database Key:
. -ot_monitor - prints the marginal error every iteration

  Level: intermediate

.seealso: `OTMonitorDefault()`
@*/
PetscErrorCode OTMonitorSet(OT ot, PetscErrorCode (*monitor)(OT, PetscInt, PetscInt, PetscReal, void *), void *ctx, PetscErrorCode (*destroy)(void **))
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->numbermonitors < OT_MAX_MONITORS, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "Too many OT monitors set (at most %d)", OT_MAX_MONITORS);
  ot->monitor[ot->numbermonitors]          = monitor;
  ot->monitorcontext[ot->numbermonitors]   = ctx;
  ot->monitordestroy[ot->numbermonitors++] = destroy;
  PetscFunctionReturn(0);
}

/*@C
  OTMonitorDefault - Prints the iteration number, the phase and the marginal error

  Collective

  Input Parameters:
+ ot - the solver
. it - the iteration number
. phase - 0 for a Sinkhorn sweep, 1 for a Newton step
. err - the marginal error
- ctx - an ASCII viewer, or NULL for standard output

  Level: intermediate

.seealso: `OTMonitorSet()`
@*/
PetscErrorCode OTMonitorDefault(OT ot, PetscInt it, PetscInt phase, PetscReal err, void *ctx)
{
  PetscViewer viewer = ctx ? (PetscViewer)ctx : PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)ot));

  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "%4" PetscInt_FMT " OT %s marginal error %.6e\n", it, phase == OT_PHASE_NEWTON ? "newton  " : "sinkhorn", (double)err));
  PetscFunctionReturn(0);
}

PetscErrorCode OTMonitor_Private(OT ot, PetscInt it, PetscInt phase, PetscReal err)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < ot->numbermonitors; k++) PetscCall((*ot->monitor[k])(ot, it, phase, err, ot->monitorcontext[k]));
  PetscFunctionReturn(0);
}
