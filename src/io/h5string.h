/* Reading string attributes, shared by the engines that read HDF5 files (ingestion,
   network models, spectrum models). */
#ifndef KRYLEARN_H5STRING_H
#define KRYLEARN_H5STRING_H

#include <petscsys.h>
#include <hdf5.h>

PETSC_INTERN PetscErrorCode KrylearnH5AttributeReadString(hid_t, hid_t, size_t, char[], size_t *, PetscBool *);

#endif
