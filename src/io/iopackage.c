/* Log events of the ingestion engine. */
#include "ioimpl.h"

PetscLogEvent    KRYLEARN_IngestRead, KRYLEARN_IngestAssemble, KRYLEARN_IngestVecLoad, KRYLEARN_IngestWrite;
static PetscBool KrylearnIOPackageInitialized = PETSC_FALSE;

static PetscErrorCode KrylearnIOFinalizePackage(void)
{
  PetscFunctionBegin;
  KrylearnIOPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnIOInitializePackage - Registers the log events of matrix ingestion

  Level: developer

  Note:
  Called by KrylearnInitializePackage() and by the first KrylearnMatLoad().

.seealso: `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnIOInitializePackage(void)
{
  PetscClassId classid;

  PetscFunctionBegin;
  if (KrylearnIOPackageInitialized) PetscFunctionReturn(0);
  KrylearnIOPackageInitialized = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("Krylearn ingestion", &classid));
  PetscCall(PetscLogEventRegister("IngestRead", classid, &KRYLEARN_IngestRead));
  PetscCall(PetscLogEventRegister("IngestAssemble", classid, &KRYLEARN_IngestAssemble));
  PetscCall(PetscLogEventRegister("IngestVecLoad", classid, &KRYLEARN_IngestVecLoad));
  PetscCall(PetscLogEventRegister("IngestWrite", classid, &KRYLEARN_IngestWrite));
  PetscCall(PetscRegisterFinalize(KrylearnIOFinalizePackage));
  PetscFunctionReturn(0);
}
