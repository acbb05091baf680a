/* Shell matrices for the curvature of a KrylearnMLP loss. Parameter vectors are
   distributed; each rank gathers the direction, applies its shard of samples, and the
   shards' contributions are summed. */
#include "mlpimpl.h"

const char *const KrylearnCurvatures[] = {"hessian", "ggn", "fisher", "KrylearnCurvature", "KRYLEARN_CURVATURE_", NULL};

typedef struct {
  KrylearnMLP       mlp;
  KrylearnCurvature type;
} MLPShell;

static PetscErrorCode MatMult_MLP(Mat A, Vec x, Vec y)
{
  MLPShell          *s;
  KrylearnMLP        mlp;
  const PetscScalar *xa, *va;
  PetscScalar       *ya;
  PetscInt           rstart, nlocal;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &s));
  mlp = s->mlp;
  PetscCall(PetscLogEventBegin(KRYLEARN_MLPProduct, A, x, y, 0));
  PetscCall(VecScatterBegin(mlp->toall, x, mlp->vall, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(mlp->toall, x, mlp->vall, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(mlp->vall, &va));
  PetscCall(MLPProductApply(&mlp->model, &mlp->work, s->type, va, mlp->yall));
  PetscCall(VecRestoreArrayRead(mlp->vall, &va));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mlp->yall, mlp->model.nparam, MPIU_REAL, MPI_SUM, mlp->comm));
  PetscCall(VecGetOwnershipRange(y, &rstart, NULL));
  PetscCall(VecGetLocalSize(y, &nlocal));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayWrite(y, &ya));
  for (PetscInt i = 0; i < nlocal; i++) ya[i] = mlp->yall[rstart + i] + mlp->model.weight_decay * xa[i];
  PetscCall(VecRestoreArrayWrite(y, &ya));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(PetscLogEventEnd(KRYLEARN_MLPProduct, A, x, y, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode MLPShellDestroy(void *ctx)
{
  MLPShell *s = (MLPShell *)ctx;

  PetscFunctionBegin;
  PetscCall(KrylearnMLPDestroy(&s->mlp));
  PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPCreateOperator - Creates a shell matrix that applies a curvature matrix of
  the loss (mean over the samples, plus weight decay times the identity) exactly, in
  float64.

  Collective

  Input Parameters:
+ mlp  - the loss
- type - `KRYLEARN_CURVATURE_HESSIAN`, `KRYLEARN_CURVATURE_GGN` (generalised Gauss-Newton)
         or `KRYLEARN_CURVATURE_FISHER` (empirical Fisher)

  Output Parameter:
. A - symmetric shell matrix of the size of the parameter vector; it keeps mlp alive

  Level: beginner

  Note:
  Each product costs one directional forward pass and one back-propagation over the
  rank's samples, as matrix-matrix products; the products agree with the serial ones
  to rounding at any number of ranks.

.seealso: `KrylearnMLPLoad()`, `KrylearnSpectrumSLQ()`, `KrylearnSpectrumTrace()`
@*/
PetscErrorCode KrylearnMLPCreateOperator(KrylearnMLP mlp, KrylearnCurvature type, Mat *A)
{
  MLPShell *s;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(mlp, type, 2);
  PetscValidPointer(A, 3);
  PetscCheck(type >= KRYLEARN_CURVATURE_HESSIAN && type <= KRYLEARN_CURVATURE_FISHER, mlp->comm, PETSC_ERR_ARG_OUTOFRANGE, "Unknown curvature %d (hessian, ggn or fisher)", (int)type);
  PetscCall(PetscNew(&s));
  s->mlp  = mlp;
  s->type = type;
  PetscCall(PetscObjectReference((PetscObject)mlp));
  PetscCall(MatCreateShell(mlp->comm, PETSC_DECIDE, PETSC_DECIDE, mlp->model.nparam, mlp->model.nparam, s, A));
  PetscCall(MatShellSetContextDestroy(*A, MLPShellDestroy));
  PetscCall(MatShellSetOperation(*A, MATOP_MULT, (void (*)(void))MatMult_MLP));
  PetscCall(MatShellSetOperation(*A, MATOP_MULT_TRANSPOSE, (void (*)(void))MatMult_MLP));
  PetscCall(MatSetOption(*A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(*A, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscCall(PetscObjectSetName((PetscObject)*A, KrylearnCurvatures[type]));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPGetSizes - Returns the sizes of a loaded loss.

  Not Collective

  Input Parameter:
. mlp - the loss

  Output Parameters:
+ nparam   - number of parameters (the operator dimension), or NULL
. nsamples - number of samples in the whole data set, or NULL
- noutput  - number of network outputs (classes for cross entropy), or NULL

  Level: beginner
@*/
PetscErrorCode KrylearnMLPGetSizes(KrylearnMLP mlp, PetscInt *nparam, PetscInt *nsamples, PetscInt *noutput)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  if (nparam) *nparam = mlp->model.nparam;
  if (nsamples) *nsamples = mlp->nsamples;
  if (noutput) *noutput = mlp->model.noutput;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPGetLoss - Returns the mean loss (weight decay included) and the norm of its
  gradient at the stored parameters.

  Not Collective

  Input Parameter:
. mlp - the loss

  Output Parameters:
+ loss     - the loss value, or NULL
- gradnorm - the 2-norm of the gradient, or NULL

  Level: beginner
@*/
PetscErrorCode KrylearnMLPGetLoss(KrylearnMLP mlp, PetscReal *loss, PetscReal *gradnorm)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  if (loss) *loss = mlp->loss;
  if (gradnorm) *gradnorm = mlp->gradnorm;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPDestroy - Releases a reference to a loss; it is freed with its last reference
  (each operator of `KrylearnMLPCreateOperator()` holds one).

  Collective

  Input Parameter:
. mlp - the loss; set to NULL

  Level: beginner

.seealso: `KrylearnMLPLoad()`
@*/
PetscErrorCode KrylearnMLPDestroy(KrylearnMLP *mlp)
{
  KrylearnMLP p;

  PetscFunctionBegin;
  if (!mlp || !*mlp) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*mlp, KRYLEARNMLP_CLASSID, 1);
  if (--((PetscObject)(*mlp))->refct > 0) {
    *mlp = NULL;
    PetscFunctionReturn(0);
  }
  p = *mlp;
  PetscCall(MLPWorkDestroy(&p->model, &p->work));
  PetscCall(MLPModelReset(&p->model));
  PetscCall(PetscFree(p->X));
  PetscCall(PetscFree(p->target));
  PetscCall(PetscFree(p->label));
  PetscCall(VecScatterDestroy(&p->toall));
  PetscCall(VecDestroy(&p->vall));
  PetscCall(PetscFree(p->yall));
  PetscCall(PetscHeaderDestroy(mlp));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPSetOptionsPrefix - Sets the prefix of the loss's options in the database

  Logically Collective

  Input Parameters:
+ mlp - the loss
- prefix - the prefix; the options become -<prefix>mlp_block_size, ...

  Level: intermediate

.seealso: `KrylearnMLPAppendOptionsPrefix()`, `KrylearnMLPGetOptionsPrefix()`, `KrylearnMLPSetFromOptions()`
@*/
PetscErrorCode KrylearnMLPSetOptionsPrefix(KrylearnMLP mlp, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)mlp, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPAppendOptionsPrefix - Appends to the prefix of the loss's options in the database

  Logically Collective

  Input Parameters:
+ mlp - the loss
- prefix - the text appended to the current prefix

  Level: intermediate

.seealso: `KrylearnMLPSetOptionsPrefix()`, `KrylearnMLPGetOptionsPrefix()`
@*/
PetscErrorCode KrylearnMLPAppendOptionsPrefix(KrylearnMLP mlp, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)mlp, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPGetOptionsPrefix - Gets the prefix of the loss's options in the database

  Not Collective

  Input Parameter:
. mlp - the loss

  Output Parameter:
. prefix - the prefix, or NULL when none is set (owned by the loss)

  Level: intermediate

.seealso: `KrylearnMLPSetOptionsPrefix()`
@*/
PetscErrorCode KrylearnMLPGetOptionsPrefix(KrylearnMLP mlp, const char *prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscValidPointer(prefix, 2);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)mlp, prefix));
  PetscFunctionReturn(0);
}

/*@
  KrylearnMLPSetBlockSize - Sets how many samples the curvature products process together
  (the directional quantities of a block stay in cache between the layers)

  Logically Collective

  Input Parameters:
+ mlp - the loss
- bs - samples per block, at least 1 (default 512; capped by the samples of a rank)

  Options Database Key:
. -mlp_block_size <512> - the block size

  Level: intermediate

.seealso: `KrylearnMLPGetBlockSize()`, `KrylearnMLPSetFromOptions()`
@*/
PetscErrorCode KrylearnMLPSetBlockSize(KrylearnMLP mlp, PetscInt bs)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscValidLogicalCollectiveInt(mlp, bs, 2);
  PetscCheck(bs >= 1, mlp->comm, PETSC_ERR_ARG_OUTOFRANGE, "-mlp_block_size %" PetscInt_FMT ": the block size must be at least 1", bs);
  if (bs == mlp->block) PetscFunctionReturn(0);
  PetscCall(MLPWorkSetBlock(&mlp->model, &mlp->work, bs));
  mlp->block = bs;
  PetscFunctionReturn(0);
}

/*@
  KrylearnMLPGetBlockSize - Gets how many samples the curvature products process together

  Not Collective

  Input Parameter:
. mlp - the loss

  Output Parameter:
. bs - samples per block as set (a rank with fewer samples uses all of its own)

  Level: intermediate

.seealso: `KrylearnMLPSetBlockSize()`
@*/
PetscErrorCode KrylearnMLPGetBlockSize(KrylearnMLP mlp, PetscInt *bs)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscValidIntPointer(bs, 2);
  *bs = mlp->block;
  PetscFunctionReturn(0);
}

/*@
  KrylearnMLPSetFromOptions - Reads the loss's options, under its prefix

  Collective

  Input Parameter:
. mlp - the loss

  Options Database Key:
. -mlp_block_size <512> - samples per block in the curvature products; see `KrylearnMLPSetBlockSize()`

  Level: beginner

.seealso: `KrylearnMLPSetOptionsPrefix()`, `KrylearnMLPSetBlockSize()`
@*/
PetscErrorCode KrylearnMLPSetFromOptions(KrylearnMLP mlp)
{
  PetscInt  bs;
  PetscBool flg;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)mlp);
  PetscCall(PetscOptionsInt("-mlp_block_size", "Samples per block in the curvature products", "KrylearnMLPSetBlockSize", mlp->block, &bs, &flg));
  if (flg) PetscCall(KrylearnMLPSetBlockSize(mlp, bs));
  PetscCall(PetscObjectProcessOptionsHandlers((PetscObject)mlp, PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPView - Prints the loss: its sizes, loss value, gradient norm and block size

  Collective

  Input Parameters:
+ mlp - the loss
- viewer - an ASCII viewer, or NULL for standard output

  Level: beginner

.seealso: `KrylearnMLPLoad()`
@*/
PetscErrorCode KrylearnMLPView(KrylearnMLP mlp, PetscViewer viewer)
{
  PetscBool iascii;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(mlp, KRYLEARNMLP_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(mlp->comm, &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)mlp, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "%" PetscInt_FMT " layers, %" PetscInt_FMT " parameters, %" PetscInt_FMT " samples, %" PetscInt_FMT " outputs, weight decay %g\n", mlp->model.nlayers, mlp->model.nparam, mlp->nsamples, mlp->model.noutput,
                                   (double)mlp->model.weight_decay));
  PetscCall(PetscViewerASCIIPrintf(viewer, "loss %.12g, gradient norm %.6e, products in blocks of %" PetscInt_FMT " samples\n", (double)mlp->loss, (double)mlp->gradnorm, mlp->block));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}
