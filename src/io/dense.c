/* Dense layout: one 2-D dataset, rows by columns in row-major order (numpy's order).
   Each rank reads the hyperslab of its rows; zero entries are not stored. */
#include "ioimpl.h"

PetscErrorCode KrylearnReadDense(KrylearnH5 *h5, const char name[], KrylearnEntries *E)
{
  KrylearnH5Info info;
  hsize_t        start[2], count[2];
  PetscInt       m;

  PetscFunctionBegin;
  PetscCall(KrylearnH5GetInfo(h5, name, &info));
  PetscCall(KrylearnIOCheck(h5->comm, info.rank != 2, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, a dense matrix needs 2", h5->file, name, info.rank));
  PetscCall(KrylearnIOCheck(h5->comm, info.cls != H5T_FLOAT, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has the wrong dtype: floating-point (float32 or float64) values expected", h5->file, name));
  PetscCall(KrylearnEntriesSetSizes(E, h5->comm, h5->file, (int64_t)info.dims[0], (int64_t)info.dims[1]));
  m        = E->rend - E->rstart;
  start[0] = (hsize_t)E->rstart;
  start[1] = 0;
  count[0] = (hsize_t)m;
  count[1] = (hsize_t)E->N;
  PetscCall(PetscInfo(NULL, "%s: rows %" PetscInt_FMT " to %" PetscInt_FMT " of dataset %s read\n", h5->file, E->rstart, E->rend, name));
  PetscCall(PetscMalloc1((size_t)m * E->N, &E->val));
  PetscCall(KrylearnH5ReadValues(h5, name, 2, start, count, E->val));
  PetscCall(KrylearnCheckValues(h5, name, (PetscCount)m * E->N, E->val, (int64_t)E->rstart * E->N));
  for (PetscInt r = 0; r < m; r++)
    for (PetscInt c = 0; c < E->N; c++)
      if (E->val[(size_t)r * E->N + c] != 0.0) PetscCall(KrylearnEntriesAdd(E, E->rstart + r, c, E->val[(size_t)r * E->N + c]));
  PetscCall(PetscFree(E->val));
  PetscFunctionReturn(0);
}
