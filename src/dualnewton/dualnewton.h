/* Newton steps on a concave dual: the direction from a KSP solve with a checked residual,
   and a backtracking Armijo search. Shared by the optimal transport solver (SNS) and the
   matrix balancing, whose duals are both of the form
       f(z) = -sum_k P_k(z) + <marginals, z>,  P_k(z) = K_k exp(linear form of z),
   so that the change of f along a step is alpha g.d - sum_k P_k phi(alpha u_k) with
   phi(u) = exp(u) - 1 - u, computed by the caller without cancellation. */
#ifndef KRYLEARN_DUALNEWTON_H
#define KRYLEARN_DUALNEWTON_H

#include <petscksp.h>
#include <dualnewton/expm1mx.h>

/* Change of the dual along alpha * d, f(z + alpha d) - f(z); collective. */
typedef PetscErrorCode (*KrylearnDualChangeFn)(PetscReal alpha, PetscReal *change, void *ctx);

PETSC_INTERN PetscErrorCode KrylearnDualNewtonDirection(PetscObject, PetscLogEvent, KSP, Mat, MatNullSpace, Vec, Vec, Vec, PetscReal, PetscReal *, PetscBool *, PetscInt *);
PETSC_INTERN PetscErrorCode KrylearnDualLineSearch(PetscObject, PetscLogEvent, PetscReal, KrylearnDualChangeFn, void *, PetscReal *, PetscBool *);

#endif
