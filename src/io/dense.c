/* Dense layout: one 2-D dataset, rows by columns in row-major order (numpy's order).
   Each rank reads the hyperslab of its rows; zero entries are not stored. */
#include "ioimpl.h"

PetscErrorCode KrylearnReadDense(KrylearnH5 *h5, const char name[], KrylearnEntries *E)
{
  char       path[PETSC_MAX_PATH_LEN];
  int        ndim;
  PetscInt64 dims[KRYLEARN_H5_MAX_DIM];
  int64_t    start[2], count[2];
  PetscInt   m;

  PetscFunctionBegin;
  PetscCall(KrylearnH5Path(h5, name, path));
  PetscCall(KrylearnH5FileGetDataset(h5->f, path, KRYLEARN_H5_REAL, KRYLEARN_H5_MAX_DIM, &ndim, dims));
  PetscCall(KrylearnIOCheck(h5->comm, ndim != 2, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, a dense matrix needs 2", h5->file, name, ndim));
  PetscCall(KrylearnEntriesSetSizes(E, h5->comm, h5->file, dims[0], dims[1]));
  m        = E->rend - E->rstart;
  start[0] = E->rstart;
  start[1] = 0;
  count[0] = m;
  count[1] = E->N;
  PetscCall(PetscInfo(NULL, "%s: rows %" PetscInt_FMT " to %" PetscInt_FMT " of dataset %s read\n", h5->file, E->rstart, E->rend, name));
  PetscCall(PetscMalloc1((size_t)m * E->N, &E->val));
  PetscCall(KrylearnH5ReadValues(h5, name, 2, start, count, E->val));
  { /* the first non-finite entry of the own rows, named by (row, column) on every rank */
    PetscInt64 bad = -1;
    for (size_t k = 0; k < (size_t)m * E->N && bad < 0; k++)
      if (PetscIsInfOrNanScalar(E->val[k])) bad = (PetscInt64)k;
    PetscCall(KrylearnIOCheck(h5->comm, bad >= 0, PETSC_ERR_FP, "%s: dataset '%s' of group '%s' holds a NaN or Inf value: entry (%" PetscInt64_FMT ", %" PetscInt64_FMT ") is %s", h5->file, name, h5->group, E->rstart + bad / PetscMax(E->N, 1), bad % PetscMax(E->N, 1), bad >= 0 && PetscIsNanScalar(E->val[bad]) ? "nan" : "inf"));
  }
  for (PetscInt r = 0; r < m; r++)
    for (PetscInt c = 0; c < E->N; c++)
      if (E->val[(size_t)r * E->N + c] != 0.0) PetscCall(KrylearnEntriesAdd(E, E->rstart + r, c, E->val[(size_t)r * E->N + c]));
  PetscCall(PetscFree(E->val));
  PetscFunctionReturn(0);
}
