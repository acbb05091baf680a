/* Coordinate layout: datasets row, col, data and a shape. Entries may come in any
   order, so each rank reads an equal slice of them and the assembly moves every entry
   to the rank owning its row (repeated entries are summed, as scipy does). */
#include "ioimpl.h"

PetscErrorCode KrylearnReadCOO(KrylearnH5 *h5, KrylearnEntries *E)
{
  MPI_Comm    comm = h5->comm;
  int64_t     nrow, ncol, ndata, start, count, M, N, bad, nnz;
  PetscMPIInt rank, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(KrylearnH5GetLength(h5, "row", KRYLEARN_H5_INT64, &nrow));
  PetscCall(KrylearnH5GetLength(h5, "col", KRYLEARN_H5_INT64, &ncol));
  PetscCall(KrylearnH5GetLength(h5, "data", KRYLEARN_H5_REAL, &ndata));
  PetscCall(KrylearnH5ReadShape(h5, &M, &N));
  PetscCall(KrylearnIOCheck(comm, nrow != ncol || nrow != ndata, PETSC_ERR_FILE_UNEXPECTED, "%s: data lengths disagree: 'row' has %" PetscInt64_FMT ", 'col' %" PetscInt64_FMT " and 'data' %" PetscInt64_FMT " entries", h5->file, (PetscInt64)nrow, (PetscInt64)ncol, (PetscInt64)ndata));
  PetscCall(KrylearnEntriesSetSizes(E, comm, h5->file, M, N));
  nnz   = nrow;
  start = nnz / size * rank + PetscMin(nnz % size, rank);
  count = nnz / size + (rank < nnz % size ? 1 : 0);
  PetscCall(PetscInfo(NULL, "%s: entries [%" PetscInt64_FMT ", %" PetscInt64_FMT ") read\n", h5->file, (PetscInt64)start, (PetscInt64)(start + count)));
  PetscCall(PetscMalloc1(count, &E->ptr));
  PetscCall(PetscMalloc1(count, &E->idx));
  PetscCall(PetscMalloc1(count, &E->val));
  PetscCall(KrylearnH5ReadIndices(h5, "row", start, count, E->ptr));
  PetscCall(KrylearnH5ReadIndices(h5, "col", start, count, E->idx));
  PetscCall(KrylearnH5ReadValues(h5, "data", 1, &start, &count, E->val));
  bad = -1;
  for (int64_t k = 0; k < count && bad < 0; k++)
    if (E->ptr[k] < 0 || E->ptr[k] >= M) bad = k;
  PetscCall(KrylearnIOCheck(comm, bad >= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: index out of range in 'row': entry %" PetscInt64_FMT " is %" PetscInt64_FMT ", the matrix has %" PetscInt64_FMT " rows", h5->file, (PetscInt64)(start + bad), (PetscInt64)(bad >= 0 ? E->ptr[bad] : 0), (PetscInt64)M));
  for (int64_t k = 0; k < count && bad < 0; k++)
    if (E->idx[k] < 0 || E->idx[k] >= N) bad = k;
  PetscCall(KrylearnIOCheck(comm, bad >= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: index out of range in 'col': entry %" PetscInt64_FMT " is %" PetscInt64_FMT ", the matrix has %" PetscInt64_FMT " columns", h5->file, (PetscInt64)(start + bad), (PetscInt64)(bad >= 0 ? E->idx[bad] : 0), (PetscInt64)N));
  PetscCall(KrylearnCheckValues(h5, "data", (PetscCount)count, E->val, (int64_t)start));
  PetscCall(KrylearnEntriesReserve(E, (PetscCount)count));
  for (int64_t k = 0; k < count; k++) {
    E->i[E->n + k] = (PetscInt)E->ptr[k];
    E->j[E->n + k] = (PetscInt)E->idx[k];
  }
  PetscCall(PetscArraycpy(E->v + E->n, E->val, count));
  E->n += (PetscCount)count;
  PetscCall(PetscFree(E->ptr));
  PetscCall(PetscFree(E->idx));
  PetscCall(PetscFree(E->val));
  PetscFunctionReturn(0);
}
