/* Krylearn learned Krylov solvers: the Deep Conjugate Direction Method as a KSP
   (-ksp_type deepcd) and its network as a preconditioner (-pc_type deepcd). */
#ifndef KRYLEARNKSP_H
#define KRYLEARNKSP_H

#include <petscksp.h>
#include <krylearnsys.h>

#define KSPDEEPCD "deepcd"
#define PCDEEPCD  "deepcd"

PETSC_EXTERN PetscErrorCode KrylearnDeepCDInitializePackage(void);

PETSC_EXTERN PetscErrorCode KSPDeepCDSetModel(KSP, const char[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetModel(KSP, const char *[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetGrid(KSP, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetGrid(KSP, PetscInt *, PetscInt[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetNumDirections(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetNumDirections(KSP, PetscInt *);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetRefresh(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetRefresh(KSP, PetscInt *);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetInferenceTime(KSP, PetscInt *, PetscLogDouble *);

PETSC_EXTERN PetscErrorCode PCDeepCDSetModel(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCDeepCDGetModel(PC, const char *[]);
PETSC_EXTERN PetscErrorCode PCDeepCDSetGrid(PC, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode PCDeepCDGetGrid(PC, PetscInt *, PetscInt[]);

#endif
