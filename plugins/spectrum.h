/* Registration hooks of the spectrum analyses inside PETSc solvers: -pc_type spectrum and
   the -snes_spectrum options checker. */
#ifndef KRYLEARN_PLUGINS_SPECTRUM_H
#define KRYLEARN_PLUGINS_SPECTRUM_H

#include <petscsnes.h>

PETSC_INTERN PetscErrorCode PCCreate_Spectrum(PC);
PETSC_INTERN PetscErrorCode SNESSpectrumCheckOptions(SNES);

#endif
