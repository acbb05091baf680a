/* Helpers shared by the Lanczos and trace estimators. */
#ifndef KRYLEARN_SPECTRUM_KRYLOV_H
#define KRYLEARN_SPECTRUM_KRYLOV_H

#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h> /* PetscValid* checks */

PETSC_INTERN PetscErrorCode KrylearnOrthogonalize(PetscInt, Vec[], Vec);

#endif
