/* Shell matrices for the curvature of a KrylearnMLP loss. Parameter vectors are
   distributed; each rank gathers the direction, applies its shard of samples, and the
   shards' contributions are summed. */
#include "mlpimpl.h"

const char *const KrylearnCurvatures[] = {"hessian", "ggn", "fisher", "KrylearnCurvature", "KRYLEARN_CURVATURE_", NULL};

typedef struct {
  KrylearnMLP mlp;
  MLPProduct  type;
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
  PetscCall(PetscNew(&s));
  s->mlp  = mlp;
  s->type = type == KRYLEARN_CURVATURE_HESSIAN ? MLP_PRODUCT_HESSIAN : (type == KRYLEARN_CURVATURE_GGN ? MLP_PRODUCT_GGN : MLP_PRODUCT_FISHER);
  mlp->refct++;
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
  if (loss) *loss = mlp->loss;
  if (gradnorm) *gradnorm = mlp->gradnorm;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPDestroy - Releases a reference to a loss; it is freed with its last operator.

  Collective

  Input Parameter:
. mlp - the loss

  Level: beginner
@*/
PetscErrorCode KrylearnMLPDestroy(KrylearnMLP *mlp)
{
  KrylearnMLP p = *mlp;

  PetscFunctionBegin;
  *mlp = NULL;
  if (!p || --p->refct > 0) PetscFunctionReturn(0);
  PetscCall(MLPWorkDestroy(&p->model, &p->work));
  PetscCall(MLPModelReset(&p->model));
  PetscCall(PetscFree(p->X));
  PetscCall(PetscFree(p->target));
  PetscCall(PetscFree(p->label));
  PetscCall(VecScatterDestroy(&p->toall));
  PetscCall(VecDestroy(&p->vall));
  PetscCall(PetscFree(p->yall));
  PetscCall(PetscFree(p));
  PetscFunctionReturn(0);
}
