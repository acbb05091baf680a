/* Reading a multi-layer perceptron model file and a data set from HDF5 (format in
   docs/spectrum.md). Every rank reads the whole model and its own block of samples. */
#include "mlpimpl.h"
#include <krylearnio.h>

#define MLP_MAX_LAYERS 100000

/* Whether path names a dataset */
static PetscErrorCode HasDataset(KrylearnH5File f, const char path[], PetscBool *has)
{
  KrylearnH5Object type = KRYLEARN_H5_NONE;

  PetscFunctionBegin;
  *has = PETSC_FALSE;
  PetscCall(KrylearnH5FileGetObject(f, path, &type));
  *has = type == KRYLEARN_H5_DATASET ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode LayerTypeFromString(const char type[], const char file[], PetscInt l, MLPLayerType *t)
{
  const char *names[] = {"linear", "relu", "tanh", "sigmoid", "gelu"};
  PetscBool   match;

  PetscFunctionBegin;
  for (int i = 0; i < 5; i++) {
    PetscCall(PetscStrcasecmp(type, names[i], &match));
    if (match) {
      *t = (MLPLayerType)i;
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_SUP, "%s: layer %" PetscInt_FMT " has unknown type '%s' (supported: linear, relu, tanh, sigmoid, gelu)", file, l, type);
}

/* Reads the model; with read = PETSC_FALSE only the structure, checked (shapes chain, sizes fit
   PetscInt), otherwise the parameters into m->theta. */
static PetscErrorCode ModelRead(KrylearnH5File f, MPI_Comm comm, const char file[], PetscBool read, MLPModel *m)
{
  PetscInt64 nparam = 0;

  PetscFunctionBegin;
  for (PetscInt l = 0; l < m->nlayers; l++) {
    char             gname[32], type[64];
    KrylearnH5Object kind;
    MLPLayer        *ly = &m->layer[l];

    PetscCall(PetscSNPrintf(gname, sizeof(gname), "layer%" PetscInt_FMT, l));
    PetscCall(KrylearnH5FileGetObject(f, gname, &kind));
    PetscCheck(kind == KRYLEARN_H5_GROUP, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: group '%s' is missing", file, gname);
    PetscCall(KrylearnH5FileReadAttributeString(f, gname, "type", sizeof(type), type, NULL));
    PetscCall(LayerTypeFromString(type, file, l, &ly->type));
    if (ly->type == MLP_LAYER_LINEAR) {
      char       wname[48], bname[48]; /* paths from the file root, so that errors name the layer */
      int        rw, rb = 0;
      PetscInt64 dimw[KRYLEARN_H5_MAX_DIM], dimb[KRYLEARN_H5_MAX_DIM];
      PetscBool  hasw, hasb;

      PetscCall(PetscSNPrintf(wname, sizeof(wname), "%s/weight", gname));
      PetscCall(PetscSNPrintf(bname, sizeof(bname), "%s/bias", gname));
      PetscCall(HasDataset(f, wname, &hasw));
      PetscCheck(hasw, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' is missing", file, wname);
      PetscCall(HasDataset(f, bname, &hasb));
      PetscCall(KrylearnH5FileGetDataset(f, wname, KRYLEARN_H5_REAL, 2, &rw, dimw));
      if (hasb) PetscCall(KrylearnH5FileGetDataset(f, bname, KRYLEARN_H5_REAL, 2, &rb, dimb));
      PetscCheck(rw == 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s/weight must be a matrix (outputs x inputs)", file, gname);
      PetscCheck(!hasb || (rb == 1 && dimb[0] == dimw[0]), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s/bias must be a vector of length %" PetscInt64_FMT, file, gname, dimw[0]);
      if (!read) {
        /* the parameter count in 64 bits: it must fit the PetscInt indices of the parameter vector */
        PetscCheck(dimw[0] <= PETSC_MAX_INT && dimw[1] <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s/weight is %" PetscInt64_FMT " x %" PetscInt64_FMT ", beyond the range of PetscInt", file, gname, dimw[0], dimw[1]);
        nparam += dimw[0] * dimw[1] + (hasb ? dimw[0] : 0);
        PetscCheck(nparam <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the model has more parameters than PetscInt counts (%" PetscInt64_FMT " up to %s)", file, nparam, gname);
        ly->nout = (PetscInt)dimw[0];
        ly->nin  = (PetscInt)dimw[1];
        ly->bias = hasb;
      } else {
        PetscCall(KrylearnH5FileReadDataset(f, wname, KRYLEARN_H5_REAL, 2, NULL, NULL, m->theta + ly->offset));
        if (hasb) PetscCall(KrylearnH5FileReadDataset(f, bname, KRYLEARN_H5_REAL, 1, NULL, NULL, m->theta + ly->offset + (size_t)ly->nout * ly->nin));
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelLoad(KrylearnH5File f, MPI_Comm comm, const char file[], MLPModel *m)
{
  char       loss[64];
  PetscInt64 nlayers = 0;
  PetscInt   n;
  PetscBool  ce, mse;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileReadAttributeString(f, "/", "loss", sizeof(loss), loss, NULL));
  PetscCall(PetscStrcmp(loss, "cross_entropy", &ce));
  PetscCall(PetscStrcmp(loss, "mse", &mse));
  PetscCheck(ce || mse, PETSC_COMM_SELF, PETSC_ERR_SUP, "%s: unknown loss '%s' (supported: cross_entropy, mse)", file, loss);
  m->loss = ce ? MLP_LOSS_CROSS_ENTROPY : MLP_LOSS_MSE;
  PetscCall(KrylearnH5FileReadAttribute(f, "/", "weight_decay", KRYLEARN_H5_REAL, 1, &n, &m->weight_decay));
  PetscCheck(!n || (!PetscIsInfOrNanReal(m->weight_decay) && m->weight_decay >= 0), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute 'weight_decay' is %g: it must be finite and not negative", file, (double)m->weight_decay);
  PetscCall(KrylearnH5FileReadAttribute(f, "/", "nlayers", KRYLEARN_H5_INT64, 1, &n, &nlayers));
  PetscCheck(n == 1 && nlayers >= 1 && nlayers <= MLP_MAX_LAYERS, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute 'nlayers' is missing or not an integer in [1, %d]", file, MLP_MAX_LAYERS);
  m->nlayers = (PetscInt)nlayers;
  PetscCall(PetscCalloc1(m->nlayers, &m->layer));
  PetscCall(ModelRead(f, comm, file, PETSC_FALSE, m));
  PetscCall(MLPModelFinalize(m, file));
  PetscCall(PetscMalloc1(m->nparam, &m->theta));
  PetscCall(ModelRead(f, comm, file, PETSC_TRUE, m));
  for (PetscInt i = 0; i < m->nparam; i++) PetscCheck(!PetscIsInfOrNanReal(m->theta[i]), PETSC_COMM_SELF, PETSC_ERR_FP, "%s: parameter %" PetscInt_FMT " is NaN or infinite: the weights must be finite", file, i);
  PetscFunctionReturn(0);
}

static PetscErrorCode DataLoad(KrylearnMLP mlp, KrylearnH5File f, const char file[], const char model[], PetscInt block)
{
  MLPModel      *m    = &mlp->model;
  MPI_Comm       comm = mlp->comm;
  int            rx, ry;
  PetscInt64     dimx[KRYLEARN_H5_MAX_DIM], dimy[KRYLEARN_H5_MAX_DIM], *label = NULL;
  PetscInt       n   = PETSC_DECIDE, N, rstart;
  PetscInt       bad = PETSC_MAX_INT, badlabel = PETSC_MIN_INT; /* first bad sample over all ranks: every rank raises the same error */
  KrylearnH5Type ytype;
  PetscBool      has;

  PetscFunctionBegin;
  PetscCall(HasDataset(f, "X", &has));
  PetscCheck(has, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset 'X' is missing", file);
  PetscCall(HasDataset(f, "y", &has));
  PetscCheck(has, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset 'y' is missing", file);
  PetscCall(KrylearnH5FileGetDataset(f, "X", KRYLEARN_H5_REAL, 2, &rx, dimx));
  PetscCall(KrylearnH5FileGetDatasetType(f, "y", &ytype));
  PetscCall(KrylearnH5FileGetDataset(f, "y", ytype, 2, &ry, dimy));
  if (ry == 1) dimy[1] = 1;
  PetscCheck(rx == 2 && dimx[1] == m->ninput, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: X is %" PetscInt64_FMT " x %" PetscInt64_FMT " but the model %s takes %" PetscInt_FMT " inputs", file, rx >= 1 ? dimx[0] : 1, rx == 2 ? dimx[1] : 1, model, m->ninput);
  PetscCheck(ry >= 1 && dimy[0] == dimx[0], PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: X has %" PetscInt64_FMT " rows but y has %" PetscInt64_FMT, file, dimx[0], ry >= 1 ? dimy[0] : 1);
  PetscCheck(dimx[0] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: the data set is empty", file);
  PetscCheck(dimx[0] <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: X has %" PetscInt64_FMT " rows, beyond the range of PetscInt", file, dimx[0]);
  N = (PetscInt)dimx[0];
  PetscCall(PetscSplitOwnership(comm, &n, &N));
  PetscCallMPI(MPI_Scan(&n, &rstart, 1, MPIU_INT, MPI_SUM, comm));
  rstart -= n;
  mlp->nsamples = N;
  {
    const PetscInt64 start[2] = {rstart, 0}, count[2] = {n, m->ninput};
    PetscCall(PetscMalloc1((size_t)n * m->ninput, &mlp->X));
    PetscCall(KrylearnH5FileReadDataset(f, "X", KRYLEARN_H5_REAL, 2, start, count, mlp->X));
  }
  if (m->loss == MLP_LOSS_CROSS_ENTROPY) {
    const PetscInt64 start = rstart, count = n;
    PetscCheck(ry == 1 && ytype == KRYLEARN_H5_INT64, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: cross entropy (the loss of the model %s) needs y as a vector of integer labels", file, model);
    PetscCall(PetscMalloc1(n, &mlp->label));
    PetscCall(PetscMalloc1(n, &label));
    PetscCall(KrylearnH5FileReadDataset(f, "y", KRYLEARN_H5_INT64, 1, &start, &count, label));
    for (PetscInt i = 0; i < n && bad == PETSC_MAX_INT; i++)
      if (label[i] < 0 || label[i] >= m->noutput) bad = rstart + i;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_MIN, comm));
    if (bad >= rstart && bad < rstart + n) badlabel = label[bad - rstart] > PETSC_MAX_INT ? PETSC_MAX_INT : (label[bad - rstart] < PETSC_MIN_INT ? PETSC_MIN_INT : (PetscInt)label[bad - rstart]);
    for (PetscInt i = 0; i < n; i++) mlp->label[i] = (PetscInt)label[i];
    PetscCall(PetscFree(label));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &badlabel, 1, MPIU_INT, MPI_MAX, comm));
    PetscCheck(bad == PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "%s: label y[%" PetscInt_FMT "] = %" PetscInt_FMT " is out of range: the model %s has %" PetscInt_FMT " classes", file, bad, badlabel, model, m->noutput);
  } else {
    const PetscInt64 start[2] = {rstart, 0}, count[2] = {n, m->noutput};
    PetscCheck(dimy[1] == m->noutput && (ry == 2 || m->noutput == 1), PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: mean squared error with the model %s needs y with %" PetscInt_FMT " target columns, got %" PetscInt64_FMT, file, model, m->noutput, ry == 2 ? dimy[1] : 1);
    PetscCheck(ytype == KRYLEARN_H5_REAL, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: mean squared error (the loss of the model %s) needs y as floating-point targets", file, model);
    PetscCall(PetscMalloc1((size_t)n * m->noutput, &mlp->target));
    PetscCall(KrylearnH5FileReadDataset(f, "y", KRYLEARN_H5_REAL, ry, start, count, mlp->target));
  }
  for (PetscInt i = 0; i < n * m->ninput && bad == PETSC_MAX_INT; i++)
    if (PetscIsInfOrNanReal(mlp->X[i])) bad = rstart + i / m->ninput;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_MIN, comm));
  PetscCheck(bad == PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FP, "%s: X has a non-finite entry in row %" PetscInt_FMT, file, bad);
  for (PetscInt i = 0; mlp->target && i < n * m->noutput && bad == PETSC_MAX_INT; i++)
    if (PetscIsInfOrNanReal(mlp->target[i])) bad = rstart + i / m->noutput;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_MIN, comm));
  PetscCheck(bad == PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_FP, "%s: y has a non-finite target in row %" PetscInt_FMT, file, bad);
  PetscCall(MLPWorkCreate(m, n, N, mlp->X, mlp->label, mlp->target, block, &mlp->work));
  PetscFunctionReturn(0);
}

/* Reads the model file (model NULL) or the data file for the model file named model through the checked HDF5 layer; every rank
   reads the whole model and its own samples. A problem found on every rank (the model, the shapes,
   or a sample check reduced over the ranks) is raised on PETSC_COMM_SELF, so every rank prints it. */
static PetscErrorCode ReadFile(KrylearnMLP mlp, const char file[], const char model[], PetscInt block)
{
  KrylearnH5File f;
  PetscBool      ok;
  const char    *reason;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KrylearnIOTestRegularFile(file, &ok, &reason));
  PetscCall(KrylearnIOCheck(mlp->comm, (PetscBool)!ok, PETSC_ERR_FILE_OPEN, "Cannot open %s file %s: %s", model ? "data" : "model", file, reason));
  PetscCall(KrylearnH5FileOpen(mlp->comm, file, NULL, KRYLEARN_H5_READ, &f));
  if (!model) ierr = ModelLoad(f, mlp->comm, file, &mlp->model);
  else ierr = DataLoad(mlp, f, file, model, block);
  PetscCall(KrylearnH5FileClose(&f));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/*@C
  KrylearnMLPLoad - Loads a multi-layer perceptron loss: a model file and a data set,
  the samples split over the ranks of comm, and evaluates it at the stored parameters.

  Collective

  Input Parameters:
+ comm  - communicator over which the samples and the parameter vectors are distributed
. model - HDF5 model file written by train/export_mlp.py
- data  - HDF5 data file with datasets X (N x inputs) and y (N labels, or N x outputs targets)

  Output Parameter:
. mlp - the loss

  Level: beginner

  Note:
  Shapes that disagree, unknown layer types, non-finite weights and labels out of
  range are errors that name the file and the problem.

  The loss is a PetscObject of class `KRYLEARNMLP_CLASSID`; `KrylearnMLPSetFromOptions()`
  reads its options (-mlp_block_size) under its prefix.

.seealso: `KrylearnMLPCreateOperator()`, `KrylearnMLPDestroy()`, `KrylearnMLPSetFromOptions()`
@*/
PetscErrorCode KrylearnMLPLoad(MPI_Comm comm, const char model[], const char data[], KrylearnMLP *mlp)
{
  KrylearnMLP    p;
  Vec            x;
  PetscReal     *g, gsum = 0, tsum = 0;
  const PetscInt block = 512; /* default of KrylearnMLPSetBlockSize() */
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(model, 2);
  PetscValidCharPointer(data, 3);
  PetscValidPointer(mlp, 4);
  PetscCall(KrylearnSpectrumInitializePackage());
  PetscCall(PetscHeaderCreate(p, KRYLEARNMLP_CLASSID, "KrylearnMLP", "Multi-layer perceptron loss", "KrylearnMLP", comm, KrylearnMLPDestroy, KrylearnMLPView));
  p->comm  = PetscObjectComm((PetscObject)p);
  p->block = block;
  ierr     = ReadFile(p, model, NULL, block);
  if (!ierr) ierr = ReadFile(p, data, model, block);
  if (ierr) PetscCall(KrylearnMLPDestroy(&p));
  PetscCall(ierr);

  PetscCall(PetscLogEventBegin(KRYLEARN_MLPEvaluate, p, 0, 0, 0));
  PetscCall(PetscCalloc1(p->model.nparam, &g));
  PetscCall(MLPEvaluate(&p->model, &p->work, g));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, g, p->model.nparam, MPIU_REAL, MPI_SUM, comm));
  PetscCall(MPIU_Allreduce(&p->work.loss, &p->loss, 1, MPIU_REAL, MPI_SUM, comm));
  for (PetscInt i = 0; i < p->model.nparam; i++) {
    const PetscReal gi = g[i] + p->model.weight_decay * p->model.theta[i];
    gsum += gi * gi;
    tsum += p->model.theta[i] * p->model.theta[i];
  }
  p->loss += 0.5 * p->model.weight_decay * tsum;
  p->gradnorm = PetscSqrtReal(gsum);
  PetscCall(PetscFree(g));
  PetscCall(PetscLogEventEnd(KRYLEARN_MLPEvaluate, p, 0, 0, 0));
  /* finite weights and data can still overflow float64 (a weight of 1e231, an input of 1e289): name the
     files here rather than let the eigensolver report an indefinite matrix. Both values come from sums over
     all ranks: every rank takes the same branch. */
  if (PetscIsInfOrNanReal(p->loss) || PetscIsInfOrNanReal(p->gradnorm)) {
    PetscCall(KrylearnMLPDestroy(&p));
    SETERRQ(comm, PETSC_ERR_FP, "%s with %s: the loss or its gradient is not finite: the weights or the data overflow float64", model, data);
  }

  PetscCall(VecCreateMPI(comm, PETSC_DECIDE, p->model.nparam, &x));
  PetscCall(VecScatterCreateToAll(x, &p->toall, &p->vall));
  PetscCall(VecDestroy(&x));
  PetscCall(PetscMalloc1(p->model.nparam, &p->yall));
  *mlp = p;
  PetscFunctionReturn(0);
}
