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

   The cycle runs in single precision, like the network (the direction needs no more; DCDM
   applies A to it in double precision), which halves the memory traffic of this
   bandwidth-bound work: the matrices (A_l, P_l and the restrictions P_l^T, stored) are
   float copies of their AIJ blocks, applied by OpenMP loops, and each Jacobi step and
   coarse correction is one loop over the vectors. The classical level threads like the
   network's convolutions (OMP_NUM_THREADS). */
#include <petscdmda.h>
#include <petscsf.h>
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
  PetscCall(PetscFree(op->ai));
  PetscCall(PetscFree(op->aj));
  PetscCall(PetscFree(op->aa));
  PetscCall(PetscFree(op->bi));
  PetscCall(PetscFree(op->bj));
  PetscCall(PetscFree(op->ba));
  PetscCall(PetscFree(op->ghost));
  PetscCall(PetscSFDestroy(&op->ghostsf));
  PetscCall(VecDestroy(&op->x));
  PetscCall(VecDestroy(&op->y));
  op->M      = NULL;
  op->m      = 0;
  op->nghost = 0;
  PetscFunctionReturn(0);
}

/* Float copy of a sequential AIJ block: its m rows' pointers, columns and values */
static PetscErrorCode HybridCopyBlock(Mat B, PetscInt *m, PetscInt **bi, PetscInt **bj, float **ba)
{
  const PetscInt    *i, *j;
  const PetscScalar *v;
  PetscInt           nz, rows;
  PetscBool          done;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, m, &i, &j, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_PLIB, "deepcd: no row access to an AIJ block");
  nz = i[*m];
  PetscCall(PetscMalloc1(*m + 1, bi));
  PetscCall(PetscMalloc1(nz, bj));
  PetscCall(PetscMalloc1(nz, ba));
  PetscCall(PetscArraycpy(*bi, i, *m + 1));
  PetscCall(PetscArraycpy(*bj, j, nz));
  PetscCall(MatSeqAIJGetArrayRead(B, &v));
  for (PetscInt k = 0; k < nz; k++) (*ba)[k] = (float)PetscRealPart(v[k]);
  PetscCall(MatSeqAIJRestoreArrayRead(B, &v));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &rows, &i, &j, &done)); /* zeroes its row count */
  PetscFunctionReturn(0);
}

static PetscErrorCode HybridOpSetUp(Mat M, KrylearnDeepCDHybridOp *op)
{
  PetscBool seq, mpi;

  PetscFunctionBegin;
  PetscCall(HybridOpReset(op));
  op->M = M;
  PetscCall(MatGetLocalSize(M, &op->m, NULL));
  PetscCall(PetscObjectTypeCompare((PetscObject)M, MATSEQAIJ, &seq));
  PetscCall(PetscObjectTypeCompare((PetscObject)M, MATMPIAIJ, &mpi));
  if (seq) PetscCall(HybridCopyBlock(M, &op->m, &op->ai, &op->aj, &op->aa));
  else if (mpi) {
    const PetscInt *garray;
    PetscLayout     cmap;
    Mat             Ad, Ao;
    PetscInt        mo;

    PetscCall(MatMPIAIJGetSeqAIJ(M, &Ad, &Ao, &garray));
    PetscCall(HybridCopyBlock(Ad, &op->m, &op->ai, &op->aj, &op->aa));
    PetscCall(HybridCopyBlock(Ao, &mo, &op->bi, &op->bj, &op->ba));
    PetscCall(MatGetLocalSize(Ao, NULL, &op->nghost)); /* Ao's columns are the ghosts, in garray's order */
    PetscCall(PetscMalloc1(op->nghost, &op->ghost));
    PetscCall(MatGetLayouts(M, NULL, &cmap));
    PetscCall(PetscSFCreate(PetscObjectComm((PetscObject)M), &op->ghostsf));
    PetscCall(PetscSFSetGraphLayout(op->ghostsf, cmap, op->nghost, NULL, PETSC_COPY_VALUES, garray));
    PetscCall(PetscSFSetUp(op->ghostsf));
  } else PetscCall(MatCreateVecs(M, &op->x, &op->y));
  PetscFunctionReturn(0);
}

/* The classical levels of the grid dn->n: extents, interpolations and work vectors.
   nat[]: natural cell of each local row of A. Returns the coarsest level's vector (the
   network's rows, natural ordering; owned by dn). */
PetscErrorCode KrylearnDeepCDHybridSetUpGrid(MPI_Comm comm, KrylearnDeepCDNet *dn, Mat A, const PetscInt nat[], Vec *coarse)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  PetscInt             *idx, rstart, levels;

  PetscFunctionBegin;
  PetscCall(KrylearnNetGetHybrid(dn->net, NULL, &h->sweeps, &h->damping, &levels));
  PetscCheck(levels <= DEEPCD_MAXCLASSICAL, comm, PETSC_ERR_SUP, "deepcd: at most %d classical levels", DEEPCD_MAXCLASSICAL);
  h->levels = levels; /* what Reset frees */
  for (PetscInt d = 0; d < 3; d++) h->n[0][d] = dn->n[d];
  for (PetscInt l = 1; l <= h->levels; l++) {
    for (PetscInt d = 0; d < 3; d++) h->n[l][d] = d < dn->dim ? (h->n[l - 1][d] + 1) / 2 : 1;
    PetscCall(VecCreateMPI(comm, PETSC_DECIDE, h->n[l][0] * h->n[l][1] * h->n[l][2], &h->r[l]));
    PetscCall(VecDuplicate(h->r[l], &h->z[l]));
  }
  PetscCall(MatGetLocalSize(A, &h->m[0], NULL));
  PetscCall(HybridCreateInterpolation(comm, dn->dim, h->n[0], h->m[0], nat, h->r[1], &h->Pgrid[0]));
  for (PetscInt l = 1; l <= h->levels; l++) PetscCall(VecGetLocalSize(h->r[l], &h->m[l]));
  for (PetscInt l = 1; l < h->levels; l++) {
    PetscCall(VecGetOwnershipRange(h->r[l], &rstart, NULL));
    PetscCall(PetscMalloc1(h->m[l], &idx));
    for (PetscInt r = 0; r < h->m[l]; r++) idx[r] = rstart + r;
    PetscCall(HybridCreateInterpolation(comm, dn->dim, h->n[l], h->m[l], idx, h->r[l + 1], &h->Pgrid[l]));
    PetscCall(PetscFree(idx));
  }
  for (PetscInt l = 0; l < h->levels; l++) {
    const PetscInt m = h->m[l];

    PetscCall(MatTranspose(h->Pgrid[l], MAT_INITIAL_MATRIX, &h->Rgrid[l]));
    PetscCall(HybridOpSetUp(h->Pgrid[l], &h->opP[l]));
    PetscCall(HybridOpSetUp(h->Rgrid[l], &h->opR[l]));
    PetscCall(PetscMalloc7(m, &h->in[l], m, &h->out[l], m, &h->dinv[l], m, &h->t[l], m, &h->d[l], m, &h->e[l], m, &h->ae[l]));
  }
  PetscCall(PetscMalloc2(h->m[h->levels], &h->in[h->levels], h->m[h->levels], &h->out[h->levels]));
  PetscCall(PetscMalloc1(h->m[0], &h->mask));
  *coarse = h->r[h->levels];
  PetscFunctionReturn(0);
}

/* For the operator A with the cells outside the domain (mask 0): the Galerkin operators
   (with P_0, P zero on the rows outside the domain), the damped inverse diagonals, and for a
   network that reads a geometry the fraction of each coarsest cell outside the domain,
   1 - (P^T ... P^T mask) / 2^(dim L). The transfers of level 0 apply the mask to vectors
   (P_0 x = mask .* P x, P_0^T t = P^T (mask .* t)), so that a new operator costs no copy of
   P and P^T. */
PetscErrorCode KrylearnDeepCDHybridSetUpOperator(KrylearnDeepCDNet *dn, Mat A, Vec mask)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const char           *geometry;

  PetscFunctionBegin;
  if (h->levels > 1) {
    if (h->P0) PetscCall(MatCopy(h->Pgrid[0], h->P0, SAME_NONZERO_PATTERN));
    else PetscCall(MatDuplicate(h->Pgrid[0], MAT_COPY_VALUES, &h->P0));
    PetscCall(MatDiagonalScale(h->P0, mask, NULL));
  }
  PetscCall(PetscObjectReference((PetscObject)A));
  PetscCall(MatDestroy(&h->A[0]));
  h->A[0] = A;
  for (PetscInt l = 1; l < h->levels; l++) {
    PetscCall(MatDestroy(&h->A[l]));
    PetscCall(MatPtAP(h->A[l - 1], l == 1 ? h->P0 : h->Pgrid[l - 1], MAT_INITIAL_MATRIX, PETSC_DEFAULT, &h->A[l]));
  }
  for (PetscInt l = 0; l < h->levels; l++) {
    const PetscScalar *a, *in;
    Vec                diag;

    PetscCall(MatCreateVecs(h->A[l], NULL, &diag));
    PetscCall(MatGetDiagonal(h->A[l], diag));
    PetscCall(VecGetArrayRead(diag, &a));
    PetscCall(VecGetArrayRead(mask, &in));
    for (PetscInt i = 0; i < h->m[l]; i++) h->dinv[l][i] = a[i] != 0.0 && (l || in[i] != 0.0) ? (float)(h->damping / PetscRealPart(a[i])) : 0.0f;
    if (!l)
      for (PetscInt i = 0; i < h->m[0]; i++) h->mask[i] = (float)PetscRealPart(in[i]);
    PetscCall(VecRestoreArrayRead(mask, &in));
    PetscCall(VecRestoreArrayRead(diag, &a));
    PetscCall(VecDestroy(&diag));
    PetscCall(HybridOpSetUp(h->A[l], &h->opA[l]));
  }
  PetscCall(KrylearnNetGetGeometry(dn->net, &geometry));
  if (geometry) {
    const PetscReal cells = PetscPowInt(2, dn->dim * h->levels);
    Vec             w     = h->r[h->levels];
    PetscScalar    *a;
    PetscInt        n;

    PetscCall(MatMult(h->Rgrid[0], mask, h->r[1])); /* P_0^T mask = P^T mask: the mask is 0 or 1 */
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

/* y = w + alpha B x over the rows of a CSR block (w NULL: 0; w may be y) */
static void HybridCSRMult(PetscInt m, const PetscInt *bi, const PetscInt *bj, const float *ba, const float *x, float alpha, const float *w, float *y)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < m; i++) {
    float s = 0.0f;

    for (PetscInt k = bi[i]; k < bi[i + 1]; k++) s += ba[k] * x[bj[k]];
    y[i] = w ? w[i] + alpha * s : alpha * s;
  }
}

/* y = w + alpha M x (w NULL: y = alpha M x; w may be y, not x) */
static PetscErrorCode HybridOpMult(KrylearnDeepCDHybridOp *op, const float *x, float alpha, const float *w, float *y)
{
  PetscFunctionBegin;
  if (!op->aa) { /* not AIJ: MatMult in double precision */
    PetscScalar *xa, *ya;
    PetscInt     n;

    PetscCall(VecGetLocalSize(op->x, &n));
    PetscCall(VecGetArrayWrite(op->x, &xa));
    for (PetscInt i = 0; i < n; i++) xa[i] = x[i];
    PetscCall(VecRestoreArrayWrite(op->x, &xa));
    PetscCall(MatMult(op->M, op->x, op->y));
    PetscCall(VecGetArray(op->y, &ya));
    for (PetscInt i = 0; i < op->m; i++) y[i] = (w ? w[i] : 0.0f) + alpha * (float)PetscRealPart(ya[i]);
    PetscCall(VecRestoreArray(op->y, &ya));
    PetscFunctionReturn(0);
  }
  if (op->ghostsf) PetscCall(PetscSFBcastBegin(op->ghostsf, MPI_FLOAT, x, op->ghost, MPI_REPLACE));
  HybridCSRMult(op->m, op->ai, op->aj, op->aa, x, alpha, w, y);
  if (op->ghostsf) { /* the off-process columns, once their entries of x have arrived */
    PetscCall(PetscSFBcastEnd(op->ghostsf, MPI_FLOAT, x, op->ghost, MPI_REPLACE));
    HybridCSRMult(op->m, op->bi, op->bj, op->ba, op->ghost, alpha, y, y);
  }
  PetscFunctionReturn(0);
}

/* x .*= mask */
static void HybridMask(PetscInt n, const float *mask, float *x)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) x[i] *= mask[i];
}

/* d = dinv .* t, z = d (first step of a cycle: z = 0 before) or z += d */
static void HybridJacobiStep(PetscInt n, const float *dinv, const float *t, float *d, float *z, PetscBool first)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    d[i] = dinv[i] * t[i];
    z[i] = first ? d[i] : z[i] + d[i];
  }
}

/* The coarse correction: beta = e.t / e.Ae (0 unless e.Ae > 0: a useless correction is
   dropped), z += beta e, t -= beta Ae; the products summed in double precision */
static PetscErrorCode HybridCorrect(MPI_Comm comm, PetscInt n, const float *e, const float *ae, float *z, float *t)
{
  double local[2], dots[2], et = 0.0, eae = 0.0;
  float  beta;

  PetscFunctionBegin;
#pragma omp parallel for schedule(static) reduction(+ : et, eae)
  for (PetscInt i = 0; i < n; i++) {
    et += (double)e[i] * t[i];
    eae += (double)e[i] * ae[i];
  }
  local[0] = et, local[1] = eae;
  PetscCall(MPIU_Allreduce(local, dots, 2, MPI_DOUBLE, MPI_SUM, comm));
  beta = dots[1] > 0.0 ? (float)(dots[0] / dots[1]) : 0.0f;
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    z[i] += beta * e[i];
    t[i] -= beta * ae[i];
  }
  PetscFunctionReturn(0);
}

/* nu damped-Jacobi sweeps z += w D^-1 t, t -= A (w D^-1 t). Pre-smoothing starts from
   z = 0, t = r (t is set by the first sweep); post-smoothing skips the last residual
   update, which nothing reads. */
static PetscErrorCode HybridSmooth(KrylearnDeepCDHybrid *h, PetscInt l, const float *r, float *z, PetscBool pre)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < h->sweeps; k++) {
    const PetscBool first = (PetscBool)(pre && !k);

    HybridJacobiStep(h->m[l], h->dinv[l], first ? r : h->t[l], h->d[l], z, first);
    if (pre || k + 1 < h->sweeps) PetscCall(HybridOpMult(&h->opA[l], h->d[l], -1.0f, first ? r : h->t[l], h->t[l]));
  }
  if (pre && !h->sweeps) PetscCall(PetscArraycpy(h->t[l], r, h->m[l]));
  PetscFunctionReturn(0);
}

/* The network on the coarsest level: in[L] -> out[L] through the level's vectors */
static PetscErrorCode HybridNetwork(KrylearnDeepCDNet *dn)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const PetscInt        L = h->levels;
  PetscScalar          *a;

  PetscFunctionBegin;
  PetscCall(VecGetArrayWrite(h->r[L], &a));
  for (PetscInt i = 0; i < h->m[L]; i++) a[i] = h->in[L][i];
  PetscCall(VecRestoreArrayWrite(h->r[L], &a));
  PetscCall(KrylearnDeepCDNetRun_Private(dn, h->r[L], h->z[L]));
  PetscCall(VecGetArray(h->z[L], &a));
  for (PetscInt i = 0; i < h->m[L]; i++) h->out[L][i] = (float)PetscRealPart(a[i]);
  PetscCall(VecRestoreArray(h->z[L], &a));
  PetscFunctionReturn(0);
}

/* out[l] = the cycle from level l applied to in[l] */
static PetscErrorCode HybridCycle(KrylearnDeepCDNet *dn, MPI_Comm comm, PetscInt l)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;

  PetscFunctionBegin;
  if (!h->sweeps) PetscCall(PetscArrayzero(h->out[l], h->m[l]));
  PetscCall(HybridSmooth(h, l, h->in[l], h->out[l], PETSC_TRUE));
  if (!l) HybridMask(h->m[0], h->mask, h->t[0]); /* nothing else reads t outside the domain: the smoother and e vanish there */
  PetscCall(HybridOpMult(&h->opR[l], h->t[l], 1.0f, NULL, h->in[l + 1]));
  if (l + 1 < h->levels) PetscCall(HybridCycle(dn, comm, l + 1));
  else PetscCall(HybridNetwork(dn));
  PetscCall(HybridOpMult(&h->opP[l], h->out[l + 1], 1.0f, NULL, h->e[l]));
  if (!l) HybridMask(h->m[0], h->mask, h->e[0]);
  PetscCall(HybridOpMult(&h->opA[l], h->e[l], 1.0f, NULL, h->ae[l]));
  PetscCall(HybridCorrect(comm, h->m[l], h->e[l], h->ae[l], h->out[l], h->t[l]));
  PetscCall(HybridSmooth(h, l, h->in[l], h->out[l], PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* q = the hybrid cycle applied to r */
PetscErrorCode KrylearnDeepCDHybridApply(KrylearnDeepCDNet *dn, Vec r, Vec q)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const PetscScalar    *ra;
  PetscScalar          *qa;
  float                *in = h->in[0], *out = h->out[0];

  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(r, &ra));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < h->m[0]; i++) in[i] = (float)PetscRealPart(ra[i]);
  PetscCall(VecRestoreArrayRead(r, &ra));
  PetscCall(HybridCycle(dn, PetscObjectComm((PetscObject)r), 0));
  PetscCall(VecGetArrayWrite(q, &qa));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < h->m[0]; i++) qa[i] = out[i];
  PetscCall(VecRestoreArrayWrite(q, &qa));
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
    if (l < h->levels) PetscCall(PetscFree7(h->in[l], h->out[l], h->dinv[l], h->t[l], h->d[l], h->e[l], h->ae[l]));
  }
  if (h->levels) PetscCall(PetscFree2(h->in[h->levels], h->out[h->levels]));
  PetscCall(MatDestroy(&h->P0));
  PetscCall(PetscFree(h->mask));
  h->levels = 0;
  PetscFunctionReturn(0);
}
