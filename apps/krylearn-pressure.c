static const char help[] = "Pressure Poisson equation with a solid obstacle on a 2-D/3-D cell grid (smoke-scene style),\n"
                           "solved with the KSP and PC chosen in the options database.\n"
                           "  -dim <2|3>                 grid dimension\n"
                           "  -n <N>                     cells per direction\n"
                           "  -obstacle <none|disc|box>  solid obstacle\n"
                           "  -obstacle_centre x,y[,z]   its centre in fractions of each axis (default: disc 0.5,0.4,0.5; box 0.55,0.5,0.5)\n"
                           "  -neumann                   closed box (walls) instead of open air; null space attached\n"
                           "  -natural                   bare matrix in natural ordering, no DMDA attached to the KSP\n"
                           "  -guess                     nonzero initial guess\n"
                           "  -save <file>               write the solution (PETSc binary, natural ordering)\n\n";

#include <krylearn.h>
#include "common/kspreport.h"

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
  PetscInt         dim = 2, N = 64, n[3], ncentre = 3;
  PetscReal        centre[3];
  KrylearnObstacle obstacle = KRYLEARN_OBSTACLE_DISC;
  PetscBool        neumann = PETSC_FALSE, natural = PETSC_FALSE, guess = PETSC_FALSE, save, placed;
  char             file[PETSC_MAX_PATH_LEN] = "";
  DM               da;
  Mat              A;
  Vec              b, x;
  KSP              ksp;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Pressure Poisson problem", NULL);
  PetscCall(PetscOptionsInt("-dim", "Grid dimension (2 or 3)", NULL, dim, &dim, NULL));
  PetscCall(PetscOptionsInt("-n", "Cells per direction", NULL, N, &N, NULL));
  PetscCall(PetscOptionsEnum("-obstacle", "Solid obstacle", NULL, KrylearnObstacles, (PetscEnum)obstacle, (PetscEnum *)&obstacle, NULL));
  PetscCall(PetscOptionsRealArray("-obstacle_centre", "Centre of the obstacle in fractions of each axis", "KrylearnPressureCreate", centre, &ncentre, &placed));
  PetscCall(PetscOptionsBool("-neumann", "Closed box (walls) instead of open air", NULL, neumann, &neumann, NULL));
  PetscCall(PetscOptionsBool("-natural", "Bare matrix in natural ordering, no DMDA attached", NULL, natural, &natural, NULL));
  PetscCall(PetscOptionsBool("-guess", "Nonzero initial guess", NULL, guess, &guess, NULL));
  PetscCall(PetscOptionsString("-save", "Write the solution (PETSc binary, natural ordering)", NULL, file, file, sizeof(file), &save));
  PetscOptionsEnd();
  PetscCheck(!placed || ncentre == dim, PETSC_COMM_WORLD, PETSC_ERR_ARG_SIZ, "-obstacle_centre needs %" PetscInt_FMT " coordinates for a %" PetscInt_FMT "-D grid, got %" PetscInt_FMT, dim, dim, ncentre);
  n[0] = n[1] = n[2] = N;
  PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, dim, n, obstacle, placed ? centre : NULL, neumann, natural, &da, &A, &b));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  if (!natural) {
    PetscCall(KSPSetDM(ksp, da));
    PetscCall(KSPSetDMActive(ksp, PETSC_FALSE));
  }
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(VecDuplicate(b, &x));
  if (guess) {
    PetscCall(InitialGuess(x));
    PetscCall(KSPSetInitialGuessNonzero(ksp, PETSC_TRUE));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid %" PetscInt_FMT "^%" PetscInt_FMT ", obstacle %s, boundary %s, %s ordering\n", N, dim, KrylearnObstacles[obstacle], neumann ? "closed (Neumann, null space)" : "open (Dirichlet)", natural ? "natural" : "DMDA"));
  PetscCall(KrylearnKSPSolveReport(ksp, b, x));
  if (save) {
    PetscViewer viewer;

    PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_WRITE, &viewer));
    PetscCall(VecView(x, viewer));
    PetscCall(PetscViewerDestroy(&viewer));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
