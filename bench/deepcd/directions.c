static const char help[] = "Benchmark: one deepcd direction (PCApply of PCDEEPCD: the hybrid cycle around the network, the\n"
                           "shipped model) on the pressure problem with an obstacle, at 1 rank with 1 and with 2 OpenMP\n"
                           "threads and, under mpiexec -n 2, at 2 ranks of 1 thread each, side by side in one process run:\n"
                           "the configurations take turns, the fastest of each one's applications is kept.\n"
                           "  -sizes2d <1024>  2-D grid sizes     -sizes3d <128>  3-D grid sizes\n"
                           "  -repeat <20>     applications per configuration\n"
                           "  -obstacle <disc> obstacle\n"
                           "Run as OMP_NUM_THREADS=1 mpiexec -n 2 --bind-to none build/bench/deepcd/directions: the 1-rank\n"
                           "configurations run on rank 0 while rank 1 sleeps, so they have the machine's first two cores.\n\n";

#include <omp.h>
#include <unistd.h>
#include <krylearn.h>

#define MAXSIZES 8

/* A barrier that sleeps instead of polling, so that a waiting rank leaves its core to the
   threads of the others */
static PetscErrorCode SleepingBarrier(MPI_Comm comm)
{
  MPI_Request req;
  int         done = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Ibarrier(comm, &req));
  while (!done) {
    PetscCallMPI(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    if (!done) usleep(200);
  }
  PetscFunctionReturn(0);
}

/* A PCDEEPCD of the problem's operator, set up with the given OpenMP threads per rank */
static PetscErrorCode CreateDirection(DM da, Mat A, int threads, PC *pc)
{
  const int saved = omp_get_max_threads();

  PetscFunctionBegin;
  PetscCall(PCCreate(PetscObjectComm((PetscObject)A), pc));
  PetscCall(PCSetDM(*pc, da));
  PetscCall(PCSetOperators(*pc, A, A));
  PetscCall(PCSetType(*pc, PCDEEPCD));
  omp_set_num_threads(threads); /* deepcd takes its thread count at its first set-up */
  PetscCall(PCSetUp(*pc));
  omp_set_num_threads(saved);
  PetscFunctionReturn(0);
}

/* The slowest rank's time of one application */
static PetscErrorCode TimeApply(PC pc, Vec b, Vec y, PetscLogDouble *t)
{
  PetscLogDouble t0, t1, dt;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Barrier(PetscObjectComm((PetscObject)pc)));
  PetscCall(PetscTime(&t0));
  PetscCall(PCApply(pc, b, y));
  PetscCall(PetscTime(&t1));
  dt = t1 - t0;
  PetscCallMPI(MPI_Allreduce(&dt, t, 1, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)pc)));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt         sizes[2][MAXSIZES] = {{1024}, {128}}, nsizes[2] = {1, 1}, repeat = 20;
  KrylearnObstacle obstacle = KRYLEARN_OBSTACLE_DISC;
  PetscMPIInt      size, rank;
  char             blas[PETSC_MAX_PATH_LEN] = "unknown";
  ssize_t          len;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "deepcd direction benchmark", NULL);
  for (PetscInt d = 0; d < 2; d++) {
    PetscInt  nmax = MAXSIZES;
    PetscBool flg;

    PetscCall(PetscOptionsIntArray(d ? "-sizes3d" : "-sizes2d", "Grid sizes", NULL, sizes[d], &nmax, &flg));
    if (flg) nsizes[d] = nmax;
  }
  PetscCall(PetscOptionsInt("-repeat", "Applications per configuration (fastest kept)", NULL, repeat, &repeat, NULL));
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscOptionsEnd();
  PetscCheck(repeat > 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-repeat %" PetscInt_FMT ": at least one application", repeat);
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCheck(size <= 2, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "run at 1 or 2 ranks (%d)", (int)size);
  PetscCheck(rank || omp_get_num_procs() >= 2, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "rank 0 may run on %d core(s): 2 threads need 2 (mpiexec --bind-to none)", omp_get_num_procs());

  len = readlink("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", blas, sizeof(blas) - 1);
  if (len > 0) blas[len] = 0;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd direction benchmark: PCApply of PCDEEPCD (shipped model), pressure Poisson, obstacle %s\n", KrylearnObstacles[obstacle]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# MPI processes %d, cores %ld, BLAS %s, OPENBLAS_NUM_THREADS=%s; fastest of %" PetscInt_FMT " applications per configuration, taken in turns\n", (int)size, sysconf(_SC_NPROCESSORS_ONLN), blas, getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "unset", repeat));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| grid | 1 rank, 1 thread s | 1 rank, 2 threads s | speed-up | 2 ranks s | speed-up |\n|---|---|---|---|---|---|\n"));
  for (PetscInt dim = 2; dim <= 3; dim++)
    for (PetscInt is = 0; is < nsizes[dim - 2]; is++) {
      const PetscInt n[3]    = {sizes[dim - 2][is], sizes[dim - 2][is], sizes[dim - 2][is]};
      PetscLogDouble best[3] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, t;
      DM             da[2]   = {NULL, NULL};
      Mat            A[2]    = {NULL, NULL};
      Vec            b[2] = {NULL, NULL}, y[2] = {NULL, NULL};
      PC             pc[3] = {NULL, NULL, NULL}; /* 1 rank 1 thread, 1 rank 2 threads, 2 ranks */
      char           grid[64];

      if (!rank) {
        PetscCall(KrylearnPressureCreate(PETSC_COMM_SELF, dim, n, obstacle, NULL, PETSC_FALSE, PETSC_FALSE, &da[0], &A[0], &b[0]));
        PetscCall(VecDuplicate(b[0], &y[0]));
        PetscCall(CreateDirection(da[0], A[0], 1, &pc[0]));
        PetscCall(CreateDirection(da[0], A[0], 2, &pc[1]));
      }
      if (size == 2) {
        PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, NULL, PETSC_FALSE, PETSC_FALSE, &da[1], &A[1], &b[1]));
        PetscCall(VecDuplicate(b[1], &y[1]));
        PetscCall(CreateDirection(da[1], A[1], 1, &pc[2]));
      }
      for (PetscInt k = 0; k < repeat; k++) {
        if (!rank)
          for (PetscInt c = 0; c < 2; c++) {
            PetscCall(TimeApply(pc[c], b[0], y[0], &t));
            best[c] = PetscMin(best[c], t);
          }
        PetscCall(SleepingBarrier(PETSC_COMM_WORLD));
        if (size == 2) {
          PetscCall(TimeApply(pc[2], b[1], y[1], &t));
          best[2] = PetscMin(best[2], t);
        }
      }
      PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", n[0]));
      if (size == 2) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.4f | %.4f | %.2f | %.4f | %.2f |\n", grid, best[0], best[1], best[0] / best[1], best[2], best[0] / best[2]));
      else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.4f | %.4f | %.2f | | |\n", grid, best[0], best[1], best[0] / best[1]));
      for (PetscInt c = 0; c < 3; c++) PetscCall(PCDestroy(&pc[c]));
      for (PetscInt s = 0; s < 2; s++) {
        PetscCall(VecDestroy(&y[s]));
        PetscCall(VecDestroy(&b[s]));
        PetscCall(MatDestroy(&A[s]));
        PetscCall(DMDestroy(&da[s]));
      }
    }
  PetscCall(PetscFinalize());
  return 0;
}
