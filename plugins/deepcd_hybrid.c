/* Operator-smoothed hybrid directions for models that declare a hybrid structure
   (docs/model-format.md): a multigrid cycle whose coarsest part is the network. On each
   classical level l (0: the operator's grid), with A_0 the user's matrix and
   A_l+1 = P_l^T A_l P_l:

     z = 0, t = r;  nu times { d = w D^-1 t; z += d; t -= A d }           pre-smoothing
     e = P_l solve(l + 1, P_l^T t)
     beta = e.t / e.Ae (0 unless e.Ae > 0);  z += beta e;  t -= beta Ae    coarse correction
     nu times { d = w D^-1 t; z += d; t -= A d }                          post-smoothing

   where solve(c, rc) is k_c steps of flexible CG on A_c x = rc preconditioned by cycle(c, .)
   (by the network on the last level), each step's direction made A_c-conjugate to the
   earlier ones; k_c = 1 (a V-cycle) is the preconditioner applied once, its length set by beta.

   P_l is cell-centred bilinear (trilinear) interpolation from ceil(n/2) to n cells per
   axis, P_0 zero on the rows outside the domain. Every coefficient, boundary row and solid
   cell of the user's matrix enters through A and its diagonal; the network only sees the
   2^L times coarser residual. train/hybrid.py is the same cycle in PyTorch.

   The cycle runs in single precision, like the network (the direction needs no more; DCDM
   applies A to it in double precision), which halves the memory traffic of this
   bandwidth-bound work: A_0 is a float copy of the operator's AIJ blocks, the Galerkin
   operators are built in float (a stencil's local block by diagonals), P_l and the
   restrictions P_l^T (stored) float CSR blocks built from the structured interpolation, all
   applied by OpenMP loops, and each Jacobi step and coarse correction is one loop over the
   vectors. The classical level threads like the network's convolutions (OMP_NUM_THREADS). */
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

/* The coordinates of a cell (natural index, x fastest) of a grid of extents n */
static inline void HybridCellCoords(PetscInt cell, const PetscInt n[3], PetscInt ijk[3])
{
  ijk[0] = cell % n[0], ijk[1] = (cell / n[0]) % n[1], ijk[2] = cell / (n[0] * n[1]);
}

/* The interpolation's row for a cell (natural index) of a grid of extents nf: its parents
   (natural indices of the grid of extents ceil(nf/2)) and weights; returns their number */
static PetscInt HybridInterpRow(PetscInt dim, const PetscInt nf[], PetscInt cell, PetscInt cols[8], PetscReal vals[8])
{
  PetscInt  ijk[3], nc[3], c[3][2], cnt[3] = {1, 1, 1}, ncols = 0;
  PetscReal w[3][2];

  HybridCellCoords(cell, nf, ijk);

  for (PetscInt d = 0; d < 3; d++) {
    nc[d]   = d < dim ? (nf[d] + 1) / 2 : 1;
    c[d][0] = 0, w[d][0] = 1.0;
    if (d < dim) cnt[d] = HybridInterp1D(ijk[d], nf[d], c[d], w[d]);
  }
  for (PetscInt a = 0; a < cnt[2]; a++)
    for (PetscInt b = 0; b < cnt[1]; b++)
      for (PetscInt e = 0; e < cnt[0]; e++) {
        cols[ncols]   = c[0][e] + nc[0] * (c[1][b] + nc[1] * c[2][a]);
        vals[ncols++] = w[0][e] * w[1][b] * w[2][a];
      }
  return ncols;
}

/* The interpolation as a matrix, for MatPtAP: from the level below (natural ordering, the
   layout of coarse) to the rows of a level whose local rows are the natural cells nat[] */
static PetscErrorCode HybridCreateInterpolation(MPI_Comm comm, PetscInt dim, const PetscInt nf[], PetscInt mloc, const PetscInt nat[], Vec coarse, Mat *P)
{
  PetscInt mc, rstart = 0, cstart, cend, *dnz, *onz;

  PetscFunctionBegin;
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
      PetscInt  cols[8], row = rstart + r, ncols;
      PetscReal vals[8];

      ncols = HybridInterpRow(dim, nf, nat[r], cols, vals);
      if (pass) PetscCall(MatSetValues(*P, 1, &row, ncols, cols, vals, INSERT_VALUES));
      else
        for (PetscInt k = 0; k < ncols; k++) {
          if (cols[k] >= cstart && cols[k] < cend) dnz[r]++;
          else onz[r]++;
        }
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
  PetscCall(PetscFree(op->doff));
  PetscCall(PetscFree(op->dval));
  op->ndiag = 0;
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

/* An operator's diagonals are stored by blocks of HYBRID_BLOCK rows, each block's diagonals
   together: the place of row i's value on diagonal k of nd, and the size for m rows */
#define HYBRID_BLOCK 512
static inline PetscInt HybridDiagAt(PetscInt nd, PetscInt i, PetscInt k)
{
  return (i / HYBRID_BLOCK * nd + k) * HYBRID_BLOCK + i % HYBRID_BLOCK;
}

static inline PetscInt HybridDiagSize(PetscInt m, PetscInt nd)
{
  return (m + HYBRID_BLOCK - 1) / HYBRID_BLOCK * HYBRID_BLOCK * nd;
}

/* The local block by diagonals when its rows (CSR) are a stencil: the entries of every row at
   the same few column offsets (a grid operator in a lexicographic ordering), with at most 1/4
   more values stored than entries. Half the memory traffic of CSR, which reads a column index
   per entry, and vectorised passes. */
static PetscErrorCode HybridSetDiagonals(PetscInt m, const PetscInt *ai, const PetscInt *aj, const PetscScalar *av, KrylearnDeepCDHybridOp *op)
{
  PetscInt off[128], nd = 0;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  /* the sorted offsets; a row's entries are sorted by column, so its offsets are met in order */
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = ai[i], at = 0; k < ai[i + 1]; k++) {
      const PetscInt o = aj[k] - i;

      while (at < nd && off[at] < o) at++;
      if (at < nd && off[at] == o) continue;
      if (nd == (PetscInt)PETSC_STATIC_ARRAY_LENGTH(off)) PetscFunctionReturn(0); /* not a stencil: CSR */
      for (PetscInt j = nd; j > at; j--) off[j] = off[j - 1];
      off[at] = o, nd++;
    }
  if (4 * m * nd > 5 * ai[m]) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(nd, &op->doff));
  PetscCall(PetscArraycpy(op->doff, off, nd));
  PetscCall(PetscCalloc1(HybridDiagSize(m, nd), &op->dval));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = ai[i], at = 0; k < ai[i + 1]; k++) {
      while (off[at] < aj[k] - i) at++;
      op->dval[HybridDiagAt(nd, i, at)] = (float)PetscRealPart(av[k]);
    }
  op->ndiag = nd;
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

/* The local block: by diagonals when it is a stencil, else a float CSR copy */
static PetscErrorCode HybridOpSetLocalBlock(Mat B, KrylearnDeepCDHybridOp *op)
{
  const PetscInt    *i, *j;
  const PetscScalar *v;
  PetscInt           m;
  PetscBool          done;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &i, &j, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_PLIB, "deepcd: no row access to an AIJ block");
  PetscCall(MatSeqAIJGetArrayRead(B, &v));
  PetscCall(HybridSetDiagonals(m, i, j, v, op));
  PetscCall(MatSeqAIJRestoreArrayRead(B, &v));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &i, &j, &done));
  if (!op->dval) PetscCall(HybridCopyBlock(B, &m, &op->ai, &op->aj, &op->aa));
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
  if (seq) PetscCall(HybridOpSetLocalBlock(M, op));
  else if (mpi) {
    const PetscInt *garray;
    PetscLayout     cmap;
    Mat             Ad, Ao;
    PetscInt        mo;

    PetscCall(MatMPIAIJGetSeqAIJ(M, &Ad, &Ao, &garray));
    PetscCall(HybridOpSetLocalBlock(Ad, op));
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

/* y = mask .* (w + alpha B x) over the rows of a CSR block (w NULL: 0; w may be y; mask
   NULL: 1) */
static void HybridCSRMult(PetscInt m, const PetscInt *bi, const PetscInt *bj, const float *ba, const float *x, float alpha, const float *w, const float *mask, float *y)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < m; i++) {
    float s = 0.0f;

    for (PetscInt k = bi[i]; k < bi[i + 1]; k++) s += ba[k] * x[bj[k]];
    s    = w ? w[i] + alpha * s : alpha * s;
    y[i] = mask ? mask[i] * s : s;
  }
}

/* y = w + alpha B x over the rows of a block stored by diagonals: row i has the values
   dv[HybridDiagAt(nd, i, k)] in the columns i + off[k] (zero where the column is outside the
   block). Blocks of rows, each diagonal a contiguous (vectorised) pass over the block. */
static void HybridDiagMult(PetscInt m, PetscInt nd, const PetscInt *off, const float *dv, const float *x, float alpha, const float *w, const float *mask, float *y)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i0 = 0; i0 < m; i0 += HYBRID_BLOCK) {
    const PetscInt i1 = PetscMin(i0 + HYBRID_BLOCK, m);
    float          acc[HYBRID_BLOCK];

    for (PetscInt i = i0; i < i1; i++) acc[i - i0] = 0.0f;
    for (PetscInt k = 0; k < nd; k++) {
      const float   *v  = dv + HybridDiagAt(nd, i0, k) - i0;
      const PetscInt lo = PetscMax(i0, -off[k]), hi = PetscMin(i1, m - off[k]); /* the rows whose column is inside */

      for (PetscInt i = lo; i < hi; i++) acc[i - i0] += v[i] * x[i + off[k]];
    }
    for (PetscInt i = i0; i < i1; i++) {
      const float s = w ? w[i] + alpha * acc[i - i0] : alpha * acc[i - i0];

      y[i] = mask ? mask[i] * s : s;
    }
  }
}

/* y = mask .* (w + alpha M x) (w NULL: y = alpha M x; w may be y, not x; mask NULL: 1) */
static PetscErrorCode HybridOpMult(KrylearnDeepCDHybridOp *op, const float *x, float alpha, const float *w, const float *mask, float *y)
{
  PetscFunctionBegin;
  if (!op->aa && !op->dval) { /* not AIJ: MatMult in double precision */
    PetscScalar *xa, *ya;
    PetscInt     n;

    PetscCall(VecGetLocalSize(op->x, &n));
    PetscCall(VecGetArrayWrite(op->x, &xa));
    for (PetscInt i = 0; i < n; i++) xa[i] = x[i];
    PetscCall(VecRestoreArrayWrite(op->x, &xa));
    PetscCall(MatMult(op->M, op->x, op->y));
    PetscCall(VecGetArray(op->y, &ya));
    for (PetscInt i = 0; i < op->m; i++) y[i] = ((w ? w[i] : 0.0f) + alpha * (float)PetscRealPart(ya[i])) * (mask ? mask[i] : 1.0f);
    PetscCall(VecRestoreArray(op->y, &ya));
    PetscFunctionReturn(0);
  }
  if (op->ghostsf) PetscCall(PetscSFBcastBegin(op->ghostsf, MPI_FLOAT, x, op->ghost, MPI_REPLACE));
  if (op->dval) HybridDiagMult(op->m, op->ndiag, op->doff, op->dval, x, alpha, w, op->ghostsf ? NULL : mask, y);
  else HybridCSRMult(op->m, op->ai, op->aj, op->aa, x, alpha, w, op->ghostsf ? NULL : mask, y);
  if (op->ghostsf) { /* the off-process columns, once their entries of x have arrived */
    PetscCall(PetscSFBcastEnd(op->ghostsf, MPI_FLOAT, x, op->ghost, MPI_REPLACE));
    HybridCSRMult(op->m, op->bi, op->bj, op->ba, op->ghost, alpha, y, mask, y);
  }
  PetscFunctionReturn(0);
}

/* A float operator from its local rows given with global columns of the layout cmap (CSR
   arrays of PetscMalloc1, taken over: the local block is compacted in them), the
   off-process block on the sorted distinct off-process columns, and the star forest that
   gathers those entries of x */
static PetscErrorCode HybridOpSetRows(MPI_Comm comm, PetscInt m, PetscInt **rowptr, PetscInt **cols, float **vals, PetscLayout cmap, KrylearnDeepCDHybridOp *op)
{
  PetscInt    cstart, cend, noff = 0, nloc = 0, start = 0, *ghosts, *ri = *rowptr, *cj = *cols;
  float      *va = *vals;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCall(HybridOpReset(op));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscLayoutGetRange(cmap, &cstart, &cend));
  for (PetscInt k = 0; k < ri[m]; k++) noff += cj[k] < cstart || cj[k] >= cend;
  PetscCall(PetscMalloc1(noff, &ghosts));
  noff = 0;
  for (PetscInt k = 0; k < ri[m]; k++)
    if (cj[k] < cstart || cj[k] >= cend) ghosts[noff++] = cj[k];
  op->nghost = noff;
  PetscCall(PetscSortRemoveDupsInt(&op->nghost, ghosts));
  if (size > 1) {
    PetscCall(PetscMalloc1(m + 1, &op->bi));
    PetscCall(PetscMalloc1(noff, &op->bj));
    PetscCall(PetscMalloc1(noff, &op->ba));
    op->bi[0] = 0;
  }
  for (PetscInt r = 0; r < m && noff; r++) { /* local entries moved to the front (never past where they are read) */
    const PetscInt end = ri[r + 1];

    if (op->bi) op->bi[r + 1] = op->bi[r];
    for (PetscInt k = start; k < end; k++) {
      if (cj[k] >= cstart && cj[k] < cend) {
        cj[nloc]   = cj[k] - cstart;
        va[nloc++] = va[k];
      } else {
        PetscInt g;

        PetscCall(PetscFindInt(cj[k], op->nghost, ghosts, &g));
        op->bj[op->bi[r + 1]]   = g;
        op->ba[op->bi[r + 1]++] = va[k];
      }
    }
    ri[r + 1] = nloc;
    start     = end;
  }
  if (!noff) { /* all columns local: the arrays as they are */
    for (PetscInt k = 0; k < ri[m] && cstart; k++) cj[k] -= cstart;
    if (op->bi) PetscCall(PetscArrayzero(op->bi, m + 1));
  }
  op->m  = m;
  op->ai = ri, op->aj = cj, op->aa = va;
  *rowptr = NULL, *cols = NULL, *vals = NULL;
  if (size > 1) {
    PetscCall(PetscMalloc1(op->nghost, &op->ghost));
    PetscCall(PetscSFCreate(comm, &op->ghostsf));
    PetscCall(PetscSFSetGraphLayout(op->ghostsf, cmap, op->nghost, NULL, PETSC_COPY_VALUES, ghosts));
    PetscCall(PetscSFSetUp(op->ghostsf));
  }
  PetscCall(PetscFree(ghosts));
  PetscFunctionReturn(0);
}

/* Row r of an operator's local block: its local columns and values, pointers into the CSR
   arrays or the row gathered from the diagonals (its nonzero values) into cbuf, vbuf */
static PetscInt HybridOpRow(const KrylearnDeepCDHybridOp *op, PetscInt r, PetscInt cbuf[128], float vbuf[128], const PetscInt **cols, const float **vals)
{
  PetscInt n = 0;

  if (!op->dval) {
    *cols = op->aj + op->ai[r], *vals = op->aa + op->ai[r];
    return op->ai[r + 1] - op->ai[r];
  }
  for (PetscInt k = 0; k < op->ndiag; k++) {
    const PetscInt c = r + op->doff[k];
    const float    v = op->dval[HybridDiagAt(op->ndiag, r, k)];

    if (c >= 0 && c < op->m && v != 0.0f) cbuf[n] = c, vbuf[n++] = v;
  }
  *cols = cbuf, *vals = vbuf;
  return n;
}

/* The natural cells of the local rows of level l: the operator's (dn->rowcell) or, on the
   coarser levels, the level's ownership range (natural ordering) */
static PetscErrorCode HybridLevelCells(KrylearnDeepCDNet *dn, PetscInt l, PetscInt **nat)
{
  KrylearnDeepCDHybrid *h      = &dn->hyb;
  PetscInt              rstart = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(h->m[l], nat));
  if (!l) PetscCall(PetscArraycpy(*nat, dn->rowcell, h->m[0]));
  else {
    PetscCall(VecGetOwnershipRange(h->r[l], &rstart, NULL));
    for (PetscInt r = 0; r < h->m[l]; r++) (*nat)[r] = rstart + r;
  }
  PetscFunctionReturn(0);
}

/* The transfers of level l (local rows: the natural cells nat[], PETSc numbering of the
   layout fine, ao mapping natural cells to it or NULL when they are the same) and level l + 1
   (natural ordering): P_l, the interpolation's rows of the fine cells, and R_l = P_l^T, its
   columns for the coarse cells (the up to 4 fine cells per axis whose parents they are),
   built from the structured interpolation without a transpose */
static PetscErrorCode HybridCreateTransfers(MPI_Comm comm, KrylearnDeepCDHybrid *h, PetscInt dim, PetscInt l, const PetscInt nat[], AO ao, PetscLayout fine)
{
  const PetscInt *nf = h->n[l], *nc = h->n[l + 1], m = h->m[l], mc = h->m[l + 1];
  PetscInt        cstart, *rowptr, *cols;
  PetscReal       w[8];
  float          *vals;
  PetscLayout     coarse;

  PetscFunctionBegin;
  PetscCall(VecGetLayout(h->r[l + 1], &coarse));
  PetscCall(PetscMalloc1(m + 1, &rowptr));
  PetscCall(PetscMalloc1(PetscPowInt(2, dim) * m, &cols));
  PetscCall(PetscMalloc1(PetscPowInt(2, dim) * m, &vals));
  rowptr[0] = 0;
  for (PetscInt r = 0; r < m; r++) {
    const PetscInt ncols = HybridInterpRow(dim, nf, nat[r], cols + rowptr[r], w);

    for (PetscInt k = 0; k < ncols; k++) vals[rowptr[r] + k] = (float)w[k];
    rowptr[r + 1] = rowptr[r] + ncols;
  }
  PetscCall(HybridOpSetRows(comm, m, &rowptr, &cols, &vals, coarse, &h->opP[l]));

  /* R: per axis, the fine cells 2c - 1 .. 2c + 2 that have the coarse cell c as a parent */
  PetscCall(PetscLayoutGetRange(coarse, &cstart, NULL));
  PetscCall(PetscMalloc1(mc + 1, &rowptr));
  PetscCall(PetscMalloc1(PetscPowInt(4, dim) * mc, &cols));
  PetscCall(PetscMalloc1(PetscPowInt(4, dim) * mc, &vals));
  rowptr[0] = 0;
  for (PetscInt r = 0; r < mc; r++) {
    PetscInt  c[3], child[3][4], cnt[3] = {1, 1, 1};
    PetscReal cw[3][4];

    HybridCellCoords(cstart + r, nc, c);
    for (PetscInt d = 0; d < 3; d++) {
      child[d][0] = 0, cw[d][0] = 1.0;
      if (d >= dim) continue;
      cnt[d] = 0;
      for (PetscInt i = PetscMax(2 * c[d] - 1, 0); i <= PetscMin(2 * c[d] + 2, nf[d] - 1); i++) {
        PetscInt       p[2];
        PetscReal      pw[2];
        const PetscInt np = HybridInterp1D(i, nf[d], p, pw);

        for (PetscInt k = 0; k < np; k++)
          if (p[k] == c[d]) child[d][cnt[d]] = i, cw[d][cnt[d]++] = pw[k];
      }
    }
    rowptr[r + 1] = rowptr[r];
    for (PetscInt a = 0; a < cnt[2]; a++)
      for (PetscInt b = 0; b < cnt[1]; b++)
        for (PetscInt e = 0; e < cnt[0]; e++) {
          cols[rowptr[r + 1]]   = child[0][e] + nf[0] * (child[1][b] + nf[1] * child[2][a]);
          vals[rowptr[r + 1]++] = (float)(cw[0][e] * cw[1][b] * cw[2][a]);
        }
  }
  if (ao) PetscCall(AOApplicationToPetsc(ao, rowptr[mc], cols)); /* natural cells -> the fine level's rows */
  PetscCall(HybridOpSetRows(comm, mc, &rowptr, &cols, &vals, fine, &h->opR[l]));
  PetscFunctionReturn(0);
}

/* The classical levels of the grid dn->n: extents, transfers and work vectors. ao: the
   natural cells (dn->rowcell of A's local rows) -> A's rows (NULL: the same).
   Returns the coarsest level's vector (the network's rows, natural ordering; owned by dn). */
PetscErrorCode KrylearnDeepCDHybridSetUpGrid(MPI_Comm comm, KrylearnDeepCDNet *dn, Mat A, AO ao, Vec *coarse)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  PetscInt             *idx, levels;
  const PetscInt       *iterations;
  PetscLayout           fine;

  PetscFunctionBegin;
  PetscCall(KrylearnNetGetHybrid(dn->net, NULL, &h->sweeps, &h->damping, &levels));
  PetscCall(KrylearnNetGetHybridCoarseIterations(dn->net, &iterations));
  PetscCheck(levels <= DEEPCD_MAXCLASSICAL, comm, PETSC_ERR_SUP, "deepcd: at most %d classical levels", DEEPCD_MAXCLASSICAL);
  h->levels = levels; /* what Reset frees */
  for (PetscInt l = 1; l <= levels; l++) h->iterations[l] = iterations[l - 1];
  for (PetscInt d = 0; d < 3; d++) h->n[0][d] = dn->n[d];
  PetscCall(MatGetLocalSize(A, &h->m[0], NULL));
  for (PetscInt l = 1; l <= h->levels; l++) {
    for (PetscInt d = 0; d < 3; d++) h->n[l][d] = d < dn->dim ? (h->n[l - 1][d] + 1) / 2 : 1;
    PetscCall(VecCreateMPI(comm, PETSC_DECIDE, h->n[l][0] * h->n[l][1] * h->n[l][2], &h->r[l]));
    PetscCall(VecDuplicate(h->r[l], &h->z[l]));
    PetscCall(VecGetLocalSize(h->r[l], &h->m[l]));
  }
  PetscCall(PetscLayoutCreateFromSizes(comm, h->m[0], PETSC_DECIDE, 1, &fine)); /* A's rows; a matrix type may not set its layout up */
  PetscCall(HybridCreateTransfers(comm, h, dn->dim, 0, dn->rowcell, ao, fine));
  PetscCall(PetscLayoutDestroy(&fine));
  for (PetscInt l = 1; l < h->levels; l++) {
    PetscCall(VecGetLayout(h->r[l], &fine));
    PetscCall(HybridLevelCells(dn, l, &idx));
    PetscCall(HybridCreateTransfers(comm, h, dn->dim, l, idx, NULL, fine));
    PetscCall(PetscFree(idx));
  }
  for (PetscInt l = 0; l < h->levels; l++) {
    const PetscInt m = h->m[l];

    PetscCall(PetscMalloc7(m, &h->in[l], m, &h->out[l], m, &h->dinv[l], m, &h->t[l], m, &h->d[l], m, &h->e[l], m, &h->ae[l]));
  }
  PetscCall(PetscMalloc3(h->m[h->levels], &h->in[h->levels], h->m[h->levels], &h->out[h->levels], h->m[h->levels], &h->dinv[h->levels])); /* the Galerkin product of level L sets dinv */
  for (PetscInt l = 1; l <= h->levels; l++)
    if (h->iterations[l] > 1) PetscCall(PetscMalloc1(2 * h->iterations[l] * h->m[l], &h->krylov[l]));
  PetscCall(PetscMalloc1(h->m[0], &h->mask));
  *coarse = h->r[h->levels];
  PetscFunctionReturn(0);
}

/* The cells of a coarse grid of extents nc at most 2 from the cell c per axis, the columns of
   its row in a Galerkin operator: their natural indices and their places in a 5^dim stencil */
static PetscInt HybridStencilColumns(PetscInt dim, const PetscInt nc[3], const PetscInt c[3], PetscInt cols[125], PetscInt at[125])
{
  PetscInt ncols = 0;

  for (PetscInt oz = (dim == 3 ? -2 : 0); oz <= (dim == 3 ? 2 : 0); oz++)
    for (PetscInt oy = -2; oy <= 2; oy++)
      for (PetscInt ox = -2; ox <= 2; ox++) {
        const PetscInt J[3] = {c[0] + ox, c[1] + oy, c[2] + oz};

        if (J[0] < 0 || J[0] >= nc[0] || J[1] < 0 || J[1] >= nc[1] || J[2] < 0 || J[2] >= nc[2]) continue;
        cols[ncols] = J[0] + nc[0] * (J[1] + nc[1] * J[2]);
        at[ncols++] = (ox + 2) + 5 * ((oy + 2) + 5 * (dim == 3 ? oz + 2 : 0));
      }
  return ncols;
}

/* The operator of a level in natural ordering (ownership range of the layout cmap, grid
   extents nc) from its m local rows as 5^dim stencils by diagonals (HybridDiagAt; slots
   of HybridStencilColumns, zero outside the grid; taken over): the local block by those
   diagonals, one per slot (on grids narrower than 5 cells two slots can have the same column
   offset, never both in one row), and the off-process entries as CSR */
static PetscErrorCode HybridOpSetStencil(MPI_Comm comm, PetscInt dim, const PetscInt nc[3], PetscInt m, float **dval, PetscLayout cmap, KrylearnDeepCDHybridOp *op)
{
  const PetscInt ns = PetscPowInt(5, dim), span = 2 + 2 * nc[0] + (dim == 3 ? 2 * nc[0] * nc[1] : 0); /* farthest column of a row */
  PetscInt       cstart, cend, *doff, *rowptr, *gcols, ng = 0;
  float         *gvals;

  PetscFunctionBegin;
  PetscCall(PetscLayoutGetRange(cmap, &cstart, &cend));
  PetscCall(PetscMalloc1(ns, &doff));
  for (PetscInt s = 0; s < ns; s++) doff[s] = s % 5 - 2 + nc[0] * ((s / 5) % 5 - 2 + nc[1] * (dim == 3 ? s / 25 - 2 : 0));
  /* the off-process entries, in the rows within span of the range's ends */
  PetscCall(PetscMalloc1(m + 1, &rowptr));
  rowptr[0] = 0;
  for (PetscInt pass = 0; pass < 2; pass++) { /* count, then fill */
    for (PetscInt i = 0; i < m; i++) {
      PetscInt c[3], cols[125], at[125], ncols;

      if (!pass) rowptr[i + 1] = rowptr[i];
      if (i >= span && i < m - span) continue;
      HybridCellCoords(cstart + i, nc, c);
      ncols = HybridStencilColumns(dim, nc, c, cols, at);
      for (PetscInt k = 0; k < ncols; k++) {
        if (cols[k] >= cstart && cols[k] < cend) continue;
        if (pass) gcols[ng] = cols[k], gvals[ng] = (*dval)[HybridDiagAt(ns, i, at[k])];
        else rowptr[i + 1]++;
        ng++;
      }
    }
    if (!pass) {
      PetscCall(PetscMalloc1(ng, &gcols));
      PetscCall(PetscMalloc1(ng, &gvals));
      ng = 0;
    }
  }
  PetscCall(HybridOpSetRows(comm, m, &rowptr, &gcols, &gvals, cmap, op)); /* its local block is empty */
  PetscCall(PetscFree(op->aj));
  PetscCall(PetscFree(op->aa));
  op->ndiag = ns, op->doff = doff, op->dval = *dval;
  *dval = NULL;
  PetscFunctionReturn(0);
}

/* A_l = P^T A_l-1 P and the damped inverse of its diagonal, in one pass over the entries of
   A_l-1 (h->opA[l-1]), with P = P_0 zero on the rows outside the domain for l = 1. P is a
   tensor product of 1-D interpolations, each fine cell having at most 2 parents per axis; so
   a row that couples cells at most 2 apart per axis adds to the rows of its parents entries
   at most 2 apart per axis, a stencil of 5^dim per coarse row. Each fine row first gathers its
   product with P (on the coarse cells its neighbours' parents are, 3 per axis when they are
   its own neighbours), then adds it, weighted, to its parents' rows, kept in a box of the
   coarse cells this process touches (each row's 5^dim values together, where the scattered
   additions stay in cache); the box's rows are summed into their owners', then stored by
   diagonals (HybridOpSetStencil). No AIJ matrix is built: MatPtAP, which builds the product
   of general matrices, costs several times more, and the memory of 5^dim-point rows costs
   time of its own (set-up of the 3-D model with 2 classical levels at 128^3 2.5 s -> 1.3 s).
   done: false when a row couples cells farther apart (periodic faces) or A_l-1 is not AIJ. */
static PetscErrorCode HybridGalerkin(KrylearnDeepCDNet *dn, PetscInt l, PetscBool *done)
{
  KrylearnDeepCDHybrid         *h   = &dn->hyb;
  const KrylearnDeepCDHybridOp *op  = &h->opA[l - 1];
  const PetscInt                dim = dn->dim, *nf = h->n[l - 1], *nc = h->n[l], m = h->m[l - 1], mc = h->m[l], ns = PetscPowInt(5, dim);
  const PetscInt                sh[3] = {1, 1, dim == 3}; /* b's index per axis: parent - c0 + sh */
  MPI_Comm                      comm  = PetscObjectComm((PetscObject)h->r[l]);
  PetscInt                      lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, bx[3] = {1, 1, 1}, *nat, *gnat = NULL, far = 0, anyfar, cbuf[128];
  PetscInt                     *first[3], *count[3], (*rc)[3], (*gc)[3] = NULL; /* per axis: first parent, parents; cells' coordinates */
  PetscReal                    *wt[3];                                          /* per axis: the parents' weights */
  float                        *gmask = NULL, *mask = l == 1 ? h->mask : NULL, vbuf[128], *box, *rows, *dval;
  float                         b[64];
  PetscInt                      nbox;
  PetscMPIInt                   size;

  PetscFunctionBegin;
  *done = PETSC_FALSE;
  if (!op->aa && !op->dval) PetscFunctionReturn(0);
  /* natural cells (and mask) of the local rows and of the off-process columns, as coordinates */
  PetscCall(HybridLevelCells(dn, l - 1, &nat));
  PetscCall(PetscMalloc1(m, &rc));
  for (PetscInt r = 0; r < m; r++) HybridCellCoords(nat[r], nf, rc[r]);
  if (op->ghostsf) {
    PetscCall(PetscMalloc3(op->nghost, &gnat, op->nghost, &gmask, op->nghost, &gc));
    PetscCall(PetscSFBcastBegin(op->ghostsf, MPIU_INT, nat, gnat, MPI_REPLACE));
    PetscCall(PetscSFBcastEnd(op->ghostsf, MPIU_INT, nat, gnat, MPI_REPLACE));
    if (mask) {
      PetscCall(PetscSFBcastBegin(op->ghostsf, MPI_FLOAT, mask, gmask, MPI_REPLACE));
      PetscCall(PetscSFBcastEnd(op->ghostsf, MPI_FLOAT, mask, gmask, MPI_REPLACE));
    }
    for (PetscInt g = 0; g < op->nghost; g++) HybridCellCoords(gnat[g], nf, gc[g]);
  }
  for (PetscInt d = 0; d < 3; d++) {
    const PetscInt n = d < dim ? nf[d] : 1;

    PetscCall(PetscMalloc3(n, &first[d], n, &count[d], 2 * n, &wt[d]));
    for (PetscInt i = 0; i < n; i++) {
      PetscInt c[2] = {0, 0};

      wt[d][2 * i] = 1.0, wt[d][2 * i + 1] = 0.0, count[d][i] = 1;
      if (d < dim) count[d][i] = HybridInterp1D(i, n, c, &wt[d][2 * i]);
      first[d][i] = c[0];
    }
  }
  /* the box of the parents of the local rows */
  for (PetscInt r = 0; r < m; r++)
    for (PetscInt d = 0; d < dim; d++) {
      const PetscInt c = first[d][rc[r][d]];

      lo[d] = r ? PetscMin(lo[d], c) : c;
      hi[d] = r ? PetscMax(hi[d], c + count[d][rc[r][d]] - 1) : c + count[d][rc[r][d]] - 1;
    }
  for (PetscInt d = 0; d < dim; d++) bx[d] = m ? hi[d] - lo[d] + 1 : 0;
  nbox = bx[0] * bx[1] * bx[2];
  PetscCall(PetscCalloc1(nbox * ns, &box));
  PetscCall(PetscArrayzero(b, 64));
  for (PetscInt r = 0; r < m && !far; r++) {
    const PetscInt *ci = rc[r], c0[3] = {first[0][ci[0]], first[1][ci[1]], first[2][ci[2]]};
    PetscInt        blo[3] = {0, 3, 3}, bhi[3] = {3, 0, 0}; /* b's nonzero extent in y and z (x: 4 wide) */

    if (mask && mask[r] == 0.0f) continue; /* P_0 has no entry in rows outside the domain */
    /* b = (A P) restricted to this row, on the coarse cells c0 - 1 .. c0 + 2 per axis */
    for (PetscInt blk = 0; blk < 2 && !far; blk++) {
      const PetscInt *rj;
      const float    *ra, *cmask = mask ? (blk ? gmask : mask) : NULL;
      const PetscInt(*cc)[3] = blk ? gc : rc;
      PetscInt n;

      if (!blk) n = HybridOpRow(op, r, cbuf, vbuf, &rj, &ra);
      else if (op->bi) n = op->bi[r + 1] - op->bi[r], rj = op->bj + op->bi[r], ra = op->ba + op->bi[r];
      else continue;
      for (PetscInt k = 0; k < n; k++) {
        const PetscInt *cj = cc[rj[k]];
        float           a  = ra[k];
        PetscInt        at;

        for (PetscInt d = 0; d < dim; d++) far = far || PetscAbsInt(cj[d] - ci[d]) > 2;
        if (far) break;
        if (cmask) a *= cmask[rj[k]];
        if (a == 0.0f) continue;
        for (PetscInt d = 1; d < 3; d++) {
          blo[d] = PetscMin(blo[d], first[d][cj[d]] - c0[d] + sh[d]);
          bhi[d] = PetscMax(bhi[d], first[d][cj[d]] + count[d][cj[d]] - 1 - c0[d] + sh[d]);
        }
        at = first[0][cj[0]] - c0[0] + 1 + 4 * (first[1][cj[1]] - c0[1] + 1 + 4 * (first[2][cj[2]] - c0[2] + sh[2]));
        for (PetscInt z = 0; z < count[2][cj[2]]; z++)
          for (PetscInt y = 0; y < count[1][cj[1]]; y++) {
            const float ayz = a * (float)(wt[2][2 * cj[2] + z] * wt[1][2 * cj[1] + y]);

            for (PetscInt x = 0; x < count[0][cj[0]]; x++) b[at + x + 4 * (y + 4 * z)] += ayz * (float)wt[0][2 * cj[0] + x];
          }
      }
    }
    if (far) break;
    /* the row of each parent c0 + (x, y, z) gets w b, at the offsets J - parent + 2 in [0, 4] */
    for (PetscInt z = 0; z < count[2][ci[2]]; z++)
      for (PetscInt y = 0; y < count[1][ci[1]]; y++)
        for (PetscInt x = 0; x < count[0][ci[0]]; x++) {
          const float    w   = (float)(wt[0][2 * ci[0] + x] * wt[1][2 * ci[1] + y] * wt[2][2 * ci[2] + z]);
          const PetscInt k   = (c0[0] + x - lo[0]) + bx[0] * ((c0[1] + y - lo[1]) + bx[1] * (c0[2] + z - lo[2]));
          float         *row = box + ns * k;

          for (PetscInt bz = blo[2]; bz <= bhi[2]; bz++)
            for (PetscInt by = blo[1]; by <= bhi[1]; by++) {
              float       *dst = row + (1 - x) + 5 * ((by + 1 - y) + 5 * (dim == 3 ? bz + 1 - z : 0));
              const float *src = b + 4 * (by + 4 * bz);

              for (PetscInt bxx = 0; bxx < 4; bxx++) dst[bxx] += w * src[bxx]; /* b is zero past its extent: 4 wide, vectorised */
            }
        }
    for (PetscInt bz = blo[2]; bz <= bhi[2]; bz++)
      for (PetscInt by = blo[1]; by <= bhi[1]; by++)
        for (PetscInt bxx = 0; bxx < 4; bxx++) b[bxx + 4 * (by + 4 * bz)] = 0.0f;
  }
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree3(first[d], count[d], wt[d]));
  PetscCall(PetscFree(nat));
  PetscCall(PetscFree(rc));
  PetscCall(PetscFree3(gnat, gmask, gc));
  PetscCall(MPIU_Allreduce(&far, &anyfar, 1, MPIU_INT, MPI_MAX, comm));
  if (anyfar) {
    PetscCall(PetscInfo(h->A[l - 1], "classical level %" PetscInt_FMT ": the operator couples cells more than 2 apart; MatPtAP builds the Galerkin product\n", l));
    PetscCall(PetscFree(box));
    PetscFunctionReturn(0);
  }
  /* the rows this process owns: on one process the box; else the box's rows summed into their
     owners' */
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) rows = box;
  else {
    Vec                owned;
    const PetscScalar *a;

    PetscCall(VecCreateMPI(comm, mc * ns, PETSC_DETERMINE, &owned));
    PetscCall(VecSetBlockSize(owned, ns));
    for (PetscInt k = 0; k < nbox; k++) {
      const PetscInt c[3] = {lo[0] + k % bx[0], lo[1] + (k / bx[0]) % bx[1], lo[2] + k / (bx[0] * bx[1])}, row = c[0] + nc[0] * (c[1] + nc[1] * c[2]);
      PetscScalar    v[125];

      for (PetscInt j = 0; j < ns; j++) v[j] = box[ns * k + j];
      PetscCall(VecSetValuesBlocked(owned, 1, &row, v, ADD_VALUES));
    }
    PetscCall(PetscFree(box));
    PetscCall(VecAssemblyBegin(owned));
    PetscCall(VecAssemblyEnd(owned));
    PetscCall(PetscMalloc1(mc * ns, &rows));
    PetscCall(VecGetArrayRead(owned, &a));
    for (PetscInt k = 0; k < mc * ns; k++) rows[k] = (float)PetscRealPart(a[k]);
    PetscCall(VecRestoreArrayRead(owned, &a));
    PetscCall(VecDestroy(&owned));
  }
  /* by diagonals (the product is faster with the rows' slots together, the operator with the diagonals) */
  PetscCall(PetscMalloc1(HybridDiagSize(mc, ns), &dval));
  for (PetscInt i = 0; i < mc; i++)
    for (PetscInt j = 0; j < ns; j++) dval[HybridDiagAt(ns, i, j)] = rows[ns * i + j];
  PetscCall(PetscFree(rows));
  for (PetscInt i = 0; i < mc; i++) {
    const float aii = dval[HybridDiagAt(ns, i, ns / 2)]; /* slot (2, 2, 2): the diagonal */

    h->dinv[l][i] = aii != 0.0f ? (float)(h->damping / aii) : 0.0f;
  }
  {
    PetscLayout cmap;

    PetscCall(VecGetLayout(h->r[l], &cmap));
    PetscCall(HybridOpSetStencil(comm, dim, nc, mc, &dval, cmap, &h->opA[l]));
  }
  *done = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* A_l = P^T A_l-1 P by MatPtAP, for an operator HybridGalerkin does not take */
static PetscErrorCode HybridPtAP(KrylearnDeepCDNet *dn, PetscInt l, Vec mask)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;

  PetscFunctionBegin;
  PetscCheck(h->A[l - 1], PETSC_COMM_SELF, PETSC_ERR_PLIB, "deepcd: no matrix for the Galerkin product of level %" PetscInt_FMT, l);
  if (!h->Pgrid[l - 1]) {
    PetscInt *nat;

    PetscCall(HybridLevelCells(dn, l - 1, &nat));
    PetscCall(HybridCreateInterpolation(PetscObjectComm((PetscObject)h->A[l - 1]), dn->dim, h->n[l - 1], h->m[l - 1], nat, h->r[l], &h->Pgrid[l - 1]));
    PetscCall(PetscFree(nat));
  }
  if (l == 1) {
    if (h->P0) PetscCall(MatCopy(h->Pgrid[0], h->P0, SAME_NONZERO_PATTERN));
    else PetscCall(MatDuplicate(h->Pgrid[0], MAT_COPY_VALUES, &h->P0));
    PetscCall(MatDiagonalScale(h->P0, mask, NULL));
  }
  PetscCall(MatPtAP(h->A[l - 1], l == 1 ? h->P0 : h->Pgrid[l - 1], MAT_INITIAL_MATRIX, PETSC_DEFAULT, &h->A[l]));
  PetscFunctionReturn(0);
}

/* For the operator A with the cells outside the domain (mask 0): the Galerkin operators
   (HybridGalerkin, or MatPtAP with P_0, Pgrid[0] zero on the rows outside the domain), the
   damped inverse diagonals, and for a network that reads a geometry the fraction of each
   coarsest cell outside the domain, 1 - (P^T ... P^T mask) / 2^(dim L). The transfers of
   level 0 apply the mask to vectors (P_0 x = mask .* P x, P_0^T t = P^T (mask .* t)), so that
   a new operator costs no copy of P and P^T. */
PetscErrorCode KrylearnDeepCDHybridSetUpOperator(KrylearnDeepCDNet *dn, Mat A, Vec mask)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const char           *geometry;

  PetscFunctionBegin;
  PetscCall(PetscObjectReference((PetscObject)A));
  PetscCall(MatDestroy(&h->A[0]));
  h->A[0] = A;
  for (PetscInt l = 0; l < h->levels + (h->iterations[h->levels] > 1); l++) { /* the network's level too when its problem is solved by flexible CG */
    const PetscScalar *a, *in;
    Vec                diag;

    if (l) {
      PetscBool done;

      PetscCall(PetscLogEventBegin(KRYLEARN_DeepCDGalerkin, A, 0, 0, 0));
      PetscCall(MatDestroy(&h->A[l]));
      PetscCall(HybridGalerkin(dn, l, &done));
      if (!done) PetscCall(HybridPtAP(dn, l, mask));
      PetscCall(PetscLogEventEnd(KRYLEARN_DeepCDGalerkin, A, 0, 0, 0));
      if (done) continue;
    }
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

    PetscCall(HybridOpMult(&h->opR[0], h->mask, 1.0f, NULL, NULL, h->in[1])); /* P_0^T mask = P^T mask: the mask is 0 or 1 */
    for (PetscInt l = 1; l < h->levels; l++) PetscCall(HybridOpMult(&h->opR[l], h->in[l], 1.0f, NULL, NULL, h->in[l + 1]));
    PetscCall(VecGetLocalSize(w, &n));
    PetscCall(VecGetArrayWrite(w, &a));
    for (PetscInt i = 0; i < n; i++) a[i] = PetscMin(PetscMax(1.0 - h->in[h->levels][i] / cells, 0.0), 1.0);
    PetscCall(VecRestoreArrayWrite(w, &a));
    PetscCall(VecScatterBegin(dn->tonet, w, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(dn->tonet, w, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(KrylearnNetSetGeometry(dn->net, dn->xda));
  }
  PetscFunctionReturn(0);
}

/* x .*= mask */
static void HybridMask(PetscInt n, const float *mask, float *x)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) x[i] *= mask[i];
}

/* d = dinv .* t, z += d; without d (the first step of a cycle, z = 0 before) z = dinv .* t */
static void HybridJacobiStep(PetscInt n, const float *dinv, const float *t, float *d, float *z)
{
  if (!d) {
#pragma omp parallel for schedule(static)
    for (PetscInt i = 0; i < n; i++) z[i] = dinv[i] * t[i];
    return;
  }
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    d[i] = dinv[i] * t[i];
    z[i] += d[i];
  }
}

/* dots = {x.y, x.w} over the processes, summed in double precision (w NULL: x.y alone) */
static PetscErrorCode HybridDots(MPI_Comm comm, PetscInt n, const float *x, const float *y, const float *w, double dots[2])
{
  double local[2], xy = 0.0, xw = 0.0;

  PetscFunctionBegin;
#pragma omp parallel for schedule(static) reduction(+ : xy, xw)
  for (PetscInt i = 0; i < n; i++) {
    xy += (double)x[i] * y[i];
    if (w) xw += (double)x[i] * w[i];
  }
  local[0] = xy, local[1] = xw;
  PetscCall(MPIU_Allreduce(local, dots, w ? 2 : 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

/* x += alpha p, y += beta q */
static void HybridAXPY(PetscInt n, float alpha, const float *p, float *x, float beta, const float *q, float *y)
{
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    y[i] += beta * q[i];
  }
}

/* The exact line search along e: beta = e.t / e.Ae (0 unless e.Ae > 0: a useless step is
   dropped), z += beta e, t -= beta Ae, and e.Ae in *eae when asked. The coarse correction
   of a cycle and each step of flexible CG. */
static PetscErrorCode HybridCorrect(MPI_Comm comm, PetscInt n, const float *e, const float *ae, float *z, float *t, double *eae)
{
  double dots[2];
  float  beta;

  PetscFunctionBegin;
  PetscCall(HybridDots(comm, n, e, ae, t, dots));
  beta = dots[0] > 0.0 ? (float)(dots[1] / dots[0]) : 0.0f;
  HybridAXPY(n, beta, e, z, -beta, ae, t);
  if (eae) *eae = dots[0];
  PetscFunctionReturn(0);
}

/* nu damped-Jacobi sweeps z += w D^-1 t, t -= A (w D^-1 t). Pre-smoothing starts from
   z = 0, t = r (t is set by the first sweep, whose step is z itself) and leaves mask .* t
   (mask NULL: t); post-smoothing skips the last residual update, which nothing reads. */
static PetscErrorCode HybridSmooth(KrylearnDeepCDHybrid *h, PetscInt l, const float *r, float *z, PetscBool pre, const float *mask)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < h->sweeps; k++) {
    const PetscBool first = (PetscBool)(pre && !k);

    HybridJacobiStep(h->m[l], h->dinv[l], first ? r : h->t[l], first ? NULL : h->d[l], z);
    if (pre || k + 1 < h->sweeps) PetscCall(HybridOpMult(&h->opA[l], first ? z : h->d[l], -1.0f, first ? r : h->t[l], pre && k + 1 == h->sweeps ? mask : NULL, h->t[l]));
  }
  if (pre && !h->sweeps) {
    PetscCall(PetscArraycpy(h->t[l], r, h->m[l]));
    if (mask) HybridMask(h->m[l], mask, h->t[l]);
  }
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
  PetscCall(KrylearnDeepCDNetRun_Private(dn, h->r[L], 1.0, h->z[L]));
  PetscCall(VecGetArray(h->z[L], &a));
  for (PetscInt i = 0; i < h->m[L]; i++) h->out[L][i] = (float)PetscRealPart(a[i]);
  PetscCall(VecRestoreArray(h->z[L], &a));
  PetscFunctionReturn(0);
}

static PetscErrorCode HybridCycle(KrylearnDeepCDNet *, MPI_Comm, PetscInt);

/* x = the solution of level c's problem A_c x = in[c] (in[c] is overwritten): with k_c = 1 the
   preconditioner (the cycle of level c, or the network on the last level) applied to in[c];
   else k_c steps of flexible CG, each preconditioned direction out[c] made A_c-conjugate to the
   earlier ones (their A products kept: one product with A_c per step) */
static PetscErrorCode HybridCoarseSolve(KrylearnDeepCDNet *dn, MPI_Comm comm, PetscInt c, const float **x)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const PetscInt        m = h->m[c], k = h->iterations[c];
  float                *p = h->out[c], *sol = h->krylov[c], *ap = sol + m, *res = h->in[c];
  double                qaq[4];

  PetscFunctionBegin;
  for (PetscInt step = 0; step < k; step++) {
    if (c < h->levels) PetscCall(HybridCycle(dn, comm, c));
    else PetscCall(HybridNetwork(dn));
    if (k == 1) break;
    PetscCall(HybridOpMult(&h->opA[c], p, 1.0f, NULL, NULL, ap));
    for (PetscInt j = 0; j < step; j++) { /* earlier direction q = krylov[2 + 2j], A q after it */
      const float *q = sol + (2 + 2 * j) * m, *aq = q + m;
      double       paq[2];
      float        g;

      PetscCall(HybridDots(comm, m, p, aq, NULL, paq));
      g = qaq[j] > 0.0 ? (float)(paq[0] / qaq[j]) : 0.0f;
      HybridAXPY(m, -g, q, p, -g, aq, ap);
    }
    if (!step) PetscCall(PetscArrayzero(sol, m));
    PetscCall(HybridCorrect(comm, m, p, ap, sol, res, &qaq[step]));
    if (step + 1 < k) {
      PetscCall(PetscArraycpy(sol + (2 + 2 * step) * m, p, m));
      PetscCall(PetscArraycpy(sol + (3 + 2 * step) * m, ap, m));
    }
  }
  *x = k == 1 ? p : sol;
  PetscFunctionReturn(0);
}

/* out[l] = the cycle from level l applied to in[l] */
static PetscErrorCode HybridCycle(KrylearnDeepCDNet *dn, MPI_Comm comm, PetscInt l)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const float          *x;

  PetscFunctionBegin;
  if (!h->sweeps) PetscCall(PetscArrayzero(h->out[l], h->m[l]));
  /* level 0: t masked for P_0^T (nothing else reads t outside the domain: the smoother and e
     vanish there), e = P_0 x masked */
  PetscCall(HybridSmooth(h, l, h->in[l], h->out[l], PETSC_TRUE, l ? NULL : h->mask));
  PetscCall(HybridOpMult(&h->opR[l], h->t[l], 1.0f, NULL, NULL, h->in[l + 1]));
  PetscCall(HybridCoarseSolve(dn, comm, l + 1, &x));
  PetscCall(HybridOpMult(&h->opP[l], x, 1.0f, NULL, l ? NULL : h->mask, h->e[l]));
  PetscCall(HybridOpMult(&h->opA[l], h->e[l], 1.0f, NULL, NULL, h->ae[l]));
  PetscCall(HybridCorrect(comm, h->m[l], h->e[l], h->ae[l], h->out[l], h->t[l], NULL));
  PetscCall(HybridSmooth(h, l, h->in[l], h->out[l], PETSC_FALSE, NULL));
  PetscFunctionReturn(0);
}

/* q = the hybrid cycle applied to scale r */
PetscErrorCode KrylearnDeepCDHybridApply(KrylearnDeepCDNet *dn, Vec r, PetscReal scale, Vec q)
{
  KrylearnDeepCDHybrid *h = &dn->hyb;
  const PetscScalar    *ra;
  PetscScalar          *qa;
  float                *in = h->in[0], *out = h->out[0];

  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(r, &ra));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < h->m[0]; i++) in[i] = (float)(scale * PetscRealPart(ra[i]));
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
  PetscCall(PetscViewerASCIIPrintf(viewer, "flexible-CG steps on the coarse levels 1 .. %" PetscInt_FMT " (1: the cycle below applied once):", h->levels));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
  for (PetscInt l = 1; l <= h->levels; l++) PetscCall(PetscViewerASCIIPrintf(viewer, " %" PetscInt_FMT, h->iterations[l]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
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
    PetscCall(HybridOpReset(&h->opA[l]));
    PetscCall(MatDestroy(&h->A[l]));
    PetscCall(PetscFree(h->krylov[l]));
    if (l == DEEPCD_MAXCLASSICAL) break;
    PetscCall(MatDestroy(&h->Pgrid[l]));
    PetscCall(HybridOpReset(&h->opP[l]));
    PetscCall(HybridOpReset(&h->opR[l]));
    if (l < h->levels) PetscCall(PetscFree7(h->in[l], h->out[l], h->dinv[l], h->t[l], h->d[l], h->e[l], h->ae[l]));
  }
  if (h->levels) PetscCall(PetscFree3(h->in[h->levels], h->out[h->levels], h->dinv[h->levels]));
  PetscCall(MatDestroy(&h->P0));
  PetscCall(PetscFree(h->mask));
  h->levels = 0;
  PetscFunctionReturn(0);
}
