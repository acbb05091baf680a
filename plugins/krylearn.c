/* Registration of every Krylearn type with PETSc and SLEPc (the plugins' dlregis file).

   Programs that link the library call KrylearnInitializePackage(); unmodified PETSc
   programs get the same types with -dll_append /path/to/libkrylearn.so, which makes
   PetscInitialize() call PetscDLLibraryRegister_krylearn(). */
#include <krylearn.h>
#include "spectrum.h"
#include "deepcdnet.h"

PetscLogEvent KRYLEARN_DeepCDNetApply, KRYLEARN_DeepCDSetUp, KRYLEARN_DeepCDGalerkin;

static PetscBool DeepCDPackageInitialized = PETSC_FALSE;

/*@C
  KrylearnDeepCDInitializePackage - Registers KSPDEEPCD, PCDEEPCD and their log events.

  Level: developer

  Note:
  Called by KrylearnInitializePackage(); safe to call more than once.

.seealso: `KSPDEEPCD`, `PCDEEPCD`, `KrylearnInitializePackage()`
@*/
PetscErrorCode KrylearnDeepCDInitializePackage(void)
{
  PetscFunctionBegin;
  if (DeepCDPackageInitialized) PetscFunctionReturn(0);
  DeepCDPackageInitialized = PETSC_TRUE;
  PetscCall(KSPRegister(KSPDEEPCD, KSPCreate_DeepCD));
  PetscCall(PCRegister(PCDEEPCD, PCCreate_DeepCD));
  PetscCall(PetscLogEventRegister("DeepCDNetApply", KSP_CLASSID, &KRYLEARN_DeepCDNetApply));
  PetscCall(PetscLogEventRegister("DeepCDSetUp", KSP_CLASSID, &KRYLEARN_DeepCDSetUp));
  PetscCall(PetscLogEventRegister("DeepCDGalerkin", KSP_CLASSID, &KRYLEARN_DeepCDGalerkin));
  PetscFunctionReturn(0);
}

static PetscBool KrylearnPackageInitialized = PETSC_FALSE;

/*@C
  KrylearnInitializePackage - Registers the Krylearn types (KSP, PC and others) and log events.

  Level: beginner

  Note:
  Safe to call more than once. Called automatically when the library is loaded with -dll_append.
@*/
PetscErrorCode KrylearnInitializePackage(void)
{
  PetscFunctionBegin;
  if (KrylearnPackageInitialized) PetscFunctionReturn(0);
  KrylearnPackageInitialized = PETSC_TRUE;
  PetscCall(KrylearnIOInitializePackage());
  PetscCall(KrylearnNNInitializePackage());
  PetscCall(KrylearnOTInitializePackage());
  PetscCall(KrylearnSpectrumInitializePackage());
  PetscCall(KrylearnDeepCDInitializePackage());
  PetscCall(PCRegister(PCSPECTRUM, PCCreate_Spectrum));
  PetscCall(SNESAddOptionsChecker(SNESSpectrumCheckOptions));
  PetscCall(KrylearnSinkhornInitializePackage());
  PetscFunctionReturn(0);
}

PETSC_EXTERN PetscErrorCode PetscDLLibraryRegister_krylearn(void)
{
  PetscFunctionBegin;
  PetscCall(KrylearnInitializePackage());
  PetscFunctionReturn(0);
}
