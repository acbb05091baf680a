static const char help[] = "OT library interface test: dense, sparse and point-cloud costs, both methods.\n"
                           "Checks the plan's marginals with PETSc matrix products and that the two methods agree.\n";

#include <krylearn.h>

/* ||P 1 - r||_1 + ||P^T 1 - c||_1 computed with MatMult / MatMultTranspose. */
static PetscErrorCode MarginalError(Mat P, Vec r, Vec c, PetscReal *err)
{
  Vec       one_m, one_n, pr, pc;
  PetscReal e1, e2;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(P, &one_m, &one_n));
  PetscCall(VecDuplicate(one_n, &pr));
  PetscCall(VecDuplicate(one_m, &pc));
  PetscCall(VecSet(one_m, 1));
  PetscCall(VecSet(one_n, 1));
  PetscCall(MatMult(P, one_m, pr));
  PetscCall(MatMultTranspose(P, one_n, pc));
  PetscCall(VecAXPY(pr, -1, r));
  PetscCall(VecNorm(pr, NORM_1, &e1));
  PetscCall(VecAXPY(pc, -1, c)); /* c was created with the default layout of m entries, like P's columns */
  PetscCall(VecNorm(pc, NORM_1, &e2));
  *err = e1 + e2;
  PetscCall(VecDestroy(&one_m));
  PetscCall(VecDestroy(&one_n));
  PetscCall(VecDestroy(&pr));
  PetscCall(VecDestroy(&pc));
  PetscFunctionReturn(0);
}

/* Solve with the given type; return the dense plan. */
static PetscErrorCode Run(Mat C, Mat X, Mat Y, Vec r, Vec c, OTType type, Mat *Pd)
{
  OT                ot;
  OTConvergedReason reason;
  Mat               Ps;
  PetscReal         err, errd, errs, cost;
  PetscInt          sits, nits;

  PetscFunctionBeginUser;
  PetscCall(OTCreate(PETSC_COMM_WORLD, &ot));
  if (C) PetscCall(OTSetCostMatrix(ot, C));
  else PetscCall(OTSetPointClouds(ot, X, Y));
  PetscCall(OTSetMarginals(ot, r, c));
  PetscCall(OTSetType(ot, type));
  PetscCall(OTSetEta(ot, 30));
  PetscCall(OTSetTolerances(ot, 1e-11, 5000));
  PetscCall(OTSetFromOptions(ot));
  PetscCall(OTSolve(ot));
  PetscCall(OTGetConvergedReason(ot, &reason));
  PetscCall(OTGetMarginalError(ot, &err));
  PetscCall(OTGetTransportCost(ot, &cost));
  PetscCall(OTGetIterationNumbers(ot, &sits, &nits));
  PetscCheck(reason == OT_CONVERGED_MARGINAL, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED, "%s did not converge: %s", type, OTConvergedReasons[reason]);
  PetscCall(OTGetPlan(ot, MATDENSE, 0, Pd));
  PetscCall(OTGetPlan(ot, MATAIJ, 0, &Ps));
  PetscCall(MarginalError(*Pd, r, c, &errd));
  PetscCall(MarginalError(Ps, r, c, &errs));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-8s %s: %" PetscInt_FMT " + %" PetscInt_FMT " iterations, reported error %.1e, dense plan %.1e, sparse plan %.1e, cost %.10f\n", type, C ? "matrix" : "clouds", sits, nits, (double)err, (double)errd, (double)errs, (double)cost));
  PetscCheck(errd < 1e-11 && errs < 1e-11 && PetscAbsReal(err - errd) < 1e-13, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "%s: marginal errors disagree or exceed the tolerance", type);
  PetscCall(MatDestroy(&Ps));
  PetscCall(OTDestroy(&ot));
  PetscFunctionReturn(0);
}

static PetscErrorCode Compare(Mat A, Mat B, const char *what)
{
  PetscReal d;

  PetscFunctionBeginUser;
  PetscCall(MatAXPY(A, -1, B, SAME_NONZERO_PATTERN));
  PetscCall(MatNorm(A, NORM_MAX, &d));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: max |P_sns - P_sinkhorn| = %.1e\n", what, (double)d));
  PetscCheck(d < 1e-10, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "%s: SNS and Sinkhorn plans differ by %g", what, (double)d);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt n = 23, m = 17, d = 2;
  Mat            C, Cs, X, Y, P1, P2;
  Vec            r, c;
  PetscInt       lo, hi;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  /* points on two curves, weights varying smoothly */
  PetscCall(MatCreateDense(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n, d, NULL, &X));
  PetscCall(MatCreateDense(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, m, d, NULL, &Y));
  PetscCall(MatGetOwnershipRange(X, &lo, &hi));
  for (PetscInt i = lo; i < hi; i++) {
    PetscCall(MatSetValue(X, i, 0, PetscCosReal(0.3 * i), INSERT_VALUES));
    PetscCall(MatSetValue(X, i, 1, PetscSinReal(0.7 * i), INSERT_VALUES));
  }
  PetscCall(MatGetOwnershipRange(Y, &lo, &hi));
  for (PetscInt j = lo; j < hi; j++) {
    PetscCall(MatSetValue(Y, j, 0, 0.5 + 0.05 * j, INSERT_VALUES));
    PetscCall(MatSetValue(Y, j, 1, PetscCosReal(1.3 * j), INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(X, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(X, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Y, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Y, MAT_FINAL_ASSEMBLY));
  PetscCall(MatCreateVecs(X, NULL, &r));
  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, m, &c));
  PetscCall(VecGetOwnershipRange(r, &lo, &hi));
  for (PetscInt i = lo; i < hi; i++) PetscCall(VecSetValue(r, i, (1.0 + 0.5 * PetscSinReal(i)) / n, INSERT_VALUES));
  PetscCall(VecAssemblyBegin(r));
  PetscCall(VecAssemblyEnd(r));
  {
    PetscScalar s;
    PetscCall(VecSum(r, &s));
    PetscCall(VecScale(r, 1 / s));
  }
  PetscCall(VecSet(c, 1.0 / m));

  /* dense cost |x - y|^2 as a matrix, and a sparse cost keeping entries below 2.5 */
  PetscCall(MatCreateDense(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n, m, NULL, &C));
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n, m, m, NULL, m, NULL, &Cs));
  PetscCall(MatGetOwnershipRange(C, &lo, &hi));
  for (PetscInt i = lo; i < hi; i++)
    for (PetscInt j = 0; j < m; j++) {
      const PetscReal xi0 = PetscCosReal(0.3 * i), xi1 = PetscSinReal(0.7 * i), yj0 = 0.5 + 0.05 * j, yj1 = PetscCosReal(1.3 * j);
      const PetscReal v = (xi0 - yj0) * (xi0 - yj0) + (xi1 - yj1) * (xi1 - yj1);
      PetscCall(MatSetValue(C, i, j, v, INSERT_VALUES));
      if (v < 2.5 || j == i % m) PetscCall(MatSetValue(Cs, i, j, v, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(C, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(C, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Cs, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Cs, MAT_FINAL_ASSEMBLY));

  PetscCall(Run(C, NULL, NULL, r, c, OTSNS, &P1));
  PetscCall(Run(NULL, X, Y, r, c, OTSINKHORN, &P2));
  PetscCall(Compare(P1, P2, "dense matrix vs clouds"));
  PetscCall(MatDestroy(&P1));
  PetscCall(MatDestroy(&P2));
  PetscCall(Run(Cs, NULL, NULL, r, c, OTSNS, &P1));
  PetscCall(Run(Cs, NULL, NULL, r, c, OTSINKHORN, &P2));
  PetscCall(Compare(P1, P2, "sparse matrix"));
  PetscCall(MatDestroy(&P1));
  PetscCall(MatDestroy(&P2));

  PetscCall(MatDestroy(&C));
  PetscCall(MatDestroy(&Cs));
  PetscCall(MatDestroy(&X));
  PetscCall(MatDestroy(&Y));
  PetscCall(VecDestroy(&r));
  PetscCall(VecDestroy(&c));
  PetscCall(PetscFinalize());
  return 0;
}
