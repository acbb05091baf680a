/* Reading a multi-layer perceptron model file and a data set from HDF5 (format in
   docs/spectrum.md). Every rank reads the whole model and its own block of samples. */
#include "mlpimpl.h"
#include "io/h5string.h"

static PetscErrorCode ReadStringAttribute(hid_t obj, const char name[], const char file[], const char where[], char buf[], size_t len)
{
  hid_t       attr, ftype;
  H5T_class_t cls;
  size_t      length;
  PetscBool   ok = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCheck(H5Aexists(obj, name) > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has no attribute '%s'", file, where, name);
  attr  = H5Aopen(obj, name, H5P_DEFAULT);
  ftype = H5Aget_type(attr);
  cls   = H5Tget_class(ftype);
  if (cls == H5T_STRING) PetscCall(KrylearnH5AttributeReadString(attr, ftype, len, buf, &length, &ok));
  H5Tclose(ftype);
  H5Aclose(attr);
  PetscCheck(cls == H5T_STRING, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s is not a string", file, name, where);
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read attribute '%s' of %s", file, name, where);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadRealAttribute(hid_t obj, const char name[], const char file[], PetscReal *value)
{
  hid_t attr;

  PetscFunctionBegin;
  if (H5Aexists(obj, name) <= 0) PetscFunctionReturn(0);
  attr = H5Aopen(obj, name, H5P_DEFAULT);
  PetscCheck(H5Aread(attr, H5T_NATIVE_DOUBLE, value) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read attribute '%s' as a number", file, name);
  H5Aclose(attr);
  PetscFunctionReturn(0);
}

/* Opens a dataset and returns its rank and dimensions. */
static PetscErrorCode OpenDataset(hid_t loc, const char name[], const char file[], PetscBool required, hid_t *dset, int *rank, hsize_t dims[2])
{
  hid_t space;

  PetscFunctionBegin;
  *dset = -1;
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
    PetscCheck(!required, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' is missing", file, name);
    PetscFunctionReturn(0);
  }
  *dset = H5Dopen2(loc, name, H5P_DEFAULT);
  PetscCheck(*dset >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot open dataset '%s'", file, name);
  space = H5Dget_space(*dset);
  *rank = H5Sget_simple_extent_ndims(space);
  PetscCheck(*rank >= 1 && *rank <= 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, expected 1 or 2", file, name, *rank);
  dims[1] = 1;
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

/* Reads rows [rstart, rstart + nrows) of a 1-D or 2-D dataset, converted to mtype. */
static PetscErrorCode ReadRows(hid_t dset, hid_t mtype, int rank, const hsize_t dims[2], hsize_t rstart, hsize_t nrows, const char file[], const char name[], void *buf)
{
  hid_t   fspace, mspace;
  hsize_t start[2] = {rstart, 0}, count[2] = {nrows, dims[1]};
  herr_t  err;

  PetscFunctionBegin;
  fspace = H5Dget_space(dset);
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  mspace = H5Screate_simple(rank, count, NULL);
  err    = H5Dread(dset, mtype, mspace, fspace, H5P_DEFAULT, buf);
  H5Sclose(mspace);
  H5Sclose(fspace);
  PetscCheck(err >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read dataset '%s' as numbers", file, name);
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

/* Reads the model; with read = PETSC_FALSE only the structure, otherwise the parameters into m->theta. */
static PetscErrorCode ModelRead(hid_t f, const char file[], PetscBool read, MLPModel *m)
{
  PetscFunctionBegin;
  for (PetscInt l = 0; l < m->nlayers; l++) {
    char     gname[32], type[64];
    hid_t    g, dw, db;
    int      rw, rb;
    hsize_t  dimw[2], dimb[2];
    MLPLayer *ly = &m->layer[l];

    PetscCall(PetscSNPrintf(gname, sizeof(gname), "layer%" PetscInt_FMT, l));
    PetscCheck(H5Lexists(f, gname, H5P_DEFAULT) > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: group '%s' is missing", file, gname);
    g = H5Gopen2(f, gname, H5P_DEFAULT);
    PetscCall(ReadStringAttribute(g, "type", file, gname, type, sizeof(type)));
    PetscCall(LayerTypeFromString(type, file, l, &ly->type));
    if (ly->type == MLP_LAYER_LINEAR) {
      char wname[48], bname[48]; /* paths from the file root, so that errors name the layer */

      PetscCall(PetscSNPrintf(wname, sizeof(wname), "%s/weight", gname));
      PetscCall(PetscSNPrintf(bname, sizeof(bname), "%s/bias", gname));
      PetscCall(OpenDataset(f, wname, file, PETSC_TRUE, &dw, &rw, dimw));
      PetscCall(OpenDataset(f, bname, file, PETSC_FALSE, &db, &rb, dimb));
      PetscCheck(rw == 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s/weight must be a matrix (outputs x inputs)", file, gname);
      PetscCheck(db < 0 || (rb == 1 && dimb[0] == dimw[0]), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: %s/bias must be a vector of length %d", file, gname, (int)dimw[0]);
      if (!read) {
        ly->nout = (PetscInt)dimw[0];
        ly->nin  = (PetscInt)dimw[1];
        ly->bias = db >= 0 ? PETSC_TRUE : PETSC_FALSE;
      } else {
        PetscCheck(H5Dread(dw, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->theta + ly->offset) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read %s/weight", file, gname);
        if (db >= 0) PetscCheck(H5Dread(db, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->theta + ly->offset + ly->nout * ly->nin) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read %s/bias", file, gname);
      }
      H5Dclose(dw);
      if (db >= 0) H5Dclose(db);
    }
    H5Gclose(g);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelLoad(hid_t f, const char file[], MLPModel *m)
{
  char      loss[64];
  PetscReal nlayers = 0;
  PetscBool ce, mse;

  PetscFunctionBegin;
  PetscCall(ReadStringAttribute(f, "loss", file, "the model", loss, sizeof(loss)));
  PetscCall(PetscStrcmp(loss, "cross_entropy", &ce));
  PetscCall(PetscStrcmp(loss, "mse", &mse));
  PetscCheck(ce || mse, PETSC_COMM_SELF, PETSC_ERR_SUP, "%s: unknown loss '%s' (supported: cross_entropy, mse)", file, loss);
  m->loss = ce ? MLP_LOSS_CROSS_ENTROPY : MLP_LOSS_MSE;
  PetscCall(ReadRealAttribute(f, "weight_decay", file, &m->weight_decay));
  PetscCall(ReadRealAttribute(f, "nlayers", file, &nlayers));
  PetscCheck(nlayers >= 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute 'nlayers' is missing or not positive", file);
  m->nlayers = (PetscInt)nlayers;
  PetscCall(PetscCalloc1(m->nlayers, &m->layer));
  PetscCall(ModelRead(f, file, PETSC_FALSE, m));
  PetscCall(MLPModelFinalize(m, file));
  PetscCall(PetscMalloc1(m->nparam, &m->theta));
  PetscCall(ModelRead(f, file, PETSC_TRUE, m));
  for (PetscInt i = 0; i < m->nparam; i++) PetscCheck(!PetscIsInfOrNanReal(m->theta[i]), PETSC_COMM_SELF, PETSC_ERR_FP, "%s: parameter %" PetscInt_FMT " is NaN or infinite: the weights must be finite", file, i);
  PetscFunctionReturn(0);
}

static PetscErrorCode DataLoad(KrylearnMLP mlp, hid_t f, const char file[], PetscInt block)
{
  MLPModel *m = &mlp->model;
  hid_t     dx, dy, ytype;
  int       rx, ry;
  hsize_t   dimx[2], dimy[2];
  PetscInt  n = PETSC_DECIDE, N, rstart;
  PetscInt  bad = PETSC_MAX_INT, badlabel = PETSC_MIN_INT; /* first bad sample over all ranks: every rank raises the same error */

  PetscFunctionBegin;
  PetscCall(OpenDataset(f, "X", file, PETSC_TRUE, &dx, &rx, dimx));
  PetscCall(OpenDataset(f, "y", file, PETSC_TRUE, &dy, &ry, dimy));
  N = (PetscInt)dimx[0];
  PetscCheck(rx == 2 && (PetscInt)dimx[1] == m->ninput, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: X is %d x %d but the model takes %" PetscInt_FMT " inputs", file, (int)dimx[0], rx == 2 ? (int)dimx[1] : 1, m->ninput);
  PetscCheck((PetscInt)dimy[0] == N, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: X has %" PetscInt_FMT " rows but y has %d", file, N, (int)dimy[0]);
  PetscCheck(N > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: the data set is empty", file);
  PetscCall(PetscSplitOwnership(mlp->comm, &n, &N));
  PetscCallMPI(MPI_Scan(&n, &rstart, 1, MPIU_INT, MPI_SUM, mlp->comm));
  rstart -= n;
  mlp->nsamples = N;
  PetscCall(PetscMalloc1(n * m->ninput, &mlp->X));
  PetscCall(ReadRows(dx, H5T_NATIVE_DOUBLE, rx, dimx, rstart, n, file, "X", mlp->X));
  ytype = H5Dget_type(dy);
  if (m->loss == MLP_LOSS_CROSS_ENTROPY) {
    PetscCheck(ry == 1 && H5Tget_class(ytype) == H5T_INTEGER, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: cross entropy needs y as a vector of integer labels", file);
    PetscCall(PetscMalloc1(n, &mlp->label));
    PetscCall(ReadRows(dy, sizeof(PetscInt) == 8 ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32, ry, dimy, rstart, n, file, "y", mlp->label));
    for (PetscInt i = 0; i < n && bad == PETSC_MAX_INT; i++)
      if (mlp->label[i] < 0 || mlp->label[i] >= m->noutput) bad = rstart + i;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_MIN, mlp->comm));
    if (bad >= rstart && bad < rstart + n) badlabel = mlp->label[bad - rstart];
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &badlabel, 1, MPIU_INT, MPI_MAX, mlp->comm));
    PetscCheck(bad == PETSC_MAX_INT, mlp->comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: label y[%" PetscInt_FMT "] = %" PetscInt_FMT " is out of range: the model has %" PetscInt_FMT " classes", file, bad, badlabel, m->noutput);
  } else {
    PetscCheck((PetscInt)dimy[1] == m->noutput && (ry == 2 || m->noutput == 1), PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "%s: mean squared error needs y with %" PetscInt_FMT " target columns, got %d", file, m->noutput, ry == 2 ? (int)dimy[1] : 1);
    PetscCall(PetscMalloc1(n * m->noutput, &mlp->target));
    PetscCall(ReadRows(dy, H5T_NATIVE_DOUBLE, ry, dimy, rstart, n, file, "y", mlp->target));
  }
  H5Tclose(ytype);
  H5Dclose(dx);
  H5Dclose(dy);
  for (PetscInt i = 0; i < n * m->ninput && bad == PETSC_MAX_INT; i++)
    if (PetscIsInfOrNanReal(mlp->X[i])) bad = rstart + i / m->ninput;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_MIN, mlp->comm));
  PetscCheck(bad == PETSC_MAX_INT, mlp->comm, PETSC_ERR_FP, "%s: X has a non-finite entry in row %" PetscInt_FMT, file, bad);
  PetscCall(MLPWorkCreate(m, n, N, mlp->X, mlp->label, mlp->target, block, &mlp->work));
  PetscFunctionReturn(0);
}

/* Reads the model file (ismodel) or the data file. The file is opened with strong closing,
   so that closing it also closes every dataset, group and type a failed read left open. */
static PetscErrorCode ReadFile(KrylearnMLP mlp, const char file[], PetscBool ismodel, PetscInt block)
{
  const char    *what = ismodel ? "model" : "data";
  hid_t          fapl, f;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  PetscCheck(fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "Cannot set up HDF5 to read %s", file);
  f = H5Fopen(file, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s file %s as HDF5", what, file);
  if (ismodel) ierr = ModelLoad(f, file, &mlp->model);
  else ierr = DataLoad(mlp, f, file, block);
  H5Fclose(f);
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
  H5E_auto2_t    efunc;
  void          *edata;
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
  /* HDF5 prints its own error stack unless silenced; the errors here name file and problem */
  H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  ierr = ReadFile(p, model, PETSC_TRUE, block);
  if (!ierr) ierr = ReadFile(p, data, PETSC_FALSE, block);
  H5Eset_auto2(H5E_DEFAULT, efunc, edata);
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

  PetscCall(VecCreateMPI(comm, PETSC_DECIDE, p->model.nparam, &x));
  PetscCall(VecScatterCreateToAll(x, &p->toall, &p->vall));
  PetscCall(VecDestroy(&x));
  PetscCall(PetscMalloc1(p->model.nparam, &p->yall));
  *mlp = p;
  PetscFunctionReturn(0);
}
