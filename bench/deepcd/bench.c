static const char help[] = "Benchmark: pressure Poisson with a solid obstacle (2-D and 3-D) solved by deepcd, CG,\n"
                           "CG+ICC(0), CG+GAMG and CG+hypre BoomerAMG, side by side in one run.\n"
                           "  -sizes2d <128,256,512>  2-D grid sizes       -sizes3d <32,64>  3-D grid sizes\n"
                           "  -rtols <1e-4,1e-6>      relative tolerances  -obstacle <disc>  obstacle\n"
                           "  -model2d A[,B] -model3d A[,B]  deepcd models (default: the shipped ones; several: side by side,\n"
                           "                          the first one in the deepcd/best summary)\n"
                           "  -repeat <2>             solves per entry; the fastest is reported\n"
                           "  -deepcd_max_it <500>    iteration cap for deepcd, which can stagnate\n"
                           "  -classical <cg,icc,gamg,boomeramg>  classical solvers run (the best of them is the reference)\n"
                           "  -prune <10>             a classical solver this many times slower than the best one at a size is\n"
                           "                          not run at the larger sizes of that dimension (0: run every solver everywhere)\n"
                           "  -moving <0>             time-dependent scenario instead: this many steps of an obstacle moving across\n"
                           "                          the box, a new matrix at each step, the previous solution as initial guess\n\n";

#include <math.h>
#include <krylearn.h>
#include "benchcommon.h"

#define NCLASSICAL 4
#define MAXMODELS  4
#define MAXRTOLS   8
static const char *names[NCLASSICAL + 1] = {"deepcd", "CG", "CG+ICC(0)", "CG+GAMG", "CG+BoomerAMG"};
static const char *keys[NCLASSICAL + 1]  = {"deepcd", "cg", "icc", "gamg", "boomeramg"};

/* s = 0: deepcd with model (NULL: the shipped default); 1..4: the classical solvers */
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
    if (model) PetscCall(KSPDeepCDSetModel(ksp, model));
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

/* The time-dependent scenario: the obstacle moves across the box (its centre from 0.3 to 0.7 of
   the x axis) in steps; every step is a new matrix, solved from the previous step's solution.
   Each solver keeps its KSP and pays its set-up at every step, as in a simulation. Returns the
   time of the first deepcd model over the best classical solver's. */
static PetscErrorCode MovingObstacle(PetscInt dim, PetscInt size, PetscInt steps, PetscReal rtol, KrylearnObstacle obstacle, const PetscBool use[], PetscInt nmodels, char *const models[], PetscInt dmaxit, PetscReal *ratio)
{
  const PetscInt nsolvers = nmodels + NCLASSICAL;
  PetscInt       n[3] = {size, size, size}, its[MAXMODELS + NCLASSICAL] = {0}, best = -1;
  PetscLogDouble setup[MAXMODELS + NCLASSICAL] = {0}, solve[MAXMODELS + NCLASSICAL] = {0};
  PetscBool      converged[MAXMODELS + NCLASSICAL];
  KSP            ksp[MAXMODELS + NCLASSICAL] = {NULL};
  Vec            x[MAXMODELS + NCLASSICAL]   = {NULL};
  char           grid[32];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", size));
  for (PetscInt s = 0; s < nsolvers; s++) converged[s] = PETSC_TRUE;
  for (PetscInt k = 0; k < steps; k++) {
    const PetscReal centre[3] = {0.3 + 0.4 * k / PetscMax(steps - 1, 1), obstacle == KRYLEARN_OBSTACLE_BOX ? 0.5 : 0.4, 0.5};
    DM              da;
    Mat             A;
    Vec             b;

    PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, centre, PETSC_FALSE, PETSC_FALSE, &da, &A, &b));
    for (PetscInt s = 0; s < nsolvers; s++) {
      const PetscInt     kind = s < nmodels ? 0 : s - nmodels + 1;
      PetscInt           sits;
      KSPConvergedReason reason;
      PetscLogDouble     t0, t1, t2;

      if (!use[kind]) continue;
      if (!k) {
        PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp[s]));
        PetscCall(KSPSetDM(ksp[s], da));
        PetscCall(KSPSetDMActive(ksp[s], PETSC_FALSE));
        PetscCall(Configure(ksp[s], kind, kind ? NULL : models[s]));
        PetscCall(KSPSetTolerances(ksp[s], rtol, 1e-50, PETSC_DEFAULT, kind ? 100000 : dmaxit));
        PetscCall(KSPSetFromOptions(ksp[s]));
        PetscCall(VecDuplicate(b, &x[s]));
        PetscCall(VecSet(x[s], 0.0));
      }
      PetscCall(KSPSetOperators(ksp[s], A, A));
      PetscCall(KSPSetInitialGuessNonzero(ksp[s], (PetscBool)(k > 0)));
      PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
      PetscCall(PetscTime(&t0));
      PetscCall(KSPSetUp(ksp[s]));
      PetscCall(PetscTime(&t1));
      PetscCall(KSPSolve(ksp[s], b, x[s]));
      PetscCall(PetscTime(&t2));
      PetscCall(KSPGetIterationNumber(ksp[s], &sits));
      PetscCall(KSPGetConvergedReason(ksp[s], &reason));
      setup[s] += t1 - t0;
      solve[s] += t2 - t1;
      its[s] += sits;
      converged[s] = (PetscBool)(converged[s] && reason > 0);
    }
    PetscCall(VecDestroy(&b));
    PetscCall(MatDestroy(&A));
    PetscCall(DMDestroy(&da));
  }
  for (PetscInt s = nmodels; s < nsolvers; s++)
    if (use[s - nmodels + 1] && converged[s] && (best < 0 || setup[s] + solve[s] < setup[best] + solve[best])) best = s;
  for (PetscInt s = 0; s < nsolvers; s++) {
    const PetscInt kind = s < nmodels ? 0 : s - nmodels + 1;
    char           name[32];

    if (!use[kind]) continue;
    if (kind) PetscCall(PetscStrncpy(name, names[kind], sizeof(name)));
    else PetscCall(PetscSNPrintf(name, sizeof(name), nmodels > 1 ? "deepcd [%" PetscInt_FMT "]" : "deepcd", s + 1));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.0e | %s | %" PetscInt_FMT " | %.1f%s | %.3f | %.3f | %.3f | %.2f |\n", grid, (double)rtol, name, steps, (double)its[s] / steps, converged[s] ? "" : " (not converged)", setup[s], solve[s], setup[s] + solve[s], best >= 0 ? (setup[s] + solve[s]) / (setup[best] + solve[best]) : (double)INFINITY));
    PetscCall(KSPDestroy(&ksp[s]));
    PetscCall(VecDestroy(&x[s]));
  }
  *ratio = best >= 0 && use[0] && converged[0] ? (setup[0] + solve[0]) / (setup[best] + solve[best]) : (PetscReal)INFINITY;
  if (best >= 0) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.0e | best classical: %s | | | | | | |\n", grid, (double)rtol, names[best - nmodels + 1]));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt sizes[2][MAXSIZES] =
    {
      {128, 256, 512},
      {32,   64    }
  },
           nsizes[2] = {3, 2}, nrtol = 2, repeat = 2, dmaxit = 500, nmodels[2] = {1, 1}, moving = 0;
  PetscReal        rtols[MAXRTOLS] = {1e-4, 1e-6}, worst = 0, prune = 10;
  KrylearnObstacle obstacle             = KRYLEARN_OBSTACLE_DISC;
  char            *models[2][MAXMODELS] = {{NULL}}, blas[PETSC_MAX_PATH_LEN];
  /* per dimension, size, rtol: time and iterations of each deepcd model and of the best classical solver */
  PetscLogDouble dtime[2][MAXSIZES][MAXRTOLS][MAXMODELS], btime[2][MAXSIZES][MAXRTOLS];
  PetscInt       dits[2][MAXSIZES][MAXRTOLS][MAXMODELS], bits[2][MAXSIZES][MAXRTOLS], best[2][MAXSIZES][MAXRTOLS];
  PetscBool      dconv[2][MAXSIZES][MAXRTOLS][MAXMODELS], use[NCLASSICAL + 1] = {PETSC_TRUE, PETSC_TRUE, PETSC_TRUE, PETSC_TRUE, PETSC_TRUE};
  PetscMPIInt    size;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "deepcd benchmark", NULL);
  BenchOptionsSizes(sizes, nsizes);
  {
    PetscInt  nmax = MAXRTOLS;
    PetscBool flg;

    PetscCall(PetscOptionsRealArray("-rtols", "Relative tolerances", NULL, rtols, &nmax, &flg));
    if (flg) nrtol = nmax;
  }
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscCall(PetscOptionsInt("-deepcd_max_it", "Iteration cap for deepcd (it can stagnate)", NULL, dmaxit, &dmaxit, NULL));
  PetscCall(PetscOptionsInt("-repeat", "Solves per entry (fastest reported)", NULL, repeat, &repeat, NULL));
  PetscCall(PetscOptionsReal("-prune", "A classical solver this many times slower than the best one is not run at larger sizes (0: never pruned)", NULL, prune, &prune, NULL));
  PetscCall(PetscOptionsInt("-moving", "Time-dependent scenario: steps of a moving obstacle (0: the static tables)", NULL, moving, &moving, NULL));
  PetscCheck(moving >= 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-moving %" PetscInt_FMT ": the number of steps must be non-negative", moving);
  for (PetscInt d = 0; d < 2; d++) {
    PetscInt  nmax = MAXMODELS;
    PetscBool flg;

    PetscCall(PetscOptionsStringArray(d ? "-model3d" : "-model2d", "deepcd models, side by side", NULL, models[d], &nmax, &flg));
    if (flg) nmodels[d] = nmax;
  }
  {
    char     *list[NCLASSICAL] = {NULL};
    PetscInt  nmax             = NCLASSICAL;
    PetscBool flg;

    PetscCall(PetscOptionsStringArray("-classical", "Classical solvers run: cg, icc, gamg, boomeramg", NULL, list, &nmax, &flg));
    if (flg) {
      for (PetscInt k = 1; k <= NCLASSICAL; k++) use[k] = PETSC_FALSE;
      for (PetscInt i = 0; i < nmax; i++) {
        PetscBool found = PETSC_FALSE;
        for (PetscInt k = 1; k <= NCLASSICAL; k++) {
          PetscBool eq;
          PetscCall(PetscStrcmp(list[i], keys[k], &eq));
          if (eq) use[k] = found = PETSC_TRUE;
        }
        PetscCheck(found, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-classical: unknown solver '%s' (cg, icc, gamg, boomeramg)", list[i]);
        PetscCall(PetscFree(list[i]));
      }
    }
  }
  PetscOptionsEnd();

  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  BenchBLAS(blas, sizeof(blas));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd benchmark: pressure Poisson, obstacle %s, open boundary, unscaled stencil, b = plume source\n", KrylearnObstacles[obstacle]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# MPI processes %d, BLAS %s, OMP_NUM_THREADS=%s, OPENBLAS_NUM_THREADS=%s\n", size, blas, getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "unset", getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "unset"));
  for (PetscInt d = 0; d < 2; d++) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# deepcd models %dD:", (int)d + 2));
    for (PetscInt m = 0; m < nmodels[d]; m++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " [%" PetscInt_FMT "] %s", m + 1, models[d][m] ? models[d][m] : "shipped default"));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# stopping test: unpreconditioned residual norm, ||b - Ax|| <= rtol ||b||, zero initial guess, %" PetscInt_FMT " repeat(s), fastest kept, deepcd capped at %" PetscInt_FMT " iterations\n# time = setup (model load / factorisation / hierarchy) + solve, wall seconds; ratio = time / CG+GAMG time\n", repeat, dmaxit));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# classical solvers run:"));
  for (PetscInt k = 1; k <= NCLASSICAL; k++)
    if (use[k]) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %s", names[k]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  if (moving) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# moving obstacle: %" PetscInt_FMT " steps, centre from 0.3 to 0.7 of the x axis, a new matrix at each step, the previous solution as initial guess; every solver pays its set-up at each step; times summed over the steps\n", moving));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| grid | rtol | solver | steps | iterations per step | setup s | solve s | time s | ratio to best |\n|---|---|---|---|---|---|---|---|---|\n"));
    for (PetscInt dim = 2; dim <= 3; dim++)
      for (PetscInt is = 0; is < nsizes[dim - 2]; is++)
        for (PetscInt it = 0; it < nrtol; it++) {
          PetscReal ratio = 0;
          PetscCall(MovingObstacle(dim, sizes[dim - 2][is], moving, rtols[it], obstacle, use, nmodels[dim - 2], models[dim - 2], dmaxit, &ratio));
          worst = PetscMax(worst, ratio);
        }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "largest deepcd/best ratio of the moving obstacle: %.2f\n", (double)worst));
    for (PetscInt d = 0; d < 2; d++)
      for (PetscInt m = 0; m < MAXMODELS; m++) PetscCall(PetscFree(models[d][m]));
    PetscCall(PetscFinalize());
    return 0;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| grid | rtol | solver | iterations | setup s | solve s | time s | ratio to GAMG | true rel. residual |\n|---|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt dim = 2; dim <= 3; dim++) {
    PetscBool run[NCLASSICAL + 1]; /* solvers run at this dimension's next size */

    PetscCall(PetscArraycpy(run, use, NCLASSICAL + 1));
    for (PetscInt is = 0; is < nsizes[dim - 2]; is++) {
      PetscInt  n[3]                    = {sizes[dim - 2][is], sizes[dim - 2][is], sizes[dim - 2][is]};
      PetscReal slowest[NCLASSICAL + 1] = {0}; /* over the tolerances: time / the best classical solver's */
      DM        da;
      Mat       A;
      Vec       b, x, r;
      PetscReal bnorm;
      char      grid[64];

      PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, NULL, PETSC_FALSE, PETSC_FALSE, &da, &A, &b));
      PetscCall(VecDuplicate(b, &x));
      PetscCall(VecDuplicate(b, &r));
      PetscCall(VecNorm(b, NORM_2, &bnorm));
      PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", n[0]));
      for (PetscInt it = 0; it < nrtol; it++) {
        const PetscInt     nsolvers = nmodels[dim - 2] + NCLASSICAL, gamg = nsolvers - 2;
        PetscLogDouble     setup[MAXMODELS + NCLASSICAL], solve[MAXMODELS + NCLASSICAL];
        PetscInt           its[MAXMODELS + NCLASSICAL];
        PetscReal          res[MAXMODELS + NCLASSICAL];
        KSPConvergedReason reason[MAXMODELS + NCLASSICAL];

        for (PetscInt s = 0; s < nsolvers; s++) {
          const PetscInt kind = s < nmodels[dim - 2] ? 0 : s - nmodels[dim - 2] + 1;

          setup[s] = solve[s] = PETSC_MAX_REAL;
          if (!run[kind]) continue;
          for (PetscInt rep = 0; rep < repeat; rep++) {
            KSP            ksp;
            PetscLogDouble t0, t1, t2;

            PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
            PetscCall(KSPSetOperators(ksp, A, A));
            PetscCall(KSPSetDM(ksp, da));
            PetscCall(KSPSetDMActive(ksp, PETSC_FALSE));
            PetscCall(Configure(ksp, kind, kind ? NULL : models[dim - 2][s]));
            PetscCall(KSPSetTolerances(ksp, rtols[it], 1e-50, PETSC_DEFAULT, kind ? 100000 : dmaxit));
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
        best[dim - 2][is][it]  = -1;
        btime[dim - 2][is][it] = PETSC_MAX_REAL;
        for (PetscInt s = 0; s < nsolvers; s++) {
          const PetscInt kind = s < nmodels[dim - 2] ? 0 : s - nmodels[dim - 2] + 1;
          char           name[32];

          if (!run[kind]) continue;
          if (kind) PetscCall(PetscStrncpy(name, names[kind], sizeof(name)));
          else PetscCall(PetscSNPrintf(name, sizeof(name), nmodels[dim - 2] > 1 ? "deepcd [%" PetscInt_FMT "]" : "deepcd", s + 1));
          PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.0e | %s | %" PetscInt_FMT "%s | %.3f | %.3f | %.3f | %.2f | %.1e |\n", grid, (double)rtols[it], name, its[s], reason[s] > 0 ? "" : " (not converged)", setup[s], solve[s], setup[s] + solve[s], run[3] ? (setup[s] + solve[s]) / (setup[gamg] + solve[gamg]) : (double)INFINITY, (double)res[s]));
          if (!kind) {
            dtime[dim - 2][is][it][s] = setup[s] + solve[s];
            dits[dim - 2][is][it][s]  = its[s];
            dconv[dim - 2][is][it][s] = (PetscBool)(reason[s] > 0);
          } else if (reason[s] > 0 && setup[s] + solve[s] < btime[dim - 2][is][it]) {
            btime[dim - 2][is][it] = setup[s] + solve[s];
            bits[dim - 2][is][it]  = its[s];
            best[dim - 2][is][it]  = kind;
          }
        }
        for (PetscInt s = nmodels[dim - 2]; s < nsolvers; s++) {
          const PetscInt kind = s - nmodels[dim - 2] + 1;

          if (run[kind]) slowest[kind] = PetscMax(slowest[kind], reason[s] > 0 ? (setup[s] + solve[s]) / btime[dim - 2][is][it] : PETSC_INFINITY);
        }
      }
      for (PetscInt kind = 1; kind <= NCLASSICAL; kind++)
        if (run[kind] && prune > 0 && slowest[kind] > prune && is + 1 < nsizes[dim - 2]) {
          run[kind] = PETSC_FALSE;
          PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | | %s: %.1f times the best classical solver's time, not run at larger sizes (-prune %.1f) | | | | | | |\n", grid, names[kind], (double)slowest[kind], (double)prune));
        }
      PetscCall(VecDestroy(&x));
      PetscCall(VecDestroy(&r));
      PetscCall(VecDestroy(&b));
      PetscCall(MatDestroy(&A));
      PetscCall(DMDestroy(&da));
    }
  }

  /* deepcd against the fastest classical solver of each row; the largest ratio over the two
     largest sizes of each dimension, every tolerance, first model */
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n| grid | rtol | deepcd model | deepcd its | deepcd s | best classical | its | s | deepcd/best |\n|---|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt dim = 2; dim <= 3; dim++)
    for (PetscInt is = 0; is < nsizes[dim - 2]; is++)
      for (PetscInt it = 0; it < nrtol; it++)
        for (PetscInt m = 0; m < nmodels[dim - 2]; m++) {
          const PetscInt b     = best[dim - 2][is][it];
          PetscReal      ratio = dconv[dim - 2][is][it][m] && b > 0 ? dtime[dim - 2][is][it][m] / btime[dim - 2][is][it] : (PetscReal)INFINITY;
          char           grid[32], mname[16];

          PetscCall(PetscSNPrintf(grid, sizeof(grid), dim == 2 ? "%" PetscInt_FMT "^2" : "%" PetscInt_FMT "^3", sizes[dim - 2][is]));
          PetscCall(PetscSNPrintf(mname, sizeof(mname), "[%" PetscInt_FMT "]", m + 1));
          PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %.0e | %s | %" PetscInt_FMT "%s | %.3f | %s | %" PetscInt_FMT " | %.3f | %.2f |\n", grid, (double)rtols[it], mname, dits[dim - 2][is][it][m], dconv[dim - 2][is][it][m] ? "" : " (not converged)", dtime[dim - 2][is][it][m], b > 0 ? names[b] : "none converged", b > 0 ? bits[dim - 2][is][it] : 0, b > 0 ? btime[dim - 2][is][it] : 0.0, (double)ratio));
          if (m == 0 && is >= nsizes[dim - 2] - 2) worst = PetscMax(worst, ratio);
        }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "largest deepcd/best ratio at the largest sizes: %.2f\n", (double)worst));
  for (PetscInt d = 0; d < 2; d++)
    for (PetscInt m = 0; m < MAXMODELS; m++) PetscCall(PetscFree(models[d][m]));
  PetscCall(PetscFinalize());
  return 0;
}
