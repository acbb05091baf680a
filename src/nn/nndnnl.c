/* Convolutions through oneDNN (C API, v2.x): activations stay in the channel-blocked
   layout of nnimpl.h (nChw8c / nCdhw8c, plain for channel counts not divisible by 8),
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
  if (c % 8 == 0) DnnlCall(net, dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, net->dim == 3 ? dnnl_nCdhw8c : dnnl_nChw8c));
  else DnnlCall(net, dnnl_memory_desc_init_by_tag(md, nd, dims, dnnl_f32, net->dim == 3 ? dnnl_ncdhw : dnnl_nchw));
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

/* Primitive and memory objects of one convolution step */
static PetscErrorCode CreateConv(KrylearnNet net, NNStep *s)
{
  const NNOp         *op = s->op;
  const NNValue      *in = &net->values[s->in], *out = &net->values[s->out];
  dnnl_memory_desc_t  src, dst, wany, bias;
  dnnl_dims_t         wdims, strides, padl, padr;
  dnnl_convolution_desc_t cd;
  dnnl_primitive_attr_t attr;
  dnnl_post_ops_t     po;
  dnnl_primitive_desc_t pd;
  PetscInt            e[3];

  PetscFunctionBegin;
  for (PetscInt d = 0; d < 3; d++) e[d] = in->n[d] + s->lo[d] + s->hi[d];
  PetscCall(ActivationDesc(net, in->c, e, &src));
  PetscCall(ActivationDesc(net, out->c, out->n, &dst));
  wdims[0] = op->cout;
  wdims[1] = op->cin;
  for (PetscInt d = 0; d < net->dim; d++) {
    PetscInt ax = net->dim - 1 - d;
    wdims[2 + d] = op->k;
    strides[d]   = 1;
    padl[d]      = op->k / 2 - s->lo[ax];
    padr[d]      = op->k / 2 - s->hi[ax];
  }
  DnnlCall(net, dnnl_memory_desc_init_by_tag(&wany, (int)net->dim + 2, wdims, dnnl_f32, dnnl_format_tag_any));
  DnnlCall(net, dnnl_memory_desc_init_by_tag(&bias, 1, wdims, dnnl_f32, dnnl_a));
  DnnlCall(net, dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &src, &wany, op->bias >= 0 ? &bias : NULL, &dst, strides, padl, padr));
  DnnlCall(net, dnnl_primitive_attr_create(&attr));
  DnnlCall(net, dnnl_post_ops_create(&po));
  if (op->relu) DnnlCall(net, dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
  if (s->sum) DnnlCall(net, dnnl_post_ops_append_sum(po, 1.0f));
  DnnlCall(net, dnnl_primitive_attr_set_post_ops(attr, po));
  DnnlCall(net, dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
  DnnlCall(net, dnnl_primitive_desc_create(&pd, &cd, attr, net->engine, NULL));
  DnnlCall(net, dnnl_primitive_create(&s->prim, pd));
  PetscCall(GetWeights(net, op, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), &s->wmem));
  net->scratchsize = PetscMax(net->scratchsize, dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)));
  DnnlCall(net, dnnl_memory_create(&s->src, &src, net->engine, s->padded ? (void *)net->halo : (void *)net->bufs[in->buf]));
  DnnlCall(net, dnnl_memory_create(&s->dst, &dst, net->engine, net->bufs[out->buf]));
  if (op->bias >= 0) DnnlCall(net, dnnl_memory_create(&s->bias, &bias, net->engine, net->weights[op->bias].data));
  DnnlCall(net, dnnl_memory_create(&s->scratch, dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), net->engine, NULL));
  DnnlCall(net, dnnl_primitive_desc_destroy(pd));
  DnnlCall(net, dnnl_post_ops_destroy(po));
  DnnlCall(net, dnnl_primitive_attr_destroy(attr));
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
  for (PetscInt i = 0; i < net->nsteps; i++)
    if (net->steps[i].type == NN_STEP_CONV) DnnlCall(net, dnnl_memory_set_data_handle(net->steps[i].scratch, net->scratch));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetDnnlConv_Private(KrylearnNet net, const NNStep *s)
{
  dnnl_exec_arg_t args[5];
  int             n = 0;

  PetscFunctionBegin;
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, s->src};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, net->wmems[s->wmem]};
  if (s->bias) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, s->bias};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST, s->dst};
  args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, s->scratch};
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
    if (s->src) DnnlCall(net, dnnl_memory_destroy(s->src));
    if (s->dst) DnnlCall(net, dnnl_memory_destroy(s->dst));
    if (s->bias) DnnlCall(net, dnnl_memory_destroy(s->bias));
    if (s->scratch) DnnlCall(net, dnnl_memory_destroy(s->scratch));
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
