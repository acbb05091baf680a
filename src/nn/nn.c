/* KrylearnNet: public interface of the network runtime (load, bind to a DMDA, apply). */
#include "nnimpl.h"

static PetscBool     NNPackageInitialized = PETSC_FALSE;
PetscClassId         KRYLEARNNET_CLASSID;
static PetscLogEvent KRYLEARN_NetLoad, KRYLEARN_NetSetUp, KRYLEARN_NetApply;

/*@C
  KrylearnNNInitializePackage - Registers the KrylearnNet class and the log events of the network runtime.

  Level: developer
@*/
PetscErrorCode KrylearnNNInitializePackage(void)
{
  PetscFunctionBegin;
  if (NNPackageInitialized) PetscFunctionReturn(0);
  NNPackageInitialized = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("Krylearn network", &KRYLEARNNET_CLASSID));
  PetscCall(PetscLogEventRegister("NetLoad", KRYLEARNNET_CLASSID, &KRYLEARN_NetLoad));
  PetscCall(PetscLogEventRegister("NetSetUp", KRYLEARNNET_CLASSID, &KRYLEARN_NetSetUp));
  PetscCall(PetscLogEventRegister("NetApply", KRYLEARNNET_CLASSID, &KRYLEARN_NetApply));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetLoad - Reads and validates a network stored in the Krylearn HDF5 model format.

  Collective

  Input Parameters:
+ comm - communicator of the grids the network will run on
- file - model file (see docs/model-format.md)

  Output Parameter:
. net - the network

  Note:
  Every process reads the file. Any inconsistency (missing datasets or attributes, unknown
  operations, channel counts that do not chain, weight shapes that disagree with the
  kernels, NaN or Inf weights, an unsupported format version, a file that is not HDF5) is a
  PETSc error naming the file and the problem.

  The network is a PetscObject of class `KRYLEARNNET_CLASSID`: give it an options prefix
  with `KrylearnNetSetOptionsPrefix()` and read its options with `KrylearnNetSetFromOptions()`
  before `KrylearnNetSetUp()`.

  Level: beginner

.seealso: `KrylearnNetSetUp()`, `KrylearnNetApply()`, `KrylearnNetDestroy()`, `KrylearnNetSetFromOptions()`
@*/
PetscErrorCode KrylearnNetLoad(MPI_Comm comm, const char file[], KrylearnNet *net)
{
  KrylearnNet    n;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(file, 2);
  PetscValidPointer(net, 3);
  PetscCall(KrylearnNNInitializePackage());
  *net = NULL;
  PetscCall(PetscHeaderCreate(n, KRYLEARNNET_CLASSID, "KrylearnNet", "Krylearn network", "KrylearnNet", comm, KrylearnNetDestroy, KrylearnNetView));
  PetscCall(PetscLogEventBegin(KRYLEARN_NetLoad, n, 0, 0, 0));
  n->comm    = PetscObjectComm((PetscObject)n);
  n->usednnl = PETSC_TRUE;
  PetscCall(PetscStrallocpy(file, &n->file));
  ierr = KrylearnNetReadFile_Private(n);
  if (ierr) {
    PetscCall(PetscLogEventEnd(KRYLEARN_NetLoad, n, 0, 0, 0));
    PetscCall(KrylearnNetDestroy(&n));
    PetscCall(ierr);
  }
  PetscCall(PetscLogEventEnd(KRYLEARN_NetLoad, n, 0, 0, 0));
  *net = n;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetSetOptionsPrefix - Sets the prefix of the network's options in the database

  Logically Collective

  Input Parameters:
+ net - the network
- prefix - the prefix; KSPDEEPCD and PCDEEPCD give theirs followed by deepcd_, so that the
           network of a KSP reads -ksp_deepcd_net_dnnl and that of a PC -pc_deepcd_net_dnnl

  Level: intermediate

.seealso: `KrylearnNetAppendOptionsPrefix()`, `KrylearnNetGetOptionsPrefix()`, `KrylearnNetSetFromOptions()`
@*/
PetscErrorCode KrylearnNetSetOptionsPrefix(KrylearnNet net, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)net, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetAppendOptionsPrefix - Appends to the prefix of the network's options in the database

  Logically Collective

  Input Parameters:
+ net - the network
- prefix - the text appended to the current prefix

  Level: intermediate

.seealso: `KrylearnNetSetOptionsPrefix()`, `KrylearnNetGetOptionsPrefix()`
@*/
PetscErrorCode KrylearnNetAppendOptionsPrefix(KrylearnNet net, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)net, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetOptionsPrefix - Gets the prefix of the network's options in the database

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. prefix - the prefix, or NULL when none is set (owned by the network)

  Level: intermediate

.seealso: `KrylearnNetSetOptionsPrefix()`
@*/
PetscErrorCode KrylearnNetGetOptionsPrefix(KrylearnNet net, const char *prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidPointer(prefix, 2);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)net, prefix));
  PetscFunctionReturn(0);
}

/*@
  KrylearnNetSetUseDNNL - Chooses how convolutions run: with oneDNN (the default; the direct
  kernel still runs the convolutions for which oneDNN has only reference code) or with the
  built-in direct kernel everywhere

  Logically Collective

  Input Parameters:
+ net - the network
- flg - `PETSC_TRUE` for oneDNN

  Options Database Key:
. -net_dnnl <bool> - under the network's prefix, e.g. -ksp_deepcd_net_dnnl, -pc_deepcd_net_dnnl

  Note:
  Takes effect at the next `KrylearnNetSetUp()`.

  Level: intermediate

.seealso: `KrylearnNetGetUseDNNL()`, `KrylearnNetSetFromOptions()`
@*/
PetscErrorCode KrylearnNetSetUseDNNL(KrylearnNet net, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidLogicalCollectiveBool(net, flg, 2);
  net->usednnl = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnNetGetUseDNNL - Tells whether convolutions run with oneDNN

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. flg - `PETSC_TRUE` for oneDNN, `PETSC_FALSE` for the direct kernel everywhere

  Level: intermediate

.seealso: `KrylearnNetSetUseDNNL()`
@*/
PetscErrorCode KrylearnNetGetUseDNNL(KrylearnNet net, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = net->usednnl;
  PetscFunctionReturn(0);
}

/*@
  KrylearnNetSetFromOptions - Reads the network's options, under its prefix

  Collective

  Input Parameter:
. net - the network

  Options Database Key:
. -net_dnnl <bool> - oneDNN convolutions (default) or the direct kernel everywhere; see `KrylearnNetSetUseDNNL()`

  Level: beginner

.seealso: `KrylearnNetSetOptionsPrefix()`, `KrylearnNetSetUseDNNL()`
@*/
PetscErrorCode KrylearnNetSetFromOptions(KrylearnNet net)
{
  PetscBool flg, usednnl;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)net);
  PetscCall(PetscOptionsBool("-net_dnnl", "Run convolutions with oneDNN (else the direct kernel)", "KrylearnNetSetUseDNNL", net->usednnl, &usednnl, &flg));
  if (flg) PetscCall(KrylearnNetSetUseDNNL(net, usednnl));
  PetscCall(PetscObjectProcessOptionsHandlers((PetscObject)net, PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetDimension - Spatial dimension (2 or 3) of the grids the network takes.

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. dim - 2 or 3

  Level: beginner

.seealso: `KrylearnNetLoad()`
@*/
PetscErrorCode KrylearnNetGetDimension(KrylearnNet net, PetscInt *dim)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidIntPointer(dim, 2);
  *dim = net->dim;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetSetUp - Binds the network to a grid: chooses the number of V-cycle levels,
  checks that the grid and every process's block can be pooled as the network requires,
  and makes every buffer and convolution kernel used by `KrylearnNetApply()`.

  Collective

  Input Parameters:
+ net - the network
- dm - a DMDA with 1 degree of freedom, of the network's dimension, with non-periodic boundaries

  Note:
  Pooling does not cross process blocks: each process's block extents must be divisible by
  2^p, p being the deepest pooling. Calling it again with another grid replaces the set-up.

  Level: beginner

.seealso: `KrylearnNetLoad()`, `KrylearnNetApply()`, `KrylearnNetSetUseDNNL()`
@*/
PetscErrorCode KrylearnNetSetUp(KrylearnNet net, DM dm)
{
  PetscInt           dim, dof, M, N, P;
  DMBoundaryType     bx, by, bz;
  PetscMPIInt        size;
  const PetscMPIInt *nb;
  PetscBool          isda;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidHeaderSpecific(dm, DM_CLASSID, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  PetscCheck(isda, net->comm, PETSC_ERR_ARG_WRONG, "Model file %s: KrylearnNetSetUp needs a DMDA", net->file);
  PetscCall(DMDAGetInfo(dm, &dim, &M, &N, &P, NULL, NULL, NULL, &dof, NULL, &bx, &by, &bz, NULL));
  PetscCheck(dim == net->dim, net->comm, PETSC_ERR_ARG_WRONG, "Model file %s holds a %" PetscInt_FMT "-D network but the DMDA is %" PetscInt_FMT "-D", net->file, net->dim, dim);
  PetscCheck(dof == 1, net->comm, PETSC_ERR_ARG_WRONG, "Model file %s: the DMDA must have 1 degree of freedom, not %" PetscInt_FMT, net->file, dof);
  PetscCheck(bx == DM_BOUNDARY_NONE && by == DM_BOUNDARY_NONE && bz == DM_BOUNDARY_NONE, net->comm, PETSC_ERR_SUP, "Model file %s: the network pads with zeros; the DMDA must have non-periodic (DM_BOUNDARY_NONE) boundaries", net->file);
  PetscCall(PetscLogEventBegin(KRYLEARN_NetSetUp, net, 0, 0, 0));
  PetscCall(KrylearnNetResetPlan_Private(net));
  PetscCall(PetscObjectReference((PetscObject)dm));
  net->dm   = dm;
  net->M[0] = M;
  net->M[1] = N;
  net->M[2] = dim == 3 ? P : 1;
  PetscCall(DMDAGetCorners(dm, &net->xs[0], &net->xs[1], &net->xs[2], &net->n[0], &net->n[1], &net->n[2]));
  PetscCallMPI(MPI_Comm_size(net->comm, &size));
  PetscCall(DMDAGetNeighbors(dm, &nb));
  for (PetscInt d = 0; d < 3; d++) {
    PetscInt c = dim == 3 ? 13 : 4, stride = d == 0 ? 1 : d == 1 ? 3 : 9;
    net->nbr[d][0] = net->nbr[d][1] = -1;
    if (d < dim && size > 1) {
      net->nbr[d][0] = nb[c - stride];
      net->nbr[d][1] = nb[c + stride];
    }
  }
  for (PetscInt d = 0; d < dim; d++)
    PetscCheck(net->domain[d] <= net->M[d], net->comm, PETSC_ERR_ARG_INCOMP, "Model file %s: the domain has %" PetscInt_FMT " cells along axis %" PetscInt_FMT ", more than the grid's %" PetscInt_FMT, net->file, net->domain[d], d, net->M[d]);
  PetscCall(KrylearnNetPlan_Private(net));
  PetscCall(PetscLogEventEnd(KRYLEARN_NetSetUp, net, 0, 0, 0));
  PetscFunctionReturn(0);
}

const char *const KrylearnNetFaces[] = {"zero", "mirror", "KrylearnNetFace", "KRYLEARN_NET_FACE_", NULL};

/*@C
  KrylearnNetSetFaces - Sets what the network's convolutions see past each face of the grid.

  Collective

  Input Parameters:
+ net - the network
- faces - 2 dim entries, the low and high face of x, then y (then z): `KRYLEARN_NET_FACE_ZERO`
          (the default, as networks are trained: a face where the solution is prescribed) or
          `KRYLEARN_NET_FACE_MIRROR` (a closed face, no flux through it)

  Notes:
  A network trained with zeros past the grid approximates the inverse of an operator whose
  faces are of the Dirichlet type. Mirrored fields past a face make it act, by the method of
  images, as the inverse for a closed (Neumann) face without training for one.

  May be called before or after `KrylearnNetSetUp()`; after it, a change sets the network up
  again on its grid, and a geometry field must then be given again (`KrylearnNetSetGeometry()`).

  Level: intermediate

.seealso: `KrylearnNetGetFaces()`, `KrylearnNetSetUp()`
@*/
PetscErrorCode KrylearnNetSetFaces(KrylearnNet net, const KrylearnNetFace faces[])
{
  PetscBool changed = PETSC_FALSE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidPointer(faces, 2);
  for (PetscInt f = 0; f < 2 * net->dim; f++) {
    PetscCheck(faces[f] == KRYLEARN_NET_FACE_ZERO || faces[f] == KRYLEARN_NET_FACE_MIRROR, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Model file %s: face %" PetscInt_FMT " has no valid KrylearnNetFace (%d)", net->file, f, (int)faces[f]);
    changed                 = (PetscBool)(changed || net->face[f / 2][f % 2] != faces[f]);
    net->face[f / 2][f % 2] = faces[f];
  }
  if (changed && net->dm) { /* the halo widths depend on the faces */
    DM dm = net->dm;

    PetscCall(PetscObjectReference((PetscObject)dm));
    PetscCall(KrylearnNetSetUp(net, dm));
    PetscCall(DMDestroy(&dm));
  }
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetFaces - Gets what the network's convolutions see past each face of the grid.

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. faces - 2 dim entries, the low and high face of x, then y (then z)

  Level: intermediate

.seealso: `KrylearnNetSetFaces()`
@*/
PetscErrorCode KrylearnNetGetFaces(KrylearnNet net, KrylearnNetFace faces[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidPointer(faces, 2);
  for (PetscInt f = 0; f < 2 * net->dim; f++) faces[f] = net->face[f / 2][f % 2];
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetSetDomain - Sets the cells of the grid that belong to the domain: the grid may be
  padded past them (for the network's poolings), and every activation is then zero past them.

  Collective

  Input Parameters:
+ net - the network
- n - cells of the domain along x, y (and z: dim entries), from the grid's start; 0 for an axis: all

  Notes:
  Without it, padded cells are part of the grid: the network computes there, and the zeros
  it assumes past the grid lie past the padding. With it, activations are zeroed past the
  domain after every convolution and upsampling (at s poolings below the grid, past
  ceil(n / 2^s) cells), so a padded grid behaves like the domain alone.

  Level: intermediate

.seealso: `KrylearnNetGetDomain()`, `KrylearnNetSetUp()`, `KrylearnNetSetFaces()`
@*/
PetscErrorCode KrylearnNetSetDomain(KrylearnNet net, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidIntPointer(n, 2);
  for (PetscInt d = 0; d < net->dim; d++) {
    PetscCheck(n[d] >= 0 && (!net->dm || n[d] <= net->M[d]), net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Model file %s: domain extent %" PetscInt_FMT " along axis %" PetscInt_FMT " is negative or exceeds the grid's", net->file, n[d], d);
    net->domain[d] = n[d];
  }
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetDomain - Gets the cells of the grid that belong to the domain.

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. n - cells of the domain along x, y (and z); 0 for an axis: all

  Level: intermediate

.seealso: `KrylearnNetSetDomain()`
@*/
PetscErrorCode KrylearnNetGetDomain(KrylearnNet net, PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidIntPointer(n, 2);
  for (PetscInt d = 0; d < net->dim; d++) n[d] = net->domain[d];
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetGeometry - The kind of geometry field the network reads besides its input.

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. kind - "solid" (1 on solid cells, whose rows and columns hold only a diagonal entry,
         0 elsewhere), or NULL when the network reads no geometry

  Level: intermediate

.seealso: `KrylearnNetSetGeometry()`
@*/
PetscErrorCode KrylearnNetGetGeometry(KrylearnNet net, const char *kind[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidPointer(kind, 2);
  *kind = net->geometry[0] ? net->geometry : NULL;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetSetGeometry - Gives the network its geometry field, for every later application.

  Collective

  Input Parameters:
+ net - the network, set up with `KrylearnNetSetUp()`
- g - a global vector of the DMDA holding the field (see `KrylearnNetGetGeometry()`)

  Note:
  Needed, after each `KrylearnNetSetUp()`, by networks that read a geometry field; an
  error for the others. The field is kept in float32.

  Level: intermediate

.seealso: `KrylearnNetGetGeometry()`, `KrylearnNetApply()`
@*/
PetscErrorCode KrylearnNetSetGeometry(KrylearnNet net, Vec g)
{
  const PetscScalar *ga;
  PetscInt           nloc;
  float             *dst;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidHeaderSpecific(g, VEC_CLASSID, 2);
  PetscCheck(net->geometry[0], net->comm, PETSC_ERR_ARG_WRONGSTATE, "Model file %s reads no geometry field", net->file);
  PetscCheck(net->dm, net->comm, PETSC_ERR_ORDER, "Model file %s: call KrylearnNetSetUp() before KrylearnNetSetGeometry()", net->file);
  PetscCall(VecGetLocalSize(g, &nloc));
  PetscCheck((size_t)nloc == net->values[net->geomval[0]].size, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "Model file %s: geometry vector has local size %" PetscInt_FMT ", the grid block %zu", net->file, nloc, net->values[net->geomval[0]].size);
  dst = net->bufs[net->values[net->geomval[0]].buf];
  PetscCall(VecGetArrayRead(g, &ga));
  for (PetscInt i = 0; i < nloc; i++) {
    PetscCheck(!PetscIsInfOrNanReal(PetscRealPart(ga[i])), PETSC_COMM_SELF, PETSC_ERR_FP, "Model file %s: geometry field has a NaN or Inf entry (local index %" PetscInt_FMT ")", net->file, i);
    dst[i] = (float)PetscRealPart(ga[i]);
  }
  PetscCall(VecRestoreArrayRead(g, &ga));
  net->geomset = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetApply - Runs the network: y = N(x), computed in float32.

  Collective

  Input Parameters:
+ net - the network, set up with `KrylearnNetSetUp()`
- x - a global vector of the DMDA

  Output Parameter:
. y - a global vector of the DMDA (may not be x)

  Note:
  Makes no allocation: every buffer is made by `KrylearnNetSetUp()`.

  Level: beginner

.seealso: `KrylearnNetSetUp()`
@*/
PetscErrorCode KrylearnNetApply(KrylearnNet net, Vec x, Vec y)
{
  const PetscScalar *xa;
  PetscScalar       *ya;
  PetscInt           nloc;
  float             *in, *out;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  PetscValidHeaderSpecific(x, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(y, VEC_CLASSID, 3);
  PetscCheck(net->dm, net->comm, PETSC_ERR_ORDER, "Model file %s: call KrylearnNetSetUp() before KrylearnNetApply()", net->file);
  PetscCheck(x != y, net->comm, PETSC_ERR_ARG_IDN, "Input and output vectors must differ");
  PetscCheck(!net->geometry[0] || net->geomset, net->comm, PETSC_ERR_ORDER, "Model file %s reads a '%s' geometry field: call KrylearnNetSetGeometry() after KrylearnNetSetUp()", net->file, net->geometry);
  PetscCall(VecGetLocalSize(x, &nloc));
  PetscCheck((size_t)nloc == net->values[net->input].size, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "Model file %s: vector has local size %" PetscInt_FMT ", the grid block %zu", net->file, nloc, net->values[net->input].size);
  PetscCall(PetscLogEventBegin(KRYLEARN_NetApply, net, x, y, 0));
  in = net->bufs[net->values[net->input].buf];
  PetscCall(VecGetArrayRead(x, &xa));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < nloc; i++) in[i] = (float)PetscRealPart(xa[i]);
  PetscCall(VecRestoreArrayRead(x, &xa));
  for (PetscInt i = 0; i < net->nsteps; i++) {
    const NNStep  *s = &net->steps[i];
    const NNValue *a = s->in >= 0 ? &net->values[s->in] : NULL, *o = &net->values[s->out];
    float         *ob = net->bufs[o->buf];
    switch (s->type) {
    case NN_STEP_CONV: {
      if (s->padded) PetscCall(KrylearnNetFillHalo_Private(net, s));
      if (!s->direct) PetscCall(KrylearnNetDnnlConv_Private(net, s));
      else {
        const NNOp *op = s->op;
        PetscInt    e[3];
        for (PetscInt d = 0; d < 3; d++) e[d] = a->n[d] + s->lo[d] + s->hi[d];
        NNConvDirect(s->padded ? net->halo : net->bufs[a->buf], e, op->cin, a->b, ob, o->n, op->cout, o->b, net->wpack[op->weight], op->bias >= 0 ? net->weights[op->bias].data : NULL, net->dim == 3 ? op->k : 1, op->k, op->relu,
                     s->sum ? net->bufs[net->values[s->in2].buf] : NULL);
      }
      NNZeroOutside(net, o, ob);
    } break;
    case NN_STEP_AVGPOOL:
      NNAvgPool(net->bufs[a->buf], a->n, a->c / a->b, a->b, ob, net->dim);
      break;
    case NN_STEP_UPSAMPLE:
      NNUpsample(net->bufs[a->buf], a->n, a->c / a->b, a->b, ob, net->dim);
      NNZeroOutside(net, o, ob);
      break;
    case NN_STEP_ADD:
      NNAdd(net->bufs[a->buf], net->bufs[net->values[s->in2].buf], o->size, ob);
      break;
    case NN_STEP_MUL: {
      const NNValue *g = &net->values[s->in2];
      NNMul(net->bufs[a->buf], a->c / a->b, a->b, net->bufs[g->buf], (PetscBool)(g->c != a->c), o->size, s->op->relu, ob);
    } break;
    case NN_STEP_ZERO:
      PetscCall(PetscArrayzero(ob, o->size));
      break;
    }
  }
  out = net->bufs[net->values[net->output].buf];
  PetscCall(VecGetArrayWrite(y, &ya));
#pragma omp parallel for schedule(static)
  for (PetscInt i = 0; i < nloc; i++) ya[i] = (PetscScalar)out[i];
  PetscCall(VecRestoreArrayWrite(y, &ya));
  PetscCall(PetscLogFlops(net->flops));
  PetscCall(PetscLogEventEnd(KRYLEARN_NetApply, net, x, y, 0));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetView - Prints the network: its operations, weights and, once set up, the grid,
  the number of V-cycle levels, the expanded steps and the activation memory.

  Collective

  Input Parameters:
+ net - the network
- viewer - an ASCII viewer, or NULL for standard output

  Level: beginner

.seealso: `KrylearnNetLoad()`, `KrylearnNetSetUp()`
@*/
PetscErrorCode KrylearnNetView(KrylearnNet net, PetscViewer viewer)
{
  PetscBool iascii;
  PetscInt  nw  = 0;
  size_t    mem = 0;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(net, KRYLEARNNET_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(net->comm, &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  for (PetscInt w = 0; w < net->nweights; w++) nw += net->weights[w].size;
  PetscCall(
    PetscViewerASCIIPrintf(viewer, "KrylearnNet '%s' from %s: %" PetscInt_FMT "-D, %" PetscInt_FMT " weights in %" PetscInt_FMT " tensors%s%s%s\n", net->name, net->file, net->dim, nw, net->nweights, net->geometry[0] ? ", reads the '" : "", net->geometry, net->geometry[0] ? "' geometry field" : ""));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  for (PetscInt gi = 0; gi < net->ngraphs; gi++) {
    const NNGraph *g = &net->graphs[gi];
    PetscCall(PetscViewerASCIIPrintf(viewer, "graph %s: %s%s%s -> %s\n", g->name, g->tname[0], g->geometry >= 0 ? ", geometry " : "", g->geometry >= 0 ? g->tname[g->geometry] : "", g->tname[g->output]));
    PetscCall(PetscViewerASCIIPushTab(viewer));
    for (PetscInt i = 0; i < g->nops; i++) {
      const NNOp *op = &g->ops[i];
      char        line[4 * NN_NAME + 128];
      size_t      len;
      PetscCall(PetscSNPrintf(line, sizeof(line), "%-8s %s%s%s -> %s (%" PetscInt_FMT " channels)", NNOpTypes[op->type], g->tname[op->in[0]], op->nin > 1 ? ", " : "", op->nin > 1 ? g->tname[op->in[1]] : "", g->tname[op->out], g->tc[op->out]));
      PetscCall(PetscStrlen(line, &len));
      if (op->type == NN_CONV)
        PetscCall(PetscSNPrintf(line + len, sizeof(line) - len, " kernel %" PetscInt_FMT " %s weight %s%s%s", op->k, op->relu ? "relu" : "identity", net->weights[op->weight].name, op->bias >= 0 ? " bias " : "", op->bias >= 0 ? net->weights[op->bias].name : ""));
      if (op->type == NN_MUL) PetscCall(PetscSNPrintf(line + len, sizeof(line) - len, " %s", op->relu ? "relu" : "identity"));
      if (op->type == NN_VCYCLE) PetscCall(PetscSNPrintf(line + len, sizeof(line) - len, " body %s levels %" PetscInt_FMT " coarsest %" PetscInt_FMT, net->graphs[op->body].name, op->levels, op->coarsest));
      PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", line));
    }
    PetscCall(PetscViewerASCIIPopTab(viewer));
  }
  if (net->dm) {
    for (PetscInt k = 0; k < net->nvalues; k++) mem = PetscMax(mem, net->values[k].size);
    PetscCall(PetscViewerASCIIPrintf(viewer, "set up on a %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " grid: %" PetscInt_FMT " vcycle levels, %" PetscInt_FMT " steps, convolutions by %s\n", net->M[0], net->M[1], net->M[2], net->levels, net->nsteps, net->usednnl ? "oneDNN (direct kernel where it has only reference code)" : "the direct kernel"));
    if (net->domain[0] || net->domain[1] || net->domain[2])
      PetscCall(PetscViewerASCIIPrintf(viewer, "domain: the first %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " cells (0: all), activations zero past them\n", net->domain[0], net->domain[1], net->dim == 3 ? net->domain[2] : 1));
    PetscCall(PetscViewerASCIIPrintf(viewer, "memory on this process: %" PetscInt_FMT " activation buffers of %zu floats in all (largest activation %zu floats), halo buffer %zu floats, oneDNN scratchpad %zu bytes\n", net->nbufs, net->bufsize, mem,
                                     net->halosize, net->scratchsize));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetDestroy - Frees a network.

  Collective

  Input Parameter:
. net - the network; set to NULL

  Note:
  Frees the network when the last reference (see PetscObjectReference()) goes.

  Level: beginner

.seealso: `KrylearnNetLoad()`
@*/
PetscErrorCode KrylearnNetDestroy(KrylearnNet *net)
{
  KrylearnNet n;

  PetscFunctionBegin;
  if (!net || !*net) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*net, KRYLEARNNET_CLASSID, 1);
  if (--((PetscObject)(*net))->refct > 0) {
    *net = NULL;
    PetscFunctionReturn(0);
  }
  n = *net;
  PetscCall(KrylearnNetResetPlan_Private(n));
  for (PetscInt gi = 0; gi < n->ngraphs; gi++) {
    PetscCall(PetscFree(n->graphs[gi].ops));
    PetscCall(PetscFree3(n->graphs[gi].tname, n->graphs[gi].tc, n->graphs[gi].ts));
  }
  PetscCall(PetscFree(n->graphs));
  for (PetscInt w = 0; w < n->nweights; w++) PetscCall(PetscFree(n->weights[w].data));
  PetscCall(PetscFree(n->weights));
  PetscCall(PetscFree(n->file));
  PetscCall(PetscHeaderDestroy(net));
  PetscFunctionReturn(0);
}
