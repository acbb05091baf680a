/* Multi-layer perceptron loss, gradient and exact curvature products on one shard of
   samples. Products are forward-over-reverse (Pearlmutter's R-operator): a forward
   pass of directional derivatives, then the derivative of back-propagation, with
   every layer's work done as matrix-matrix products over the whole shard. */
#include "mlp.h"
#include <petscblaslapack.h>

/* C = alpha op(A) op(B) + beta C for row-major arrays, through the column-major BLAS:
   a row-major matrix is the transpose of the same memory read column-major. */
static PetscErrorCode GemmRowMajor(char ta, char tb, PetscInt m, PetscInt n, PetscInt k, PetscReal alpha, const PetscReal *A, PetscInt lda, const PetscReal *B, PetscInt ldb, PetscReal beta, PetscReal *C, PetscInt ldc)
{
  PetscBLASInt bm, bn, bk, blda, bldb, bldc;

  PetscFunctionBegin;
  if (!m || !n) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(k, &bk));
  PetscCall(PetscBLASIntCast(lda, &blda));
  PetscCall(PetscBLASIntCast(ldb, &bldb));
  PetscCall(PetscBLASIntCast(ldc, &bldc));
  PetscCallBLAS("BLASgemm", BLASgemm_(&tb, &ta, &bn, &bm, &bk, &alpha, (PetscReal *)B, &bldb, (PetscReal *)A, &blda, &beta, C, &bldc));
  PetscCall(PetscLogFlops(2.0 * m * n * k));
  PetscFunctionReturn(0);
}

/* First and second derivatives of an activation at the pre-activations z. */
static void ActivationDerivatives(MLPLayerType type, PetscInt len, const PetscReal *z, const PetscReal *a, PetscReal *d1, PetscReal *d2)
{
  const PetscReal isqrt2pi = 0.3989422804014327;

  for (PetscInt i = 0; i < len; i++) {
    switch (type) {
    case MLP_LAYER_RELU:
      d1[i] = z[i] > 0 ? 1.0 : 0.0;
      d2[i] = 0.0;
      break;
    case MLP_LAYER_TANH:
      d1[i] = 1.0 - a[i] * a[i];
      d2[i] = -2.0 * a[i] * d1[i];
      break;
    case MLP_LAYER_SIGMOID:
      d1[i] = a[i] * (1.0 - a[i]);
      d2[i] = d1[i] * (1.0 - 2.0 * a[i]);
      break;
    case MLP_LAYER_GELU: {
      const PetscReal phi = isqrt2pi * PetscExpReal(-0.5 * z[i] * z[i]);
      d1[i]               = 0.5 * (1.0 + erf(z[i] / PetscSqrtReal(2.0))) + z[i] * phi;
      d2[i]               = phi * (2.0 - z[i] * z[i]);
    } break;
    case MLP_LAYER_LINEAR:
      break;
    }
  }
}

static void ActivationApply(MLPLayerType type, PetscInt len, const PetscReal *z, PetscReal *a)
{
  for (PetscInt i = 0; i < len; i++) {
    switch (type) {
    case MLP_LAYER_RELU:
      a[i] = z[i] > 0 ? z[i] : 0.0;
      break;
    case MLP_LAYER_TANH:
      a[i] = PetscTanhReal(z[i]);
      break;
    case MLP_LAYER_SIGMOID:
      a[i] = 1.0 / (1.0 + PetscExpReal(-z[i]));
      break;
    case MLP_LAYER_GELU:
      a[i] = 0.5 * z[i] * (1.0 + erf(z[i] / PetscSqrtReal(2.0)));
      break;
    case MLP_LAYER_LINEAR:
      break;
    }
  }
}

/* Z = A W^T + 1 b^T (b optional) */
static PetscErrorCode LinearForward(const MLPLayer *ly, PetscInt n, const PetscReal *A, const PetscReal *W, PetscReal beta, PetscReal *Z)
{
  PetscFunctionBegin;
  PetscCall(GemmRowMajor('N', 'T', n, ly->nout, ly->nin, 1.0, A, ly->nin, W, ly->nin, beta, Z, ly->nout));
  if (ly->bias) {
    const PetscReal *b = W + ly->nout * ly->nin;
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < ly->nout; j++) Z[i * ly->nout + j] += b[j];
  }
  PetscFunctionReturn(0);
}

/* gW += D^T A and gb += column sums of D */
static PetscErrorCode LinearWeightGradient(const MLPLayer *ly, PetscInt n, const PetscReal *D, const PetscReal *A, PetscReal *g)
{
  PetscFunctionBegin;
  PetscCall(GemmRowMajor('T', 'N', ly->nout, ly->nin, n, 1.0, D, ly->nout, A, ly->nin, 1.0, g, ly->nin));
  if (ly->bias) {
    PetscReal *gb = g + ly->nout * ly->nin;
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < ly->nout; j++) gb[j] += D[i * ly->nout + j];
  }
  PetscFunctionReturn(0);
}

/*
  MLPModelFinalize - sets the widths of activation layers, the parameter offsets and
  the sizes once the layer types and linear widths are known; errors, naming the
  source of the model, on a chain of widths that does not connect.
*/
PetscErrorCode MLPModelFinalize(MLPModel *m, const char source[])
{
  PetscInt width = -1, offset = 0;

  PetscFunctionBegin;
  for (PetscInt l = 0; l < m->nlayers; l++) {
    MLPLayer *ly = &m->layer[l];
    if (ly->type == MLP_LAYER_LINEAR) {
      PetscCheck(ly->nout >= 1 && ly->nin >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: layer %" PetscInt_FMT " has %" PetscInt_FMT " outputs and %" PetscInt_FMT " inputs: a linear layer needs at least one of each", source, l, ly->nout, ly->nin);
      PetscCheck(width < 0 || ly->nin == width, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "%s: layer %" PetscInt_FMT " takes %" PetscInt_FMT " inputs but the layer before it gives %" PetscInt_FMT, source, l, ly->nin, width);
      ly->offset = offset;
      offset += ly->nout * ly->nin + (ly->bias ? ly->nout : 0);
      width = ly->nout;
    } else {
      PetscCheck(width >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: the model must start with a linear layer", source);
      ly->nin = ly->nout = width;
    }
  }
  PetscCheck(width >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: the model has no linear layer", source);
  m->ninput  = m->layer[0].nin;
  m->noutput = width;
  m->nparam  = offset;
  PetscFunctionReturn(0);
}

PetscErrorCode MLPModelReset(MLPModel *m)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(m->layer));
  PetscCall(PetscFree(m->theta));
  PetscCall(PetscMemzero(m, sizeof(*m)));
  PetscFunctionReturn(0);
}

/*
  MLPWorkCreate - allocates the caches for a shard of n samples of a data set of
  ntotal samples, products working on blocks of block rows; exactly one of label
  (cross entropy) and target (mean squared error) is given.
*/
PetscErrorCode MLPWorkCreate(const MLPModel *m, PetscInt n, PetscInt ntotal, const PetscReal *X, const PetscInt *label, const PetscReal *target, PetscInt block, MLPWork *w)
{
  const PetscInt L = m->nlayers;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(w, sizeof(*w)));
  w->n      = n;
  w->ntotal = ntotal;
  w->block  = PetscMax(1, PetscMin(block, n));
  w->X      = X;
  w->label  = label;
  w->target = target;
  PetscCall(PetscCalloc6(L + 1, &w->act, L + 1, &w->dact, L + 1, &w->ddact, L + 1, &w->delta, L + 1, &w->ract, L + 1, &w->rdelta));
  w->act[0] = (PetscReal *)X;
  for (PetscInt l = 0; l < L; l++) {
    const MLPLayer *ly = &m->layer[l];
    const PetscInt  sz = n * ly->nout;

    PetscCall(PetscMalloc1(sz, &w->act[l + 1]));
    PetscCall(PetscMalloc1(sz, &w->delta[l + 1]));
    PetscCall(PetscMalloc1(w->block * ly->nout, &w->ract[l + 1]));
    PetscCall(PetscMalloc1(w->block * ly->nout, &w->rdelta[l + 1]));
    if (ly->type != MLP_LAYER_LINEAR) PetscCall(PetscMalloc2(sz, &w->dact[l], sz, &w->ddact[l]));
  }
  PetscCall(PetscMalloc2(n * m->noutput, &w->u, n * m->noutput, &w->prob));
  PetscFunctionReturn(0);
}

/* Rows per block of the products: the block buffers are remade for the new size */
PetscErrorCode MLPWorkSetBlock(const MLPModel *m, MLPWork *w, PetscInt block)
{
  PetscFunctionBegin;
  w->block = PetscMax(1, PetscMin(block, w->n));
  for (PetscInt l = 0; l < m->nlayers; l++) {
    PetscCall(PetscFree(w->ract[l + 1]));
    PetscCall(PetscFree(w->rdelta[l + 1]));
    PetscCall(PetscMalloc1(w->block * m->layer[l].nout, &w->ract[l + 1]));
    PetscCall(PetscMalloc1(w->block * m->layer[l].nout, &w->rdelta[l + 1]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode MLPWorkDestroy(const MLPModel *m, MLPWork *w)
{
  PetscFunctionBegin;
  if (!w->act) PetscFunctionReturn(0);
  for (PetscInt l = 0; l < m->nlayers; l++) {
    PetscCall(PetscFree(w->act[l + 1]));
    PetscCall(PetscFree(w->delta[l + 1]));
    PetscCall(PetscFree(w->ract[l + 1]));
    PetscCall(PetscFree(w->rdelta[l + 1]));
    PetscCall(PetscFree2(w->dact[l], w->ddact[l]));
  }
  PetscCall(PetscFree6(w->act, w->dact, w->ddact, w->delta, w->ract, w->rdelta));
  PetscCall(PetscFree2(w->u, w->prob));
  PetscFunctionReturn(0);
}

/* Per-sample loss gradient u_i = dl_i/df_i and the shard's loss share. */
static void LossGradient(const MLPModel *m, MLPWork *w)
{
  const PetscInt   C = m->noutput;
  const PetscReal *f = w->act[m->nlayers];

  w->loss = 0;
  for (PetscInt i = 0; i < w->n; i++) {
    const PetscReal *fi = f + i * C;
    PetscReal       *ui = w->u + i * C, *pi = w->prob + i * C;

    if (m->loss == MLP_LOSS_CROSS_ENTROPY) {
      PetscReal fmax = fi[0], sum = 0;
      for (PetscInt c = 1; c < C; c++) fmax = PetscMax(fmax, fi[c]);
      for (PetscInt c = 0; c < C; c++) sum += (pi[c] = PetscExpReal(fi[c] - fmax));
      for (PetscInt c = 0; c < C; c++) ui[c] = (pi[c] /= sum);
      ui[w->label[i]] -= 1.0;
      w->loss += fmax + PetscLogReal(sum) - fi[w->label[i]];
    } else {
      for (PetscInt c = 0; c < C; c++) {
        const PetscReal r = fi[c] - w->target[i * C + c];
        ui[c]             = 2.0 * r / C;
        w->loss += r * r / C;
      }
    }
  }
  w->loss /= w->ntotal;
}

/* Back-propagates D[L] to every D[l], l >= 1, for the rows [i0, i0 + nb) whose blocks
   D[l] (nb rows each) hold; accumulates the weight gradient when g is given. */
static PetscErrorCode Backward(const MLPModel *m, MLPWork *w, PetscInt i0, PetscInt nb, PetscReal **D, PetscReal *g)
{
  PetscFunctionBegin;
  for (PetscInt l = m->nlayers - 1; l >= 0; l--) {
    const MLPLayer *ly = &m->layer[l];
    const PetscInt  sz = nb * ly->nin;

    if (ly->type == MLP_LAYER_LINEAR) {
      if (g) PetscCall(LinearWeightGradient(ly, nb, D[l + 1], w->act[l] + i0 * ly->nin, g + ly->offset));
      if (l > 0) PetscCall(GemmRowMajor('N', 'N', nb, ly->nin, ly->nout, 1.0, D[l + 1], ly->nout, m->theta + ly->offset, ly->nin, 0.0, D[l], ly->nin));
    } else if (l > 0) {
      const PetscReal *d1 = w->dact[l] + i0 * ly->nin;
      for (PetscInt i = 0; i < sz; i++) D[l][i] = d1[i] * D[l + 1][i];
    }
  }
  PetscFunctionReturn(0);
}

/*
  MLPEvaluate - evaluates the network at m->theta on the shard, caches what the
  products need, and adds the shard's gradient of the mean loss to g (length nparam,
  may be NULL). The shard's loss share is left in w->loss.
*/
PetscErrorCode MLPEvaluate(const MLPModel *m, MLPWork *w, PetscReal *g)
{
  const PetscInt L = m->nlayers, C = m->noutput;

  PetscFunctionBegin;
  for (PetscInt l = 0; l < L; l++) {
    const MLPLayer *ly = &m->layer[l];
    const PetscInt  sz = w->n * ly->nout;

    if (ly->type == MLP_LAYER_LINEAR) PetscCall(LinearForward(ly, w->n, w->act[l], m->theta + ly->offset, 0.0, w->act[l + 1]));
    else {
      ActivationApply(ly->type, sz, w->act[l], w->act[l + 1]);
      ActivationDerivatives(ly->type, sz, w->act[l], w->act[l + 1], w->dact[l], w->ddact[l]);
    }
  }
  LossGradient(m, w);
  for (PetscInt i = 0; i < w->n * C; i++) w->delta[L][i] = w->u[i] / w->ntotal;
  PetscCall(Backward(m, w, 0, w->n, w->delta, g));
  PetscFunctionReturn(0);
}

/* Directional derivatives, along the parameter direction v, of every activation of the
   rows [i0, i0 + nb), into the blocks ract[l]. */
static PetscErrorCode ForwardDirectional(const MLPModel *m, MLPWork *w, const PetscReal *v, PetscInt i0, PetscInt nb)
{
  PetscFunctionBegin;
  for (PetscInt l = 0; l < m->nlayers; l++) {
    const MLPLayer *ly = &m->layer[l];
    const PetscInt  sz = nb * ly->nout;

    if (ly->type == MLP_LAYER_LINEAR) {
      /* R(Z) = A V^T + 1 vb^T + R(A) W^T, where R(A) = 0 for the data */
      PetscCall(LinearForward(ly, nb, w->act[l] + i0 * ly->nin, v + ly->offset, 0.0, w->ract[l + 1]));
      if (l > 0) PetscCall(GemmRowMajor('N', 'T', nb, ly->nout, ly->nin, 1.0, w->ract[l], ly->nin, m->theta + ly->offset, ly->nin, 1.0, w->ract[l + 1], ly->nout));
    } else {
      const PetscReal *d1 = w->dact[l] + i0 * ly->nin;
      for (PetscInt i = 0; i < sz; i++) w->ract[l + 1][i] = d1[i] * w->ract[l][i];
    }
  }
  PetscFunctionReturn(0);
}

/* rdelta[L] = (1/N) per-sample loss Hessian times ract[L], rows [i0, i0 + nb) */
static void LossHessianApply(const MLPModel *m, MLPWork *w, PetscInt i0, PetscInt nb)
{
  const PetscInt   C = m->noutput, L = m->nlayers;
  const PetscReal *r = w->ract[L];
  PetscReal       *o = w->rdelta[L];

  for (PetscInt i = 0; i < nb; i++) {
    if (m->loss == MLP_LOSS_CROSS_ENTROPY) {
      const PetscReal *p  = w->prob + (i0 + i) * C;
      PetscReal        pr = 0;
      for (PetscInt c = 0; c < C; c++) pr += p[c] * r[i * C + c];
      for (PetscInt c = 0; c < C; c++) o[i * C + c] = p[c] * (r[i * C + c] - pr) / w->ntotal;
    } else {
      for (PetscInt c = 0; c < C; c++) o[i * C + c] = 2.0 * r[i * C + c] / (C * w->ntotal);
    }
  }
}

/* rdelta[L] = (1/N) u_i (u_i . ract_i), rows [i0, i0 + nb): the output side of the empirical Fisher */
static void FisherOutputApply(const MLPModel *m, MLPWork *w, PetscInt i0, PetscInt nb)
{
  const PetscInt C = m->noutput, L = m->nlayers;

  for (PetscInt i = 0; i < nb; i++) {
    const PetscReal *ui = w->u + (i0 + i) * C;
    PetscReal        s  = 0;
    for (PetscInt c = 0; c < C; c++) s += ui[c] * w->ract[L][i * C + c];
    for (PetscInt c = 0; c < C; c++) w->rdelta[L][i * C + c] = ui[c] * s / w->ntotal;
  }
}

/* Derivative of back-propagation along v (Hessian) for the rows [i0, i0 + nb); the
   gradient of the directional derivative of delta, with the second-order terms that
   involve delta, is added to out. */
static PetscErrorCode BackwardDirectional(const MLPModel *m, MLPWork *w, const PetscReal *v, PetscInt i0, PetscInt nb, PetscReal *out)
{
  PetscFunctionBegin;
  for (PetscInt l = m->nlayers - 1; l >= 0; l--) {
    const MLPLayer  *ly = &m->layer[l];
    const PetscInt   sz = nb * ly->nin;
    const PetscReal *dn = w->delta[l + 1] + i0 * ly->nout;
    PetscReal       *rd = w->rdelta[l], *rdn = w->rdelta[l + 1];

    if (ly->type == MLP_LAYER_LINEAR) {
      /* R(gW) = R(D)^T A + D^T R(A); R(D_prev) = R(D) W + D V */
      PetscCall(LinearWeightGradient(ly, nb, rdn, w->act[l] + i0 * ly->nin, out + ly->offset));
      if (l > 0) {
        PetscCall(GemmRowMajor('T', 'N', ly->nout, ly->nin, nb, 1.0, dn, ly->nout, w->ract[l], ly->nin, 1.0, out + ly->offset, ly->nin));
        PetscCall(GemmRowMajor('N', 'N', nb, ly->nin, ly->nout, 1.0, rdn, ly->nout, m->theta + ly->offset, ly->nin, 0.0, rd, ly->nin));
        PetscCall(GemmRowMajor('N', 'N', nb, ly->nin, ly->nout, 1.0, dn, ly->nout, v + ly->offset, ly->nin, 1.0, rd, ly->nin));
      }
    } else if (l > 0) {
      const PetscReal *d1 = w->dact[l] + i0 * ly->nin, *d2 = w->ddact[l] + i0 * ly->nin;
      for (PetscInt i = 0; i < sz; i++) rd[i] = d1[i] * rdn[i] + d2[i] * w->ract[l][i] * dn[i];
    }
  }
  PetscFunctionReturn(0);
}

/*
  MLPProductApply - out = this shard's contribution to P v, P the Hessian, the
  generalised Gauss-Newton matrix or the empirical Fisher of the mean loss (without
  weight decay). MLPEvaluate() must have been called at the current theta. The
  samples are processed in blocks of w->block rows, so that the directional
  quantities of a block stay in cache between the layers.
*/
PetscErrorCode MLPProductApply(const MLPModel *m, MLPWork *w, KrylearnCurvature type, const PetscReal *v, PetscReal *out)
{
  PetscFunctionBegin;
  PetscCall(PetscArrayzero(out, m->nparam));
  for (PetscInt i0 = 0; i0 < w->n; i0 += w->block) {
    const PetscInt nb = PetscMin(w->block, w->n - i0);

    PetscCall(ForwardDirectional(m, w, v, i0, nb));
    if (type == KRYLEARN_CURVATURE_FISHER) FisherOutputApply(m, w, i0, nb);
    else LossHessianApply(m, w, i0, nb);
    if (type == KRYLEARN_CURVATURE_HESSIAN) PetscCall(BackwardDirectional(m, w, v, i0, nb, out));
    else PetscCall(Backward(m, w, i0, nb, w->rdelta, out));
  }
  PetscFunctionReturn(0);
}
