/* Krylearn learned Krylov solvers: the Deep Conjugate Direction Method as a KSP
   (-ksp_type deepcd) and its network as a preconditioner (-pc_type deepcd). */
#ifndef KRYLEARNKSP_H
#define KRYLEARNKSP_H

#include <petscksp.h>
#include <petscdmda.h>

#define KSPDEEPCD "deepcd"
#define PCDEEPCD  "deepcd"

PETSC_EXTERN PetscErrorCode KrylearnDeepCDInitializePackage(void);

PETSC_EXTERN PetscErrorCode KSPDeepCDSetModel(KSP, const char[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetGrid(KSP, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetNumDirections(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDSetRefresh(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDeepCDGetInferenceTime(KSP, PetscInt *, PetscLogDouble *);

PETSC_EXTERN PetscErrorCode KrylearnKSPSolveReport(KSP, Vec, Vec);

PETSC_EXTERN PetscErrorCode PCDeepCDSetModel(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCDeepCDSetGrid(PC, PetscInt, const PetscInt[]);

/*E
  KrylearnObstacle - solid obstacle of the pressure-Poisson test problems

  Level: beginner
E*/
typedef enum {
  KRYLEARN_OBSTACLE_NONE,
  KRYLEARN_OBSTACLE_DISC, /* disc/ball of radius 0.15 nx centred at (0.5, 0.4[, 0.5]) of the box */
  KRYLEARN_OBSTACLE_BOX   /* square/cube of side 0.25 nx centred at (0.55, 0.5[, 0.5]) of the box */
} KrylearnObstacle;
PETSC_EXTERN const char *const KrylearnObstacles[];

PETSC_EXTERN PetscErrorCode KrylearnPressureCreate(MPI_Comm, PetscInt, const PetscInt[], KrylearnObstacle, PetscBool, PetscBool, DM *, Mat *, Vec *);

#endif
