/* The OT object: creation, type, problem description, destruction. */
#include "ot/otimpl.h"

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

  Input Parameters:
+ ot - the solver
- type - `OTSINKHORN` or `OTSNS` (or a type added with `OTRegister()`)

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
  PetscValidCharPointer(type, 2);
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
  PetscValidPointer(type, 2);
  *type = ((PetscObject)ot)->type_name;
  PetscFunctionReturn(0);
}

/*@C
  OTSetOptionsPrefix - Sets the prefix of all the solver's options in the database

  Logically Collective

  Input Parameters:
+ ot - the solver
- prefix - the prefix (must not begin with a hyphen); the options become -<prefix>ot_eta, ...

  Level: intermediate

  Note:
  The Newton KSP of `OTSNS` follows: its options are -<prefix>ot_ksp_type, ...

.seealso: `OTAppendOptionsPrefix()`, `OTGetOptionsPrefix()`, `OTSetFromOptions()`
@*/
PetscErrorCode OTSetOptionsPrefix(OT ot, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)ot, prefix));
  PetscFunctionReturn(0);
}

/*@C
  OTAppendOptionsPrefix - Appends to the prefix of all the solver's options in the database

  Logically Collective

  Input Parameters:
+ ot - the solver
- prefix - the text appended to the current prefix

  Level: intermediate

.seealso: `OTSetOptionsPrefix()`, `OTGetOptionsPrefix()`
@*/
PetscErrorCode OTAppendOptionsPrefix(OT ot, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)ot, prefix));
  PetscFunctionReturn(0);
}

/*@C
  OTGetOptionsPrefix - Gets the prefix of the solver's options in the database

  Not Collective

  Input Parameter:
. ot - the solver

  Output Parameter:
. prefix - the prefix, or NULL when none is set (owned by the solver)

  Level: intermediate

.seealso: `OTSetOptionsPrefix()`, `OTAppendOptionsPrefix()`
@*/
PetscErrorCode OTGetOptionsPrefix(OT ot, const char *prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, OT_CLASSID, 1);
  PetscValidPointer(prefix, 2);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)ot, prefix));
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
  OTDestroy - Destroys the solver

  Collective

  Input Parameter:
. ot - the solver; set to NULL

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
