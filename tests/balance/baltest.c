static const char help[] = "Balancing test driver.\n"
                           "  -f FILE        matrix (Matrix Market or HDF5, as krylearn-ingest reads)\n"
                           "  -o FILE        write the scalings r and c as text (row i: r_i c_i), gathered in global order\n"
                           "  -nan_entry I,J set entry (I, J) of the loaded matrix to NaN (it must be in the pattern)\n"
                           "  -ksp_solves N  instead: solve A x = A 1 N times with the KSP of the options database; before\n"
                           "                 the last solve the values of A change (A <- 2 A + diagonal shift), the pattern not\n";

#include <krylearn.h>

/* Text file with r_i c_i per line, written by the first rank in global order. */
static PetscErrorCode WriteScalings(Vec r, Vec c, const char file[])
{
  Vec                rz, cz;
  VecScatter         sr, sc;
  PetscMPIInt        rank;
  const PetscScalar *ra, *ca;
  PetscInt           n;

  PetscFunctionBeginUser;
  PetscCall(VecScatterCreateToZero(r, &sr, &rz));
  PetscCall(VecScatterCreateToZero(c, &sc, &cz));
  PetscCall(VecScatterBegin(sr, r, rz, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sr, r, rz, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterBegin(sc, c, cz, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, c, cz, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank == 0) {
    FILE *fp;
    PetscCall(PetscFOpen(PETSC_COMM_SELF, file, "w", &fp));
    PetscCall(VecGetLocalSize(rz, &n));
    PetscCall(VecGetArrayRead(rz, &ra));
    PetscCall(VecGetArrayRead(cz, &ca));
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%.17e %.17e\n", (double)PetscRealPart(ra[i]), (double)PetscRealPart(ca[i])));
    PetscCall(VecRestoreArrayRead(cz, &ca));
    PetscCall(VecRestoreArrayRead(rz, &ra));
    PetscCall(PetscFClose(PETSC_COMM_SELF, fp));
  }
  PetscCall(VecScatterDestroy(&sr));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&rz));
  PetscCall(VecDestroy(&cz));
  PetscFunctionReturn(0);
}

static PetscErrorCode Balance(Mat A, const char out[])
{
  KrylearnBalance                bal;
  KrylearnBalanceConvergedReason reason;
  PetscInt                       sweeps, newton;
  PetscReal                      err, smin, smax;
  Vec                            r, c;

  PetscFunctionBeginUser;
  PetscCall(KrylearnBalanceCreate(PETSC_COMM_WORLD, &bal));
  PetscCall(KrylearnBalanceSetOperator(bal, A));
  PetscCall(KrylearnBalanceSetFromOptions(bal));
  PetscCall(KrylearnBalanceSolve(bal));
  PetscCall(KrylearnBalanceGetConvergedReason(bal, &reason));
  PetscCall(KrylearnBalanceGetIterationNumbers(bal, &sweeps, &newton));
  PetscCall(KrylearnBalanceGetMarginalError(bal, &err));
  PetscCall(KrylearnBalanceGetScalingRange(bal, &smin, &smax));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "reason %s sweeps %" PetscInt_FMT " newton %" PetscInt_FMT " error %.3e range [%.3e, %.3e]\n", KrylearnBalanceConvergedReasons[reason], sweeps, newton, (double)err, (double)smin, (double)smax));
  PetscCall(KrylearnBalanceGetScalings(bal, &r, &c));
  if (out[0]) PetscCall(WriteScalings(r, c, out));
  PetscCall(KrylearnBalanceDestroy(&bal));
  PetscFunctionReturn(0);
}

static PetscErrorCode Solves(Mat A, PetscInt nsolves)
{
  KSP                ksp;
  Vec                x, b, one;
  PetscInt           its;
  KSPConvergedReason reason;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(A, &x, &b));
  PetscCall(VecDuplicate(x, &one));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetFromOptions(ksp));
  for (PetscInt k = 0; k < nsolves; k++) {
    if (k > 0 && k == nsolves - 1) { /* new values, same pattern */
      PetscCall(MatScale(A, 2.0));
      PetscCall(MatShift(A, 0.01));
    }
    PetscCall(VecSet(one, 1.0));
    PetscCall(MatMult(A, one, b));
    PetscCall(VecSet(x, 0.0));
    PetscCall(KSPSolve(ksp, b, x));
    PetscCall(KSPGetIterationNumber(ksp, &its));
    PetscCall(KSPGetConvergedReason(ksp, &reason));
    PetscCall(VecAXPY(x, -1.0, one));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "solve %" PetscInt_FMT ": %s its %" PetscInt_FMT "\n", k, KSPConvergedReasons[reason], its));
  }
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&one));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "";
  PetscInt  nsolves = 0;
  PetscBool flg;
  Mat       A;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-f", file, sizeof(file), &flg));
  PetscCheck(flg, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "baltest needs -f FILE");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", out, sizeof(out), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-ksp_solves", &nsolves, NULL));
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, "", &A));
  {
    PetscInt ij[2], n = 2;
    PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-nan_entry", ij, &n, &flg));
    if (flg) {
      PetscInt rstart, rend;
      PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
      if (ij[0] >= rstart && ij[0] < rend) PetscCall(MatSetValue(A, ij[0], ij[1], NAN, INSERT_VALUES));
      PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
      PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
    }
  }
  if (nsolves > 0) PetscCall(Solves(A, nsolves));
  else PetscCall(Balance(A, out));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return 0;
}
