static const char help[] = "Hessian spectrum analyses of a multi-layer perceptron loss, or of any symmetric matrix, on SLEPc.\n\n"
                           "  krylearn-spectrum -model M.h5 -data D.h5 [-operator hessian|ggn|fisher]\n"
                           "  krylearn-spectrum -matrix FILE[:GROUP] (any layout of bin/krylearn-ingest)\n"
                           "  krylearn-spectrum -ot_plan OUT.h5 (Sinkhorn dual Hessian at bin/krylearn-ot's plan)\n"
                           "      [-top k] [-bottom k] [-vectors] [-density] [-trace] [-exact] [-interval a,b]\n"
                           "      [-condition] [-sagun] [-o OUT.h5] [-plot OUT.png]\n\n"
                           "Eigensolver options pass through with the prefixes top_, bottom_, condition_ and interval_\n"
                           "(for example -top_eps_tol 1e-12, -interval_st_filter_degree 200).\n\n";

#include <krylearn.h>

/* The inputs; the analyses and their options belong to the KrylearnSpectrumAnalysis objects. */
typedef struct {
  char              model[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN], matrix[PETSC_MAX_PATH_LEN], otplan[PETSC_MAX_PATH_LEN];
  KrylearnCurvature op;
  PetscBool         sagun, hasmatrix, hasotplan;
} Options;

static PetscErrorCode GetOptions(Options *o, KrylearnSpectrumAnalysis an)
{
  PetscBool   set;
  char        out[PETSC_MAX_PATH_LEN];
  const char *plot, *output;
  PetscBool   density;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->op = KRYLEARN_CURVATURE_HESSIAN;
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Hessian spectrum analyses", "krylearn-spectrum");
  PetscCall(PetscOptionsString("-matrix", "Explicit symmetric matrix FILE[:GROUP] (docs/io.md) instead of a model", NULL, o->matrix, o->matrix, sizeof(o->matrix), &o->hasmatrix));
  PetscCall(PetscOptionsString("-ot_plan", "Output of bin/krylearn-ot: the Sinkhorn dual Hessian at its plan P", NULL, o->otplan, o->otplan, sizeof(o->otplan), &o->hasotplan));
  if (o->hasotplan) o->hasmatrix = PETSC_TRUE;
  PetscCall(PetscOptionsString("-model", "HDF5 model file (train/export_mlp.py)", NULL, o->model, o->model, sizeof(o->model), &set));
  PetscCheck(set || o->hasmatrix, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Give the model with -model M.h5 (or a matrix with -matrix FILE)");
  PetscCall(PetscOptionsString("-data", "HDF5 data file with X and y", NULL, o->data, o->data, sizeof(o->data), &set));
  PetscCheck(set || o->hasmatrix, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "Give the data set with -data D.h5");
  PetscCall(PetscOptionsEnum("-operator", "Curvature matrix", "KrylearnMLPCreateOperator", KrylearnCurvatures, (PetscEnum)o->op, (PetscEnum *)&o->op, NULL));
  PetscCall(PetscOptionsBool("-sagun", "Also analyse the Gauss-Newton matrix and count outliers (Sagun's decomposition)", NULL, o->sagun, &o->sagun, NULL));
  PetscCall(PetscOptionsString("-o", "Output HDF5 file (same as -output)", "KrylearnSpectrumAnalysisSetOutput", "", out, sizeof(out), &set));
  PetscOptionsEnd();
  if (set) PetscCall(KrylearnSpectrumAnalysisSetOutput(an, out));
  PetscCall(KrylearnSpectrumAnalysisSetFromOptions(an));
  PetscCall(KrylearnSpectrumAnalysisGetOutput(an, &output));
  PetscCall(KrylearnSpectrumAnalysisGetPlot(an, &plot));
  PetscCall(KrylearnSpectrumAnalysisGetDensity(an, &density));
  PetscCheck(!(o->hasmatrix && o->sagun), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-sagun needs a model, not -matrix or -ot_plan");
  PetscCheck(!plot || (density && output), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-plot needs -density and -o");
  PetscFunctionReturn(0);
}

typedef struct {
  const Options *o;
  PetscInt64     parameters, samples;
  double         loss, gradnorm;
} Inputs;

/* The inputs as attributes of the output file (which the analysis has written) */
static PetscErrorCode WriteInputsSelf(KrylearnH5File f, void *ctx)
{
  const Inputs *in = (const Inputs *)ctx;

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "model", in->o->model));
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "data", in->o->data));
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "matrix", in->o->matrix));
  PetscCall(KrylearnH5FileWriteAttributeString(f, "/", "ot_plan", in->o->otplan));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "parameters", KRYLEARN_H5_INT64, 1, &in->parameters));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "samples", KRYLEARN_H5_INT64, 1, &in->samples));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "loss_value", KRYLEARN_H5_REAL, 1, &in->loss));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "gradient_norm", KRYLEARN_H5_REAL, 1, &in->gradnorm));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteInputs(const Options *o, const char file[], PetscInt N, KrylearnMLP mlp)
{
  Inputs    in       = {o, N, 0, 0, 0};
  PetscInt  nsamples = 0;
  PetscReal loss = 0, gradnorm = 0;

  PetscFunctionBegin;
  if (mlp) PetscCall(KrylearnMLPGetSizes(mlp, NULL, &nsamples, NULL));
  if (mlp) PetscCall(KrylearnMLPGetLoss(mlp, &loss, &gradnorm));
  in.samples  = nsamples;
  in.loss     = loss;
  in.gradnorm = gradnorm;
  PetscCall(KrylearnH5FileWriteOnRank(PETSC_COMM_WORLD, 0, file, "Output file", KRYLEARN_H5_APPEND, WriteInputsSelf, &in, "Cannot write the inputs to %s", file));
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
  PetscBool      scaled;

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
  /* the Hessian is eta times the plan's blocks, and its scale eta x mass must suit float64: the norms of its
     products square it (above about 1e154 they overflow: wrong eigenvalues, silently), and near the smallest
     normal number the eigensolver's inner products underflow (a corrupt eta of 1e-307: "indefinite matrix") */
  scaled = (PetscBool)(eta * sums[1] >= 1e-290 && eta * sums[1] <= 1e150);
  if (sums[0] > 0 || !(sums[1] > 0) || !scaled) PetscCall(MatDestroy(&P));
  PetscCheck(sums[0] == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the plan P has %.0f negative entries: a transport plan is non-negative", o->otplan, (double)sums[0]);
  PetscCheck(sums[1] > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: the plan P has no mass (all entries zero)", o->otplan);
  PetscCheck(scaled, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute eta = %g with a plan of mass %g: the Hessian's scale eta x mass must lie in [1e-290, 1e150]", o->otplan, (double)eta, (double)sums[1]);
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
  Options                  o;
  KrylearnMLP              mlp = NULL;
  Mat                      A;
  KrylearnSpectrumAnalysis an, ggn = NULL;
  PetscInt                 N;
  const char              *output, *plot, *name;

  PetscCall(SlepcInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(KrylearnSpectrumAnalysisCreate(PETSC_COMM_WORLD, &an));
  PetscCall(GetOptions(&o, an));
  if (o.hasotplan) PetscCall(OTPlanLoad(&o, &A));
  else if (o.hasmatrix) PetscCall(MatrixLoad(&o, &A));
  else {
    PetscInt  nsamples, nout;
    PetscReal loss, gradnorm;

    PetscCall(KrylearnMLPLoad(PETSC_COMM_WORLD, o.model, o.data, &mlp));
    PetscCall(KrylearnMLPSetFromOptions(mlp));
    PetscCall(KrylearnMLPGetSizes(mlp, &N, &nsamples, &nout));
    PetscCall(KrylearnMLPGetLoss(mlp, &loss, &gradnorm));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " parameters, %" PetscInt_FMT " outputs; %s: %" PetscInt_FMT " samples; loss %.10g, gradient norm %.3g\n", o.model, N, nout, o.data, nsamples, (double)loss, (double)gradnorm));
    PetscCall(KrylearnMLPCreateOperator(mlp, o.op, &A));
  }
  /* every operator here is symmetric: models by construction, matrices checked at load */
  PetscCall(KrylearnSpectrumAnalysisSetSymmetric(an, PETSC_BOOL3_TRUE));
  PetscCall(MatGetSize(A, &N, NULL));
  name = o.hasotplan ? "sinkhorn dual hessian" : (o.hasmatrix ? "matrix" : KrylearnCurvatures[o.op]);
  PetscCall(KrylearnSpectrumAnalysisRun(an, A, name, -1));
  PetscCall(KrylearnSpectrumAnalysisView(an, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(MatDestroy(&A));
  if (o.sagun) {
    /* the Gauss-Newton matrix is positive semi-definite: its bottom is the weight decay */
    PetscInt top;

    PetscCall(KrylearnSpectrumAnalysisCreate(PETSC_COMM_WORLD, &ggn));
    PetscCall(KrylearnSpectrumAnalysisSetFromOptions(ggn));
    PetscCall(KrylearnSpectrumAnalysisGetExtremes(ggn, &top, NULL));
    PetscCall(KrylearnSpectrumAnalysisSetExtremes(ggn, top, 0));
    PetscCall(KrylearnSpectrumAnalysisSetInterval(ggn, 0, 0));
    PetscCall(KrylearnSpectrumAnalysisSetSymmetric(ggn, PETSC_BOOL3_TRUE));
    PetscCall(KrylearnSpectrumAnalysisSetOutput(ggn, NULL));
    PetscCall(KrylearnSpectrumAnalysisSetPlot(ggn, NULL));
    PetscCall(KrylearnMLPCreateOperator(mlp, KRYLEARN_CURVATURE_GGN, &A));
    PetscCall(KrylearnSpectrumAnalysisRun(ggn, A, "ggn (Gauss-Newton part of Sagun's decomposition)", -1));
    PetscCall(KrylearnSpectrumAnalysisView(ggn, PETSC_VIEWER_STDOUT_WORLD));
    PetscCall(MatDestroy(&A));
  }
  PetscCall(KrylearnSpectrumAnalysisGetOutput(an, &output));
  PetscCall(KrylearnSpectrumAnalysisGetPlot(an, &plot));
  if (output) {
    PetscCall(KrylearnSpectrumAnalysisWrite(an, output, "", PETSC_FALSE));
    if (ggn) PetscCall(KrylearnSpectrumAnalysisWrite(ggn, output, "ggn_", PETSC_TRUE));
    PetscCall(WriteInputs(&o, output, N, mlp));
  }
  if (plot) PetscCall(KrylearnSpectrumPlot(PETSC_COMM_WORLD, output, plot));
  PetscCall(KrylearnSpectrumAnalysisDestroy(&an));
  PetscCall(KrylearnSpectrumAnalysisDestroy(&ggn));
  PetscCall(KrylearnMLPDestroy(&mlp));
  PetscCall(SlepcFinalize());
  return 0;
}
