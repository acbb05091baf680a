/* Float32 kernels on channel-blocked activations [c/b][z][y][x][b] (see nnimpl.h).
   Extents and offsets are given x, y, z; nb is the number of channel blocks of width b.
   Each kernel is an OpenMP loop over rows (OMP_NUM_THREADS), run on one thread when it is
   too small to pay for the others. */
#include "nnimpl.h"

#define NN_PARALLEL_MIN 32768 /* floats: below this a kernel runs on one thread */

#define IDX(e, x, y, z) ((((size_t)(z) * (e)[1] + (y)) * (e)[0] + (x)))

/* Copy the box of extents box from src (extents se, corner so) to dst (extents de, corner do_) */
void NNBoxCopy(float *dst, const PetscInt de[3], const PetscInt do_[3], const float *src, const PetscInt se[3], const PetscInt so[3], const PetscInt box[3], PetscInt nb, PetscInt b)
{
  const size_t ds = (size_t)de[0] * de[1] * de[2] * b, ss = (size_t)se[0] * se[1] * se[2] * b;
#pragma omp parallel for collapse(3) schedule(static) if ((size_t)nb * box[2] * box[1] * box[0] * b > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < nb; cb++)
    for (PetscInt z = 0; z < box[2]; z++)
      for (PetscInt y = 0; y < box[1]; y++) memcpy(dst + cb * ds + IDX(de, do_[0], do_[1] + y, do_[2] + z) * b, src + cb * ss + IDX(se, so[0], so[1] + y, so[2] + z) * b, sizeof(float) * box[0] * b);
}

void NNBoxZero(float *dst, const PetscInt de[3], const PetscInt do_[3], const PetscInt box[3], PetscInt nb, PetscInt b)
{
  const size_t ds = (size_t)de[0] * de[1] * de[2] * b;
#pragma omp parallel for collapse(3) schedule(static) if ((size_t)nb * box[2] * box[1] * box[0] * b > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < nb; cb++)
    for (PetscInt z = 0; z < box[2]; z++)
      for (PetscInt y = 0; y < box[1]; y++) memset(dst + cb * ds + IDX(de, do_[0], do_[1] + y, do_[2] + z) * b, 0, sizeof(float) * box[0] * b);
}

/* Zeros on this process's cells of a value past the domain (KrylearnNetSetDomain): at s
   poolings below the grid the domain has ceil(domain / 2^s) cells per axis */
void NNZeroOutside(KrylearnNet net, const NNValue *v, float *buf)
{
  for (PetscInt d = 0; d < 3; d++) {
    const PetscInt f = (PetscInt)1 << v->shift, start = net->xs[d] / f, end = net->domain[d] ? (net->domain[d] + f - 1) / f : start + v->n[d];
    PetscInt       off[3] = {0, 0, 0}, box[3] = {v->n[0], v->n[1], v->n[2]};

    if (end >= start + v->n[d]) continue;
    off[d] = PetscMax(end - start, 0);
    box[d] = v->n[d] - off[d];
    NNBoxZero(buf, v->n, off, box, v->c / v->b, v->b);
  }
}

/* PyTorch weights (cout, cin, kz, k, k) to [cout/bo][cin][kz][k][k][bo] */
void NNPackWeights(const float *w, PetscInt cout, PetscInt cin, PetscInt kz, PetscInt k, PetscInt bo, float *p)
{
  const PetscInt kk = kz * k * k;
  for (PetscInt co = 0; co < cout; co++)
    for (PetscInt ci = 0; ci < cin; ci++)
      for (PetscInt t = 0; t < kk; t++) p[(((co / bo) * cin + ci) * kk + t) * bo + co % bo] = w[(co * cin + ci) * kk + t];
}

/* Direct convolution: in is padded (extents pe = n + k - 1 in x, y and n + kz - 1 in z),
   out has extents n. out = act(conv(in) + bias) (+ addend, which may be out itself). */
void NNConvDirect(const float *in, const PetscInt pe[3], PetscInt cin, PetscInt bi, float *out, const PetscInt n[3], PetscInt cout, PetscInt bo, const float *wp, const float *bias, PetscInt kz, PetscInt k, PetscBool relu, const float *addend)
{
  const PetscInt kk = kz * k * k, nx = n[0];
  const size_t   ips = (size_t)pe[0] * pe[1] * pe[2] * bi, ops = (size_t)n[0] * n[1] * n[2] * bo;

#pragma omp parallel for collapse(3) schedule(static) if (ops * (cout / bo) > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < cout / bo; cb++) {
    for (PetscInt z = 0; z < n[2]; z++) {
      for (PetscInt y = 0; y < n[1]; y++) {
        float row[nx * bo];

        for (PetscInt x = 0; x < nx; x++)
          for (PetscInt l = 0; l < bo; l++) row[x * bo + l] = bias ? bias[cb * bo + l] : 0.0f;
        for (PetscInt ci = 0; ci < cin; ci++) {
          const float *ib = in + (ci / bi) * ips + ci % bi;
          for (PetscInt dz = 0; dz < kz; dz++)
            for (PetscInt dy = 0; dy < k; dy++)
              for (PetscInt dx = 0; dx < k; dx++) {
                const float *w  = wp + ((cb * cin + ci) * kk + (dz * k + dy) * k + dx) * bo;
                const float *ir = ib + IDX(pe, dx, y + dy, z + dz) * bi;
                for (PetscInt x = 0; x < nx; x++) {
                  const float v = ir[x * bi];
                  for (PetscInt l = 0; l < bo; l++) row[x * bo + l] += v * w[l];
                }
              }
        }
        float       *o = out + cb * ops + IDX(n, 0, y, z) * bo;
        const float *a = addend ? addend + cb * ops + IDX(n, 0, y, z) * bo : NULL;
        for (PetscInt i = 0; i < nx * bo; i++) {
          const float v = relu && row[i] < 0.0f ? 0.0f : row[i];
          o[i]          = a ? a[i] + v : v;
        }
      }
    }
  }
}

/* Mean over 2x2(x2) blocks: in has extents n, out n/2 (z halved when 3-D) */
void NNAvgPool(const float *in, const PetscInt n[3], PetscInt nb, PetscInt b, float *out, PetscInt dim)
{
  const PetscInt fz = dim == 3 ? 2 : 1, m[3] = {n[0] / 2, n[1] / 2, n[2] / fz};
  const float    s = fz == 2 ? 0.125f : 0.25f;
#pragma omp parallel for collapse(3) schedule(static) if ((size_t)nb * n[2] * n[1] * n[0] * b > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < nb; cb++)
    for (PetscInt z = 0; z < m[2]; z++)
      for (PetscInt y = 0; y < m[1]; y++) {
        const float *ib = in + (size_t)cb * n[0] * n[1] * n[2] * b;
        float       *ob = out + (size_t)cb * m[0] * m[1] * m[2] * b;
        for (PetscInt x = 0; x < m[0]; x++)
          for (PetscInt l = 0; l < b; l++) {
            float acc = 0.0f;
            for (PetscInt dz = 0; dz < fz; dz++)
              for (PetscInt dy = 0; dy < 2; dy++)
                for (PetscInt dx = 0; dx < 2; dx++) acc += ib[IDX(n, 2 * x + dx, 2 * y + dy, fz * z + dz) * b + l];
            ob[IDX(m, x, y, z) * b + l] = acc * s;
          }
      }
}

/* Nearest upsampling by 2 (z too when 3-D): in has extents n, out 2n */
void NNUpsample(const float *in, const PetscInt n[3], PetscInt nb, PetscInt b, float *out, PetscInt dim)
{
  const PetscInt fz = dim == 3 ? 2 : 1, m[3] = {2 * n[0], 2 * n[1], fz * n[2]};
#pragma omp parallel for collapse(3) schedule(static) if ((size_t)nb * m[2] * m[1] * m[0] * b > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < nb; cb++)
    for (PetscInt z = 0; z < m[2]; z++)
      for (PetscInt y = 0; y < m[1]; y++) {
        const float *ib = in + (size_t)cb * n[0] * n[1] * n[2] * b;
        float       *ob = out + (size_t)cb * m[0] * m[1] * m[2] * b;
        for (PetscInt x = 0; x < m[0]; x++) memcpy(ob + IDX(m, x, y, z) * b, ib + IDX(n, x / 2, y / 2, z / fz) * b, sizeof(float) * b);
      }
}

void NNAdd(const float *a, const float *b, size_t n, float *out)
{
#pragma omp parallel for schedule(static) if (n > NN_PARALLEL_MIN)
  for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/* out = act(a * g) over n floats of a (nb blocks of width b); g has a's layout, or with
   broadcast one channel (plain, n / (nb b) floats) applied to every channel */
void NNMul(const float *a, PetscInt nb, PetscInt b, const float *g, PetscBool broadcast, size_t n, PetscBool relu, float *out)
{
  const size_t cells = n / ((size_t)nb * b);

#pragma omp parallel for collapse(2) schedule(static) if (n > NN_PARALLEL_MIN)
  for (PetscInt cb = 0; cb < nb; cb++)
    for (size_t i = 0; i < cells; i++)
      for (PetscInt l = 0; l < b; l++) {
        const size_t k = (cb * cells + i) * b + l;
        const float  v = a[k] * (broadcast ? g[i] : g[k]);
        out[k]         = relu && v < 0.0f ? 0.0f : v;
      }
}
