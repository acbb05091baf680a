/* Writing results to HDF5: a file, groups, dense double datasets and scalar attributes.
   Thin wrappers that return HDF5's status (negative on failure) instead of raising a
   PETSc error, so that a caller writing on one rank can turn a failure into a collective
   error (see KrylearnIOCheck) and no rank is left waiting. */
#ifndef KRYLEARN_H5WRITE_H
#define KRYLEARN_H5WRITE_H

#include <petscsys.h>
#include <hdf5.h>

PETSC_EXTERN hid_t  KrylearnH5FileCreate(const char[], PetscBool);
PETSC_EXTERN hid_t  KrylearnH5GroupCreate(hid_t, const char[]);
PETSC_EXTERN herr_t KrylearnH5WriteDense(hid_t, const char[], PetscInt, PetscInt, const PetscReal[]);
PETSC_EXTERN herr_t KrylearnH5WriteIntAttribute(hid_t, const char[], PetscInt);
PETSC_EXTERN herr_t KrylearnH5WriteRealAttribute(hid_t, const char[], PetscReal);
PETSC_EXTERN herr_t KrylearnH5WriteStringAttribute(hid_t, const char[], const char[]);

#endif
