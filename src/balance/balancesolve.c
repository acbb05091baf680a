/* Sinkhorn sweeps and Newton steps of the matrix balancing.

   Dual: with scalings w = exp(z) of the symmetric form S (see balanceimpl.h) and
   P = diag(w) S diag(w),  f(z) = -(1/2) sum_ab P_ab + sum_a z_a  is concave; its gradient is
   1 - P1 and its negated Hessian diag(P1) + P has S's pattern, which is A's own. In general
   mode the maximiser gives r, c with diag(r) K diag(c) doubly stochastic; in symmetric mode
   d with diag(d) K diag(d) doubly stochastic. */
#include <dualnewton/dualnewton.h>
#include "balanceimpl.h"

static PetscErrorCode Monitor(KrylearnBalance b, const char *phase, PetscReal err)
{
  PetscFunctionBegin;
  if (b->monitor) PetscCall(PetscPrintf(PetscObjectComm((PetscObject)b), "  %4" PetscInt_FMT " %s marginal error %.6e\n", b->its_sinkhorn + b->its_newton, phase, (double)err));
  PetscFunctionReturn(0);
}

/* Copies between w (S's layout) and the pair r, c (A's layout) in general mode. */
static PetscErrorCode SplitW(KrylearnBalance b, PetscBool tow)
{
  PetscScalar *w, *r, *c;

  PetscFunctionBegin;
  PetscCall(VecGetArray(b->w, &w));
  PetscCall(VecGetArray(b->r, &r));
  PetscCall(VecGetArray(b->c, &c));
  if (tow) {
    PetscCall(PetscArraycpy(w, r, b->nloc));
    PetscCall(PetscArraycpy(w + b->nloc, c, b->nloc));
  } else {
    PetscCall(PetscArraycpy(r, w, b->nloc));
    PetscCall(PetscArraycpy(c, w + b->nloc, b->nloc));
  }
  PetscCall(VecRestoreArray(b->c, &c));
  PetscCall(VecRestoreArray(b->r, &r));
  PetscCall(VecRestoreArray(b->w, &w));
  PetscFunctionReturn(0);
}

/* x_i <- 1 / t_i (general) or x_i <- sqrt(x_i / t_i) (symmetric: the geometric mean of the old
   scaling and the Sinkhorn update, which does not oscillate); returns max_i |x_i t_i - 1|, the
   row error before the update. */
static PetscErrorCode ScaleUpdate(KrylearnBalance b, Vec x, PetscReal *err)
{
  PetscScalar       *xa;
  const PetscScalar *ta;
  PetscReal          e = 0;

  PetscFunctionBegin;
  PetscCall(VecGetArray(x, &xa));
  PetscCall(VecGetArrayRead(b->t, &ta));
  for (PetscInt i = 0; i < b->nloc; i++) {
    const PetscReal xi = PetscRealPart(xa[i]), ti = PetscRealPart(ta[i]), dev = PetscAbsReal(xi * ti - 1);
    e     = dev > e || PetscIsInfOrNanReal(dev) ? dev : e;
    xa[i] = b->symmetric ? PetscSqrtReal(xi / ti) : 1 / ti;
  }
  PetscCall(VecRestoreArrayRead(b->t, &ta));
  PetscCall(VecRestoreArray(x, &xa));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &e, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)b)));
  *err = e;
  PetscFunctionReturn(0);
}

/* At most n sweeps, fewer when the row error falls below the tolerance; w holds the result. */
static PetscErrorCode SinkhornSweeps(KrylearnBalance b, PetscInt n)
{
  PetscReal err;

  PetscFunctionBegin;
  if (n <= 0) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(KRYLEARN_BalanceSinkhorn, b, 0, 0, 0));
  if (!b->symmetric) PetscCall(SplitW(b, PETSC_FALSE));
  for (PetscInt k = 0; k < n; k++) {
    if (b->symmetric) {
      PetscCall(MatMult(b->K, b->w, b->t));
      PetscCall(ScaleUpdate(b, b->w, &err));
    } else { /* rows, then columns: the columns are exact after the sweep */
      PetscCall(MatMult(b->K, b->c, b->t));
      PetscCall(ScaleUpdate(b, b->r, &err));
      PetscCall(MatMult(b->Kt, b->r, b->t));
      PetscCall(VecReciprocal(b->t));
      PetscCall(VecCopy(b->t, b->c));
    }
    b->its_sinkhorn++;
    PetscCall(Monitor(b, "sinkhorn", err));
    if (err < b->tol || PetscIsInfOrNanReal(err)) break;
  }
  if (!b->symmetric) PetscCall(SplitW(b, PETSC_TRUE));
  PetscCall(PetscLogEventEnd(KRYLEARN_BalanceSinkhorn, b, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* rs = w .* (S w) = P1 and the marginal error ||P1 - 1||_inf. */
static PetscErrorCode Marginals(KrylearnBalance b, PetscReal *err)
{
  PetscFunctionBegin;
  PetscCall(MatMult(b->S, b->w, b->Sw));
  PetscCall(VecPointwiseMult(b->rs, b->w, b->Sw));
  PetscCall(VecCopy(b->rs, b->g));
  PetscCall(VecShift(b->g, -1.0));
  PetscCall(VecNorm(b->g, NORM_INFINITY, err));
  PetscCall(VecScale(b->g, -1.0)); /* the gradient 1 - P1 */
  PetscFunctionReturn(0);
}

typedef struct {
  KrylearnBalance    b;
  PetscReal          gd;
  const PetscScalar *w, *d, *wg, *dg;
} LineSearchCtx;

/* sum over the entries of one local block of S of P_ab phi(alpha (d_a + d_b)). */
static PetscErrorCode BlockPhi(Mat B, const PetscScalar *w, const PetscScalar *d, const PetscScalar *wc, const PetscScalar *dc, PetscReal alpha, PetscReal *sum)
{
  const PetscInt    *ia, *ja;
  const PetscScalar *s;
  PetscInt           n;
  PetscBool          done;
  PetscReal          total = 0;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscCall(MatSeqAIJGetArrayRead(B, &s));
  for (PetscInt a = 0; a < n; a++) {
    const PetscReal wa = PetscRealPart(w[a]), da = PetscRealPart(d[a]);
    PetscReal       row = 0;
    for (PetscInt e = ia[a]; e < ia[a + 1]; e++) {
      const PetscInt  j = ja[e];
      const PetscReal u = alpha * (da + PetscRealPart(dc[j]));
      row += PetscRealPart(s[e]) * PetscRealPart(wc[j]) * KrylearnExpm1mx(u, PetscExpReal(u));
    }
    total += wa * row;
  }
  PetscCall(MatSeqAIJRestoreArrayRead(B, &s));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  *sum += total;
  PetscFunctionReturn(0);
}

/* f(z + alpha d) - f(z) = alpha g.d - (1/2) sum_ab P_ab phi(alpha (d_a + d_b)). */
static PetscErrorCode DualChange(PetscReal alpha, PetscReal *change, void *ctx)
{
  LineSearchCtx  *ls  = (LineSearchCtx *)ctx;
  KrylearnBalance b   = ls->b;
  PetscReal       phi = 0;

  PetscFunctionBegin;
  PetscCall(BlockPhi(b->Sd, ls->w, ls->d, ls->w, ls->d, alpha, &phi));
  if (b->So) PetscCall(BlockPhi(b->So, ls->w, ls->d, ls->wg, ls->dg, alpha, &phi));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &phi, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)b)));
  *change = alpha * ls->gd - 0.5 * phi;
  PetscFunctionReturn(0);
}

/* One Newton step from the marginals in rs and g; *step = max |alpha d| (0 when it failed). */
static PetscErrorCode NewtonStep(KrylearnBalance b, PetscReal err, PetscBool *ok, PetscReal *step)
{
  LineSearchCtx ls = {b, 0, NULL, NULL, NULL, NULL};
  PetscReal     alpha;
  PetscInt      its;

  PetscFunctionBegin;
  *step = 0;
  PetscCall(PetscLogEventBegin(KRYLEARN_BalanceNewtonAssembly, b, 0, 0, 0));
  /* General mode solves with F H F, F = diag(flip): [[diag(P1), -P], [-P^T, diag(P^T 1)]] is the
     Laplacian of the bipartite graph of P, whose null space is the constants, the form that
     algebraic multigrid expects; CG with Jacobi is unaffected (same spectrum). */
  PetscCall(MatCopy(b->S, b->H, SAME_NONZERO_PATTERN));
  if (b->flip) {
    PetscCall(VecPointwiseMult(b->res, b->flip, b->w));
    PetscCall(MatDiagonalScale(b->H, b->res, b->res));
    PetscCall(VecPointwiseMult(b->g, b->flip, b->g));
  } else PetscCall(MatDiagonalScale(b->H, b->w, b->w));
  PetscCall(MatDiagonalSet(b->H, b->rs, ADD_VALUES));
  if (b->nullsp) {
    PetscCall(MatSetNullSpace(b->H, b->nullsp));
    PetscCall(MatSetTransposeNullSpace(b->H, b->nullsp));
  }
  PetscCall(PetscLogEventEnd(KRYLEARN_BalanceNewtonAssembly, b, 0, 0, 0));
  PetscCall(KrylearnDualNewtonDirection((PetscObject)b, KRYLEARN_BalanceNewtonSolve, b->ksp, b->H, b->nullsp, b->g, b->d, b->res, PetscMin(b->rtol_max, err), &ls.gd, ok, &its));
  b->ksp_its += its;
  if (!*ok) PetscFunctionReturn(0);
  if (b->flip) PetscCall(VecPointwiseMult(b->d, b->flip, b->d));
  if (b->ghost) {
    PetscCall(VecScatterBegin(b->ghost, b->w, b->wghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(b->ghost, b->w, b->wghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterBegin(b->ghost, b->d, b->dghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(b->ghost, b->d, b->dghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetArrayRead(b->wghost, &ls.wg));
    PetscCall(VecGetArrayRead(b->dghost, &ls.dg));
  }
  PetscCall(VecGetArrayRead(b->w, &ls.w));
  PetscCall(VecGetArrayRead(b->d, &ls.d));
  PetscCall(KrylearnDualLineSearch((PetscObject)b, KRYLEARN_BalanceLineSearch, ls.gd, DualChange, &ls, &alpha, ok));
  PetscCall(VecRestoreArrayRead(b->d, &ls.d));
  PetscCall(VecRestoreArrayRead(b->w, &ls.w));
  if (b->ghost) {
    PetscCall(VecRestoreArrayRead(b->wghost, &ls.wg));
    PetscCall(VecRestoreArrayRead(b->dghost, &ls.dg));
  }
  if (!*ok) PetscFunctionReturn(0);
  PetscCall(VecScale(b->d, alpha));
  PetscCall(VecNorm(b->d, NORM_INFINITY, step));
  PetscCall(VecExp(b->d));
  PetscCall(VecPointwiseMult(b->res, b->w, b->d));
  { /* a step along a near-null direction of H leaves P finite but may push scalings out of range */
    PetscReal wmin, wmax;
    PetscCall(VecMin(b->res, NULL, &wmin));
    PetscCall(VecMax(b->res, NULL, &wmax));
    *ok = (PetscBool)(wmin > 1e-300 && wmax < 1e300);
  }
  if (*ok) PetscCall(VecCopy(b->res, b->w));
  else PetscCall(PetscInfo(b, "Newton step rejected: scalings out of range\n"));
  PetscFunctionReturn(0);
}

/* Scalings of A from the kernel's: w^(1/p), and in general mode the pair with equal sums of logs. */
static PetscErrorCode Finish(KrylearnBalance b)
{
  PetscReal lsum[2] = {0, 0}, shift;
  PetscInt  N;

  PetscFunctionBegin;
  if (b->symmetric) PetscCall(VecCopy(b->w, b->r));
  else PetscCall(SplitW(b, PETSC_FALSE));
  PetscCall(VecGetSize(b->r, &N));
  if (!b->symmetric) {
    const PetscScalar *r, *c;
    PetscCall(VecGetArrayRead(b->r, &r));
    PetscCall(VecGetArrayRead(b->c, &c));
    for (PetscInt i = 0; i < b->nloc; i++) {
      lsum[0] += PetscLogReal(PetscRealPart(r[i]));
      lsum[1] += PetscLogReal(PetscRealPart(c[i]));
    }
    PetscCall(VecRestoreArrayRead(b->c, &c));
    PetscCall(VecRestoreArrayRead(b->r, &r));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, lsum, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)b)));
    shift = PetscExpReal((lsum[1] - lsum[0]) / (2 * N));
    if (!PetscIsInfOrNanReal(shift)) {
      PetscCall(VecScale(b->r, shift));
      PetscCall(VecScale(b->c, 1 / shift));
    }
  }
  if (b->power != 1) {
    PetscCall(VecPow(b->r, 1 / b->power));
    if (b->c) PetscCall(VecPow(b->c, 1 / b->power));
  }
  PetscCall(VecMin(b->r, NULL, &b->rmin));
  PetscCall(VecMax(b->r, NULL, &b->rmax));
  b->wmin = b->rmin;
  b->wmax = b->rmax;
  if (b->c) {
    PetscCall(VecMin(b->c, NULL, &b->cmin));
    PetscCall(VecMax(b->c, NULL, &b->cmax));
    b->wmin = PetscMin(b->wmin, b->cmin);
    b->wmax = PetscMax(b->wmax, b->cmax);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnBalanceSolve_Private(KrylearnBalance b)
{
  PetscInt  bigsteps = 0, fails = 0;
  PetscReal err;

  PetscFunctionBegin;
  b->its_sinkhorn = b->its_newton = b->ksp_its = 0;
  b->reason                                    = KRYLEARN_BALANCE_CONVERGED_ITERATING;
  if (!b->warm) PetscCall(VecSet(b->w, 1.0));
  PetscCall(SinkhornSweeps(b, b->newton ? (b->warm ? 0 : PetscMin(b->warmup, b->max_it)) : b->max_it));
  while (PETSC_TRUE) {
    PetscBool ok;
    PetscReal step;

    PetscCall(Marginals(b, &err));
    if (b->its_newton > 0) PetscCall(Monitor(b, "newton  ", err));
    if (PetscIsInfOrNanReal(err)) {
      b->reason = KRYLEARN_BALANCE_DIVERGED_NANORINF;
      break;
    }
    if (err < b->tol) {
      b->reason = KRYLEARN_BALANCE_CONVERGED_MARGINAL;
      break;
    }
    if (!b->newton || b->its_sinkhorn + b->its_newton >= b->max_it) {
      b->reason = KRYLEARN_BALANCE_DIVERGED_MAX_IT;
      break;
    }
    PetscCall(NewtonStep(b, err, &ok, &step));
    if (ok) {
      b->its_newton++;
      fails = 0;
      /* Newton converges in a few steps when a balancing exists. Without total support the dual has
         no maximiser: the steps converge linearly while the scalings drift (each step moving them
         by a factor e or more at first); both signs lead to the structural analysis, once. */
      bigsteps = step >= 1 ? bigsteps + 1 : 0;
      if ((bigsteps >= 5 || b->its_newton >= 10) && !b->support_checked) PetscCall(KrylearnBalanceCheckSupport_Private(b, &b->support_checked));
      continue;
    }
    /* Newton failing again and again also signals a pattern that cannot be balanced */
    if (++fails >= 3 && !b->support_checked) PetscCall(KrylearnBalanceCheckSupport_Private(b, &b->support_checked));
    PetscCall(PetscInfo(b, "Newton step failed (%" PetscInt_FMT " in a row): %" PetscInt_FMT " Sinkhorn sweeps\n", fails, PetscMax(b->warmup, 1)));
    PetscCall(SinkhornSweeps(b, PetscMin(PetscMax(b->warmup, 1), b->max_it - b->its_sinkhorn - b->its_newton)));
  }
  b->err = err;
  if (b->reason == KRYLEARN_BALANCE_DIVERGED_MAX_IT && !b->support_checked) PetscCall(KrylearnBalanceCheckSupport_Private(b, &b->support_checked));
  PetscCall(Finish(b));
  b->warm = (PetscBool)(b->reason == KRYLEARN_BALANCE_CONVERGED_MARGINAL);
  PetscFunctionReturn(0);
}
