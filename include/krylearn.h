/* Krylearn: learned solvers, optimal transport and Hessian spectra for PETSc/SLEPc.
   The one header applications include. */
#ifndef KRYLEARN_H
#define KRYLEARN_H

#include <petscksp.h>
#include <krylearnio.h>
#include <krylearnnn.h>
#include <krylearnot.h>
#include <krylearnspectrum.h>
#include <krylearnksp.h>
#include <krylearnbalance.h>

PETSC_EXTERN PetscErrorCode KrylearnInitializePackage(void);

#endif
