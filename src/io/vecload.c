/* KrylearnVecLoad: right-hand sides and solutions from 1-D HDF5 datasets. */
#include "ioimpl.h"

static PetscErrorCode ReadVec(KrylearnH5 *h5, Mat A, Vec v)
{
  int64_t        len, start, count;
  PetscInt       M, rstart, rend;
  PetscScalar   *a;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KrylearnIOCheck(h5->comm, !h5->dataset[0], PETSC_ERR_FILE_UNEXPECTED, "%s: '%s' is a group, not a 1-D dataset", h5->file, h5->group));
  PetscCall(KrylearnH5GetLength(h5, h5->dataset, KRYLEARN_H5_REAL, &len));
  PetscCall(MatGetSize(A, &M, NULL));
  PetscCall(KrylearnIOCheck(h5->comm, len != M, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %" PetscInt64_FMT " entries but the matrix has %" PetscInt_FMT " rows", h5->file, h5->dataset, (PetscInt64)len, M));
  PetscCall(VecGetOwnershipRange(v, &rstart, &rend));
  start = rstart;
  count = rend - rstart;
  PetscCall(VecGetArrayWrite(v, &a));
  ierr = KrylearnH5ReadValues(h5, h5->dataset, 1, &start, &count, a);
  if (!ierr) ierr = KrylearnCheckValues(h5, h5->dataset, rend - rstart, a, rstart);
  PetscCall(VecRestoreArrayWrite(v, &a));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/*@C
  KrylearnVecLoad - Loads a vector laid out like the rows of a matrix from a 1-D HDF5 dataset

  Collective

  Input Parameters:
+ A       - the matrix (the vector is created with MatCreateVecs(), left vector)
. file    - the HDF5 file
- dataset - path of the 1-D dataset (float32 or float64) in the file, for example "/b"

  Output Parameter:
. v - the vector; each rank reads only its own entries

  Level: beginner

.seealso: `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnVecLoad(Mat A, const char file[], const char dataset[], Vec *v)
{
  KrylearnH5     h5;
  PetscErrorCode ierr;
  MPI_Comm       comm;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidCharPointer(file, 2);
  PetscValidCharPointer(dataset, 3);
  PetscValidPointer(v, 4);
  PetscCall(KrylearnIOInitializePackage());
  PetscCall(PetscObjectGetComm((PetscObject)A, &comm));
  PetscCall(PetscLogEventBegin(KRYLEARN_IngestVecLoad, 0, 0, 0, 0));
  PetscCall(MatCreateVecs(A, NULL, v));
  ierr = KrylearnH5Open(comm, file, dataset, &h5);
  if (!ierr) ierr = ReadVec(&h5, A, *v);
  PetscCall(KrylearnH5Close(&h5));
  if (ierr) PetscCall(VecDestroy(v));
  PetscCall(PetscLogEventEnd(KRYLEARN_IngestVecLoad, 0, 0, 0, 0));
  PetscCall(ierr);
  PetscCall(PetscObjectSetName((PetscObject)*v, dataset));
  PetscFunctionReturn(0);
}
