static const char help[] = "Pressure Poisson equation with a solid obstacle on a 2-D/3-D cell grid (smoke-scene style),\n"
                           "solved with the KSP and PC chosen in the options database.\n"
                           "  -dim <2|3>                 grid dimension\n"
                           "  -n <N>                     cells per direction\n"
                           "  -obstacle <none|disc|box>  solid obstacle\n"
                           "  -neumann                   closed box (walls) instead of open air; null space attached\n"
                           "  -natural                   bare matrix in natural ordering, no DMDA attached to the KSP\n"
                           "  -guess                     nonzero initial guess\n"
                           "  -save <file>               write the solution (PETSc binary, natural ordering)\n\n";

#include <krylearn.h>

/* A nonzero initial guess: a smooth field, the same whatever the ordering */
static PetscErrorCode InitialGuess(Vec x)
{
  PetscInt     lo, hi;
  PetscScalar *a;

  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(x, &lo, &hi));
  PetscCall(VecGetArray(x, &a));
  for (PetscInt r = lo; r < hi; r++) a[r - lo] = 0.5 + 0.25 * PetscSinReal(0.01 * r);
  PetscCall(VecRestoreArray(x, &a));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt         dim = 2, N = 64, n[3];
  KrylearnObstacle obstacle = KRYLEARN_OBSTACLE_DISC;
  PetscBool        neumann = PETSC_FALSE, natural = PETSC_FALSE, guess = PETSC_FALSE, save;
  char             file[PETSC_MAX_PATH_LEN];
  DM               da;
  Mat              A;
  Vec              b, x, r;
  KSP              ksp;
  PC               pc;
  KSPType          ktype;
  PCType           ptype;
  KSPConvergedReason reason;
  PetscInt         its;
  PetscReal        bnorm, rnorm;
  PetscLogDouble   t0, t1, t2;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Pressure Poisson problem", NULL);
  PetscCall(PetscOptionsInt("-dim", "Grid dimension (2 or 3)", NULL, dim, &dim, NULL));
  PetscCall(PetscOptionsInt("-n", "Cells per direction", NULL, N, &N, NULL));
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscCall(PetscOptionsBool("-neumann", "Closed box (walls) instead of open air", NULL, neumann, &neumann, NULL));
  PetscCall(PetscOptionsBool("-natural", "Bare matrix in natural ordering, no DMDA attached", NULL, natural, &natural, NULL));
  PetscCall(PetscOptionsBool("-guess", "Nonzero initial guess", NULL, guess, &guess, NULL));
  PetscCall(PetscOptionsString("-save", "Write the solution (PETSc binary, natural ordering)", NULL, file, file, sizeof(file), &save));
  PetscOptionsEnd();
  n[0] = n[1] = n[2] = N;
  PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, neumann, natural, &da, &A, &b));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  if (!natural) {
    PetscCall(KSPSetDM(ksp, da));
    PetscCall(KSPSetDMActive(ksp, PETSC_FALSE));
  }
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecDuplicate(b, &r));
  if (guess) {
    PetscCall(InitialGuess(x));
    PetscCall(KSPSetInitialGuessNonzero(ksp, PETSC_TRUE));
  }
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSetUp(ksp));
  PetscCall(PetscTime(&t1));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(PetscTime(&t2));

  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPGetType(ksp, &ktype));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCGetType(pc, &ptype));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rnorm));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid %" PetscInt_FMT "^%" PetscInt_FMT ", obstacle %s, boundary %s, %s ordering\n", N, dim, KrylearnObstacles[obstacle], neumann ? "closed (Neumann, null space)" : "open (Dirichlet)", natural ? "natural" : "DMDA"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ksp %s pc %s: iterations %" PetscInt_FMT ", %s, relative residual %.3e, setup %.4f s, solve %.4f s\n", ktype, ptype, its, KSPConvergedReasons[reason], (double)(bnorm > 0 ? rnorm / bnorm : rnorm), t1 - t0, t2 - t1));
  {
    PetscBool      isdeepcd;
    PetscInt       napply;
    PetscLogDouble tnet;

    PetscCall(PetscObjectTypeCompare((PetscObject)ksp, KSPDEEPCD, &isdeepcd));
    if (isdeepcd) {
      PetscCall(KSPDeepCDGetInferenceTime(ksp, &napply, &tnet));
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "deepcd: %" PetscInt_FMT " network applications, %.4f s in the network\n", napply, tnet));
    }
  }
  if (save) {
    PetscViewer viewer;

    PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_WRITE, &viewer));
    PetscCall(VecView(x, viewer));
    PetscCall(PetscViewerDestroy(&viewer));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&r));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
