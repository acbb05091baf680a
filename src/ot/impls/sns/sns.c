/* OTSNS: Sinkhorn-Newton-Sparse. Sinkhorn warm-up, then Newton steps on the dual
   (Lyapunov) potential with a sparsified Hessian solved by a KSP (prefix: the OT's, then ot_). */
#include <math.h>
#include <dualnewton/dualnewton.h>
#include "ot/otimpl.h"

typedef struct {
  PetscInt          warmup; /* Sinkhorn sweeps before the first Newton step, and per fallback */
  OTSNSSparsifyType sparsify;
  PetscReal         mass_fraction; /* mass rule: dropped mass <= mass_fraction * marginal error */
  PetscReal         lambda;        /* count rule: keep about lambda * n * m entries of P */
  PetscReal         rtol_max;      /* KSP relative tolerance min(rtol_max, marginal error) */
  PetscInt          max_fallbacks;
  KSP               ksp;
  /* layout of the Newton unknowns (x, y): each rank owns its x rows, then a block of y */
  PetscInt     mloc, ylo, goff, *yglob;
  IS           isx, isy;
  PetscMPIInt *ycounts, *ydispls; /* y blocks of the ranks, for gathering the y step */
  Vec          rhs, sol, res, nullvec;
  MatNullSpace nullsp;
  PetscBool    fieldsplit_set;
  PetscReal   *rowsum, *colsum, *hist, *dy, *vals;
  PetscInt    *cols, *kept_ptr, *kept_col, kept_cap, *colcnt;
  PetscReal   *kept_val;
  PetscInt     ksp_its, fallbacks, last_kept;
} OT_SNS;

/* The Newton KSP's prefix follows the OT's: <OT prefix>ot_ (set again at set-up, after any
   OTSetOptionsPrefix()) */
static PetscErrorCode OTSNSSetKSPPrefix(OT ot, OT_SNS *sns)
{
  PetscFunctionBegin;
  PetscCall(KSPSetOptionsPrefix(sns->ksp, ((PetscObject)ot)->prefix));
  PetscCall(KSPAppendOptionsPrefix(sns->ksp, "ot_"));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSetUp_SNS(OT ot)
{
  OT_SNS      *sns  = (OT_SNS *)ot->data;
  MPI_Comm     comm = PetscObjectComm((PetscObject)ot);
  PetscMPIInt  size;
  PetscInt     yhi, nl, *base, *ystart;
  PetscScalar *a;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  sns->mloc = PETSC_DECIDE;
  PetscCall(PetscSplitOwnership(comm, &sns->mloc, &ot->m));
  PetscCallMPI(MPI_Scan(&sns->mloc, &yhi, 1, MPIU_INT, MPI_SUM, comm));
  sns->ylo = yhi - sns->mloc;
  nl       = ot->nloc + sns->mloc;
  PetscCallMPI(MPI_Scan(&nl, &sns->goff, 1, MPIU_INT, MPI_SUM, comm));
  sns->goff -= nl;
  /* global index of y_j: base of its owner + j */
  PetscCall(PetscMalloc2(size, &base, size, &ystart));
  nl = sns->goff + ot->nloc - sns->ylo;
  PetscCallMPI(MPI_Allgather(&nl, 1, MPIU_INT, base, 1, MPIU_INT, comm));
  PetscCallMPI(MPI_Allgather(&sns->ylo, 1, MPIU_INT, ystart, 1, MPIU_INT, comm));
  PetscCall(PetscFree(sns->yglob));
  PetscCall(PetscFree2(sns->ycounts, sns->ydispls));
  PetscCall(PetscMalloc1(ot->m + 1, &sns->yglob));
  PetscCall(PetscMalloc2(size, &sns->ycounts, size, &sns->ydispls));
  for (PetscMPIInt p = 0; p < size; p++) {
    const PetscInt end = p + 1 < size ? ystart[p + 1] : ot->m;
    for (PetscInt j = ystart[p]; j < end; j++) sns->yglob[j] = base[p] + j;
    sns->ycounts[p] = (PetscMPIInt)(end - ystart[p]);
    sns->ydispls[p] = (PetscMPIInt)ystart[p];
  }
  PetscCall(PetscFree2(base, ystart));

  PetscCall(ISDestroy(&sns->isx));
  PetscCall(ISDestroy(&sns->isy));
  PetscCall(ISCreateStride(comm, ot->nloc, sns->goff, 1, &sns->isx));
  PetscCall(ISCreateStride(comm, sns->mloc, sns->goff + ot->nloc, 1, &sns->isy));
  PetscCall(VecDestroy(&sns->rhs));
  PetscCall(VecDestroy(&sns->sol));
  PetscCall(VecDestroy(&sns->res));
  PetscCall(VecDestroy(&sns->nullvec));
  PetscCall(MatNullSpaceDestroy(&sns->nullsp));
  PetscCall(VecCreateMPI(comm, ot->nloc + sns->mloc, PETSC_DETERMINE, &sns->rhs));
  PetscCall(VecDuplicate(sns->rhs, &sns->sol));
  PetscCall(VecDuplicate(sns->rhs, &sns->res));
  PetscCall(VecDuplicate(sns->rhs, &sns->nullvec));
  PetscCall(VecGetArray(sns->nullvec, &a));
  for (PetscInt k = 0; k < ot->nloc + sns->mloc; k++) a[k] = k < ot->nloc ? 1 : -1;
  PetscCall(VecRestoreArray(sns->nullvec, &a));
  PetscCall(VecNormalize(sns->nullvec, NULL));
  PetscCall(MatNullSpaceCreate(comm, PETSC_FALSE, 1, &sns->nullvec, &sns->nullsp));

  PetscCall(PetscFree5(sns->rowsum, sns->colsum, sns->hist, sns->dy, sns->vals));
  PetscCall(PetscFree3(sns->cols, sns->kept_ptr, sns->colcnt));
  PetscCall(PetscMalloc5(ot->nloc + 1, &sns->rowsum, ot->m, &sns->colsum, 2 * OT_HIST_BINS, &sns->hist, ot->m, &sns->dy, ot->m, &sns->vals));
  PetscCall(PetscMalloc3(ot->m, &sns->cols, ot->nloc + 1, &sns->kept_ptr, ot->m, &sns->colcnt));
  PetscCall(OTSNSSetKSPPrefix(ot, sns));
  PetscCall(KSPSetFromOptions(sns->ksp));
  sns->fieldsplit_set = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Largest bin kept: every entry with -log P in bins 0..K enters the Hessian. */
static PetscInt OTSNSThresholdBin(OT ot, OT_SNS *sns, PetscReal err, PetscReal fraction)
{
  const PetscReal *mass = sns->hist, *count = sns->hist + OT_HIST_BINS;
  PetscInt         K = OT_HIST_BINS - 1;

  if (sns->sparsify == OT_SNS_SPARSIFY_MASS) {
    PetscReal dropped = 0;
    while (K > 0 && dropped + mass[K] <= fraction * err) dropped += mass[K--];
  } else {
    const PetscReal lambda = sns->lambda > 0 ? sns->lambda : 2.0 / ot->n;
    const PetscReal target = lambda * (PetscReal)ot->n * (PetscReal)ot->m * (sns->mass_fraction / fraction);
    PetscReal       kept   = 0;
    for (K = 0; K < OT_HIST_BINS - 1; K++) {
      kept += count[K];
      if (kept >= target) break;
    }
  }
  return K;
}

/* Sparsified Hessian (up to the factor -eta): [[diag(P1), P_kept], [P_kept^T, diag(P^T1)]]. */
static PetscErrorCode OTSNSAssemble(OT ot, OT_SNS *sns, PetscInt K, Mat *H)
{
  MPI_Comm        comm = PetscObjectComm((PetscObject)ot);
  const PetscReal tau  = K >= OT_HIST_BINS - 1 ? 0 : PetscExpReal(-(K + 1) * OT_HIST_WIDTH);
  PetscInt        nnz = 0, nl = ot->nloc + sns->mloc, *dnnz, *onnz, yend = sns->ylo + sns->mloc;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KRYLEARN_OTNewtonAssembly, ot, 0, 0, 0));
  PetscCall(PetscArrayzero(sns->colcnt, ot->m));
  sns->kept_ptr[0] = 0;
  for (PetscInt i = 0; i < ot->nloc; i++) {
    PetscInt nc;
    OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, sns->cols, sns->vals, ot->work);
    if (nnz + nc > sns->kept_cap) {
      sns->kept_cap = PetscMax(2 * sns->kept_cap, nnz + nc);
      PetscCall(PetscRealloc(sizeof(PetscInt) * sns->kept_cap, &sns->kept_col));
      PetscCall(PetscRealloc(sizeof(PetscReal) * sns->kept_cap, &sns->kept_val));
    }
    for (PetscInt k = 0; k < nc; k++)
      if (sns->vals[k] > tau) {
        sns->kept_col[nnz]   = sns->cols[k];
        sns->kept_val[nnz++] = sns->vals[k];
        sns->colcnt[sns->cols[k]]++;
      }
    sns->kept_ptr[i + 1] = nnz;
  }
  PetscCall(PetscCalloc2(nl + 1, &dnnz, nl + 1, &onnz));
  for (PetscInt i = 0; i < ot->nloc; i++) {
    dnnz[i] = 1;
    for (PetscInt k = sns->kept_ptr[i]; k < sns->kept_ptr[i + 1]; k++) {
      if (sns->kept_col[k] >= sns->ylo && sns->kept_col[k] < yend) dnnz[i]++;
      else onnz[i]++;
    }
  }
  for (PetscInt j = sns->ylo; j < yend; j++) dnnz[ot->nloc + j - sns->ylo] = 1 + sns->colcnt[j];
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sns->colcnt, ot->m, MPIU_INT, MPI_SUM, comm));
  for (PetscInt j = sns->ylo; j < yend; j++) onnz[ot->nloc + j - sns->ylo] = sns->colcnt[j] - (dnnz[ot->nloc + j - sns->ylo] - 1);
  PetscCall(MatCreateAIJ(comm, nl, nl, PETSC_DETERMINE, PETSC_DETERMINE, 0, dnnz, 0, onnz, H));
  PetscCall(PetscFree2(dnnz, onnz));
  for (PetscInt i = 0; i < ot->nloc; i++) {
    const PetscInt gi = sns->goff + i;
    PetscCall(MatSetValue(*H, gi, gi, sns->rowsum[i], INSERT_VALUES));
    for (PetscInt k = sns->kept_ptr[i]; k < sns->kept_ptr[i + 1]; k++) {
      const PetscInt gj = sns->yglob[sns->kept_col[k]];
      PetscCall(MatSetValue(*H, gi, gj, sns->kept_val[k], INSERT_VALUES));
      PetscCall(MatSetValue(*H, gj, gi, sns->kept_val[k], INSERT_VALUES));
    }
  }
  for (PetscInt j = sns->ylo; j < yend; j++) PetscCall(MatSetValue(*H, sns->yglob[j], sns->yglob[j], sns->colsum[j], INSERT_VALUES));
  PetscCall(MatAssemblyBegin(*H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetNullSpace(*H, sns->nullsp));
  PetscCall(MatSetTransposeNullSpace(*H, sns->nullsp));
  nnz = sns->kept_ptr[ot->nloc];
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &nnz, 1, MPIU_INT, MPI_SUM, comm));
  sns->last_kept = nnz;
  PetscCall(PetscLogEventEnd(KRYLEARN_OTNewtonAssembly, ot, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Newton direction: solve H d = grad / eta. Returns PETSC_FALSE when the step is unusable. */
static PetscErrorCode OTSNSDirection(OT ot, OT_SNS *sns, Mat H, PetscReal err, PetscReal *gd, PetscBool *ok)
{
  PetscScalar       *b;
  const PetscScalar *d;
  PetscInt           its;
  PC                 pc;
  PetscBool          isfs;

  PetscFunctionBegin;
  PetscCall(VecGetArray(sns->rhs, &b));
  for (PetscInt i = 0; i < ot->nloc; i++) b[i] = (ot->rl[i] - sns->rowsum[i]) / ot->eta;
  for (PetscInt j = 0; j < sns->mloc; j++) b[ot->nloc + j] = (ot->cf[sns->ylo + j] - sns->colsum[sns->ylo + j]) / ot->eta;
  PetscCall(VecRestoreArray(sns->rhs, &b));
  PetscCall(KSPGetPC(sns->ksp, &pc));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCFIELDSPLIT, &isfs));
  if (isfs && !sns->fieldsplit_set) {
    PetscCall(PCFieldSplitSetIS(pc, "x", sns->isx));
    PetscCall(PCFieldSplitSetIS(pc, "y", sns->isy));
    sns->fieldsplit_set = PETSC_TRUE;
  }
  PetscCall(KrylearnDualNewtonDirection((PetscObject)ot, KRYLEARN_OTNewtonSolve, sns->ksp, H, sns->nullsp, sns->rhs, sns->sol, sns->res, PetscMin(sns->rtol_max, err), gd, ok, &its));
  sns->ksp_its += its;
  *gd *= ot->eta;
  if (!*ok) PetscFunctionReturn(0);
  /* dx: local part; dy: every rank needs all of it */
  PetscCall(VecGetArrayRead(sns->sol, &d));
  PetscCall(PetscArraycpy(ot->xnew, d, ot->nloc));
  PetscCallMPI(MPI_Allgatherv(d + ot->nloc, (PetscMPIInt)sns->mloc, MPIU_REAL, sns->dy, sns->ycounts, sns->ydispls, MPIU_REAL, PetscObjectComm((PetscObject)ot)));
  PetscCall(VecRestoreArrayRead(sns->sol, &d));
  PetscFunctionReturn(0);
}

typedef struct {
  OT        ot;
  OT_SNS   *sns;
  PetscReal gd;
} OTSNSLineSearchCtx;

/* Change of the dual objective f along alpha (dx, dy) = alpha (ot->xnew, sns->dy). */
static PetscErrorCode OTSNSDualChange(PetscReal alpha, PetscReal *change, void *ctx)
{
  OTSNSLineSearchCtx *ls  = (OTSNSLineSearchCtx *)ctx;
  OT                  ot  = ls->ot;
  PetscReal           phi = OTKernelLineSearchPhi(&ot->rows, ot->eta, ot->x, ot->y, ot->xnew, ls->sns->dy, alpha, ot->work);

  PetscFunctionBegin;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &phi, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)ot)));
  *change = alpha * ls->gd - phi / ot->eta;
  PetscFunctionReturn(0);
}

/* Backtracking Armijo on the dual objective f along (dx, dy) = (ot->xnew, sns->dy). */
static PetscErrorCode OTSNSLineSearch(OT ot, OT_SNS *sns, PetscReal gd, PetscBool *ok)
{
  OTSNSLineSearchCtx ls = {ot, sns, gd};
  PetscReal          alpha;

  PetscFunctionBegin;
  PetscCall(KrylearnDualLineSearch((PetscObject)ot, KRYLEARN_OTLineSearch, gd, OTSNSDualChange, &ls, &alpha, ok));
  if (*ok) {
    for (PetscInt i = 0; i < ot->nloc; i++) ot->x[i] += alpha * ot->xnew[i];
    for (PetscInt j = 0; j < ot->m; j++) ot->y[j] += alpha * sns->dy[j];
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSolve_SNS(OT ot)
{
  OT_SNS   *sns = (OT_SNS *)ot->data;
  PetscReal err, fraction = sns->mass_fraction, gd;
  PetscInt  its, fails    = 0;

  PetscFunctionBegin;
  sns->ksp_its   = 0;
  sns->fallbacks = 0;
  PetscCall(OTSinkhornSweeps_Private(ot, ot->eta, PetscMin(sns->warmup, ot->max_it), ot->tol, &its, &err));
  while (PETSC_TRUE) {
    PetscBool ok;
    PetscInt  K;
    Mat       H;

    PetscCall(OTPlanStats_Private(ot, sns->rowsum, sns->colsum, &err, NULL, sns->hist));
    if (ot->its_newton > 0) PetscCall(OTMonitor_Private(ot, ot->its_sinkhorn + ot->its_newton, OT_PHASE_NEWTON, err));
    if (PetscIsInfOrNanReal(err)) {
      ot->reason = OT_DIVERGED_NANORINF;
      break;
    }
    if (err < ot->tol) {
      ot->reason = OT_CONVERGED_MARGINAL;
      break;
    }
    if (ot->its_sinkhorn + ot->its_newton >= ot->max_it) {
      ot->reason = OT_DIVERGED_MAX_IT;
      break;
    }
    K = OTSNSThresholdBin(ot, sns, err, fraction);
    PetscCall(OTSNSAssemble(ot, sns, K, &H));
    PetscCall(OTSNSDirection(ot, sns, H, err, &gd, &ok));
    PetscCall(MatDestroy(&H));
    if (ok) PetscCall(OTSNSLineSearch(ot, sns, gd, &ok));
    if (ok) {
      ot->its_newton++;
      fails = 0;
      continue;
    }
    /* Fallback: first a denser Hessian (4x less dropped mass, or 4x the count), then, when
       the Hessian is already complete or three denser tries failed, more Sinkhorn. */
    fails++;
    if (fails <= 3 && K < OT_HIST_BINS - 1) {
      fraction /= 4;
      PetscCall(PetscInfo(ot, "Newton step failed: Hessian made denser (fraction %g)\n", (double)fraction));
      continue;
    }
    if (++sns->fallbacks > sns->max_fallbacks) {
      ot->reason = OT_DIVERGED_STEP;
      break;
    }
    PetscCall(PetscInfo(ot, "Newton step failed: %" PetscInt_FMT " more Sinkhorn sweeps\n", sns->warmup));
    PetscCall(OTSinkhornSweeps_Private(ot, ot->eta, PetscMin(sns->warmup, ot->max_it - ot->its_sinkhorn - ot->its_newton), ot->tol, &its, &err));
    fraction = sns->mass_fraction;
    fails    = 0;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSetFromOptions_SNS(OT ot, PetscOptionItems *PetscOptionsObject)
{
  OT_SNS           *sns      = (OT_SNS *)ot->data;
  MPI_Comm          comm     = PetscObjectComm((PetscObject)ot);
  PetscInt          warmup   = sns->warmup;
  OTSNSSparsifyType sparsify = sns->sparsify;
  PetscReal         fraction = sns->mass_fraction, lambda = sns->lambda;
  PetscBool         flg, flgtype, flgfrac, flglambda;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "OT Sinkhorn-Newton-Sparse options");
  PetscCall(PetscOptionsInt("-ot_sns_warmup", "Sinkhorn sweeps before the first Newton step (and per fallback)", "OTSNSSetWarmup", warmup, &warmup, &flg));
  if (flg) PetscCall(OTSNSSetWarmup(ot, warmup));
  PetscCall(PetscOptionsEnum("-ot_sns_sparsify", "Hessian sparsification: by dropped mass or by kept count", "OTSNSSetSparsify", OTSNSSparsifyTypes, (PetscEnum)sparsify, (PetscEnum *)&sparsify, &flgtype));
  PetscCall(PetscOptionsReal("-ot_sns_mass_fraction", "Mass rule: dropped mass at most this fraction of the marginal error", "OTSNSSetSparsify", fraction, &fraction, &flgfrac));
  PetscCall(PetscOptionsReal("-ot_sns_lambda", "Count rule: keep about lambda * n * m entries of the plan (0: 2/n)", "OTSNSSetSparsify", lambda, &lambda, &flglambda));
  /* each rule's parameter goes through the setter; the rule chosen last */
  if (flgfrac) PetscCall(OTSNSSetSparsify(ot, OT_SNS_SPARSIFY_MASS, fraction));
  if (flglambda) PetscCall(OTSNSSetSparsify(ot, OT_SNS_SPARSIFY_COUNT, lambda));
  if (flgtype || flgfrac || flglambda) PetscCall(OTSNSSetSparsify(ot, sparsify, sparsify == OT_SNS_SPARSIFY_MASS ? sns->mass_fraction : sns->lambda));
  PetscCall(PetscOptionsReal("-ot_sns_ksp_rtol_max", "Newton systems are solved to relative tolerance min(this, marginal error)", "", sns->rtol_max, &sns->rtol_max, NULL));
  PetscCheck(sns->rtol_max > 0 && sns->rtol_max < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-ot_sns_ksp_rtol_max %g: the relative tolerance cap must lie in (0, 1)", (double)sns->rtol_max);
  PetscCall(PetscOptionsInt("-ot_sns_max_fallbacks", "Sinkhorn fallbacks allowed before giving up", "", sns->max_fallbacks, &sns->max_fallbacks, NULL));
  PetscCheck(sns->max_fallbacks >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-ot_sns_max_fallbacks %" PetscInt_FMT ": the number of fallbacks must be non-negative", sns->max_fallbacks);
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode OTView_SNS(OT ot, PetscViewer viewer)
{
  OT_SNS *sns = (OT_SNS *)ot->data;

  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn warm-up: %" PetscInt_FMT " sweeps\n", sns->warmup));
  if (sns->sparsify == OT_SNS_SPARSIFY_MASS) PetscCall(PetscViewerASCIIPrintf(viewer, "Hessian sparsified by mass: dropped mass <= %g x marginal error\n", (double)sns->mass_fraction));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "Hessian sparsified by count: about %g x n x m entries of P kept\n", (double)(sns->lambda > 0 ? sns->lambda : 2.0 / ot->n)));
  if (ot->reason != OT_CONVERGED_ITERATING)
    PetscCall(PetscViewerASCIIPrintf(viewer, "last Hessian: %" PetscInt_FMT " plan entries kept; %" PetscInt_FMT " KSP iterations in all; %" PetscInt_FMT " Sinkhorn fallbacks\n", sns->last_kept, sns->ksp_its, sns->fallbacks));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KSPView(sns->ksp, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTDestroy_SNS(OT ot)
{
  OT_SNS *sns = (OT_SNS *)ot->data;

  PetscFunctionBegin;
  PetscCall(KSPDestroy(&sns->ksp));
  PetscCall(ISDestroy(&sns->isx));
  PetscCall(ISDestroy(&sns->isy));
  PetscCall(VecDestroy(&sns->rhs));
  PetscCall(VecDestroy(&sns->sol));
  PetscCall(VecDestroy(&sns->res));
  PetscCall(VecDestroy(&sns->nullvec));
  PetscCall(MatNullSpaceDestroy(&sns->nullsp));
  PetscCall(PetscFree(sns->yglob));
  PetscCall(PetscFree2(sns->ycounts, sns->ydispls));
  PetscCall(PetscFree5(sns->rowsum, sns->colsum, sns->hist, sns->dy, sns->vals));
  PetscCall(PetscFree3(sns->cols, sns->kept_ptr, sns->colcnt));
  PetscCall(PetscFree(sns->kept_col));
  PetscCall(PetscFree(sns->kept_val));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSSetWarmup_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSSetSparsify_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetWarmup_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetSparsify_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetKSP_C", NULL));
  PetscCall(PetscFree(ot->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSNSSetWarmup_SNS(OT ot, PetscInt warmup)
{
  PetscFunctionBegin;
  PetscCheck(warmup >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sns_warmup %" PetscInt_FMT ": the warm-up must be non-negative", warmup);
  ((OT_SNS *)ot->data)->warmup = warmup;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSNSSetSparsify_SNS(OT ot, OTSNSSparsifyType type, PetscReal value)
{
  OT_SNS *sns = (OT_SNS *)ot->data;

  PetscFunctionBegin;
  PetscCheck(type == OT_SNS_SPARSIFY_MASS || type == OT_SNS_SPARSIFY_COUNT, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "Unknown sparsification rule %d (-ot_sns_sparsify mass or count)", (int)type);
  if (type == OT_SNS_SPARSIFY_MASS) PetscCheck(value > 0 && !PetscIsInfOrNanReal(value), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sns_mass_fraction %g: the fraction must be positive and finite", (double)value);
  else PetscCheck(value >= 0 && value <= 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_sns_lambda %g: lambda (the kept fraction of the n x m plan entries) must lie in [0, 1], 0 meaning 2/n", (double)value);
  sns->sparsify = type;
  if (type == OT_SNS_SPARSIFY_MASS) sns->mass_fraction = value;
  else sns->lambda = value;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSNSGetWarmup_SNS(OT ot, PetscInt *warmup)
{
  PetscFunctionBegin;
  *warmup = ((OT_SNS *)ot->data)->warmup;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSNSGetSparsify_SNS(OT ot, OTSNSSparsifyType *type, PetscReal *value)
{
  OT_SNS *sns = (OT_SNS *)ot->data;

  PetscFunctionBegin;
  if (type) *type = sns->sparsify;
  if (value) *value = sns->sparsify == OT_SNS_SPARSIFY_MASS ? sns->mass_fraction : sns->lambda;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSNSGetKSP_SNS(OT ot, KSP *ksp)
{
  PetscFunctionBegin;
  *ksp = ((OT_SNS *)ot->data)->ksp;
  PetscFunctionReturn(0);
}

/*@
  OTSNSSetWarmup - Sets the number of Sinkhorn sweeps before the first Newton step (also the number run by each fallback)

  Logically Collective

  Input Parameters:
+ ot - the solver, of type `OTSNS`
- warmup - number of sweeps (non-negative)

  Options Database Key:
. -ot_sns_warmup <n> - default 20

  Level: intermediate

.seealso: `OTSNS`
@*/
PetscErrorCode OTSNSSetWarmup(OT ot, PetscInt warmup)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidLogicalCollectiveInt(ot, warmup, 2);
  PetscTryMethod(ot, "OTSNSSetWarmup_C", (OT, PetscInt), (ot, warmup));
  PetscFunctionReturn(0);
}

/*@
  OTSNSGetWarmup - Gets the number of Sinkhorn sweeps before the first Newton step

  Not Collective

  Input Parameter:
. ot - the solver, of type `OTSNS`

  Output Parameter:
. warmup - number of sweeps

  Level: intermediate

.seealso: `OTSNS`, `OTSNSSetWarmup()`
@*/
PetscErrorCode OTSNSGetWarmup(OT ot, PetscInt *warmup)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidIntPointer(warmup, 2);
  PetscUseMethod(ot, "OTSNSGetWarmup_C", (OT, PetscInt *), (ot, warmup));
  PetscFunctionReturn(0);
}

/*@
  OTSNSSetSparsify - Chooses how the Hessian is sparsified

  Logically Collective

  Input Parameters:
+ ot - the solver, of type `OTSNS`
. type - `OT_SNS_SPARSIFY_MASS`: keep the largest plan entries so that the dropped mass is at
         most value x the current marginal error (default, value 0.1);
         `OT_SNS_SPARSIFY_COUNT`: keep about value x n x m entries (the paper's lambda)
- value - the fraction or lambda

  Options Database Keys:
+ -ot_sns_sparsify <mass,count> - the rule
. -ot_sns_mass_fraction <f> - the mass rule's fraction
- -ot_sns_lambda <l> - the count rule's lambda

  Level: intermediate

  Note:
  Thresholds fall on bins of width 0.5 in log P (one histogram pass, one reduction), so the
  kept count or dropped mass is met to within one bin.

.seealso: `OTSNS`
@*/
PetscErrorCode OTSNSSetSparsify(OT ot, OTSNSSparsifyType type, PetscReal value)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(ot, type, 2);
  PetscValidLogicalCollectiveReal(ot, value, 3);
  PetscTryMethod(ot, "OTSNSSetSparsify_C", (OT, OTSNSSparsifyType, PetscReal), (ot, type, value));
  PetscFunctionReturn(0);
}

/*@
  OTSNSGetSparsify - Gets how the Hessian is sparsified

  Not Collective

  Input Parameter:
. ot - the solver, of type `OTSNS`

  Output Parameters:
+ type - `OT_SNS_SPARSIFY_MASS` or `OT_SNS_SPARSIFY_COUNT`, or NULL
- value - the rule's parameter (mass fraction or lambda; lambda 0 means 2/n), or NULL

  Level: intermediate

.seealso: `OTSNS`, `OTSNSSetSparsify()`
@*/
PetscErrorCode OTSNSGetSparsify(OT ot, OTSNSSparsifyType *type, PetscReal *value)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscUseMethod(ot, "OTSNSGetSparsify_C", (OT, OTSNSSparsifyType *, PetscReal *), (ot, type, value));
  PetscFunctionReturn(0);
}

/*@
  OTSNSGetKSP - Gets the KSP that solves the Newton systems (options prefix: the OT's, then ot_)

  Not Collective

  Input Parameter:
. ot - the solver, of type `OTSNS`

  Output Parameter:
. ksp - the Newton KSP, owned by the solver

  Level: intermediate

.seealso: `OTSNS`
@*/
PetscErrorCode OTSNSGetKSP(OT ot, KSP *ksp)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscUseMethod(ot, "OTSNSGetKSP_C", (OT, KSP *), (ot, ksp));
  PetscFunctionReturn(0);
}

/*MC
  OTSNS - Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024): Sinkhorn warm-up, then Newton
  steps on the concave dual f(x, y) with a sparsified Hessian.

  Each Newton step: one pass computes P1, P^T1, the marginal error and a histogram of
  log P; the Hessian keeps its exact diagonal diag(P1, P^T1) and the plan entries above
  a threshold; H d = grad/eta is solved by the KSP with prefix ot_ (CG with Jacobi by
  default, relative tolerance min(0.1, marginal error)); the (1, -1) direction, along
  which f is constant, is attached as the null space and projected out of the
  right-hand side; a backtracking Armijo search (sigma 1e-4, halving) on f, whose
  change is computed as alpha g.d - (1/eta) sum P (exp(u) - 1 - u) without cancellation,
  sets the step.

  Fallback: a step fails when the KSP breaks down, its true relative residual exceeds
  0.5, g.d <= 0, or the line search finds no step in 40 halvings. Then the Hessian is
  made denser (4x less dropped mass or 4x more kept entries), up to three times; after
  that (or with a complete Hessian) warm-up-many Sinkhorn sweeps run and Newton resumes.

  Options Database Keys:
+ -ot_sns_warmup <20> - Sinkhorn sweeps first
. -ot_sns_sparsify <mass,count> - sparsification rule
. -ot_sns_mass_fraction <0.1> - mass rule parameter
. -ot_sns_lambda <2/n> - count rule parameter (default 2/n: about 2n entries)
. -ot_sns_ksp_rtol_max <0.1> - cap of the KSP relative tolerance
. -ot_sns_max_fallbacks <10> - Sinkhorn fallbacks before OT_DIVERGED_STEP
- -ot_ksp_type, -ot_pc_type, ... - the Newton KSP (fieldsplit sees fields "x" and "y")

  Level: beginner

.seealso: `OT`, `OTSINKHORN`, `OTSNSSetSparsify()`, `OTSNSGetKSP()`
M*/
PetscErrorCode OTCreate_SNS(OT ot)
{
  OT_SNS *sns;
  PC      pc;

  PetscFunctionBegin;
  PetscCall(PetscNew(&sns));
  sns->warmup        = 20;
  sns->sparsify      = OT_SNS_SPARSIFY_MASS;
  sns->mass_fraction = 0.1;
  sns->lambda        = 0;
  sns->rtol_max      = 0.1;
  sns->max_fallbacks = 10;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)ot), &sns->ksp));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)sns->ksp, (PetscObject)ot, 1));
  PetscCall(OTSNSSetKSPPrefix(ot, sns));
  PetscCall(KSPSetType(sns->ksp, KSPCG));
  PetscCall(KSPGetPC(sns->ksp, &pc));
  PetscCall(PCSetType(pc, PCJACOBI));
  PetscCall(KSPSetTolerances(sns->ksp, 0.1, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  ot->data                = sns;
  ot->ops->setup          = OTSetUp_SNS;
  ot->ops->solve          = OTSolve_SNS;
  ot->ops->setfromoptions = OTSetFromOptions_SNS;
  ot->ops->view           = OTView_SNS;
  ot->ops->destroy        = OTDestroy_SNS;
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSSetWarmup_C", OTSNSSetWarmup_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSSetSparsify_C", OTSNSSetSparsify_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetWarmup_C", OTSNSGetWarmup_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetSparsify_C", OTSNSGetSparsify_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "OTSNSGetKSP_C", OTSNSGetKSP_SNS));
  PetscFunctionReturn(0);
}
