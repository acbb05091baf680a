/* OT package registration: class id, types, log events, enum names. */
#include "ot/otimpl.h"

PetscClassId      OT_CLASSID;
PetscFunctionList OTList = NULL;
PetscLogEvent     KRYLEARN_OTSetUp, KRYLEARN_OTSinkhorn, KRYLEARN_OTPlanStats, KRYLEARN_OTNewtonAssembly, KRYLEARN_OTNewtonSolve, KRYLEARN_OTLineSearch;

const char *const        OTCostTypes[]                = {"sqeuclidean", "euclidean", "OTCostType", "OT_COST_", NULL};
const char *const        OTSNSSparsifyTypes[]         = {"mass", "count", "OTSNSSparsifyType", "OT_SNS_SPARSIFY_", NULL};
static const char *const OTConvergedReasons_Shifted[] = {"DIVERGED_STEP", "DIVERGED_NANORINF", "DIVERGED_MAX_IT", "", "", "CONVERGED_ITERATING", "", "CONVERGED_MARGINAL", "OTConvergedReason", "OT_", NULL};
const char *const       *OTConvergedReasons           = OTConvergedReasons_Shifted + 5;

static PetscBool OTPackageInitialized = PETSC_FALSE;

static PetscErrorCode OTFinalizePackage(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&OTList));
  OTPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnOTInitializePackage - Registers the OT class, its types `OTSINKHORN` and `OTSNS`, and its log events

  Level: developer

  Note:
  Called from `KrylearnInitializePackage()` and from `OTCreate()`; safe to call more than once.
@*/
PetscErrorCode KrylearnOTInitializePackage(void)
{
  PetscFunctionBegin;
  if (OTPackageInitialized) PetscFunctionReturn(0);
  OTPackageInitialized = PETSC_TRUE;
  PetscCall(KSPInitializePackage());
  PetscCall(PetscClassIdRegister("Optimal transport", &OT_CLASSID));
  PetscCall(OTRegister(OTSINKHORN, OTCreate_Sinkhorn));
  PetscCall(OTRegister(OTSNS, OTCreate_SNS));
  PetscCall(PetscLogEventRegister("OTSetUp", OT_CLASSID, &KRYLEARN_OTSetUp));
  PetscCall(PetscLogEventRegister("OTSinkhorn", OT_CLASSID, &KRYLEARN_OTSinkhorn));
  PetscCall(PetscLogEventRegister("OTPlanStats", OT_CLASSID, &KRYLEARN_OTPlanStats));
  PetscCall(PetscLogEventRegister("OTNewtonAssemb", OT_CLASSID, &KRYLEARN_OTNewtonAssembly));
  PetscCall(PetscLogEventRegister("OTNewtonSolve", OT_CLASSID, &KRYLEARN_OTNewtonSolve));
  PetscCall(PetscLogEventRegister("OTLineSearch", OT_CLASSID, &KRYLEARN_OTLineSearch));
  PetscCall(PetscRegisterFinalize(OTFinalizePackage));
  PetscFunctionReturn(0);
}

/*@C
  OTRegister - Adds an OT method

  Not Collective

  Input Parameters:
+ name - name of the method, used with -ot_type
- create - routine that fills the function table of an `OT` of this type

  Level: advanced

.seealso: `OTSetType()`, `OTCreate()`
@*/
PetscErrorCode OTRegister(const char name[], PetscErrorCode (*create)(OT))
{
  PetscFunctionBegin;
  PetscCall(KrylearnOTInitializePackage());
  PetscCall(PetscFunctionListAdd(&OTList, name, create));
  PetscFunctionReturn(0);
}
