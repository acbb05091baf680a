/* KrylearnMatWriteHDF5: an AIJ matrix in the layout PETSc's own MatLoad reads from HDF5
   (group with jc = row pointers, ir = column indices, data, attribute MATLAB_sparse =
   columns); KrylearnMatWriteDenseHDF5: a matrix as one 2-D dataset. The ranks write their
   row blocks in turn, each into its own hyperslabs, through the checked HDF5 layer. */
#include "ioimpl.h"

typedef struct {
  const char  *file, *group;
  int64_t      M, N, nnz, rstart, rend, offset; /* global sizes, own rows, own first entry */
  int64_t     *ptr, *col;                       /* own row pointers (one more on the last rank) and columns */
  PetscScalar *val;                             /* own values: CSR, or the dense rows row-major */
  PetscInt     griddim, grid[3];
  PetscBool    dense;
} Block;

static PetscErrorCode Path(const Block *b, const char name[], char path[])
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", strcmp(b->group, "/") ? b->group : "", name));
  PetscFunctionReturn(0);
}

/* One rank's turn: the first creates the file, datasets and attributes; every rank writes its block */
typedef struct {
  const Block *b;
  PetscBool    first, last;
} Turn;

static PetscErrorCode WriteTurn(KrylearnH5File f, void *ctx)
{
  const Turn  *t = (const Turn *)ctx;
  const Block *b = t->b;
  char         jc[PETSC_MAX_PATH_LEN], ir[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN];
  PetscInt64   rows = b->rend - b->rstart, nloc;

  PetscFunctionBegin;
  if (b->dense) {
    const PetscInt64 dims[2] = {b->M, b->N}, start[2] = {b->rstart, 0}, count[2] = {rows, b->N};
    if (t->first) PetscCall(KrylearnH5FileCreateDataset(f, b->group, KRYLEARN_H5_REAL, 2, dims));
    PetscCall(KrylearnH5FileWriteBlock(f, b->group, KRYLEARN_H5_REAL, 2, start, count, b->val));
    PetscFunctionReturn(0);
  }
  PetscCall(Path(b, "jc", jc));
  PetscCall(Path(b, "ir", ir));
  PetscCall(Path(b, "data", data));
  if (t->first) {
    const PetscInt64 n1 = b->M + 1;
    if (strcmp(b->group, "/")) PetscCall(KrylearnH5FileCreateGroup(f, b->group));
    PetscCall(KrylearnH5FileCreateDataset(f, jc, KRYLEARN_H5_INT64, 1, &n1));
    PetscCall(KrylearnH5FileCreateDataset(f, ir, KRYLEARN_H5_INT64, 1, &b->nnz));
    PetscCall(KrylearnH5FileCreateDataset(f, data, KRYLEARN_H5_REAL, 1, &b->nnz));
    PetscCall(KrylearnH5FileWriteAttribute(f, b->group, "MATLAB_sparse", KRYLEARN_H5_INT64, 1, &b->N));
    if (b->griddim) {
      PetscInt64 grid[3];
      for (PetscInt d = 0; d < b->griddim; d++) grid[d] = b->grid[d];
      PetscCall(KrylearnH5FileWriteAttribute(f, b->group, "grid", KRYLEARN_H5_INT64, b->griddim, grid));
    }
  }
  rows += t->last ? 1 : 0;
  nloc = b->ptr[b->rend - b->rstart] - b->offset;
  PetscCall(KrylearnH5FileWriteBlock(f, jc, KRYLEARN_H5_INT64, 1, &b->rstart, &rows, b->ptr));
  PetscCall(KrylearnH5FileWriteBlock(f, ir, KRYLEARN_H5_INT64, 1, &b->offset, &nloc, b->col));
  PetscCall(KrylearnH5FileWriteBlock(f, data, KRYLEARN_H5_REAL, 1, &b->offset, &nloc, b->val));
  PetscFunctionReturn(0);
}

/* The ranks write in turn, each on its own */
static PetscErrorCode WriteTurns(MPI_Comm comm, const Block *b)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  for (PetscMPIInt turn = 0; turn < size; turn++) {
    Turn t = {b, (PetscBool)(turn == 0), (PetscBool)(turn == size - 1)};
    PetscCall(KrylearnH5FileWriteOnRank(comm, turn, b->file, NULL, t.first ? KRYLEARN_H5_WRITE : KRYLEARN_H5_APPEND, WriteTurn, &t, "%s: cannot write %s '%s' of the HDF5 file", b->file, b->dense ? "dataset" : "group", b->group));
  }
  PetscFunctionReturn(0);
}

/* Own rows of A as CSR with global pointers */
static PetscErrorCode GetBlock(Mat A, Block *b)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)A);
  PetscInt    M, N, rs, re, ncols;
  int64_t     local = 0;
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatGetOwnershipRange(A, &rs, &re));
  for (PetscInt r = rs; r < re; r++) {
    PetscCall(MatGetRow(A, r, &ncols, NULL, NULL));
    local += ncols;
    PetscCall(MatRestoreRow(A, r, &ncols, NULL, NULL));
  }
  b->offset = 0;
  PetscCallMPI(MPI_Exscan(&local, &b->offset, 1, MPI_INT64_T, MPI_SUM, comm));
  if (!rank) b->offset = 0; /* MPI_Exscan leaves it undefined on rank 0 */
  b->nnz = local;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &b->nnz, 1, MPI_INT64_T, MPI_SUM, comm));
  b->M      = M;
  b->N      = N;
  b->rstart = rs;
  b->rend   = re;
  PetscCall(PetscMalloc3(re - rs + 1, &b->ptr, local, &b->col, local, &b->val));
  b->ptr[0] = b->offset;
  for (PetscInt r = rs; r < re; r++) {
    const PetscInt    *cols;
    const PetscScalar *vals;
    int64_t            p = b->ptr[r - rs];
    PetscCall(MatGetRow(A, r, &ncols, &cols, &vals));
    for (PetscInt k = 0; k < ncols; k++) {
      b->col[p - b->offset + k] = cols[k];
      b->val[p - b->offset + k] = vals[k];
    }
    b->ptr[r - rs + 1] = p + ncols;
    PetscCall(MatRestoreRow(A, r, &ncols, &cols, &vals));
  }
  PetscCall(KrylearnMatGetGrid(A, &b->griddim, b->grid));
  PetscFunctionReturn(0);
}

/* Own rows of a matrix as dense rows, row-major */
static PetscErrorCode GetDenseBlock(Mat A, Block *b)
{
  PetscInt M, N, rs, re;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatGetOwnershipRange(A, &rs, &re));
  b->M      = M;
  b->N      = N;
  b->rstart = rs;
  b->rend   = re;
  b->dense  = PETSC_TRUE;
  PetscCall(PetscCalloc3(1, &b->ptr, 1, &b->col, (size_t)(re - rs) * N + 1, &b->val));
  for (PetscInt r = rs; r < re; r++) {
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscInt           ncols;
    PetscCall(MatGetRow(A, r, &ncols, &cols, &vals));
    for (PetscInt k = 0; k < ncols; k++) b->val[(size_t)(r - rs) * N + cols[k]] = vals[k];
    PetscCall(MatRestoreRow(A, r, &ncols, &cols, &vals));
  }
  PetscFunctionReturn(0);
}

/* The own rows of A as CSR (a group at path) or dense rows (a dataset at path), written in turn */
static PetscErrorCode WriteMatrix(Mat A, const char file[], const char path[], PetscBool dense)
{
  Block          b;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KrylearnIOInitializePackage());
  PetscCall(PetscLogEventBegin(KRYLEARN_IngestWrite, A, 0, 0, 0));
  PetscCall(PetscMemzero(&b, sizeof(b)));
  b.file  = file;
  b.group = path;
  PetscCall(dense ? GetDenseBlock(A, &b) : GetBlock(A, &b));
  ierr = WriteTurns(PetscObjectComm((PetscObject)A), &b);
  PetscCall(PetscFree3(b.ptr, b.col, b.val));
  PetscCall(ierr);
  PetscCall(PetscLogEventEnd(KRYLEARN_IngestWrite, A, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMatWriteHDF5 - Writes a matrix to HDF5 in the layout PETSc's MatLoad reads

  Collective

  Input Parameters:
+ A     - the matrix (any type with MatGetRow())
. file  - the HDF5 file, created or overwritten
- group - the group to create, for example "/A"; PETSc's MatLoad reads it into a Mat named after the group

  Level: intermediate

  Note:
  Writes datasets jc (row pointers), ir (column indices) as int64, data as float64, and the attributes
  MATLAB_sparse (column count) and grid when a grid is attached. Ranks write their own rows in turn.

.seealso: `KrylearnMatLoad()`, `MatLoad()`
@*/
PetscErrorCode KrylearnMatWriteHDF5(Mat A, const char file[], const char group[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidCharPointer(file, 2);
  PetscCall(WriteMatrix(A, file, group && group[0] ? group : "/", PETSC_FALSE));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMatWriteDenseHDF5 - Writes a matrix to HDF5 as one 2-D dataset (rows x columns, row-major: numpy's order)

  Collective

  Input Parameters:
+ A       - the matrix (any type with MatGetRow(); entries not stored are written as zeros)
. file    - the HDF5 file, created or overwritten
- dataset - the path of the dataset, for example "/P"; missing groups on the path are created

  Level: intermediate

  Note:
  The dataset is float64. KrylearnMatLoad() reads it back (the dense layout). Ranks write their own rows in turn.

.seealso: `KrylearnMatWriteHDF5()`, `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnMatWriteDenseHDF5(Mat A, const char file[], const char dataset[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidCharPointer(file, 2);
  PetscValidCharPointer(dataset, 3);
  PetscCall(WriteMatrix(A, file, dataset, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/*@
  KrylearnMatIsSymmetric - Tests whether a matrix is exactly symmetric (values and pattern)

  Collective

  Input Parameter:
. A - the matrix

  Output Parameter:
. symmetric - whether A equals its transpose

  Level: intermediate

  Note:
  Compares A with its explicit transpose; unlike MatIsSymmetric() in PETSc 3.18, it works for every
  MPIAIJ pattern (MatIsSymmetric_MPIAIJ reads a NULL pointer on some non-symmetric patterns).

.seealso: `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnMatIsSymmetric(Mat A, PetscBool *symmetric)
{
  Mat       At, T;
  IS        rows, cols;
  PetscInt  M, N, rs, re, cs, ce;
  PetscBool known, same = PETSC_TRUE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidBoolPointer(symmetric, 2);
  PetscCall(MatGetSize(A, &M, &N));
  *symmetric = PETSC_FALSE;
  if (M != N) PetscFunctionReturn(0);
  PetscCall(MatIsSymmetricKnown(A, &known, symmetric)); /* set by the loader for files that store one triangle */
  if (known && *symmetric) PetscFunctionReturn(0);
  /* the transpose with A's row and column layout, compared row by row (MatEqual on MPIAIJ fails on
     off-diagonal blocks of different patterns) */
  PetscCall(MatTranspose(A, MAT_INITIAL_MATRIX, &At));
  PetscCall(MatGetOwnershipRange(A, &rs, &re));
  PetscCall(MatGetOwnershipRangeColumn(A, &cs, &ce));
  PetscCall(ISCreateStride(PetscObjectComm((PetscObject)A), re - rs, rs, 1, &rows));
  PetscCall(ISCreateStride(PetscObjectComm((PetscObject)A), ce - cs, cs, 1, &cols));
  PetscCall(MatCreateSubMatrix(At, rows, cols, MAT_INITIAL_MATRIX, &T));
  PetscCall(ISDestroy(&rows));
  PetscCall(ISDestroy(&cols));
  PetscCall(MatDestroy(&At));
  for (PetscInt r = rs; r < re && same; r++) {
    const PetscInt    *ca, *ct;
    const PetscScalar *va, *vt;
    PetscInt           na, nt;
    PetscCall(MatGetRow(A, r, &na, &ca, &va));
    PetscCall(MatGetRow(T, r, &nt, &ct, &vt));
    same = (PetscBool)(na == nt);
    for (PetscInt k = 0; k < na && same; k++) same = (PetscBool)(ca[k] == ct[k] && va[k] == vt[k]);
    PetscCall(MatRestoreRow(T, r, &nt, &ct, &vt));
    PetscCall(MatRestoreRow(A, r, &na, &ca, &va));
  }
  PetscCall(MatDestroy(&T));
  PetscCall(MPIU_Allreduce(&same, symmetric, 1, MPIU_BOOL, MPI_LAND, PetscObjectComm((PetscObject)A)));
  PetscFunctionReturn(0);
}
