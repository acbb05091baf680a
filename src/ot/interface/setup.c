/* OT set-up: the local cost rows the kernels read and the marginals, checked. */
#include "ot/otimpl.h"

/* Local rows of a matrix, row-major, every entry (dense or not). */
static PetscErrorCode OTCopyLocalRows(Mat A, PetscInt ncols, PetscReal *out)
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

/* Dense cost matrix: a row-major copy of the local rows, checked finite */
static PetscErrorCode OTSetUpCostDense(OT ot, PetscInt lo)
{
  PetscFunctionBegin;
  ot->rows.store = OT_STORE_DENSE;
  PetscCall(PetscMalloc1((size_t)ot->nloc * ot->m + 1, &ot->store));
  PetscCall(OTCopyLocalRows(ot->Cmat, ot->m, ot->store));
  ot->rows.dense = ot->store;
  for (size_t k = 0; k < (size_t)ot->nloc * ot->m; k++)
    PetscCheck(!PetscIsInfOrNanReal(ot->store[k]), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Cost matrix entry (%" PetscInt_FMT ", %" PetscInt_FMT ") is %g: costs must be finite", lo + (PetscInt)(k / ot->m), (PetscInt)(k % ot->m), (double)ot->store[k]);
  PetscFunctionReturn(0);
}

/* Sparse cost matrix: local CSR rows, checked finite, with no empty row and no empty column */
static PetscErrorCode OTSetUpCostSparse(OT ot, PetscInt lo, PetscInt hi)
{
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  PetscInt   nnz  = 0, *ai, *aj, *colcnt;
  PetscReal *aa;

  PetscFunctionBegin;
  for (PetscInt i = lo; i < hi; i++) {
    PetscInt nc;
    PetscCall(MatGetRow(ot->Cmat, i, &nc, NULL, NULL));
    nnz += nc;
    PetscCall(MatRestoreRow(ot->Cmat, i, &nc, NULL, NULL));
  }
  PetscCall(PetscMalloc1(ot->nloc + 1 + nnz + 1, &ot->istore));
  PetscCall(PetscMalloc1(nnz + 1, &ot->store));
  PetscCall(PetscCalloc1(ot->m, &colcnt));
  ai    = ot->istore;
  aj    = ot->istore + ot->nloc + 1;
  aa    = ot->store;
  ai[0] = 0;
  for (PetscInt i = lo; i < hi; i++) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(ot->Cmat, i, &nc, &cols, &vals));
    PetscCheck(nc > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Row %" PetscInt_FMT " of the sparse cost has no entry: its mass cannot be transported", i);
    for (PetscInt k = 0; k < nc; k++) {
      PetscCheck(!PetscIsInfOrNanReal(PetscRealPart(vals[k])), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Cost matrix entry (%" PetscInt_FMT ", %" PetscInt_FMT ") is %g: costs must be finite", i, cols[k], (double)PetscRealPart(vals[k]));
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
  PetscFunctionReturn(0);
}

/* Point clouds: the local rows of X and a full copy of Y, transposed (d x m), checked finite */
static PetscErrorCode OTSetUpCostClouds(OT ot, PetscInt *lo)
{
  MPI_Comm        comm = PetscObjectComm((PetscObject)ot);
  PetscInt        d, dy, mloc, hi, ylo, yhi;
  PetscMPIInt     size, *counts, *displs;
  PetscReal      *yrows, *yall;
  const PetscInt *ranges;

  PetscFunctionBegin;
  PetscCheck(ot->Xmat && ot->Ymat, comm, PETSC_ERR_ORDER, "Set the cost with OTSetCostMatrix() or OTSetPointClouds() before OTSetUp()");
  PetscCall(MatGetSize(ot->Xmat, &ot->n, &d));
  PetscCall(MatGetSize(ot->Ymat, &ot->m, &dy));
  PetscCheck(d == dy, comm, PETSC_ERR_ARG_SIZ, "Point clouds have different dimensions: X is %" PetscInt_FMT " x %" PetscInt_FMT ", Y is %" PetscInt_FMT " x %" PetscInt_FMT, ot->n, d, ot->m, dy);
  PetscCall(MatGetOwnershipRange(ot->Xmat, lo, &hi));
  ot->nloc = hi - *lo;
  PetscCall(MatGetOwnershipRange(ot->Ymat, &ylo, &yhi));
  mloc = yhi - ylo;
  PetscCall(PetscMalloc1((size_t)ot->nloc * d + (size_t)ot->m * d + 1, &ot->store));
  PetscCall(OTCopyLocalRows(ot->Xmat, d, ot->store));
  PetscCall(PetscMalloc2((size_t)mloc * d + 1, &yrows, (size_t)ot->m * d + 1, &yall));
  PetscCall(OTCopyLocalRows(ot->Ymat, d, yrows));
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
  for (size_t k = 0; k < (size_t)ot->nloc * d + (size_t)ot->m * d; k++) PetscCheck(!PetscIsInfOrNanReal(ot->store[k]), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Point coordinate %g is not finite", (double)ot->store[k]);
  ot->rows.store     = OT_STORE_CLOUD;
  ot->rows.d         = d;
  ot->rows.X         = ot->store;
  ot->rows.Yt        = ot->store + (size_t)ot->nloc * d;
  ot->rows.euclidean = ot->costtype == OT_COST_EUCLIDEAN ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The local cost rows the kernels read, by kind of cost */
static PetscErrorCode OTSetUpCost(OT ot)
{
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
    if (dense) PetscCall(OTSetUpCostDense(ot, lo));
    else PetscCall(OTSetUpCostSparse(ot, lo, hi));
  } else PetscCall(OTSetUpCostClouds(ot, &lo));
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
  /* a program that read the marginals from a file names the OT after it (krylearn-ot): the messages name it */
  const char *src = ((PetscObject)ot)->name ? ((PetscObject)ot)->name : "", *sep = src[0] ? ": " : "";

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
    PetscCheck(ot->rl[i] > 0 && !PetscIsInfOrNanReal(ot->rl[i]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "%s%sRow weight r[%" PetscInt_FMT "] = %g: weights must be positive and finite (drop zero-weight points)", src, sep, ot->rstart + i,
               (double)ot->rl[i]);
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
    PetscCheck(ot->cf[j] > 0 && !PetscIsInfOrNanReal(ot->cf[j]), comm, PETSC_ERR_ARG_OUTOFRANGE, "%s%sColumn weight c[%" PetscInt_FMT "] = %g: weights must be positive and finite (drop zero-weight points)", src, sep, j, (double)ot->cf[j]);
    sc += ot->cf[j];
  }
  PetscCall(VecRestoreArrayRead(ot->cfull, &a));
  PetscCheck(PetscAbsReal(sr - sc) <= 0.5 * ot->tol, comm, PETSC_ERR_ARG_WRONG, "%s%sMarginals have different sums: sum r = %.17g, sum c = %.17g (difference %g exceeds half the tolerance %g)", src, sep, (double)sr, (double)sc, (double)PetscAbsReal(sr - sc),
             (double)ot->tol);
  PetscFunctionReturn(0);
}

/*@
  OTSetUp - Checks the problem and prepares the local cost rows and marginals

  Collective

  Input Parameter:
. ot - the solver, with its cost and marginals set

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
  PetscCall(PetscLogEventBegin(KRYLEARN_OTSetUp, ot, 0, 0, 0));
  PetscCall(OTSetUpCost(ot));
  PetscCall(OTSetUpMarginals(ot));
  if (ot->ops->setup) PetscCall((*ot->ops->setup)(ot));
  PetscCall(PetscLogEventEnd(KRYLEARN_OTSetUp, ot, 0, 0, 0));
  ot->setupcalled = PETSC_TRUE;
  PetscFunctionReturn(0);
}
