static const char help[] = "Extreme eigenvalues and condition estimate of a matrix in a PETSc binary file, side by side:\n"
                           "PETSc's Ritz values from a Krylov solve (-ksp_compute_eigenvalues: GMRES without restart for\n"
                           "non-symmetric matrices, CG for symmetric ones, no preconditioner, random right-hand side, at two\n"
                           "tolerances) and the Krylearn spectrum analysis (-top 1 -bottom 1 -condition), each timed in this process.\n\n"
                           "  petsc_eigs -f A.bin [-rtols 1e-5,1e-10] [-tols 1e-10,1e-6] [-repeat 3] (the fastest of the repeated runs is reported)\n\n";

#include <krylearn.h>

/* One Krylov solve with the Ritz values it computes, as a PETSc user gets them with -ksp_compute_eigenvalues */
static PetscErrorCode PETScRitz(Mat A, PetscBool symmetric, PetscReal rtol, PetscLogDouble *seconds)
{
  KSP            ksp;
  PC             pc;
  Vec            x, b;
  PetscInt       N, its, neig;
  PetscReal     *re, *im, lmin = PETSC_MAX_REAL, lmax = PETSC_MIN_REAL, amin = PETSC_MAX_REAL, amax = 0;
  PetscLogDouble t0, t1;
  PetscRandom    rnd;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCall(MatCreateVecs(A, &x, &b));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetSeed(rnd, 7));
  PetscCall(PetscRandomSeed(rnd));
  PetscCall(VecSetRandom(b, rnd)); /* a generic right-hand side: a smooth one excites fewer eigenvectors */
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, symmetric ? KSPCG : KSPGMRES));
  if (!symmetric) PetscCall(KSPGMRESSetRestart(ksp, N));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCNONE));
  PetscCall(KSPSetTolerances(ksp, rtol, 1e-50, 1e10, N));
  PetscCall(KSPSetComputeEigenvalues(ksp, PETSC_TRUE));
  PetscCall(KSPSetUp(ksp));
  PetscCall(PetscMalloc2(N, &re, N, &im));
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPComputeEigenvalues(ksp, N, re, im, &neig));
  PetscCall(PetscTime(&t1));
  for (PetscInt i = 0; i < neig; i++) {
    lmin = PetscMin(lmin, re[i]);
    lmax = PetscMax(lmax, re[i]);
    amin = PetscMin(amin, PetscHypotReal(re[i], im[i]));
    amax = PetscMax(amax, PetscHypotReal(re[i], im[i]));
  }
  if (seconds) *seconds = PetscMin(*seconds, t1 - t0);
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petsc rtol=%g its=%" PetscInt_FMT " smallest=%.17g largest=%.17g condition=%.17g", (double)rtol, its, (double)lmin, (double)lmax, (double)(amax / amin)));
  PetscCall(PetscFree2(re, im));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char                     file[PETSC_MAX_PATH_LEN];
  PetscReal                rtols[8] = {1e-5, 1e-10};
  PetscInt                 nrtol    = 8, n;
  PetscBool                set, symmetric;
  PetscViewer              viewer;
  Mat                      A;
  KrylearnSpectrumAnalysis an = NULL;
  PetscLogDouble           t0, t1, tbest = PETSC_MAX_REAL;
  PetscInt                 repeat = 3, ntol = 8;
  PetscReal                tols[8] = {1e-10, 1e-6};
  PetscReal                norm;
  const PetscReal         *smallest, *largest, *condition;

  PetscCall(SlepcInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-f", file, sizeof(file), &set));
  PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Give the matrix with -f A.bin");
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, "-rtols", rtols, &nrtol, &set));
  if (!set) nrtol = 2;
  PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_READ, &viewer));
  PetscCall(MatCreate(PETSC_COMM_WORLD, &A));
  PetscCall(MatSetFromOptions(A));
  PetscCall(MatLoad(A, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(MatNorm(A, NORM_INFINITY, &norm));
  PetscCall(MatIsSymmetric(A, 1e-13 * norm, &symmetric)); /* the rule of the Krylearn analysis */
  /* each method runs -repeat times (fresh objects each time); the fastest run is reported */
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  for (PetscInt i = 0; i < nrtol; i++) {
    PetscLogDouble best = PETSC_MAX_REAL;

    PetscCall(PETScRitz(A, symmetric, rtols[i], NULL));
    for (PetscInt r = 0; r < repeat; r++) PetscCall(PETScRitz(A, symmetric, rtols[i], &best));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, " seconds=%.6f\n", best));
  }
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, "-tols", tols, &ntol, &set));
  if (!set) ntol = 2;
  for (PetscInt i = 0; i < ntol; i++) {
    char tol[32];

    /* the eigensolvers' tolerance, relative to the spectral radius, as a user sets it */
    PetscCall(PetscSNPrintf(tol, sizeof(tol), "%g", (double)tols[i]));
    PetscCall(PetscOptionsSetValue(NULL, "-top_eps_tol", tol));
    PetscCall(PetscOptionsSetValue(NULL, "-bottom_eps_tol", tol));
    PetscCall(PetscOptionsSetValue(NULL, "-condition_eps_tol", tol));
    tbest = PETSC_MAX_REAL;
    for (PetscInt r = 0; r < repeat; r++) {
      PetscCall(KrylearnSpectrumAnalysisDestroy(&an));
      PetscCall(KrylearnSpectrumAnalysisCreate(PETSC_COMM_WORLD, &an));
      PetscCall(KrylearnSpectrumAnalysisSetExtremes(an, 1, 1));
      PetscCall(KrylearnSpectrumAnalysisSetCondition(an, PETSC_TRUE));
      PetscCall(KrylearnSpectrumAnalysisSetFromOptions(an));
      PetscCall(PetscTime(&t0));
      PetscCall(KrylearnSpectrumAnalysisRun(an, A, file, 0));
      PetscCall(PetscTime(&t1));
      tbest = PetscMin(tbest, t1 - t0);
    }
    PetscCall(KrylearnSpectrumAnalysisGetHistory(an, &n, NULL, &smallest, &largest, &condition));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "krylearn tol=%g symmetric=%d smallest=%.17g largest=%.17g condition=%.17g seconds=%.6f\n", (double)tols[i], (int)symmetric, (double)smallest[0], (double)largest[0], (double)condition[0], tbest));
    PetscCall(KrylearnSpectrumAnalysisView(an, PETSC_VIEWER_STDOUT_WORLD));
  }
  PetscCall(KrylearnSpectrumAnalysisDestroy(&an));
  PetscCall(MatDestroy(&A));
  PetscCall(SlepcFinalize());
  return 0;
}
