/* Registration of the spectrum analysis and KrylearnMLP classes and the spectrum analyses' log events. */
#include <krylearnspectrum.h>

PetscClassId  KRYLEARNMLP_CLASSID;
PetscLogEvent KRYLEARN_MLPEvaluate, KRYLEARN_MLPProduct, KRYLEARN_SpectrumEPS, KRYLEARN_SpectrumSLQ, KRYLEARN_SpectrumTrace, KRYLEARN_SpectrumExact;

static PetscBool KrylearnSpectrumPackageInitialized = PETSC_FALSE;

/*@C
  KrylearnSpectrumInitializePackage - Registers the spectrum analysis and KrylearnMLP classes and the log events of the analyses.

  Level: developer

  Note:
  Called by `KrylearnInitializePackage()` and by `KrylearnMLPLoad()`; safe to call more than once.
@*/
PetscErrorCode KrylearnSpectrumInitializePackage(void)
{
  PetscClassId id;

  PetscFunctionBegin;
  if (KrylearnSpectrumPackageInitialized) PetscFunctionReturn(0);
  KrylearnSpectrumPackageInitialized = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("Krylearn spectrum", &id));
  PetscCall(PetscClassIdRegister("Spectrum analysis", &KRYLEARN_SPECTRUMANALYSIS_CLASSID));
  PetscCall(PetscClassIdRegister("Krylearn MLP loss", &KRYLEARNMLP_CLASSID));
  PetscCall(PetscLogEventRegister("MLPEvaluate", KRYLEARNMLP_CLASSID, &KRYLEARN_MLPEvaluate));
  PetscCall(PetscLogEventRegister("MLPProduct", KRYLEARNMLP_CLASSID, &KRYLEARN_MLPProduct));
  PetscCall(PetscLogEventRegister("SpectrumEPS", id, &KRYLEARN_SpectrumEPS));
  PetscCall(PetscLogEventRegister("SpectrumSLQ", id, &KRYLEARN_SpectrumSLQ));
  PetscCall(PetscLogEventRegister("SpectrumTrace", id, &KRYLEARN_SpectrumTrace));
  PetscCall(PetscLogEventRegister("SpectrumExact", id, &KRYLEARN_SpectrumExact));
  PetscFunctionReturn(0);
}
