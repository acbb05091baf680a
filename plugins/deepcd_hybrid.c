/* Operator-smoothed hybrid directions for models that declare a hybrid structure
   (docs/model-format.md): a multigrid cycle whose coarsest part is the network. On each
   classical level l (0: the operator's grid), with A_0 the user's matrix and
   A_l+1 = P_l^T A_l P_l:

     z = 0, t = r;  nu times { d = w D^-1 t; z += d; t -= A d }           pre-smoothing
     e = P_l cycle(l + 1, P_l^T t)   (the network on the last level)
     beta = e.t / e.Ae (0 unless e.Ae > 0);  z += beta e;  t -= beta Ae    coarse correction
     nu times { d = w D^-1 t; z += d; t -= A d }                          post-smoothing

   P_l is cell-centred bilinear (trilinear) interpolation from ceil(n/2) to n cells per
   axis, P_0 zero on the rows outside the domain. Every coefficient, boundary row and solid
   cell of the user's matrix enters through A and its diagonal; the network only sees the
   2^L times coarser residual. train/hybrid.py is the same cycle in PyTorch.

   The cycle's matrices (A_l, P_l and the restrictions P_l^T, stored) are applied by OpenMP
   loops over their AIJ blocks, each Jacobi step and correction one loop over the vectors:
   the classical level threads like the network's convolutions (OMP_NUM_THREADS). */
#include <petscdmda.h>
#include "deepcdnet.h"

/* Fine cell i of an extent n: its coarse cells (1 or 2) and weights; the fine cell sits at
   coarse coordinate i/2 - 1/4, clamped into [0, ceil(n/2) - 1] (edges replicated) */
static PetscInt HybridInterp1D(PetscInt i, PetscInt n, PetscInt c[2], PetscReal w[2])
{
  const PetscInt nc  = (n + 1) / 2;
  PetscReal      src = PetscMin(PetscMax(0.5 * i - 0.25, 0.0), (PetscReal)(nc - 1)), lam;

  c[0] = (PetscInt)PetscFloorReal(src);
  lam  = src - c[0];
  w[0] = 1.0 - lam;
  if (lam == 0.0) return 1;
  c[1] = PetscMin(c[0] + 1, nc - 1);
  w[1] = lam;
  return 2;
}

/* Interpolation from the level below (natural ordering, the layout of coarse) to the rows
   of a level whose local rows are the natural cells nat[] of a grid of extents nf */
static PetscErrorCode HybridCreateInterpolation(MPI_Comm comm, PetscInt dim, const PetscInt nf[], PetscInt mloc, const PetscInt nat[], Vec coarse, Mat *P)
{
  PetscInt nc[3], mc, rstart = 0, cstart, cend, *dnz, *onz;

  PetscFunctionBegin;
  for (PetscInt d = 0; d < 3; d++) nc[d] = d < dim ? (nf[d] + 1) / 2 : 1;
  PetscCall(VecGetLocalSize(coarse, &mc));
  PetscCall(VecGetOwnershipRange(coarse, &cstart, &cend));
  PetscCall(MatCreate(comm, P));
  PetscCall(MatSetSizes(*P, mloc, mc, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCall(MatSetType(*P, MATAIJ));
  PetscCall(PetscCalloc2(mloc, &dnz, mloc, &onz));
  for (PetscInt pass = 0; pass < 2; pass++) { /* exact preallocation, then the values */
    if (pass) {
      PetscCall(MatSeqAIJSetPreallocation(*P, 0, dnz));
      PetscCall(MatMPIAIJSetPreallocation(*P, 0, dnz, 0, onz));
      PetscCall(MatGetOwnershipRange(*P, &rstart, NULL));
    }
    for (PetscInt r = 0; r < mloc; r++) {
      PetscInt  ijk[3] = {nat[r] % nf[0], (nat[r] / nf[0]) % nf[1], nat[r] / (nf[0] * nf[1])};
      PetscInt  c[3][2], cnt[3] = {1, 1, 1}, cols[8], ncols = 0, row = rstart + r;
      PetscReal w[3][2], vals[8];

      for (PetscInt d = 0; d < 3; d++) {
        c[d][0] = 0, w[d][0] = 1.0;
        if (d < dim) cnt[d] = HybridInterp1D(ijk[d], nf[d], c[d], w[d]);
      }
      for (PetscInt a = 0; a < cnt[2]; a++)
        for (PetscInt b = 0; b < cnt[1]; b++)
          for (PetscInt e = 0; e < cnt[0]; e++) {
            cols[ncols] = c[0][e] + nc[0] * (c[1][b] + nc[1] * c[2][a]);
            vals[ncols] = w[0][e] * w[1][b] * w[2][a];
            if (!pass) {
              if (cols[ncols] >= cstart && cols[ncols] < cend) dnz[r]++;
              else onz[r]++;
            }
            ncols++;
          }
      if (pass) PetscCall(MatSetValues(*P, 1, &row, ncols, cols, vals, INSERT_VALUES));
    }
  }
  PetscCall(PetscFree2(dnz, onz));
  PetscCall(MatAssemblyBegin(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*P, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

static PetscErrorCode HybridOpReset(KrylearnDeepCDHybridOp *op)
{
  PetscFunctionBegin;
  PetscCall(VecScatterDestroy(&op->ghostsc));
  PetscCall(VecDestroy(&op->ghost));
  PetscCall(VecDestroy(&op->work));
  op->M = op->Ad = op->Ao = NULL;
  PetscFunctionReturn(0);
}

static PetscErrorCode HybridOpSetUp(Mat M, KrylearnDeepCDHybridOp *op)
{
  PetscBool seq, mpi;

  PetscFunctionBegin;
  PetscCall(HybridOpReset(op));
  op->M = M;
  PetscCall(PetscObjectTypeCompare((PetscObject)M, MATSEQAIJ, &seq));
  PetscCall(PetscObjectTypeCompare((PetscObject)M, MATMPIAIJ, &mpi));
  if (seq) op->Ad = M;
  else if (mpi) {
    const PetscInt *garray;
    PetscInt        nghost;
    IS              is;
    Vec             x;

    PetscCall(MatMPIAIJGetSeqAIJ(M, &op->Ad, &op->Ao, &garray));
    PetscCall(MatGetLocalSize(op->Ao, NULL, &nghost)); /* Ao's columns are the ghosts, in garray's order */
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, nghost, &op->ghost));
    PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nghost, garray, PETSC_USE_POINTER, &is));
    PetscCall(MatCreateVecs(M, &x, NULL));
    PetscCall(VecScatterCreate(x, is, op->ghost, NULL, &op->ghostsc));
    PetscCall(VecDestroy(&x));
    PetscCall(ISDestroy(&is));
  } else PetscCall(MatCreateVecs(M, NULL, &op->work));
  PetscFunctionReturn(0);
}

/* The classical levels of the grid dn->n: extents, interpolations and work vectors.
   nat[]: natural cell of each local row of A. Returns the coarsest level's vector (the
   network's rows, natural ordering; owned by dn). */
PetscErrorCode KrylearnDeepCDHybridSetUpGrid(MPI_Comm comm, KrylearnDeepCDNet *dn, Mat A, const PetscInt nat[], Vec *coarse)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  PetscInt              mloc, *idx, rstart;

  PetscFunctionBegin;
  PetscCall(KrylearnNetGetHybrid(dn->net, NULL, &h->sweeps, &h->damping, &h->levels));
  PetscCheck(h->levels <= DEEPCD_MAXCLASSICAL, comm, PETSC_ERR_SUP, "deepcd: at most %d classical levels", DEEPCD_MAXCLASSICAL);
  for (PetscInt d = 0; d < 3; d++) h->n[0][d] = dn->n[d];
  for (PetscInt l = 1; l <= h->levels; l++) {
    for (PetscInt d = 0; d < 3; d++) h->n[l][d] = d < dn->dim ? (h->n[l - 1][d] + 1) / 2 : 1;
    PetscCall(VecCreateMPI(comm, PETSC_DECIDE, h->n[l][0] * h->n[l][1] * h->n[l][2], &h->r[l]));
    PetscCall(VecDuplicate(h->r[l], &h->z[l]));
  }
  PetscCall(MatCreateVecs(A, NULL, &h->t[0]));
  PetscCall(MatGetLocalSize(A, &mloc, NULL));
  PetscCall(HybridCreateInterpolation(comm, dn->dim, h->n[0], mloc, nat, h->r[1], &h->Pgrid[0]));
  for (PetscInt l = 1; l < h->levels; l++) {
    PetscCall(VecGetLocalSize(h->r[l], &mloc));
    PetscCall(VecGetOwnershipRange(h->r[l], &rstart, NULL));
    PetscCall(PetscMalloc1(mloc, &idx));
    for (PetscInt r = 0; r < mloc; r++) idx[r] = rstart + r;
    PetscCall(HybridCreateInterpolation(comm, dn->dim, h->n[l], mloc, idx, h->r[l + 1], &h->Pgrid[l]));
    PetscCall(PetscFree(idx));
    PetscCall(VecDuplicate(h->r[l], &h->t[l]));
  }
  for (PetscInt l = 0; l < h->levels; l++) {
    PetscCall(MatTranspose(h->Pgrid[l], MAT_INITIAL_MATRIX, &h->Rgrid[l]));
    PetscCall(VecDuplicate(h->t[l], &h->d[l]));
    PetscCall(VecDuplicate(h->t[l], &h->e[l]));
    PetscCall(VecDuplicate(h->t[l], &h->ae[l]));
    PetscCall(VecDuplicate(h->t[l], &h->dinv[l]));
  }
  *coarse = h->r[h->levels];
  PetscFunctionReturn(0);
}

/* For the operator A with the cells outside the domain (mask 0): P_0, the Galerkin
   operators, the damped inverse diagonals, and for a network that reads a geometry the
   fraction of each coarsest cell outside the domain, 1 - (P^T ... P^T mask) / 2^(dim L) */
PetscErrorCode KrylearnDeepCDHybridSetUpOperator(KrylearnDeepCDNet *dn, Mat A, Vec mask)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const char           *geometry;

  PetscFunctionBegin;
  if (h->P0) PetscCall(MatCopy(h->Pgrid[0], h->P0, SAME_NONZERO_PATTERN));
  else PetscCall(MatDuplicate(h->Pgrid[0], MAT_COPY_VALUES, &h->P0));
  PetscCall(MatDiagonalScale(h->P0, mask, NULL));
  if (h->R0) PetscCall(MatCopy(h->Rgrid[0], h->R0, SAME_NONZERO_PATTERN));
  else PetscCall(MatDuplicate(h->Rgrid[0], MAT_COPY_VALUES, &h->R0));
  PetscCall(MatDiagonalScale(h->R0, NULL, mask));
  PetscCall(PetscObjectReference((PetscObject)A));
  PetscCall(MatDestroy(&h->A[0]));
  h->A[0] = A;
  for (PetscInt l = 1; l < h->levels; l++) {
    PetscCall(MatDestroy(&h->A[l]));
    PetscCall(MatPtAP(h->A[l - 1], l == 1 ? h->P0 : h->Pgrid[l - 1], MAT_INITIAL_MATRIX, PETSC_DEFAULT, &h->A[l]));
  }
  for (PetscInt l = 0; l < h->levels; l++) {
    PetscScalar *a;
    PetscInt     n;

    PetscCall(MatGetDiagonal(h->A[l], h->dinv[l]));
    PetscCall(VecGetLocalSize(h->dinv[l], &n));
    PetscCall(VecGetArray(h->dinv[l], &a));
    for (PetscInt i = 0; i < n; i++) a[i] = a[i] != 0.0 ? h->damping / a[i] : 0.0;
    PetscCall(VecRestoreArray(h->dinv[l], &a));
    if (!l) PetscCall(VecPointwiseMult(h->dinv[0], h->dinv[0], mask));
    PetscCall(HybridOpSetUp(h->A[l], &h->opA[l]));
    PetscCall(HybridOpSetUp(l ? h->Pgrid[l] : h->P0, &h->opP[l]));
    PetscCall(HybridOpSetUp(l ? h->Rgrid[l] : h->R0, &h->opR[l]));
  }
  PetscCall(KrylearnNetGetGeometry(dn->net, &geometry));
  if (geometry) {
    const PetscReal cells = PetscPowInt(2, dn->dim * h->levels);
    Vec             w     = h->r[h->levels];
    PetscScalar    *a;
    PetscInt        n;

    PetscCall(MatMult(h->R0, mask, h->r[1]));
    for (PetscInt l = 1; l < h->levels; l++) PetscCall(MatMult(h->Rgrid[l], h->r[l], h->r[l + 1]));
    PetscCall(VecGetLocalSize(w, &n));
    PetscCall(VecGetArray(w, &a));
    for (PetscInt i = 0; i < n; i++) a[i] = PetscMin(PetscMax(1.0 - PetscRealPart(a[i]) / cells, 0.0), 1.0);
    PetscCall(VecRestoreArray(w, &a));
    PetscCall(VecScatterBegin(dn->tonet, w, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(dn->tonet, w, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(KrylearnNetSetGeometry(dn->net, dn->xda));
  }
  PetscFunctionReturn(0);
}

/* ya = wa + alpha B xa over the rows of the CSR block B (wa NULL: 0; wa may be ya) */
static PetscErrorCode HybridCSRMult(Mat B, const PetscScalar *xa, PetscScalar alpha, const PetscScalar *wa, PetscScalar *ya)
{
  const PetscInt    *bi, *bj;
  const PetscScalar *ba;
  PetscInt           m;
  PetscBool          done;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &bi, &bj, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_PLIB, "deepcd: no row access to an AIJ block");
  PetscCall(MatSeqAIJGetArrayRead(B, &ba));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < m; i++) {
    PetscScalar s = 0.0;

    for (PetscInt k = bi[i]; k < bi[i + 1]; k++) s += ba[k] * xa[bj[k]];
    ya[i] = wa ? wa[i] + alpha * s : alpha * s;
  }
  PetscCall(MatSeqAIJRestoreArrayRead(B, &ba));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &bi, &bj, &done));
  PetscFunctionReturn(0);
}

/* y = w + alpha M x (w NULL: y = alpha M x; w may be y, not x) */
static PetscErrorCode HybridOpMult(KrylearnDeepCDHybridOp *op, Vec x, PetscScalar alpha, Vec w, Vec y)
{
  const PetscScalar *xa, *wa = NULL, *ga;
  PetscScalar       *ya;

  PetscFunctionBegin;
  if (!op->Ad) {
    PetscCall(MatMult(op->M, x, op->work));
    if (w) PetscCall(VecWAXPY(y, alpha, op->work, w));
    else PetscCall(VecAXPBY(y, alpha, 0.0, op->work));
    PetscFunctionReturn(0);
  }
  if (op->Ao) PetscCall(VecScatterBegin(op->ghostsc, x, op->ghost, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(y, &ya));
  if (w && w != y) PetscCall(VecGetArrayRead(w, &wa));
  PetscCall(HybridCSRMult(op->Ad, xa, alpha, w == y ? ya : wa, ya));
  if (w && w != y) PetscCall(VecRestoreArrayRead(w, &wa));
  PetscCall(VecRestoreArrayRead(x, &xa));
  if (op->Ao) { /* the off-process columns, once their entries of x have arrived */
    PetscCall(VecScatterEnd(op->ghostsc, x, op->ghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetArrayRead(op->ghost, &ga));
    PetscCall(HybridCSRMult(op->Ao, ga, alpha, ya, ya));
    PetscCall(VecRestoreArrayRead(op->ghost, &ga));
  }
  PetscCall(VecRestoreArray(y, &ya));
  PetscFunctionReturn(0);
}

/* d = dinv .* t, z = d (first step of a cycle: z = 0 before) or z += d */
static PetscErrorCode HybridJacobiStep(Vec dinv, Vec t, Vec d, Vec z, PetscBool first)
{
  const PetscScalar *da, *ta;
  PetscScalar       *dd, *za;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(t, &n));
  PetscCall(VecGetArrayRead(dinv, &da));
  PetscCall(VecGetArrayRead(t, &ta));
  PetscCall(VecGetArrayWrite(d, &dd));
  PetscCall(VecGetArray(z, &za));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    dd[i] = da[i] * ta[i];
    za[i] = first ? dd[i] : za[i] + dd[i];
  }
  PetscCall(VecRestoreArray(z, &za));
  PetscCall(VecRestoreArrayWrite(d, &dd));
  PetscCall(VecRestoreArrayRead(t, &ta));
  PetscCall(VecRestoreArrayRead(dinv, &da));
  PetscFunctionReturn(0);
}

/* The coarse correction: beta = e.t / e.Ae (0 unless e.Ae > 0: a useless correction is
   dropped), z += beta e, t -= beta Ae */
static PetscErrorCode HybridCorrect(MPI_Comm comm, Vec e, Vec ae, Vec z, Vec t)
{
  const PetscScalar *ea, *aea;
  PetscScalar       *za, *ta, local[2] = {0.0, 0.0}, dots[2], beta;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(t, &n));
  PetscCall(VecGetArrayRead(e, &ea));
  PetscCall(VecGetArrayRead(ae, &aea));
  PetscCall(VecGetArray(z, &za));
  PetscCall(VecGetArray(t, &ta));
  {
    PetscScalar et = 0.0, eae = 0.0;

#pragma omp parallel for schedule(static) reduction(+ : et, eae)
    for (PetscInt i = 0; i < n; i++) {
      et += ea[i] * ta[i];
      eae += ea[i] * aea[i];
    }
    local[0] = et, local[1] = eae;
  }
  PetscCall(MPIU_Allreduce(local, dots, 2, MPIU_SCALAR, MPIU_SUM, comm));
  beta = PetscRealPart(dots[1]) > 0.0 ? dots[0] / dots[1] : 0.0;
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    za[i] += beta * ea[i];
    ta[i] -= beta * aea[i];
  }
  PetscCall(VecRestoreArray(t, &ta));
  PetscCall(VecRestoreArray(z, &za));
  PetscCall(VecRestoreArrayRead(ae, &aea));
  PetscCall(VecRestoreArrayRead(e, &ea));
  PetscFunctionReturn(0);
}

/* nu damped-Jacobi sweeps z += w D^-1 t, t -= A (w D^-1 t). Pre-smoothing starts from
   z = 0, t = r (t is set by the first sweep); post-smoothing skips the last residual
   update, which nothing reads. */
static PetscErrorCode HybridSmooth(KrylearnDeepCDHybrid *h, PetscInt l, Vec r, Vec z, PetscBool pre)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < h->sweeps; k++) {
    const PetscBool first = (PetscBool)(pre && !k);

    PetscCall(HybridJacobiStep(h->dinv[l], first ? r : h->t[l], h->d[l], z, first));
    if (pre || k + 1 < h->sweeps) PetscCall(HybridOpMult(&h->opA[l], h->d[l], -1.0, first ? r : h->t[l], h->t[l]));
  }
  if (pre && !h->sweeps) PetscCall(VecCopy(r, h->t[l]));
  PetscFunctionReturn(0);
}

static PetscErrorCode HybridCycle(KrylearnDeepCDNet *dn, PetscInt l, Vec r, Vec z)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;

  PetscFunctionBegin;
  if (!h->sweeps) PetscCall(VecSet(z, 0.0));
  PetscCall(HybridSmooth(h, l, r, z, PETSC_TRUE));
  PetscCall(HybridOpMult(&h->opR[l], h->t[l], 1.0, NULL, h->r[l + 1]));
  if (l + 1 < h->levels) PetscCall(HybridCycle(dn, l + 1, h->r[l + 1], h->z[l + 1]));
  else PetscCall(KrylearnDeepCDNetRun_Private(dn, h->r[l + 1], h->z[l + 1]));
  PetscCall(HybridOpMult(&h->opP[l], h->z[l + 1], 1.0, NULL, h->e[l]));
  PetscCall(HybridOpMult(&h->opA[l], h->e[l], 1.0, NULL, h->ae[l]));
  PetscCall(HybridCorrect(PetscObjectComm((PetscObject)r), h->e[l], h->ae[l], z, h->t[l]));
  PetscCall(HybridSmooth(h, l, r, z, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* q = the hybrid cycle applied to r */
PetscErrorCode KrylearnDeepCDHybridApply(KrylearnDeepCDNet *dn, Vec r, Vec q)
{
  PetscFunctionBegin;
  PetscCall(HybridCycle(dn, 0, r, q));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnDeepCDHybridView(KrylearnDeepCDNet *dn, PetscViewer viewer)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const PetscInt       *c = h->n[h->levels];

  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "hybrid directions: %" PetscInt_FMT " damped-Jacobi sweep(s) (damping %g) before and after, %" PetscInt_FMT " classical level(s) with the operator\n", h->sweeps, (double)h->damping, h->levels));
  if (dn->dim == 2) PetscCall(PetscViewerASCIIPrintf(viewer, "network grid %" PetscInt_FMT " x %" PetscInt_FMT " (run padded to %" PetscInt_FMT " x %" PetscInt_FMT ")\n", c[0], c[1], dn->N[0], dn->N[1]));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "network grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " (run padded to %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ")\n", c[0], c[1], c[2], dn->N[0], dn->N[1], dn->N[2]));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnDeepCDHybridReset(KrylearnDeepCDNet *dn)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;

  PetscFunctionBegin;
  for (PetscInt l = 0; l <= DEEPCD_MAXCLASSICAL; l++) {
    PetscCall(VecDestroy(&h->r[l]));
    PetscCall(VecDestroy(&h->z[l]));
    if (l == DEEPCD_MAXCLASSICAL) break;
    PetscCall(MatDestroy(&h->Pgrid[l]));
    PetscCall(MatDestroy(&h->Rgrid[l]));
    PetscCall(HybridOpReset(&h->opA[l]));
    PetscCall(HybridOpReset(&h->opP[l]));
    PetscCall(HybridOpReset(&h->opR[l]));
    PetscCall(MatDestroy(&h->A[l]));
    PetscCall(VecDestroy(&h->dinv[l]));
    PetscCall(VecDestroy(&h->t[l]));
    PetscCall(VecDestroy(&h->d[l]));
    PetscCall(VecDestroy(&h->e[l]));
    PetscCall(VecDestroy(&h->ae[l]));
  }
  PetscCall(MatDestroy(&h->P0));
  PetscCall(MatDestroy(&h->R0));
  h->levels = 0;
  PetscFunctionReturn(0);
}
