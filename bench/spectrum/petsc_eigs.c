static const char help[] = "Extreme eigenvalues and condition estimate of a matrix in a PETSc binary file, side by side:\n"
                           "PETSc's Ritz values from a Krylov solve (-ksp_compute_eigenvalues: GMRES without restart for\n"
                           "non-symmetric matrices, CG for symmetric ones, no preconditioner, random right-hand side, at two\n"
                           "tolerances) and the Krylearn spectrum analysis (-top 1 -bottom 1 -condition), each timed in this process.\n\n"
                           "  petsc_eigs -f A.bin [-rtols 1e-5,1e-10]\n\n";

#include <krylearn.h>

/* One Krylov solve with the Ritz values it computes, as a PETSc user gets them with -ksp_compute_eigenvalues */
static PetscErrorCode PETScRitz(Mat A, PetscBool symmetric, PetscReal rtol)
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
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petsc rtol=%g its=%" PetscInt_FMT " smallest=%.17g largest=%.17g condition=%.17g seconds=%.6f\n", (double)rtol, its, (double)lmin, (double)lmax, (double)(amax / amin), t1 - t0));
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
  PetscInt                 nrtol = 8, n;
  PetscBool                set, symmetric;
  PetscViewer              viewer;
  Mat                      A;
  KrylearnSpectrumAnalysis an;
  PetscLogDouble           t0, t1;
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
  for (PetscInt i = 0; i < nrtol; i++) PetscCall(PETScRitz(A, symmetric, rtols[i]));

  PetscCall(KrylearnSpectrumAnalysisCreate(PETSC_COMM_WORLD, &an));
  PetscCall(KrylearnSpectrumAnalysisSetExtremes(an, 1, 1));
  PetscCall(KrylearnSpectrumAnalysisSetCondition(an, PETSC_TRUE));
  PetscCall(KrylearnSpectrumAnalysisSetFromOptions(an));
  PetscCall(PetscTime(&t0));
  PetscCall(KrylearnSpectrumAnalysisRun(an, A, file, 0));
  PetscCall(PetscTime(&t1));
  PetscCall(KrylearnSpectrumAnalysisGetHistory(an, &n, NULL, &smallest, &largest, &condition));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "krylearn symmetric=%d smallest=%.17g largest=%.17g condition=%.17g seconds=%.6f\n", (int)symmetric, (double)smallest[0], (double)largest[0], (double)condition[0], t1 - t0));
  PetscCall(KrylearnSpectrumAnalysisView(an, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(KrylearnSpectrumAnalysisDestroy(&an));
  PetscCall(MatDestroy(&A));
  PetscCall(SlepcFinalize());
  return 0;
}
