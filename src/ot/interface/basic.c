/* The OT object: creation, problem description, options, viewing, results. */
#include "ot/otimpl.h"

PetscClassId      OT_CLASSID;
PetscFunctionList OTList = NULL;
PetscLogEvent     OT_SetUp, OT_Sinkhorn, OT_PlanStats, OT_NewtonAssembly, OT_NewtonSolve, OT_LineSearch;

const char *const OTCostTypes[]        = {"sqeuclidean", "euclidean", "OTCostType", "OT_COST_", NULL};
const char *const OTSNSSparsifyTypes[] = {"mass", "count", "OTSNSSparsifyType", "OT_SNS_SPARSIFY_", NULL};
static const char *const OTConvergedReasons_Shifted[] = {"DIVERGED_STEP", "DIVERGED_NANORINF", "DIVERGED_MAX_IT", "", "", "CONVERGED_ITERATING", "", "CONVERGED_MARGINAL", "OTConvergedReason", "OT_", NULL};
const char *const *OTConvergedReasons = OTConvergedReasons_Shifted + 5;

static PetscBool OTPackageInitialized = PETSC_FALSE;

static PetscErrorCode OTFinalizePackage(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&OTList));
  OTPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnOTInitializePackage - Registers the OT class, its types `OTSINKHORN` and `OTSNS`, and its log events

  Level: developer

  Note:
  Called from `KrylearnInitializePackage()` and from `OTCreate()`; safe to call more than once.
@*/
PetscErrorCode KrylearnOTInitializePackage(void)
{
  PetscFunctionBegin;
  if (OTPackageInitialized) PetscFunctionReturn(0);
  OTPackageInitialized = PETSC_TRUE;
  PetscCall(KSPInitializePackage());
  PetscCall(PetscClassIdRegister("Optimal transport", &OT_CLASSID));
  PetscCall(OTRegister(OTSINKHORN, OTCreate_Sinkhorn));
  PetscCall(OTRegister(OTSNS, OTCreate_SNS));
  PetscCall(PetscLogEventRegister("OTSetUp", OT_CLASSID, &OT_SetUp));
  PetscCall(PetscLogEventRegister("OTSinkhorn", OT_CLASSID, &OT_Sinkhorn));
  PetscCall(PetscLogEventRegister("OTPlanStats", OT_CLASSID, &OT_PlanStats));
  PetscCall(PetscLogEventRegister("OTNewtonAssemb", OT_CLASSID, &OT_NewtonAssembly));
  PetscCall(PetscLogEventRegister("OTNewtonSolve", OT_CLASSID, &OT_NewtonSolve));
  PetscCall(PetscLogEventRegister("OTLineSearch", OT_CLASSID, &OT_LineSearch));
  PetscCall(PetscRegisterFinalize(OTFinalizePackage));
  PetscFunctionReturn(0);
}

/*@C
  OTRegister - Adds an OT method

  Not Collective

  Input Parameters:
+ name - name of the method, used with -ot_type
- create - routine that fills the function table of an `OT` of this type

  Level: advanced

.seealso: `OTSetType()`, `OTCreate()`
@*/
PetscErrorCode OTRegister(const char name[], PetscErrorCode (*create)(OT))
{
  PetscFunctionBegin;
  PetscCall(KrylearnOTInitializePackage());
  PetscCall(PetscFunctionListAdd(&OTList, name, create));
  PetscFunctionReturn(0);
}

/*@
  OTCreate - Creates an entropic optimal transport solver

  Collective

  Input Parameter:
. comm - communicator over which the rows of the cost are distributed

  Output Parameter:
. ot - the solver, of type `OTSNS` until `OTSetType()` or -ot_type says otherwise

  Level: beginner

.seealso: `OTSetCostMatrix()`, `OTSetPointClouds()`, `OTSetMarginals()`, `OTSolve()`, `OTDestroy()`
@*/
PetscErrorCode OTCreate(MPI_Comm comm, OT *ot)
{
  OT o;

  PetscFunctionBegin;
  PetscValidPointer(ot, 2);
  PetscCall(KrylearnOTInitializePackage());
  PetscCall(PetscHeaderCreate(o, OT_CLASSID, "OT", "Optimal transport", "OT", comm, OTDestroy, OTView));
  o->eta      = 100;
  o->tol      = 1e-9;
  o->max_it   = 100000;
  o->costtype = OT_COST_SQEUCLIDEAN;
  *ot         = o;
  PetscFunctionReturn(0);
}

/*@C
  OTSetType - Chooses the method: `OTSINKHORN` (log-domain Sinkhorn) or `OTSNS` (Sinkhorn-Newton-Sparse)

  Collective

  Options Database Key:
. -ot_type <sinkhorn,sns> - the method

  Level: beginner

.seealso: `OTRegister()`, `OTGetType()`
@*/
PetscErrorCode OTSetType(OT ot, OTType type)
{
  PetscErrorCode (*create)(OT);
  PetscBool same;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCall(PetscObjectTypeCompare((PetscObject)ot, type, &same));
  if (same) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListFind(OTList, type, &create));
  PetscCheck(create, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown OT type %s (known: sinkhorn, sns)", type);
  if (ot->ops->destroy) PetscCall((*ot->ops->destroy)(ot));
  PetscCall(PetscMemzero(ot->ops, sizeof(struct _OTOps)));
  ot->data        = NULL;
  ot->setupcalled = PETSC_FALSE;
  PetscCall(PetscObjectChangeTypeName((PetscObject)ot, type));
  PetscCall((*create)(ot));
  PetscFunctionReturn(0);
}

/*@C
  OTGetType - Gets the method name

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. type - `OTSINKHORN` or `OTSNS`

  Level: beginner

.seealso: `OTSetType()`
@*/
PetscErrorCode OTGetType(OT ot, OTType *type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *type = ((PetscObject)ot)->type_name;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTResetProblem(OT ot)
{
  PetscFunctionBegin;
  PetscCall(MatDestroy(&ot->Cmat));
  PetscCall(MatDestroy(&ot->Xmat));
  PetscCall(MatDestroy(&ot->Ymat));
  ot->setupcalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@
  OTSetCostMatrix - Sets the cost matrix C (n x m), distributed by rows

  Collective

  Input Parameters:
+ ot - the solver
- C - a dense matrix, or a sparse (AIJ) one whose absent entries are forbidden (infinite cost)

  Level: beginner

  Note:
  The local rows of C must match the layout of the row marginal r. The solver keeps its
  own row-major copy of the local rows.

.seealso: `OTSetPointClouds()`, `OTSetMarginals()`
@*/
PetscErrorCode OTSetCostMatrix(OT ot, Mat C)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidHeaderSpecific(C, MAT_CLASSID, 2);
  PetscCall(PetscObjectReference((PetscObject)C));
  PetscCall(OTResetProblem(ot));
  ot->Cmat = C;
  PetscFunctionReturn(0);
}

/*@
  OTSetPointClouds - Sets the two point clouds; the cost is computed on the fly, never stored

  Collective

  Input Parameters:
+ ot - the solver
. X - source points, n x d, distributed by rows like r
- Y - target points, m x d (any layout; every rank keeps a copy of Y)

  Options Database Key:
. -ot_cost <sqeuclidean,euclidean> - |x - y|^2 or |x - y|

  Level: beginner

.seealso: `OTSetCostType()`, `OTSetCostMatrix()`
@*/
PetscErrorCode OTSetPointClouds(OT ot, Mat X, Mat Y)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidHeaderSpecific(X, MAT_CLASSID, 2);
  PetscValidHeaderSpecific(Y, MAT_CLASSID, 3);
  PetscCall(PetscObjectReference((PetscObject)X));
  PetscCall(PetscObjectReference((PetscObject)Y));
  PetscCall(OTResetProblem(ot));
  ot->Xmat = X;
  ot->Ymat = Y;
  PetscFunctionReturn(0);
}

/*@
  OTSetCostType - Sets the ground cost used between point clouds

  Logically Collective

  Input Parameters:
+ ot - the solver
- type - `OT_COST_SQEUCLIDEAN` (|x - y|^2, the default) or `OT_COST_EUCLIDEAN` (|x - y|)

  Options Database Key:
. -ot_cost <sqeuclidean,euclidean> - the ground cost

  Level: beginner

.seealso: `OTSetPointClouds()`
@*/
PetscErrorCode OTSetCostType(OT ot, OTCostType type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  ot->costtype    = type;
  ot->setupcalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@
  OTSetMarginals - Sets the two marginals (weights)

  Collective

  Input Parameters:
+ ot - the solver
. r - row marginal, length n, same row layout as the cost
- c - column marginal, length m, any layout

  Level: beginner

  Note:
  Weights must be positive and finite (drop zero-weight points beforehand) and the two
  sums must agree to within half the tolerance: the marginal error can never fall below
  their difference.

.seealso: `OTSetCostMatrix()`, `OTSetPointClouds()`
@*/
PetscErrorCode OTSetMarginals(OT ot, Vec r, Vec c)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidHeaderSpecific(r, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(c, VEC_CLASSID, 3);
  PetscCall(PetscObjectReference((PetscObject)r));
  PetscCall(PetscObjectReference((PetscObject)c));
  PetscCall(VecDestroy(&ot->r));
  PetscCall(VecDestroy(&ot->c));
  ot->r           = r;
  ot->c           = c;
  ot->setupcalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@
  OTSetEta - Sets the inverse temperature eta of the entropic regularisation

  Logically Collective

  Input Parameters:
+ ot - the solver
- eta - inverse temperature; POT's regularisation is reg = 1/eta

  Options Database Key:
. -ot_eta <eta> - the inverse temperature

  Level: beginner

.seealso: `OTGetEta()`
@*/
PetscErrorCode OTSetEta(OT ot, PetscReal eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(eta > 0 && PetscIsNormalReal(eta), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "eta must be positive and finite, not %g", (double)eta);
  ot->eta = eta;
  PetscFunctionReturn(0);
}

/*@
  OTGetEta - Gets the inverse temperature

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. eta - the inverse temperature

  Level: beginner

.seealso: `OTSetEta()`
@*/
PetscErrorCode OTGetEta(OT ot, PetscReal *eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *eta = ot->eta;
  PetscFunctionReturn(0);
}

/*@
  OTSetTolerances - Sets the tolerance on the marginal error ||P 1 - r||_1 + ||P^T 1 - c||_1 and the iteration cap

  Logically Collective

  Input Parameters:
+ ot - the solver
. tol - tolerance on the marginal error (`PETSC_DEFAULT` keeps the current one)
- max_it - maximum number of iterations, Sinkhorn and Newton together (`PETSC_DEFAULT` keeps)

  Options Database Keys:
+ -ot_tol <tol> - tolerance
- -ot_max_it <n> - iteration cap

  Level: beginner

.seealso: `OTGetMarginalError()`
@*/
PetscErrorCode OTSetTolerances(OT ot, PetscReal tol, PetscInt max_it)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(tol > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "tolerance must be positive, not %g", (double)tol);
    ot->tol = tol;
  }
  if (max_it != PETSC_DEFAULT) {
    PetscCheck(max_it >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "max_it must be non-negative, not %" PetscInt_FMT, max_it);
    ot->max_it = max_it;
  }
  PetscFunctionReturn(0);
}

/*@C
  OTMonitorSet - Adds a routine called after every iteration with the marginal error

  Logically Collective

  Input Parameters:
+ ot - the solver
. monitor - routine (ot, iteration, phase (0 Sinkhorn, 1 Newton), marginal error, ctx)
. ctx - its context
- destroy - destroys the context, or NULL

  Options Database Key:
. -ot_monitor - prints the marginal error every iteration

  Level: intermediate

.seealso: `OTMonitorDefault()`
@*/
PetscErrorCode OTMonitorSet(OT ot, PetscErrorCode (*monitor)(OT, PetscInt, PetscInt, PetscReal, void *), void *ctx, PetscErrorCode (*destroy)(void **))
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->numbermonitors < OT_MAX_MONITORS, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "Too many OT monitors set (at most %d)", OT_MAX_MONITORS);
  ot->monitor[ot->numbermonitors]          = monitor;
  ot->monitorcontext[ot->numbermonitors]   = ctx;
  ot->monitordestroy[ot->numbermonitors++] = destroy;
  PetscFunctionReturn(0);
}

/*@C
  OTMonitorDefault - Prints the iteration number, the phase and the marginal error

  Collective

  Level: intermediate

.seealso: `OTMonitorSet()`
@*/
PetscErrorCode OTMonitorDefault(OT ot, PetscInt it, PetscInt phase, PetscReal err, void *ctx)
{
  PetscViewer viewer = ctx ? (PetscViewer)ctx : PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)ot));

  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "%4" PetscInt_FMT " OT %s marginal error %.6e\n", it, phase == OT_PHASE_NEWTON ? "newton  " : "sinkhorn", (double)err));
  PetscFunctionReturn(0);
}

PetscErrorCode OTMonitor_Private(OT ot, PetscInt it, PetscInt phase, PetscReal err)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < ot->numbermonitors; k++) PetscCall((*ot->monitor[k])(ot, it, phase, err, ot->monitorcontext[k]));
  PetscFunctionReturn(0);
}

/*@
  OTSetFromOptions - Reads -ot_type, -ot_eta, -ot_tol, -ot_max_it, -ot_cost, -ot_monitor and the method's options

  Collective

  Level: beginner

.seealso: `OTSetType()`, `OTSetEta()`, `OTSetTolerances()`
@*/
PetscErrorCode OTSetFromOptions(OT ot)
{
  char      type[256];
  PetscBool flg, mon = PETSC_FALSE;
  PetscInt  width = 0;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)ot);
  PetscCall(PetscOptionsFList("-ot_type", "Optimal transport method", "OTSetType", OTList, ((PetscObject)ot)->type_name ? ((PetscObject)ot)->type_name : OTSNS, type, sizeof(type), &flg));
  if (flg || !((PetscObject)ot)->type_name) PetscCall(OTSetType(ot, flg ? type : OTSNS));
  PetscCall(PetscOptionsReal("-ot_eta", "Inverse temperature eta (POT's reg = 1/eta)", "OTSetEta", ot->eta, &ot->eta, NULL));
  PetscCheck(ot->eta > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_eta must be positive, not %g", (double)ot->eta);
  PetscCall(PetscOptionsReal("-ot_tol", "Tolerance on ||P1 - r||_1 + ||P^T1 - c||_1", "OTSetTolerances", ot->tol, &ot->tol, NULL));
  PetscCall(PetscOptionsInt("-ot_max_it", "Maximum iterations (Sinkhorn and Newton together)", "OTSetTolerances", ot->max_it, &ot->max_it, NULL));
  PetscCheck(ot->tol > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_tol must be positive, not %g", (double)ot->tol);
  PetscCheck(ot->max_it >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "-ot_max_it must be non-negative, not %" PetscInt_FMT, ot->max_it);
  PetscCall(PetscOptionsEnum("-ot_cost", "Ground cost between point clouds", "OTSetCostType", OTCostTypes, (PetscEnum)ot->costtype, (PetscEnum *)&ot->costtype, &flg));
  if (flg) ot->setupcalled = PETSC_FALSE;
  PetscCall(PetscOptionsInt("-ot_exp_width", "Vector exp width in doubles: 2 (SSE2), 4 (AVX2), 8 (AVX-512), 0 widest supported (process-wide)", "", width, &width, &flg));
  if (flg) PetscCall(PetscInfo(ot, "Vector exp of width %" PetscInt_FMT "\n", OTKernelSetExpWidth(width)));
  PetscCall(PetscOptionsBool("-ot_monitor", "Print the marginal error every iteration", "OTMonitorSet", mon, &mon, NULL));
  if (mon) PetscCall(OTMonitorSet(ot, OTMonitorDefault, NULL, NULL));
  if (ot->ops->setfromoptions) PetscCall((*ot->ops->setfromoptions)(ot, PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* Local rows of a matrix, row-major, every entry (dense or not). */
static PetscErrorCode MatGetLocalRowsDense(Mat A, PetscInt ncols, PetscReal *out)
{
  PetscInt lo, hi;

  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &lo, &hi));
  PetscCall(PetscArrayzero(out, (size_t)(hi - lo) * ncols));
  for (PetscInt i = lo; i < hi; i++) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(A, i, &nc, &cols, &vals));
    for (PetscInt k = 0; k < nc; k++) out[(size_t)(i - lo) * ncols + cols[k]] = PetscRealPart(vals[k]);
    PetscCall(MatRestoreRow(A, i, &nc, &cols, &vals));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSetUpCost(OT ot)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)ot);
  PetscBool dense;
  PetscInt  lo, hi;

  PetscFunctionBegin;
  PetscCall(PetscFree(ot->store));
  PetscCall(PetscFree(ot->istore));
  PetscCall(PetscMemzero(&ot->rows, sizeof(ot->rows)));
  if (ot->Cmat) {
    PetscCall(MatGetSize(ot->Cmat, &ot->n, &ot->m));
    PetscCall(MatGetOwnershipRange(ot->Cmat, &lo, &hi));
    PetscCall(PetscObjectTypeCompareAny((PetscObject)ot->Cmat, &dense, MATSEQDENSE, MATMPIDENSE, MATDENSE, ""));
    ot->nloc = hi - lo;
    if (dense) {
      ot->rows.store = OT_STORE_DENSE;
      PetscCall(PetscMalloc1((size_t)ot->nloc * ot->m + 1, &ot->store));
      PetscCall(MatGetLocalRowsDense(ot->Cmat, ot->m, ot->store));
      ot->rows.dense = ot->store;
      for (size_t k = 0; k < (size_t)ot->nloc * ot->m; k++) PetscCheck(PetscIsNormalReal(ot->store[k]) || ot->store[k] == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Cost matrix entry (%" PetscInt_FMT ", %" PetscInt_FMT ") is %g: costs must be finite", lo + (PetscInt)(k / ot->m), (PetscInt)(k % ot->m), (double)ot->store[k]);
    } else {
      PetscInt  nnz = 0, *ai, *aj, *colcnt;
      PetscReal *aa;
      for (PetscInt i = lo; i < hi; i++) {
        PetscInt nc;
        PetscCall(MatGetRow(ot->Cmat, i, &nc, NULL, NULL));
        nnz += nc;
        PetscCall(MatRestoreRow(ot->Cmat, i, &nc, NULL, NULL));
      }
      PetscCall(PetscMalloc1(ot->nloc + 1 + nnz + 1, &ot->istore));
      PetscCall(PetscMalloc1(nnz + 1, &ot->store));
      PetscCall(PetscCalloc1(ot->m, &colcnt));
      ai = ot->istore;
      aj = ot->istore + ot->nloc + 1;
      aa = ot->store;
      ai[0] = 0;
      for (PetscInt i = lo; i < hi; i++) {
        PetscInt           nc;
        const PetscInt    *cols;
        const PetscScalar *vals;
        PetscCall(MatGetRow(ot->Cmat, i, &nc, &cols, &vals));
        PetscCheck(nc > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Row %" PetscInt_FMT " of the sparse cost has no entry: its mass cannot be transported", i);
        for (PetscInt k = 0; k < nc; k++) {
          PetscCheck(PetscIsNormalReal(PetscRealPart(vals[k])) || PetscRealPart(vals[k]) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Cost matrix entry (%" PetscInt_FMT ", %" PetscInt_FMT ") is %g: costs must be finite", i, cols[k], (double)PetscRealPart(vals[k]));
          aj[ai[i - lo] + k] = cols[k];
          aa[ai[i - lo] + k] = PetscRealPart(vals[k]);
          colcnt[cols[k]]++;
        }
        ai[i - lo + 1] = ai[i - lo] + nc;
        PetscCall(MatRestoreRow(ot->Cmat, i, &nc, &cols, &vals));
      }
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, colcnt, ot->m, MPIU_INT, MPI_SUM, comm));
      for (PetscInt j = 0; j < ot->m; j++) PetscCheck(colcnt[j] > 0, comm, PETSC_ERR_ARG_WRONG, "Column %" PetscInt_FMT " of the sparse cost has no entry: it cannot receive mass", j);
      PetscCall(PetscFree(colcnt));
      ot->rows.store = OT_STORE_SPARSE;
      ot->rows.ai    = ai;
      ot->rows.aj    = aj;
      ot->rows.aa    = aa;
    }
  } else {
    PetscInt     d, dy, mloc, ylo, yhi;
    PetscMPIInt  size, *counts, *displs;
    PetscReal   *yrows, *yall;
    const PetscInt *ranges;

    PetscCheck(ot->Xmat && ot->Ymat, comm, PETSC_ERR_ORDER, "Set the cost with OTSetCostMatrix() or OTSetPointClouds() before OTSetUp()");
    PetscCall(MatGetSize(ot->Xmat, &ot->n, &d));
    PetscCall(MatGetSize(ot->Ymat, &ot->m, &dy));
    PetscCheck(d == dy, comm, PETSC_ERR_ARG_SIZ, "Point clouds have different dimensions: X is %" PetscInt_FMT " x %" PetscInt_FMT ", Y is %" PetscInt_FMT " x %" PetscInt_FMT, ot->n, d, ot->m, dy);
    PetscCall(MatGetOwnershipRange(ot->Xmat, &lo, &hi));
    ot->nloc = hi - lo;
    PetscCall(MatGetOwnershipRange(ot->Ymat, &ylo, &yhi));
    mloc = yhi - ylo;
    PetscCall(PetscMalloc1((size_t)ot->nloc * d + (size_t)ot->m * d + 1, &ot->store));
    PetscCall(MatGetLocalRowsDense(ot->Xmat, d, ot->store));
    PetscCall(PetscMalloc2((size_t)mloc * d + 1, &yrows, (size_t)ot->m * d + 1, &yall));
    PetscCall(MatGetLocalRowsDense(ot->Ymat, d, yrows));
    PetscCallMPI(MPI_Comm_size(comm, &size));
    PetscCall(MatGetOwnershipRanges(ot->Ymat, &ranges));
    PetscCall(PetscMalloc2(size, &counts, size, &displs));
    for (PetscMPIInt p = 0; p < size; p++) {
      counts[p] = (PetscMPIInt)((ranges[p + 1] - ranges[p]) * d);
      displs[p] = (PetscMPIInt)(ranges[p] * d);
    }
    PetscCallMPI(MPI_Allgatherv(yrows, (PetscMPIInt)(mloc * d), MPIU_REAL, yall, counts, displs, MPIU_REAL, comm));
    for (PetscInt j = 0; j < ot->m; j++)
      for (PetscInt k = 0; k < d; k++) ot->store[(size_t)ot->nloc * d + (size_t)k * ot->m + j] = yall[(size_t)j * d + k];
    PetscCall(PetscFree2(counts, displs));
    PetscCall(PetscFree2(yrows, yall));
    for (size_t k = 0; k < (size_t)ot->nloc * d + (size_t)ot->m * d; k++) PetscCheck(PetscIsNormalReal(ot->store[k]) || ot->store[k] == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Point coordinate %g is not finite", (double)ot->store[k]);
    ot->rows.store     = OT_STORE_CLOUD;
    ot->rows.d         = d;
    ot->rows.X         = ot->store;
    ot->rows.Yt        = ot->store + (size_t)ot->nloc * d;
    ot->rows.euclidean = ot->costtype == OT_COST_EUCLIDEAN ? PETSC_TRUE : PETSC_FALSE;
  }
  ot->rows.nloc = ot->nloc;
  ot->rows.m    = ot->m;
  ot->rstart    = lo;
  PetscFunctionReturn(0);
}

static PetscErrorCode OTSetUpMarginals(OT ot)
{
  MPI_Comm           comm = PetscObjectComm((PetscObject)ot);
  PetscInt           nr, nrloc, mc;
  PetscReal          sr = 0, sc = 0;
  const PetscScalar *a;

  PetscFunctionBegin;
  PetscCheck(ot->r && ot->c, comm, PETSC_ERR_ORDER, "Set the marginals with OTSetMarginals() before OTSetUp()");
  PetscCall(VecGetSize(ot->r, &nr));
  PetscCall(VecGetLocalSize(ot->r, &nrloc));
  PetscCall(VecGetSize(ot->c, &mc));
  PetscCheck(nr == ot->n, comm, PETSC_ERR_ARG_SIZ, "Row marginal r has length %" PetscInt_FMT " but the cost has %" PetscInt_FMT " rows", nr, ot->n);
  PetscCheck(mc == ot->m, comm, PETSC_ERR_ARG_SIZ, "Column marginal c has length %" PetscInt_FMT " but the cost has %" PetscInt_FMT " columns", mc, ot->m);
  PetscCheck(nrloc == ot->nloc, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "Row marginal r has %" PetscInt_FMT " local entries but the cost has %" PetscInt_FMT " local rows", nrloc, ot->nloc);
  PetscCall(PetscFree6(ot->rl, ot->cf, ot->x, ot->y, ot->xnew, ot->colsum));
  PetscCall(PetscFree2(ot->colmax, ot->work));
  PetscCall(PetscMalloc6(ot->nloc + 1, &ot->rl, ot->m, &ot->cf, ot->nloc + 1, &ot->x, ot->m, &ot->y, ot->nloc + 1, &ot->xnew, ot->m, &ot->colsum));
  PetscCall(PetscMalloc2(ot->m, &ot->colmax, OTKernelWorkSize(&ot->rows), &ot->work));
  PetscCall(VecGetArrayRead(ot->r, &a));
  for (PetscInt i = 0; i < ot->nloc; i++) {
    ot->rl[i] = PetscRealPart(a[i]);
    PetscCheck(ot->rl[i] > 0 && PetscIsNormalReal(ot->rl[i]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Row weight r[%" PetscInt_FMT "] = %g: weights must be positive and finite (drop zero-weight points)", ot->rstart + i, (double)ot->rl[i]);
    sr += ot->rl[i];
  }
  PetscCall(VecRestoreArrayRead(ot->r, &a));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &sr, 1, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(VecScatterDestroy(&ot->ctoall));
  PetscCall(VecDestroy(&ot->cfull));
  PetscCall(VecScatterCreateToAll(ot->c, &ot->ctoall, &ot->cfull));
  PetscCall(VecScatterBegin(ot->ctoall, ot->c, ot->cfull, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(ot->ctoall, ot->c, ot->cfull, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(ot->cfull, &a));
  for (PetscInt j = 0; j < ot->m; j++) {
    ot->cf[j] = PetscRealPart(a[j]);
    PetscCheck(ot->cf[j] > 0 && PetscIsNormalReal(ot->cf[j]), comm, PETSC_ERR_ARG_OUTOFRANGE, "Column weight c[%" PetscInt_FMT "] = %g: weights must be positive and finite (drop zero-weight points)", j, (double)ot->cf[j]);
    sc += ot->cf[j];
  }
  PetscCall(VecRestoreArrayRead(ot->cfull, &a));
  PetscCheck(PetscAbsReal(sr - sc) <= 0.5 * ot->tol, comm, PETSC_ERR_ARG_WRONG, "Marginals have different sums: sum r = %.17g, sum c = %.17g (difference %g exceeds half the tolerance %g)", (double)sr, (double)sc, (double)PetscAbsReal(sr - sc), (double)ot->tol);
  PetscFunctionReturn(0);
}

/*@
  OTSetUp - Checks the problem and prepares the local cost rows and marginals

  Collective

  Level: advanced

  Note:
  Reports, with a clear error: non-finite costs or coordinates, non-positive or non-finite
  weights, marginals with different sums, sizes that do not match, sparse rows or columns
  without entries.

.seealso: `OTSolve()`
@*/
PetscErrorCode OTSetUp(OT ot)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (ot->setupcalled) PetscFunctionReturn(0);
  if (!((PetscObject)ot)->type_name) PetscCall(OTSetType(ot, OTSNS));
  PetscCall(PetscLogEventBegin(OT_SetUp, ot, 0, 0, 0));
  PetscCall(OTSetUpCost(ot));
  PetscCall(OTSetUpMarginals(ot));
  if (ot->ops->setup) PetscCall((*ot->ops->setup)(ot));
  PetscCall(PetscLogEventEnd(OT_SetUp, ot, 0, 0, 0));
  ot->setupcalled = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@
  OTSolve - Computes the optimal potentials from x = y = 0

  Collective

  Options Database Key:
. -ot_view - views the solver and its result after the solve

  Level: beginner

  Note:
  After the solve the marginal error and the transport cost <C, P> are recomputed from
  the final potentials in one explicit pass over the plan.

.seealso: `OTGetPotentials()`, `OTGetPlan()`, `OTGetConvergedReason()`
@*/
PetscErrorCode OTSolve(OT ot)
{
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCall(OTSetUp(ot));
  PetscCall(PetscTime(&t0));
  PetscCall(PetscArrayzero(ot->x, ot->nloc));
  PetscCall(PetscArrayzero(ot->y, ot->m));
  ot->reason       = OT_CONVERGED_ITERATING;
  ot->its_sinkhorn = 0;
  ot->its_newton   = 0;
  PetscCall((*ot->ops->solve)(ot));
  PetscCall(OTPlanStats_Private(ot, NULL, NULL, &ot->marginal_error, &ot->transport_cost, NULL));
  PetscCall(PetscTime(&t1));
  ot->solve_time = (PetscReal)(t1 - t0);
  PetscCall(PetscObjectViewFromOptions((PetscObject)ot, NULL, "-ot_view"));
  PetscFunctionReturn(0);
}

/*@
  OTGetPotentials - Gets the potentials x (row layout of r) and y (layout of c)

  Collective

  Output Parameters:
+ x - row potential, owned by the solver (do not destroy), or NULL
- y - column potential, owned by the solver (do not destroy), or NULL

  Level: beginner

  Note:
  The plan is P_ij = exp(eta (-C_ij + x_i + y_j) - 1); (x + t, y - t) gives the same plan.

.seealso: `OTGetPlan()`
@*/
PetscErrorCode OTGetPotentials(OT ot, Vec *x, Vec *y)
{
  PetscScalar *a;
  PetscInt     lo, hi;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->setupcalled, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "Call OTSolve() before OTGetPotentials()");
  if (x) {
    if (!ot->xvec) PetscCall(VecDuplicate(ot->r, &ot->xvec));
    PetscCall(VecGetArray(ot->xvec, &a));
    for (PetscInt i = 0; i < ot->nloc; i++) a[i] = ot->x[i];
    PetscCall(VecRestoreArray(ot->xvec, &a));
    *x = ot->xvec;
  }
  if (y) {
    if (!ot->yvec) PetscCall(VecDuplicate(ot->c, &ot->yvec));
    PetscCall(VecGetOwnershipRange(ot->yvec, &lo, &hi));
    PetscCall(VecGetArray(ot->yvec, &a));
    for (PetscInt j = lo; j < hi; j++) a[j - lo] = ot->y[j];
    PetscCall(VecRestoreArray(ot->yvec, &a));
    *y = ot->yvec;
  }
  PetscFunctionReturn(0);
}

/*@C
  OTGetPlan - Builds the transport plan from the current potentials

  Collective

  Input Parameters:
+ ot - the solver
. type - `MATDENSE` for the full n x m plan, or `MATAIJ` for a sparse plan
- droptol - sparse only: entries P_ij <= droptol are left out

  Output Parameter:
. P - the plan, distributed by rows like the cost; the caller destroys it

  Level: beginner

.seealso: `OTGetPotentials()`
@*/
PetscErrorCode OTGetPlan(OT ot, MatType type, PetscReal droptol, Mat *P)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)ot);
  PetscBool dense;
  PetscInt *cols;
  PetscReal *vals;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCheck(ot->setupcalled, comm, PETSC_ERR_ORDER, "Call OTSolve() before OTGetPlan()");
  PetscCall(PetscStrcmp(type, MATDENSE, &dense));
  PetscCall(PetscMalloc2(ot->m, &cols, ot->m, &vals));
  if (dense) {
    PetscScalar *a;
    PetscInt     lda;
    PetscCall(MatCreateDense(comm, ot->nloc, PETSC_DECIDE, ot->n, ot->m, NULL, P));
    PetscCall(MatDenseGetLDA(*P, &lda));
    PetscCall(MatDenseGetArrayWrite(*P, &a));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc;
      for (PetscInt j = 0; j < ot->m; j++) a[i + (size_t)j * lda] = 0;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++) a[i + (size_t)cols[k] * lda] = vals[k];
    }
    PetscCall(MatDenseRestoreArrayWrite(*P, &a));
  } else {
    PetscInt *dnnz, *onnz, clo, chi, mloc = PETSC_DECIDE;
    PetscCall(PetscSplitOwnership(comm, &mloc, &ot->m));
    PetscCallMPI(MPI_Scan(&mloc, &chi, 1, MPIU_INT, MPI_SUM, comm));
    clo = chi - mloc;
    PetscCall(PetscCalloc2(ot->nloc + 1, &dnnz, ot->nloc + 1, &onnz));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++)
        if (vals[k] > droptol) {
          if (cols[k] >= clo && cols[k] < chi) dnnz[i]++;
          else onnz[i]++;
        }
    }
    PetscCall(MatCreateAIJ(comm, ot->nloc, mloc, ot->n, ot->m, 0, dnnz, 0, onnz, P));
    for (PetscInt i = 0; i < ot->nloc; i++) {
      PetscInt nc, kept = 0, row = ot->rstart + i;
      OTKernelPlanRow(&ot->rows, ot->eta, ot->x, ot->y, i, &nc, cols, vals, ot->work);
      for (PetscInt k = 0; k < nc; k++)
        if (vals[k] > droptol) {
          cols[kept]   = cols[k];
          vals[kept++] = vals[k];
        }
      PetscCall(MatSetValues(*P, 1, &row, kept, cols, vals, INSERT_VALUES));
    }
    PetscCall(PetscFree2(dnnz, onnz));
  }
  PetscCall(MatAssemblyBegin(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree2(cols, vals));
  PetscFunctionReturn(0);
}

/*@
  OTGetConvergedReason - Why the last solve stopped

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. reason - positive when the marginal error fell below the tolerance, negative otherwise

  Level: beginner

.seealso: `OTConvergedReason`, `OTConvergedReasons`
@*/
PetscErrorCode OTGetConvergedReason(OT ot, OTConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *reason = ot->reason;
  PetscFunctionReturn(0);
}

/*@
  OTGetIterationNumbers - Sinkhorn and Newton iterations of the last solve

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameters:
+ sinkhorn - Sinkhorn sweeps, or NULL
- newton - Newton steps, or NULL

  Level: beginner

.seealso: `OTSolve()`
@*/
PetscErrorCode OTGetIterationNumbers(OT ot, PetscInt *sinkhorn, PetscInt *newton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (sinkhorn) *sinkhorn = ot->its_sinkhorn;
  if (newton) *newton = ot->its_newton;
  PetscFunctionReturn(0);
}

/*@
  OTGetMarginalError - ||P 1 - r||_1 + ||P^T 1 - c||_1 of the final plan

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. err - the marginal error

  Level: beginner

.seealso: `OTSetTolerances()`
@*/
PetscErrorCode OTGetMarginalError(OT ot, PetscReal *err)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *err = ot->marginal_error;
  PetscFunctionReturn(0);
}

/*@
  OTGetTransportCost - <C, P> of the final plan

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. cost - the transport cost

  Level: beginner

.seealso: `OTGetPlan()`
@*/
PetscErrorCode OTGetTransportCost(OT ot, PetscReal *cost)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *cost = ot->transport_cost;
  PetscFunctionReturn(0);
}

/*@
  OTGetSolveTime - Wall-clock seconds of the last OTSolve() (set-up excluded)

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. t - seconds

  Level: intermediate

.seealso: `OTSolve()`
@*/
PetscErrorCode OTGetSolveTime(OT ot, PetscReal *t)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  *t = ot->solve_time;
  PetscFunctionReturn(0);
}

/*@C
  OTView - Prints the solver settings and the result of the last solve

  Collective

  Input Parameters:
+ ot - the solver
- viewer - an ASCII viewer, or NULL for standard output

  Options Database Key:
. -ot_view - views the solver after each `OTSolve()`

  Level: beginner

.seealso: `OTCreate()`
@*/
PetscErrorCode OTView(OT ot, PetscViewer viewer)
{
  PetscBool iascii;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)ot), &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)ot, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "problem: n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", cost %s\n", ot->n, ot->m, ot->rows.store == OT_STORE_DENSE ? "dense matrix" : ot->rows.store == OT_STORE_SPARSE ? "sparse matrix" : OTCostTypes[ot->costtype]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "eta = %g (POT reg = %g), tolerance %g on ||P1 - r||_1 + ||P^T1 - c||_1, max_it %" PetscInt_FMT "\n", (double)ot->eta, (double)(1 / ot->eta), (double)ot->tol, ot->max_it));
  if (ot->ops->view) PetscCall((*ot->ops->view)(ot, viewer));
  if (ot->reason != OT_CONVERGED_ITERATING) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s: %" PetscInt_FMT " Sinkhorn + %" PetscInt_FMT " Newton iterations, marginal error %.3e, transport cost %.12g, %.3f s\n", OTConvergedReasons[ot->reason], ot->its_sinkhorn, ot->its_newton, (double)ot->marginal_error, (double)ot->transport_cost, (double)ot->solve_time));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

/*@
  OTDestroy - Destroys the solver

  Collective

  Level: beginner

.seealso: `OTCreate()`
@*/
PetscErrorCode OTDestroy(OT *ot)
{
  PetscFunctionBegin;
  if (!*ot) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*ot, OT_CLASSID, 1);
  if (--((PetscObject)(*ot))->refct > 0) {
    *ot = NULL;
    PetscFunctionReturn(0);
  }
  if ((*ot)->ops->destroy) PetscCall((*(*ot)->ops->destroy)(*ot));
  for (PetscInt k = 0; k < (*ot)->numbermonitors; k++)
    if ((*ot)->monitordestroy[k]) PetscCall((*(*ot)->monitordestroy[k])(&(*ot)->monitorcontext[k]));
  PetscCall(OTResetProblem(*ot));
  PetscCall(VecDestroy(&(*ot)->r));
  PetscCall(VecDestroy(&(*ot)->c));
  PetscCall(VecDestroy(&(*ot)->cfull));
  PetscCall(VecDestroy(&(*ot)->xvec));
  PetscCall(VecDestroy(&(*ot)->yvec));
  PetscCall(VecScatterDestroy(&(*ot)->ctoall));
  PetscCall(PetscFree((*ot)->store));
  PetscCall(PetscFree((*ot)->istore));
  PetscCall(PetscFree6((*ot)->rl, (*ot)->cf, (*ot)->x, (*ot)->y, (*ot)->xnew, (*ot)->colsum));
  PetscCall(PetscFree2((*ot)->colmax, (*ot)->work));
  PetscCall(PetscHeaderDestroy(ot));
  PetscFunctionReturn(0);
}
