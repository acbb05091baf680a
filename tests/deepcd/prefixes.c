static const char help[] = "A KSPDEEPCD and a PCDEEPCD in one program, on one pressure problem, take their network\n"
                           "options through their own prefixes (-ksp_deepcd_net_dnnl, -pc_deepcd_net_dnnl, models,\n"
                           "grids); a second KSPDEEPCD under the prefix b_ reads -b_ksp_deepcd_net_dnnl.\n"
                           "Each solver is viewed after its solve, between lines '=== NAME'; then the getters' values.\n";

#include <krylearnksp.h>
#include <krylearnpressure.h>

static PetscErrorCode SolveAndView(const char name[], KSP ksp, Vec b)
{
  Vec                x;
  KSPConvergedReason reason;

  PetscFunctionBeginUser;
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCheck(reason > 0, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED, "%s did not converge: %s", name, KSPConvergedReasons[reason]);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "=== %s\n", name));
  PetscCall(KSPView(ksp, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt n[3] = {32, 32, 1};
  DM       da;
  Mat      A;
  Vec      b;
  KSP      kspa, kspb, kspc;
  PC       pc;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(KrylearnPressureCreate(PETSC_COMM_WORLD, 2, n, KRYLEARN_OBSTACLE_DISC, NULL, PETSC_FALSE, PETSC_FALSE, &da, &A, &b));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &kspa)); /* the learned solver, prefix none: -ksp_deepcd_... */
  PetscCall(KSPSetOperators(kspa, A, A));
  PetscCall(KSPSetDM(kspa, da));
  PetscCall(KSPSetDMActive(kspa, PETSC_FALSE));
  PetscCall(KSPSetType(kspa, KSPDEEPCD));
  PetscCall(KSPSetTolerances(kspa, 1e-6, PETSC_DEFAULT, PETSC_DEFAULT, 200));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &kspb)); /* the network as a preconditioner: -pc_deepcd_... */
  PetscCall(KSPSetOperators(kspb, A, A));
  PetscCall(KSPSetDM(kspb, da));
  PetscCall(KSPSetDMActive(kspb, PETSC_FALSE));
  PetscCall(KSPSetType(kspb, KSPFCG));
  PetscCall(KSPGetPC(kspb, &pc));
  PetscCall(PCSetType(pc, PCDEEPCD));
  PetscCall(KSPSetTolerances(kspb, 1e-6, PETSC_DEFAULT, PETSC_DEFAULT, 200));

  PetscCall(KSPCreate(PETSC_COMM_WORLD, &kspc)); /* a second learned solver under b_: -b_ksp_deepcd_... */
  PetscCall(KSPSetOptionsPrefix(kspc, "b_"));
  PetscCall(KSPSetOperators(kspc, A, A));
  PetscCall(KSPSetDM(kspc, da));
  PetscCall(KSPSetDMActive(kspc, PETSC_FALSE));
  PetscCall(KSPSetType(kspc, KSPDEEPCD));
  PetscCall(KSPSetTolerances(kspc, 1e-6, PETSC_DEFAULT, PETSC_DEFAULT, 200));

  PetscCall(SolveAndView("ksp", kspa, b));
  PetscCall(SolveAndView("pc", kspb, b));
  PetscCall(SolveAndView("b_ksp", kspc, b));
  { /* the getters return what the options set */
    PetscInt    k, refresh, dim, g[3];
    const char *kmodel, *pmodel;

    PetscCall(KSPDeepCDGetNumDirections(kspa, &k));
    PetscCall(KSPDeepCDGetRefresh(kspa, &refresh));
    PetscCall(KSPDeepCDGetModel(kspa, &kmodel));
    PetscCall(KSPDeepCDGetGrid(kspa, &dim, g));
    PetscCall(PCDeepCDGetModel(pc, &pmodel));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "=== getters\nksp ndirs %" PetscInt_FMT " refresh %" PetscInt_FMT " model %s grid dim %" PetscInt_FMT "; pc model %s\n", k, refresh, kmodel, dim, pmodel));
  }
  PetscCall(KSPDestroy(&kspa));
  PetscCall(KSPDestroy(&kspb));
  PetscCall(KSPDestroy(&kspc));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
