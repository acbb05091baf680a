/* KrylearnMatWriteHDF5: an AIJ matrix in the layout PETSc's own MatLoad reads from HDF5
   (group with jc = row pointers, ir = column indices, data, attribute MATLAB_sparse =
   columns). The ranks write their row blocks in turn, each into its own hyperslabs. */
#include "ioimpl.h"

typedef struct {
  const char *file, *group;
  int64_t     M, N, nnz, rstart, rend, offset; /* global sizes, own rows, own first entry */
  int64_t    *ptr, *col;                        /* own row pointers (one more on the last rank) and columns */
  PetscScalar *val;
  PetscInt    griddim, grid[3];
} Block;

static herr_t WriteSlab(hid_t gid, const char name[], hid_t memtype, hsize_t start, hsize_t count, const void *buf)
{
  hid_t  dset, fspace, mspace;
  herr_t status = -1;

  if (!count) return 0;
  dset = H5Dopen2(gid, name, H5P_DEFAULT);
  if (dset < 0) return -1;
  fspace = H5Dget_space(dset);
  mspace = H5Screate_simple(1, &count, NULL);
  if (fspace >= 0 && mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0) status = H5Dwrite(dset, memtype, mspace, fspace, H5P_DEFAULT, buf);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  H5Dclose(dset);
  return status;
}

static herr_t CreateDataset(hid_t gid, const char name[], hid_t type, hsize_t len)
{
  hid_t space = H5Screate_simple(1, &len, NULL), dset = -1;

  if (space >= 0) dset = H5Dcreate2(gid, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (space >= 0) H5Sclose(space);
  if (dset < 0) return -1;
  return H5Dclose(dset);
}

static herr_t WriteAttribute(hid_t gid, const char name[], hsize_t n, const int64_t vals[])
{
  hid_t  space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL), attr = -1;
  herr_t status = -1;

  if (space >= 0) attr = H5Acreate2(gid, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) status = H5Awrite(attr, H5T_NATIVE_INT64, vals);
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  return status;
}

/* The first rank creates the file, group, datasets and attributes; every rank then writes its block */
static herr_t WriteTurn(const Block *b, PetscBool first, PetscBool last)
{
  hid_t  fid, gid = -1;
  herr_t status = 0;

  if (first) {
    fid = H5Fcreate(b->file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (fid < 0) return -1;
    if (strcmp(b->group, "/")) {
      hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
      H5Pset_create_intermediate_group(lcpl, 1);
      gid = H5Gcreate2(fid, b->group, lcpl, H5P_DEFAULT, H5P_DEFAULT);
      H5Pclose(lcpl);
    } else gid = H5Gopen2(fid, "/", H5P_DEFAULT);
    if (gid < 0) status = -1;
    if (!status) status = CreateDataset(gid, "jc", H5T_STD_I64LE, (hsize_t)b->M + 1);
    if (!status) status = CreateDataset(gid, "ir", H5T_STD_I64LE, (hsize_t)b->nnz);
    if (!status) status = CreateDataset(gid, "data", H5T_IEEE_F64LE, (hsize_t)b->nnz);
    if (!status) status = WriteAttribute(gid, "MATLAB_sparse", 1, &b->N);
    if (!status && b->griddim) {
      int64_t grid[3];
      for (PetscInt d = 0; d < b->griddim; d++) grid[d] = b->grid[d];
      status = WriteAttribute(gid, "grid", (hsize_t)b->griddim, grid);
    }
  } else {
    fid = H5Fopen(b->file, H5F_ACC_RDWR, H5P_DEFAULT);
    if (fid < 0) return -1;
    gid = H5Gopen2(fid, b->group, H5P_DEFAULT);
    if (gid < 0) status = -1;
  }
  if (!status) status = WriteSlab(gid, "jc", H5T_NATIVE_INT64, (hsize_t)b->rstart, (hsize_t)(b->rend - b->rstart + (last ? 1 : 0)), b->ptr);
  if (!status) status = WriteSlab(gid, "ir", H5T_NATIVE_INT64, (hsize_t)b->offset, (hsize_t)(b->ptr[b->rend - b->rstart] - b->offset), b->col);
  if (!status) status = WriteSlab(gid, "data", H5T_NATIVE_DOUBLE, (hsize_t)b->offset, (hsize_t)(b->ptr[b->rend - b->rstart] - b->offset), b->val);
  if (gid >= 0) H5Gclose(gid);
  if (H5Fclose(fid) < 0) status = -1;
  return status;
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
  MPI_Comm    comm;
  PetscMPIInt rank, size;
  Block       b;
  H5E_auto2_t errfunc;
  void       *errdata;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidCharPointer(file, 2);
  PetscCall(KrylearnIOInitializePackage());
  PetscCall(PetscObjectGetComm((PetscObject)A, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscLogEventBegin(KRYLEARN_IngestWrite, A, 0, 0, 0));
  PetscCall(PetscMemzero(&b, sizeof(b)));
  b.file  = file;
  b.group = group && group[0] ? group : "/";
  PetscCall(GetBlock(A, &b));
  PetscCallExternal(H5Eget_auto2, H5E_DEFAULT, &errfunc, &errdata);
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, NULL, NULL);
  for (PetscMPIInt turn = 0; turn < size; turn++) {
    herr_t         status = rank == turn ? WriteTurn(&b, (PetscBool)(turn == 0), (PetscBool)(turn == size - 1)) : 0;
    PetscErrorCode ierr   = KrylearnIOCheck(comm, status < 0, PETSC_ERR_FILE_WRITE, "%s: cannot write group '%s' of the HDF5 file", file, b.group);
    if (ierr) {
      PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, errfunc, errdata);
      PetscCall(PetscFree3(b.ptr, b.col, b.val));
      PetscCall(ierr);
    }
  }
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, errfunc, errdata);
  PetscCall(PetscFree3(b.ptr, b.col, b.val));
  PetscCall(PetscLogEventEnd(KRYLEARN_IngestWrite, A, 0, 0, 0));
  PetscFunctionReturn(0);
}
