/* KSPDEEPCD: the Deep Conjugate Direction Method (Kaneda et al., ICML 2023).

   Each iteration the network maps the normalised residual to a search direction,
   which is A-orthogonalised against the last k directions and taken with the exact
   step alpha = q.r / q.Aq. The residual is updated by recurrence and recomputed as
   b - A x every `refresh` iterations (1: every iteration, as in the paper; 0, the default:
   by recurrence, replaced by the true residual once it meets the default test's tolerance). */
#include <petsc/private/kspimpl.h>
#include "deepcdnet.h"

/* Upper bound of -ksp_deepcd_ndirs: each direction keeps two vectors of the problem's size */
#define KSP_DEEPCD_MAX_NDIRS 64

typedef struct {
  KrylearnDeepCDNet dn;
  PetscInt          ndirs;   /* directions kept for A-orthogonalisation */
  PetscInt          refresh; /* true residual every refresh iterations; 0: never */
  PetscInt          nalloc;
  Vec              *P, *AP; /* last ndirs directions and their images */
  PetscScalar      *pAp, *beta;
} KSP_DeepCD;

static PetscErrorCode KSPDeepCDFreeDirections(KSP_DeepCD *cd)
{
  PetscFunctionBegin;
  if (!cd->nalloc) PetscFunctionReturn(0);
  PetscCall(VecDestroyVecs(cd->nalloc, &cd->P));
  PetscCall(VecDestroyVecs(cd->nalloc, &cd->AP));
  PetscCall(PetscFree2(cd->pAp, cd->beta));
  cd->nalloc = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPSetUp_DeepCD(KSP ksp)
{
  KSP_DeepCD *cd = (KSP_DeepCD *)ksp->data;
  Mat         A;
  PetscBool   pcset;

  PetscFunctionBegin;
  /* the preconditioner is not applied: do not set up a default one unless asked for */
  PetscCall(PetscOptionsHasName(((PetscObject)ksp->pc)->options, ((PetscObject)ksp->pc)->prefix, "-pc_type", &pcset));
  if (!pcset) PetscCall(PCSetType(ksp->pc, PCNONE));
  PetscCall(KSPSetWorkVecs(ksp, 4));
  PetscCall(PCGetOperators(ksp->pc, &A, NULL));
  PetscCall(KrylearnDeepCDNetSetUp(&cd->dn, (PetscObject)ksp, ksp->dm, A));
  PetscFunctionReturn(0);
}

/* q -= sum_j (q.Ap_j / p_j.Ap_j) p_j over the stored directions (mutually A-orthogonal) */
static PetscErrorCode KSPDeepCDOrthogonalize(KSP_DeepCD *cd, PetscInt nstored, Vec Q)
{
  PetscFunctionBegin;
  if (!nstored) PetscFunctionReturn(0);
  PetscCall(VecMDot(Q, nstored, cd->AP, cd->beta));
  for (PetscInt j = 0; j < nstored; j++) cd->beta[j] = -cd->beta[j] / cd->pAp[j];
  PetscCall(VecMAXPY(Q, nstored, cd->beta, cd->P));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDConverged(KSP ksp, PetscInt its, PetscReal rnorm)
{
  PetscFunctionBegin;
  PetscCall(PetscObjectSAWsTakeAccess((PetscObject)ksp));
  ksp->its   = its;
  ksp->rnorm = rnorm;
  PetscCall(PetscObjectSAWsGrantAccess((PetscObject)ksp));
  PetscCall(KSPLogResidualHistory(ksp, rnorm));
  PetscCall(KSPMonitor(ksp, its, rnorm));
  PetscCall((*ksp->converged)(ksp, its, rnorm, &ksp->reason, ksp->cnvP));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPSolve_DeepCD(KSP ksp)
{
  KSP_DeepCD  *cd = (KSP_DeepCD *)ksp->data;
  Vec          X = ksp->vec_sol, B = ksp->vec_rhs, R = ksp->work[0], Z = ksp->work[1], Q = ksp->work[2], AQ = ksp->work[3], t;
  Mat          A;
  MatNullSpace nsp;
  PetscReal    rnorm;
  PetscScalar  qAq, qr, alpha;
  PetscInt     nstored = 0, head = 0;

  PetscFunctionBegin;
  PetscCall(PCGetOperators(ksp->pc, &A, NULL));
  /* KSPSetUp_DeepCD() runs at the first KSPSetUp() only, not for a new or modified operator:
     pick those up here (no work when the operator is unchanged) */
  PetscCall(KrylearnDeepCDNetSetUp(&cd->dn, (PetscObject)ksp, ksp->dm, A));
  if (cd->nalloc != cd->ndirs) {
    PetscCall(KSPDeepCDFreeDirections(cd));
    PetscCall(VecDuplicateVecs(R, cd->ndirs, &cd->P));
    PetscCall(VecDuplicateVecs(R, cd->ndirs, &cd->AP));
    PetscCall(PetscMalloc2(cd->ndirs, &cd->pAp, cd->ndirs, &cd->beta));
    cd->nalloc = cd->ndirs;
  }
  PetscCall(MatGetNullSpace(A, &nsp));

  ksp->reason = KSP_CONVERGED_ITERATING;
  if (ksp->guess_zero) PetscCall(VecCopy(B, R));
  else {
    PetscCall(KSP_MatMult(ksp, A, X, R));
    PetscCall(VecAYPX(R, -1.0, B));
  }
  if (nsp) PetscCall(MatNullSpaceRemove(nsp, R));
  PetscCall(VecNorm(R, NORM_2, &rnorm));
  KSPCheckNorm(ksp, rnorm);
  PetscCall(KSPDeepCDConverged(ksp, 0, rnorm));
  if (ksp->reason) PetscFunctionReturn(0);

  /* decoupled rows (prescribed or outside-domain cells) are solved exactly once; the
     directions vanish there afterwards, so their residual stays zero */
  if (cd->dn.ndecoupled) {
    PetscCall(VecPointwiseMult(Z, cd->dn.dinv, R));
    PetscCall(VecAXPY(X, 1.0, Z));
    PetscCall(KSP_MatMult(ksp, A, Z, AQ));
    PetscCall(VecAXPY(R, -1.0, AQ));
    if (nsp) PetscCall(MatNullSpaceRemove(nsp, R));
    PetscCall(VecNorm(R, NORM_2, &rnorm));
    KSPCheckNorm(ksp, rnorm);
  }

  for (PetscInt i = 0; i < ksp->max_it; i++) {
    if (rnorm > 0.0) {
      PetscCall(KrylearnDeepCDNetApply(&cd->dn, R, 1.0 / rnorm, Q)); /* the network sees r / ||r|| */
      if (nsp) PetscCall(MatNullSpaceRemove(nsp, Q));
      PetscCall(KSPDeepCDOrthogonalize(cd, nstored, Q));
      PetscCall(KSP_MatMult(ksp, A, Q, AQ));
      {
        Vec         pair[2] = {AQ, R};
        PetscScalar dots[2];

        PetscCall(VecMDot(Q, 2, pair, dots)); /* q.Aq and q.r in one pass over q */
        qAq = dots[0], qr = dots[1];
      }
      KSPCheckDot(ksp, qAq);
      KSPCheckDot(ksp, qr);
      if (PetscRealPart(qAq) <= 0.0) {
        const PetscBool   indefinite = (PetscBool)(PetscRealPart(qAq) < 0.0);
        const char *const why        = indefinite ? "operator not positive definite" : "zero direction";

        ksp->reason = indefinite ? KSP_DIVERGED_INDEFINITE_MAT : KSP_DIVERGED_BREAKDOWN;
        PetscCall(PetscInfo(ksp, "q.Aq = %g at iteration %" PetscInt_FMT ": %s\n", (double)PetscRealPart(qAq), i, why));
        PetscCheck(!ksp->errorifnotconverged, PetscObjectComm((PetscObject)ksp), PETSC_ERR_NOT_CONVERGED, "deepcd: q.Aq = %g <= 0 at iteration %" PetscInt_FMT " (%s)", (double)PetscRealPart(qAq), i, why);
        break;
      }
      alpha = qr / qAq;
      PetscCall(VecAXPY(X, alpha, Q));
      if (cd->refresh > 0 && (i + 1) % cd->refresh == 0) {
        PetscCall(KSP_MatMult(ksp, A, X, R));
        PetscCall(VecAYPX(R, -1.0, B));
      } else PetscCall(VecAXPY(R, -alpha, AQ));
      if (nsp) PetscCall(MatNullSpaceRemove(nsp, R));
      /* keep q and Aq as the newest direction; the work array takes the vectors it replaces */
      t = cd->P[head], cd->P[head] = Q, Q = t;
      t = cd->AP[head], cd->AP[head] = AQ, AQ = t;
      ksp->work[2]  = Q;
      ksp->work[3]  = AQ;
      cd->pAp[head] = qAq;
      head          = (head + 1) % cd->ndirs;
      nstored       = PetscMin(nstored + 1, cd->ndirs);
      PetscCall(VecNorm(R, NORM_2, &rnorm));
      KSPCheckNorm(ksp, rnorm);
    }
    if (rnorm > 0.0 && rnorm <= ksp->ttol && !(cd->refresh > 0 && (i + 1) % cd->refresh == 0)) {
      /* a residual by recurrence that meets the default test's tolerance is replaced by the
         true one, which must meet it too */
      PetscCall(KSP_MatMult(ksp, A, X, R));
      PetscCall(VecAYPX(R, -1.0, B));
      if (nsp) PetscCall(MatNullSpaceRemove(nsp, R));
      PetscCall(VecNorm(R, NORM_2, &rnorm));
      KSPCheckNorm(ksp, rnorm);
    }
    PetscCall(KSPDeepCDConverged(ksp, i + 1, rnorm));
    if (ksp->reason) break;
  }
  if (!ksp->reason) ksp->reason = KSP_DIVERGED_ITS;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPReset_DeepCD(KSP ksp)
{
  KSP_DeepCD *cd = (KSP_DeepCD *)ksp->data;

  PetscFunctionBegin;
  PetscCall(KSPDeepCDFreeDirections(cd));
  PetscCall(KrylearnDeepCDNetReset(&cd->dn));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDestroy_DeepCD(KSP ksp)
{
  PetscFunctionBegin;
  PetscCall(KSPReset_DeepCD(ksp));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetModel_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetGrid_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetFaces_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetFaces_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetNumDirections_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetRefresh_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetModel_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetGrid_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetNumDirections_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetRefresh_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetInferenceTime_C", NULL));
  PetscCall(KSPDestroyDefault(ksp));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPView_DeepCD(KSP ksp, PetscViewer viewer)
{
  KSP_DeepCD *cd = (KSP_DeepCD *)ksp->data;
  PetscBool   isascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  directions kept for A-orthogonalisation: %" PetscInt_FMT "\n", cd->ndirs));
  if (cd->refresh) PetscCall(PetscViewerASCIIPrintf(viewer, "  true residual every %" PetscInt_FMT " iteration(s)\n", cd->refresh));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "  residual by recurrence, the true residual confirming convergence\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KrylearnDeepCDNetView(&cd->dn, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDSetModel_DeepCD(KSP ksp, const char file[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetModel(&((KSP_DeepCD *)ksp->data)->dn, file));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDSetFaces_DeepCD(KSP ksp, KrylearnDeepCDFaceType faces)
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetFaces(&((KSP_DeepCD *)ksp->data)->dn, faces));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetFaces_DeepCD(KSP ksp, KrylearnDeepCDFaceType *faces)
{
  PetscFunctionBegin;
  *faces = ((KSP_DeepCD *)ksp->data)->dn.faces;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDSetGrid_DeepCD(KSP ksp, PetscInt dim, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetGrid(PetscObjectComm((PetscObject)ksp), &((KSP_DeepCD *)ksp->data)->dn, dim, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDSetNumDirections_DeepCD(KSP ksp, PetscInt k)
{
  PetscFunctionBegin;
  PetscCheck(k >= 1 && k <= KSP_DEEPCD_MAX_NDIRS, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE, "-ksp_deepcd_ndirs %" PetscInt_FMT ": the number of stored directions must lie in [1, %d] (each keeps two vectors of the problem's size)", k, KSP_DEEPCD_MAX_NDIRS);
  ((KSP_DeepCD *)ksp->data)->ndirs = k;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDSetRefresh_DeepCD(KSP ksp, PetscInt refresh)
{
  PetscFunctionBegin;
  PetscCheck(refresh >= 0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE, "-ksp_deepcd_refresh %" PetscInt_FMT ": the refresh interval must be non-negative", refresh);
  ((KSP_DeepCD *)ksp->data)->refresh = refresh;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetModel_DeepCD(KSP ksp, const char *file[])
{
  PetscFunctionBegin;
  *file = ((KSP_DeepCD *)ksp->data)->dn.model;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetGrid_DeepCD(KSP ksp, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetGetGrid(&((KSP_DeepCD *)ksp->data)->dn, dim, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetNumDirections_DeepCD(KSP ksp, PetscInt *k)
{
  PetscFunctionBegin;
  *k = ((KSP_DeepCD *)ksp->data)->ndirs;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetRefresh_DeepCD(KSP ksp, PetscInt *refresh)
{
  PetscFunctionBegin;
  *refresh = ((KSP_DeepCD *)ksp->data)->refresh;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPDeepCDGetInferenceTime_DeepCD(KSP ksp, PetscInt *napply, PetscLogDouble *seconds)
{
  KSP_DeepCD *cd = (KSP_DeepCD *)ksp->data;

  PetscFunctionBegin;
  if (napply) *napply = cd->dn.napply;
  if (seconds) *seconds = cd->dn.tapply;
  PetscFunctionReturn(0);
}

static PetscErrorCode KSPSetFromOptions_DeepCD(KSP ksp, PetscOptionItems *PetscOptionsObject)
{
  KSP_DeepCD *cd = (KSP_DeepCD *)ksp->data;
  PetscInt    k = cd->ndirs, refresh = cd->refresh;
  PetscBool   flg;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "KSP deepcd (Deep Conjugate Direction Method) options");
  PetscCall(PetscOptionsInt("-ksp_deepcd_ndirs", "Number of previous directions each new one is A-orthogonalised against", "KSPDeepCDSetNumDirections", k, &k, &flg));
  if (flg) PetscCall(KSPDeepCDSetNumDirections(ksp, k));
  PetscCall(PetscOptionsInt("-ksp_deepcd_refresh", "Recompute the true residual b - Ax every this many iterations (0: by recurrence, the true one confirming convergence)", "KSPDeepCDSetRefresh", refresh, &refresh, &flg));
  if (flg) PetscCall(KSPDeepCDSetRefresh(ksp, refresh));
  PetscCall(KrylearnDeepCDNetSetFromOptions(PetscOptionsObject, &cd->dn));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

/*@C
  KSPDeepCDSetModel - Sets the network model file (Krylearn HDF5 format) used by `KSPDEEPCD`.

  Logically Collective

  Input Parameters:
+ ksp  - the solver
- file - the model file; NULL or "" selects the shipped default for the grid's dimension

  Options Database Key:
. -ksp_deepcd_model <file> - the model file

  Level: intermediate

  Note:
  The default model is looked for in `<libdir>/../data/deepcd-<dim>d.h5` and
  `<libdir>/../share/krylearn/deepcd-<dim>d.h5`, where libdir holds libkrylearn.so.

.seealso: `KSPDEEPCD`, `KSPDeepCDSetGrid()`, `PCDeepCDSetModel()`
@*/
PetscErrorCode KSPDeepCDSetModel(KSP ksp, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscTryMethod(ksp, "KSPDeepCDSetModel_C", (KSP, const char[]), (ksp, file));
  PetscFunctionReturn(0);
}

/*@C
  KSPDeepCDGetModel - Gets the network model file set for `KSPDEEPCD`.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameter:
. file - the file set with `KSPDeepCDSetModel()` or -ksp_deepcd_model; "" when the shipped default is used

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDSetModel()`
@*/
PetscErrorCode KSPDeepCDGetModel(KSP ksp, const char *file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidPointer(file, 2);
  PetscUseMethod(ksp, "KSPDeepCDGetModel_C", (KSP, const char *[]), (ksp, file));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDSetGrid - Sets the cell grid of an operator that has no DMDA attached.

  Logically Collective

  Input Parameters:
+ ksp - the solver
. dim - 2 or 3
- n   - the grid sizes nx, ny[, nz]; the operator's rows are the cells in natural ordering (x fastest)

  Options Database Key:
. -ksp_deepcd_grid <nx,ny[,nz]> - the grid

  Level: intermediate

  Note:
  A DMDA attached to the solver with `KSPSetDM()` takes precedence.

.seealso: `KSPDEEPCD`, `KSPDeepCDSetModel()`
@*/
PetscErrorCode KSPDeepCDSetGrid(KSP ksp, PetscInt dim, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidLogicalCollectiveInt(ksp, dim, 2);
  PetscValidIntPointer(n, 3);
  PetscTryMethod(ksp, "KSPDeepCDSetGrid_C", (KSP, PetscInt, const PetscInt[]), (ksp, dim, n));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDGetGrid - Gets the cell grid set for an operator that has no DMDA attached.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameters:
+ dim - 2 or 3, or 0 when no grid was set
- n   - the grid sizes nx, ny, nz (an array of 3; 1 beyond dim), or NULL

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDSetGrid()`
@*/
PetscErrorCode KSPDeepCDGetGrid(KSP ksp, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(dim, 2);
  PetscUseMethod(ksp, "KSPDeepCDGetGrid_C", (KSP, PetscInt *, PetscInt[]), (ksp, dim, n));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDSetNumDirections - Sets how many previous directions each new direction is A-orthogonalised against.

  Logically Collective

  Input Parameters:
+ ksp - the solver
- k   - number of directions, 1 to 64 (default 2, as in the paper)

  Options Database Key:
. -ksp_deepcd_ndirs <k> - the number of directions

  Level: intermediate

.seealso: `KSPDEEPCD`
@*/
PetscErrorCode KSPDeepCDSetNumDirections(KSP ksp, PetscInt k)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidLogicalCollectiveInt(ksp, k, 2);
  PetscTryMethod(ksp, "KSPDeepCDSetNumDirections_C", (KSP, PetscInt), (ksp, k));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDGetNumDirections - Gets how many previous directions each new direction is A-orthogonalised against.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameter:
. k - number of directions

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDSetNumDirections()`
@*/
PetscErrorCode KSPDeepCDGetNumDirections(KSP ksp, PetscInt *k)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(k, 2);
  PetscUseMethod(ksp, "KSPDeepCDGetNumDirections_C", (KSP, PetscInt *), (ksp, k));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDSetRefresh - Sets how often the true residual b - A x replaces the recurrence.

  Logically Collective

  Input Parameters:
+ ksp     - the solver
- refresh - recompute every this many iterations (1: every iteration, as in the paper; default 0: by recurrence, replaced by the true residual once it meets the tolerance of PETSc's default convergence test, the iterations going on if the true one does not)

  Options Database Key:
. -ksp_deepcd_refresh <n> - the interval

  Level: intermediate

.seealso: `KSPDEEPCD`
@*/
PetscErrorCode KSPDeepCDSetRefresh(KSP ksp, PetscInt refresh)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidLogicalCollectiveInt(ksp, refresh, 2);
  PetscTryMethod(ksp, "KSPDeepCDSetRefresh_C", (KSP, PetscInt), (ksp, refresh));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDGetRefresh - Gets how often the true residual b - A x replaces the recurrence.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameter:
. refresh - the interval in iterations (0: never)

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDSetRefresh()`
@*/
PetscErrorCode KSPDeepCDGetRefresh(KSP ksp, PetscInt *refresh)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(refresh, 2);
  PetscUseMethod(ksp, "KSPDeepCDGetRefresh_C", (KSP, PetscInt *), (ksp, refresh));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDGetInferenceTime - Gets the number of network applications and the time spent in them since setup.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameters:
+ napply  - number of network applications
- seconds - wall time spent in them

  Level: intermediate

.seealso: `KSPDEEPCD`
@*/
PetscErrorCode KSPDeepCDGetInferenceTime(KSP ksp, PetscInt *napply, PetscLogDouble *seconds)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscUseMethod(ksp, "KSPDeepCDGetInferenceTime_C", (KSP, PetscInt *, PetscLogDouble *), (ksp, napply, seconds));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDSetFaces - Sets what the network of `KSPDEEPCD` sees past the faces of the grid.

  Logically Collective

  Input Parameters:
+ ksp - the solver
- faces - `KRYLEARN_DEEPCD_FACES_AUTO` (default), `KRYLEARN_DEEPCD_FACES_ZERO` or `KRYLEARN_DEEPCD_FACES_MIRROR`

  Options Database Key:
. -ksp_deepcd_faces <auto,zero,mirror> - the choice

  Notes:
  The networks are trained with zeros past the grid, which is right for faces with a
  prescribed value (Dirichlet). Past a closed face (Neumann: no flux), the mirror image of
  the cells inside makes the network act as the inverse for that face, by the method of
  images. With auto, a face is mirrored when most rows of the cells on it (edges left out)
  sum to zero, as no-flux faces make them; -ksp_view names the faces mirrored. A grid
  padded for the network's poolings keeps zeros past its high faces.

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDGetFaces()`, `KrylearnDeepCDFaceType`, `KrylearnNetSetFaces()`
@*/
PetscErrorCode KSPDeepCDSetFaces(KSP ksp, KrylearnDeepCDFaceType faces)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(ksp, faces, 2);
  PetscTryMethod(ksp, "KSPDeepCDSetFaces_C", (KSP, KrylearnDeepCDFaceType), (ksp, faces));
  PetscFunctionReturn(0);
}

/*@
  KSPDeepCDGetFaces - Gets what the network of `KSPDEEPCD` sees past the faces of the grid.

  Not Collective

  Input Parameter:
. ksp - the solver

  Output Parameter:
. faces - the choice set with `KSPDeepCDSetFaces()` or -ksp_deepcd_faces

  Level: intermediate

.seealso: `KSPDEEPCD`, `KSPDeepCDSetFaces()`
@*/
PetscErrorCode KSPDeepCDGetFaces(KSP ksp, KrylearnDeepCDFaceType *faces)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidPointer(faces, 2);
  PetscUseMethod(ksp, "KSPDeepCDGetFaces_C", (KSP, KrylearnDeepCDFaceType *), (ksp, faces));
  PetscFunctionReturn(0);
}

/*MC
   KSPDEEPCD - "deepcd": the Deep Conjugate Direction Method (Kaneda et al., ICML 2023) for
   symmetric positive (semi)definite Poisson-type operators on 2-D/3-D cell grids.

   Options Database Keys:
+  -ksp_deepcd_model <file>       - network model (default: shipped model for the grid's dimension)
.  -ksp_deepcd_grid <nx,ny[,nz]>  - grid of an operator without a DMDA (natural ordering)
.  -ksp_deepcd_faces <auto>       - what the network sees past the grid's faces: auto (mirror images past closed faces), zero, mirror
.  -ksp_deepcd_ndirs <2>          - directions kept for A-orthogonalisation (1 to 64)
-  -ksp_deepcd_refresh <0>        - true-residual interval (0: recurrence, true residual confirmed at convergence)

   Notes:
   Each iteration computes q = N(r/||r||), A-orthogonalises it against the last k directions
   and steps x += (q.r / q.Aq) q. The preconditioner is not applied: it is set to `PCNONE` at setup unless -pc_type is given.
   Rows without off-diagonal entries (obstacle cells, prescribed values) are solved exactly
   at the start; the network output is zeroed on them. A `MatNullSpace` attached to the
   operator is projected out of residuals and directions. Breakdown gives
   `KSP_DIVERGED_INDEFINITE_MAT` (q.Aq < 0), `KSP_DIVERGED_BREAKDOWN` (q.Aq = 0) or
   `KSP_DIVERGED_NANORINF`. Only the unpreconditioned norm is supported.

   Level: beginner

.seealso: `KSPCreate()`, `KSPSetType()`, `KSPFCG`, `PCDEEPCD`, `KSPDeepCDSetModel()`
M*/
PETSC_INTERN PetscErrorCode KSPCreate_DeepCD(KSP ksp)
{
  KSP_DeepCD *cd;

  PetscFunctionBegin;
  PetscCall(PetscNew(&cd));
  cd->dn.pre  = "ksp";
  cd->ndirs   = 2;
  cd->refresh = 0;
  ksp->data   = (void *)cd;
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_LEFT, 3));
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_RIGHT, 2));
  ksp->ops->setup          = KSPSetUp_DeepCD;
  ksp->ops->solve          = KSPSolve_DeepCD;
  ksp->ops->destroy        = KSPDestroy_DeepCD;
  ksp->ops->reset          = KSPReset_DeepCD;
  ksp->ops->view           = KSPView_DeepCD;
  ksp->ops->setfromoptions = KSPSetFromOptions_DeepCD;
  ksp->ops->buildsolution  = KSPBuildSolutionDefault;
  ksp->ops->buildresidual  = KSPBuildResidualDefault;
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetModel_C", KSPDeepCDSetModel_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetGrid_C", KSPDeepCDSetGrid_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetFaces_C", KSPDeepCDSetFaces_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetFaces_C", KSPDeepCDGetFaces_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetNumDirections_C", KSPDeepCDSetNumDirections_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDSetRefresh_C", KSPDeepCDSetRefresh_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetModel_C", KSPDeepCDGetModel_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetGrid_C", KSPDeepCDGetGrid_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetNumDirections_C", KSPDeepCDGetNumDirections_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetRefresh_C", KSPDeepCDGetRefresh_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDeepCDGetInferenceTime_C", KSPDeepCDGetInferenceTime_DeepCD));
  PetscFunctionReturn(0);
}
