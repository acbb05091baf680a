/* The Hessian of the entropic optimal transport dual at a plan P (n x m):

     H = eta [ diag(P 1)   P          ]
             [ P^T         diag(P^T 1) ]

   the (negated) Hessian of the concave dual g(x, y) = <r, x> + <c, y>
   - (1/eta) sum_ij exp(eta (-C_ij + x_i + y_j) - 1), with P_ij = exp(eta (-C_ij + x_i + y_j) - 1).
   It is positive semi-definite with the null vector (1, -1). Vectors (x, y) are laid
   out with each rank's rows of x followed by its rows of y. */
#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h> /* PetscValid* checks */

typedef struct {
  Mat        P;
  PetscReal  eta;
  Vec        rowsum, colsum; /* P 1 (row layout), P^T 1 (column layout) */
  Vec        u, v, yu, yv;   /* the two blocks of an input and an output */
  VecScatter tou, tov;       /* combined vector -> blocks */
} DualHessian;

static PetscErrorCode MatMult_DualHessian(Mat H, Vec z, Vec out)
{
  DualHessian *d;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(H, &d));
  PetscCall(VecScatterBegin(d->tou, z, d->u, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(d->tou, z, d->u, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterBegin(d->tov, z, d->v, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(d->tov, z, d->v, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(MatMult(d->P, d->v, d->yu));
  PetscCall(MatMultTranspose(d->P, d->u, d->yv));
  PetscCall(VecPointwiseMult(d->u, d->u, d->rowsum));
  PetscCall(VecAXPBY(d->yu, d->eta, d->eta, d->u));
  PetscCall(VecPointwiseMult(d->v, d->v, d->colsum));
  PetscCall(VecAXPBY(d->yv, d->eta, d->eta, d->v));
  PetscCall(VecScatterBegin(d->tou, d->yu, out, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(d->tou, d->yu, out, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterBegin(d->tov, d->yv, out, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(d->tov, d->yv, out, INSERT_VALUES, SCATTER_REVERSE));
  PetscFunctionReturn(0);
}

static PetscErrorCode DualHessianDestroy(void *ctx)
{
  DualHessian *d = (DualHessian *)ctx;

  PetscFunctionBegin;
  PetscCall(MatDestroy(&d->P));
  PetscCall(VecDestroy(&d->rowsum));
  PetscCall(VecDestroy(&d->colsum));
  PetscCall(VecDestroy(&d->u));
  PetscCall(VecDestroy(&d->v));
  PetscCall(VecDestroy(&d->yu));
  PetscCall(VecDestroy(&d->yv));
  PetscCall(VecScatterDestroy(&d->tou));
  PetscCall(VecScatterDestroy(&d->tov));
  PetscCall(PetscFree(d));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSinkhornDualHessian - Creates the Hessian of the entropic optimal transport
  dual at a transport plan, eta [diag(P 1), P; P^T, diag(P^T 1)], as a shell matrix.

  Collective

  Input Parameters:
+ P   - the n x m plan (any matrix type with `MatMult()` and `MatMultTranspose()`), for
        example from `OTGetPlan()` or the `P` dataset that bin/krylearn-ot writes
- eta - the inverse temperature the plan was computed with

  Output Parameter:
. H - symmetric positive semi-definite shell matrix of dimension n + m acting on vectors
      (x, y): each rank owns its rows of P's row layout for x followed by its part of P's
      column layout for y (on one rank: x, then y); it keeps a reference to P

  Level: intermediate

  Note:
  (1, -1) is in the null space: the dual is invariant under (x + t, y - t). The second
  smallest eigenvalue governs the conditioning of Newton's method on the dual (SNS).

.seealso: `KrylearnSpectrumSLQ()`, `KrylearnSpectrumExact()`
@*/
PetscErrorCode KrylearnSinkhornDualHessian(Mat P, PetscReal eta, Mat *H)
{
  MPI_Comm     comm = PetscObjectComm((PetscObject)P);
  DualHessian *d;
  PetscInt     n, m, nloc, mloc, start;
  IS           isu, isv;
  Vec          z, ones;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(P, MAT_CLASSID, 1);
  PetscValidLogicalCollectiveReal(P, eta, 2);
  PetscValidPointer(H, 3);
  PetscCheck(eta > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "The inverse temperature eta must be positive, got %g", (double)eta);
  PetscCall(PetscNew(&d));
  PetscCall(PetscObjectReference((PetscObject)P));
  d->P   = P;
  d->eta = eta;
  PetscCall(MatGetSize(P, &n, &m));
  PetscCall(MatCreateVecs(P, &d->v, &d->u));
  PetscCall(VecDuplicate(d->u, &d->yu));
  PetscCall(VecDuplicate(d->v, &d->yv));
  PetscCall(VecDuplicate(d->u, &d->rowsum));
  PetscCall(VecDuplicate(d->v, &d->colsum));
  PetscCall(VecDuplicate(d->v, &ones));
  PetscCall(VecSet(ones, 1.0));
  PetscCall(MatMult(P, ones, d->rowsum));
  PetscCall(VecDestroy(&ones));
  PetscCall(VecDuplicate(d->u, &ones));
  PetscCall(VecSet(ones, 1.0));
  PetscCall(MatMultTranspose(P, ones, d->colsum));
  PetscCall(VecDestroy(&ones));

  /* the combined vector: each rank owns its rows of both blocks */
  PetscCall(VecGetLocalSize(d->u, &nloc));
  PetscCall(VecGetLocalSize(d->v, &mloc));
  PetscCall(VecCreateMPI(comm, nloc + mloc, n + m, &z));
  PetscCall(VecGetOwnershipRange(z, &start, NULL));
  PetscCall(ISCreateStride(comm, nloc, start, 1, &isu));
  PetscCall(ISCreateStride(comm, mloc, start + nloc, 1, &isv));
  PetscCall(VecScatterCreate(z, isu, d->u, NULL, &d->tou));
  PetscCall(VecScatterCreate(z, isv, d->v, NULL, &d->tov));
  PetscCall(ISDestroy(&isu));
  PetscCall(ISDestroy(&isv));
  PetscCall(VecDestroy(&z));

  PetscCall(MatCreateShell(comm, nloc + mloc, nloc + mloc, n + m, n + m, d, H));
  PetscCall(MatShellSetContextDestroy(*H, DualHessianDestroy));
  PetscCall(MatShellSetOperation(*H, MATOP_MULT, (void (*)(void))MatMult_DualHessian));
  PetscCall(MatSetOption(*H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(*H, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscFunctionReturn(0);
}
