/* Binding a loaded network to a grid: expansion of the graphs (vcycle levels) into a
   flat list of steps, resolution checks, fusion of additions into convolutions, and
   assignment of activations to buffers reused once their last reader has run. */
#include "nnimpl.h"

/* Channel block of a tensor with c channels */
PetscInt NNChannelBlock(KrylearnNet net, PetscInt c)
{
  return c % net->block == 0 ? net->block : c % 8 == 0 ? 8 : 1;
}

static PetscErrorCode NewValue(KrylearnNet net, PetscInt c, PetscInt shift, const char *what, PetscInt *v)
{
  NNValue *val;
  PetscInt f = (PetscInt)1 << shift;

  PetscFunctionBegin;
  for (PetscInt d = 0; d < net->dim; d++) {
    PetscCheck(net->M[d] % f == 0, net->comm, PETSC_ERR_ARG_SIZ, "Model file %s cannot run on a %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " grid: %s needs every extent divisible by %" PetscInt_FMT, net->file, net->M[0], net->M[1],
               net->dim == 3 ? net->M[2] : 1, what, f);
    PetscCheck(net->n[d] % f == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "Model file %s: pooling stays inside each process's block, so %s needs block extents divisible by %" PetscInt_FMT "; this process owns %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " (choose the DMDA ownership ranges accordingly)",
               net->file, what, f, net->n[0], net->n[1], net->n[2]);
  }
  *v         = net->nvalues++;
  val        = &net->values[*v];
  val->c     = c;
  val->b     = NNChannelBlock(net, c);
  val->shift = shift;
  val->size  = (size_t)c;
  for (PetscInt d = 0; d < 3; d++) {
    val->n[d] = d < net->dim ? net->n[d] / f : 1;
    val->size *= (size_t)val->n[d];
  }
  val->buf  = -1;
  val->last = -1;
  PetscFunctionReturn(0);
}

static void NewStep(KrylearnNet net, NNStepType type, const NNOp *op, PetscInt in, PetscInt in2, PetscInt out)
{
  net->steps[net->nsteps++] = (NNStep){.type = type, .op = op, .in = in, .in2 = in2, .out = out};
}

static PetscErrorCode Expand(KrylearnNet, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt *);

/* The geometry field pooled 'shift' times: the field itself is a value of its own, kept for
   the whole application (KrylearnNetSetGeometry fills it); coarser ones are pooled from it
   by steps placed where a graph first reads them */
static PetscErrorCode GeometryValue(KrylearnNet net, PetscInt shift, PetscInt *v)
{
  PetscFunctionBegin;
  PetscCheck(shift < NN_MAXSHIFT, net->comm, PETSC_ERR_SUP, "Model file %s: geometry field pooled %" PetscInt_FMT " times", net->file, shift);
  if (net->geomval[shift] < 0) {
    PetscInt fine = -1;
    if (shift > 0) PetscCall(GeometryValue(net, shift - 1, &fine));
    PetscCall(NewValue(net, 1, shift, "the geometry field", &net->geomval[shift]));
    if (shift > 0) NewStep(net, NN_STEP_AVGPOOL, NULL, fine, -1, net->geomval[shift]);
  }
  *v = net->geomval[shift];
  PetscFunctionReturn(0);
}

/* Steps of graph gi; map[t] is the value of its tensor t, map[0] its input */
static PetscErrorCode ExpandOps(KrylearnNet net, PetscInt gi, PetscInt *map, PetscInt depth, PetscInt levels)
{
  NNGraph *g    = &net->graphs[gi];
  PetscInt base = net->values[map[0]].shift;
  char     what[2 * NN_NAME + 48];

  PetscFunctionBegin;
  if (g->geometry >= 0) PetscCall(GeometryValue(net, base, &map[g->geometry]));
  for (PetscInt i = 0; i < g->nops; i++) {
    const NNOp *op = &g->ops[i];
    PetscInt    a = map[op->in[0]], sh = base + g->ts[op->out];
    PetscCall(PetscSNPrintf(what, sizeof(what), "tensor '%s' of graph %s", g->tname[op->out], g->name));
    switch (op->type) {
    case NN_CONV:
      PetscCall(NewValue(net, op->cout, sh, what, &map[op->out]));
      NewStep(net, NN_STEP_CONV, op, a, -1, map[op->out]);
      break;
    case NN_AVGPOOL:
      PetscCall(NewValue(net, g->tc[op->out], sh, what, &map[op->out]));
      NewStep(net, NN_STEP_AVGPOOL, op, a, -1, map[op->out]);
      break;
    case NN_UPSAMPLE:
      PetscCall(NewValue(net, g->tc[op->out], sh, what, &map[op->out]));
      NewStep(net, NN_STEP_UPSAMPLE, op, a, -1, map[op->out]);
      break;
    case NN_ADD:
      PetscCall(NewValue(net, g->tc[op->out], sh, what, &map[op->out]));
      NewStep(net, NN_STEP_ADD, op, a, map[op->in[1]], map[op->out]);
      break;
    case NN_MUL:
      PetscCall(NewValue(net, g->tc[op->out], sh, what, &map[op->out]));
      NewStep(net, NN_STEP_MUL, op, a, map[op->in[1]], map[op->out]);
      break;
    case NN_RECURSE:
      if (depth + 1 < levels) PetscCall(Expand(net, gi, a, depth + 1, levels, &map[op->out]));
      else {
        PetscCall(NewValue(net, g->tc[op->out], sh, what, &map[op->out]));
        NewStep(net, NN_STEP_ZERO, op, -1, -1, map[op->out]);
      }
      break;
    case NN_VCYCLE:
      PetscCall(Expand(net, op->body, a, 0, net->levels, &map[op->out]));
      break;
    }
  }
  PetscFunctionReturn(0);
}

/* Expands graph gi applied to value 'in' at vcycle depth 'depth' of 'levels'; *out is its result */
static PetscErrorCode Expand(KrylearnNet net, PetscInt gi, PetscInt in, PetscInt depth, PetscInt levels, PetscInt *out)
{
  PetscInt      *map;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(net->graphs[gi].nops + 2, &map));
  map[0] = in;
  ierr   = ExpandOps(net, gi, map, depth, levels);
  if (!ierr) *out = map[net->graphs[gi].output];
  PetscCall(PetscFree(map));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* Levels of the (single kind of) vcycle in main for this grid; 0 without vcycle. Levels
   that follow the grid stop where a process's block would no longer pool inside itself
   (ownership ranges that cannot be multiples of the full depth's factor, as on 3 processes
   along an axis): a shallower V-cycle, where a deeper one could not run. */
static PetscErrorCode ChooseLevels(KrylearnNet net)
{
  NNGraph *g = &net->graphs[0];

  PetscFunctionBegin;
  net->levels = 0;
  for (PetscInt i = 0; i < g->nops; i++) {
    const NNOp *op = &g->ops[i];
    PetscInt    s, L = op->levels;
    if (op->type != NN_VCYCLE) continue;
    s = net->graphs[op->body].recshift;
    if (!L) {
      PetscInt grid = -1, blocks; /* the depth of the grid alone, and with the blocks */

      for (;; L++) {
        PetscBool ok = PETSC_TRUE, inblock = PETSC_TRUE;
        PetscInt  f = (PetscInt)1 << (s * (L + 1) + g->ts[op->in[0]]);
        for (PetscInt d = 0; d < net->dim; d++) {
          ok      = (PetscBool)(ok && net->M[d] % f == 0 && net->M[d] / f >= op->coarsest);
          inblock = (PetscBool)(inblock && net->n[d] % f == 0);
        }
        if (!ok || s * (L + 1) > 30) break;
        if (!inblock && grid < 0) grid = L;
      }
      blocks = grid < 0 ? L : grid;
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &blocks, 1, MPIU_INT, MPI_MIN, net->comm));
      if (blocks < L && blocks > 0) PetscCall(PetscInfo(NULL, "Model file %s: %" PetscInt_FMT " vcycle levels instead of the grid's %" PetscInt_FMT ", so that pooling stays inside each process's block\n", net->file, blocks, L));
      if (blocks > 0) L = blocks;
      PetscCheck(L > 0, net->comm, PETSC_ERR_ARG_SIZ, "Model file %s cannot run on a %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " grid: its vcycle needs extents divisible by %d with at least %" PetscInt_FMT " points after pooling", net->file,
                 net->M[0], net->M[1], net->dim == 3 ? net->M[2] : 1, 1 << (s + g->ts[op->in[0]]), op->coarsest);
    }
    PetscCheck(!net->levels || net->levels == L, net->comm, PETSC_ERR_SUP, "Model file %s: vcycles with different numbers of levels", net->file);
    net->levels = L;
  }
  PetscFunctionReturn(0);
}

static PetscInt Producer(KrylearnNet net, PetscInt v)
{
  for (PetscInt i = 0; i < net->nsteps; i++)
    if (net->steps[i].out == v) return i;
  return -1;
}

/* add(conv(x), b) -> conv adding b, when the conv result feeds only the add, b is not x and
   b is read by nothing after the conv; the result overwrites b in place except where oneDNN
   adds b as a binary post-op after a ReLU (its 'sum' post-op must come first) */
static PetscErrorCode FuseAdds(KrylearnNet net)
{
  PetscBool *drop;
  PetscInt   n = 0;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(net->nsteps, &drop));
  for (PetscInt i = 0; i < net->nsteps; i++) {
    NNStep *s = &net->steps[i];
    if (s->type == NN_STEP_ADD) {
      for (PetscInt side = 0; side < 2; side++) {
        PetscInt  a = side ? s->in2 : s->in, b = side ? s->in : s->in2, j = Producer(net, a), jb = Producer(net, b);
        PetscBool ok;
        if (a == b || j < 0 || net->steps[j].type != NN_STEP_CONV || net->steps[j].sum || net->values[a].last != i || net->values[b].last != i || jb > j || b == net->steps[j].in) continue;
        ok = PETSC_TRUE;
        for (PetscInt t = j + 1; t < i; t++) ok = (PetscBool)(ok && net->steps[t].in != b && net->steps[t].in2 != b);
        if (!ok) continue;
        net->steps[j].sum     = PETSC_TRUE;
        net->steps[j].inplace = (PetscBool) !(net->usednnl && net->steps[j].op->relu);
        net->steps[j].in2     = b;
        net->steps[j].out     = s->out;
        drop[i]               = PETSC_TRUE;
        break;
      }
    }
  }
  for (PetscInt i = 0; i < net->nsteps; i++)
    if (!drop[i]) net->steps[n++] = net->steps[i];
  net->nsteps = n;
  PetscCall(PetscFree(drop));
  PetscFunctionReturn(0);
}

static void Liveness(KrylearnNet net)
{
  for (PetscInt v = 0; v < net->nvalues; v++) net->values[v].last = -1;
  for (PetscInt i = 0; i < net->nsteps; i++) {
    NNStep *s = &net->steps[i];
    if (s->in >= 0) net->values[s->in].last = i;
    if (s->in2 >= 0) net->values[s->in2].last = i;
  }
  net->values[net->output].last = net->nsteps;
  if (net->geomval[0] >= 0) net->values[net->geomval[0]].last = net->nsteps; /* set once, read by every application */
}

/* Buffers: each value gets a free buffer of sufficient size (smallest first) or a new one;
   a conv fused in place writes into its addend's buffer. The input and the geometry field
   (i = -2, -1) are written before the first step. */
static PetscErrorCode AssignBuffers(KrylearnNet net)
{
  size_t    *cap;
  PetscBool *busy;
  PetscInt   nb = 0;

  PetscFunctionBegin;
  PetscCall(PetscCalloc2(net->nvalues, &cap, net->nvalues, &busy));
  for (PetscInt i = -2; i < net->nsteps; i++) {
    PetscInt v = i == -2 ? net->input : i == -1 ? net->geomval[0] : net->steps[i].out;
    NNValue *val;
    if (v < 0) continue;
    val = &net->values[v];
    if (i >= 0 && net->steps[i].inplace) {
      val->buf = net->values[net->steps[i].in2].buf;
    } else {
      PetscInt best = -1;
      for (PetscInt k = 0; k < nb; k++)
        if (!busy[k] && cap[k] >= val->size && (best < 0 || cap[k] < cap[best])) best = k;
      if (best < 0) {
        for (PetscInt k = 0; k < nb; k++) /* grow the largest free buffer rather than add one */
          if (!busy[k] && (best < 0 || cap[k] > cap[best])) best = k;
        if (best < 0) best = nb++;
        cap[best] = val->size;
      }
      val->buf   = best;
      busy[best] = PETSC_TRUE;
    }
    if (i >= 0) { /* release the inputs read for the last time (never the fused addend: out owns it now) */
      NNStep *s = &net->steps[i];
      if (s->in >= 0 && net->values[s->in].last == i && net->values[s->in].buf != val->buf) busy[net->values[s->in].buf] = PETSC_FALSE;
      if (s->in2 >= 0 && net->values[s->in2].last == i && net->values[s->in2].buf != val->buf) busy[net->values[s->in2].buf] = PETSC_FALSE;
    }
  }
  net->nbufs = nb;
  PetscCall(PetscCalloc1(nb, &net->bufs));
  net->bufsize = 0;
  for (PetscInt k = 0; k < nb; k++) {
    PetscCall(PetscMalloc1(cap[k], &net->bufs[k]));
    net->bufsize += cap[k];
  }
  PetscCall(PetscFree2(cap, busy));
  PetscFunctionReturn(0);
}

/* Halo widths of each convolution: the kernel radius towards neighbouring processes and
   mirrored faces, and on every side for the direct kernel (zeros outside the grid); oneDNN
   pads the rest with zeros */
static PetscErrorCode SetHaloWidths(KrylearnNet net)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->nsteps; i++) {
    NNStep        *s = &net->steps[i];
    const NNValue *v;
    if (s->type != NN_STEP_CONV) continue;
    v         = &net->values[s->in];
    s->padded = PETSC_FALSE;
    for (PetscInt d = 0; d < 3; d++) {
      PetscInt  r      = d < net->dim ? s->op->k / 2 : 0;
      PetscBool mirror = (PetscBool)(net->face[d][0] == KRYLEARN_NET_FACE_MIRROR || net->face[d][1] == KRYLEARN_NET_FACE_MIRROR);
      s->lo[d]         = (net->nbr[d][0] >= 0 || s->direct || net->face[d][0] == KRYLEARN_NET_FACE_MIRROR) ? r : 0;
      s->hi[d]         = (net->nbr[d][1] >= 0 || s->direct || net->face[d][1] == KRYLEARN_NET_FACE_MIRROR) ? r : 0;
      if (s->lo[d] || s->hi[d]) s->padded = PETSC_TRUE;
      PetscCheck((net->nbr[d][0] < 0 && net->nbr[d][1] < 0 && !mirror) || v->n[d] >= r, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "Model file %s: a %" PetscInt_FMT "-point convolution on a block of extent %" PetscInt_FMT " along axis %" PetscInt_FMT " needs halo data beyond the neighbouring process or the mirrored face; use fewer processes or a larger grid",
                 net->file, s->op->k, v->n[d], d);
    }
  }
  PetscFunctionReturn(0);
}

/* The halo buffer and the exchange buffers, sized for the largest convolution input */
static PetscErrorCode AllocHalos(KrylearnNet net)
{
  PetscFunctionBegin;
  net->halosize = net->commsize = 0;
  for (PetscInt i = 0; i < net->nsteps; i++) {
    const NNStep  *s = &net->steps[i];
    const NNValue *v;
    size_t         size;
    PetscInt       e[3];
    if (s->type != NN_STEP_CONV || !s->padded) continue;
    v = &net->values[s->in];
    for (PetscInt d = 0; d < 3; d++) e[d] = v->n[d] + s->lo[d] + s->hi[d];
    size          = (size_t)v->c * e[0] * e[1] * e[2];
    net->halosize = PetscMax(net->halosize, size);
    for (PetscInt d = 0; d < 3; d++) net->commsize = PetscMax(net->commsize, size / (size_t)e[d] * (size_t)PetscMax(s->lo[d], s->hi[d]));
  }
  if (net->halosize) PetscCall(PetscMalloc1(net->halosize, &net->halo));
  if (net->commsize) PetscCall(PetscMalloc2(net->commsize, &net->sendbuf, net->commsize, &net->recvbuf));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetPlan_Private(KrylearnNet net)
{
  PetscInt maxsteps;

  PetscFunctionBegin;
  PetscCall(ChooseLevels(net));
  net->block = 8;
  if (net->usednnl && (dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core) net->block = 16;
  maxsteps = net->graphs[0].nops + NN_MAXSHIFT; /* with the geometry pyramid */
  for (PetscInt i = 0; i < net->graphs[0].nops; i++)
    if (net->graphs[0].ops[i].type == NN_VCYCLE) maxsteps += net->levels * net->graphs[net->graphs[0].ops[i].body].nops;
  PetscCall(PetscCalloc2(maxsteps + 1, &net->values, maxsteps, &net->steps));
  net->nvalues = net->nsteps = 0;
  net->geomset               = PETSC_FALSE;
  for (PetscInt s = 0; s < NN_MAXSHIFT; s++) net->geomval[s] = -1;
  PetscCall(NewValue(net, 1, 0, "the input", &net->input));
  PetscCall(Expand(net, 0, net->input, 0, 0, &net->output));
  Liveness(net);
  PetscCall(FuseAdds(net));
  Liveness(net);
  PetscCall(AssignBuffers(net));
  net->flops = 0;
  for (PetscInt i = 0; i < net->nsteps; i++) {
    const NNStep *s      = &net->steps[i];
    net->steps[i].direct = (PetscBool)!net->usednnl;
    if (s->type == NN_STEP_CONV) net->flops += 2.0 * s->op->cin * s->op->cout * PetscPowInt(s->op->k, net->dim) * (PetscLogDouble)(net->values[s->out].size / (size_t)s->op->cout);
  }
  PetscCall(SetHaloWidths(net));
  if (net->usednnl) PetscCall(KrylearnNetDnnlCreate_Private(net)); /* may hand steps to the direct kernel */
  PetscCall(SetHaloWidths(net));
  PetscCall(AllocHalos(net));
  if (net->usednnl) PetscCall(KrylearnNetDnnlBind_Private(net));
  PetscCall(PetscCalloc1(net->nweights, &net->wpack));
  for (PetscInt i = 0; i < net->nsteps; i++) {
    const NNOp *op = net->steps[i].op;
    if (net->steps[i].type != NN_STEP_CONV || !net->steps[i].direct || net->wpack[op->weight]) continue;
    PetscCall(PetscMalloc1(net->weights[op->weight].size, &net->wpack[op->weight]));
    NNPackWeights(net->weights[op->weight].data, op->cout, op->cin, net->dim == 3 ? op->k : 1, op->k, NNChannelBlock(net, op->cout), net->wpack[op->weight]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnNetResetPlan_Private(KrylearnNet net)
{
  PetscFunctionBegin;
  if (net->usednnl) PetscCall(KrylearnNetDnnlDestroy_Private(net));
  if (net->wpack)
    for (PetscInt w = 0; w < net->nweights; w++) PetscCall(PetscFree(net->wpack[w]));
  PetscCall(PetscFree(net->wpack));
  for (PetscInt k = 0; k < net->nbufs; k++) PetscCall(PetscFree(net->bufs[k]));
  PetscCall(PetscFree(net->bufs));
  PetscCall(PetscFree(net->halo));
  PetscCall(PetscFree2(net->sendbuf, net->recvbuf));
  PetscCall(PetscFree2(net->values, net->steps));
  net->nbufs = net->nsteps = net->nvalues = 0;
  PetscCall(DMDestroy(&net->dm));
  PetscFunctionReturn(0);
}
