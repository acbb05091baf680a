/* Compressed sparse layouts: PETSc and MATLAB v7.3 (jc, ir, data) and scipy-style CSR
   and CSC (indptr, indices, data, shape). Each rank reads the pointers of its own block
   of the compressed dimension (rows for CSR, columns for CSC) and then only the indices
   and values those pointers delimit. */
#include "ioimpl.h"

PetscErrorCode KrylearnReadCompressed(KrylearnH5 *h5, KrylearnIOLayout layout, KrylearnEntries *E)
{
  const PetscBool native = (PetscBool)(layout == KRYLEARN_IO_LAYOUT_PETSC || layout == KRYLEARN_IO_LAYOUT_MATLAB);
  const PetscBool byrow  = (PetscBool)(layout == KRYLEARN_IO_LAYOUT_PETSC || layout == KRYLEARN_IO_LAYOUT_CSR);
  const char     *pname = native ? "jc" : "indptr", *iname = native ? "ir" : "indices";
  MPI_Comm        comm = h5->comm;
  int64_t         nptr, nidx, ndata, M, N, nmajor, nminor, *ptr, *idx, bad, nnz;
  PetscInt        s, e, nattr, minorsize;
  PetscCount      n;
  PetscScalar    *val;
  PetscLayout     map;

  PetscFunctionBegin;
  PetscCall(KrylearnH5GetLength(h5, pname, KRYLEARN_H5_INT64, &nptr));
  PetscCall(KrylearnH5GetLength(h5, iname, KRYLEARN_H5_INT64, &nidx));
  PetscCall(KrylearnH5GetLength(h5, "data", KRYLEARN_H5_REAL, &ndata));
  if (native) {
    PetscCall(KrylearnH5ReadIntAttribute(h5, "MATLAB_sparse", 1, &nattr, &minorsize));
    PetscCall(KrylearnIOCheck(comm, nattr != 1, PETSC_ERR_FILE_UNEXPECTED, "%s: group '%s' has no 'MATLAB_sparse' attribute (the %s count)", h5->file, h5->group, byrow ? "column" : "row"));
    nmajor = nptr - 1;
    M      = byrow ? nmajor : minorsize;
    N      = byrow ? minorsize : nmajor;
  } else {
    PetscCall(KrylearnH5ReadShape(h5, &M, &N));
    nmajor = byrow ? M : N;
    PetscCall(KrylearnIOCheck(comm, nptr != nmajor + 1, PETSC_ERR_FILE_UNEXPECTED, "%s: shape and data lengths disagree: '%s' has %" PetscInt64_FMT " entries, shape %" PetscInt64_FMT " x %" PetscInt64_FMT " needs %" PetscInt64_FMT, h5->file, pname, (PetscInt64)nptr, (PetscInt64)M, (PetscInt64)N, (PetscInt64)(nmajor + 1)));
  }
  PetscCall(KrylearnIOCheck(comm, nptr < 1, PETSC_ERR_FILE_UNEXPECTED, "%s: pointer dataset '%s' is empty", h5->file, pname));
  PetscCall(KrylearnIOCheck(comm, nidx != ndata, PETSC_ERR_FILE_UNEXPECTED, "%s: data lengths disagree: '%s' has %" PetscInt64_FMT " entries, 'data' has %" PetscInt64_FMT, h5->file, iname, (PetscInt64)nidx, (PetscInt64)ndata));
  PetscCall(KrylearnEntriesSetSizes(E, comm, h5->file, M, N));
  nminor = byrow ? N : M;
  nnz    = nidx;

  /* pointers of the own block, inclusive of the next block's first */
  if (byrow) {
    s = E->rstart;
    e = E->rend;
  } else {
    PetscCall(PetscLayoutCreateFromSizes(comm, PETSC_DECIDE, E->N, 1, &map));
    PetscCall(PetscLayoutGetRange(map, &s, &e));
    PetscCall(PetscLayoutDestroy(&map));
  }
  PetscCall(PetscMalloc1(e - s + 1, &E->ptr));
  ptr = E->ptr;
  PetscCall(KrylearnH5ReadIndices(h5, pname, s, e - s + 1, ptr));
  bad = -1;
  if (s == 0 && ptr[0] != 0) bad = 0;
  for (PetscInt k = 0; k < e - s && bad < 0; k++)
    if (ptr[k + 1] < ptr[k]) bad = s + k + 1;
  PetscCall(KrylearnIOCheck(comm, bad >= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: pointers '%s' are not monotone starting at 0: entry %" PetscInt64_FMT " is %" PetscInt64_FMT, h5->file, pname, (PetscInt64)bad, (PetscInt64)(bad >= 0 ? ptr[bad - s] : 0)));
  PetscCall(KrylearnIOCheck(comm, e == nmajor && ptr[e - s] != nnz, PETSC_ERR_FILE_UNEXPECTED, "%s: pointers '%s' end at %" PetscInt64_FMT ", not at the %" PetscInt64_FMT " stored entries", h5->file, pname, (PetscInt64)ptr[e - s], (PetscInt64)nnz));
  PetscCall(KrylearnIOCheck(comm, ptr[e - s] > nnz, PETSC_ERR_FILE_UNEXPECTED, "%s: pointers '%s' reach %" PetscInt64_FMT ", past the %" PetscInt64_FMT " stored entries", h5->file, pname, (PetscInt64)ptr[e - s], (PetscInt64)nnz));

  /* indices and values of the own block */
  n = (PetscCount)(ptr[e - s] - ptr[0]);
  PetscCall(PetscInfo(NULL, "%s: %s %" PetscInt_FMT " to %" PetscInt_FMT " read from pointers [%" PetscInt_FMT ", %" PetscInt_FMT "] and entries [%" PetscInt64_FMT ", %" PetscInt64_FMT ")\n", h5->file, byrow ? "rows" : "columns", s, e, s, e, (PetscInt64)ptr[0], (PetscInt64)ptr[e - s]));
  PetscCall(PetscMalloc1(n, &E->idx));
  PetscCall(PetscMalloc1(n, &E->val));
  idx = E->idx;
  val = E->val;
  PetscCall(KrylearnH5ReadIndices(h5, iname, ptr[0], n, idx));
  {
    int64_t start = ptr[0], count = n;
    PetscCall(KrylearnH5ReadValues(h5, "data", 1, &start, &count, val));
  }
  bad = -1;
  for (PetscCount k = 0; k < n && bad < 0; k++)
    if (idx[k] < 0 || idx[k] >= nminor) bad = k;
  PetscCall(KrylearnIOCheck(comm, bad >= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: index out of range in '%s': entry %" PetscInt64_FMT " is %" PetscInt64_FMT ", the matrix has %" PetscInt64_FMT " %s", h5->file, iname, (PetscInt64)(ptr[0] + bad), (PetscInt64)(bad >= 0 ? idx[bad] : 0), (PetscInt64)nminor, byrow ? "columns" : "rows"));
  PetscCall(KrylearnCheckValues(h5, "data", n, val, ptr[0]));

  PetscCall(KrylearnEntriesReserve(E, n));
  for (PetscInt k = 0; k < e - s; k++) {
    for (int64_t q = ptr[k] - ptr[0]; q < ptr[k + 1] - ptr[0]; q++) {
      E->i[E->n + q] = byrow ? s + k : (PetscInt)idx[q];
      E->j[E->n + q] = byrow ? (PetscInt)idx[q] : s + k;
    }
  }
  PetscCall(PetscArraycpy(E->v + E->n, val, n));
  E->n += n;
  PetscCall(PetscFree(E->ptr));
  PetscCall(PetscFree(E->idx));
  PetscCall(PetscFree(E->val));
  PetscFunctionReturn(0);
}
