/* Krylearn package initialization: the one call a program that links the library makes
   before using any Krylearn type. Needs PETSc only. */
#ifndef KRYLEARNSYS_H
#define KRYLEARNSYS_H

#include <petscsys.h>

PETSC_EXTERN PetscErrorCode KrylearnInitializePackage(void);

#endif
