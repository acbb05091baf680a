/* Krylearn pressure-Poisson problems: the cell-grid systems with solid obstacles that
   KSPDEEPCD is trained for and tested on (the same problems as train/poisson.py). */
#ifndef KRYLEARNPRESSURE_H
#define KRYLEARNPRESSURE_H

#include <petscdmda.h>

/*E
  KrylearnObstacle - solid obstacle of the pressure-Poisson test problems

  Level: beginner
E*/
typedef enum {
  KRYLEARN_OBSTACLE_NONE,
  KRYLEARN_OBSTACLE_DISC, /* disc/ball of radius 0.15 nx, centred at (0.5, 0.4[, 0.5]) of the box unless placed elsewhere */
  KRYLEARN_OBSTACLE_BOX   /* square/cube of side 0.25 nx, centred at (0.55, 0.5[, 0.5]) of the box unless placed elsewhere */
} KrylearnObstacle;
PETSC_EXTERN const char *const KrylearnObstacles[];

PETSC_EXTERN PetscErrorCode KrylearnPressureCreate(MPI_Comm, PetscInt, const PetscInt[], KrylearnObstacle, const PetscReal[], PetscBool, PetscBool, DM *, Mat *, Vec *);

#endif
