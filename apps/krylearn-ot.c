static const char help[] = "Entropic optimal transport between two discrete measures.\n\n"
                           "  krylearn-ot IN.h5 -o OUT.h5 [options]\n\n"
                           "IN.h5 holds either C (n x m dense dataset, or a group with the CSR datasets jc, ir, data\n"
                           "and the attribute MATLAB_sparse = m) with weights r (n) and c (m), or point clouds\n"
                           "X (n x d) and Y (m x d) with weights a (n) and b (m); absent weights are uniform.\n"
                           "OUT.h5 receives x, y (P_ij = exp(eta(-C_ij + x_i + y_j) - 1)), the plan P and the\n"
                           "attributes eta, transport_cost, marginal_error, sinkhorn_iterations,\n"
                           "newton_iterations, time, type, converged_reason.\n\n"
                           "  -o FILE              output file\n"
                           "  -plan_dense_max N    write P dense when n*m <= N (default 1000000), else as CSR\n"
                           "  -plan_drop_tol T     CSR plan: leave out entries <= T * sum(r) (default 1e-14)\n"
                           "  -plan_write BOOL     write P at all (default true; false for large point clouds)\n"
                           "  -ot_type, -ot_eta, -ot_tol, -ot_max_it, -ot_monitor, -ot_view, -ot_cost, -ot_sns_*, -ot_ksp_*\n\n";

#include <krylearn.h>
#include <hdf5.h>

/* Does the file hold an object NAME, and is it a group? */
static PetscErrorCode H5Probe(hid_t file, const char *fname, const char *name, PetscBool *exists, PetscBool *isgroup)
{
  hid_t obj;

  PetscFunctionBegin;
  *exists  = H5Lexists(file, name, H5P_DEFAULT) > 0 ? PETSC_TRUE : PETSC_FALSE;
  *isgroup = PETSC_FALSE;
  if (!*exists) PetscFunctionReturn(0);
  obj = H5Oopen(file, name, H5P_DEFAULT);
  PetscCheck(obj >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot inspect %s", fname, name);
  *isgroup = H5Iget_type(obj) == H5I_GROUP ? PETSC_TRUE : PETSC_FALSE;
  H5Oclose(obj);
  PetscFunctionReturn(0);
}

/* Shape of a dataset of rank 1 or 2 (dims[1] = 1 for rank 1). */
static PetscErrorCode H5Shape(hid_t file, const char *fname, const char *name, int *rank, hsize_t dims[2])
{
  hid_t dset, space;

  PetscFunctionBegin;
  dset = H5Dopen2(file, name, H5P_DEFAULT);
  PetscCheck(dset >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot open dataset %s", fname, name);
  space = H5Dget_space(dset);
  *rank = H5Sget_simple_extent_ndims(space);
  PetscCheck(*rank == 1 || *rank == 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has rank %d, expected 1 or 2", fname, name, *rank);
  dims[1] = 1;
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  H5Dclose(dset);
  PetscFunctionReturn(0);
}

/* Rows [lo, lo + count) of a rank-1 or rank-2 dataset, converted to double or int64. */
static PetscErrorCode H5ReadRows(hid_t file, const char *fname, const char *name, hid_t memtype, hsize_t lo, hsize_t count, void *buf)
{
  hid_t   dset, space, mspace;
  int     rank;
  hsize_t dims[2] = {0, 1}, start[2] = {lo, 0}, cnt[2] = {count, 1};
  herr_t  st;

  PetscFunctionBegin;
  dset = H5Dopen2(file, name, H5P_DEFAULT);
  PetscCheck(dset >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot open dataset %s", fname, name);
  space = H5Dget_space(dset);
  rank  = H5Sget_simple_extent_ndims(space);
  H5Sget_simple_extent_dims(space, dims, NULL);
  cnt[1] = rank == 2 ? dims[1] : 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, cnt, NULL);
  mspace = H5Screate_simple(rank, cnt, NULL);
  st     = H5Dread(dset, memtype, mspace, space, H5P_DEFAULT, buf);
  H5Sclose(mspace);
  H5Sclose(space);
  H5Dclose(dset);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read dataset %s (is it numeric?)", fname, name);
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadDenseRows(MPI_Comm comm, hid_t file, const char *fname, const char *name, PetscInt nloc, PetscInt *N, PetscInt *M, Mat *A)
{
  int          rank;
  hsize_t      dims[2];
  PetscInt     lo;
  PetscScalar *a;
  double      *buf;

  PetscFunctionBegin;
  PetscCall(H5Shape(file, fname, name, &rank, dims));
  PetscCheck(rank == 2, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s must be a 2-D dataset", fname, name);
  *N = (PetscInt)dims[0];
  *M = (PetscInt)dims[1];
  if (nloc == PETSC_DECIDE) PetscCall(PetscSplitOwnership(comm, &nloc, N));
  PetscCallMPI(MPI_Scan(&nloc, &lo, 1, MPIU_INT, MPI_SUM, comm));
  lo -= nloc;
  PetscCall(PetscMalloc1((size_t)nloc * *M + 1, &buf));
  PetscCall(H5ReadRows(file, fname, name, H5T_NATIVE_DOUBLE, (hsize_t)lo, (hsize_t)nloc, buf));
  PetscCall(MatCreateDense(comm, nloc, PETSC_DECIDE, *N, *M, NULL, A));
  PetscCall(MatDenseGetArrayWrite(*A, &a));
  for (PetscInt i = 0; i < nloc; i++)
    for (PetscInt j = 0; j < *M; j++) a[i + (size_t)j * nloc] = buf[(size_t)i * *M + j];
  PetscCall(MatDenseRestoreArrayWrite(*A, &a));
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

static PetscErrorCode LoadCSR(MPI_Comm comm, hid_t file, const char *fname, PetscInt *N, PetscInt *M, Mat *A)
{
  int       rank;
  hsize_t   dims[2];
  PetscInt  nloc = PETSC_DECIDE, lo, *dnnz, *onnz, clo, chi, mloc = PETSC_DECIDE;
  int64_t  *jc, *ir, ncols;
  double   *v;
  hid_t     grp, attr;

  PetscFunctionBegin;
  grp = H5Gopen2(file, "C", H5P_DEFAULT);
  PetscCheck(grp >= 0 && H5Aexists(grp, "MATLAB_sparse") > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: sparse cost group C needs the attribute MATLAB_sparse (number of columns)", fname);
  attr = H5Aopen(grp, "MATLAB_sparse", H5P_DEFAULT);
  H5Aread(attr, H5T_NATIVE_INT64, &ncols);
  H5Aclose(attr);
  H5Gclose(grp);
  PetscCall(H5Shape(file, fname, "C/jc", &rank, dims));
  PetscCheck(rank == 1 && dims[0] >= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: C/jc must be a 1-D dataset of n + 1 row offsets", fname);
  *N = (PetscInt)dims[0] - 1;
  *M = (PetscInt)ncols;
  PetscCall(PetscSplitOwnership(comm, &nloc, N));
  PetscCallMPI(MPI_Scan(&nloc, &lo, 1, MPIU_INT, MPI_SUM, comm));
  lo -= nloc;
  PetscCall(PetscMalloc1(nloc + 1, &jc));
  PetscCall(H5ReadRows(file, fname, "C/jc", H5T_NATIVE_INT64, (hsize_t)lo, (hsize_t)nloc + 1, jc));
  PetscCall(H5Shape(file, fname, "C/ir", &rank, dims));
  PetscCheck(rank == 1 && (int64_t)dims[0] >= jc[nloc], comm, PETSC_ERR_FILE_UNEXPECTED, "%s: C/ir is shorter than the row offsets in C/jc say", fname);
  PetscCall(PetscMalloc2(jc[nloc] - jc[0] + 1, &ir, jc[nloc] - jc[0] + 1, &v));
  PetscCall(H5ReadRows(file, fname, "C/ir", H5T_NATIVE_INT64, (hsize_t)jc[0], (hsize_t)(jc[nloc] - jc[0]), ir));
  PetscCall(H5ReadRows(file, fname, "C/data", H5T_NATIVE_DOUBLE, (hsize_t)jc[0], (hsize_t)(jc[nloc] - jc[0]), v));
  PetscCall(PetscSplitOwnership(comm, &mloc, M));
  PetscCallMPI(MPI_Scan(&mloc, &chi, 1, MPIU_INT, MPI_SUM, comm));
  clo = chi - mloc;
  PetscCall(PetscCalloc2(nloc + 1, &dnnz, nloc + 1, &onnz));
  for (PetscInt i = 0; i < nloc; i++)
    for (int64_t k = jc[i]; k < jc[i + 1]; k++) {
      const int64_t j = ir[k - jc[0]];
      PetscCheck(j >= 0 && j < ncols, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: column index %lld in row %" PetscInt_FMT " of C is outside [0, %lld)", fname, (long long)j, lo + i, (long long)ncols);
      if (j >= clo && j < chi) dnnz[i]++;
      else onnz[i]++;
    }
  PetscCall(MatCreateAIJ(comm, nloc, mloc, *N, *M, 0, dnnz, 0, onnz, A));
  for (PetscInt i = 0; i < nloc; i++) {
    const PetscInt row = lo + i;
    for (int64_t k = jc[i]; k < jc[i + 1]; k++) {
      const PetscInt col = (PetscInt)ir[k - jc[0]];
      PetscCall(MatSetValues(*A, 1, &row, 1, &col, &v[k - jc[0]], INSERT_VALUES));
    }
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree2(dnnz, onnz));
  PetscCall(PetscFree2(ir, v));
  PetscCall(PetscFree(jc));
  PetscFunctionReturn(0);
}

/* Weights NAME (length len) in the layout nloc, or uniform 1/len when absent. */
static PetscErrorCode LoadWeights(MPI_Comm comm, hid_t file, const char *fname, const char *name, const char *against, PetscInt len, PetscInt nloc, Vec *w)
{
  PetscBool    exists, isgroup;
  PetscInt     lo, hi;
  PetscScalar *a;

  PetscFunctionBegin;
  PetscCall(VecCreateMPI(comm, nloc, len, w));
  PetscCall(PetscObjectSetName((PetscObject)*w, name));
  PetscCall(H5Probe(file, fname, name, &exists, &isgroup));
  if (!exists) {
    PetscCall(VecSet(*w, 1.0 / len));
    PetscFunctionReturn(0);
  }
  {
    int     rank;
    hsize_t dims[2];
    PetscCall(H5Shape(file, fname, name, &rank, dims));
    PetscCheck(rank == 1 && (PetscInt)dims[0] == len, comm, PETSC_ERR_ARG_SIZ, "%s: weights %s have shape (%llu%s) but %s has %" PetscInt_FMT " entries", fname, name, (unsigned long long)dims[0], rank == 2 ? ", ..." : "", against, len);
  }
  PetscCall(VecGetOwnershipRange(*w, &lo, &hi));
  PetscCall(VecGetArrayWrite(*w, &a));
  if (hi > lo) PetscCall(H5ReadRows(file, fname, name, H5T_NATIVE_DOUBLE, (hsize_t)lo, (hsize_t)(hi - lo), a));
  PetscCall(VecRestoreArrayWrite(*w, &a));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteVector(hid_t file, const char *name, const double *v, hsize_t n)
{
  hid_t space = H5Screate_simple(1, &n, NULL), dset = H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

  PetscFunctionBegin;
  PetscCheck(dset >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create dataset %s", name);
  if (n) H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(dset);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAttribute(hid_t obj, const char *name, hid_t memtype, hid_t filetype, const void *value)
{
  hid_t space = H5Screate(H5S_SCALAR), attr = H5Acreate2(obj, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT);

  PetscFunctionBegin;
  H5Awrite(attr, memtype, value);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteString(hid_t obj, const char *name, const char *value)
{
  hid_t type = H5Tcopy(H5T_C_S1);

  PetscFunctionBegin;
  H5Tset_size(type, strlen(value) + 1);
  PetscCall(WriteAttribute(obj, name, type, type, value));
  H5Tclose(type);
  PetscFunctionReturn(0);
}

/* A distributed vector, gathered to rank 0. */
static PetscErrorCode GatherVec(Vec v, Vec *v0)
{
  VecScatter sc;

  PetscFunctionBegin;
  PetscCall(VecScatterCreateToZero(v, &sc, v0));
  PetscCall(VecScatterBegin(sc, v, *v0, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, v, *v0, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterDestroy(&sc));
  PetscFunctionReturn(0);
}

/* The plan gathered to rank 0 and written dense (n x m) or as CSR (jc, ir, data, MATLAB_sparse). */
static PetscErrorCode WritePlan(MPI_Comm comm, hid_t file, Mat P, PetscBool dense)
{
  PetscInt     lo, hi, N, M, nnz = 0;
  PetscMPIInt  size, rank, nl, *rc = NULL, *rd = NULL, *ec = NULL, *ed = NULL;
  int64_t     *lptr, *lcol, *gptr = NULL, *gcol = NULL;
  double      *lval, *gval = NULL;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MatGetSize(P, &N, &M));
  PetscCall(MatGetOwnershipRange(P, &lo, &hi));
  for (PetscInt i = lo; i < hi; i++) {
    PetscInt nc;
    PetscCall(MatGetRow(P, i, &nc, NULL, NULL));
    nnz += nc;
    PetscCall(MatRestoreRow(P, i, &nc, NULL, NULL));
  }
  PetscCall(PetscMalloc3(hi - lo + 1, &lptr, nnz + 1, &lcol, nnz + 1, &lval));
  nnz = 0;
  for (PetscInt i = lo; i < hi; i++) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(P, i, &nc, &cols, &vals));
    lptr[i - lo] = nc;
    for (PetscInt k = 0; k < nc; k++) {
      lcol[nnz]   = cols[k];
      lval[nnz++] = PetscRealPart(vals[k]);
    }
    PetscCall(MatRestoreRow(P, i, &nc, &cols, &vals));
  }
  if (rank == 0) PetscCall(PetscMalloc4(size, &rc, size, &rd, size, &ec, size, &ed));
  nl = (PetscMPIInt)(hi - lo);
  PetscCallMPI(MPI_Gather(&nl, 1, MPI_INT, rc, 1, MPI_INT, 0, comm));
  nl = (PetscMPIInt)nnz;
  PetscCallMPI(MPI_Gather(&nl, 1, MPI_INT, ec, 1, MPI_INT, 0, comm));
  if (rank == 0) {
    PetscInt tot = 0;
    rd[0] = ed[0] = 0;
    for (PetscMPIInt p = 1; p < size; p++) {
      rd[p] = rd[p - 1] + rc[p - 1];
      ed[p] = ed[p - 1] + ec[p - 1];
    }
    for (PetscMPIInt p = 0; p < size; p++) tot += ec[p];
    PetscCall(PetscMalloc3(N + 1, &gptr, tot + 1, &gcol, tot + 1, &gval));
  }
  PetscCallMPI(MPI_Gatherv(lptr, (PetscMPIInt)(hi - lo), MPI_INT64_T, gptr ? gptr + 1 : NULL, rc, rd, MPI_INT64_T, 0, comm));
  PetscCallMPI(MPI_Gatherv(lcol, (PetscMPIInt)nnz, MPI_INT64_T, gcol, ec, ed, MPI_INT64_T, 0, comm));
  PetscCallMPI(MPI_Gatherv(lval, (PetscMPIInt)nnz, MPI_DOUBLE, gval, ec, ed, MPI_DOUBLE, 0, comm));
  if (rank == 0) {
    gptr[0] = 0;
    for (PetscInt i = 0; i < N; i++) gptr[i + 1] += gptr[i];
    if (dense) {
      double *full;
      hsize_t dims[2] = {(hsize_t)N, (hsize_t)M};
      hid_t   space = H5Screate_simple(2, dims, NULL), dset = H5Dcreate2(file, "P", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      PetscCall(PetscCalloc1((size_t)N * M + 1, &full));
      for (PetscInt i = 0; i < N; i++)
        for (int64_t k = gptr[i]; k < gptr[i + 1]; k++) full[(size_t)i * M + gcol[k]] = gval[k];
      H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, full);
      H5Dclose(dset);
      H5Sclose(space);
      PetscCall(PetscFree(full));
    } else {
      hid_t   grp = H5Gcreate2(file, "P", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), space, dset;
      hsize_t n1 = (hsize_t)N + 1, nz = (hsize_t)gptr[N];
      int64_t m64 = M;
      space = H5Screate_simple(1, &n1, NULL);
      dset  = H5Dcreate2(grp, "jc", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, gptr);
      H5Dclose(dset);
      H5Sclose(space);
      space = H5Screate_simple(1, &nz, NULL);
      dset  = H5Dcreate2(grp, "ir", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (nz) H5Dwrite(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, gcol);
      H5Dclose(dset);
      dset = H5Dcreate2(grp, "data", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (nz) H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, gval);
      H5Dclose(dset);
      H5Sclose(space);
      PetscCall(WriteAttribute(grp, "MATLAB_sparse", H5T_NATIVE_INT64, H5T_STD_I64LE, &m64));
      H5Gclose(grp);
    }
    PetscCall(PetscFree3(gptr, gcol, gval));
    PetscCall(PetscFree4(rc, rd, ec, ed));
  }
  PetscCall(PetscFree3(lptr, lcol, lval));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm          comm;
  char              in[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "";
  PetscBool         writeplan = PETSC_TRUE, denseplan, hasC, Cgroup, hasX, Xgroup, hasY, Ygroup;
  PetscInt          n, m, d, dy, nloc, sits, nits, densemax = 1000000;
  PetscReal         droptol = 1e-14, eta, cost, err, time, mass;
  PetscMPIInt       rank;
  hid_t             file;
  Mat               C = NULL, X = NULL, Y = NULL, P = NULL;
  Vec               r, c, x, y, x0, y0;
  OT                ot;
  OTType            type;
  OTConvergedReason reason;

  if (argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(in, argv[1], sizeof(in)));
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  comm = PETSC_COMM_WORLD;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", out, sizeof(out), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-plan_dense_max", &densemax, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-plan_drop_tol", &droptol, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-plan_write", &writeplan, NULL));
  PetscCheck(densemax >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-plan_dense_max %" PetscInt_FMT ": the size must be non-negative", densemax);
  PetscCheck(droptol >= 0 && droptol < PETSC_MAX_REAL, comm, PETSC_ERR_ARG_OUTOFRANGE, "-plan_drop_tol %g: the drop tolerance must be non-negative and finite", (double)droptol);
  PetscCheck(in[0] && out[0], comm, PETSC_ERR_USER_INPUT, "Usage: krylearn-ot IN.h5 -o OUT.h5 [options] (see -help)");

  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  file = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file >= 0, comm, PETSC_ERR_FILE_OPEN, "Cannot open %s as an HDF5 file", in);
  PetscCall(H5Probe(file, in, "C", &hasC, &Cgroup));
  PetscCall(H5Probe(file, in, "X", &hasX, &Xgroup));
  PetscCall(H5Probe(file, in, "Y", &hasY, &Ygroup));
  PetscCall(OTCreate(comm, &ot));
  if (hasC) {
    if (Cgroup) PetscCall(LoadCSR(comm, file, in, &n, &m, &C));
    else PetscCall(LoadDenseRows(comm, file, in, "C", PETSC_DECIDE, &n, &m, &C));
    PetscCall(MatGetLocalSize(C, &nloc, NULL));
    PetscCall(LoadWeights(comm, file, in, "r", "the number of rows of C", n, nloc, &r));
    PetscCall(LoadWeights(comm, file, in, "c", "the number of columns of C", m, PETSC_DECIDE, &c));
    PetscCall(OTSetCostMatrix(ot, C));
  } else {
    PetscCheck(hasX && hasY && !Xgroup && !Ygroup, comm, PETSC_ERR_FILE_UNEXPECTED, "%s holds neither a cost C nor the point clouds X and Y", in);
    PetscCall(LoadDenseRows(comm, file, in, "X", PETSC_DECIDE, &n, &d, &X));
    PetscCall(LoadDenseRows(comm, file, in, "Y", PETSC_DECIDE, &m, &dy, &Y));
    PetscCheck(d == dy, comm, PETSC_ERR_ARG_SIZ, "%s: X is %" PetscInt_FMT " x %" PetscInt_FMT " but Y is %" PetscInt_FMT " x %" PetscInt_FMT ": the dimensions differ", in, n, d, m, dy);
    PetscCall(MatGetLocalSize(X, &nloc, NULL));
    PetscCall(LoadWeights(comm, file, in, "a", "X", n, nloc, &r));
    PetscCall(LoadWeights(comm, file, in, "b", "Y", m, PETSC_DECIDE, &c));
    PetscCall(OTSetPointClouds(ot, X, Y));
  }
  H5Fclose(file);
  PetscCall(OTSetMarginals(ot, r, c));
  PetscCall(OTSetFromOptions(ot));
  PetscCall(OTSolve(ot));

  PetscCall(OTGetType(ot, &type));
  PetscCall(OTGetEta(ot, &eta));
  PetscCall(OTGetTransportCost(ot, &cost));
  PetscCall(OTGetMarginalError(ot, &err));
  PetscCall(OTGetSolveTime(ot, &time));
  PetscCall(OTGetIterationNumbers(ot, &sits, &nits));
  PetscCall(OTGetConvergedReason(ot, &reason));
  PetscCall(OTGetPotentials(ot, &x, &y));
  PetscCall(VecSum(r, &mass));
  denseplan = (double)n * m <= densemax ? PETSC_TRUE : PETSC_FALSE;
  if (writeplan) PetscCall(OTGetPlan(ot, denseplan ? MATDENSE : MATAIJ, droptol * mass, &P));
  PetscCall(GatherVec(x, &x0));
  PetscCall(GatherVec(y, &y0));
  file = -1;
  if (rank == 0) {
    file = H5Fcreate(out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    PetscCheck(file >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create %s", out);
  }
  if (writeplan) PetscCall(WritePlan(comm, file, P, denseplan));
  if (rank == 0) {
    const PetscScalar *a;
    int64_t            s64 = sits, n64 = nits;
    PetscCall(VecGetArrayRead(x0, &a));
    PetscCall(WriteVector(file, "x", a, (hsize_t)n));
    PetscCall(VecRestoreArrayRead(x0, &a));
    PetscCall(VecGetArrayRead(y0, &a));
    PetscCall(WriteVector(file, "y", a, (hsize_t)m));
    PetscCall(VecRestoreArrayRead(y0, &a));
    PetscCall(WriteAttribute(file, "eta", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &eta));
    PetscCall(WriteAttribute(file, "transport_cost", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &cost));
    PetscCall(WriteAttribute(file, "marginal_error", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &err));
    PetscCall(WriteAttribute(file, "sinkhorn_iterations", H5T_NATIVE_INT64, H5T_STD_I64LE, &s64));
    PetscCall(WriteAttribute(file, "newton_iterations", H5T_NATIVE_INT64, H5T_STD_I64LE, &n64));
    PetscCall(WriteAttribute(file, "time", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &time));
    PetscCall(WriteString(file, "type", type));
    PetscCall(WriteString(file, "converged_reason", OTConvergedReasons[reason]));
    H5Fclose(file);
  }
  PetscCall(PetscPrintf(comm, "OT %s: n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", eta = %g: %s, %" PetscInt_FMT " Sinkhorn + %" PetscInt_FMT " Newton iterations, marginal error %.3e, transport cost %.12g, %.3f s\n", type, n, m, (double)eta, OTConvergedReasons[reason], sits, nits, (double)err, (double)cost, (double)time));
  PetscCall(VecDestroy(&x0));
  PetscCall(VecDestroy(&y0));
  PetscCall(MatDestroy(&P));
  PetscCall(MatDestroy(&C));
  PetscCall(MatDestroy(&X));
  PetscCall(MatDestroy(&Y));
  PetscCall(VecDestroy(&r));
  PetscCall(VecDestroy(&c));
  PetscCall(OTDestroy(&ot));
  PetscCall(PetscFinalize());
  return reason > 0 ? 0 : 2;
}
