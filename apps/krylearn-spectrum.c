static const char help[] = "Hessian spectrum analyses of a multi-layer perceptron loss, or of any symmetric matrix, on SLEPc.\n\n"
                           "  krylearn-spectrum -model M.h5 -data D.h5 [-operator hessian|ggn|fisher]\n"
                           "  krylearn-spectrum -matrix FILE[:GROUP] (any layout of bin/krylearn-ingest)\n"
                           "  krylearn-spectrum -ot_plan OUT.h5 (Sinkhorn dual Hessian at bin/krylearn-ot's plan)\n"
                           "      [-top k] [-bottom k] [-vectors] [-density] [-trace] [-exact] [-interval a,b]\n"
                           "      [-sagun] [-o OUT.h5] [-plot OUT.png]\n\n"
                           "Eigensolver options pass through with the prefixes top_, bottom_ and interval_\n"
                           "(for example -top_eps_tol 1e-12, -interval_st_filter_degree 200).\n\n";

#include <krylearn.h>
#include <hdf5.h>

typedef struct {
  char              model[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN], matrix[PETSC_MAX_PATH_LEN], otplan[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], plot[PETSC_MAX_PATH_LEN];
  KrylearnCurvature op;
  PetscInt          top, bottom, steps, probes, ngrid, tproducts, seed;
  PetscBool         vectors, density, trace, exact, sagun, hasout, hasplot, hasmatrix, hasotplan;
  PetscReal         sigma, interval[2];
  PetscInt          ninterval;
  KrylearnTraceType ttype;
} Options;

/* The analyses in the order they run; each records its products and time. */
typedef enum {
  PHASE_TOP,
  PHASE_BOTTOM,
  PHASE_DENSITY,
  PHASE_TRACE,
  PHASE_EXACT,
  PHASE_INTERVAL,
  NPHASES
} Phase;
static const char *const PhaseNames[] = {"top", "bottom", "density", "trace", "exact", "interval"};

/* What one operator's analyses produced; arrays are NULL when not requested. */
typedef struct {
  PetscInt       products[NPHASES];
  PetscLogDouble seconds[NPHASES];
  const char *name;
  PetscInt    probes, ntop, nbottom, nritz, ngrid, nexact, ninterval, outliers;
  PetscReal  *top, *bottom, *ritz, *weights, *grid, *density, *exact, *interval;
  PetscReal  *topvec, *bottomvec; /* k x dim on rank 0 */
  PetscReal   trace, trace_stderror, sigma;
} Results;

static PetscErrorCode GetOptions(Options *o)
{
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->op        = KRYLEARN_CURVATURE_HESSIAN;
  o->steps     = 90;
  o->probes    = 10;
  o->ngrid     = 10000;
  o->sigma     = PetscSqrtReal(1e-5);
  o->tproducts = 100;
  o->seed      = 1;
  o->ttype     = KRYLEARN_TRACE_HUTCHPP;
  o->ninterval = 2;
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Hessian spectrum analyses", "krylearn-spectrum");
  PetscCall(PetscOptionsString("-matrix", "Explicit symmetric matrix FILE[:GROUP] (docs/io.md) instead of a model", NULL, o->matrix, o->matrix, sizeof(o->matrix), &o->hasmatrix));
  PetscCall(PetscOptionsString("-ot_plan", "Output of bin/krylearn-ot: the Sinkhorn dual Hessian at its plan P", NULL, o->otplan, o->otplan, sizeof(o->otplan), &o->hasotplan));
  if (o->hasotplan) o->hasmatrix = PETSC_TRUE;
  PetscCall(PetscOptionsString("-model", "HDF5 model file (train/export_mlp.py)", NULL, o->model, o->model, sizeof(o->model), &set));
  PetscCheck(set || o->hasmatrix, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Give the model with -model M.h5 (or a matrix with -matrix FILE)");
  PetscCall(PetscOptionsString("-data", "HDF5 data file with X and y", NULL, o->data, o->data, sizeof(o->data), &set));
  PetscCheck(set || o->hasmatrix, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Give the data set with -data D.h5");
  PetscCall(PetscOptionsEnum("-operator", "Curvature matrix", "KrylearnMLPCreateOperator", KrylearnCurvatures, (PetscEnum)o->op, (PetscEnum *)&o->op, NULL));
  PetscCall(PetscOptionsInt("-top", "Number of largest eigenpairs", NULL, o->top, &o->top, NULL));
  PetscCall(PetscOptionsInt("-bottom", "Number of smallest (most negative) eigenpairs", NULL, o->bottom, &o->bottom, NULL));
  PetscCall(PetscOptionsBool("-vectors", "Store the eigenvectors in the output", NULL, o->vectors, &o->vectors, NULL));
  PetscCall(PetscOptionsBool("-density", "Eigenvalue density by stochastic Lanczos quadrature", NULL, o->density, &o->density, NULL));
  PetscCall(PetscOptionsInt("-density_steps", "Lanczos steps per probe", NULL, o->steps, &o->steps, NULL));
  PetscCall(PetscOptionsInt("-density_probes", "Number of probe vectors", NULL, o->probes, &o->probes, NULL));
  PetscCall(PetscOptionsReal("-density_sigma", "Gaussian broadening, relative to the half-width of the spectrum", NULL, o->sigma, &o->sigma, NULL));
  PetscCall(PetscOptionsInt("-density_grid", "Number of grid points", NULL, o->ngrid, &o->ngrid, NULL));
  PetscCall(PetscOptionsBool("-trace", "Stochastic trace estimate with standard error", NULL, o->trace, &o->trace, NULL));
  PetscCall(PetscOptionsEnum("-trace_type", "Trace estimator", "KrylearnSpectrumTrace", KrylearnTraceTypes, (PetscEnum)o->ttype, (PetscEnum *)&o->ttype, NULL));
  PetscCall(PetscOptionsInt("-trace_products", "Operator products spent on the trace", NULL, o->tproducts, &o->tproducts, NULL));
  PetscCall(PetscOptionsBool("-exact", "Every eigenvalue by dense LAPACK (small models)", NULL, o->exact, &o->exact, NULL));
  PetscCall(PetscOptionsRealArray("-interval", "All eigenvalues in [a,b] with a polynomial filter (STFILTER)", NULL, o->interval, &o->ninterval, &set));
  if (!set) o->ninterval = 0;
  PetscCheck(!set || (o->ninterval == 2 && o->interval[0] < o->interval[1]), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-interval needs two numbers a,b with a < b");
  PetscCall(PetscOptionsBool("-sagun", "Also analyse the Gauss-Newton matrix and count outliers (Sagun's decomposition)", NULL, o->sagun, &o->sagun, NULL));
  PetscCall(PetscOptionsInt("-seed", "Seed of the random probes", NULL, o->seed, &o->seed, NULL));
  PetscCall(PetscOptionsString("-o", "Output HDF5 file", NULL, o->out, o->out, sizeof(o->out), &o->hasout));
  PetscCall(PetscOptionsString("-plot", "PNG plot of the density (needs -density and -o)", NULL, o->plot, o->plot, sizeof(o->plot), &o->hasplot));
  PetscOptionsEnd();
  PetscCheck(o->top >= 0 && o->bottom >= 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-top and -bottom must not be negative");
  PetscCheck(!(o->hasmatrix && o->sagun), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-sagun needs a model, not -matrix or -ot_plan");
  PetscCheck(!o->hasplot || (o->density && o->hasout), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-plot needs -density and -o");
  PetscFunctionReturn(0);
}

/* Extreme eigenpairs; eigenvectors gathered on rank 0 when asked. rho is the spectral
   radius, estimated on the first call (when zero). */
static PetscErrorCode Extremes(Mat A, PetscInt k, EPSWhich which, const char prefix[], PetscBool vectors, PetscReal *rho, PetscReal **eig, PetscReal **vec)
{
  PetscInt    N;
  Vec        *X = NULL, x0;
  VecScatter  tozero;
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCheck(k <= N, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-%s %" PetscInt_FMT " asks for more eigenvalues than the dimension %" PetscInt_FMT, which == EPS_LARGEST_REAL ? "top" : "bottom", k, N);
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscMalloc1(k, eig));
  if (vectors) {
    Vec x;
    PetscCall(MatCreateVecs(A, &x, NULL));
    PetscCall(VecDuplicateVecs(x, k, &X));
    PetscCall(VecDestroy(&x));
  }
  PetscCall(KrylearnSpectrumExtremes(A, k, which, prefix, rho, *eig, X));
  if (!vectors) PetscFunctionReturn(0);
  PetscCall(VecScatterCreateToZero(X[0], &tozero, &x0));
  if (rank == 0) PetscCall(PetscMalloc1(k * N, vec));
  for (PetscInt i = 0; i < k; i++) {
    PetscCall(VecScatterBegin(tozero, X[i], x0, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(tozero, X[i], x0, INSERT_VALUES, SCATTER_FORWARD));
    if (rank == 0) {
      const PetscScalar *a;
      PetscCall(VecGetArrayRead(x0, &a));
      PetscCall(PetscArraycpy(*vec + i * N, a, N));
      PetscCall(VecRestoreArrayRead(x0, &a));
    }
  }
  PetscCall(VecScatterDestroy(&tozero));
  PetscCall(VecDestroy(&x0));
  PetscCall(VecDestroyVecs(k, &X));
  PetscFunctionReturn(0);
}

static PetscErrorCode Density(Mat A, const Options *o, PetscRandom rnd, Results *r)
{
  PetscReal lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL, pad;

  PetscFunctionBegin;
  r->probes = o->probes;
  PetscCall(KrylearnSpectrumSLQ(A, o->steps, o->probes, rnd, &r->nritz, &r->ritz, &r->weights));
  for (PetscInt j = 0; j < r->nritz; j++)
    if (r->weights[j] > 0) {
      lo = PetscMin(lo, r->ritz[j]);
      hi = PetscMax(hi, r->ritz[j]);
    }
  r->sigma = o->sigma * PetscMax(0.5 * (hi - lo), PETSC_SMALL);
  pad      = 5 * r->sigma;
  r->ngrid = o->ngrid;
  PetscCall(PetscMalloc2(r->ngrid, &r->grid, r->ngrid, &r->density));
  for (PetscInt g = 0; g < r->ngrid; g++) r->grid[g] = lo - pad + (hi - lo + 2 * pad) * g / PetscMax(1, r->ngrid - 1);
  PetscCall(KrylearnSpectrumDensity(r->nritz, r->ritz, r->weights, o->probes, r->sigma, r->ngrid, r->grid, r->density));
  PetscFunctionReturn(0);
}

/* The operator seen by the analyses: a shell that counts the products of the one it wraps. */
typedef struct {
  Mat      A;
  PetscInt count;
} Counted;

static PetscErrorCode MatMult_Counted(Mat S, Vec x, Vec y)
{
  Counted *c;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(S, &c));
  c->count++;
  PetscCall(MatMult(c->A, x, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode CountedDestroy(void *ctx)
{
  Counted *c = (Counted *)ctx;

  PetscFunctionBegin;
  PetscCall(MatDestroy(&c->A));
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}

/* Takes over the reference to A. */
static PetscErrorCode CountedCreate(Mat A, Mat *S)
{
  Counted *c;
  PetscInt m, n, M, N;

  PetscFunctionBegin;
  PetscCall(PetscNew(&c));
  c->A = A;
  PetscCall(MatGetLocalSize(A, &m, &n));
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatCreateShell(PetscObjectComm((PetscObject)A), m, n, M, N, c, S));
  PetscCall(MatShellSetContextDestroy(*S, CountedDestroy));
  PetscCall(MatShellSetOperation(*S, MATOP_MULT, (void (*)(void))MatMult_Counted));
  PetscCall(MatSetOption(*S, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(*S, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscFunctionReturn(0);
}

static PetscErrorCode PhaseBegin(Mat S, PetscInt *products, PetscLogDouble *seconds)
{
  Counted *c;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(S, &c));
  *products = c->count;
  PetscCall(PetscTime(seconds));
  PetscFunctionReturn(0);
}

static PetscErrorCode PhaseEnd(Mat S, Results *r, Phase p, PetscInt products, PetscLogDouble seconds)
{
  Counted       *c;
  PetscLogDouble t;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(S, &c));
  PetscCall(PetscTime(&t));
  r->products[p] = c->count - products;
  r->seconds[p]  = t - seconds;
  PetscFunctionReturn(0);
}

static PetscErrorCode Analyse(Mat A, const Options *o, Results *r)
{
  PetscRandom    rnd;
  PetscInt       N, n0;
  PetscLogDouble t0;
  PetscReal      rho = 0;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PetscCall(PetscRandomSetSeed(rnd, (unsigned long)o->seed));
  PetscCall(PetscRandomSeed(rnd));
  r->trace = r->trace_stderror = PETSC_MAX_REAL;
  if (o->top) {
    r->ntop = o->top;
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(Extremes(A, o->top, EPS_LARGEST_REAL, "top_", o->vectors, &rho, &r->top, &r->topvec));
    PetscCall(PhaseEnd(A, r, PHASE_TOP, n0, t0));
    PetscCall(KrylearnSpectrumOutlierCount(r->ntop, r->top, &r->outliers));
  }
  if (o->bottom) {
    r->nbottom = o->bottom;
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(Extremes(A, o->bottom, EPS_SMALLEST_REAL, "bottom_", o->vectors, &rho, &r->bottom, &r->bottomvec));
    PetscCall(PhaseEnd(A, r, PHASE_BOTTOM, n0, t0));
  }
  if (o->density) {
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(Density(A, o, rnd, r));
    PetscCall(PhaseEnd(A, r, PHASE_DENSITY, n0, t0));
  }
  if (o->trace) {
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(KrylearnSpectrumTrace(A, o->ttype, o->tproducts, rnd, &r->trace, &r->trace_stderror));
    PetscCall(PhaseEnd(A, r, PHASE_TRACE, n0, t0));
  }
  if (o->exact) {
    r->nexact = N;
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(KrylearnSpectrumExact(A, &r->exact));
    PetscCall(PhaseEnd(A, r, PHASE_EXACT, n0, t0));
  }
  if (o->ninterval) {
    PetscCall(PhaseBegin(A, &n0, &t0));
    PetscCall(KrylearnSpectrumInterval(A, o->interval[0], o->interval[1], "interval_", &r->ninterval, &r->interval));
    PetscCall(PhaseEnd(A, r, PHASE_INTERVAL, n0, t0));
  }
  PetscCall(PetscRandomDestroy(&rnd));
  PetscFunctionReturn(0);
}

static PetscErrorCode ResultsDestroy(Results *r)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(r->top));
  PetscCall(PetscFree(r->bottom));
  PetscCall(PetscFree(r->topvec));
  PetscCall(PetscFree(r->bottomvec));
  PetscCall(PetscFree(r->ritz));
  PetscCall(PetscFree(r->weights));
  PetscCall(PetscFree2(r->grid, r->density));
  PetscCall(PetscFree(r->exact));
  PetscCall(PetscFree(r->interval));
  PetscFunctionReturn(0);
}

static PetscErrorCode Summary(const Results *r, PetscInt N)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s:\n", r->name));
  for (int p = 0; p < NPHASES; p++)
    if (r->products[p]) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-8s %6" PetscInt_FMT " products %9.3f s\n", PhaseNames[p], r->products[p], (double)r->seconds[p]));
  if (r->ntop) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  top %" PetscInt_FMT ":   ", r->ntop));
    for (PetscInt i = 0; i < r->ntop; i++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %.10g", (double)r->top[i]));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n  outliers (largest gap): %" PetscInt_FMT "\n", r->outliers));
  }
  if (r->nbottom) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  bottom %" PetscInt_FMT ":", r->nbottom));
    for (PetscInt i = 0; i < r->nbottom; i++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %.10g", (double)r->bottom[i]));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  }
  if (r->ritz) {
    PetscReal lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL, m1 = 0;
    for (PetscInt j = 0; j < r->nritz; j++) {
      if (r->weights[j] <= 0) continue;
      lo = PetscMin(lo, r->ritz[j]);
      hi = PetscMax(hi, r->ritz[j]);
      m1 += r->weights[j] * r->ritz[j];
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  density: %" PetscInt_FMT " probes, Ritz values in [%.6g, %.6g], broadening %.3g, SLQ trace %.8g\n", r->probes, (double)lo, (double)hi, (double)r->sigma, (double)(m1 * N / r->probes)));
  }
  if (r->trace != PETSC_MAX_REAL) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  trace: %.10g +- %.3g\n", (double)r->trace, (double)r->trace_stderror));
  if (r->exact) {
    PetscReal t = 0;
    for (PetscInt i = 0; i < r->nexact; i++) t += r->exact[i];
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  exact: %" PetscInt_FMT " eigenvalues in [%.10g, %.10g], trace %.10g\n", r->nexact, (double)r->exact[0], (double)r->exact[r->nexact - 1], (double)t));
  }
  if (r->interval) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  interval: %" PetscInt_FMT " eigenvalues:", r->ninterval));
    for (PetscInt i = 0; i < PetscMin(r->ninterval, 20); i++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %.10g", (double)r->interval[i]));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", r->ninterval > 20 ? " ..." : ""));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteArray(hid_t f, const char prefix[], const char name[], PetscInt rows, PetscInt cols, const PetscReal *a)
{
  char    full[128];
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
  hid_t   space, dset;

  PetscFunctionBegin;
  if (!a) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(full, sizeof(full), "%s%s", prefix, name));
  space = H5Screate_simple(cols > 1 ? 2 : 1, dims, NULL);
  dset  = H5Dcreate2(f, full, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(dset >= 0 && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Cannot write dataset %s", full);
  H5Dclose(dset);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAttribute(hid_t f, const char name[], hid_t type, const void *value)
{
  hid_t space = H5Screate(H5S_SCALAR), attr;

  PetscFunctionBegin;
  attr = H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0 && H5Awrite(attr, type, value) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Cannot write attribute %s", name);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteString(hid_t f, const char name[], const char value[])
{
  hid_t  type = H5Tcopy(H5T_C_S1);
  size_t len;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(value, &len));
  H5Tset_size(type, len ? len : 1);
  PetscCall(WriteAttribute(f, name, type, value));
  H5Tclose(type);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteResults(hid_t f, const char prefix[], const Results *r, PetscInt N)
{
  PetscFunctionBegin;
  PetscCall(WriteArray(f, prefix, "top_eigenvalues", r->ntop, 1, r->top));
  PetscCall(WriteArray(f, prefix, "bottom_eigenvalues", r->nbottom, 1, r->bottom));
  PetscCall(WriteArray(f, prefix, "top_eigenvectors", r->ntop, N, r->topvec));
  PetscCall(WriteArray(f, prefix, "bottom_eigenvectors", r->nbottom, N, r->bottomvec));
  PetscCall(WriteArray(f, prefix, "ritz_nodes", r->probes, r->nritz / PetscMax(1, r->probes), r->ritz));
  PetscCall(WriteArray(f, prefix, "ritz_weights", r->probes, r->nritz / PetscMax(1, r->probes), r->weights));
  PetscCall(WriteArray(f, prefix, "density_grid", r->ngrid, 1, r->grid));
  PetscCall(WriteArray(f, prefix, "density", r->ngrid, 1, r->density));
  PetscCall(WriteArray(f, prefix, "exact_eigenvalues", r->nexact, 1, r->exact));
  PetscCall(WriteArray(f, prefix, "interval_eigenvalues", r->ninterval, 1, r->interval));
  if (r->trace != PETSC_MAX_REAL) {
    PetscCall(WriteArray(f, prefix, "trace", 1, 1, &r->trace));
    PetscCall(WriteArray(f, prefix, "trace_stderror", 1, 1, &r->trace_stderror));
  }
  for (int p = 0; p < NPHASES; p++) {
    char            name[64];
    const PetscReal cost[2] = {(PetscReal)r->products[p], (PetscReal)r->seconds[p]};

    if (!r->products[p]) continue;
    PetscCall(PetscSNPrintf(name, sizeof(name), "cost_%s", PhaseNames[p]));
    PetscCall(WriteArray(f, prefix, name, 2, 1, cost));
  }
  if (r->ntop) {
    const PetscReal outliers = (PetscReal)r->outliers;
    PetscCall(WriteArray(f, prefix, "outliers", 1, 1, &outliers));
  }
  PetscFunctionReturn(0);
}

/* The output file, written by rank 0: results, then the options as attributes. */
static PetscErrorCode Write(const Options *o, const Results *r, const Results *ggn, PetscInt N, KrylearnMLP mlp)
{
  hid_t       f;
  PetscInt    nsamples = 0;
  PetscMPIInt rank, size;
  PetscReal   loss = 0, gradnorm = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  if (rank) PetscFunctionReturn(0);
  if (mlp) PetscCall(KrylearnMLPGetSizes(mlp, NULL, &nsamples, NULL));
  if (mlp) PetscCall(KrylearnMLPGetLoss(mlp, &loss, &gradnorm));
  const struct {
    const char *name;
    PetscInt    value;
  } counts[] = {
    {"parameters",     N           },
    {"samples",        nsamples    },
    {"ranks",          size        },
    {"top",            o->top      },
    {"bottom",         o->bottom   },
    {"density_steps",  o->steps    },
    {"density_probes", o->probes   },
    {"trace_products", o->tproducts},
    {"seed",           o->seed     },
  };
  f = H5Fcreate(o->out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create output file %s", o->out);
  PetscCall(WriteResults(f, "", r, N));
  if (ggn) PetscCall(WriteResults(f, "ggn_", ggn, N));
  PetscCall(WriteString(f, "model", o->model));
  PetscCall(WriteString(f, "data", o->data));
  PetscCall(WriteString(f, "matrix", o->matrix));
  PetscCall(WriteString(f, "ot_plan", o->otplan));
  PetscCall(WriteString(f, "operator", o->hasotplan ? "sinkhorn_dual_hessian" : (o->hasmatrix ? "matrix" : KrylearnCurvatures[o->op])));
  PetscCall(WriteString(f, "trace_type", KrylearnTraceTypes[o->ttype]));
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(counts); k++) {
    const long long v = counts[k].value;
    PetscCall(WriteAttribute(f, counts[k].name, H5T_NATIVE_LLONG, &v));
  }
  PetscCall(WriteAttribute(f, "density_sigma", H5T_NATIVE_DOUBLE, &r->sigma));
  PetscCall(WriteAttribute(f, "loss_value", H5T_NATIVE_DOUBLE, &loss));
  PetscCall(WriteAttribute(f, "gradient_norm", H5T_NATIVE_DOUBLE, &gradnorm));
  H5Fclose(f);
  PetscFunctionReturn(0);
}

/* Plot of the density on a log scale with the top eigenvalues marked, by Debian's matplotlib. */
static const char plot_script[] = "import sys, h5py, numpy as np\n"
                                  "import matplotlib\n"
                                  "matplotlib.use('Agg')\n"
                                  "import matplotlib.pyplot as plt\n"
                                  "f = h5py.File(sys.argv[1], 'r')\n"
                                  "fig, ax = plt.subplots(figsize=(7, 4))\n"
                                  "op = f.attrs['operator']\n"
                                  "for p, label in (('', op.decode() if isinstance(op, bytes) else op), ('ggn_', 'ggn')):\n"
                                  "    if p + 'density' not in f: continue\n"
                                  "    ax.semilogy(f[p + 'density_grid'][...], np.maximum(f[p + 'density'][...], 1e-12), label=label)\n"
                                  "    if p + 'top_eigenvalues' in f:\n"
                                  "        top = f[p + 'top_eigenvalues'][...]\n"
                                  "        k = int(f[p + 'outliers'][0])\n"
                                  "        for i, lam in enumerate(top):\n"
                                  "            ax.axvline(lam, color='r' if i < k else '0.7', lw=0.8, ls='--' if p else '-')\n"
                                  "ax.set_xlabel('eigenvalue'); ax.set_ylabel('density (log scale)')\n"
                                  "ax.set_title('SLQ density; top eigenvalues marked (red: outliers)')\n"
                                  "ax.legend(); fig.tight_layout(); fig.savefig(sys.argv[2], dpi=90)\n";

static PetscErrorCode Plot(const Options *o)
{
  PetscMPIInt rank;
  char        cmd[3 * PETSC_MAX_PATH_LEN];
  FILE       *p;
  int         status;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "/usr/bin/python3 - '%s' '%s'", o->out, o->plot));
  p = popen(cmd, "w");
  PetscCheck(p, PETSC_COMM_SELF, PETSC_ERR_SYS, "Cannot start /usr/bin/python3 for the plot");
  fputs(plot_script, p);
  status = pclose(p);
  PetscCheck(status == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "Plotting %s with matplotlib failed (status %d)", o->plot, status);
  PetscFunctionReturn(0);
}

/* The operator of -ot_plan FILE: the Sinkhorn dual Hessian at the plan P with attribute eta. A plan is
   a non-negative matrix with positive mass, and eta a positive number: anything else is no plan. */
static PetscErrorCode OTPlanLoad(const Options *o, Mat *A)
{
  Mat            P;
  PetscReal      eta = 0, sums[2] = {0, 0}; /* negative entries (as a count), total mass */
  KrylearnH5File f;
  PetscInt       n, m, rs, re, neta;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileOpen(PETSC_COMM_WORLD, o->otplan, NULL, KRYLEARN_H5_READ, &f));
  PetscCall(KrylearnH5FileReadAttribute(f, "/", "eta", KRYLEARN_H5_REAL, 1, &neta, &eta));
  PetscCall(KrylearnH5FileClose(&f));
  PetscCheck(neta == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s has no attribute eta: not written by bin/krylearn-ot", o->otplan);
  PetscCheck(eta > 0 && !PetscIsInfOrNanReal(eta), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute eta is %g, not a positive number", o->otplan, (double)eta);
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, o->otplan, "P", &P));
  PetscCall(MatGetOwnershipRange(P, &rs, &re));
  for (PetscInt i = rs; i < re; i++) {
    const PetscScalar *v;
    PetscInt           nc;
    PetscCall(MatGetRow(P, i, &nc, NULL, &v));
    for (PetscInt k = 0; k < nc; k++) {
      if (PetscRealPart(v[k]) < 0) sums[0] += 1;
      sums[1] += PetscRealPart(v[k]);
    }
    PetscCall(MatRestoreRow(P, i, &nc, NULL, &v));
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, 2, MPIU_REAL, MPI_SUM, PETSC_COMM_WORLD));
  if (sums[0] > 0 || !(sums[1] > 0)) PetscCall(MatDestroy(&P));
  PetscCheck(sums[0] == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the plan P has %.0f negative entries: a transport plan is non-negative", o->otplan, (double)sums[0]);
  PetscCheck(sums[1] > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the plan P has no mass (all entries zero)", o->otplan);
  PetscCall(KrylearnSinkhornDualHessian(P, eta, A));
  PetscCall(MatGetSize(P, &n, &m));
  PetscCall(MatDestroy(&P));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: Sinkhorn dual Hessian at a %" PetscInt_FMT " x %" PetscInt_FMT " plan, eta %g\n", o->otplan, n, m, (double)eta));
  PetscFunctionReturn(0);
}

/* The operator of -matrix FILE[:GROUP]: a loaded symmetric matrix. */
static PetscErrorCode MatrixLoad(const Options *o, Mat *A)
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN];
  PetscInt  M, N;
  PetscBool symmetric;

  PetscFunctionBegin;
  PetscCall(KrylearnIOSplitPath(o->matrix, PETSC_TRUE, "", file, group));
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, group, A));
  PetscCall(MatGetSize(*A, &M, &N));
  PetscCheck(M == N, PETSC_COMM_WORLD, PETSC_ERR_ARG_SIZ, "%s: the matrix is %" PetscInt_FMT " x %" PetscInt_FMT ", not square", o->matrix, M, N);
  PetscCall(KrylearnMatIsSymmetric(*A, &symmetric));
  PetscCheck(symmetric, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "%s: the matrix is not symmetric", o->matrix);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: symmetric %" PetscInt_FMT " x %" PetscInt_FMT " matrix\n", o->matrix, N, N));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Options     o;
  KrylearnMLP mlp = NULL;
  Mat         A0, A, G = NULL;
  Results     r, g;
  PetscInt    N;

  PetscCall(SlepcInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(GetOptions(&o));
  if (o.hasotplan) PetscCall(OTPlanLoad(&o, &A0));
  else if (o.hasmatrix) PetscCall(MatrixLoad(&o, &A0));
  else {
    PetscInt  nsamples, nout;
    PetscReal loss, gradnorm;

    PetscCall(KrylearnMLPLoad(PETSC_COMM_WORLD, o.model, o.data, &mlp));
    PetscCall(KrylearnMLPGetSizes(mlp, &N, &nsamples, &nout));
    PetscCall(KrylearnMLPGetLoss(mlp, &loss, &gradnorm));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " parameters, %" PetscInt_FMT " outputs; %s: %" PetscInt_FMT " samples; loss %.10g, gradient norm %.3g\n", o.model, N, nout, o.data, nsamples, (double)loss, (double)gradnorm));
    PetscCall(KrylearnMLPCreateOperator(mlp, o.op, &A0));
  }
  PetscCall(CountedCreate(A0, &A));
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCall(PetscMemzero(&r, sizeof(r)));
  PetscCall(PetscMemzero(&g, sizeof(g)));
  r.name = o.hasotplan ? "sinkhorn dual hessian" : (o.hasmatrix ? "matrix" : KrylearnCurvatures[o.op]);
  PetscCall(Analyse(A, &o, &r));
  PetscCall(Summary(&r, N));
  if (o.sagun) {
    /* the Gauss-Newton matrix is positive semi-definite: its bottom is the weight decay */
    Options og = o;

    og.bottom    = 0;
    og.ninterval = 0;
    PetscCall(KrylearnMLPCreateOperator(mlp, KRYLEARN_CURVATURE_GGN, &A0));
    PetscCall(CountedCreate(A0, &G));
    g.name = "ggn (Gauss-Newton part of Sagun's decomposition)";
    PetscCall(Analyse(G, &og, &g));
    PetscCall(Summary(&g, N));
  }
  if (o.hasout) PetscCall(Write(&o, &r, o.sagun ? &g : NULL, N, mlp));
  if (o.hasplot) PetscCall(Plot(&o));
  PetscCall(ResultsDestroy(&r));
  PetscCall(ResultsDestroy(&g));
  PetscCall(MatDestroy(&A));
  PetscCall(MatDestroy(&G));
  PetscCall(KrylearnMLPDestroy(&mlp));
  PetscCall(SlepcFinalize());
  return 0;
}
