/* Helpers shared by the Lanczos and trace estimators. */
#ifndef KRYLEARN_SPECTRUM_KRYLOV_H
#define KRYLEARN_SPECTRUM_KRYLOV_H

#include <krylearnspectrum.h>

PETSC_INTERN PetscErrorCode KrylearnOrthogonalize(PetscInt, Vec[], Vec);

#endif
