static const char help[] = "OT options prefixes, getters and option validation: two OT objects in one program take\n"
                           "different options through their prefixes (also the Newton KSP's), every getter returns\n"
                           "what its setter or option set, and nonsense values are refused by the setters.\n";

#include <krylearnot.h>
#include <krylearnsys.h>
#include <math.h>

/* A setter call that must fail: the error is caught and its message must name the option */
#define EXPECT_ERROR(call, option) \
  do { \
    PetscErrorCode ierr_; \
    const char    *msg_; \
    char          *named_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCheck(ierr_, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "%s was accepted", #call); \
    PetscCall(PetscErrorMessage(ierr_, NULL, (char **)&msg_)); \
    PetscCall(PetscStrstr(msg_, option, &named_)); \
    PetscCheck(named_, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "the error of %s does not name %s: %s", #call, option, msg_); \
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "refused: %s (%s)\n", #call, msg_)); \
  } while (0)

int main(int argc, char **argv)
{
  OT                a, b;
  KSP               ksp;
  KSPType           ktype;
  const char       *prefix;
  PetscReal         eta, tol, value, factor, stol;
  PetscInt          maxit, warmup, stages;
  OTSNSSparsifyType sparsify;
  OTCostType        cost;
  PetscBool         same;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsSetValue(NULL, "-a_ot_eta", "10"));
  PetscCall(PetscOptionsSetValue(NULL, "-a_ot_type", "sinkhorn"));
  PetscCall(PetscOptionsSetValue(NULL, "-a_ot_sinkhorn_eps_scaling_stages", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_eta", "40"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_tol", "1e-7"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_cost", "euclidean"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_sns_warmup", "7"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_sns_sparsify", "count"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_sns_lambda", "0.25"));
  PetscCall(PetscOptionsSetValue(NULL, "-b_ot_ksp_type", "minres"));

  PetscCall(OTCreate(PETSC_COMM_WORLD, &a));
  PetscCall(OTSetOptionsPrefix(a, "a_"));
  PetscCall(OTSetFromOptions(a));
  PetscCall(OTCreate(PETSC_COMM_WORLD, &b));
  PetscCall(OTSetOptionsPrefix(b, "x_"));
  PetscCall(OTSetOptionsPrefix(b, "b"));
  PetscCall(OTAppendOptionsPrefix(b, "_"));
  PetscCall(OTGetOptionsPrefix(b, &prefix));
  PetscCall(PetscStrcmp(prefix, "b_", &same));
  PetscCheck(same, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "prefix %s, expected b_", prefix);
  PetscCall(OTSetType(b, OTSNS));
  PetscCall(OTSetFromOptions(b));

  PetscCall(OTGetEta(a, &eta));
  PetscCheck(eta == 10, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "a: eta %g, expected 10 from -a_ot_eta", (double)eta);
  PetscCall(OTSinkhornGetEpsilonScaling(a, &factor, &stages, &stol));
  PetscCheck(stages == 2 && factor == 4 && stol == 1e-3, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "a: epsilon scaling %g %" PetscInt_FMT " %g", (double)factor, stages, (double)stol);
  PetscCall(OTGetEta(b, &eta));
  PetscCall(OTGetTolerances(b, &tol, &maxit));
  PetscCall(OTGetCostType(b, &cost));
  PetscCheck(eta == 40 && tol == 1e-7 && maxit == 100000 && cost == OT_COST_EUCLIDEAN, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "b: eta %g tol %g max_it %" PetscInt_FMT " cost %s", (double)eta, (double)tol, maxit, OTCostTypes[cost]);
  PetscCall(OTSNSGetWarmup(b, &warmup));
  PetscCall(OTSNSGetSparsify(b, &sparsify, &value));
  PetscCheck(warmup == 7 && sparsify == OT_SNS_SPARSIFY_COUNT && value == 0.25, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "b: warm-up %" PetscInt_FMT ", sparsify %s %g", warmup, OTSNSSparsifyTypes[sparsify], (double)value);
  /* the Newton KSP follows the OT's prefix; it reads its options at OTSetUp(), here by hand */
  PetscCall(OTSNSGetKSP(b, &ksp));
  PetscCall(KSPGetOptionsPrefix(ksp, &prefix));
  PetscCall(PetscStrcmp(prefix, "b_ot_", &same));
  PetscCheck(same, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Newton KSP prefix %s, expected b_ot_", prefix);
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPGetType(ksp, &ktype));
  PetscCall(PetscStrcmp(ktype, KSPMINRES, &same));
  PetscCheck(same, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Newton KSP type %s, expected minres from -b_ot_ksp_type", ktype);

  EXPECT_ERROR(OTSetEta(b, (PetscReal)INFINITY), "-ot_eta");
  EXPECT_ERROR(OTSetEta(b, 1e-320), "-ot_eta");
  EXPECT_ERROR(OTSetEta(b, -1), "-ot_eta");
  EXPECT_ERROR(OTSetTolerances(b, (PetscReal)INFINITY, PETSC_DEFAULT), "-ot_tol");
  EXPECT_ERROR(OTSetTolerances(b, PETSC_DEFAULT, -3), "-ot_max_it");
  EXPECT_ERROR(OTSNSSetWarmup(b, -1), "-ot_sns_warmup");
  EXPECT_ERROR(OTSNSSetSparsify(b, OT_SNS_SPARSIFY_MASS, (PetscReal)NAN), "-ot_sns_mass_fraction");
  EXPECT_ERROR(OTSNSSetSparsify(b, OT_SNS_SPARSIFY_COUNT, 2), "-ot_sns_lambda");
  EXPECT_ERROR(OTSinkhornSetEpsilonScaling(a, 4, 5000, 1e-3), "-ot_sinkhorn_eps_scaling_stages");
  EXPECT_ERROR(OTSinkhornSetEpsilonScaling(a, 0.5, 2, 1e-3), "-ot_sinkhorn_eps_scaling_factor");
  EXPECT_ERROR(OTSinkhornSetEpsilonScaling(a, 4, 2, -1), "-ot_sinkhorn_eps_scaling_tol");
  /* refused values leave the settings as they were */
  PetscCall(OTGetEta(b, &eta));
  PetscCall(OTSNSGetWarmup(b, &warmup));
  PetscCheck(eta == 40 && warmup == 7, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "a refused value changed a setting");
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "prefixes a_ and b_ configured two OT objects apart; getters and setters agree\n"));
  PetscCall(OTDestroy(&a));
  PetscCall(OTDestroy(&b));
  PetscCall(PetscFinalize());
  return 0;
}
