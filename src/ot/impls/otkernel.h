/* Matrix-scaling kernels of entropic optimal transport on a block of cost rows.

   Pure arithmetic on arrays: no PETSc objects, no communication. Every kernel walks
   the local rows once; per row it builds the exponents eta(-C_ij + x_i + y_j) - 1
   (the logarithm of the plan entry) in a contiguous buffer and exponentiates it with
   the vector exp. Column quantities are accumulated into full-length arrays that the
   caller reduces across ranks. Internal to the library (PETSC_INTERN). */
#ifndef KRYLEARN_OTKERNEL_H
#define KRYLEARN_OTKERNEL_H

#include <petscsys.h>

typedef enum {
  OT_STORE_DENSE,  /* nloc x m row-major cost rows */
  OT_STORE_SPARSE, /* local CSR rows; absent entries have infinite cost */
  OT_STORE_CLOUD   /* points X (nloc x d, row-major) and Y^T (d x m), cost computed per row */
} OTStore;

typedef struct {
  OTStore          store;
  PetscInt         nloc, m, d;
  const PetscReal *dense;
  const PetscInt  *ai, *aj;
  const PetscReal *aa;
  const PetscReal *X, *Yt;
  PetscBool        euclidean; /* clouds: |x - y| instead of |x - y|^2 */
} OTCostRows;

/* Bins of the histogram of log P used to choose the sparsification threshold. */
#define OT_HIST_BINS  1600
#define OT_HIST_WIDTH 0.5

/* Chooses the vector exp: width 2 (SSE2), 4 (AVX2) or 8 (AVX-512) doubles, capped by what
   the processor supports; 0 picks the widest. Process-wide; returns the width in use. */
PETSC_INTERN PetscInt OTKernelSetExpWidth(PetscInt width);

/* Workspace length (in PetscReal) every kernel below needs. */
PETSC_INTERN PetscInt OTKernelWorkSize(const OTCostRows *);

/* Row scaling: for each local row, the current row sum s_i of P, err += |s_i - r_i|,
   xnew_i = x_i + (log r_i - log s_i)/eta (log s_i computed stably). */
PETSC_INTERN void OTKernelRowScale(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *r, PetscReal *xnew, PetscReal *err, PetscReal *work);

/* colsum_j += sum_i P_ij (unshifted); flags nothing, the caller checks the range. */
PETSC_INTERN void OTKernelColSums(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *colsum, PetscReal *work);

/* colmax_j = max(colmax_j, max_i log P_ij). */
PETSC_INTERN void OTKernelColMax(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *colmax, PetscReal *work);

/* colsum_j += sum_i exp(log P_ij - colmax_j). */
PETSC_INTERN void OTKernelColSumsShifted(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *colmax, PetscReal *colsum, PetscReal *work);

/* rowsum_i = sum_j P_ij, colsum_j += sum_i P_ij, *transport += sum C_ij P_ij, and when
   hmass/hcount are given the mass and count of off-diagonal entries per bin of -log P. */
PETSC_INTERN void OTKernelPlanStats(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *rowsum, PetscReal *colsum, PetscReal *transport, PetscReal *hmass, PetscReal *hcount, PetscReal *work);

/* Bin of -log P used by the histogram and by the sparsification test. */
static inline PetscInt OTKernelBin(PetscReal logp)
{
  PetscReal b = -logp / OT_HIST_WIDTH;
  if (!(b > 0)) return 0;
  if (b >= OT_HIST_BINS - 1) return OT_HIST_BINS - 1;
  return (PetscInt)b;
}

/* Entries of row i of P: values into vals (length *nc), column indices into cols. */
PETSC_INTERN void OTKernelPlanRow(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscInt i, PetscInt *nc, PetscInt *cols, PetscReal *vals, PetscReal *work);

/* sum_ij P_ij phi(eta alpha (dx_i + dy_j)) with phi(u) = exp(u) - 1 - u computed without
   cancellation: the line-search change of the dual objective is
   alpha g.d - (1/eta) * this sum. */
PETSC_INTERN PetscReal OTKernelLineSearchPhi(const OTCostRows *, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *dx, const PetscReal *dy, PetscReal alpha, PetscReal *work);

#endif
