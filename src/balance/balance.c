/* KrylearnBalance: the object, its options, set-up from the operator, viewing, results. */
#include "balanceimpl.h"

PetscClassId  KRYLEARN_BALANCE_CLASSID;
PetscLogEvent KRYLEARN_BalanceSetUp, KRYLEARN_BalanceSinkhorn, KRYLEARN_BalanceNewtonAssembly, KRYLEARN_BalanceNewtonSolve, KRYLEARN_BalanceLineSearch;

static const char *const BalanceConvergedReasons_Shifted[] = {"DIVERGED_NANORINF", "DIVERGED_MAX_IT", "", "", "CONVERGED_ITERATING", "", "CONVERGED_MARGINAL", "KrylearnBalanceConvergedReason", "KRYLEARN_BALANCE_", NULL};
const char *const       *KrylearnBalanceConvergedReasons   = BalanceConvergedReasons_Shifted + 4;

static PetscBool BalancePackageInitialized = PETSC_FALSE;

static PetscErrorCode BalanceFinalizePackage(void)
{
  PetscFunctionBegin;
  BalancePackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnBalanceInitializePackage - Registers the KrylearnBalance class and its log events

  Level: developer

  Note:
  Called from `KrylearnInitializePackage()` and from `KrylearnBalanceCreate()`; safe to call more than once.

.seealso: `KrylearnBalanceCreate()`
@*/
PetscErrorCode KrylearnBalanceInitializePackage(void)
{
  PetscFunctionBegin;
  if (BalancePackageInitialized) PetscFunctionReturn(0);
  BalancePackageInitialized = PETSC_TRUE;
  PetscCall(KSPInitializePackage());
  PetscCall(PetscClassIdRegister("Matrix balancing", &KRYLEARN_BALANCE_CLASSID));
  PetscCall(PetscLogEventRegister("BalanceSetUp", KRYLEARN_BALANCE_CLASSID, &KRYLEARN_BalanceSetUp));
  PetscCall(PetscLogEventRegister("BalanceSinkhorn", KRYLEARN_BALANCE_CLASSID, &KRYLEARN_BalanceSinkhorn));
  PetscCall(PetscLogEventRegister("BalanceNewtonAsm", KRYLEARN_BALANCE_CLASSID, &KRYLEARN_BalanceNewtonAssembly));
  PetscCall(PetscLogEventRegister("BalanceNewtonKSP", KRYLEARN_BALANCE_CLASSID, &KRYLEARN_BalanceNewtonSolve));
  PetscCall(PetscLogEventRegister("BalanceLineSrch", KRYLEARN_BALANCE_CLASSID, &KRYLEARN_BalanceLineSearch));
  PetscCall(PetscRegisterFinalize(BalanceFinalizePackage));
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceCreate - Creates a matrix balancing object

  Collective

  Input Parameter:
. comm - the communicator of the matrices it will balance

  Output Parameter:
. bal - the object: general (two-sided) mode, power 1, tolerance 1e-8 on the marginal error

  Level: beginner

.seealso: `KrylearnBalanceSetOperator()`, `KrylearnBalanceSolve()`, `KrylearnBalanceDestroy()`, `PCSINKHORN`
@*/
PetscErrorCode KrylearnBalanceCreate(MPI_Comm comm, KrylearnBalance *bal)
{
  KrylearnBalance b;
  PC              pc;

  PetscFunctionBegin;
  PetscValidPointer(bal, 2);
  PetscCall(KrylearnBalanceInitializePackage());
  PetscCall(PetscHeaderCreate(b, KRYLEARN_BALANCE_CLASSID, "KrylearnBalance", "Matrix balancing", "KrylearnBalance", comm, KrylearnBalanceDestroy, KrylearnBalanceView));
  PetscCall(PetscObjectChangeTypeName((PetscObject)b, "sinkhorn-newton"));
  b->power    = 1;
  b->tol      = 1e-8;
  b->max_it   = 10000;
  b->warmup   = 10;
  b->newton   = PETSC_TRUE;
  b->rtol_max = 0.1;
  PetscCall(KSPCreate(comm, &b->ksp));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)b->ksp, (PetscObject)b, 1));
  PetscCall(KSPSetOptionsPrefix(b->ksp, "balance_"));
  PetscCall(KSPSetType(b->ksp, KSPCG));
  /* the step is accepted on its true residual: stop on it too, whatever the preconditioner */
  PetscCall(KSPSetNormType(b->ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPGetPC(b->ksp, &pc));
  PetscCall(PCSetType(pc, PCJACOBI));
  *bal = b;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceReset - Drops everything built from the operator, including the scalings kept for a warm start

  Collective

  Input Parameter:
. bal - the balancing object

  Level: advanced

.seealso: `KrylearnBalanceSetOperator()`
@*/
PetscErrorCode KrylearnBalanceReset(KrylearnBalance bal)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscCall(MatDestroy(&bal->K));
  PetscCall(MatDestroy(&bal->Kt));
  PetscCall(MatDestroy(&bal->S));
  PetscCall(MatDestroy(&bal->H));
  PetscCall(VecDestroy(&bal->w));
  PetscCall(VecDestroy(&bal->Sw));
  PetscCall(VecDestroy(&bal->rs));
  PetscCall(VecDestroy(&bal->g));
  PetscCall(VecDestroy(&bal->d));
  PetscCall(VecDestroy(&bal->res));
  PetscCall(VecDestroy(&bal->r));
  PetscCall(VecDestroy(&bal->c));
  PetscCall(VecDestroy(&bal->t));
  PetscCall(VecDestroy(&bal->flip));
  PetscCall(MatNullSpaceDestroy(&bal->nullsp));
  PetscCall(VecScatterDestroy(&bal->ghost));
  PetscCall(VecDestroy(&bal->wghost));
  PetscCall(VecDestroy(&bal->dghost));
  bal->Sd = bal->So    = NULL;
  bal->warm            = PETSC_FALSE;
  bal->support_checked = PETSC_FALSE;
  bal->ndropped        = 0;
  bal->Astate          = 0;
  bal->Anzstate        = 0;
  bal->reason          = KRYLEARN_BALANCE_CONVERGED_ITERATING;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceDestroy - Destroys a balancing object

  Collective

  Input Parameter:
. bal - the object

  Level: beginner

.seealso: `KrylearnBalanceCreate()`
@*/
PetscErrorCode KrylearnBalanceDestroy(KrylearnBalance *bal)
{
  PetscFunctionBegin;
  if (!*bal) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (--((PetscObject)(*bal))->refct > 0) {
    *bal = NULL;
    PetscFunctionReturn(0);
  }
  PetscCall(KrylearnBalanceReset(*bal));
  PetscCall(MatDestroy(&(*bal)->A));
  PetscCall(KSPDestroy(&(*bal)->ksp));
  PetscCall(PetscHeaderDestroy(bal));
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetOperator - Sets the matrix to balance

  Collective

  Input Parameters:
+ bal - the balancing object
- A   - a square matrix (any type `MatConvert()` turns into `MATAIJ`) with equal row and column layouts

  Level: beginner

  Note:
  The scalings of the previous solve are kept as the starting point when A has the same nonzero
  pattern (same matrix, or values changed in place); a matrix with another pattern starts afresh.

.seealso: `KrylearnBalanceSolve()`, `KrylearnBalanceGetOperator()`
@*/
PetscErrorCode KrylearnBalanceSetOperator(KrylearnBalance bal, Mat A)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidHeaderSpecific(A, MAT_CLASSID, 2);
  PetscCheckSameComm(bal, 1, A, 2);
  PetscCall(PetscObjectReference((PetscObject)A));
  if (bal->A != A) PetscCall(KrylearnBalanceReset(bal));
  PetscCall(MatDestroy(&bal->A));
  bal->A = A;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetOperator - Gets the matrix being balanced

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. A - the matrix (NULL when none was set), not a new reference

  Level: beginner

.seealso: `KrylearnBalanceSetOperator()`
@*/
PetscErrorCode KrylearnBalanceGetOperator(KrylearnBalance bal, Mat *A)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidPointer(A, 2);
  *A = bal->A;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetSymmetric - Chooses symmetric balancing (one scaling d, diag(d) |A|^p diag(d)) or general two-sided balancing

  Logically Collective

  Input Parameters:
+ bal - the balancing object
- flg - `PETSC_TRUE` for symmetric mode; |A| must then be symmetric

  Options Database Key:
. -balance_symmetric <bool> - default false

  Level: beginner

  Note:
  Symmetric mode keeps a symmetric matrix symmetric, so CG and symmetric preconditioners still apply.

.seealso: `KrylearnBalanceGetSymmetric()`
@*/
PetscErrorCode KrylearnBalanceSetSymmetric(KrylearnBalance bal, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidLogicalCollectiveBool(bal, flg, 2);
  if (bal->symmetric != flg) PetscCall(KrylearnBalanceReset(bal));
  bal->symmetric = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetSymmetric - Tells whether the balancing is symmetric

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. flg - `PETSC_TRUE` in symmetric mode

  Level: beginner

.seealso: `KrylearnBalanceSetSymmetric()`
@*/
PetscErrorCode KrylearnBalanceGetSymmetric(KrylearnBalance bal, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = bal->symmetric;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetPower - Sets the power p of the kernel |a_ij|^p that is made doubly stochastic

  Logically Collective

  Input Parameters:
+ bal - the balancing object
- p   - positive power: 1 makes |A| doubly stochastic, 2 balances the squares (Ruiz's 2-norm scaling)

  Options Database Key:
. -balance_power <p> - default 1

  Level: intermediate

  Note:
  `KrylearnBalanceGetScalings()` returns the scalings of A itself: those of the kernel raised to 1/p,
  so that diag(r) A diag(c) has rows and columns of unit p-norm.

.seealso: `KrylearnBalanceGetPower()`
@*/
PetscErrorCode KrylearnBalanceSetPower(KrylearnBalance bal, PetscReal p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidLogicalCollectiveReal(bal, p, 2);
  PetscCheck(p > 0 && !PetscIsInfOrNanReal(p), PetscObjectComm((PetscObject)bal), PETSC_ERR_ARG_OUTOFRANGE, "Balancing power must be positive and finite, got %g", (double)p);
  if (bal->power != p) bal->Astate = 0; /* the kernel must be rebuilt */
  bal->power = p;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetPower - Gets the power p of the kernel |a_ij|^p

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. p - the power

  Level: intermediate

.seealso: `KrylearnBalanceSetPower()`
@*/
PetscErrorCode KrylearnBalanceGetPower(KrylearnBalance bal, PetscReal *p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidRealPointer(p, 2);
  *p = bal->power;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetTolerances - Sets the tolerance on the marginal error and the iteration limit

  Logically Collective

  Input Parameters:
+ bal    - the balancing object
. tol    - tolerance on max(||P1 - 1||_inf, ||P^T 1 - 1||_inf), P the balanced kernel (`PETSC_DEFAULT`: 1e-8)
- max_it - Sinkhorn sweeps and Newton steps together (`PETSC_DEFAULT`: 10000)

  Options Database Keys:
+ -balance_tol <tol> - the tolerance
- -balance_max_it <n> - the limit

  Level: beginner

.seealso: `KrylearnBalanceGetTolerances()`
@*/
PetscErrorCode KrylearnBalanceSetTolerances(KrylearnBalance bal, PetscReal tol, PetscInt max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidLogicalCollectiveReal(bal, tol, 2);
  PetscValidLogicalCollectiveInt(bal, max_it, 3);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(tol > 0 && !PetscIsInfOrNanReal(tol), PetscObjectComm((PetscObject)bal), PETSC_ERR_ARG_OUTOFRANGE, "Balancing tolerance must be positive and finite, got %g", (double)tol);
    bal->tol = tol;
  }
  if (max_it != PETSC_DEFAULT) {
    PetscCheck(max_it >= 0, PetscObjectComm((PetscObject)bal), PETSC_ERR_ARG_OUTOFRANGE, "Maximum number of balancing iterations must be non-negative, got %" PetscInt_FMT, max_it);
    bal->max_it = max_it;
  }
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetTolerances - Gets the tolerance on the marginal error and the iteration limit

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameters:
+ tol    - the tolerance (or NULL)
- max_it - the limit (or NULL)

  Level: beginner

.seealso: `KrylearnBalanceSetTolerances()`
@*/
PetscErrorCode KrylearnBalanceGetTolerances(KrylearnBalance bal, PetscReal *tol, PetscInt *max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (tol) *tol = bal->tol;
  if (max_it) *max_it = bal->max_it;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetWarmup - Sets the Sinkhorn sweeps run before the first Newton step, or disables Newton

  Logically Collective

  Input Parameters:
+ bal    - the balancing object
. warmup - sweeps before Newton from a cold start (also after a failed Newton step); a warm start skips them
- newton - `PETSC_FALSE` runs plain Sinkhorn sweeps until the tolerance or the iteration limit

  Options Database Keys:
+ -balance_warmup <n> - default 10
- -balance_newton <bool> - default true

  Level: intermediate

.seealso: `KrylearnBalanceGetWarmup()`, `KrylearnBalanceGetKSP()`
@*/
PetscErrorCode KrylearnBalanceSetWarmup(KrylearnBalance bal, PetscInt warmup, PetscBool newton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidLogicalCollectiveInt(bal, warmup, 2);
  PetscValidLogicalCollectiveBool(bal, newton, 3);
  PetscCheck(warmup >= 0, PetscObjectComm((PetscObject)bal), PETSC_ERR_ARG_OUTOFRANGE, "Warm-up sweeps must be non-negative, got %" PetscInt_FMT, warmup);
  bal->warmup = warmup;
  bal->newton = newton;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetWarmup - Gets the Sinkhorn warm-up and whether Newton steps follow

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameters:
+ warmup - sweeps before Newton (or NULL)
- newton - whether Newton steps are taken (or NULL)

  Level: intermediate

.seealso: `KrylearnBalanceSetWarmup()`
@*/
PetscErrorCode KrylearnBalanceGetWarmup(KrylearnBalance bal, PetscInt *warmup, PetscBool *newton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (warmup) *warmup = bal->warmup;
  if (newton) *newton = bal->newton;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetDropUnsupported - Chooses what a pattern without total support does: stop with an error, or leave the entries that lie on no perfect matching out of the balancing

  Logically Collective

  Input Parameters:
+ bal - the balancing object
- flg - `PETSC_TRUE` to leave them out

  Options Database Key:
. -balance_drop_unsupported <bool> - default false (`PCSINKHORN`: true)

  Level: intermediate

  Notes:
  Sinkhorn's iteration on such a pattern tends to a doubly stochastic matrix in which those entries
  are zero, while the scalings diverge; that limit is the balancing of the pattern without them,
  which is what is computed here. Jacobians with Dirichlet rows kept as identity rows (but their
  columns not eliminated) are such patterns: a column whose only other partner is an identity row
  can match no other row. A pattern without a perfect matching always stops with an error.

.seealso: `KrylearnBalanceGetDropUnsupported()`, `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceSetDropUnsupported(KrylearnBalance bal, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidLogicalCollectiveBool(bal, flg, 2);
  bal->drop_unsupported = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetDropUnsupported - Tells whether entries on no perfect matching are left out of the balancing

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. flg - `PETSC_TRUE` when they are left out, `PETSC_FALSE` when such a pattern stops with an error

  Level: intermediate

.seealso: `KrylearnBalanceSetDropUnsupported()`
@*/
PetscErrorCode KrylearnBalanceGetDropUnsupported(KrylearnBalance bal, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = bal->drop_unsupported;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetKSP - Gets the KSP that solves the Newton systems (CG with Jacobi by default)

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. ksp - the KSP, options prefix the object's prefix followed by balance_

  Level: intermediate

.seealso: `KrylearnBalanceSetWarmup()`
@*/
PetscErrorCode KrylearnBalanceGetKSP(KrylearnBalance bal, KSP *ksp)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidPointer(ksp, 2);
  *ksp = bal->ksp;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnBalanceSetOptionsPrefix - Sets the prefix of the object's options (and of its KSP, followed by balance_)

  Logically Collective

  Input Parameters:
+ bal    - the balancing object
- prefix - the prefix

  Level: advanced

.seealso: `KrylearnBalanceAppendOptionsPrefix()`, `KrylearnBalanceSetFromOptions()`
@*/
PetscErrorCode KrylearnBalanceSetOptionsPrefix(KrylearnBalance bal, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)bal, prefix));
  PetscCall(KSPSetOptionsPrefix(bal->ksp, prefix));
  PetscCall(KSPAppendOptionsPrefix(bal->ksp, "balance_"));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnBalanceAppendOptionsPrefix - Appends to the prefix of the object's options (and of its KSP)

  Logically Collective

  Input Parameters:
+ bal    - the balancing object
- prefix - what to append

  Level: advanced

.seealso: `KrylearnBalanceSetOptionsPrefix()`
@*/
PetscErrorCode KrylearnBalanceAppendOptionsPrefix(KrylearnBalance bal, const char prefix[])
{
  const char *full;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)bal, prefix));
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)bal, &full));
  PetscCall(KSPSetOptionsPrefix(bal->ksp, full));
  PetscCall(KSPAppendOptionsPrefix(bal->ksp, "balance_"));
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetFromOptions - Reads the options of the balancing object and of its KSP

  Collective

  Input Parameter:
. bal - the balancing object

  Options Database Keys:
+ -balance_symmetric <false> - symmetric mode (one scaling)
. -balance_power <1> - power of |a_ij|
. -balance_tol <1e-8> - tolerance on the marginal error (max norm)
. -balance_max_it <10000> - sweeps and Newton steps together
. -balance_warmup <10> - Sinkhorn sweeps before Newton
. -balance_newton <true> - false: plain Sinkhorn
. -balance_ksp_rtol_max <0.1> - Newton systems solved to relative tolerance min(this, marginal error)
. -balance_drop_unsupported <false> - leave entries on no perfect matching out instead of an error
. -balance_monitor - marginal error at each iteration
. -balance_view - view after each solve
- -balance_ksp_type, -balance_pc_type, ... - the Newton KSP (cg, jacobi)

  Level: beginner

.seealso: `KrylearnBalanceCreate()`
@*/
PetscErrorCode KrylearnBalanceSetFromOptions(KrylearnBalance bal)
{
  PetscBool flg, sym;
  PetscReal p, tol;
  PetscInt  max_it, warmup;
  PetscBool newton;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)bal);
  PetscCall(PetscOptionsBool("-balance_symmetric", "Symmetric balancing: one scaling, keeps symmetry", "KrylearnBalanceSetSymmetric", bal->symmetric, &sym, &flg));
  if (flg) PetscCall(KrylearnBalanceSetSymmetric(bal, sym));
  PetscCall(PetscOptionsReal("-balance_power", "Power p of the kernel |a_ij|^p made doubly stochastic", "KrylearnBalanceSetPower", bal->power, &p, &flg));
  if (flg) PetscCall(KrylearnBalanceSetPower(bal, p));
  tol    = bal->tol;
  max_it = bal->max_it;
  PetscCall(PetscOptionsReal("-balance_tol", "Tolerance on the marginal error (max norm)", "KrylearnBalanceSetTolerances", tol, &tol, NULL));
  PetscCall(PetscOptionsInt("-balance_max_it", "Sinkhorn sweeps and Newton steps together", "KrylearnBalanceSetTolerances", max_it, &max_it, NULL));
  PetscCall(KrylearnBalanceSetTolerances(bal, tol, max_it));
  warmup = bal->warmup;
  newton = bal->newton;
  PetscCall(PetscOptionsInt("-balance_warmup", "Sinkhorn sweeps before the first Newton step", "KrylearnBalanceSetWarmup", warmup, &warmup, NULL));
  PetscCall(PetscOptionsBool("-balance_newton", "Newton steps after the warm-up (false: plain Sinkhorn)", "KrylearnBalanceSetWarmup", newton, &newton, NULL));
  PetscCall(KrylearnBalanceSetWarmup(bal, warmup, newton));
  PetscCall(PetscOptionsReal("-balance_ksp_rtol_max", "Newton systems are solved to relative tolerance min(this, marginal error)", "", bal->rtol_max, &bal->rtol_max, NULL));
  PetscCheck(bal->rtol_max > 0 && bal->rtol_max < 1, PetscObjectComm((PetscObject)bal), PETSC_ERR_ARG_OUTOFRANGE, "-balance_ksp_rtol_max must lie in (0, 1), got %g", (double)bal->rtol_max);
  PetscCall(PetscOptionsBool("-balance_drop_unsupported", "Leave entries on no perfect matching out of the balancing instead of stopping with an error", "KrylearnBalanceSetDropUnsupported", bal->drop_unsupported, &bal->drop_unsupported, NULL));
  PetscCall(PetscOptionsBool("-balance_monitor", "Print the marginal error at each iteration", "", bal->monitor, &bal->monitor, NULL));
  PetscCall(PetscObjectProcessOptionsHandlers((PetscObject)bal, PetscOptionsObject));
  PetscOptionsEnd();
  PetscCall(KSPSetFromOptions(bal->ksp));
  PetscFunctionReturn(0);
}

/* Kernel K = |A|^p in AIJ format, with its non-finite entries refused by index (the one in the
   lowest row, found collectively). */
static PetscErrorCode BuildKernel(KrylearnBalance b)
{
  MPI_Comm        comm = PetscObjectComm((PetscObject)b);
  Mat             blocks[2];
  PetscInt        nb = 0, rstart, cstart, bad[2] = {PETSC_MAX_INT, -1};
  PetscReal       badval = 0;
  PetscBool       mpi;
  const PetscInt *garray = NULL;

  PetscFunctionBegin;
  PetscCall(MatDestroy(&b->K));
  PetscCall(MatConvert(b->A, MATAIJ, MAT_INITIAL_MATRIX, &b->K));
  PetscCall(PetscObjectTypeCompare((PetscObject)b->K, MATMPIAIJ, &mpi));
  if (mpi) {
    PetscCall(MatMPIAIJGetSeqAIJ(b->K, &blocks[0], &blocks[1], &garray));
    nb = 2;
  } else blocks[nb++] = b->K;
  PetscCall(MatGetOwnershipRange(b->K, &rstart, NULL));
  PetscCall(MatGetOwnershipRangeColumn(b->K, &cstart, NULL));
  for (PetscInt k = 0; k < nb; k++) {
    const PetscInt *ia, *ja;
    PetscInt        n, nr;
    PetscBool       done;
    PetscScalar    *a;

    PetscCall(MatGetRowIJ(blocks[k], 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
    PetscCall(MatSeqAIJGetArray(blocks[k], &a));
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt e = ia[i]; e < ia[i + 1]; e++) {
        if (PetscIsInfOrNanScalar(a[e]) && rstart + i < bad[0]) {
          bad[0] = rstart + i;
          bad[1] = k == 0 ? cstart + ja[e] : garray[ja[e]];
          badval = PetscRealPart(a[e]);
        }
        a[e] = b->power == 1 ? PetscAbsScalar(a[e]) : PetscPowReal(PetscAbsScalar(a[e]), b->power);
      }
    PetscCall(MatSeqAIJRestoreArray(blocks[k], &a));
    PetscCall(MatRestoreRowIJ(blocks[k], 0, PETSC_FALSE, PETSC_FALSE, &nr, &ia, &ja, &done));
  }
  PetscCall(PetscObjectStateIncrease((PetscObject)b->K));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad[0], 1, MPIU_INT, MPI_MIN, comm));
  if (bad[0] < PETSC_MAX_INT) {
    const char     *kinds[3] = {"nan", "inf", "-inf"};
    const PetscBool owner    = (PetscBool)(bad[0] >= rstart && bad[0] < rstart + b->nloc);
    PetscInt        mine[2]  = {owner ? bad[1] : -1, owner ? (PetscIsNanReal(badval) ? 0 : badval > 0 ? 1 : 2) : -1};
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mine, 2, MPIU_INT, MPI_MAX, comm));
    SETERRQ(comm, PETSC_ERR_FP, "Matrix entry (%" PetscInt_FMT ", %" PetscInt_FMT ") is %s: a matrix to balance must have finite entries", bad[0], mine[0], kinds[mine[1]]);
  }
  PetscFunctionReturn(0);
}

/* Refuses zero rows and columns of the kernel, naming the first and counting them. */
static PetscErrorCode CheckZeroLines(KrylearnBalance b)
{
  MPI_Comm           comm = PetscObjectComm((PetscObject)b);
  Vec                sums;
  PetscInt           rstart, n, first[2], count[2];
  const PetscScalar *s;
  const char        *what[2] = {"Row", "Column"};

  PetscFunctionBegin;
  PetscCall(MatCreateVecs(b->K, NULL, &sums));
  PetscCall(MatGetOwnershipRange(b->K, &rstart, NULL));
  for (PetscInt side = 0; side < 2; side++) {
    if (side == 0) PetscCall(MatGetRowSum(b->K, sums));
    else {
      Vec one;
      PetscCall(MatCreateVecs(b->K, &one, NULL));
      PetscCall(VecSet(one, 1.0));
      PetscCall(MatMultTranspose(b->K, one, sums));
      PetscCall(VecDestroy(&one));
    }
    PetscCall(VecGetLocalSize(sums, &n));
    PetscCall(VecGetArrayRead(sums, &s));
    first[side] = PETSC_MAX_INT;
    count[side] = 0;
    for (PetscInt i = 0; i < n; i++)
      if (!(PetscRealPart(s[i]) > 0)) {
        first[side] = PetscMin(first[side], rstart + i);
        count[side]++;
      }
    PetscCall(VecRestoreArrayRead(sums, &s));
  }
  PetscCall(VecDestroy(&sums));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, first, 2, MPIU_INT, MPI_MIN, comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, count, 2, MPIU_INT, MPI_SUM, comm));
  for (PetscInt side = 0; side < 2; side++)
    PetscCheck(!count[side], comm, PETSC_ERR_ARG_WRONG, "%s %" PetscInt_FMT " of the matrix is zero (%" PetscInt_FMT " zero %s in all): a matrix with a zero row or column cannot be balanced", what[side], first[side], count[side], side ? "columns" : "rows");
  PetscFunctionReturn(0);
}

/* Index in S of row (side 0) or column (side 1) i of A: general mode orders each rank's
   unknowns as its rows of r then its rows of c. ranges: A's ownership ranges (size + 1). */
static inline PetscInt SIndex(const PetscInt *ranges, PetscMPIInt size, PetscBool symmetric, PetscInt side, PetscInt i)
{
  PetscMPIInt lo = 0, hi = size; /* owner: ranges[lo] <= i < ranges[lo + 1] */

  if (symmetric) return i;
  while (hi - lo > 1) {
    const PetscMPIInt mid = (lo + hi) / 2;
    if (ranges[mid] <= i) lo = mid;
    else hi = mid;
  }
  return i + (side ? ranges[lo + 1] : ranges[lo]);
}

/* S: K (symmetric) or [[0, K], [K^T, 0]] (general), with every diagonal entry stored. */
static PetscErrorCode BuildSymmetricForm(KrylearnBalance b)
{
  MPI_Comm        comm = PetscObjectComm((PetscObject)b);
  const PetscInt *ranges;
  PetscMPIInt     size;
  PetscInt        nl = b->symmetric ? b->nloc : 2 * b->nloc, rstart, sstart, *dnnz, *onnz, *cols = NULL, maxrow = 0;
  PetscScalar    *vals = NULL;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(MatGetOwnershipRanges(b->K, &ranges));
  PetscCall(MatGetOwnershipRange(b->K, &rstart, NULL));
  sstart = b->symmetric ? rstart : 2 * rstart;
  PetscCall(PetscCalloc2(nl, &dnnz, nl, &onnz));
  for (PetscInt pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      PetscCall(MatDestroy(&b->S));
      PetscCall(MatCreateAIJ(comm, nl, nl, PETSC_DETERMINE, PETSC_DETERMINE, 0, dnnz, 0, onnz, &b->S));
      PetscCall(PetscMalloc2(maxrow + 1, &cols, maxrow + 1, &vals));
    }
    for (PetscInt a = 0; a < nl; a++) {
      const PetscInt     side = a < b->nloc ? 0 : 1, i = rstart + a - side * b->nloc;
      Mat                M = side ? b->Kt : b->K;
      const PetscInt    *mcols;
      const PetscScalar *mvals;
      PetscInt           nc, k = 0;
      PetscBool          diag = PETSC_FALSE;

      PetscCall(MatGetRow(M, i, &nc, &mcols, &mvals));
      if (pass == 0) {
        maxrow = PetscMax(maxrow, nc);
        for (PetscInt e = 0; e < nc; e++) {
          const PetscInt col = SIndex(ranges, size, b->symmetric, 1 - side, mcols[e]);
          if (col == sstart + a) diag = PETSC_TRUE;
          if (col >= sstart && col < sstart + nl) dnnz[a]++;
          else onnz[a]++;
        }
        if (!diag) dnnz[a]++;
      } else {
        for (PetscInt e = 0; e < nc; e++) {
          cols[k]   = SIndex(ranges, size, b->symmetric, 1 - side, mcols[e]);
          vals[k++] = mvals[e];
        }
        cols[k]   = sstart + a; /* the diagonal, added to a stored one */
        vals[k++] = 0;
        PetscCall(MatSetValues(b->S, 1, &cols[k - 1], k, cols, vals, ADD_VALUES));
      }
      PetscCall(MatRestoreRow(M, i, &nc, &mcols, &mvals));
    }
  }
  PetscCall(PetscFree2(dnnz, onnz));
  PetscCall(PetscFree2(cols, vals));
  PetscCall(MatAssemblyBegin(b->S, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(b->S, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* After entries of K were set to zero in place (same pattern): the transpose, S and S's blocks. */
PetscErrorCode KrylearnBalanceKernelChanged_Private(KrylearnBalance b)
{
  PetscFunctionBegin;
  if (!b->symmetric) {
    PetscCall(MatDestroy(&b->Kt));
    PetscCall(MatTranspose(b->K, MAT_INITIAL_MATRIX, &b->Kt));
  }
  PetscCall(BuildSymmetricForm(b));
  if (b->ghost) PetscCall(MatMPIAIJGetSeqAIJ(b->S, &b->Sd, &b->So, NULL));
  else b->Sd = b->S;
  PetscFunctionReturn(0);
}

/* Vectors, Newton matrix, null space and ghost scatter: built once per nonzero pattern. */
static PetscErrorCode BuildWorkspace(KrylearnBalance b)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)b);
  PetscBool mpi;

  PetscFunctionBegin;
  PetscCall(MatDuplicate(b->S, MAT_DO_NOT_COPY_VALUES, &b->H));
  PetscCall(MatCreateVecs(b->S, &b->w, &b->Sw));
  PetscCall(VecDuplicate(b->w, &b->rs));
  PetscCall(VecDuplicate(b->w, &b->g));
  PetscCall(VecDuplicate(b->w, &b->d));
  PetscCall(VecDuplicate(b->w, &b->res));
  PetscCall(VecSet(b->w, 1.0));
  if (!b->symmetric) {
    PetscScalar *a;

    PetscCall(MatCreateVecs(b->K, &b->c, &b->r));
    PetscCall(VecDuplicate(b->r, &b->t));
    PetscCall(VecDuplicate(b->w, &b->flip));
    PetscCall(VecGetArray(b->flip, &a));
    for (PetscInt k = 0; k < 2 * b->nloc; k++) a[k] = k < b->nloc ? 1 : -1;
    PetscCall(VecRestoreArray(b->flip, &a));
    PetscCall(MatNullSpaceCreate(comm, PETSC_TRUE, 0, NULL, &b->nullsp));
  } else {
    PetscCall(MatCreateVecs(b->K, NULL, &b->r));
    PetscCall(VecDuplicate(b->r, &b->t));
  }
  PetscCall(PetscObjectTypeCompare((PetscObject)b->S, MATMPIAIJ, &mpi));
  if (mpi) {
    const PetscInt *garray;
    PetscInt        ng;
    IS              is;

    PetscCall(MatMPIAIJGetSeqAIJ(b->S, NULL, &b->So, &garray));
    PetscCall(MatGetSize(b->So, NULL, &ng));
    PetscCall(ISCreateGeneral(PETSC_COMM_SELF, ng, garray, PETSC_COPY_VALUES, &is));
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, ng, &b->wghost));
    PetscCall(VecDuplicate(b->wghost, &b->dghost));
    PetscCall(VecScatterCreate(b->w, is, b->wghost, NULL, &b->ghost));
    PetscCall(ISDestroy(&is));
  }
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSetUp - Builds the kernel |A|^p and the Newton structures from the operator

  Collective

  Input Parameter:
. bal - the balancing object

  Level: advanced

  Notes:
  Nothing is rebuilt when the operator is unchanged since the last set-up. When only its values
  changed, the kernel is rebuilt and the previous scalings are kept as the starting point. A new
  nonzero pattern rebuilds everything.

  Errors name the problem: a non-square operator or unequal row and column layouts, a non-finite
  entry (by index), a zero row or column (by index), or, in symmetric mode, a kernel that is not
  symmetric.

.seealso: `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceSetUp(KrylearnBalance bal)
{
  MPI_Comm         comm;
  PetscInt         M, N, m, n;
  PetscObjectState st, nzst;
  PetscBool        newpattern;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  comm = PetscObjectComm((PetscObject)bal);
  PetscCheck(bal->A, comm, PETSC_ERR_ORDER, "No matrix to balance: call KrylearnBalanceSetOperator() first");
  PetscCall(PetscObjectStateGet((PetscObject)bal->A, &st));
  PetscCall(MatGetNonzeroState(bal->A, &nzst));
  if (bal->S && st == bal->Astate && nzst == bal->Anzstate) PetscFunctionReturn(0);
  PetscCall(MatGetSize(bal->A, &M, &N));
  PetscCall(MatGetLocalSize(bal->A, &m, &n));
  PetscCheck(M == N, comm, PETSC_ERR_ARG_SIZ, "Only a square matrix can be balanced to a doubly stochastic one; the matrix is %" PetscInt_FMT " x %" PetscInt_FMT, M, N);
  {
    PetscInt unequal = m != n;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &unequal, 1, MPIU_INT, MPI_MAX, comm));
    PetscCheck(!unequal, comm, PETSC_ERR_ARG_SIZ, "Balancing needs equal row and column layouts (local sizes differ on some rank)");
  }
  PetscCall(PetscLogEventBegin(KRYLEARN_BalanceSetUp, bal, 0, 0, 0));
  newpattern = (PetscBool)(!bal->S || nzst != bal->Anzstate);
  if (newpattern) PetscCall(KrylearnBalanceReset(bal)); /* a new pattern starts afresh */
  bal->nloc = m;
  PetscCall(BuildKernel(bal));
  PetscCall(CheckZeroLines(bal));
  if (bal->symmetric) {
    PetscBool sym;
    PetscCall(MatIsSymmetric(bal->K, 0.0, &sym));
    PetscCheck(sym, comm, PETSC_ERR_ARG_WRONG, "Symmetric balancing needs a matrix with |a_ij| = |a_ji|; use general (two-sided) balancing for this one");
  } else {
    PetscCall(MatDestroy(&bal->Kt));
    PetscCall(MatTranspose(bal->K, MAT_INITIAL_MATRIX, &bal->Kt));
  }
  PetscCall(BuildSymmetricForm(bal));
  if (newpattern) PetscCall(BuildWorkspace(bal));
  if (bal->ghost) PetscCall(MatMPIAIJGetSeqAIJ(bal->S, &bal->Sd, &bal->So, NULL));
  else bal->Sd = bal->S;
  PetscCall(PetscObjectStateGet((PetscObject)bal->A, &bal->Astate));
  bal->Anzstate = nzst;
  PetscCall(PetscLogEventEnd(KRYLEARN_BalanceSetUp, bal, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetScalings - Gets the scalings r and c: diag(r) |A|^p diag(c) is doubly stochastic

  Not Collective

  Input Parameter:
. bal - the balancing object, after `KrylearnBalanceSolve()`

  Output Parameters:
+ r - row scaling, in A's row layout (or NULL); owned by the object
- c - column scaling, in A's column layout (or NULL); the same vector as r in symmetric mode

  Level: beginner

  Notes:
  The scalings are those of A: diag(r) |A|^p diag(c) is doubly stochastic for p = 1; for another
  power the kernel's scalings are r^p and c^p, so that diag(r) A diag(c) has rows and columns of
  unit p-norm.

  In general mode (r t, c / t) is an equally good pair for any t > 0; the one returned has
  sum log r = sum log c.

.seealso: `KrylearnBalanceSolve()`, `KrylearnBalanceGetScalingRange()`
@*/
PetscErrorCode KrylearnBalanceGetScalings(KrylearnBalance bal, Vec *r, Vec *c)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscCheck(bal->reason != KRYLEARN_BALANCE_CONVERGED_ITERATING, PetscObjectComm((PetscObject)bal), PETSC_ERR_ORDER, "No scalings yet: call KrylearnBalanceSolve() first");
  if (r) *r = bal->r;
  if (c) *c = bal->symmetric ? bal->r : bal->c;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetScalingRange - Gets the smallest and largest entries of the scalings r and c together

  Not Collective

  Input Parameter:
. bal - the balancing object, after `KrylearnBalanceSolve()`

  Output Parameters:
+ smin - smallest scaling of A (or NULL)
- smax - largest scaling (or NULL)

  Level: intermediate

.seealso: `KrylearnBalanceGetScalings()`
@*/
PetscErrorCode KrylearnBalanceGetScalingRange(KrylearnBalance bal, PetscReal *smin, PetscReal *smax)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (smin) *smin = bal->wmin;
  if (smax) *smax = bal->wmax;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetConvergedReason - Gets why the last solve stopped

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. reason - `KRYLEARN_BALANCE_CONVERGED_MARGINAL`, `KRYLEARN_BALANCE_DIVERGED_MAX_IT` or `KRYLEARN_BALANCE_DIVERGED_NANORINF`

  Level: beginner

.seealso: `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceGetConvergedReason(KrylearnBalance bal, KrylearnBalanceConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidPointer(reason, 2);
  *reason = bal->reason;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetIterationNumbers - Gets the Sinkhorn sweeps and Newton steps of the last solve

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameters:
+ sweeps - Sinkhorn sweeps (or NULL)
- newton - Newton steps (or NULL)

  Level: beginner

.seealso: `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceGetIterationNumbers(KrylearnBalance bal, PetscInt *sweeps, PetscInt *newton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (sweeps) *sweeps = bal->its_sinkhorn;
  if (newton) *newton = bal->its_newton;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceGetMarginalError - Gets max(||P1 - 1||_inf, ||P^T 1 - 1||_inf) of the balanced kernel after the last solve

  Not Collective

  Input Parameter:
. bal - the balancing object

  Output Parameter:
. err - the marginal error, recomputed from the final scalings

  Level: beginner

.seealso: `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceGetMarginalError(KrylearnBalance bal, PetscReal *err)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscValidRealPointer(err, 2);
  *err = bal->err;
  PetscFunctionReturn(0);
}

/*@
  KrylearnBalanceSolve - Computes the scalings: Sinkhorn warm-up, then Newton steps on the dual

  Collective

  Input Parameter:
. bal - the balancing object with its operator set

  Level: beginner

  Notes:
  A pattern without a perfect matching or without total support (some entries lie on no
  perfect matching, so their scaled values can only tend to zero while the scalings diverge)
  has no doubly stochastic scaling. Such a pattern shows as Newton steps that keep moving the
  scalings by a factor e or more, as a tenth Newton step, as repeated failed Newton steps, or as
  an exhausted iteration limit; the pattern is then
  analysed (matching and strongly connected components, on the first rank) and the solve stops
  with an error naming the rows involved. A pattern found balanceable is not analysed again,
  and the iteration goes on.

  Not converging within the limit is not an error: check `KrylearnBalanceGetConvergedReason()`.

.seealso: `KrylearnBalanceSetOperator()`, `KrylearnBalanceGetScalings()`, `KrylearnBalanceView()`
@*/
PetscErrorCode KrylearnBalanceSolve(KrylearnBalance bal)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  PetscCall(KrylearnBalanceSetUp(bal));
  PetscCall(KrylearnBalanceSolve_Private(bal));
  PetscCall(PetscObjectViewFromOptions((PetscObject)bal, NULL, "-balance_view"));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnBalanceView - Shows the settings and the result of the last solve

  Collective

  Input Parameters:
+ bal    - the balancing object
- viewer - an ASCII viewer (NULL: standard output)

  Level: beginner

.seealso: `KrylearnBalanceSolve()`
@*/
PetscErrorCode KrylearnBalanceView(KrylearnBalance bal, PetscViewer viewer)
{
  PetscBool isascii;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(bal, KRYLEARN_BALANCE_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)bal), &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)bal, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s balancing of |a_ij|^p, p = %g; tolerance %g on the marginal error (max norm), at most %" PetscInt_FMT " iterations\n", bal->symmetric ? "symmetric" : "general (two-sided)", (double)bal->power,
                                   (double)bal->tol, bal->max_it));
  if (bal->newton) PetscCall(PetscViewerASCIIPrintf(viewer, "%" PetscInt_FMT " Sinkhorn sweeps from a cold start, then Newton on the dual\n", bal->warmup));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "plain Sinkhorn sweeps\n"));
  if (bal->reason != KRYLEARN_BALANCE_CONVERGED_ITERATING) {
    PetscCall(
      PetscViewerASCIIPrintf(viewer, "last solve: %s; %" PetscInt_FMT " Sinkhorn sweeps, %" PetscInt_FMT " Newton steps (%" PetscInt_FMT " KSP iterations)\n", KrylearnBalanceConvergedReasons[bal->reason], bal->its_sinkhorn, bal->its_newton, bal->ksp_its));
    PetscCall(PetscViewerASCIIPrintf(viewer, "final marginal error %g\n", (double)bal->err));
    if (bal->ndropped) PetscCall(PetscViewerASCIIPrintf(viewer, "no total support: %" PetscInt_FMT " entries on no perfect matching left out of the balancing\n", bal->ndropped));
    if (bal->symmetric) PetscCall(PetscViewerASCIIPrintf(viewer, "scaling d in [%g, %g]\n", (double)bal->wmin, (double)bal->wmax));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "scalings: r in [%g, %g], c in [%g, %g]\n", (double)bal->rmin, (double)bal->rmax, (double)bal->cmin, (double)bal->cmax));
  }
  if (bal->newton) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "Newton KSP:\n"));
    PetscCall(PetscViewerASCIIPushTab(viewer));
    PetscCall(KSPView(bal->ksp, viewer));
    PetscCall(PetscViewerASCIIPopTab(viewer));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}
