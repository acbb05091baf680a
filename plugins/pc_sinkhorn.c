/* PCSINKHORN: balances the operator by Sinkhorn-Newton at set-up, then preconditions the
   balanced matrix diag(r) A diag(c) with an inner PC: M^{-1} = diag(c) inner^{-1} diag(r). */
#include <petsc/private/pcimpl.h>
#include <krylearnbalance.h>

typedef struct {
  KrylearnBalance  bal;
  PC               inner;
  Mat              Ab; /* the balanced operator */
  Vec              work;
  PetscObjectState state;      /* of the operator that Ab was built from */
  PetscInt         balancings; /* solves run, and those that started from the previous scalings */
  PetscInt         warm_starts;
} PC_Sinkhorn;

static PetscErrorCode PCSetUp_Sinkhorn(PC pc)
{
  PC_Sinkhorn                   *sk = (PC_Sinkhorn *)pc->data;
  PetscObjectState               state;
  KrylearnBalanceConvergedReason reason;
  Mat                            A;
  Vec                            r, c;
  PetscInt                       sweeps, newton;

  PetscFunctionBegin;
  PetscCall(PetscObjectStateGet((PetscObject)pc->pmat, &state));
  PetscCall(KrylearnBalanceGetOperator(sk->bal, &A));
  if (sk->Ab && A == pc->pmat && state == sk->state) PetscFunctionReturn(0); /* nothing changed: keep everything */
  if (A != pc->pmat || !pc->setupcalled || pc->flag != SAME_NONZERO_PATTERN) {
    PetscCall(MatDestroy(&sk->Ab));
    PetscCall(VecDestroy(&sk->work));
  }
  PetscCall(KrylearnBalanceSetOperator(sk->bal, pc->pmat));
  PetscCall(KrylearnBalanceSolve(sk->bal));
  PetscCall(KrylearnBalanceGetConvergedReason(sk->bal, &reason));
  PetscCall(KrylearnBalanceGetIterationNumbers(sk->bal, &sweeps, &newton));
  PetscCheck(reason != KRYLEARN_BALANCE_DIVERGED_NANORINF, PetscObjectComm((PetscObject)pc), PETSC_ERR_NOT_CONVERGED, "Balancing of the operator produced non-finite scalings");
  if (reason != KRYLEARN_BALANCE_CONVERGED_MARGINAL) PetscCall(PetscInfo(pc, "Balancing stopped by %s; its scalings are used as they are\n", KrylearnBalanceConvergedReasons[reason]));
  sk->balancings++;
  if (sk->balancings > 1 && sweeps == 0) sk->warm_starts++;
  PetscCall(KrylearnBalanceGetScalings(sk->bal, &r, &c));
  if (sk->Ab) PetscCall(MatCopy(pc->pmat, sk->Ab, SAME_NONZERO_PATTERN));
  else {
    PetscCall(MatDuplicate(pc->pmat, MAT_COPY_VALUES, &sk->Ab));
    PetscCall(MatCreateVecs(pc->pmat, &sk->work, NULL));
  }
  PetscCall(MatDiagonalScale(sk->Ab, r, c));
  PetscCall(PCSetOperators(sk->inner, sk->Ab, sk->Ab));
  if (!((PetscObject)sk->inner)->type_name) {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)pc), &size));
    PetscCall(PCSetType(sk->inner, size == 1 ? PCILU : PCBJACOBI));
  }
  PetscCall(PCSetUp(sk->inner));
  sk->state = state;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApply_Sinkhorn(PC pc, Vec x, Vec y)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;
  Vec          r, c;

  PetscFunctionBegin;
  PetscCall(KrylearnBalanceGetScalings(sk->bal, &r, &c));
  PetscCall(VecPointwiseMult(sk->work, r, x));
  PetscCall(PCApply(sk->inner, sk->work, y));
  PetscCall(VecPointwiseMult(y, c, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApplyTranspose_Sinkhorn(PC pc, Vec x, Vec y)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;
  Vec          r, c;

  PetscFunctionBegin;
  PetscCall(KrylearnBalanceGetScalings(sk->bal, &r, &c));
  PetscCall(VecPointwiseMult(sk->work, c, x));
  PetscCall(PCApplyTranspose(sk->inner, sk->work, y));
  PetscCall(VecPointwiseMult(y, r, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCReset_Sinkhorn(PC pc)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;

  PetscFunctionBegin;
  PetscCall(MatDestroy(&sk->Ab));
  PetscCall(VecDestroy(&sk->work));
  PetscCall(KrylearnBalanceReset(sk->bal));
  PetscCall(PCReset(sk->inner));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDestroy_Sinkhorn(PC pc)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;

  PetscFunctionBegin;
  PetscCall(PCReset_Sinkhorn(pc));
  PetscCall(KrylearnBalanceDestroy(&sk->bal));
  PetscCall(PCDestroy(&sk->inner));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSinkhornGetBalance_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSinkhornGetSubPC_C", NULL));
  PetscCall(PetscFree(pc->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetFromOptions_Sinkhorn(PC pc, PetscOptionItems *PetscOptionsObject)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "PC sinkhorn (balance by Sinkhorn-Newton, then an inner PC) options: see -sinkhorn_balance_* and -sinkhorn_pc_*");
  PetscOptionsHeadEnd();
  PetscCall(KrylearnBalanceSetFromOptions(sk->bal));
  PetscCall(PCSetFromOptions(sk->inner));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCView_Sinkhorn(PC pc, PetscViewer viewer)
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;
  PetscBool    isascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  M^{-1} = diag(c) inner^{-1} diag(r), diag(r) A diag(c) balanced; %" PetscInt_FMT " balancings (%" PetscInt_FMT " warm-started from the previous scalings)\n", sk->balancings, sk->warm_starts));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KrylearnBalanceView(sk->bal, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "inner preconditioner on the balanced matrix:\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PCView(sk->inner, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetOptionsPrefix_Sinkhorn(PC pc, const char prefix[])
{
  PC_Sinkhorn *sk = (PC_Sinkhorn *)pc->data;

  PetscFunctionBegin;
  PetscCall(PCSetOptionsPrefix(sk->inner, prefix));
  PetscCall(PCAppendOptionsPrefix(sk->inner, "sinkhorn_"));
  PetscCall(KrylearnBalanceSetOptionsPrefix(sk->bal, prefix));
  PetscCall(KrylearnBalanceAppendOptionsPrefix(sk->bal, "sinkhorn_"));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSinkhornGetBalance_Sinkhorn(PC pc, KrylearnBalance *bal)
{
  PetscFunctionBegin;
  *bal = ((PC_Sinkhorn *)pc->data)->bal;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSinkhornGetSubPC_Sinkhorn(PC pc, PC *inner)
{
  PetscFunctionBegin;
  *inner = ((PC_Sinkhorn *)pc->data)->inner;
  PetscFunctionReturn(0);
}

/*@
  PCSinkhornGetBalance - Gets the balancing object of a `PCSINKHORN` (options prefix: the PC's followed by sinkhorn_)

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. bal - the balancing object, owned by the PC

  Level: intermediate

.seealso: `PCSINKHORN`, `PCSinkhornGetSubPC()`, `KrylearnBalance`
@*/
PetscErrorCode PCSinkhornGetBalance(PC pc, KrylearnBalance *bal)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(bal, 2);
  PetscUseMethod(pc, "PCSinkhornGetBalance_C", (PC, KrylearnBalance *), (pc, bal));
  PetscFunctionReturn(0);
}

/*@
  PCSinkhornGetSubPC - Gets the inner preconditioner of a `PCSINKHORN`, applied to the balanced matrix

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. inner - the inner PC (options prefix: the PC's followed by sinkhorn_), owned by the PC

  Level: intermediate

.seealso: `PCSINKHORN`, `PCSinkhornGetBalance()`
@*/
PetscErrorCode PCSinkhornGetSubPC(PC pc, PC *inner)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(inner, 2);
  PetscUseMethod(pc, "PCSinkhornGetSubPC_C", (PC, PC *), (pc, inner));
  PetscFunctionReturn(0);
}

/*MC
   PCSINKHORN - "sinkhorn": balances the operator (two-sided Sinkhorn-Newton scaling, diag(r) |A| diag(c)
   doubly stochastic) and preconditions the balanced matrix: M^{-1} = diag(c) inner^{-1} diag(r).

   Options Database Keys:
+  -sinkhorn_pc_type <ilu> - the inner PC (ilu on one process, bjacobi on more), and all its options under -sinkhorn_
.  -sinkhorn_balance_symmetric - symmetric balancing (r = c), which keeps a symmetric operator symmetric for CG
.  -sinkhorn_balance_tol <1e-8> - tolerance on the marginal error
.  -sinkhorn_balance_power <1> - balance |a_ij|^p
.  -sinkhorn_balance_drop_unsupported <true> - entries on no perfect matching left out of the balancing (false: an error)
-  -sinkhorn_balance_ksp_type, ... - the Newton KSP, see `KrylearnBalanceSetFromOptions()`

   Notes:
   The scalings are kept while the operator is unchanged; when only its values change (same nonzero
   pattern, as in a Newton or time loop), the balancing starts from the previous scalings and skips
   the Sinkhorn warm-up. ILU is invariant under diagonal scaling in exact arithmetic, so the
   default inner PC gains little; multigrid and Jacobi-type inner PCs are where balancing helps.

   Level: beginner

.seealso: `KrylearnBalance`, `PCSinkhornGetBalance()`, `PCSinkhornGetSubPC()`, `PCJACOBI`
M*/
static PetscErrorCode PCCreate_Sinkhorn(PC pc)
{
  PC_Sinkhorn *sk;

  PetscFunctionBegin;
  PetscCall(PetscNew(&sk));
  PetscCall(KrylearnBalanceCreate(PetscObjectComm((PetscObject)pc), &sk->bal));
  /* Jacobians with identity rows for Dirichlet values have no total support: precondition with
     the balancing Sinkhorn tends to rather than fail */
  PetscCall(KrylearnBalanceSetDropUnsupported(sk->bal, PETSC_TRUE));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)sk->bal, (PetscObject)pc, 1));
  PetscCall(PCCreate(PetscObjectComm((PetscObject)pc), &sk->inner));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)sk->inner, (PetscObject)pc, 1));
  pc->data = (void *)sk;
  PetscCall(PCSetOptionsPrefix_Sinkhorn(pc, ((PetscObject)pc)->prefix));
  pc->ops->setup          = PCSetUp_Sinkhorn;
  pc->ops->apply          = PCApply_Sinkhorn;
  pc->ops->applytranspose = PCApplyTranspose_Sinkhorn;
  pc->ops->reset          = PCReset_Sinkhorn;
  pc->ops->destroy        = PCDestroy_Sinkhorn;
  pc->ops->view           = PCView_Sinkhorn;
  pc->ops->setfromoptions = PCSetFromOptions_Sinkhorn;
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSinkhornGetBalance_C", PCSinkhornGetBalance_Sinkhorn));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSinkhornGetSubPC_C", PCSinkhornGetSubPC_Sinkhorn));
  PetscFunctionReturn(0);
}

static PetscBool SinkhornPackageInitialized = PETSC_FALSE;

/*@C
  KrylearnSinkhornInitializePackage - Registers `PCSINKHORN` and the balancing class

  Level: developer

  Note:
  Called by `KrylearnInitializePackage()`; safe to call more than once.

.seealso: `PCSINKHORN`, `KrylearnBalanceInitializePackage()`
@*/
PetscErrorCode KrylearnSinkhornInitializePackage(void)
{
  PetscFunctionBegin;
  if (SinkhornPackageInitialized) PetscFunctionReturn(0);
  SinkhornPackageInitialized = PETSC_TRUE;
  PetscCall(KrylearnBalanceInitializePackage());
  PetscCall(PCRegister(PCSINKHORN, PCCreate_Sinkhorn));
  PetscFunctionReturn(0);
}
