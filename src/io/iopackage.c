/* Log events of the ingestion engine. */
#include "ioimpl.h"

PetscLogEvent    KRYLEARNIO_Read, KRYLEARNIO_Assemble, KRYLEARNIO_VecLoad, KRYLEARNIO_Write;
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
  PetscCall(PetscLogEventRegister("IngestRead", classid, &KRYLEARNIO_Read));
  PetscCall(PetscLogEventRegister("IngestAssemble", classid, &KRYLEARNIO_Assemble));
  PetscCall(PetscLogEventRegister("IngestVecLoad", classid, &KRYLEARNIO_VecLoad));
  PetscCall(PetscLogEventRegister("IngestWrite", classid, &KRYLEARNIO_Write));
  PetscCall(PetscRegisterFinalize(KrylearnIOFinalizePackage));
  PetscFunctionReturn(0);
}
