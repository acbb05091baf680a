/* Matrix-scaling kernels of entropic optimal transport (see otkernel.h).

   The exponentials go through glibc's vector math library (x86-64 vector ABI entries
   _ZGVbN2v_exp, _ZGVdN4v_exp, _ZGVeN8v_exp: 2, 4 or 8 doubles per call, <= 4 ulp), the
   widest one the processor supports, chosen once at run time; the loops that build the
   exponents, the cost rows and the column accumulations are plain loops the compiler
   vectorises. */
#pragma GCC optimize("no-trapping-math", "no-math-errno")
#include <math.h>
#include <immintrin.h>
#include <dualnewton/expm1mx.h>
#include "otkernel.h"

__m128d _ZGVbN2v_exp(__m128d);
__m256d _ZGVdN4v_exp(__m256d);
__m512d _ZGVeN8v_exp(__m512d);

/* t = exp(t). Arguments below -708 (results under the smallest normal double) give 0:
   clamping them first keeps every lane on the vector routine's fast path, which the
   far-negative exponents of small-temperature plans would otherwise leave. */
#define OT_EXP_MIN -708.0

static void ExpArrayTail(PetscInt k, PetscInt n, PetscReal *restrict t)
{
  for (; k < n; k++) t[k] = t[k] < OT_EXP_MIN ? 0 : exp(t[k]);
}

static void ExpArray_SSE2(PetscInt n, PetscReal *restrict t)
{
  const __m128d lo = _mm_set1_pd(OT_EXP_MIN);
  PetscInt      k  = 0;
  for (; k + 2 <= n; k += 2) {
    const __m128d v = _mm_loadu_pd(t + k), under = _mm_cmplt_pd(v, lo);
    _mm_storeu_pd(t + k, _mm_andnot_pd(under, _ZGVbN2v_exp(_mm_max_pd(v, lo))));
  }
  ExpArrayTail(k, n, t);
}

__attribute__((target("avx2"))) static void ExpArray_AVX2(PetscInt n, PetscReal *restrict t)
{
  const __m256d lo = _mm256_set1_pd(OT_EXP_MIN);
  PetscInt      k  = 0;
  for (; k + 4 <= n; k += 4) {
    const __m256d v = _mm256_loadu_pd(t + k), under = _mm256_cmp_pd(v, lo, _CMP_LT_OQ);
    _mm256_storeu_pd(t + k, _mm256_andnot_pd(under, _ZGVdN4v_exp(_mm256_max_pd(v, lo))));
  }
  ExpArrayTail(k, n, t);
}

__attribute__((target("avx512f"))) static void ExpArray_AVX512(PetscInt n, PetscReal *restrict t)
{
  const __m512d lo = _mm512_set1_pd(OT_EXP_MIN);
  PetscInt      k  = 0;
  for (; k + 8 <= n; k += 8) {
    const __m512d  v    = _mm512_loadu_pd(t + k);
    const __mmask8 keep = _mm512_cmp_pd_mask(v, lo, _CMP_GE_OQ);
    _mm512_storeu_pd(t + k, _mm512_maskz_mov_pd(keep, _ZGVeN8v_exp(_mm512_max_pd(v, lo))));
  }
  ExpArrayTail(k, n, t);
}

static void (*ExpArrayImpl)(PetscInt, PetscReal *) = NULL;

PetscInt OTKernelSetExpWidth(PetscInt width)
{
  __builtin_cpu_init();
  if (width <= 0) width = __builtin_cpu_supports("avx512f") ? 8 : __builtin_cpu_supports("avx2") ? 4 : 2;
  if (width >= 8 && __builtin_cpu_supports("avx512f")) {
    ExpArrayImpl = ExpArray_AVX512;
    return 8;
  }
  if (width >= 4 && __builtin_cpu_supports("avx2")) {
    ExpArrayImpl = ExpArray_AVX2;
    return 4;
  }
  ExpArrayImpl = ExpArray_SSE2;
  return 2;
}

static inline void ExpArray(PetscInt n, PetscReal *restrict t)
{
  if (!ExpArrayImpl) OTKernelSetExpWidth(0);
  ExpArrayImpl(n, t);
}

static inline PetscReal ArraySum(PetscInt n, const PetscReal *restrict t)
{
  PetscReal s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  PetscInt  k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += t[k];
    s1 += t[k + 1];
    s2 += t[k + 2];
    s3 += t[k + 3];
  }
  for (; k < n; k++) s0 += t[k];
  return (s0 + s1) + (s2 + s3);
}

static inline PetscReal ArrayMax(PetscInt n, const PetscReal *restrict t)
{
  PetscReal mx = -INFINITY;
  for (PetscInt k = 0; k < n; k++) mx = t[k] > mx ? t[k] : mx;
  return mx;
}

/* Cost row i: a pointer into the stored rows, or computed into buf for point clouds. */
static inline const PetscReal *CostRow(const OTCostRows *c, PetscInt i, PetscReal *restrict buf, const PetscInt **cols, PetscInt *nc)
{
  switch (c->store) {
  case OT_STORE_DENSE:
    *cols = NULL;
    *nc   = c->m;
    return c->dense + (size_t)i * c->m;
  case OT_STORE_SPARSE:
    *cols = c->aj + c->ai[i];
    *nc   = c->ai[i + 1] - c->ai[i];
    return c->aa + c->ai[i];
  default: { /* OT_STORE_CLOUD */
    const PetscInt m = c->m;
    for (PetscInt j = 0; j < m; j++) buf[j] = 0;
    for (PetscInt k = 0; k < c->d; k++) {
      const PetscReal  xk = c->X[(size_t)i * c->d + k];
      const PetscReal *yk = c->Yt + (size_t)k * m;
      for (PetscInt j = 0; j < m; j++) {
        const PetscReal diff = xk - yk[j];
        buf[j] += diff * diff;
      }
    }
    if (c->euclidean)
      for (PetscInt j = 0; j < m; j++) buf[j] = sqrt(buf[j]);
    *cols = NULL;
    *nc   = m;
    return buf;
  }
  }
}

/* t_k = eta (y_j - C_ij) + a with j the k-th column of the row: log P_ij when a = eta x_i - 1. */
static inline void Exponents(PetscInt nc, const PetscInt *cols, const PetscReal *restrict crow, const PetscReal *restrict y, PetscReal eta, PetscReal a, PetscReal *restrict t)
{
  if (cols)
    for (PetscInt k = 0; k < nc; k++) t[k] = eta * (y[cols[k]] - crow[k]) + a;
  else
    for (PetscInt k = 0; k < nc; k++) t[k] = eta * (y[k] - crow[k]) + a;
}

/* colsum_j += t_k with j the k-th column of the row. */
static inline void ColumnAdd(PetscInt nc, const PetscInt *cols, const PetscReal *restrict t, PetscReal *restrict colsum)
{
  if (cols)
    for (PetscInt k = 0; k < nc; k++) colsum[cols[k]] += t[k];
  else
    for (PetscInt k = 0; k < nc; k++) colsum[k] += t[k];
}

PetscInt OTKernelWorkSize(const OTCostRows *c)
{
  return 4 * c->m + 2;
}

void OTKernelRowScale(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *r, PetscReal *xnew, PetscReal *err, PetscReal *work)
{
  PetscReal *buf = work, *t = work + c->m, e = 0;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);
    const PetscReal  a    = eta * x[i] - 1;
    PetscReal        s, logs;

    Exponents(nc, cols, crow, y, eta, a, t);
    ExpArray(nc, t);
    s = ArraySum(nc, t);
    if (s >= 1e-250 && s <= 1e250) logs = log(s);
    else { /* far from balanced: shift by the row maximum */ PetscReal mx;
      Exponents(nc, cols, crow, y, eta, a, t);
      mx = ArrayMax(nc, t);
      if (mx == -INFINITY) logs = -INFINITY;
      else {
        for (PetscInt k = 0; k < nc; k++) t[k] -= mx;
        ExpArray(nc, t);
        logs = mx + log(ArraySum(nc, t));
      }
      s = exp(logs);
    }
    e += fabs(s - r[i]);
    xnew[i] = x[i] + (log(r[i]) - logs) / eta;
  }
  *err = e;
}

void OTKernelColSums(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *restrict colsum, PetscReal *work)
{
  PetscReal *buf = work, *t = work + c->m;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);

    Exponents(nc, cols, crow, y, eta, eta * x[i] - 1, t);
    ExpArray(nc, t);
    ColumnAdd(nc, cols, t, colsum);
  }
}

void OTKernelColMax(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *restrict colmax, PetscReal *work)
{
  PetscReal *buf = work, *t = work + c->m;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);

    Exponents(nc, cols, crow, y, eta, eta * x[i] - 1, t);
    if (cols)
      for (PetscInt k = 0; k < nc; k++) colmax[cols[k]] = t[k] > colmax[cols[k]] ? t[k] : colmax[cols[k]];
    else
      for (PetscInt k = 0; k < nc; k++) colmax[k] = t[k] > colmax[k] ? t[k] : colmax[k];
  }
}

void OTKernelColSumsShifted(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *colmax, PetscReal *restrict colsum, PetscReal *work)
{
  PetscReal *buf = work, *t = work + c->m;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);

    Exponents(nc, cols, crow, y, eta, eta * x[i] - 1, t);
    if (cols)
      for (PetscInt k = 0; k < nc; k++) t[k] -= colmax[cols[k]];
    else
      for (PetscInt k = 0; k < nc; k++) t[k] -= colmax[k];
    ExpArray(nc, t);
    ColumnAdd(nc, cols, t, colsum);
  }
}

void OTKernelPlanStats(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscReal *rowsum, PetscReal *restrict colsum, PetscReal *transport, PetscReal *hmass, PetscReal *hcount, PetscReal *work)
{
  PetscReal *buf = work, *t = work + c->m, *p = work + 2 * c->m, tc = 0;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);
    PetscReal        cp   = 0;

    Exponents(nc, cols, crow, y, eta, eta * x[i] - 1, t);
    for (PetscInt k = 0; k < nc; k++) p[k] = t[k];
    ExpArray(nc, p);
    rowsum[i] = ArraySum(nc, p);
    ColumnAdd(nc, cols, p, colsum);
    for (PetscInt k = 0; k < nc; k++) cp += crow[k] * p[k];
    tc += cp;
    if (hmass)
      for (PetscInt k = 0; k < nc; k++) {
        const PetscInt b = OTKernelBin(t[k]);
        hmass[b] += p[k];
        hcount[b] += 1;
      }
  }
  *transport += tc;
}

void OTKernelPlanRow(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, PetscInt i, PetscInt *nc, PetscInt *cols, PetscReal *vals, PetscReal *work)
{
  const PetscInt  *ccols;
  const PetscReal *crow = CostRow(c, i, work, &ccols, nc);

  Exponents(*nc, ccols, crow, y, eta, eta * x[i] - 1, vals);
  ExpArray(*nc, vals);
  if (ccols)
    for (PetscInt k = 0; k < *nc; k++) cols[k] = ccols[k];
  else
    for (PetscInt k = 0; k < *nc; k++) cols[k] = k;
}

PetscReal OTKernelLineSearchPhi(const OTCostRows *c, PetscReal eta, const PetscReal *x, const PetscReal *y, const PetscReal *dx, const PetscReal *dy, PetscReal alpha, PetscReal *work)
{
  PetscReal      *buf = work, *t = work + c->m, *u = work + 2 * c->m, *e = work + 3 * c->m, total = 0;
  const PetscReal ea = eta * alpha;

  for (PetscInt i = 0; i < c->nloc; i++) {
    const PetscInt  *cols;
    PetscInt         nc;
    const PetscReal *crow = CostRow(c, i, buf, &cols, &nc);
    PetscReal        s    = 0;

    Exponents(nc, cols, crow, y, eta, eta * x[i] - 1, t);
    ExpArray(nc, t);
    if (cols)
      for (PetscInt k = 0; k < nc; k++) u[k] = ea * (dx[i] + dy[cols[k]]);
    else
      for (PetscInt k = 0; k < nc; k++) u[k] = ea * (dx[i] + dy[k]);
    for (PetscInt k = 0; k < nc; k++) e[k] = u[k];
    ExpArray(nc, e);
    for (PetscInt k = 0; k < nc; k++) s += t[k] * KrylearnExpm1mx(u[k], e[k]);
    total += s;
  }
  return total;
}
