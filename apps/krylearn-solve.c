static const char help[] = "Solves an ingested linear system A x = b with the KSP and PC chosen in the options database.\n"
                           "  -f FILE           HDF5 (or Matrix Market) file with the matrix (and right-hand side)\n"
                           "  -group NAME       HDF5 group of the matrix (default: the root group)\n"
                           "  -rhs DATASET      right-hand side dataset (default /b; \"ones\": b = A*1 when absent)\n"
                           "  -solution DATASET reference solution to compare with (optional, e.g. /x)\n"
                           "A grid attribute of the matrix (KrylearnMatGetGrid) is used by -ksp_type deepcd.\n\n";

#include <krylearn.h>
#include "common/kspreport.h"

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN] = "", group[PETSC_MAX_PATH_LEN] = "", rhs[PETSC_MAX_PATH_LEN] = "/b", sol[PETSC_MAX_PATH_LEN] = "";
  PetscBool flg, hassol, ones;
  Mat       A;
  Vec       b, x;
  KSP       ksp;
  PetscInt  M, N, gdim, gn[3] = {1, 1, 1};

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "krylearn-solve", NULL);
  PetscCall(PetscOptionsString("-f", "Matrix file", NULL, file, file, sizeof(file), &flg));
  PetscCall(PetscOptionsString("-group", "HDF5 group of the matrix", NULL, group, group, sizeof(group), NULL));
  PetscCall(PetscOptionsString("-rhs", "Right-hand side dataset, or ones", NULL, rhs, rhs, sizeof(rhs), NULL));
  PetscCall(PetscOptionsString("-solution", "Reference solution dataset", NULL, sol, sol, sizeof(sol), &hassol));
  PetscOptionsEnd();
  PetscCheck(flg, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "krylearn-solve needs -f FILE (an HDF5 or Matrix Market file)");

  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, group, &A));
  PetscCall(MatGetSize(A, &M, &N));
  PetscCheck(M == N, PETSC_COMM_WORLD, PETSC_ERR_ARG_SIZ, "%s: the matrix is %" PetscInt_FMT " x %" PetscInt_FMT ": a linear solve needs a square matrix", file, M, N);
  PetscCall(PetscStrcmp(rhs, "ones", &ones));
  if (ones) {
    Vec one;

    PetscCall(MatCreateVecs(A, &one, &b));
    PetscCall(VecSet(one, 1.0));
    PetscCall(MatMult(A, one, b));
    PetscCall(VecDestroy(&one));
  } else PetscCall(KrylearnVecLoad(A, file, rhs, &b));
  PetscCall(VecDuplicate(b, &x));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KrylearnMatGetGrid(A, &gdim, gn));
  if (gdim == 2) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " rows, grid %" PetscInt_FMT " x %" PetscInt_FMT "\n", file, M, gn[0], gn[1]));
  else if (gdim == 3) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " rows, grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT "\n", file, M, gn[0], gn[1], gn[2]));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " rows, no grid\n", file, M));
  PetscCall(KrylearnKSPSolveReport(ksp, b, x));
  if (hassol) {
    Vec       xref;
    PetscReal enorm, xnorm;

    PetscCall(KrylearnVecLoad(A, file, sol, &xref));
    PetscCall(VecNorm(xref, NORM_2, &xnorm));
    PetscCall(VecAXPY(xref, -1.0, x));
    PetscCall(VecNorm(xref, NORM_2, &enorm));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "relative error against %s: %.3e\n", sol, (double)(xnorm > 0 ? enorm / xnorm : enorm)));
    PetscCall(VecDestroy(&xref));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(PetscFinalize());
  return 0;
}
