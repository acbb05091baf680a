static const char help[] = "Matrix balancing benchmark: Newton against plain Sinkhorn sweeps, and GMRES with and without\n"
                           "-pc_type sinkhorn, -ksp_diagonal_scale and -pc_jacobi_type rowmax, side by side in one process.\n"
                           "  -case convdiff|hard|multifield|file  the matrix (see docs/balance.md)\n"
                           "  -n N           grid size (N x N) of the generated cases\n"
                           "  -scale S       convdiff: rows and columns scaled by 10^U(-S,S)\n"
                           "  -pe P          convdiff: Peclet number (default 30; 0: the Laplacian, symmetric positive definite)\n"
                           "  -hard_eps E    hard: the strictly lower triangle times E (default 1e-2)\n"
                           "  -f FILE        case file: PETSc binary (.bin; -f_index K takes the K-th matrix), or what krylearn-ingest reads\n"
                           "  -tables balance,solve  which tables\n"
                           "  -pcs none,jacobi,ilu,gamg,hypre  inner PCs of the solve table\n"
                           "  -sweeps_max M  cap of the plain Sinkhorn sweeps (default: from -sweeps_budget)\n"
                           "  -sweeps_budget F  without -sweeps_max, cap the sweeps at F times the fastest Newton balancing's CPU time (default 15)\n"
                           "  -balance_methods newton_jacobi,newton_gamg,plain  rows of the balance table\n"
                           "  -bench_ksp_max_it K  GMRES iteration cap (default 2000)\n"
                           "  -sinkhorn_extra \"OPTS\"  more options for the -pc_type sinkhorn rows, names with + for -\n"
                           "                 (PETSc reads a value that starts with - as an option), e.g. \"+sinkhorn_balance_pc_type gamg\"\n";

#include <time.h>
#include <krylearn.h>

/* CPU time of this process in seconds: on a shared, loaded machine it measures the work of a
   run better than the wall clock, which also counts the time other jobs hold the cores. */
static PetscLogDouble ProcessTime(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (PetscLogDouble)ts.tv_sec + 1e-9 * (PetscLogDouble)ts.tv_nsec;
}

/* -Laplacian/h^2 + pe (d/dx + d/dy / 2) by central differences on the unit square, n x n interior points. */
static PetscErrorCode ConvectionDiffusion(PetscInt n, PetscReal pe, Mat *A)
{
  const PetscReal h = 1.0 / (n + 1), d = 1 / (h * h), cx = pe / (2 * h), cy = 0.5 * pe / (2 * h);
  PetscInt        rstart, rend;

  PetscFunctionBeginUser;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n * n, n * n, 5, NULL, 2, NULL, A));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt row = rstart; row < rend; row++) {
    const PetscInt i = row % n, j = row / n;
    PetscInt       cols[5], k     = 0;
    PetscScalar    vals[5];
    cols[k] = row, vals[k++] = 4 * d;
    if (i > 0) cols[k] = row - 1, vals[k++] = -d - cx;
    if (i < n - 1) cols[k] = row + 1, vals[k++] = -d + cx;
    if (j > 0) cols[k] = row - n, vals[k++] = -d - cy;
    if (j < n - 1) cols[k] = row + n, vals[k++] = -d + cy;
    PetscCall(MatSetValues(*A, 1, &row, k, cols, vals, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* A structurally hard pattern: the 5-point Laplacian with its strictly lower triangle scaled by eps,
   close to a triangular matrix (which has no total support), so the balanced matrix is nearly
   decomposable and Sinkhorn converges slowly. */
static PetscErrorCode NearlyTriangular(PetscInt n, PetscReal eps, Mat *A)
{
  PetscInt rstart, rend;

  PetscFunctionBeginUser;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n * n, n * n, 5, NULL, 2, NULL, A));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt row = rstart; row < rend; row++) {
    const PetscInt i = row % n, j = row / n;
    PetscInt       cols[5], k     = 0;
    PetscScalar    vals[5];
    cols[k] = row, vals[k++] = 4;
    if (i > 0) cols[k] = row - 1, vals[k++] = -eps;
    if (i < n - 1) cols[k] = row + 1, vals[k++] = -1;
    if (j > 0) cols[k] = row - n, vals[k++] = -eps;
    if (j < n - 1) cols[k] = row + n, vals[k++] = -1;
    PetscCall(MatSetValues(*A, 1, &row, k, cols, vals, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* A multi-field system with mixed SI units: heat (T, K) and a reacting solute (C, mol/m^3) on an
   n x n grid of 1 mm cells, one implicit step of dt = 1 s, two unknowns per node (interleaved):
     rho cp T/dt - k lap T - q C         (rho cp = 4e6 J/m^3/K, k = 200 W/m/K, q = 10 W/mol)
     C/dt + kr C - D lap C + v dC/dx - g T  (kr = 1e-3 /s, D = 1e-9 m^2/s, v = 1e-4 m/s upwind, g = 1e-6 mol/m^3/K/s) */
static PetscErrorCode MultiField(PetscInt n, Mat *A)
{
  const PetscReal h = 1e-3, rcp = 4e6, k = 200, q = 10, kr = 1e-3, D = 1e-9, v = 1e-4, g = 1e-6;
  const PetscReal lt = k / (h * h), lc = D / (h * h), up = v / h;
  PetscInt        rstart, rend;

  PetscFunctionBeginUser;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 2 * n * n, 2 * n * n, 6, NULL, 4, NULL, A));
  PetscCall(MatSetBlockSize(*A, 2));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt row = rstart; row < rend; row++) {
    const PetscInt  node = row / 2, field = row % 2, i = node % n, j = node / n;
    const PetscReal lap = field ? lc : lt;
    PetscInt        cols[6], m = 0;
    PetscScalar     vals[6];
    cols[m] = row, vals[m++] = field ? 1 + kr + 4 * lc + up : rcp + 4 * lt;
    cols[m] = 2 * node + 1 - field, vals[m++] = field ? -g : -q;
    if (i > 0) cols[m] = row - 2, vals[m++] = -lap - (field ? up : 0);
    if (i < n - 1) cols[m] = row + 2, vals[m++] = -lap;
    if (j > 0) cols[m] = row - 2 * n, vals[m++] = -lap;
    if (j < n - 1) cols[m] = row + 2 * n, vals[m++] = -lap;
    PetscCall(MatSetValues(*A, 1, &row, m, cols, vals, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* Rows and columns scaled by independent 10^U(-s, s). */
static PetscErrorCode RandomScaling(Mat A, PetscReal s)
{
  Vec         l, r;
  PetscRandom rnd;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(A, &r, &l));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, -s, s));
  PetscCall(PetscRandomSetSeed(rnd, 2024));
  PetscCall(PetscRandomSeed(rnd));
  PetscCall(VecSetRandom(l, rnd));
  PetscCall(VecSetRandom(r, rnd));
  PetscCall(VecScale(l, PetscLogReal(10)));
  PetscCall(VecScale(r, PetscLogReal(10)));
  PetscCall(VecExp(l));
  PetscCall(VecExp(r));
  PetscCall(MatDiagonalScale(A, l, r));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDestroy(&l));
  PetscCall(VecDestroy(&r));
  PetscFunctionReturn(0);
}

typedef struct {
  PetscReal   wall, cpu, err;
  PetscInt    sweeps, newton, kspits;
  const char *reason;
} BalanceRun;

static const char *const BalanceMethodNames[3] = {"Sinkhorn-Newton, CG + Jacobi", "Sinkhorn-Newton, CG + GAMG", "plain Sinkhorn"};

/* One balancing of A to marginal error 1e-8 by method k (0: Newton with its default Newton KSP,
   CG + Jacobi; 1: Newton with CG + GAMG on the Newton systems; 2: plain sweeps, at most
   sweeps_max), timed from creation to the scalings. */
static PetscErrorCode BalanceRunOne(Mat A, PetscInt k, PetscInt sweeps_max, BalanceRun *run)
{
  const char                    *prefix[3] = {"newton_", "newton_gamg_", "plain_"};
  KrylearnBalance                bal;
  KrylearnBalanceConvergedReason why;
  PetscLogDouble                 t0, t1, c0, c1;
  KSP                            ksp;
  PC                             pc;

  PetscFunctionBeginUser;
  PetscCall(MPI_Barrier(PETSC_COMM_WORLD));
  c0 = ProcessTime();
  PetscCall(PetscTime(&t0));
  PetscCall(KrylearnBalanceCreate(PETSC_COMM_WORLD, &bal));
  PetscCall(KrylearnBalanceSetOptionsPrefix(bal, prefix[k]));
  PetscCall(KrylearnBalanceSetOperator(bal, A));
  PetscCall(KrylearnBalanceSetTolerances(bal, 1e-8, k == 2 ? sweeps_max : PETSC_DEFAULT));
  if (k == 2) PetscCall(KrylearnBalanceSetWarmup(bal, 0, PETSC_FALSE));
  PetscCall(KrylearnBalanceGetKSP(bal, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  if (k == 1) PetscCall(PCSetType(pc, PCGAMG));
  PetscCall(KrylearnBalanceSetFromOptions(bal));
  PetscCall(KrylearnBalanceSolve(bal));
  PetscCall(PetscTime(&t1));
  c1        = ProcessTime();
  run->wall = t1 - t0;
  run->cpu  = c1 - c0;
  PetscCall(KrylearnBalanceGetIterationNumbers(bal, &run->sweeps, &run->newton));
  PetscCall(KrylearnBalanceGetMarginalError(bal, &run->err));
  PetscCall(KrylearnBalanceGetConvergedReason(bal, &why));
  PetscCall(KSPGetTotalIterations(ksp, &run->kspits));
  run->reason = KrylearnBalanceConvergedReasons[why];
  PetscCall(KrylearnBalanceDestroy(&bal));
  PetscFunctionReturn(0);
}

/* The Newton methods asked for, then plain sweeps to marginal error 1e-8. The sweeps are capped at
   sweeps_max when it is given; otherwise at as many sweeps as take budget times the CPU time of
   the fastest Newton method (a 200-sweep run measures their cost), so that sweeps stopped at the
   cap still prove a ratio of at most 1/budget. */
static PetscErrorCode BalanceTable(Mat A, PetscInt sweeps_max, PetscReal budget, PetscBool run[3])
{
  BalanceRun r[3];
  PetscReal  fastest = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 2; k++)
    if (run[k]) {
      PetscCall(BalanceRunOne(A, k, 0, &r[k]));
      fastest = PetscMin(fastest, r[k].cpu);
    }
  if (run[2] && sweeps_max <= 0) {
    BalanceRun probe;
    PetscCheck(fastest < PETSC_MAX_REAL, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONGSTATE, "The cap of the plain sweeps comes from a Newton method's time: run one, or give -sweeps_max");
    PetscCall(BalanceRunOne(A, 2, 200, &probe));
    sweeps_max = probe.err < 1e-8 ? 200 : (PetscInt)PetscCeilReal(200 * budget * fastest / probe.cpu);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "plain sweeps capped at %" PetscInt_FMT ": %.3f s CPU per 200 sweeps, %.1f times the fastest Newton balancing's %.3f s\n\n", sweeps_max, (double)probe.cpu, (double)budget, (double)fastest));
  }
  if (run[2]) PetscCall(BalanceRunOne(A, 2, sweeps_max, &r[2]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| method | sweeps | Newton steps | Newton KSP its | marginal error | wall (s) | CPU (s) | result |\n|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt k = 0; k < 3; k++)
    if (run[k])
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %" PetscInt_FMT " | %" PetscInt_FMT " | %" PetscInt_FMT " | %.2e | %.3f | %.3f | %s |\n", BalanceMethodNames[k], r[k].sweeps, r[k].newton, r[k].kspits, (double)r[k].err, (double)r[k].wall,
                            (double)r[k].cpu, r[k].reason));
  for (PetscInt k = 0; k < 2; k++)
    if (run[k] && run[2])
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ratio %s / plain sweeps: wall %.3f, CPU %.3f%s\n", BalanceMethodNames[k], (double)(r[k].wall / r[2].wall), (double)(r[k].cpu / r[2].cpu), r[2].err < 1e-8 ? "" : " (the sweeps stopped at their cap before 1e-8: an upper bound)"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  PetscFunctionReturn(0);
}

/* One GMRES(30) solve, right preconditioned, rtol 1e-8, b = A 1, x0 = 0, with the options in
   opts given the prefix of this configuration; set-up included in the time. */
static PetscErrorCode Solve(Mat A, PetscInt id, const char opts[], PetscInt max_it, PetscInt *its, PetscReal *time, PetscReal *cpu, PetscReal *relres, KSPConvergedReason *reason)
{
  char           prefix[32], buf[1024], tok[256];
  const char    *p   = opts;
  size_t         len = 0;
  KSP            ksp;
  Vec            x, b, one, res;
  PetscLogDouble t0, t1, c0, c1;
  PetscReal      bn, rn;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "c%" PetscInt_FMT "_", id));
  buf[0] = 0;
  while (sscanf(p, "%255s", tok) == 1) { /* -opt (or +opt) -> -c<id>_opt */
    const PetscBool name = (PetscBool)(tok[0] == '-' || tok[0] == '+');
    p                    = strstr(p, tok) + strlen(tok);
    PetscCall(PetscSNPrintf(buf + len, sizeof(buf) - len, name ? " -%s%s" : " %s%s", name ? prefix : "", name ? tok + 1 : tok));
    PetscCall(PetscStrlen(buf, &len));
  }
  PetscCall(PetscOptionsInsertString(NULL, buf));
  PetscCall(MatCreateVecs(A, &x, &b));
  PetscCall(VecDuplicate(x, &one));
  PetscCall(VecDuplicate(b, &res));
  PetscCall(VecSet(one, 1.0));
  PetscCall(MatMult(A, one, b));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOptionsPrefix(ksp, prefix));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, KSPGMRES));
  PetscCall(KSPGMRESSetRestart(ksp, 30));
  PetscCall(KSPSetPCSide(ksp, PC_RIGHT));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, max_it));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(MPI_Barrier(PETSC_COMM_WORLD));
  c0 = ProcessTime();
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSetUp(ksp));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(PetscTime(&t1));
  c1    = ProcessTime();
  *time = t1 - t0;
  *cpu  = c1 - c0;
  PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPGetConvergedReason(ksp, reason));
  PetscCall(MatMult(A, x, res));
  PetscCall(VecAYPX(res, -1.0, b));
  PetscCall(VecNorm(res, NORM_2, &rn));
  PetscCall(VecNorm(b, NORM_2, &bn));
  *relres = rn / bn;
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&one));
  PetscCall(VecDestroy(&res));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveTable(Mat A, char *pcs[], PetscInt npcs, PetscInt max_it, const char extra[])
{
  PetscInt id = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| PC | variant | its | wall (s) | CPU (s) | true rel. residual | result | its / plain | CPU / plain |\n|---|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt k = 0; k < npcs; k++) {
    const char *variants[4] = {"plain", "sinkhorn", "diagonal_scale", "rowmax"};
    char        opts[4][256];
    PetscInt    nv = 3, its0 = 0;
    PetscReal   c0     = 0;
    PetscBool   capped = PETSC_FALSE;

    PetscCall(PetscSNPrintf(opts[0], 256, "-pc_type %s", pcs[k]));
    PetscCall(PetscSNPrintf(opts[1], 256, "-pc_type sinkhorn -sinkhorn_pc_type %s %s", pcs[k], extra));
    PetscCall(PetscSNPrintf(opts[2], 256, "-pc_type %s -ksp_diagonal_scale -ksp_diagonal_scale_fix", pcs[k]));
    if (!strcmp(pcs[k], "jacobi")) {
      PetscCall(PetscSNPrintf(opts[3], 256, "-pc_type jacobi -pc_jacobi_type rowmax"));
      nv = 4;
    }
    for (PetscInt v = 0; v < nv; v++) {
      PetscInt           its = 0;
      PetscReal          t = 0, c = 0, rr = 0;
      KSPConvergedReason why;

      PetscCall(Solve(A, id++, opts[v], max_it, &its, &t, &c, &rr, &why));
      if (!v) its0 = its, c0 = c, capped = (PetscBool)(why < 0);
      /* a plain solve that stopped short of the tolerance took less than it needs: the ratios to it are upper bounds */
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | %s | %" PetscInt_FMT " | %.3f | %.3f | %.1e | %s | %s%.2f | %s%.2f |\n", !strcmp(pcs[k], "hypre") ? "boomeramg" : pcs[k], variants[v], its, (double)t, (double)c, (double)rr, KSPConvergedReasons[why], capped && v && why > 0 ? "< " : "", (double)its / its0, capped && v && why > 0 ? "< " : "", (double)(c / c0)));
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      kase[64] = "convdiff", file[PETSC_MAX_PATH_LEN] = "", extra[256] = "", *tables[2], *pcs[8];
  PetscInt  n = 256, ntables = 2, npcs = 8, sweeps_max = 0, max_it = 2000, findex = 0, M, nnz;
  PetscReal scale = 2, eps = 1e-2, budget = 15, pe = 30;
  PetscBool dobalance = PETSC_FALSE, dosolve = PETSC_FALSE, flg, methods[3] = {PETSC_TRUE, PETSC_TRUE, PETSC_TRUE};
  char     *mnames[3];
  PetscInt  nm = 3;
  Mat       A;
  MatInfo   info;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Balancing benchmark", NULL);
  PetscCall(PetscOptionsString("-case", "convdiff, hard, multifield or file", NULL, kase, kase, sizeof(kase), NULL));
  PetscCall(PetscOptionsString("-f", "Matrix file for -case file", NULL, file, file, sizeof(file), NULL));
  PetscCall(PetscOptionsInt("-f_index", "Which matrix of a PETSc binary file (0: the first)", NULL, findex, &findex, NULL));
  PetscCall(PetscOptionsInt("-n", "Grid size", NULL, n, &n, NULL));
  PetscCall(PetscOptionsReal("-hard_eps", "hard: factor of the strictly lower triangle", NULL, eps, &eps, NULL));
  PetscCall(PetscOptionsReal("-scale", "convdiff: rows and columns scaled by 10^U(-S,S)", NULL, scale, &scale, NULL));
  PetscCall(PetscOptionsReal("-pe", "convdiff: Peclet number (0: the Laplacian)", NULL, pe, &pe, NULL));
  PetscCall(PetscOptionsStringArray("-tables", "balance,solve", NULL, tables, &ntables, &flg));
  if (!flg) {
    PetscCall(PetscStrallocpy("balance", &tables[0]));
    PetscCall(PetscStrallocpy("solve", &tables[1]));
    ntables = 2;
  }
  PetscCall(PetscOptionsStringArray("-pcs", "Inner PCs of the solve table", NULL, pcs, &npcs, &flg));
  if (!flg) {
    const char *def[] = {"none", "jacobi", "ilu", "gamg", "hypre"};
    npcs              = 5;
    for (PetscInt k = 0; k < npcs; k++) PetscCall(PetscStrallocpy(def[k], &pcs[k]));
  }
  PetscCall(PetscOptionsStringArray("-balance_methods", "Rows of the balance table: newton_jacobi, newton_gamg, plain", NULL, mnames, &nm, &flg));
  if (flg) {
    const char *known[3] = {"newton_jacobi", "newton_gamg", "plain"};
    for (PetscInt k = 0; k < 3; k++) methods[k] = PETSC_FALSE;
    for (PetscInt k = 0; k < nm; k++) {
      PetscBool found = PETSC_FALSE;
      for (PetscInt j = 0; j < 3; j++)
        if (!strcmp(mnames[k], known[j])) methods[j] = found = PETSC_TRUE;
      PetscCheck(found, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Unknown balance method %s (newton_jacobi, newton_gamg, plain)", mnames[k]);
      PetscCall(PetscFree(mnames[k]));
    }
  }
  PetscCall(PetscOptionsInt("-sweeps_max", "Cap of the plain Sinkhorn sweeps (0: from -sweeps_budget)", NULL, sweeps_max, &sweeps_max, NULL));
  PetscCall(PetscOptionsReal("-sweeps_budget", "Without -sweeps_max: cap the sweeps at this many times the fastest Newton balancing's CPU time", NULL, budget, &budget, NULL));
  PetscCheck(budget > 0 && !PetscIsInfOrNanReal(budget), PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-sweeps_budget %g must be positive and finite", (double)budget);
  PetscCall(PetscOptionsString("-sinkhorn_extra", "More options of the -pc_type sinkhorn rows, names with + for - (a value may not start with -), e.g. \"+sinkhorn_balance_pc_type gamg\"", NULL, extra, extra, sizeof(extra), NULL));
  PetscCall(PetscOptionsInt("-bench_ksp_max_it", "GMRES iteration cap", NULL, max_it, &max_it, NULL));
  PetscOptionsEnd();
  for (PetscInt k = 0; k < ntables; k++) {
    PetscBool b, s;
    PetscCall(PetscStrcmp(tables[k], "balance", &b));
    PetscCall(PetscStrcmp(tables[k], "solve", &s));
    PetscCheck(b || s, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Unknown table %s (balance, solve)", tables[k]);
    dobalance = (PetscBool)(dobalance || b);
    dosolve   = (PetscBool)(dosolve || s);
    PetscCall(PetscFree(tables[k]));
  }

  if (!strcmp(kase, "convdiff")) {
    PetscCall(ConvectionDiffusion(n, pe, &A));
    if (scale > 0) PetscCall(RandomScaling(A, scale));
  } else if (!strcmp(kase, "hard")) PetscCall(NearlyTriangular(n, eps, &A));
  else if (!strcmp(kase, "multifield")) PetscCall(MultiField(n, &A));
  else if (!strcmp(kase, "file")) {
    PetscBool bin;
    PetscCall(PetscStrendswith(file, ".bin", &bin));
    if (bin) {
      PetscViewer viewer;
      PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_READ, &viewer));
      for (PetscInt k = 0; k <= findex; k++) {
        if (k) PetscCall(MatDestroy(&A));
        PetscCall(MatCreate(PETSC_COMM_WORLD, &A));
        PetscCall(MatSetType(A, MATAIJ));
        PetscCall(MatLoad(A, viewer));
      }
      PetscCall(PetscViewerDestroy(&viewer));
    } else PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, "", &A));
  } else SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Unknown -case %s (convdiff, hard, multifield, file)", kase);
  PetscCall(MatGetSize(A, &M, NULL));
  PetscCall(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
  nnz = (PetscInt)info.nz_used;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "case %s: %" PetscInt_FMT " rows, %" PetscInt_FMT " nonzeros\n\n", kase, M, nnz));
  if (dobalance) PetscCall(BalanceTable(A, sweeps_max, budget, methods));
  if (dosolve) PetscCall(SolveTable(A, pcs, npcs, max_it, extra));
  for (PetscInt k = 0; k < npcs; k++) PetscCall(PetscFree(pcs[k]));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return 0;
}
