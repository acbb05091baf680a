static const char help[] = "Benchmark: one deepcd direction application (the network and the hybrid cycle around it, the\n"
                           "shipped model, timed as KSPDeepCDGetInferenceTime counts it inside KSPSolve) on the pressure\n"
                           "problem with an obstacle, at 1 rank with 1 and with 2 OpenMP threads and, under mpiexec -n 2, at\n"
                           "2 ranks of 1 thread each, side by side in one process run: the configurations solve in turns, and\n"
                           "the fastest solve's mean time per application is kept for each.\n"
                           "  -sizes2d <1024>  2-D grid sizes     -sizes3d <128>  3-D grid sizes\n"
                           "  -repeat <5>      solves per configuration   -its <6>  iterations (applications) per solve\n"
                           "  -obstacle <disc> obstacle\n"
                           "Run as OMP_NUM_THREADS=1 mpiexec -n 2 --bind-to none build/bench/deepcd/directions: the 1-rank\n"
                           "configurations run on rank 0 while rank 1 sleeps, so they have the machine's first two cores; the\n"
                           "2-thread one sets its threads itself, while OpenBLAS keeps the 1 of OMP_NUM_THREADS (its own threads\n"
                           "spin between calls and would take cores from deepcd's).\n\n";

#include <omp.h>
#include <krylearn.h>
#include "benchcommon.h"

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

/* A KSPDEEPCD of the problem's operator, set up with the given OpenMP threads per rank */
static PetscErrorCode CreateSolver(DM da, Mat A, PetscInt its, int threads, KSP *ksp)
{
  const int saved = omp_get_max_threads();

  PetscFunctionBegin;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)A), ksp));
  PetscCall(KSPSetDM(*ksp, da));
  PetscCall(KSPSetDMActive(*ksp, PETSC_FALSE));
  PetscCall(KSPSetOperators(*ksp, A, A));
  PetscCall(KSPSetType(*ksp, KSPDEEPCD));
  PetscCall(KSPSetTolerances(*ksp, 1e-30, 0.0, PETSC_DEFAULT, its)); /* every solve makes its iterations */
  omp_set_num_threads(threads);                                      /* deepcd takes its thread count at its first set-up */
  PetscCall(KSPSetUp(*ksp));
  omp_set_num_threads(saved);
  PetscFunctionReturn(0);
}

/* The slowest rank's mean time per direction application in one solve */
static PetscErrorCode TimeSolve(KSP ksp, Vec b, Vec x, PetscLogDouble *t)
{
  PetscInt       n0, n1;
  PetscLogDouble t0, t1, dt;

  PetscFunctionBegin;
  PetscCall(VecSet(x, 0.0));
  PetscCall(KSPDeepCDGetInferenceTime(ksp, &n0, &t0));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPDeepCDGetInferenceTime(ksp, &n1, &t1));
  PetscCheck(n1 > n0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_PLIB, "no direction applied");
  dt = (t1 - t0) / (n1 - n0);
  PetscCallMPI(MPI_Allreduce(&dt, t, 1, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)ksp)));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt         sizes[2][MAXSIZES] = {{1024}, {128}}, nsizes[2] = {1, 1}, repeat = 5, its = 6;
  KrylearnObstacle obstacle = KRYLEARN_OBSTACLE_DISC;
  PetscMPIInt      size, rank;
  char             blas[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "deepcd direction benchmark", NULL);
  BenchOptionsSizes(sizes, nsizes);
  PetscCall(PetscOptionsInt("-repeat", "Solves per configuration (fastest kept)", NULL, repeat, &repeat, NULL));
  PetscCall(PetscOptionsInt("-its", "Iterations (direction applications) per solve", NULL, its, &its, NULL));
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscOptionsEnd();
  PetscCheck(repeat > 0 && its > 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-repeat %" PetscInt_FMT " -its %" PetscInt_FMT ": at least one solve of one iteration", repeat, its);
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCheck(size <= 2, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "run at 1 or 2 ranks (%d)", (int)size);
  PetscCheck(rank || omp_get_num_procs() >= 2, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "rank 0 may run on %d core(s): 2 threads need 2 (mpiexec --bind-to none)", omp_get_num_procs());

  BenchBLAS(blas, sizeof(blas));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd direction benchmark: one direction application in KSPSolve (shipped model), pressure Poisson, obstacle %s\n", KrylearnObstacles[obstacle]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# MPI processes %d, cores %ld, BLAS %s, OPENBLAS_NUM_THREADS=%s; %" PetscInt_FMT " solves of %" PetscInt_FMT " iterations per configuration, taken in turns, the fastest solve's mean per application kept\n", (int)size, sysconf(_SC_NPROCESSORS_ONLN), blas, getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "unset", repeat, its));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| grid | 1 rank, 1 thread s | 1 rank, 2 threads s | speed-up | 2 ranks s | speed-up |\n|---|---|---|---|---|---|\n"));
  for (PetscInt dim = 2; dim <= 3; dim++)
    for (PetscInt is = 0; is < nsizes[dim - 2]; is++) {
      const PetscInt n[3]    = {sizes[dim - 2][is], sizes[dim - 2][is], sizes[dim - 2][is]};
      PetscLogDouble best[3] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, t;
      DM             da[2]   = {NULL, NULL};
      Mat            A[2]    = {NULL, NULL};
      Vec            b[2] = {NULL, NULL}, y[2] = {NULL, NULL};
      KSP            ksp[3] = {NULL, NULL, NULL}; /* 1 rank 1 thread, 1 rank 2 threads, 2 ranks */
      char           grid[64];

      if (!rank) {
        PetscCall(KrylearnPressureCreate(PETSC_COMM_SELF, dim, n, obstacle, NULL, PETSC_FALSE, PETSC_FALSE, &da[0], &A[0], &b[0]));
        PetscCall(VecDuplicate(b[0], &y[0]));
        PetscCall(CreateSolver(da[0], A[0], its, 1, &ksp[0]));
        PetscCall(CreateSolver(da[0], A[0], its, 2, &ksp[1]));
      }
      if (size == 2) {
        PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, NULL, PETSC_FALSE, PETSC_FALSE, &da[1], &A[1], &b[1]));
        PetscCall(VecDuplicate(b[1], &y[1]));
        PetscCall(CreateSolver(da[1], A[1], its, 1, &ksp[2]));
      }
      for (PetscInt k = 0; k < repeat; k++) {
        if (!rank)
          for (PetscInt c = 0; c < 2; c++) {
            PetscCall(TimeSolve(ksp[c], b[0], y[0], &t));
            best[c] = PetscMin(best[c], t);
          }
        PetscCall(SleepingBarrier(PETSC_COMM_WORLD));
        if (size == 2) {
          PetscCall(TimeSolve(ksp[2], b[1], y[1], &t));
          best[2] = PetscMin(best[2], t);
        }
      }
      PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", n[0]));
      if (size == 2) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.4f | %.4f | %.2f | %.4f | %.2f |\n", grid, best[0], best[1], best[0] / best[1], best[2], best[0] / best[2]));
      else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.4f | %.4f | %.2f | | |\n", grid, best[0], best[1], best[0] / best[1]));
      for (PetscInt c = 0; c < 3; c++) PetscCall(KSPDestroy(&ksp[c]));
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
