/* Registration of every Krylearn type with PETSc and SLEPc.

   Programs that link the library call KrylearnInitializePackage(); unmodified PETSc
   programs get the same types with -dll_append /path/to/libkrylearn.so, which makes
   PetscInitialize() call PetscDLLibraryRegister_krylearn(). */
#include <krylearn.h>

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
  PetscCall(KrylearnSinkhornInitializePackage());
  PetscFunctionReturn(0);
}

PETSC_EXTERN PetscErrorCode PetscDLLibraryRegister_krylearn(void)
{
  PetscFunctionBegin;
  PetscCall(KrylearnInitializePackage());
  PetscFunctionReturn(0);
}
