/* Convolutions through oneDNN (C API, v2.x): activations stay in the channel-blocked
   layout of nnimpl.h (nChw16c / nChw8c and 3-D analogues, or plain),
   weights are reordered once into the layout the chosen kernel wants, post-ops fuse
   the ReLU and the residual addition, and one user-managed scratchpad serves every
   primitive. All memory objects are bound to the buffers made at set-up. */
#include "nnimpl.h"

#define DnnlCall(net, call) \
  do { \
    dnnl_status_t _st = (call); \
    PetscCheck(_st == dnnl_success, (net)->comm, PETSC_ERR_LIB, "oneDNN error %d in %s (model file %s)", (int)_st, #call, (net)->file); \
  } while (0)

/* Memory descriptor of an activation with c channels, extents e (x, y, z) */
static PetscErrorCode ActivationDesc(KrylearnNet net, PetscInt c, const PetscInt e[3], dnnl_memory_desc_t *md)
{
  dnnl_dims_t dims;
  int         nd = (int)net->dim + 2;

  PetscFunctionBegin;
  dims[0] = 1;
  dims[1] = c;
  for (PetscInt d = 0; d < net->dim; d++) dims[2 + d] = e[net->dim - 1 - d];
  switch (NNChannelBlock(net, c)) {
  case 16:
    DnnlCall(net, dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, net->dim == 3 ? dnnl_nCdhw16c : dnnl_nChw16c));
    break;
  case 8:
    DnnlCall(net, dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, net->dim == 3 ? dnnl_nCdhw8c : dnnl_nChw8c));
    break;
  default:
    DnnlCall(net, dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, net->dim == 3 ? dnnl_ncdhw : dnnl_nchw));
  }
  PetscFunctionReturn(0);
}

/* The weights of op in the layout md, reordered once and shared by every step that wants the same */
static PetscErrorCode GetWeights(KrylearnNet net, const NNOp *op, const dnnl_memory_desc_t *md, PetscInt *idx)
{
  const NNWeight       *w = &net->weights[op->weight];
  dnnl_memory_desc_t    plain;
  dnnl_dims_t           dims;
  dnnl_memory_t         user;
  dnnl_primitive_desc_t rpd;
  dnnl_primitive_t      reorder;
  dnnl_exec_arg_t       args[2];

  PetscFunctionBegin;
  for (*idx = 0; *idx < net->nwmem; (*idx)++) {
    const dnnl_memory_desc_t *have;
    if (net->wmemop[*idx]->weight != op->weight) continue;
    DnnlCall(net, dnnl_memory_get_memory_desc(net->wmems[*idx], &have));
    if (dnnl_memory_desc_equal(have, md)) PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < w->ndim; i++) dims[i] = w->shape[i];
  DnnlCall(net, dnnl_memory_desc_init_by_tag(&plain, (int)w->ndim, dims, dnnl_f32, net->dim == 3 ? dnnl_oidhw : dnnl_oihw));
  DnnlCall(net, dnnl_memory_create(&user, &plain, net->engine, w->data));
  DnnlCall(net, dnnl_memory_create(&net->wmems[*idx], md, net->engine, DNNL_MEMORY_ALLOCATE));
  net->wmemop[*idx] = op;
  net->nwmem++;
  DnnlCall(net, dnnl_reorder_primitive_desc_create(&rpd, &plain, net->engine, md, net->engine, NULL));
  DnnlCall(net, dnnl_primitive_create(&reorder, rpd));
  args[0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, user};
  args[1] = (dnnl_exec_arg_t){DNNL_ARG_TO, net->wmems[*idx]};
  DnnlCall(net, dnnl_primitive_execute(reorder, net->stream, 2, args));
  DnnlCall(net, dnnl_stream_wait(net->stream));
  DnnlCall(net, dnnl_primitive_destroy(reorder));
  DnnlCall(net, dnnl_primitive_desc_destroy(rpd));
  DnnlCall(net, dnnl_memory_destroy(user));
  PetscFunctionReturn(0);
}

/* Source and destination descriptors of a convolution step */
static PetscErrorCode StepDescs(KrylearnNet net, const NNStep *s, dnnl_memory_desc_t *src, dnnl_memory_desc_t *dst)
{
  const NNValue *in = &net->values[s->in], *out = &net->values[s->out];
  PetscInt       e[3];

  PetscFunctionBegin;
  for (PetscInt d = 0; d < 3; d++) e[d] = in->n[d] + s->lo[d] + s->hi[d];
  PetscCall(ActivationDesc(net, in->c, e, src));
  PetscCall(ActivationDesc(net, out->c, out->n, dst));
  PetscFunctionReturn(0);
}

static PetscErrorCode BiasDesc(KrylearnNet net, const NNOp *op, dnnl_memory_desc_t *bias)
{
  dnnl_dims_t dims = {op->cout};

  PetscFunctionBegin;
  DnnlCall(net, dnnl_memory_desc_init_by_tag(bias, 1, dims, dnnl_f32, dnnl_a));
  PetscFunctionReturn(0);
}

/* The primitive of one convolution step, or the step handed to the direct kernel when
   oneDNN has only its reference implementation for it */
static PetscErrorCode CreateConv(KrylearnNet net, NNStep *s)
{
  const NNOp             *op = s->op;
  dnnl_memory_desc_t      src, dst, wany, bias;
  dnnl_dims_t             wdims, strides, padl, padr;
  dnnl_convolution_desc_t cd;
  dnnl_primitive_attr_t   attr;
  dnnl_post_ops_t         po;
  const char             *impl;
  PetscBool               ref;

  PetscFunctionBegin;
  PetscCall(StepDescs(net, s, &src, &dst));
  PetscCall(BiasDesc(net, op, &bias));
  wdims[0] = op->cout;
  wdims[1] = op->cin;
  for (PetscInt d = 0; d < net->dim; d++) {
    PetscInt ax  = net->dim - 1 - d;
    wdims[2 + d] = op->k;
    strides[d]   = 1;
    padl[d]      = op->k / 2 - s->lo[ax];
    padr[d]      = op->k / 2 - s->hi[ax];
  }
  DnnlCall(net, dnnl_memory_desc_init_by_tag(&wany, (int)net->dim + 2, wdims, dnnl_f32, dnnl_format_tag_any));
  DnnlCall(net, dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &src, &wany, op->bias >= 0 ? &bias : NULL, &dst, strides, padl, padr));
  DnnlCall(net, dnnl_primitive_attr_create(&attr));
  DnnlCall(net, dnnl_post_ops_create(&po));
  s->binpo = -1;
  if (op->relu) DnnlCall(net, dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
  if (s->sum && op->relu) { /* relu(conv) + addend: the jit kernels take 'sum' only first, a binary add anywhere */
    DnnlCall(net, dnnl_post_ops_append_binary(po, dnnl_binary_add, &dst));
    s->binpo = 1;
  } else if (s->sum) DnnlCall(net, dnnl_post_ops_append_sum(po, 1.0f));
  DnnlCall(net, dnnl_primitive_attr_set_post_ops(attr, po));
  DnnlCall(net, dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
  DnnlCall(net, dnnl_primitive_desc_create(&s->pd, &cd, attr, net->engine, NULL));
  DnnlCall(net, dnnl_post_ops_destroy(po));
  DnnlCall(net, dnnl_primitive_attr_destroy(attr));
  DnnlCall(net, dnnl_primitive_desc_query(s->pd, dnnl_query_impl_info_str, 0, &impl));
  PetscCall(PetscStrncmp(impl, "ref", 3, &ref));
  if (ref) {
    PetscCall(PetscInfo(NULL, "Model file %s: oneDNN offers only '%s' for a %" PetscInt_FMT "->%" PetscInt_FMT " channel convolution; using the direct kernel\n", net->file, impl, op->cin, op->cout));
    DnnlCall(net, dnnl_primitive_desc_destroy(s->pd));
    s->pd     = NULL;
    s->direct = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  DnnlCall(net, dnnl_primitive_create(&s->prim, s->pd));
  PetscCall(GetWeights(net, op, dnnl_primitive_desc_query_md(s->pd, dnnl_query_weights_md, 0), &s->wmem));
  net->scratchsize = PetscMax(net->scratchsize, dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(s->pd, dnnl_query_scratchpad_md, 0)));
  PetscFunctionReturn(0);
}

/* Memory objects of a convolution step, bound to its buffers */
static PetscErrorCode BindConv(KrylearnNet net, NNStep *s)
{
  dnnl_memory_desc_t src, dst, bias;

  PetscFunctionBegin;
  PetscCall(StepDescs(net, s, &src, &dst));
  PetscCall(BiasDesc(net, s->op, &bias));
  DnnlCall(net, dnnl_memory_create(&s->src, &src, net->engine, s->padded ? (void *)net->halo : (void *)net->bufs[net->values[s->in].buf]));
  DnnlCall(net, dnnl_memory_create(&s->dst, &dst, net->engine, net->bufs[net->values[s->out].buf]));
  if (s->op->bias >= 0) DnnlCall(net, dnnl_memory_create(&s->bias, &bias, net->engine, net->weights[s->op->bias].data));
  DnnlCall(net, dnnl_memory_create(&s->scratch, dnnl_primitive_desc_query_md(s->pd, dnnl_query_scratchpad_md, 0), net->engine, net->scratch));
  if (s->binpo >= 0) DnnlCall(net, dnnl_memory_create(&s->addend, &dst, net->engine, net->bufs[net->values[s->in2].buf]));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetDnnlCreate_Private(KrylearnNet net)
{
  PetscFunctionBegin;
  DnnlCall(net, dnnl_engine_create(&net->engine, dnnl_cpu, 0));
  DnnlCall(net, dnnl_stream_create(&net->stream, net->engine, dnnl_stream_default_flags));
  PetscCall(PetscCalloc2(net->nsteps, &net->wmems, net->nsteps, &net->wmemop));
  net->nwmem       = 0;
  net->scratchsize = 0;
  for (PetscInt i = 0; i < net->nsteps; i++)
    if (net->steps[i].type == NN_STEP_CONV) PetscCall(CreateConv(net, &net->steps[i]));
  PetscCall(PetscMalloc(PetscMax(net->scratchsize, 64), &net->scratch));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetDnnlBind_Private(KrylearnNet net)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->nsteps; i++)
    if (net->steps[i].prim) PetscCall(BindConv(net, &net->steps[i]));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetDnnlConv_Private(KrylearnNet net, const NNStep *s)
{
  dnnl_exec_arg_t args[6];
  int             n = 0;

  PetscFunctionBegin;
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, s->src};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, net->wmems[s->wmem]};
  if (s->bias) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, s->bias};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST, s->dst};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, s->scratch};
  if (s->binpo >= 0) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_MULTIPLE_POST_OP(s->binpo) | DNNL_ARG_SRC_1, s->addend};
  DnnlCall(net, dnnl_primitive_execute(s->prim, net->stream, n, args));
  DnnlCall(net, dnnl_stream_wait(net->stream));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetDnnlDestroy_Private(KrylearnNet net)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->nsteps; i++) {
    NNStep *s = &net->steps[i];
    if (s->prim) DnnlCall(net, dnnl_primitive_destroy(s->prim));
    if (s->pd) DnnlCall(net, dnnl_primitive_desc_destroy(s->pd));
    if (s->src) DnnlCall(net, dnnl_memory_destroy(s->src));
    if (s->dst) DnnlCall(net, dnnl_memory_destroy(s->dst));
    if (s->bias) DnnlCall(net, dnnl_memory_destroy(s->bias));
    if (s->scratch) DnnlCall(net, dnnl_memory_destroy(s->scratch));
    if (s->addend) DnnlCall(net, dnnl_memory_destroy(s->addend));
  }
  for (PetscInt i = 0; i < net->nwmem; i++) DnnlCall(net, dnnl_memory_destroy(net->wmems[i]));
  PetscCall(PetscFree2(net->wmems, net->wmemop));
  PetscCall(PetscFree(net->scratch));
  if (net->stream) DnnlCall(net, dnnl_stream_destroy(net->stream));
  if (net->engine) DnnlCall(net, dnnl_engine_destroy(net->engine));
  net->stream = NULL;
  net->engine = NULL;
  net->nwmem  = 0;
  PetscFunctionReturn(0);
}
