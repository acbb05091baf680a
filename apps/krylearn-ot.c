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

/* A matrix of the input (a dense 2-D dataset or a sparse group in any layout KrylearnMatLoad reads) as the
   Mat type the solver takes: dense stays dense (entries not stored in the file are zeros). */
static PetscErrorCode LoadMatrix(MPI_Comm comm, const char *in, const char *name, PetscBool dense, Mat *A)
{
  PetscFunctionBegin;
  PetscCall(KrylearnMatLoad(comm, in, name, A));
  if (dense) PetscCall(MatConvert(*A, MATDENSE, MAT_INPLACE_MATRIX, A));
  PetscFunctionReturn(0);
}

/* A sparse cost holds each (row, column) once: the loader sums repeated entries (as scipy does), which
   for a cost would be a silent change, so fewer assembled than stored entries is an error. */
static PetscErrorCode CheckRepeated(KrylearnH5File f, const char *in, Mat C)
{
  const char      *stored[] = {NULL, "C/ir", "C/ir", "C/indices", "C/indices", "C/row"};
  KrylearnIOLayout layout;
  MatInfo          info;
  PetscInt64       dims[KRYLEARN_H5_MAX_DIM];
  int              ndim;

  PetscFunctionBegin;
  PetscCall(KrylearnMatGetLayout(C, &layout));
  if (layout < KRYLEARN_IO_LAYOUT_PETSC || layout > KRYLEARN_IO_LAYOUT_COO) PetscFunctionReturn(0);
  PetscCall(KrylearnH5FileGetDataset(f, stored[layout], KRYLEARN_H5_INT64, 1, &ndim, dims));
  PetscCall(MatGetInfo(C, MAT_GLOBAL_SUM, &info));
  PetscCheck((PetscInt64)info.nz_used >= dims[0], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the sparse cost C stores %" PetscInt64_FMT " entries but only %" PetscInt64_FMT " distinct (row, column) pairs: a cost entry is given twice", in, dims[0],
             (PetscInt64)info.nz_used);
  PetscFunctionReturn(0);
}

/* Weights NAME laid out like the rows of A (length len), or uniform 1/len when absent. */
static PetscErrorCode LoadWeights(KrylearnH5File f, const char *in, const char *name, const char *against, Mat A, Vec *w)
{
  KrylearnH5Object type;
  PetscInt         len;
  PetscInt64       dims[KRYLEARN_H5_MAX_DIM];
  int              ndim;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &len, NULL));
  PetscCall(KrylearnH5FileGetObject(f, name, &type));
  if (type == KRYLEARN_H5_NONE) {
    PetscCall(MatCreateVecs(A, NULL, w));
    PetscCall(VecSet(*w, 1.0 / len));
  } else {
    PetscCall(KrylearnH5FileGetDataset(f, name, KRYLEARN_H5_REAL, 2, &ndim, dims));
    PetscCheck(ndim == 1 && dims[0] == len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: weights %s have shape (%" PetscInt64_FMT "%s) but %s has %" PetscInt_FMT " entries", in, name, ndim ? dims[0] : 1, ndim == 2 ? ", ..." : "", against, len);
    PetscCall(KrylearnVecLoad(A, in, name, w));
  }
  PetscCall(PetscObjectSetName((PetscObject)*w, name));
  PetscFunctionReturn(0);
}

/* What the program writes besides the plan (the potentials gathered on rank 0) */
typedef struct {
  Vec               x0, y0;
  OTType            type;
  PetscReal         eta, cost, err, time;
  PetscInt64        its[2]; /* Sinkhorn, Newton */
  OTConvergedReason reason;
} Results;

/* x, y and the attributes, written by rank 0 after the plan */
static PetscErrorCode WriteResults(KrylearnH5File f, void *ctx)
{
  const Results     *res = (const Results *)ctx;
  const PetscScalar *a;
  PetscInt           n, m;
  PetscInt64         n64, m64;

  PetscFunctionBegin;
  PetscCall(VecGetSize(res->x0, &n));
  PetscCall(VecGetSize(res->y0, &m));
  n64 = n;
  m64 = m;
  PetscCall(VecGetArrayRead(res->x0, &a));
  PetscCall(KrylearnH5FileWriteDataset(f, "x", KRYLEARN_H5_REAL, 1, &n64, a));
  PetscCall(VecRestoreArrayRead(res->x0, &a));
  PetscCall(VecGetArrayRead(res->y0, &a));
  PetscCall(KrylearnH5FileWriteDataset(f, "y", KRYLEARN_H5_REAL, 1, &m64, a));
  PetscCall(VecRestoreArrayRead(res->y0, &a));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "eta", KRYLEARN_H5_REAL, 1, &res->eta));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "transport_cost", KRYLEARN_H5_REAL, 1, &res->cost));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "marginal_error", KRYLEARN_H5_REAL, 1, &res->err));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "sinkhorn_iterations", KRYLEARN_H5_INT64, 1, &res->its[0]));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "newton_iterations", KRYLEARN_H5_INT64, 1, &res->its[1]));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "time", KRYLEARN_H5_REAL, 1, &res->time));
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "type", res->type));
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "converged_reason", OTConvergedReasons[res->reason]));
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

int main(int argc, char **argv)
{
  MPI_Comm          comm;
  char              in[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "";
  PetscBool         writeplan = PETSC_TRUE, denseplan, regular;
  const char       *why;
  PetscInt          n, m, d, dy, sits, nits, densemax = 1000000;
  PetscReal         droptol = 1e-14, eta, cost, err, time, mass;
  KrylearnH5File    file;
  KrylearnH5Object  Ctype, Xtype, Ytype;
  Mat               C = NULL, Ct, X = NULL, Y = NULL, P = NULL;
  Vec               r, c, x, y, x0, y0;
  OT                ot;
  OTType            type;
  OTConvergedReason reason;

  if (argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(in, argv[1], sizeof(in)));
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  comm = PETSC_COMM_WORLD;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", out, sizeof(out), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-plan_dense_max", &densemax, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-plan_drop_tol", &droptol, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-plan_write", &writeplan, NULL));
  PetscCheck(densemax >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-plan_dense_max %" PetscInt_FMT ": the size must be non-negative", densemax);
  PetscCheck(droptol >= 0 && droptol < PETSC_MAX_REAL, comm, PETSC_ERR_ARG_OUTOFRANGE, "-plan_drop_tol %g: the drop tolerance must be non-negative and finite", (double)droptol);
  PetscCheck(in[0] && out[0], comm, PETSC_ERR_USER_INPUT, "Usage: krylearn-ot IN.h5 -o OUT.h5 [options] (see -help)");

  PetscCall(KrylearnIOTestRegularFile(in, &regular, &why));
  PetscCheck(regular, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s: %s", in, why); /* the same test on every rank */
  PetscCall(KrylearnH5FileOpen(comm, in, NULL, KRYLEARN_H5_READ, &file));
  PetscCall(KrylearnH5FileGetObject(file, "C", &Ctype));
  PetscCall(KrylearnH5FileGetObject(file, "X", &Xtype));
  PetscCall(KrylearnH5FileGetObject(file, "Y", &Ytype));
  PetscCall(OTCreate(comm, &ot));
  PetscCall(PetscObjectSetName((PetscObject)ot, in)); /* errors about the marginals name the file */
  if (Ctype != KRYLEARN_H5_NONE) {
    PetscCall(LoadMatrix(comm, in, "/C", (PetscBool)(Ctype == KRYLEARN_H5_DATASET), &C));
    if (Ctype == KRYLEARN_H5_GROUP) PetscCall(CheckRepeated(file, in, C));
    PetscCall(MatGetSize(C, &n, &m));
    PetscCall(MatCreateTranspose(C, &Ct)); /* its rows are laid out like C's columns */
    PetscCall(LoadWeights(file, in, "r", "the number of rows of C", C, &r));
    PetscCall(LoadWeights(file, in, "c", "the number of columns of C", Ct, &c));
    PetscCall(MatDestroy(&Ct));
    PetscCall(OTSetCostMatrix(ot, C));
  } else {
    PetscCheck(Xtype == KRYLEARN_H5_DATASET && Ytype == KRYLEARN_H5_DATASET, comm, PETSC_ERR_FILE_UNEXPECTED, "%s holds neither a cost C nor the point clouds X and Y", in);
    PetscCall(LoadMatrix(comm, in, "/X", PETSC_TRUE, &X));
    PetscCall(LoadMatrix(comm, in, "/Y", PETSC_TRUE, &Y));
    PetscCall(MatGetSize(X, &n, &d));
    PetscCall(MatGetSize(Y, &m, &dy));
    PetscCheck(d == dy, comm, PETSC_ERR_ARG_SIZ, "%s: X is %" PetscInt_FMT " x %" PetscInt_FMT " but Y is %" PetscInt_FMT " x %" PetscInt_FMT ": the dimensions differ", in, n, d, m, dy);
    PetscCall(LoadWeights(file, in, "a", "X", X, &r));
    PetscCall(LoadWeights(file, in, "b", "Y", Y, &c));
    PetscCall(OTSetPointClouds(ot, X, Y));
  }
  PetscCall(KrylearnH5FileClose(&file));
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
  if (writeplan) {
    PetscCall(OTGetPlan(ot, denseplan ? MATDENSE : MATAIJ, droptol * mass, &P));
    if (denseplan) PetscCall(KrylearnMatWriteDenseHDF5(P, out, "/P"));
    else PetscCall(KrylearnMatWriteHDF5(P, out, "/P"));
  }
  PetscCall(GatherVec(x, &x0));
  PetscCall(GatherVec(y, &y0));
  {
    Results res = {
      x0, y0, type, eta, cost, err, time, {sits, nits},
             reason
    };
    /* the file holds the plan already when there is one */
    PetscCall(KrylearnH5FileWriteOnRank(comm, 0, out, NULL, writeplan ? KRYLEARN_H5_APPEND : KRYLEARN_H5_WRITE, WriteResults, &res, "%s: cannot write the results", out));
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
