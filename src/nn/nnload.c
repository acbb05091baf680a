/* Reading and validating a Krylearn HDF5 model file (docs/model-format.md). */
#include "nnimpl.h"
#include <krylearnio.h>
#include <math.h>

const char *const        NNOpTypes[]    = {"conv", "avgpool", "upsample", "add", "mul", "vcycle", "recurse", NULL};
static const char *const NNGeometries[] = {"solid", NULL};  /* kinds of geometry field a model may read */
static const char *const NNSmoothers[]  = {"jacobi", NULL}; /* smoothers of a hybrid structure */
#define NN_MAX_OPS 100000                                   /* operations per graph */

/* The model file, read through the checked HDF5 layer: every rank reads the whole model and finds
   the same problems; each raises them on PETSC_COMM_SELF, so that every rank prints the message
   (an error on a multi-rank communicator is printed by its rank 0 only, which another rank's abort
   can pre-empt) */
typedef struct {
  KrylearnNet    net;
  KrylearnH5File f;
} NNReader;

/* String attribute 'name' of object obj (a path), required, into buf */
static PetscErrorCode ReadString(NNReader *rd, const char *obj, const char *name, char buf[NN_NAME])
{
  PetscFunctionBegin;
  PetscCall(KrylearnH5FileReadAttributeString(rd->f, obj, name, NN_NAME, buf, NULL));
  PetscFunctionReturn(0);
}

/* Scalar integer attribute, required, in the range of PetscInt */
static PetscErrorCode ReadInt(NNReader *rd, const char *obj, const char *where, const char *name, PetscInt *v)
{
  KrylearnNet net = rd->net;
  PetscInt    n;
  PetscInt64  x;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileReadAttribute(rd->f, obj, name, KRYLEARN_H5_INT64, 1, &n, &x));
  PetscCheck(n == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has no attribute '%s'", net->file, where, name);
  PetscCheck(x >= PETSC_MIN_INT && x <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: attribute '%s' of %s is %" PetscInt64_FMT ", outside the range of PetscInt", net->file, name, where, x);
  *v = (PetscInt)x;
  PetscFunctionReturn(0);
}

/* Whether path names an object of the given kind */
static PetscErrorCode Exists(NNReader *rd, const char *path, KrylearnH5Object kind, PetscBool *exists)
{
  KrylearnH5Object type = KRYLEARN_H5_NONE;

  PetscFunctionBegin;
  *exists = PETSC_FALSE;
  PetscCall(KrylearnH5FileGetObject(rd->f, path, &type));
  *exists = type == kind ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Scalar floating-point attribute, required */
static PetscErrorCode ReadReal(NNReader *rd, const char *obj, const char *where, const char *name, PetscReal *v)
{
  KrylearnNet net = rd->net;
  PetscInt    n;
  double      x;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileReadAttribute(rd->f, obj, name, KRYLEARN_H5_REAL, 1, &n, &x));
  PetscCheck(n == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has no attribute '%s'", net->file, where, name);
  *v = (PetscReal)x;
  PetscFunctionReturn(0);
}

/* The hybrid structure (group /hybrid, format version 3): the classical cycle around the
   network that its user runs with the operator (train/hybrid.py, plugins/deepcd_hybrid.c) */
static PetscErrorCode ReadHybrid(NNReader *rd)
{
  KrylearnNet net = rd->net;
  PetscInt    kind, n;
  PetscInt64  iterations[4];
  PetscBool   known;

  PetscFunctionBegin;
  PetscCall(ReadString(rd, "/hybrid", "smoother", net->smoother));
  PetscCall(PetscEListFind(1, NNSmoothers, net->smoother, &kind, &known));
  PetscCheck(known, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares unknown smoother '%s' (this runtime knows 'jacobi')", net->file, net->smoother);
  PetscCall(ReadInt(rd, "/hybrid", "/hybrid", "sweeps", &net->sweeps));
  PetscCheck(net->sweeps >= 0 && net->sweeps <= 8, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt_FMT " sweeps (0 to 8 allowed)", net->file, net->sweeps);
  PetscCall(ReadReal(rd, "/hybrid", "/hybrid", "damping", &net->damping));
  PetscCheck(PetscIsNormalReal(net->damping) && net->damping > 0.0 && net->damping <= 1.0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares damping %g (must be in (0, 1])", net->file, (double)net->damping);
  PetscCall(ReadInt(rd, "/hybrid", "/hybrid", "classical_levels", &net->clevels));
  PetscCheck(net->clevels >= 1 && net->clevels <= 4, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt_FMT " classical levels (1 to 4 allowed)", net->file, net->clevels);
  /* optional: one number for every coarse level or one per level (absent: 1, a V-cycle) */
  PetscCall(KrylearnH5FileReadAttribute(rd->f, "/hybrid", "coarse_iterations", KRYLEARN_H5_INT64, 4, &n, iterations));
  PetscCheck(n <= 1 || n == net->clevels, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt_FMT " coarse iterations for %" PetscInt_FMT " classical levels (one number or one per level)", net->file, n, net->clevels);
  for (PetscInt l = 0; l < net->clevels; l++) {
    const PetscInt64 k = n ? iterations[n == 1 ? 0 : l] : 1;

    PetscCheck(k >= 1 && k <= 4, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt64_FMT " coarse iterations (1 to 4 allowed)", net->file, k);
    net->citerations[l] = (PetscInt)k;
  }
  PetscFunctionReturn(0);
}

/* Index of tensor 'name' among the input, the outputs of the first upto - 1 ops and the
   geometry field; -1 when it is none of them */
static PetscInt LookupTensor(const NNGraph *g, PetscInt upto, const char *name)
{
  for (PetscInt t = 0; t < upto; t++)
    if (!strcmp(g->tname[t], name)) return t;
  return g->geometry >= 0 && !strcmp(g->tname[g->geometry], name) ? g->geometry : -1;
}

static PetscErrorCode FindTensor(KrylearnNet net, NNGraph *g, PetscInt upto, const char *name, const char *where, PetscInt *t)
{
  PetscFunctionBegin;
  *t = LookupTensor(g, upto, name);
  PetscCheck(*t >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s uses tensor '%s' before it is written", net->file, where, name);
  PetscFunctionReturn(0);
}

/* Weight 'name' (loaded once, shared by every op naming it) with the expected shape, checked before it is read */
static PetscErrorCode GetWeight(NNReader *rd, const char *name, PetscInt ndim, const PetscInt shape[], const char *where, PetscInt *idx)
{
  KrylearnNet net = rd->net;
  char        path[NN_NAME + 16];
  PetscInt64  dims[KRYLEARN_H5_MAX_DIM], size = 1;
  int         nd;
  NNWeight   *w;
  PetscBool   ok, exists;

  PetscFunctionBegin;
  for (*idx = 0; *idx < net->nweights; (*idx)++) {
    PetscBool eq;
    PetscCall(PetscStrcmp(net->weights[*idx].name, name, &eq));
    if (eq) break;
  }
  if (*idx == net->nweights) { /* shape from the file: compared with what the op needs before anything is read */
    PetscCall(PetscSNPrintf(path, sizeof(path), "/weights/%s", name));
    PetscCall(Exists(rd, path, KRYLEARN_H5_DATASET, &exists));
    PetscCheck(exists && name[0] && !strchr(name, '/'), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight dataset %s (used by %s) is missing", net->file, path, where);
    PetscCall(KrylearnH5FileGetDataset(rd->f, path, KRYLEARN_H5_FLOAT, 5, &nd, dims));
    PetscCheck(nd >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight %s has %d dimensions", net->file, path, nd);
    w = &net->weights[net->nweights];
    PetscCall(PetscStrncpy(w->name, name, NN_NAME));
    w->ndim = nd;
    ok      = (PetscBool)(nd == ndim);
    for (int i = 0; i < nd; i++) {
      w->shape[i] = dims[i] > PETSC_MAX_INT ? -1 : (PetscInt)dims[i];
      ok          = (PetscBool)(ok && dims[i] == shape[i]);
    }
    if (ok) {
      float *data;
      for (int i = 0; i < nd; i++) size *= dims[i]; /* the shape asked for: at most 4096 x 4096 x 15^3 */
      PetscCheck(size <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight %s of %" PetscInt64_FMT " values exceeds the range of PetscInt", net->file, path, size);
      PetscCall(KrylearnH5FileReadDatasetAlloc(rd->f, path, KRYLEARN_H5_FLOAT, 5, size, &nd, dims, &data));
      w->data = data;
      w->size = (PetscInt)size;
      net->nweights++;
      for (PetscInt i = 0; i < w->size; i++) PetscCheck(isfinite(w->data[i]), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight %s has a NaN or Inf entry (index %" PetscInt_FMT ")", net->file, path, i);
    }
  } else w = &net->weights[*idx];
  ok = (PetscBool)(w->ndim == ndim);
  for (PetscInt i = 0; ok && i < ndim; i++) ok = (PetscBool)(w->shape[i] == shape[i]);
  if (!ok) {
    char got[96] = "", want[96] = "";
    for (PetscInt i = 0; i < w->ndim; i++) PetscCall(PetscSNPrintf(got + strlen(got), sizeof(got) - strlen(got), "%s%" PetscInt_FMT, i ? "x" : "", w->shape[i]));
    for (PetscInt i = 0; i < ndim; i++) PetscCall(PetscSNPrintf(want + strlen(want), sizeof(want) - strlen(want), "%s%" PetscInt_FMT, i ? "x" : "", shape[i]));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight /weights/%s has shape %s but %s needs %s", net->file, name, got, where, want);
  }
  PetscFunctionReturn(0);
}

/* The 'activation' attribute of an op: relu or identity */
static PetscErrorCode ReadActivation(NNReader *rd, const char *og, const char *where, PetscBool *relu)
{
  char      s[NN_NAME];
  PetscBool id;

  PetscFunctionBegin;
  PetscCall(ReadString(rd, og, "activation", s));
  PetscCall(PetscStrcmp(s, "relu", relu));
  PetscCall(PetscStrcmp(s, "identity", &id));
  PetscCheck(*relu || id, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has unknown activation '%s'", rd->net->file, where, s);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOp(NNReader *rd, NNGraph *g, PetscInt i, PetscBool body)
{
  KrylearnNet net = rd->net;
  NNOp       *op  = &g->ops[i];
  char        where[2 * NN_NAME + 32], og[NN_NAME + 32], s[NN_NAME], *tok, *save;
  PetscInt    c, sh;
  PetscBool   exists;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(og, sizeof(og), "/graphs/%s/op%" PetscInt_FMT, g->name, i));
  PetscCall(PetscStrncpy(where, og, sizeof(where)));
  PetscCall(Exists(rd, og, KRYLEARN_H5_GROUP, &exists));
  PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: group %s is missing", net->file, where);
  PetscCall(ReadString(rd, og, "type", s));
  {
    PetscInt  t;
    PetscBool found;
    PetscCall(PetscEListFind(7, NNOpTypes, s, &t, &found));
    PetscCheck(found, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has unknown operation type '%s'", net->file, where, s);
    op->type = (NNOpType)t;
  }
  PetscCall(PetscStrlcat(where, " (", sizeof(where)));
  PetscCall(PetscStrlcat(where, s, sizeof(where)));
  PetscCall(PetscStrlcat(where, ")", sizeof(where)));
  PetscCall(ReadString(rd, og, "inputs", s));
  op->nin = 0;
  for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    PetscCheck(op->nin < 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has too many inputs", net->file, where);
    PetscCall(FindTensor(net, g, i + 1, tok, where, &op->in[op->nin++]));
  }
  {
    const int need = op->type == NN_ADD || op->type == NN_MUL ? 2 : 1;
    PetscCheck(op->nin == need, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s needs %d input(s), has %" PetscInt_FMT, net->file, where, need, op->nin);
  }
  PetscCall(ReadString(rd, og, "output", g->tname[i + 1]));
  PetscCheck(LookupTensor(g, i + 1, g->tname[i + 1]) < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s writes tensor '%s' a second time", net->file, where, g->tname[i + 1]);
  op->out  = i + 1;
  op->bias = -1;
  c        = g->tc[op->in[0]];
  sh       = g->ts[op->in[0]];
  switch (op->type) {
  case NN_CONV: {
    PetscInt shape[5];
    PetscCall(ReadInt(rd, og, where, "kernel", &op->k));
    PetscCall(ReadInt(rd, og, where, "in_channels", &op->cin));
    PetscCall(ReadInt(rd, og, where, "out_channels", &op->cout));
    PetscCheck(op->k >= 1 && op->k % 2 == 1 && op->k <= 15, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has kernel %" PetscInt_FMT ", which is not odd (1 to 15)", net->file, where, op->k);
    PetscCheck(op->cout >= 1 && op->cout <= 4096, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " output channels", net->file, where, op->cout);
    PetscCheck(op->cin == c, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: channel counts do not chain: %s expects %" PetscInt_FMT " input channels but tensor '%s' has %" PetscInt_FMT, net->file, where, op->cin, g->tname[op->in[0]], c);
    PetscCall(ReadActivation(rd, og, where, &op->relu));
    shape[0] = op->cout;
    shape[1] = op->cin;
    for (PetscInt d = 0; d < net->dim; d++) shape[2 + d] = op->k;
    PetscCall(ReadString(rd, og, "weight", s));
    PetscCall(GetWeight(rd, s, 2 + net->dim, shape, where, &op->weight));
    PetscCall(ReadString(rd, og, "bias", s));
    if (s[0]) PetscCall(GetWeight(rd, s, 1, shape, where, &op->bias));
    c = op->cout;
  } break;
  case NN_AVGPOOL:
    sh++;
    break;
  case NN_UPSAMPLE:
    PetscCheck(sh > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s upsamples above the input resolution", net->file, where);
    sh--;
    break;
  case NN_ADD:
    PetscCheck(g->tc[op->in[1]] == c && g->ts[op->in[1]] == sh, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s adds tensors '%s' and '%s' of different channels or resolution", net->file, where, g->tname[op->in[0]], g->tname[op->in[1]]);
    break;
  case NN_MUL:
    PetscCheck((g->tc[op->in[1]] == c || g->tc[op->in[1]] == 1) && g->ts[op->in[1]] == sh, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s multiplies tensor '%s' (%" PetscInt_FMT " channels) by '%s' (%" PetscInt_FMT " channels): the second needs the same resolution and the same channels or 1",
               net->file, where, g->tname[op->in[0]], c, g->tname[op->in[1]], g->tc[op->in[1]]);
    PetscCall(ReadActivation(rd, og, where, &op->relu));
    break;
  case NN_RECURSE:
    PetscCheck(body, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s is outside a vcycle body", net->file, where);
    PetscCheck(sh > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s input is not pooled", net->file, where);
    PetscCheck(g->recshift < 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s is a second recurse in the body", net->file, where);
    g->recshift = sh;
    break;
  case NN_VCYCLE:
    PetscCheck(!body, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s: vcycles cannot nest", net->file, where);
    PetscCall(ReadString(rd, og, "body", s));
    PetscCall(ReadInt(rd, og, where, "levels", &op->levels));
    PetscCall(ReadInt(rd, og, where, "coarsest", &op->coarsest));
    PetscCheck(op->levels >= 0 && op->levels <= 30 && op->coarsest >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has levels %" PetscInt_FMT " and coarsest %" PetscInt_FMT, net->file, where, op->levels, op->coarsest);
    for (op->body = 1; op->body < net->ngraphs; op->body++) {
      PetscBool eq;
      PetscCall(PetscStrcmp(net->graphs[op->body].name, s, &eq));
      if (eq) break;
    }
    PetscCheck(op->body < net->ngraphs, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names body graph '%s', which is not in /graphs", net->file, where, s);
    break; /* the body keeps channels and resolution: checked when it is read */
  }
  g->tc[i + 1] = c;
  g->ts[i + 1] = sh;
  PetscFunctionReturn(0);
}

/* Graph g (index gi); body graphs take 'cin' channels */
static PetscErrorCode ReadGraph(NNReader *rd, PetscInt gi, PetscInt cin)
{
  KrylearnNet net = rd->net;
  NNGraph    *g   = &net->graphs[gi];
  char        where[NN_NAME + 16], outname[NN_NAME];
  const char *gg = where;
  PetscBool   has;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/%s", g->name));
  PetscCall(ReadInt(rd, gg, where, "num_ops", &g->nops));
  PetscCheck(g->nops >= 1 && g->nops <= NN_MAX_OPS, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " operations", net->file, where, g->nops);
  PetscCall(PetscCalloc1(g->nops, &g->ops));
  PetscCall(PetscCalloc3(g->nops + 2, &g->tname, g->nops + 2, &g->tc, g->nops + 2, &g->ts));
  PetscCall(ReadString(rd, gg, "input", g->tname[0]));
  PetscCall(ReadString(rd, gg, "output", outname));
  g->tc[0]    = cin;
  g->recshift = -1;
  g->geometry = -1;
  PetscCall(KrylearnH5FileHasAttribute(rd->f, gg, "geometry", &has));
  if (has) { /* the geometry field at the input's resolution */
    PetscBool same;
    PetscCheck(net->geometry[0], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s reads a geometry field but the file declares none (root attribute 'geometry')", net->file, where);
    g->geometry = g->nops + 1;
    PetscCall(ReadString(rd, gg, "geometry", g->tname[g->geometry]));
    PetscCall(PetscStrcmp(g->tname[0], g->tname[g->geometry], &same));
    PetscCheck(!same, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names its input and its geometry field both '%s'", net->file, where, g->tname[0]);
    g->tc[g->geometry] = 1;
  }
  for (PetscInt i = 0; i < g->nops; i++) PetscCall(ReadOp(rd, g, i, (PetscBool)(gi > 0)));
  PetscCall(FindTensor(net, g, g->nops + 1, outname, where, &g->output));
  if (gi == 0) {
    PetscCheck(g->tc[g->output] == 1 && g->ts[g->output] == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: the output '%s' of /graphs/main must have 1 channel at the input resolution (has %" PetscInt_FMT " channels, %" PetscInt_FMT " poolings)",
               net->file, outname, g->tc[g->output], g->ts[g->output]);
  } else {
    PetscCheck(g->recshift > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: vcycle body %s has no recurse operation", net->file, where);
    PetscCheck(g->tc[g->output] == cin && g->ts[g->output] == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: the output of vcycle body %s must keep its input's channels and resolution", net->file, where);
  }
  PetscFunctionReturn(0);
}

/* Names of the graphs to read: main first, then the bodies named by vcycle ops of main. A body is
   named by a plain name (no '/'), so that distinct names are distinct groups; the table has room
   for one body per op of main. */
static PetscErrorCode ReadGraphs(NNReader *rd)
{
  KrylearnNet net = rd->net;
  char        og[NN_NAME + 32], s[NN_NAME];
  PetscInt    nops;
  PetscBool   exists;

  PetscFunctionBegin;
  PetscCall(Exists(rd, "/graphs/main", KRYLEARN_H5_GROUP, &exists));
  PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: group /graphs/main is missing", net->file);
  PetscCall(ReadInt(rd, "/graphs/main", "/graphs/main", "num_ops", &nops));
  PetscCheck(nops >= 1 && nops <= NN_MAX_OPS, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /graphs/main has %" PetscInt_FMT " operations", net->file, nops);
  PetscCall(PetscCalloc1(nops + 1, &net->graphs));
  net->ngraphs = 1;
  PetscCall(PetscStrncpy(net->graphs[0].name, "main", NN_NAME));
  for (PetscInt i = 0; i < nops; i++) {
    PetscBool isv, dup = PETSC_FALSE;
    PetscCall(PetscSNPrintf(og, sizeof(og), "/graphs/main/op%" PetscInt_FMT, i));
    PetscCall(Exists(rd, og, KRYLEARN_H5_GROUP, &exists));
    if (!exists) continue; /* reported by ReadGraph */
    PetscCall(ReadString(rd, og, "type", s));
    PetscCall(PetscStrcmp(s, "vcycle", &isv));
    if (!isv) continue;
    PetscCall(ReadString(rd, og, "body", s));
    PetscCheck(s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "main"), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names body graph '%s': a body is named by a plain group name of /graphs other than main", net->file, og, s);
    for (PetscInt b = 0; b < net->ngraphs; b++) {
      PetscBool eq;
      PetscCall(PetscStrcmp(net->graphs[b].name, s, &eq));
      dup = (PetscBool)(dup || eq);
    }
    if (!dup) {
      char path[NN_NAME + 16];
      PetscCall(PetscSNPrintf(path, sizeof(path), "/graphs/%s", s));
      PetscCall(Exists(rd, path, KRYLEARN_H5_GROUP, &exists));
      PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names body graph '%s', which is not in /graphs", net->file, og, s);
      PetscCall(PetscStrncpy(net->graphs[net->ngraphs++].name, s, NN_NAME));
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadFile(NNReader *rd)
{
  KrylearnNet net = rd->net;
  char        s[NN_NAME];
  PetscInt    version, nweights = 0;
  PetscBool   eq, has;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileHasAttribute(rd->f, "/", "format", &has));
  PetscCheck(has, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: not a Krylearn model (no 'format' attribute)", net->file);
  PetscCall(ReadString(rd, "/", "format", s));
  PetscCall(PetscStrcmp(s, "krylearn-model", &eq));
  PetscCheck(eq, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: format is '%s', not 'krylearn-model'", net->file, s);
  PetscCall(ReadInt(rd, "/", "/", "format_version", &version));
  PetscCheck(version >= 1 && version <= 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: unsupported format version %" PetscInt_FMT " (this runtime reads versions 1 to 3)", net->file, version);
  PetscCall(ReadInt(rd, "/", "/", "dimension", &net->dim));
  PetscCheck(net->dim == 2 || net->dim == 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: dimension %" PetscInt_FMT " is not 2 or 3", net->file, net->dim);
  PetscCall(KrylearnH5FileReadAttributeString(rd->f, "/", "name", NN_NAME, net->name, &has));
  PetscCall(KrylearnH5FileReadAttributeString(rd->f, "/", "geometry", NN_NAME, net->geometry, &has));
  if (has) {
    PetscInt  kind;
    PetscBool known;
    PetscCall(PetscEListFind(1, NNGeometries, net->geometry, &kind, &known));
    PetscCheck(known, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: unknown geometry field '%s' (this runtime knows 'solid')", net->file, net->geometry);
  }
  PetscCall(Exists(rd, "/hybrid", KRYLEARN_H5_GROUP, &has));
  if (has) {
    PetscCheck(version >= 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: a /hybrid structure needs format version 3, the file says %" PetscInt_FMT, net->file, version);
    PetscCall(ReadHybrid(rd));
  }
  PetscCall(ReadGraphs(rd));
  /* room for every weight any conv may name */
  for (PetscInt gi = 0; gi < net->ngraphs; gi++) {
    char     where[NN_NAME + 16];
    PetscInt n;
    PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/%s", net->graphs[gi].name));
    PetscCall(ReadInt(rd, where, where, "num_ops", &n));
    PetscCheck(n >= 1 && n <= NN_MAX_OPS, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " operations", net->file, where, n);
    nweights += 2 * n;
  }
  PetscCall(PetscCalloc1(nweights, &net->weights));
  PetscCall(ReadGraph(rd, 0, 1));
  for (PetscInt gi = 1; gi < net->ngraphs; gi++) { /* a body takes the channels main's vcycles feed it */
    const NNGraph *m   = &net->graphs[0];
    PetscInt       cin = -1;
    for (PetscInt i = 0; i < m->nops; i++) {
      const NNOp *op = &m->ops[i];
      if (op->type != NN_VCYCLE || op->body != gi) continue;
      PetscCheck(cin < 0 || cin == m->tc[op->in[0]], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: vcycles feed body '%s' with %" PetscInt_FMT " and %" PetscInt_FMT " channels", net->file, net->graphs[gi].name, cin, m->tc[op->in[0]]);
      cin = m->tc[op->in[0]];
    }
    PetscCall(ReadGraph(rd, gi, cin));
  }
  if (net->geometry[0]) {
    PetscBool read = PETSC_FALSE;
    for (PetscInt gi = 0; gi < net->ngraphs; gi++) read = (PetscBool)(read || net->graphs[gi].geometry >= 0);
    PetscCheck(read, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "Model file %s declares a '%s' geometry field that no graph reads", net->file, net->geometry);
  }
  PetscFunctionReturn(0);
}

/* Reads net->file into net; the file is closed whatever happens */
PetscErrorCode KrylearnNetReadFile_Private(KrylearnNet net)
{
  NNReader       rd = {net, NULL};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileOpen(net->comm, net->file, "Model file", KRYLEARN_H5_READ, &rd.f));
  ierr = ReadFile(&rd);
  PetscCall(KrylearnH5FileClose(&rd.f));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
