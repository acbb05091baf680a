/* Reading and validating a Krylearn HDF5 model file (docs/model-format.md). */
#include "nnimpl.h"
#include "io/h5string.h"
#include <math.h>

const char *const NNOpTypes[] = {"conv", "avgpool", "upsample", "add", "mul", "vcycle", "recurse", NULL};
static const char *const NNGeometries[] = {"solid", NULL}; /* kinds of geometry field a model may read */
static const char *const NNSmoothers[]  = {"jacobi", NULL}; /* smoothers of a hybrid structure */

/* HDF5 handles opened while reading; all of them are closed whatever happens */
typedef struct {
  KrylearnNet net;
  hid_t       h[8];
  int         nh;
} NNReader;

static PetscErrorCode ReaderPush(NNReader *rd, hid_t h, const char *what)
{
  PetscFunctionBegin;
  PetscCheck(h >= 0, rd->net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: cannot open %s", rd->net->file, what);
  PetscCheck(rd->nh < 8, PETSC_COMM_SELF, PETSC_ERR_PLIB, "Too many open HDF5 objects");
  rd->h[rd->nh++] = h;
  PetscFunctionReturn(0);
}

static void ReaderPop(NNReader *rd)
{
  hid_t h = rd->h[--rd->nh];
  switch (H5Iget_type(h)) {
  case H5I_FILE: H5Fclose(h); break;
  case H5I_GROUP: H5Gclose(h); break;
  case H5I_DATASET: H5Dclose(h); break;
  case H5I_DATASPACE: H5Sclose(h); break;
  case H5I_DATATYPE: H5Tclose(h); break;
  case H5I_ATTR: H5Aclose(h); break;
  default: break;
  }
}

/* Opens attribute 'name' of obj (described as where in errors) and its type, both pushed on the reader */
static PetscErrorCode OpenAttribute(NNReader *rd, hid_t obj, const char *where, const char *name, hid_t *a, hid_t *t)
{
  PetscFunctionBegin;
  PetscCheck(H5Aexists(obj, name) > 0, rd->net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has no attribute '%s'", rd->net->file, where, name);
  *a = H5Aopen(obj, name, H5P_DEFAULT);
  PetscCall(ReaderPush(rd, *a, name));
  *t = H5Aget_type(*a);
  PetscCall(ReaderPush(rd, *t, name));
  PetscFunctionReturn(0);
}

/* String attribute 'name' of object obj (fixed or variable length) into buf */
static PetscErrorCode ReadString(NNReader *rd, hid_t obj, const char *where, const char *name, char buf[NN_NAME])
{
  KrylearnNet net = rd->net;
  hid_t       a, t;
  size_t      len;
  PetscBool   ok;

  PetscFunctionBegin;
  PetscCall(OpenAttribute(rd, obj, where, name, &a, &t));
  PetscCheck(H5Tget_class(t) == H5T_STRING, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: attribute '%s' of %s is not a string", net->file, name, where);
  PetscCall(KrylearnH5AttributeReadString(a, t, NN_NAME, buf, &len, &ok));
  PetscCheck(ok, net->comm, PETSC_ERR_FILE_READ, "Model file %s: cannot read attribute '%s' of %s", net->file, name, where);
  PetscCheck(len < NN_NAME, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: attribute '%s' of %s is longer than %d characters", net->file, name, where, NN_NAME - 1);
  ReaderPop(rd);
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* Scalar integer attribute */
static PetscErrorCode ReadInt(NNReader *rd, hid_t obj, const char *where, const char *name, PetscInt *v)
{
  KrylearnNet net = rd->net;
  hid_t       a, t, s;
  long long   x;

  PetscFunctionBegin;
  PetscCall(OpenAttribute(rd, obj, where, name, &a, &t));
  s = H5Aget_space(a);
  PetscCall(ReaderPush(rd, s, name));
  PetscCheck(H5Tget_class(t) == H5T_INTEGER && H5Sget_simple_extent_npoints(s) == 1, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: attribute '%s' of %s is not one integer", net->file, name, where);
  PetscCheck(H5Aread(a, H5T_NATIVE_LLONG, &x) >= 0, net->comm, PETSC_ERR_FILE_READ, "Model file %s: cannot read attribute '%s' of %s", net->file, name, where);
  *v = (PetscInt)x;
  ReaderPop(rd);
  ReaderPop(rd);
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* Scalar floating-point attribute */
static PetscErrorCode ReadReal(NNReader *rd, hid_t obj, const char *where, const char *name, PetscReal *v)
{
  KrylearnNet net = rd->net;
  hid_t       a, t, s;
  double      x;

  PetscFunctionBegin;
  PetscCall(OpenAttribute(rd, obj, where, name, &a, &t));
  s = H5Aget_space(a);
  PetscCall(ReaderPush(rd, s, name));
  PetscCheck(H5Tget_class(t) == H5T_FLOAT && H5Sget_simple_extent_npoints(s) == 1, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: attribute '%s' of %s is not one floating-point number", net->file, name, where);
  PetscCheck(H5Aread(a, H5T_NATIVE_DOUBLE, &x) >= 0, net->comm, PETSC_ERR_FILE_READ, "Model file %s: cannot read attribute '%s' of %s", net->file, name, where);
  *v = (PetscReal)x;
  ReaderPop(rd);
  ReaderPop(rd);
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* The hybrid structure (group /hybrid, format version 3): the classical cycle around the
   network that its user runs with the operator (train/hybrid.py, plugins/deepcd_hybrid.c) */
static PetscErrorCode ReadHybrid(NNReader *rd, hid_t file)
{
  KrylearnNet net = rd->net;
  hid_t       hg;
  PetscInt    kind;
  PetscBool   known;

  PetscFunctionBegin;
  hg = H5Gopen2(file, "hybrid", H5P_DEFAULT);
  PetscCall(ReaderPush(rd, hg, "/hybrid"));
  PetscCall(ReadString(rd, hg, "/hybrid", "smoother", net->smoother));
  PetscCall(PetscEListFind(1, NNSmoothers, net->smoother, &kind, &known));
  PetscCheck(known, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares unknown smoother '%s' (this runtime knows 'jacobi')", net->file, net->smoother);
  PetscCall(ReadInt(rd, hg, "/hybrid", "sweeps", &net->sweeps));
  PetscCheck(net->sweeps >= 0 && net->sweeps <= 8, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt_FMT " sweeps (0 to 8 allowed)", net->file, net->sweeps);
  PetscCall(ReadReal(rd, hg, "/hybrid", "damping", &net->damping));
  PetscCheck(PetscIsNormalReal(net->damping) && net->damping > 0.0 && net->damping <= 1.0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares damping %g (must be in (0, 1])", net->file, (double)net->damping);
  PetscCall(ReadInt(rd, hg, "/hybrid", "classical_levels", &net->clevels));
  PetscCheck(net->clevels >= 1 && net->clevels <= 4, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: /hybrid declares %" PetscInt_FMT " classical levels (1 to 4 allowed)", net->file, net->clevels);
  ReaderPop(rd);
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
  PetscCheck(*t >= 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s uses tensor '%s' before it is written", net->file, where, name);
  PetscFunctionReturn(0);
}

/* Weight 'name' (loaded once, shared by every op naming it) with the expected shape */
static PetscErrorCode GetWeight(NNReader *rd, hid_t file, const char *name, PetscInt ndim, const PetscInt shape[], const char *where, PetscInt *idx)
{
  KrylearnNet net = rd->net;
  char        path[NN_NAME + 16];
  hid_t       d, s, t;
  hsize_t     dims[8];
  int         nd;
  NNWeight   *w;

  PetscFunctionBegin;
  for (*idx = 0; *idx < net->nweights; (*idx)++) {
    PetscBool eq;
    PetscCall(PetscStrcmp(net->weights[*idx].name, name, &eq));
    if (eq) break;
  }
  if (*idx == net->nweights) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "weights/%s", name));
    PetscCheck(H5Lexists(file, "weights", H5P_DEFAULT) > 0 && H5Lexists(file, path, H5P_DEFAULT) > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight dataset /%s (used by %s) is missing", net->file, path, where);
    d = H5Dopen2(file, path, H5P_DEFAULT);
    PetscCall(ReaderPush(rd, d, path));
    s = H5Dget_space(d);
    PetscCall(ReaderPush(rd, s, path));
    t = H5Dget_type(d);
    PetscCall(ReaderPush(rd, t, path));
    nd = H5Sget_simple_extent_ndims(s);
    PetscCheck(nd >= 1 && nd <= 5, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight /%s has %d dimensions", net->file, path, nd);
    H5Sget_simple_extent_dims(s, dims, NULL);
    PetscCheck(H5Tget_class(t) == H5T_FLOAT, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight /%s is not floating point", net->file, path);
    w = &net->weights[net->nweights];
    PetscCall(PetscStrncpy(w->name, name, NN_NAME));
    w->ndim = nd;
    w->size = 1;
    for (int i = 0; i < nd; i++) {
      w->shape[i] = (PetscInt)dims[i];
      w->size *= w->shape[i];
    }
    PetscCall(PetscMalloc1(w->size, &w->data));
    net->nweights++;
    PetscCheck(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->data) >= 0, net->comm, PETSC_ERR_FILE_READ, "Model file %s: cannot read weight /%s", net->file, path);
    for (PetscInt i = 0; i < w->size; i++) PetscCheck(isfinite(w->data[i]), net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight /%s has a NaN or Inf entry (index %" PetscInt_FMT ")", net->file, path, i);
    ReaderPop(rd);
    ReaderPop(rd);
    ReaderPop(rd);
  }
  w = &net->weights[*idx];
  PetscBool ok = (PetscBool)(w->ndim == ndim);
  for (PetscInt i = 0; ok && i < ndim; i++) ok = (PetscBool)(w->shape[i] == shape[i]);
  if (!ok) {
    char got[96] = "", want[96] = "";
    for (PetscInt i = 0; i < w->ndim; i++) PetscCall(PetscSNPrintf(got + strlen(got), sizeof(got) - strlen(got), "%s%" PetscInt_FMT, i ? "x" : "", w->shape[i]));
    for (PetscInt i = 0; i < ndim; i++) PetscCall(PetscSNPrintf(want + strlen(want), sizeof(want) - strlen(want), "%s%" PetscInt_FMT, i ? "x" : "", shape[i]));
    SETERRQ(net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: weight /weights/%s has shape %s but %s needs %s", net->file, name, got, where, want);
  }
  PetscFunctionReturn(0);
}

/* The 'activation' attribute of an op: relu or identity */
static PetscErrorCode ReadActivation(NNReader *rd, hid_t og, const char *where, PetscBool *relu)
{
  char      s[NN_NAME];
  PetscBool id;

  PetscFunctionBegin;
  PetscCall(ReadString(rd, og, where, "activation", s));
  PetscCall(PetscStrcmp(s, "relu", relu));
  PetscCall(PetscStrcmp(s, "identity", &id));
  PetscCheck(*relu || id, rd->net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has unknown activation '%s'", rd->net->file, where, s);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOp(NNReader *rd, hid_t file, NNGraph *g, PetscInt i, PetscBool body)
{
  KrylearnNet net = rd->net;
  NNOp       *op  = &g->ops[i];
  char        where[2 * NN_NAME + 32], s[NN_NAME], *tok, *save;
  hid_t       og;
  PetscInt    c, sh;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/%s/op%" PetscInt_FMT, g->name, i));
  PetscCheck(H5Lexists(file, where, H5P_DEFAULT) > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: group %s is missing", net->file, where);
  og = H5Gopen2(file, where, H5P_DEFAULT);
  PetscCall(ReaderPush(rd, og, where));
  PetscCall(ReadString(rd, og, where, "type", s));
  {
    PetscInt  t;
    PetscBool found;
    PetscCall(PetscEListFind(7, NNOpTypes, s, &t, &found));
    PetscCheck(found, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has unknown operation type '%s'", net->file, where, s);
    op->type = (NNOpType)t;
  }
  PetscCall(PetscStrlcat(where, " (", sizeof(where)));
  PetscCall(PetscStrlcat(where, s, sizeof(where)));
  PetscCall(PetscStrlcat(where, ")", sizeof(where)));
  PetscCall(ReadString(rd, og, where, "inputs", s));
  op->nin = 0;
  for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    PetscCheck(op->nin < 2, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has too many inputs", net->file, where);
    PetscCall(FindTensor(net, g, i + 1, tok, where, &op->in[op->nin++]));
  }
  {
    const int need = op->type == NN_ADD || op->type == NN_MUL ? 2 : 1;
    PetscCheck(op->nin == need, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s needs %d input(s), has %" PetscInt_FMT, net->file, where, need, op->nin);
  }
  PetscCall(ReadString(rd, og, where, "output", g->tname[i + 1]));
  PetscCheck(LookupTensor(g, i + 1, g->tname[i + 1]) < 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s writes tensor '%s' a second time", net->file, where, g->tname[i + 1]);
  op->out = i + 1;
  op->bias = -1;
  c        = g->tc[op->in[0]];
  sh       = g->ts[op->in[0]];
  switch (op->type) {
  case NN_CONV: {
    PetscInt shape[5];
    PetscCall(ReadInt(rd, og, where, "kernel", &op->k));
    PetscCall(ReadInt(rd, og, where, "in_channels", &op->cin));
    PetscCall(ReadInt(rd, og, where, "out_channels", &op->cout));
    PetscCheck(op->k >= 1 && op->k % 2 == 1 && op->k <= 15, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has kernel %" PetscInt_FMT ", which is not odd (1 to 15)", net->file, where, op->k);
    PetscCheck(op->cout >= 1 && op->cout <= 4096, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " output channels", net->file, where, op->cout);
    PetscCheck(op->cin == c, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: channel counts do not chain: %s expects %" PetscInt_FMT " input channels but tensor '%s' has %" PetscInt_FMT, net->file, where, op->cin, g->tname[op->in[0]], c);
    PetscCall(ReadActivation(rd, og, where, &op->relu));
    shape[0] = op->cout;
    shape[1] = op->cin;
    for (PetscInt d = 0; d < net->dim; d++) shape[2 + d] = op->k;
    PetscCall(ReadString(rd, og, where, "weight", s));
    PetscCall(GetWeight(rd, file, s, 2 + net->dim, shape, where, &op->weight));
    PetscCall(ReadString(rd, og, where, "bias", s));
    if (s[0]) PetscCall(GetWeight(rd, file, s, 1, shape, where, &op->bias));
    c = op->cout;
  } break;
  case NN_AVGPOOL: sh++; break;
  case NN_UPSAMPLE:
    PetscCheck(sh > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s upsamples above the input resolution", net->file, where);
    sh--;
    break;
  case NN_ADD:
    PetscCheck(g->tc[op->in[1]] == c && g->ts[op->in[1]] == sh, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s adds tensors '%s' and '%s' of different channels or resolution", net->file, where, g->tname[op->in[0]], g->tname[op->in[1]]);
    break;
  case NN_MUL:
    PetscCheck((g->tc[op->in[1]] == c || g->tc[op->in[1]] == 1) && g->ts[op->in[1]] == sh, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s multiplies tensor '%s' (%" PetscInt_FMT " channels) by '%s' (%" PetscInt_FMT " channels): the second needs the same resolution and the same channels or 1", net->file, where, g->tname[op->in[0]], c, g->tname[op->in[1]], g->tc[op->in[1]]);
    PetscCall(ReadActivation(rd, og, where, &op->relu));
    break;
  case NN_RECURSE:
    PetscCheck(body, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s is outside a vcycle body", net->file, where);
    PetscCheck(sh > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s input is not pooled", net->file, where);
    PetscCheck(g->recshift < 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s is a second recurse in the body", net->file, where);
    g->recshift = sh;
    break;
  case NN_VCYCLE:
    PetscCheck(!body, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s: vcycles cannot nest", net->file, where);
    PetscCall(ReadString(rd, og, where, "body", s));
    PetscCall(ReadInt(rd, og, where, "levels", &op->levels));
    PetscCall(ReadInt(rd, og, where, "coarsest", &op->coarsest));
    PetscCheck(op->levels >= 0 && op->levels <= 30 && op->coarsest >= 1, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has levels %" PetscInt_FMT " and coarsest %" PetscInt_FMT, net->file, where, op->levels, op->coarsest);
    for (op->body = 1; op->body < net->ngraphs; op->body++) {
      PetscBool eq;
      PetscCall(PetscStrcmp(net->graphs[op->body].name, s, &eq));
      if (eq) break;
    }
    PetscCheck(op->body < net->ngraphs, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names body graph '%s', which is not in /graphs", net->file, where, s);
    break; /* the body keeps channels and resolution: checked when it is read */
  }
  g->tc[i + 1] = c;
  g->ts[i + 1] = sh;
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* Graph g (index gi); body graphs take 'cin' channels */
static PetscErrorCode ReadGraph(NNReader *rd, hid_t file, PetscInt gi, PetscInt cin)
{
  KrylearnNet net = rd->net;
  NNGraph    *g   = &net->graphs[gi];
  char        where[NN_NAME + 16], outname[NN_NAME];
  hid_t       gg;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/%s", g->name));
  gg = H5Gopen2(file, where, H5P_DEFAULT);
  PetscCall(ReaderPush(rd, gg, where));
  PetscCall(ReadInt(rd, gg, where, "num_ops", &g->nops));
  PetscCheck(g->nops >= 1 && g->nops <= 100000, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " operations", net->file, where, g->nops);
  PetscCall(PetscCalloc1(g->nops, &g->ops));
  PetscCall(PetscCalloc3(g->nops + 2, &g->tname, g->nops + 2, &g->tc, g->nops + 2, &g->ts));
  PetscCall(ReadString(rd, gg, where, "input", g->tname[0]));
  PetscCall(ReadString(rd, gg, where, "output", outname));
  g->tc[0]    = cin;
  g->recshift = -1;
  g->geometry = -1;
  if (H5Aexists(gg, "geometry") > 0) { /* the geometry field at the input's resolution */
    PetscBool same;
    PetscCheck(net->geometry[0], net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s reads a geometry field but the file declares none (root attribute 'geometry')", net->file, where);
    g->geometry = g->nops + 1;
    PetscCall(ReadString(rd, gg, where, "geometry", g->tname[g->geometry]));
    PetscCall(PetscStrcmp(g->tname[0], g->tname[g->geometry], &same));
    PetscCheck(!same, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names its input and its geometry field both '%s'", net->file, where, g->tname[0]);
    g->tc[g->geometry] = 1;
  }
  for (PetscInt i = 0; i < g->nops; i++) PetscCall(ReadOp(rd, file, g, i, (PetscBool)(gi > 0)));
  PetscCall(FindTensor(net, g, g->nops + 1, outname, where, &g->output));
  if (gi == 0) {
    PetscCheck(g->tc[g->output] == 1 && g->ts[g->output] == 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: the output '%s' of /graphs/main must have 1 channel at the input resolution (has %" PetscInt_FMT " channels, %" PetscInt_FMT " poolings)", net->file, outname, g->tc[g->output], g->ts[g->output]);
  } else {
    PetscCheck(g->recshift > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: vcycle body %s has no recurse operation", net->file, where);
    PetscCheck(g->tc[g->output] == cin && g->ts[g->output] == 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: the output of vcycle body %s must keep its input's channels and resolution", net->file, where);
  }
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* Names of the graphs to read: main first, then the bodies named by vcycle ops of main */
static PetscErrorCode ReadGraphs(NNReader *rd, hid_t file)
{
  KrylearnNet net = rd->net;
  hid_t       gg, mg, og;
  char        where[NN_NAME + 16], s[NN_NAME];
  PetscInt    nops;

  PetscFunctionBegin;
  PetscCheck(H5Lexists(file, "graphs", H5P_DEFAULT) > 0 && H5Lexists(file, "graphs/main", H5P_DEFAULT) > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: group /graphs/main is missing", net->file);
  gg = H5Gopen2(file, "graphs", H5P_DEFAULT);
  PetscCall(ReaderPush(rd, gg, "/graphs"));
  {
    H5G_info_t info;
    H5Gget_info(gg, &info);
    PetscCall(PetscCalloc1(info.nlinks, &net->graphs));
  }
  net->ngraphs = 1;
  PetscCall(PetscStrncpy(net->graphs[0].name, "main", NN_NAME));
  mg = H5Gopen2(file, "graphs/main", H5P_DEFAULT);
  PetscCall(ReaderPush(rd, mg, "/graphs/main"));
  PetscCall(ReadInt(rd, mg, "/graphs/main", "num_ops", &nops));
  for (PetscInt i = 0; i < nops; i++) {
    PetscBool isv, dup = PETSC_FALSE;
    PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/main/op%" PetscInt_FMT, i));
    if (H5Lexists(file, where, H5P_DEFAULT) <= 0) continue; /* reported by ReadGraph */
    og = H5Gopen2(file, where, H5P_DEFAULT);
    PetscCall(ReaderPush(rd, og, where));
    PetscCall(ReadString(rd, og, where, "type", s));
    PetscCall(PetscStrcmp(s, "vcycle", &isv));
    if (isv) {
      PetscCall(ReadString(rd, og, where, "body", s));
      for (PetscInt b = 0; b < net->ngraphs; b++) {
        PetscBool eq;
        PetscCall(PetscStrcmp(net->graphs[b].name, s, &eq));
        dup = (PetscBool)(dup || eq);
      }
      if (!dup) {
        char path[NN_NAME + 16];
        PetscCall(PetscSNPrintf(path, sizeof(path), "graphs/%s", s));
        PetscCheck(H5Lexists(file, path, H5P_DEFAULT) > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s names body graph '%s', which is not in /graphs", net->file, where, s);
        PetscCall(PetscStrncpy(net->graphs[net->ngraphs++].name, s, NN_NAME));
      }
    }
    ReaderPop(rd);
  }
  ReaderPop(rd);
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadFile(NNReader *rd)
{
  KrylearnNet net = rd->net;
  hid_t       file;
  char        s[NN_NAME];
  PetscInt    version, nweights = 0;
  PetscBool   eq;

  PetscFunctionBegin;
  {
    FILE *fp = fopen(net->file, "rb");
    PetscCheck(fp, net->comm, PETSC_ERR_FILE_OPEN, "Model file %s: cannot open it", net->file);
    fclose(fp);
  }
  PetscCheck(H5Fis_hdf5(net->file) > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: not an HDF5 file", net->file);
  file = H5Fopen(net->file, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCall(ReaderPush(rd, file, "the file"));
  PetscCheck(H5Aexists(file, "format") > 0, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: not a Krylearn model (no 'format' attribute)", net->file);
  PetscCall(ReadString(rd, file, "/", "format", s));
  PetscCall(PetscStrcmp(s, "krylearn-model", &eq));
  PetscCheck(eq, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: format is '%s', not 'krylearn-model'", net->file, s);
  PetscCall(ReadInt(rd, file, "/", "format_version", &version));
  PetscCheck(version >= 1 && version <= 3, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: unsupported format version %" PetscInt_FMT " (this runtime reads versions 1 to 3)", net->file, version);
  PetscCall(ReadInt(rd, file, "/", "dimension", &net->dim));
  PetscCheck(net->dim == 2 || net->dim == 3, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: dimension %" PetscInt_FMT " is not 2 or 3", net->file, net->dim);
  if (H5Aexists(file, "name") > 0) PetscCall(ReadString(rd, file, "/", "name", net->name));
  if (H5Aexists(file, "geometry") > 0) {
    PetscInt  kind;
    PetscBool known;
    PetscCall(ReadString(rd, file, "/", "geometry", net->geometry));
    PetscCall(PetscEListFind(1, NNGeometries, net->geometry, &kind, &known));
    PetscCheck(known, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: unknown geometry field '%s' (this runtime knows 'solid')", net->file, net->geometry);
  }
  if (H5Lexists(file, "hybrid", H5P_DEFAULT) > 0) {
    PetscCheck(version >= 3, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: a /hybrid structure needs format version 3, the file says %" PetscInt_FMT, net->file, version);
    PetscCall(ReadHybrid(rd, file));
  }
  PetscCall(ReadGraphs(rd, file));
  /* room for every weight any conv may name */
  for (PetscInt gi = 0; gi < net->ngraphs; gi++) {
    char     where[NN_NAME + 16];
    hid_t    gg;
    PetscInt n;
    PetscCall(PetscSNPrintf(where, sizeof(where), "/graphs/%s", net->graphs[gi].name));
    gg = H5Gopen2(file, where, H5P_DEFAULT);
    PetscCall(ReaderPush(rd, gg, where));
    PetscCall(ReadInt(rd, gg, where, "num_ops", &n));
    PetscCheck(n >= 1 && n <= 100000, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: %s has %" PetscInt_FMT " operations", net->file, where, n);
    nweights += 2 * n;
    ReaderPop(rd);
  }
  PetscCall(PetscCalloc1(nweights, &net->weights));
  PetscCall(ReadGraph(rd, file, 0, 1));
  for (PetscInt gi = 1; gi < net->ngraphs; gi++) { /* a body takes the channels main's vcycles feed it */
    const NNGraph *m   = &net->graphs[0];
    PetscInt       cin = -1;
    for (PetscInt i = 0; i < m->nops; i++) {
      const NNOp *op = &m->ops[i];
      if (op->type != NN_VCYCLE || op->body != gi) continue;
      PetscCheck(cin < 0 || cin == m->tc[op->in[0]], net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s: vcycles feed body '%s' with %" PetscInt_FMT " and %" PetscInt_FMT " channels", net->file, net->graphs[gi].name, cin, m->tc[op->in[0]]);
      cin = m->tc[op->in[0]];
    }
    PetscCall(ReadGraph(rd, file, gi, cin));
  }
  if (net->geometry[0]) {
    PetscBool read = PETSC_FALSE;
    for (PetscInt gi = 0; gi < net->ngraphs; gi++) read = (PetscBool)(read || net->graphs[gi].geometry >= 0);
    PetscCheck(read, net->comm, PETSC_ERR_FILE_UNEXPECTED, "Model file %s declares a '%s' geometry field that no graph reads", net->file, net->geometry);
  }
  ReaderPop(rd);
  PetscFunctionReturn(0);
}

/* Reads net->file into net; on error every HDF5 object opened is closed */
PetscErrorCode KrylearnNetReadFile_Private(KrylearnNet net)
{
  NNReader       rd = {net, {0}, 0};
  H5E_auto2_t    func;
  void          *data;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  ierr = ReadFile(&rd);
  while (rd.nh) ReaderPop(&rd);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
