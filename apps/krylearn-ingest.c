static const char help[] = "Krylearn matrix ingestion.\n\n"
                           "  krylearn-ingest info FILE[:PATH] [-balance] describe the matrix; -balance adds a Sinkhorn-Newton balancing\n"
                           "                                              report (options -balance_*: see KrylearnBalanceSetFromOptions)\n"
                           "  krylearn-ingest convert FILE[:PATH] OUT     write OUT: HDF5 in the layout PETSc's MatLoad reads\n"
                           "                                              when OUT ends in .h5 (group from OUT:GROUP, default /A),\n"
                           "                                              PETSc binary otherwise\n"
                           "PATH is the HDF5 group of a sparse matrix or the path of a 2-D dataset (dense); Matrix Market\n"
                           "files end in .mtx. Option -ingest_layout <auto,petsc,matlab,csr,csc,coo,dense,mtx> forces a layout.\n\n";

#include <krylearn.h>

static PetscErrorCode Info(Mat A, const char file[], const char path[])
{
  PetscInt         M, N, dim, n[3];
  MatInfo          info;
  PetscReal        norm;
  PetscBool        symmetric = PETSC_FALSE;
  KrylearnIOLayout layout;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
  PetscCall(MatNorm(A, NORM_FROBENIUS, &norm));
  PetscCall(KrylearnMatIsSymmetric(A, &symmetric));
  PetscCall(KrylearnMatGetLayout(A, &layout));
  PetscCall(KrylearnMatGetGrid(A, &dim, n));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "file:      %s\n", file));
  if (layout != KRYLEARN_IO_LAYOUT_MTX) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "path:      %s\n", path[0] ? path : "/"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "layout:    %s\n", KrylearnIOLayouts[layout]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "rows:      %" PetscInt_FMT "\n", M));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "columns:   %" PetscInt_FMT "\n", N));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "nonzeros:  %.0f\n", info.nz_used));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "symmetric: %s\n", symmetric ? "yes" : "no"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "frobenius: %.12g\n", (double)norm));
  if (dim == 2) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      %" PetscInt_FMT " x %" PetscInt_FMT "\n", n[0], n[1]));
  else if (dim == 3) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT "\n", n[0], n[1], n[2]));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      none\n"));
  PetscFunctionReturn(0);
}

/* Over the local rows: smallest and largest |a_ij| of the nonzeros and row 1-norm. */
static PetscErrorCode LocalRange(Mat A, PetscReal lo[2], PetscReal hi[2])
{
  PetscInt rstart, rend;

  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; i++) {
    const PetscScalar *vals;
    PetscInt           nc;
    PetscReal          norm = 0;
    PetscCall(MatGetRow(A, i, &nc, NULL, &vals));
    for (PetscInt k = 0; k < nc; k++) {
      const PetscReal a = PetscAbsScalar(vals[k]);
      norm += a;
      if (a > 0) {
        lo[0] = PetscMin(lo[0], a);
        hi[0] = PetscMax(hi[0], a);
      }
    }
    PetscCall(MatRestoreRow(A, i, &nc, NULL, &vals));
    if (norm > 0) {
      lo[1] = PetscMin(lo[1], norm);
      hi[1] = PetscMax(hi[1], norm);
    }
  }
  PetscFunctionReturn(0);
}

/* Spread (largest / smallest) of the nonzeros' magnitudes, the row 1-norms and the column
   1-norms: a cheap proxy for how badly scaled the matrix is. */
static PetscErrorCode ScalingSpread(Mat A, PetscReal spread[3])
{
  PetscReal lo[4] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[4] = {0, 0, 0, 0};
  Mat       At;

  PetscFunctionBegin;
  PetscCall(LocalRange(A, lo, hi));
  PetscCall(MatTranspose(A, MAT_INITIAL_MATRIX, &At));
  PetscCall(LocalRange(At, lo + 2, hi + 2));
  PetscCall(MatDestroy(&At));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, lo, 4, MPIU_REAL, MPIU_MIN, PetscObjectComm((PetscObject)A)));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, hi, 4, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)A)));
  spread[0] = hi[0] / lo[0];
  spread[1] = hi[1] / lo[1];
  spread[2] = hi[3] / lo[3];
  PetscFunctionReturn(0);
}

/* Balances A and reports the scalings and the spreads before and after. */
static PetscErrorCode BalanceReport(Mat A)
{
  KrylearnBalance                bal;
  KrylearnBalanceConvergedReason reason;
  PetscReal                      before[3], after[3], err, smin, smax;
  PetscInt                       sweeps, newton;
  PetscLogDouble                 t0, t1;
  Vec                            r, c;
  Mat                            B;

  PetscFunctionBegin;
  PetscCall(KrylearnBalanceCreate(PETSC_COMM_WORLD, &bal));
  PetscCall(KrylearnBalanceSetOperator(bal, A));
  PetscCall(KrylearnBalanceSetFromOptions(bal));
  PetscCall(PetscTime(&t0));
  PetscCall(KrylearnBalanceSolve(bal));
  PetscCall(PetscTime(&t1));
  PetscCall(KrylearnBalanceGetConvergedReason(bal, &reason));
  PetscCall(KrylearnBalanceGetIterationNumbers(bal, &sweeps, &newton));
  PetscCall(KrylearnBalanceGetMarginalError(bal, &err));
  PetscCall(KrylearnBalanceGetScalingRange(bal, &smin, &smax));
  PetscCall(KrylearnBalanceGetScalings(bal, &r, &c));
  PetscCall(MatDuplicate(A, MAT_COPY_VALUES, &B));
  PetscCall(MatDiagonalScale(B, r, c));
  PetscCall(ScalingSpread(A, before));
  PetscCall(ScalingSpread(B, after));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "balance:   %s, %" PetscInt_FMT " Sinkhorn sweeps + %" PetscInt_FMT " Newton steps, marginal error %.3e, %.3f s\n", KrylearnBalanceConvergedReasons[reason], sweeps, newton, (double)err, (double)(t1 - t0)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "scalings:  [%.3e, %.3e]\n", (double)smin, (double)smax));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "spread (largest / smallest)   before      after\n"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  |a_ij| of the nonzeros      %.3e   %.3e\n", (double)before[0], (double)after[0]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  row 1-norms                 %.3e   %.3e\n", (double)before[1], (double)after[1]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  column 1-norms              %.3e   %.3e\n", (double)before[2], (double)after[2]));
  PetscCall(MatDestroy(&B));
  PetscCall(KrylearnBalanceDestroy(&bal));
  PetscFunctionReturn(0);
}

static PetscErrorCode Convert(Mat A, const char out[])
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN];
  PetscBool h5;

  PetscFunctionBegin;
  PetscCall(KrylearnIOSplitPath(out, PETSC_FALSE, "/A", file, group));
  PetscCall(PetscStrendswith(file, ".h5", &h5));
  if (h5) PetscCall(KrylearnMatWriteHDF5(A, file, group));
  else {
    PetscViewer viewer;
    PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_WRITE, &viewer));
    PetscCall(PetscViewerBinarySetSkipInfo(viewer, PETSC_TRUE));
    PetscCall(MatView(A, viewer));
    PetscCall(PetscViewerDestroy(&viewer));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  PetscBool info, convert;
  Mat       A;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  info    = (PetscBool)(argc >= 3 && !strcmp(argv[1], "info"));
  convert = (PetscBool)(argc >= 4 && !strcmp(argv[1], "convert"));
  PetscCheck(info || convert, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Usage: krylearn-ingest info FILE[:PATH] | convert FILE[:PATH] OUT (see -help)");
  PetscCall(KrylearnIOSplitPath(argv[2], PETSC_TRUE, "", file, path));
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, path, &A));
  if (info) {
    PetscBool balance = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-balance", &balance, NULL));
    PetscCall(Info(A, file, path));
    if (balance) PetscCall(BalanceReport(A));
  } else PetscCall(Convert(A, argv[3]));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return 0;
}
