/* KrylearnMatLoad: layout detection, the checks common to all layouts (symmetric
   expansion, grid) and the assembly of the entries into an AIJ matrix. */
#include "ioimpl.h"

const char *const KrylearnIOLayouts[] = {"auto", "petsc", "matlab", "csr", "csc", "coo", "dense", "mtx", "KrylearnIOLayout", "KRYLEARN_IO_LAYOUT_", NULL};

/* Sparse format named by the attributes scipy-style writers leave (anndata, h5sparse, our own) */
static PetscErrorCode FormatAttribute(KrylearnH5 *h5, KrylearnIOLayout *layout)
{
  const char *names[] = {"format", "h5sparse_format", "encoding-type"};
  char        str[64];
  PetscBool   found;

  PetscFunctionBegin;
  *layout = KRYLEARN_IO_LAYOUT_AUTO;
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(names) && *layout == KRYLEARN_IO_LAYOUT_AUTO; k++) {
    PetscCall(KrylearnH5ReadStringAttribute(h5, names[k], sizeof(str), str, &found));
    if (found && strstr(str, "csc")) *layout = KRYLEARN_IO_LAYOUT_CSC;
    else if (found && strstr(str, "csr")) *layout = KRYLEARN_IO_LAYOUT_CSR;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode DetectLayout(KrylearnH5 *h5, KrylearnIOLayout *layout)
{
  PetscBool jc, ir, data, indptr, indices, row, col, matlab;

  PetscFunctionBegin;
  if (h5->dataset[0]) {
    *layout = KRYLEARN_IO_LAYOUT_DENSE;
    PetscFunctionReturn(0);
  }
  PetscCall(KrylearnH5Has(h5, "jc", &jc));
  PetscCall(KrylearnH5Has(h5, "ir", &ir));
  PetscCall(KrylearnH5Has(h5, "data", &data));
  PetscCall(KrylearnH5Has(h5, "indptr", &indptr));
  PetscCall(KrylearnH5Has(h5, "indices", &indices));
  PetscCall(KrylearnH5Has(h5, "row", &row));
  PetscCall(KrylearnH5Has(h5, "col", &col));
  if (jc && ir && data) {
    PetscCall(KrylearnH5HasAttribute(h5, "MATLAB_class", &matlab));
    *layout = matlab ? KRYLEARN_IO_LAYOUT_MATLAB : KRYLEARN_IO_LAYOUT_PETSC;
  } else if (indptr && indices && data) {
    PetscCall(FormatAttribute(h5, layout));
    if (*layout == KRYLEARN_IO_LAYOUT_AUTO) { /* no attribute: CSC only when the pointer count says so */
      int64_t M, N;
      int64_t nptr;
      PetscCall(KrylearnH5ReadShape(h5, &M, &N));
      PetscCall(KrylearnH5GetLength(h5, "indptr", KRYLEARN_H5_INT64, &nptr));
      *layout = (M != N && nptr == N + 1) ? KRYLEARN_IO_LAYOUT_CSC : KRYLEARN_IO_LAYOUT_CSR;
    }
  } else if (row && col && data) *layout = KRYLEARN_IO_LAYOUT_COO;
  else SETERRQ(h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: no matrix in group '%s': expected datasets jc/ir/data, indptr/indices/data/shape or row/col/data/shape, or the path of a 2-D dataset", h5->file, h5->group);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadHDF5(KrylearnH5 *h5, KrylearnIOLayout *layout, KrylearnEntries *E)
{
  PetscInt n, flag;

  PetscFunctionBegin;
  if (*layout == KRYLEARN_IO_LAYOUT_AUTO) PetscCall(DetectLayout(h5, layout));
  switch (*layout) {
  case KRYLEARN_IO_LAYOUT_PETSC:
  case KRYLEARN_IO_LAYOUT_MATLAB:
  case KRYLEARN_IO_LAYOUT_CSR:
  case KRYLEARN_IO_LAYOUT_CSC:
    PetscCall(KrylearnReadCompressed(h5, *layout, E));
    break;
  case KRYLEARN_IO_LAYOUT_COO:
    PetscCall(KrylearnReadCOO(h5, E));
    break;
  default:
    PetscCall(KrylearnIOCheck(h5->comm, !h5->dataset[0], PETSC_ERR_ARG_WRONG, "%s: the dense layout needs the path of a 2-D dataset, '%s' is a group", h5->file, h5->group));
    PetscCall(KrylearnReadDense(h5, h5->dataset, E));
  }
  PetscCall(KrylearnH5ReadIntAttribute(h5, "symmetric", 1, &n, &flag));
  E->symmetric = (PetscBool)(n == 1 && flag);
  PetscCall(KrylearnH5ReadIntAttribute(h5, "grid", 3, &E->griddim, E->grid));
  PetscFunctionReturn(0);
}

/* Adds the mirror of each off-diagonal entry of a matrix stored as one triangle */
static PetscErrorCode ExpandSymmetric(MPI_Comm comm, const char file[], KrylearnEntries *E)
{
  int64_t    count[2] = {0, 0};
  PetscCount n        = E->n;

  PetscFunctionBegin;
  PetscCall(KrylearnIOCheck(comm, E->M != E->N, PETSC_ERR_FILE_UNEXPECTED, "%s: flagged symmetric but the matrix is %" PetscInt_FMT " x %" PetscInt_FMT, file, E->M, E->N));
  for (PetscCount k = 0; k < n; k++) {
    if (E->i[k] > E->j[k]) count[0]++;
    if (E->i[k] < E->j[k]) count[1]++;
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, count, 2, MPI_INT64_T, MPI_SUM, comm));
  PetscCall(KrylearnIOCheck(comm, count[0] && count[1], PETSC_ERR_FILE_UNEXPECTED, "%s: flagged symmetric (one triangle stored) but holds entries in both triangles: %" PetscInt64_FMT " below and %" PetscInt64_FMT " above the diagonal", file, (PetscInt64)count[0], (PetscInt64)count[1]));
  PetscCall(KrylearnEntriesReserve(E, n));
  for (PetscCount k = 0; k < n; k++)
    if (E->i[k] != E->j[k]) PetscCall(KrylearnEntriesAdd(E, E->j[k], E->i[k], E->v[k]));
  PetscFunctionReturn(0);
}

/* Entries that come row by row, all in own rows (compressed rows, dense, Matrix Market):
   preallocated row insertion, repeated entries summed, no communication */
static PetscErrorCode AssembleRows(const char file[], KrylearnEntries *E, Mat A)
{
  PetscInt       m = E->rend - E->rstart, cstart, cend, *dnz = NULL, *onz = NULL;
  PetscLayout    cmap;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscLayoutCreateFromSizes(PetscObjectComm((PetscObject)A), PETSC_DECIDE, E->N, 1, &cmap));
  PetscCall(PetscLayoutGetRange(cmap, &cstart, &cend));
  PetscCall(PetscLayoutDestroy(&cmap));
  /* a size line or shape may declare more rows than memory holds: a clear error, not PETSc's failed malloc */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = PetscCalloc2(m, &dnz, m, &onz);
  PetscCall(PetscPopErrorHandler());
  PetscCall(KrylearnIOCheck(PetscObjectComm((PetscObject)A), ierr != 0, PETSC_ERR_MEM, "%s: not enough memory for the row structure of the %" PetscInt_FMT " x %" PetscInt_FMT " matrix (%" PetscInt_FMT " rows on one rank)", file, E->M, E->N, m));
  for (PetscCount k = 0; k < E->n; k++) {
    if (E->j[k] >= cstart && E->j[k] < cend) dnz[E->i[k] - E->rstart]++;
    else onz[E->i[k] - E->rstart]++;
  }
  for (PetscInt r = 0; r < m; r++) { /* repeated entries are counted twice: cap at the row length */
    dnz[r] = PetscMin(dnz[r], cend - cstart);
    onz[r] = PetscMin(onz[r], E->N - (cend - cstart));
  }
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = MatXAIJSetPreallocation(A, 1, dnz, onz, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFree2(dnz, onz));
  PetscCall(KrylearnIOCheck(PetscObjectComm((PetscObject)A), ierr != 0, PETSC_ERR_MEM, "%s: not enough memory for the %" PetscInt_FMT " x %" PetscInt_FMT " matrix (%" PetscInt_FMT " rows on one rank)", file, E->M, E->N, m));
  PetscCall(MatSetOption(A, MAT_NO_OFF_PROC_ENTRIES, PETSC_TRUE));
  for (PetscCount k = 0, next; k < E->n; k = next) {
    for (next = k + 1; next < E->n && E->i[next] == E->i[k]; next++) { }
    PetscCall(MatSetValues(A, 1, &E->i[k], (PetscInt)(next - k), &E->j[k], &E->v[k], ADD_VALUES));
  }
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

static PetscErrorCode Assemble(MPI_Comm comm, const char file[], KrylearnEntries *E, Mat *A)
{
  PetscInt64 cells = KrylearnGridCells(E->griddim, E->grid);
  PetscBool  rows  = PETSC_TRUE, aij;

  PetscFunctionBegin;
  if (E->symmetric) PetscCall(ExpandSymmetric(comm, file, E));
  PetscCall(KrylearnIOCheck(comm, E->griddim && (E->griddim < 2 || cells != E->M || E->M != E->N), PETSC_ERR_FILE_UNEXPECTED, "%s: attribute 'grid' (%" PetscInt_FMT " entries, %" PetscInt64_FMT " cells) does not fit the %" PetscInt_FMT " x %" PetscInt_FMT " matrix", file, E->griddim, cells, E->M, E->N));
  PetscCall(PetscLogEventBegin(KRYLEARN_IngestAssemble, 0, 0, 0, 0));
  PetscCall(MatCreate(comm, A));
  PetscCall(MatSetSizes(*A, E->rend - E->rstart, PETSC_DECIDE, E->M, E->N));
  PetscCall(MatSetType(*A, MATAIJ));
  PetscCall(MatSetFromOptions(*A));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)*A, &aij, MATSEQAIJ, MATMPIAIJ, ""));
  for (PetscCount k = 0; k < E->n && rows; k++) rows = (PetscBool)(E->i[k] >= E->rstart && E->i[k] < E->rend && (!k || E->i[k] >= E->i[k - 1]));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &rows, 1, MPIU_BOOL, MPI_LAND, comm));
  if (rows && aij) PetscCall(AssembleRows(file, E, *A));
  else { /* entries in any order and on any rank: the COO assembly moves and sums them */ PetscCall(MatSetPreallocationCOO(*A, E->n, E->i, E->j));
    PetscCall(MatSetValuesCOO(*A, E->v, INSERT_VALUES));
  }
  if (E->symmetric) {
    PetscCall(MatSetOption(*A, MAT_SYMMETRIC, PETSC_TRUE));
    PetscCall(MatSetOption(*A, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  }
  if (E->griddim) PetscCall(KrylearnMatSetGrid(*A, E->griddim, E->grid));
  PetscCall(PetscLogEventEnd(KRYLEARN_IngestAssemble, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* In the coordinate layouts (COO, Matrix Market) and the column-compressed ones (MATLAB, CSC) the row count
   is a number in the file that no stored data backs, yet the matrix costs memory per row: a file of a few
   bytes declaring 2^31 rows would make the assembly allocate gigabytes. Rows beyond the stored entries are
   allowed up to KRYLEARN_IO_MAX_EMPTY_ROWS. */
#define KRYLEARN_IO_MAX_EMPTY_ROWS (1 << 24)
static PetscErrorCode CheckDeclaredRows(MPI_Comm comm, const char file[], KrylearnEntries *E)
{
  PetscInt64 n = (PetscInt64)E->n;

  PetscFunctionBegin;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &n, 1, MPIU_INT64, MPI_SUM, comm));
  PetscCall(KrylearnIOCheck(comm, (PetscBool)(E->M > n + KRYLEARN_IO_MAX_EMPTY_ROWS), PETSC_ERR_FILE_UNEXPECTED, "%s: declares %" PetscInt_FMT " rows but stores %" PetscInt64_FMT " entries: more than %d rows would be empty", file, E->M, n, KRYLEARN_IO_MAX_EMPTY_ROWS));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMatLoad - Loads a matrix from an HDF5 or Matrix Market file, each rank reading only its own block of rows

  Collective

  Input Parameters:
+ comm  - communicator of the new matrix
. file  - an HDF5 file, or a Matrix Market file (name ending in .mtx or .mm)
- group - the HDF5 group holding the sparse datasets, or the path of a 2-D dataset for a dense matrix;
          NULL or "" for the root group; ignored for Matrix Market files

  Output Parameter:
. A - the matrix (MATAIJ unless -mat_type says otherwise), rows split as PETSC_DECIDE does, named after
      the group (as PETSc's MatLoad names it), or "A" for the root group and Matrix Market files

  Options Database Key:
. -ingest_layout <auto,petsc,matlab,csr,csc,coo,dense,mtx> - layout of the file, detected when auto

  Level: beginner

  Notes:
  The layouts and their detection are described in docs/io.md. Indices may be 32- or 64-bit integers and
  values float32 or float64. An integer attribute symmetric = 1 (or the Matrix Market qualifier symmetric)
  says one triangle is stored; it is expanded. An attribute grid = [nx, ny] or [nx, ny, nz] is attached
  with KrylearnMatSetGrid(). Malformed input (missing file, group or dataset, wrong dtype, indices out of
  range, bad row pointers, lengths that disagree, NaN or Inf, truncated or corrupt file) raises an error
  on every rank naming the file and the problem.

.seealso: `KrylearnVecLoad()`, `KrylearnMatGetGrid()`, `KrylearnMatGetLayout()`, `KrylearnMatWriteHDF5()`
@*/
PetscErrorCode KrylearnMatLoad(MPI_Comm comm, const char file[], const char group[], Mat *A)
{
  KrylearnIOLayout layout = KRYLEARN_IO_LAYOUT_AUTO;
  KrylearnEntries  E;
  PetscErrorCode   ierr;
  PetscBool        mtx, mm;

  PetscFunctionBegin;
  PetscValidCharPointer(file, 2);
  PetscValidPointer(A, 4);
  *A = NULL;
  PetscCall(KrylearnIOInitializePackage());
  PetscCall(PetscMemzero(&E, sizeof(E)));
  PetscOptionsBegin(comm, NULL, "Krylearn matrix ingestion", "KrylearnMatLoad");
  PetscCall(PetscOptionsEnum("-ingest_layout", "Layout of the matrix in the file", "KrylearnMatLoad", KrylearnIOLayouts, (PetscEnum)layout, (PetscEnum *)&layout, NULL));
  PetscOptionsEnd();
  if (layout == KRYLEARN_IO_LAYOUT_AUTO) {
    PetscCall(PetscStrendswith(file, ".mtx", &mtx));
    PetscCall(PetscStrendswith(file, ".mm", &mm));
    if (mtx || mm) layout = KRYLEARN_IO_LAYOUT_MTX;
  }
  PetscCall(PetscLogEventBegin(KRYLEARN_IngestRead, 0, 0, 0, 0));
  if (layout == KRYLEARN_IO_LAYOUT_MTX) ierr = KrylearnReadMatrixMarket(comm, file, &E);
  else {
    KrylearnH5 h5;
    ierr = KrylearnH5Open(comm, file, group, &h5);
    if (!ierr) ierr = ReadHDF5(&h5, &layout, &E);
    PetscCall(KrylearnH5Close(&h5));
  }
  PetscCall(PetscLogEventEnd(KRYLEARN_IngestRead, 0, 0, 0, 0));
  if (!ierr && (layout == KRYLEARN_IO_LAYOUT_COO || layout == KRYLEARN_IO_LAYOUT_MTX || layout == KRYLEARN_IO_LAYOUT_MATLAB || layout == KRYLEARN_IO_LAYOUT_CSC)) ierr = CheckDeclaredRows(comm, file, &E);
  if (!ierr) ierr = Assemble(comm, file, &E, A);
  PetscCall(KrylearnEntriesDestroy(&E));
  if (ierr) PetscCall(MatDestroy(A));
  PetscCall(ierr);
  PetscCall(PetscObjectSetName((PetscObject)*A, group && group[0] && strcmp(group, "/") && layout != KRYLEARN_IO_LAYOUT_MTX ? group : "A"));
  PetscCall(KrylearnMatSetLayout(*A, layout));
  PetscFunctionReturn(0);
}
