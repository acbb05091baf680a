/* phi(v) = exp(v) - 1 - v, the term of a dual's change along a Newton step (see dualnewton.h).
   Header of its own: the vectorised transport kernels include it without the PETSc objects. */
#ifndef KRYLEARN_EXPM1MX_H
#define KRYLEARN_EXPM1MX_H

#include <petscsys.h>

/* exp(v) - 1 - v, by its Taylor series to v^11 for |v| < 0.1 (relative error < 1e-17) and
   from e = exp(v) otherwise, so that vectorised callers can pass exp(v) computed in bulk. */
static inline PetscReal KrylearnExpm1mx(PetscReal v, PetscReal e)
{
  if (PetscAbsReal(v) < 0.1) return v * v * (1.0 / 2 + v * (1.0 / 6 + v * (1.0 / 24 + v * (1.0 / 120 + v * (1.0 / 720 + v * (1.0 / 5040 + v * (1.0 / 40320 + v * (1.0 / 362880 + v * (1.0 / 3628800 + v * (1.0 / 39916800))))))))));
  return (e - 1) - v;
}

#endif
