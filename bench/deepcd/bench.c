static const char help[] = "Benchmark: pressure Poisson with a solid obstacle (2-D and 3-D) solved by deepcd, CG,\n"
                           "CG+ICC(0), CG+GAMG and CG+hypre BoomerAMG, side by side in one run.\n"
                           "  -sizes2d <128,256,512>  2-D grid sizes       -sizes3d <32,64>  3-D grid sizes\n"
                           "  -rtols <1e-4,1e-6>      relative tolerances  -obstacle <disc>  obstacle\n"
                           "  -model2d FILE -model3d FILE  deepcd models (default: the shipped ones)\n"
                           "  -repeat <2>             solves per entry; the fastest is reported\n"
                           "  -deepcd_max_it <500>    iteration cap for deepcd, which can stagnate\n\n";

#include <unistd.h>
#include <krylearn.h>

#define NSOLVERS 5
static const char *names[NSOLVERS] = {"deepcd", "CG", "CG+ICC(0)", "CG+GAMG", "CG+BoomerAMG"};

static PetscErrorCode Configure(KSP ksp, PetscInt s, const char model[])
{
  PC          pc;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)ksp), &size));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(KSPSetType(ksp, s == 0 ? KSPDEEPCD : KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  switch (s) {
  case 0:
    PetscCall(PCSetType(pc, PCNONE));
    if (model[0]) PetscCall(KSPDeepCDSetModel(ksp, model));
    break;
  case 1:
    PetscCall(PCSetType(pc, PCNONE));
    break;
  case 2:
    if (size == 1) PetscCall(PCSetType(pc, PCICC));
    else {
      PetscCall(PCSetType(pc, PCBJACOBI));
      PetscCall(PetscOptionsSetValue(NULL, "-sub_pc_type", "icc"));
    }
    break;
  case 3:
    PetscCall(PCSetType(pc, PCGAMG));
    break;
  case 4:
    PetscCall(PCSetType(pc, PCHYPRE));
    PetscCall(PCHYPRESetType(pc, "boomeramg"));
    break;
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt         sizes[2][8] = {{128, 256, 512}, {32, 64}}, nsizes[2] = {3, 2}, nrtol = 2, repeat = 2, dmaxit = 500;
  PetscReal        rtols[8] = {1e-4, 1e-6};
  KrylearnObstacle obstacle = KRYLEARN_OBSTACLE_DISC;
  char             model[2][PETSC_MAX_PATH_LEN] = {"", ""}, blas[PETSC_MAX_PATH_LEN] = "unknown";
  PetscMPIInt      size;
  ssize_t          len;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "deepcd benchmark", NULL);
  for (PetscInt d = 0; d < 2; d++) {
    PetscInt  nmax = 8;
    PetscBool flg;

    PetscCall(PetscOptionsIntArray(d ? "-sizes3d" : "-sizes2d", "Grid sizes", NULL, sizes[d], &nmax, &flg));
    if (flg) nsizes[d] = nmax;
  }
  {
    PetscInt  nmax = 8;
    PetscBool flg;

    PetscCall(PetscOptionsRealArray("-rtols", "Relative tolerances", NULL, rtols, &nmax, &flg));
    if (flg) nrtol = nmax;
  }
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscCall(PetscOptionsInt("-deepcd_max_it", "Iteration cap for deepcd (it can stagnate)", NULL, dmaxit, &dmaxit, NULL));
  PetscCall(PetscOptionsInt("-repeat", "Solves per entry (fastest reported)", NULL, repeat, &repeat, NULL));
  PetscCall(PetscOptionsString("-model2d", "deepcd model for 2-D", NULL, model[0], model[0], sizeof(model[0]), NULL));
  PetscCall(PetscOptionsString("-model3d", "deepcd model for 3-D", NULL, model[1], model[1], sizeof(model[1]), NULL));
  PetscOptionsEnd();

  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  len = readlink("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", blas, sizeof(blas) - 1);
  if (len > 0) blas[len] = 0;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd benchmark: pressure Poisson, obstacle %s, open boundary, unscaled stencil, b = plume source\n", KrylearnObstacles[obstacle]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# MPI processes %d, BLAS %s, OMP_NUM_THREADS=%s, OPENBLAS_NUM_THREADS=%s\n", size, blas, getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "unset", getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "unset"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd models: 2-D %s, 3-D %s\n", model[0][0] ? model[0] : "shipped default", model[1][0] ? model[1] : "shipped default"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# stopping test: unpreconditioned residual norm, ||b - Ax|| <= rtol ||b||, zero initial guess, %" PetscInt_FMT " repeat(s), fastest kept, deepcd capped at %" PetscInt_FMT " iterations\n# time = setup (model load / factorisation / hierarchy) + solve, wall seconds; ratio = time / CG+GAMG time\n", repeat, dmaxit));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| grid | rtol | solver | iterations | setup s | solve s | time s | ratio to GAMG | true rel. residual |\n|---|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt dim = 2; dim <= 3; dim++) {
    for (PetscInt is = 0; is < nsizes[dim - 2]; is++) {
      PetscInt  n[3] = {sizes[dim - 2][is], sizes[dim - 2][is], sizes[dim - 2][is]};
      DM        da;
      Mat       A;
      Vec       b, x, r;
      PetscReal bnorm;
      char      grid[64];

      PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, PETSC_FALSE, PETSC_FALSE, &da, &A, &b));
      PetscCall(VecDuplicate(b, &x));
      PetscCall(VecDuplicate(b, &r));
      PetscCall(VecNorm(b, NORM_2, &bnorm));
      PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", n[0]));
      for (PetscInt it = 0; it < nrtol; it++) {
        PetscLogDouble     setup[NSOLVERS], solve[NSOLVERS];
        PetscInt           its[NSOLVERS];
        PetscReal          res[NSOLVERS];
        KSPConvergedReason reason[NSOLVERS];

        for (PetscInt s = 0; s < NSOLVERS; s++) {
          setup[s] = solve[s] = PETSC_MAX_REAL;
          for (PetscInt rep = 0; rep < repeat; rep++) {
            KSP            ksp;
            PetscLogDouble t0, t1, t2;

            PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
            PetscCall(KSPSetOperators(ksp, A, A));
            PetscCall(KSPSetDM(ksp, da));
            PetscCall(KSPSetDMActive(ksp, PETSC_FALSE));
            PetscCall(Configure(ksp, s, model[dim - 2]));
            PetscCall(KSPSetTolerances(ksp, rtols[it], 1e-50, PETSC_DEFAULT, s == 0 ? dmaxit : 100000));
            PetscCall(KSPSetFromOptions(ksp));
            PetscCall(VecSet(x, 0.0));
            PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
            PetscCall(PetscTime(&t0));
            PetscCall(KSPSetUp(ksp));
            PetscCall(PetscTime(&t1));
            PetscCall(KSPSolve(ksp, b, x));
            PetscCall(PetscTime(&t2));
            PetscCall(KSPGetIterationNumber(ksp, &its[s]));
            PetscCall(KSPGetConvergedReason(ksp, &reason[s]));
            PetscCall(MatMult(A, x, r));
            PetscCall(VecAYPX(r, -1.0, b));
            PetscCall(VecNorm(r, NORM_2, &res[s]));
            res[s] /= bnorm;
            if (t2 - t0 < setup[s] + solve[s]) {
              setup[s] = t1 - t0;
              solve[s] = t2 - t1;
            }
            PetscCall(KSPDestroy(&ksp));
          }
        }
        for (PetscInt s = 0; s < NSOLVERS; s++) {
          PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.0e | %s | %" PetscInt_FMT "%s | %.3f | %.3f | %.3f | %.2f | %.1e |\n", grid, (double)rtols[it], names[s], its[s], reason[s] > 0 ? "" : " (not converged)", setup[s], solve[s], setup[s] + solve[s], (setup[s] + solve[s]) / (setup[3] + solve[3]), (double)res[s]));
        }
      }
      PetscCall(VecDestroy(&x));
      PetscCall(VecDestroy(&r));
      PetscCall(VecDestroy(&b));
      PetscCall(MatDestroy(&A));
      PetscCall(DMDestroy(&da));
    }
  }
  PetscCall(PetscFinalize());
  return 0;
}
