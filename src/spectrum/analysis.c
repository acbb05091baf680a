/* KrylearnSpectrumAnalysis: the analyses of one operator with their options, summary,
   HDF5 output and plot. bin/krylearn-spectrum, -pc_type spectrum and -snes_spectrum all
   run their analyses through it, so they share engines, options and file formats. */
#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h>
#include <krylearnio.h>

PetscClassId KRYLEARN_SPECTRUMANALYSIS_CLASSID;

/* The analyses in the order they run; each records its products and time. */
typedef enum {
  PHASE_TOP,
  PHASE_BOTTOM,
  PHASE_CONDITION,
  PHASE_DENSITY,
  PHASE_TRACE,
  PHASE_EXACT,
  PHASE_INTERVAL,
  NPHASES
} Phase;
static const char *const PhaseNames[] = {"top", "bottom", "condition", "density", "trace", "exact", "interval"};

/* What the latest analysis produced; arrays are NULL when not requested. */
typedef struct {
  char           name[256];
  PetscInt       step, N;
  PetscBool      symmetric;
  PetscInt       products[NPHASES];
  PetscLogDouble seconds[NPHASES];
  PetscInt       probes, ntop, nbottom, nritz, ngrid, nexact, ninterval, outliers;
  PetscReal     *top, *topi, *bottom, *bottomi; /* imaginary parts: non-symmetric operators only */
  PetscReal     *ritz, *weights, *grid, *density, *exact, *interval;
  PetscReal     *topvec, *bottomvec; /* k x N on rank 0 */
  PetscReal      trace, trace_stderror, sigma;
  PetscBool      hascondition;
  PetscReal      absmax, absmin, condition; /* largest and smallest |eigenvalue| and their ratio */
  PetscInt       nnegative;                 /* -1: unknown */
  PetscBool      negative_exact;            /* otherwise a lower bound */
} Results;

typedef struct {
  PetscInt   n, alloc, *step;
  PetscReal *smallest, *largest, *condition; /* real parts; NaN when not computed */
} History;

struct _KrylearnSpectrumAnalysisOps {
  PetscErrorCode (*view)(KrylearnSpectrumAnalysis, PetscViewer);
};

struct _p_KrylearnSpectrumAnalysis {
  PETSCHEADER(struct _KrylearnSpectrumAnalysisOps);
  PetscInt          top, bottom, steps, probes, ngrid, tproducts, seed;
  PetscBool         vectors, density, trace, exact, condition;
  PetscReal         sigma, interval[2];
  KrylearnTraceType ttype;
  PetscBool3        symmetric;
  char             *output, *plot;
  PetscInt          nwritten; /* analyses written to output so far */
  Results           r;
  History           h;
};

/*@C
  KrylearnSpectrumAnalysisCreate - Creates a spectrum analysis with no analysis selected.

  Collective

  Input Parameter:
. comm - the communicator of the operators it will analyse

  Output Parameter:
. an - the analysis

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetFromOptions()`, `KrylearnSpectrumAnalysisRun()`, `KrylearnSpectrumAnalysisDestroy()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisCreate(MPI_Comm comm, KrylearnSpectrumAnalysis *an)
{
  KrylearnSpectrumAnalysis a;

  PetscFunctionBegin;
  PetscValidPointer(an, 2);
  PetscCall(KrylearnSpectrumInitializePackage());
  PetscCall(PetscHeaderCreate(a, KRYLEARN_SPECTRUMANALYSIS_CLASSID, "KrylearnSpectrumAnalysis", "Spectrum analysis", "KrylearnSpectrumAnalysis", comm, KrylearnSpectrumAnalysisDestroy, KrylearnSpectrumAnalysisView));
  a->steps       = 90;
  a->probes      = 10;
  a->ngrid       = 10000;
  a->sigma       = PetscSqrtReal(1e-5);
  a->tproducts   = 100;
  a->seed        = 1;
  a->ttype       = KRYLEARN_TRACE_HUTCHPP;
  a->symmetric   = PETSC_BOOL3_UNKNOWN;
  a->r.nnegative = -1;
  *an            = a;
  PetscFunctionReturn(0);
}

static PetscErrorCode ResultsReset(Results *r)
{
  PetscFunctionBegin;
  PetscCall(PetscFree2(r->top, r->topi));
  PetscCall(PetscFree2(r->bottom, r->bottomi));
  PetscCall(PetscFree(r->topvec));
  PetscCall(PetscFree(r->bottomvec));
  PetscCall(PetscFree(r->ritz));
  PetscCall(PetscFree(r->weights));
  PetscCall(PetscFree2(r->grid, r->density));
  PetscCall(PetscFree(r->exact));
  PetscCall(PetscFree(r->interval));
  PetscCall(PetscMemzero(r, sizeof(*r)));
  r->nnegative = -1;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisDestroy - Destroys a spectrum analysis.

  Collective

  Input Parameter:
. an - the analysis

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisCreate()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisDestroy(KrylearnSpectrumAnalysis *an)
{
  PetscFunctionBegin;
  if (!*an) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  if (--((PetscObject)(*an))->refct > 0) {
    *an = NULL;
    PetscFunctionReturn(0);
  }
  PetscCall(ResultsReset(&(*an)->r));
  PetscCall(PetscFree4((*an)->h.step, (*an)->h.smallest, (*an)->h.largest, (*an)->h.condition));
  PetscCall(PetscFree((*an)->output));
  PetscCall(PetscFree((*an)->plot));
  PetscCall(PetscHeaderDestroy(an));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisSetOptionsPrefix - Sets the prefix of the analysis options
  (`-<prefix>top`, ...) and, through them, of its eigensolvers (`-<prefix>top_eps_tol`, ...).

  Logically Collective

  Input Parameters:
+ an     - the analysis
- prefix - the prefix

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisAppendOptionsPrefix()`, `KrylearnSpectrumAnalysisGetOptionsPrefix()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetOptionsPrefix(KrylearnSpectrumAnalysis an, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)an, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisAppendOptionsPrefix - Appends to the prefix of the analysis options.

  Logically Collective

  Input Parameters:
+ an     - the analysis
- prefix - the text to append

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisSetOptionsPrefix()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisAppendOptionsPrefix(KrylearnSpectrumAnalysis an, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)an, prefix));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisGetOptionsPrefix - Gets the prefix of the analysis options.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. prefix - the prefix (NULL when none)

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisSetOptionsPrefix()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetOptionsPrefix(KrylearnSpectrumAnalysis an, const char *prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, prefix));
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetExtremes - Sets how many of the largest and smallest eigenvalues
  to compute (by real part for non-symmetric operators).

  Logically Collective

  Input Parameters:
+ an     - the analysis
. top    - number of largest eigenvalues (0: none)
- bottom - number of smallest eigenvalues (0: none)

  Options Database Keys:
+ -top k    - largest eigenvalues
- -bottom k - smallest eigenvalues

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetExtremes()`, `KrylearnSpectrumExtremes()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetExtremes(KrylearnSpectrumAnalysis an, PetscInt top, PetscInt bottom)
{
  const char *prefix;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveInt(an, top, 2);
  PetscValidLogicalCollectiveInt(an, bottom, 3);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, &prefix));
  PetscCheck(top >= 0 && bottom >= 0, PetscObjectComm((PetscObject)an), PETSC_ERR_ARG_OUTOFRANGE, "-%stop and -%sbottom must not be negative", prefix ? prefix : "", prefix ? prefix : "");
  an->top    = top;
  an->bottom = bottom;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetExtremes - Gets how many of the largest and smallest eigenvalues are computed.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameters:
+ top    - number of largest eigenvalues (or NULL)
- bottom - number of smallest eigenvalues (or NULL)

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetExtremes()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetExtremes(KrylearnSpectrumAnalysis an, PetscInt *top, PetscInt *bottom)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  if (top) *top = an->top;
  if (bottom) *bottom = an->bottom;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetCondition - Sets whether to estimate the condition number
  |lambda|max / |lambda|min, with extra eigensolves for the eigenvalues of largest and
  smallest magnitude unless the extreme eigenvalues of a definite symmetric operator give it.

  Logically Collective

  Input Parameters:
+ an  - the analysis
- flg - whether to estimate it

  Options Database Key:
. -condition <bool> - estimate the condition number

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetCondition()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetCondition(KrylearnSpectrumAnalysis an, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveBool(an, flg, 2);
  an->condition = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetCondition - Gets whether the condition number is estimated.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. flg - whether it is estimated

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetCondition()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetCondition(KrylearnSpectrumAnalysis an, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = an->condition;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetDensity - Sets whether to compute the eigenvalue density by
  stochastic Lanczos quadrature (symmetric operators only).

  Logically Collective

  Input Parameters:
+ an  - the analysis
- flg - whether to compute it

  Options Database Keys:
+ -density <bool>       - compute the density
. -density_steps <n>    - Lanczos steps per probe
. -density_probes <n>   - probe vectors
. -density_sigma <s>    - Gaussian broadening relative to the half-width of the spectrum
- -density_grid <n>     - grid points

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetDensity()`, `KrylearnSpectrumSLQ()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetDensity(KrylearnSpectrumAnalysis an, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveBool(an, flg, 2);
  an->density = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetDensity - Gets whether the SLQ density is computed.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. flg - whether it is computed

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetDensity()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetDensity(KrylearnSpectrumAnalysis an, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = an->density;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetTrace - Sets whether to estimate the trace with a standard error.

  Logically Collective

  Input Parameters:
+ an  - the analysis
- flg - whether to estimate it

  Options Database Keys:
+ -trace <bool>                    - estimate the trace
. -trace_type <hutchpp,hutchinson> - estimator
- -trace_products <n>              - products spent on it

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetTrace()`, `KrylearnSpectrumTrace()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetTrace(KrylearnSpectrumAnalysis an, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveBool(an, flg, 2);
  an->trace = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetTrace - Gets whether the trace is estimated.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. flg - whether it is estimated

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetTrace()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetTrace(KrylearnSpectrumAnalysis an, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = an->trace;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetExact - Sets whether to compute every eigenvalue by dense
  LAPACK (symmetric operators of dimension at most 20000).

  Logically Collective

  Input Parameters:
+ an  - the analysis
- flg - whether to compute them

  Options Database Key:
. -exact <bool> - every eigenvalue

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisGetExact()`, `KrylearnSpectrumExact()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetExact(KrylearnSpectrumAnalysis an, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveBool(an, flg, 2);
  an->exact = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetExact - Gets whether every eigenvalue is computed.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. flg - whether they are computed

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisSetExact()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetExact(KrylearnSpectrumAnalysis an, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = an->exact;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetInterval - Sets an interval [a, b] whose eigenvalues are all
  computed by SLEPc's polynomial filter (symmetric operators only); a = b: none.

  Logically Collective

  Input Parameters:
+ an - the analysis
. a  - left end
- b  - right end

  Options Database Key:
. -interval a,b - the interval

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisGetInterval()`, `KrylearnSpectrumInterval()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetInterval(KrylearnSpectrumAnalysis an, PetscReal a, PetscReal b)
{
  const char *prefix;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidLogicalCollectiveReal(an, a, 2);
  PetscValidLogicalCollectiveReal(an, b, 3);
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, &prefix));
  PetscCheck(a <= b, PetscObjectComm((PetscObject)an), PETSC_ERR_USER_INPUT, "-%sinterval needs two numbers a,b with a < b", prefix ? prefix : "");
  an->interval[0] = a;
  an->interval[1] = b;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetInterval - Gets the interval whose eigenvalues are computed.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameters:
+ a - left end
- b - right end (equal to a: no interval)

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisSetInterval()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetInterval(KrylearnSpectrumAnalysis an, PetscReal *a, PetscReal *b)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  if (a) *a = an->interval[0];
  if (b) *b = an->interval[1];
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetSymmetric - Declares whether the operators are symmetric.

  Logically Collective

  Input Parameters:
+ an  - the analysis
- flg - `PETSC_BOOL3_TRUE`, `PETSC_BOOL3_FALSE`, or `PETSC_BOOL3_UNKNOWN` (the default):
        then an operator is symmetric when `MatIsSymmetricKnown()` says so or, for assembled
        matrices, when `MatIsSymmetric()` finds |a_ij - a_ji| <= 1e-13 ||A||_inf

  Options Database Key:
. -symmetric <bool> - declare the operators symmetric (Hermitian eigensolver, density allowed) or not

  Level: intermediate

  Note:
  Symmetric operators get Krylov-Schur for `EPS_HEP`, a count of negative eigenvalues, and may
  ask for the density, the exact spectrum and intervals; others get `EPS_NHEP` (extreme
  eigenvalues by real part, condition from the eigenvalues of largest and smallest magnitude).

.seealso: `KrylearnSpectrumAnalysisGetSymmetric()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetSymmetric(KrylearnSpectrumAnalysis an, PetscBool3 flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  an->symmetric = flg;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisGetSymmetric - Gets whether the operators are declared symmetric.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. flg - `PETSC_BOOL3_TRUE`, `PETSC_BOOL3_FALSE` or `PETSC_BOOL3_UNKNOWN` (detected per operator)

  Level: intermediate

.seealso: `KrylearnSpectrumAnalysisSetSymmetric()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetSymmetric(KrylearnSpectrumAnalysis an, PetscBool3 *flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidPointer(flg, 2);
  *flg = an->symmetric;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisSetOutput - Sets the HDF5 file that `KrylearnSpectrumAnalysisRun()`
  with a step writes to: one group analysis0, analysis1, ... per analysis.

  Logically Collective

  Input Parameters:
+ an   - the analysis
- file - the file (created, or truncated, at the first analysis), or NULL for none

  Options Database Key:
. -output file.h5 - the file

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetOutput()`, `KrylearnSpectrumAnalysisSetPlot()`, `KrylearnSpectrumAnalysisWrite()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetOutput(KrylearnSpectrumAnalysis an, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscCall(PetscFree(an->output));
  PetscCall(PetscStrallocpy(file, &an->output));
  an->nwritten = 0;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisGetOutput - Gets the HDF5 output file.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. file - the file, or NULL

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetOutput()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetOutput(KrylearnSpectrumAnalysis an, const char *file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidPointer(file, 2);
  *file = an->output;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisSetPlot - Sets the PNG file drawn from the output file after every
  analysis with a step (see `KrylearnSpectrumPlot()`); needs an output file.

  Logically Collective

  Input Parameters:
+ an   - the analysis
- file - the PNG file, or NULL for none

  Options Database Key:
. -plot file.png - the plot

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisGetPlot()`, `KrylearnSpectrumAnalysisSetOutput()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetPlot(KrylearnSpectrumAnalysis an, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscCall(PetscFree(an->plot));
  PetscCall(PetscStrallocpy(file, &an->plot));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisGetPlot - Gets the PNG plot file.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameter:
. file - the file, or NULL

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisSetPlot()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetPlot(KrylearnSpectrumAnalysis an, const char *file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidPointer(file, 2);
  *file = an->plot;
  PetscFunctionReturn(0);
}

/*@
  KrylearnSpectrumAnalysisSetFromOptions - Reads the analysis options under the analysis prefix.

  Collective

  Input Parameter:
. an - the analysis

  Options Database Keys:
+ -top k, -bottom k                - extreme eigenvalues; eigensolver options with the prefixes top_, bottom_ (and condition_)
. -vectors                         - also store the eigenvectors (symmetric operators)
. -condition                       - condition number estimate
. -density, -density_steps, -density_probes, -density_sigma, -density_grid - SLQ density
. -trace, -trace_type, -trace_products - trace estimate
. -exact                           - every eigenvalue by dense LAPACK
. -interval a,b                    - every eigenvalue in [a, b]; eigensolver prefix interval_
. -symmetric <bool>                - declare the operators symmetric or not
. -seed n                          - seed of the random probes
. -output file.h5                  - output file
- -plot file.png                   - PNG plot (needs -output)

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisCreate()`, `KrylearnSpectrumAnalysisRun()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisSetFromOptions(KrylearnSpectrumAnalysis an)
{
  PetscInt  top = an->top, bottom = an->bottom, n = 2;
  PetscReal interval[2] = {an->interval[0], an->interval[1]};
  PetscBool set, symmetric = PETSC_FALSE;
  char      file[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)an);
  PetscCall(PetscOptionsInt("-top", "Number of largest eigenvalues", "KrylearnSpectrumAnalysisSetExtremes", top, &top, NULL));
  PetscCall(PetscOptionsInt("-bottom", "Number of smallest (most negative) eigenvalues", "KrylearnSpectrumAnalysisSetExtremes", bottom, &bottom, NULL));
  PetscCall(KrylearnSpectrumAnalysisSetExtremes(an, top, bottom));
  PetscCall(PetscOptionsBool("-vectors", "Store the eigenvectors in the output", NULL, an->vectors, &an->vectors, NULL));
  PetscCall(PetscOptionsBool("-condition", "Condition number estimate |lambda|max/|lambda|min", "KrylearnSpectrumAnalysisSetCondition", an->condition, &an->condition, NULL));
  PetscCall(PetscOptionsBool("-density", "Eigenvalue density by stochastic Lanczos quadrature", "KrylearnSpectrumAnalysisSetDensity", an->density, &an->density, NULL));
  PetscCall(PetscOptionsInt("-density_steps", "Lanczos steps per probe", NULL, an->steps, &an->steps, NULL));
  PetscCall(PetscOptionsInt("-density_probes", "Number of probe vectors", NULL, an->probes, &an->probes, NULL));
  PetscCall(PetscOptionsReal("-density_sigma", "Gaussian broadening, relative to the half-width of the spectrum", NULL, an->sigma, &an->sigma, NULL));
  PetscCall(PetscOptionsInt("-density_grid", "Number of grid points", NULL, an->ngrid, &an->ngrid, NULL));
  PetscCall(PetscOptionsBool("-trace", "Stochastic trace estimate with standard error", "KrylearnSpectrumAnalysisSetTrace", an->trace, &an->trace, NULL));
  PetscCall(PetscOptionsEnum("-trace_type", "Trace estimator", "KrylearnSpectrumTrace", KrylearnTraceTypes, (PetscEnum)an->ttype, (PetscEnum *)&an->ttype, NULL));
  PetscCall(PetscOptionsInt("-trace_products", "Operator products spent on the trace", NULL, an->tproducts, &an->tproducts, NULL));
  PetscCall(PetscOptionsBool("-exact", "Every eigenvalue by dense LAPACK (small operators)", "KrylearnSpectrumAnalysisSetExact", an->exact, &an->exact, NULL));
  PetscCall(PetscOptionsRealArray("-interval", "All eigenvalues in [a,b] with a polynomial filter (STFILTER)", "KrylearnSpectrumAnalysisSetInterval", interval, &n, &set));
  if (set) {
    PetscCheck(n == 2 && interval[0] < interval[1], PetscObjectComm((PetscObject)an), PETSC_ERR_USER_INPUT, "-%sinterval needs two numbers a,b with a < b", ((PetscObject)an)->prefix ? ((PetscObject)an)->prefix : "");
    PetscCall(KrylearnSpectrumAnalysisSetInterval(an, interval[0], interval[1]));
  }
  PetscCall(PetscOptionsBool("-symmetric", "Declare the operators symmetric (or not) instead of detecting it", "KrylearnSpectrumAnalysisSetSymmetric", symmetric, &symmetric, &set));
  if (set) PetscCall(KrylearnSpectrumAnalysisSetSymmetric(an, PetscBoolToBool3(symmetric)));
  PetscCall(PetscOptionsInt("-seed", "Seed of the random probes", NULL, an->seed, &an->seed, NULL));
  PetscCall(PetscOptionsString("-output", "Output HDF5 file", "KrylearnSpectrumAnalysisSetOutput", an->output ? an->output : "", file, sizeof(file), &set));
  if (set) PetscCall(KrylearnSpectrumAnalysisSetOutput(an, file));
  PetscCall(PetscOptionsString("-plot", "PNG plot of the results", "KrylearnSpectrumAnalysisSetPlot", an->plot ? an->plot : "", file, sizeof(file), &set));
  if (set) PetscCall(KrylearnSpectrumAnalysisSetPlot(an, file));
  PetscOptionsEnd();
  {
    MPI_Comm    comm = PetscObjectComm((PetscObject)an);
    const char *p    = ((PetscObject)an)->prefix ? ((PetscObject)an)->prefix : "";

    PetscCheck(an->steps >= 1, comm, PETSC_ERR_USER_INPUT, "-%sdensity_steps %" PetscInt_FMT ": the density needs at least 1 Lanczos step", p, an->steps);
    PetscCheck(an->probes >= 1, comm, PETSC_ERR_USER_INPUT, "-%sdensity_probes %" PetscInt_FMT ": the density needs at least 1 probe", p, an->probes);
    PetscCheck(an->ngrid >= 2, comm, PETSC_ERR_USER_INPUT, "-%sdensity_grid %" PetscInt_FMT ": the density needs at least 2 grid points", p, an->ngrid);
    PetscCheck(an->sigma > 0 && an->sigma < PETSC_MAX_REAL, comm, PETSC_ERR_USER_INPUT, "-%sdensity_sigma %g: the broadening must be positive and finite", p, (double)an->sigma);
    PetscCheck(an->tproducts >= 1, comm, PETSC_ERR_USER_INPUT, "-%strace_products %" PetscInt_FMT ": the trace needs at least 1 product", p, an->tproducts);
  }
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

static PetscErrorCode CountedCreate(Mat A, PetscBool symmetric, Mat *S)
{
  Counted *c;
  PetscInt m, n, M, N;

  PetscFunctionBegin;
  PetscCall(PetscNew(&c));
  PetscCall(PetscObjectReference((PetscObject)A));
  c->A = A;
  PetscCall(MatGetLocalSize(A, &m, &n));
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatCreateShell(PetscObjectComm((PetscObject)A), m, n, M, N, c, S));
  PetscCall(MatShellSetContextDestroy(*S, CountedDestroy));
  PetscCall(MatShellSetOperation(*S, MATOP_MULT, (void (*)(void))MatMult_Counted));
  PetscCall(MatSetOption(*S, MAT_SYMMETRIC, symmetric));
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
  r->products[p] += c->count - products;
  r->seconds[p] += t - seconds;
  PetscFunctionReturn(0);
}

/* Options prefix of an eigensolver: the analysis prefix followed by sub ("top_", ...) */
static PetscErrorCode SubPrefix(KrylearnSpectrumAnalysis an, const char sub[], char prefix[], size_t len)
{
  const char *p;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, &p));
  PetscCall(PetscSNPrintf(prefix, len, "%s%s", p ? p : "", sub));
  PetscFunctionReturn(0);
}

/* k extreme eigenvalues (and eigenvectors gathered on rank 0 when asked) */
static PetscErrorCode Extremes(KrylearnSpectrumAnalysis an, Mat A, PetscInt k, EPSWhich which, const char sub[], PetscReal *rho, PetscReal **eig, PetscReal **eigi, PetscReal **vec)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)A);
  PetscInt    N;
  Vec        *X = NULL, x0;
  VecScatter  tozero;
  PetscMPIInt rank;
  char        prefix[256];
  const char *p;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, &p));
  PetscCheck(k <= N, comm, PETSC_ERR_ARG_OUTOFRANGE, "-%s%s %" PetscInt_FMT " asks for more eigenvalues than the dimension %" PetscInt_FMT, p ? p : "", which == EPS_LARGEST_REAL ? "top" : "bottom", k, N);
  PetscCall(SubPrefix(an, sub, prefix, sizeof(prefix)));
  PetscCall(PetscMalloc2(k, eig, k, eigi));
  PetscCall(PetscArrayzero(*eigi, k));
  if (!an->r.symmetric) {
    PetscCall(KrylearnSpectrumExtremesNonHermitian(A, k, which, prefix, rho, *eig, *eigi));
    PetscFunctionReturn(0);
  }
  if (an->vectors) {
    Vec x;
    PetscCall(MatCreateVecs(A, &x, NULL));
    PetscCall(VecDuplicateVecs(x, k, &X));
    PetscCall(VecDestroy(&x));
  }
  PetscCall(KrylearnSpectrumExtremes(A, k, which, prefix, rho, *eig, X));
  if (!an->vectors) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
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

/* |lambda|max / |lambda|min: from the extremes of a definite symmetric operator, otherwise
   by two more eigensolves (largest and smallest magnitude). */
static PetscErrorCode Condition(KrylearnSpectrumAnalysis an, Mat A, PetscReal *rho)
{
  Results  *r = &an->r;
  PetscReal re, im;
  char      prefix[256];

  PetscFunctionBegin;
  if (r->symmetric && r->ntop && r->nbottom && r->top[0] * r->bottom[0] > 0) {
    r->absmax = PetscMax(PetscAbsReal(r->top[0]), PetscAbsReal(r->bottom[0]));
    r->absmin = PetscMin(PetscAbsReal(r->top[0]), PetscAbsReal(r->bottom[0]));
  } else if (an->condition) {
    PetscCall(SubPrefix(an, "condition_", prefix, sizeof(prefix)));
    if (r->symmetric) {
      PetscCall(KrylearnSpectrumExtremes(A, 1, EPS_LARGEST_MAGNITUDE, prefix, rho, &re, NULL));
      r->absmax = PetscAbsReal(re);
      PetscCall(KrylearnSpectrumExtremes(A, 1, EPS_SMALLEST_MAGNITUDE, prefix, rho, &re, NULL));
      r->absmin = PetscAbsReal(re);
    } else {
      PetscCall(KrylearnSpectrumExtremesNonHermitian(A, 1, EPS_LARGEST_MAGNITUDE, prefix, rho, &re, &im));
      r->absmax = PetscHypotReal(re, im);
      PetscCall(KrylearnSpectrumExtremesNonHermitian(A, 1, EPS_SMALLEST_MAGNITUDE, prefix, rho, &re, &im));
      r->absmin = PetscHypotReal(re, im);
    }
  } else PetscFunctionReturn(0);
  r->hascondition = PETSC_TRUE;
  r->condition    = r->absmin > 0 ? r->absmax / r->absmin : PETSC_INFINITY;
  PetscFunctionReturn(0);
}

static PetscErrorCode Density(KrylearnSpectrumAnalysis an, Mat A, PetscRandom rnd)
{
  Results  *r  = &an->r;
  PetscReal lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL, pad;

  PetscFunctionBegin;
  r->probes = an->probes;
  PetscCall(KrylearnSpectrumSLQ(A, an->steps, an->probes, rnd, &r->nritz, &r->ritz, &r->weights));
  for (PetscInt j = 0; j < r->nritz; j++)
    if (r->weights[j] > 0) {
      lo = PetscMin(lo, r->ritz[j]);
      hi = PetscMax(hi, r->ritz[j]);
    }
  r->sigma = an->sigma * PetscMax(0.5 * (hi - lo), PETSC_SMALL);
  pad      = 5 * r->sigma;
  r->ngrid = an->ngrid;
  PetscCall(PetscMalloc2(r->ngrid, &r->grid, r->ngrid, &r->density));
  for (PetscInt g = 0; g < r->ngrid; g++) r->grid[g] = lo - pad + (hi - lo + 2 * pad) * g / PetscMax(1, r->ngrid - 1);
  PetscCall(KrylearnSpectrumDensity(r->nritz, r->ritz, r->weights, an->probes, r->sigma, r->ngrid, r->grid, r->density));
  PetscFunctionReturn(0);
}

/* Negative eigenvalues of a symmetric operator: exact from the full spectrum, or from the
   bottom k when one of them is not negative (then every negative one is among them),
   otherwise at least k. */
static void CountNegative(Results *r)
{
  PetscInt n = 0;

  if (r->exact) {
    for (PetscInt i = 0; i < r->nexact; i++) n += r->exact[i] < 0;
    r->nnegative      = n;
    r->negative_exact = PETSC_TRUE;
  } else if (r->nbottom) {
    for (PetscInt i = 0; i < r->nbottom; i++) n += r->bottom[i] < 0;
    r->nnegative      = n;
    r->negative_exact = (PetscBool)(n < r->nbottom);
  }
}

static PetscErrorCode IsSymmetric(KrylearnSpectrumAnalysis an, Mat A, PetscBool *symmetric)
{
  PetscBool set, has;

  PetscFunctionBegin;
  if (an->symmetric != PETSC_BOOL3_UNKNOWN) {
    *symmetric = PetscBool3ToBool(an->symmetric);
    PetscFunctionReturn(0);
  }
  PetscCall(MatIsSymmetricKnown(A, &set, symmetric));
  if (set) PetscFunctionReturn(0);
  PetscCall(MatHasOperation(A, MATOP_IS_SYMMETRIC, &has));
  if (has) {
    PetscReal norm;

    /* assembled Jacobians and Hessians are often symmetric up to rounding only */
    PetscCall(MatNorm(A, NORM_INFINITY, &norm));
    PetscCall(MatIsSymmetric(A, 1e-13 * norm, symmetric));
  } else *symmetric = PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode HistoryAppend(History *h, const Results *r)
{
  PetscFunctionBegin;
  if (h->n == h->alloc) {
    PetscInt  *step;
    PetscReal *smallest, *largest, *condition;

    h->alloc = PetscMax(16, 2 * h->alloc);
    PetscCall(PetscMalloc4(h->alloc, &step, h->alloc, &smallest, h->alloc, &largest, h->alloc, &condition));
    PetscCall(PetscArraycpy(step, h->step, h->n));
    PetscCall(PetscArraycpy(smallest, h->smallest, h->n));
    PetscCall(PetscArraycpy(largest, h->largest, h->n));
    PetscCall(PetscArraycpy(condition, h->condition, h->n));
    PetscCall(PetscFree4(h->step, h->smallest, h->largest, h->condition));
    h->step      = step;
    h->smallest  = smallest;
    h->largest   = largest;
    h->condition = condition;
  }
  h->step[h->n]      = r->step;
  h->smallest[h->n]  = r->nbottom ? r->bottom[0] : (r->exact ? r->exact[0] : (PetscReal)NAN);
  h->largest[h->n]   = r->ntop ? r->top[0] : (r->exact ? r->exact[r->nexact - 1] : (PetscReal)NAN);
  h->condition[h->n] = r->hascondition ? r->condition : (PetscReal)NAN;
  h->n++;
  PetscFunctionReturn(0);
}

/* Dataset group/<prefix><name> holding the row-major rows x cols array a, of rank 1 when cols
   is 1 and rank 2 otherwise; nothing is written when a is NULL. */
static PetscErrorCode WriteDense(KrylearnH5File f, const char group[], const char prefix[], const char name[], PetscInt rows, PetscInt cols, const PetscReal a[])
{
  char             path[PETSC_MAX_PATH_LEN];
  const PetscInt64 dims[2] = {rows, cols};

  PetscFunctionBegin;
  if (!a) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s%s", group, prefix, name));
  PetscCall(KrylearnH5FileWriteDataset(f, path, KRYLEARN_H5_REAL, cols > 1 ? 2 : 1, dims, a));
  PetscFunctionReturn(0);
}

/* Results of the latest analysis into group ("" for the root), dataset and attribute names
   prefixed by prefix; the writing rank only. */
static PetscErrorCode WriteResults(KrylearnSpectrumAnalysis an, KrylearnH5File f, const char group[], const char prefix[])
{
  const Results *r   = &an->r;
  const char    *obj = group[0] ? group : "/";
  PetscMPIInt    size;
  char           name[256];
  const struct {
    const char *name;
    PetscInt    rows, cols;
    PetscReal  *a;
  } data[] = {
    {"top_eigenvalues",         r->ntop,    1,                     r->top                           },
    {"top_eigenvalues_imag",    r->ntop,    1,                     r->symmetric ? NULL : r->topi    },
    {"bottom_eigenvalues",      r->nbottom, 1,                     r->bottom                        },
    {"bottom_eigenvalues_imag", r->nbottom, 1,                     r->symmetric ? NULL : r->bottomi },
    {"top_eigenvectors",        r->ntop,    r->N,                  r->topvec                        },
    {"bottom_eigenvectors",     r->nbottom, r->N,                  r->bottomvec                     },
    {"ritz_nodes",              r->probes,  r->nritz / PetscMax(1, r->probes),                        r->ritz},
    {"ritz_weights",                         r->probes,                      r->nritz / PetscMax(1,          r->probes), r->weights},
    {"density_grid",               r->ngrid,                         1,                                 r->grid                                           },
    {"density",                  r->ngrid,                            1,         r->density},
    {"exact_eigenvalues",               r->nexact,                         1,                    r->exact                                                        },
    {"interval_eigenvalues",                 r->ninterval,                           1,        r->interval},
  };

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)an), &size));
  for (size_t i = 0; i < PETSC_STATIC_ARRAY_LENGTH(data); i++) PetscCall(WriteDense(f, group, prefix, data[i].name, data[i].rows, data[i].cols, data[i].a));
  if (an->trace) {
    PetscCall(WriteDense(f, group, prefix, "trace", 1, 1, &r->trace));
    PetscCall(WriteDense(f, group, prefix, "trace_stderror", 1, 1, &r->trace_stderror));
  }
  for (int p = 0; p < NPHASES; p++) {
    const PetscReal cost[2] = {(PetscReal)r->products[p], (PetscReal)r->seconds[p]};

    if (!r->products[p]) continue;
    PetscCall(PetscSNPrintf(name, sizeof(name), "cost_%s", PhaseNames[p]));
    PetscCall(WriteDense(f, group, prefix, name, 2, 1, cost));
  }
  if (r->ntop && r->symmetric) {
    const PetscReal outliers = (PetscReal)r->outliers;
    PetscCall(WriteDense(f, group, prefix, "outliers", 1, 1, &outliers));
  }
  if (r->hascondition) {
    const PetscReal mag[2] = {r->absmax, r->absmin};
    PetscCall(WriteDense(f, group, prefix, "condition", 1, 1, &r->condition));
    PetscCall(WriteDense(f, group, prefix, "extreme_magnitudes", 2, 1, mag));
  }
  if (r->nnegative >= 0) {
    const PetscReal neg[2] = {(PetscReal)r->nnegative, (PetscReal)r->negative_exact};
    PetscCall(WriteDense(f, group, prefix, "negative_eigenvalues", 2, 1, neg));
  }
  {
    const struct {
      const char *name;
      PetscInt64  value;
    } counts[] = {
      {"dimension",      r->N         },
      {"ranks",          size         },
      {"symmetric",      r->symmetric },
      {"top",            an->top      },
      {"bottom",         an->bottom   },
      {"density_steps",  an->steps    },
      {"density_probes", an->probes   },
      {"trace_products", an->tproducts},
      {"seed",           an->seed     },
    };
    for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(counts); k++) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "%s%s", prefix, counts[k].name));
      PetscCall(KrylearnH5FileWriteAttribute(f, obj, name, KRYLEARN_H5_INT64, 1, &counts[k].value));
    }
  }
  {
    const double sigma = r->sigma;
    PetscCall(PetscSNPrintf(name, sizeof(name), "%sdensity_sigma", prefix));
    PetscCall(KrylearnH5FileWriteAttribute(f, obj, name, KRYLEARN_H5_REAL, 1, &sigma));
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), "%strace_type", prefix));
  PetscCall(KrylearnH5FileWriteAttributeString(f, obj, name, KrylearnTraceTypes[an->ttype]));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%soperator", prefix));
  PetscCall(KrylearnH5FileWriteAttributeString(f, obj, name, r->name));
  PetscFunctionReturn(0);
}

/* The latest analysis as group analysisN of an open output file, with its step, and the
   history dataset (step, smallest, largest, condition) written anew. */
static PetscErrorCode WriteGroup(KrylearnSpectrumAnalysis an, KrylearnH5File f)
{
  History         *h = &an->h;
  char             group[64];
  PetscReal       *rows;
  const PetscInt64 step = an->r.step, dims[2] = {h->n, 4};

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(group, sizeof(group), "/analysis%" PetscInt_FMT, an->nwritten));
  PetscCall(KrylearnH5FileCreateGroup(f, group));
  PetscCall(WriteResults(an, f, group, ""));
  PetscCall(KrylearnH5FileWriteAttribute(f, group, "step", KRYLEARN_H5_INT64, 1, &step));
  PetscCall(PetscMalloc1(4 * h->n, &rows));
  for (PetscInt i = 0; i < h->n; i++) {
    rows[4 * i]     = (PetscReal)h->step[i];
    rows[4 * i + 1] = h->smallest[i];
    rows[4 * i + 2] = h->largest[i];
    rows[4 * i + 3] = h->condition[i];
  }
  PetscCall(KrylearnH5FileDelete(f, "/history"));
  PetscCall(KrylearnH5FileWriteDataset(f, "/history", KRYLEARN_H5_REAL, 2, dims, rows));
  PetscCall(PetscFree(rows));
  PetscFunctionReturn(0);
}

typedef struct {
  KrylearnSpectrumAnalysis an;
  const char              *prefix;
  PetscBool                asgroup;
} OutputCtx;

static PetscErrorCode WriteOutputSelf(KrylearnH5File f, void *ctx)
{
  const OutputCtx *o = (const OutputCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(o->asgroup ? WriteGroup(o->an, f) : WriteResults(o->an, f, "", o->prefix));
  PetscFunctionReturn(0);
}

/* Rank 0 writes the latest results to file (appended to when asked and present, else created):
   at the root with prefix, or as the next analysis group */
static PetscErrorCode WriteOutput(KrylearnSpectrumAnalysis an, const char file[], const char prefix[], PetscBool append, PetscBool asgroup)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)an);
  OutputCtx   o    = {an, prefix, asgroup};
  PetscBool   exists;
  const char *reason;

  PetscFunctionBegin;
  PetscCall(KrylearnIOTestRegularFile(file, &exists, &reason));
  PetscCallMPI(MPI_Bcast(&exists, 1, MPIU_BOOL, 0, comm));
  PetscCall(KrylearnH5FileWriteOnRank(comm, 0, file, "Output file", append && exists ? KRYLEARN_H5_APPEND : KRYLEARN_H5_WRITE, WriteOutputSelf, &o, "Cannot write the spectrum analysis to %s", file));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisWrite - Writes the results of the latest analysis to the root of an
  HDF5 file, in the format of bin/krylearn-spectrum (docs/spectrum.md).

  Collective

  Input Parameters:
+ an     - the analysis
. file   - the HDF5 file
. prefix - prefix of the dataset and attribute names ("" for none)
- append - add to an existing file instead of creating (truncating) it

  Level: intermediate

  Note:
  Rank 0 writes; a failure is an error on every rank.

.seealso: `KrylearnSpectrumAnalysisRun()`, `KrylearnSpectrumAnalysisSetOutput()`, `KrylearnSpectrumPlot()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisWrite(KrylearnSpectrumAnalysis an, const char file[], const char prefix[], PetscBool append)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidCharPointer(file, 2);
  PetscCall(WriteOutput(an, file, prefix ? prefix : "", append, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisRun - Runs the selected analyses on an operator.

  Collective

  Input Parameters:
+ an   - the analysis
. A    - square operator (only `MatMult()` is used)
. name - what the operator is, for the summary and the output
- step - the step (set-up, Newton iterate) the analysis belongs to, or -1 for a single analysis

  Level: beginner

  Notes:
  With a step >= 0 the extreme eigenvalues and condition estimate join the history
  (`KrylearnSpectrumAnalysisViewHistory()`), and, when an output file is set, the results are
  written to its group analysis<n> (attribute step) and the plot is redrawn. A single analysis
  (step -1) is written with `KrylearnSpectrumAnalysisWrite()`.

  SLEPc is initialised here at first use, so that PETSc programs that load Krylearn as a
  plugin pay nothing until they ask for an analysis.

.seealso: `KrylearnSpectrumAnalysisView()`, `KrylearnSpectrumAnalysisSetFromOptions()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisRun(KrylearnSpectrumAnalysis an, Mat A, const char name[], PetscInt step)
{
  MPI_Comm       comm = PetscObjectComm((PetscObject)A);
  Results       *r    = &an->r;
  PetscRandom    rnd;
  PetscInt       M, n0 = 0;
  PetscLogDouble t0  = 0;
  PetscReal      rho = 0;
  PetscBool      slepc;
  Mat            S;
  const char    *p;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidHeaderSpecific(A, MAT_CLASSID, 2);
  PetscValidCharPointer(name, 3);
  PetscCall(SlepcInitialized(&slepc));
  if (!slepc) PetscCall(SlepcInitialize(NULL, NULL, NULL, NULL));
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)an, &p));
  p = p ? p : "";
  PetscCheck(step < 0 || !an->plot || an->output, comm, PETSC_ERR_USER_INPUT, "-%splot needs -%soutput", p, p);
  PetscCall(ResultsReset(r));
  PetscCall(PetscStrncpy(r->name, name, sizeof(r->name)));
  r->step = step;
  PetscCall(MatGetSize(A, &M, &r->N));
  PetscCheck(M == r->N, comm, PETSC_ERR_ARG_SIZ, "%s is %" PetscInt_FMT " x %" PetscInt_FMT ": the analyses need a square operator", name, M, r->N);
  PetscCall(IsSymmetric(an, A, &r->symmetric));
  PetscCheck(r->symmetric || !an->density, comm, PETSC_ERR_ARG_WRONG, "-%sdensity: %s is not symmetric and the SLQ density needs a symmetric operator (declare it with -%ssymmetric if it is)", p, name, p);
  PetscCheck(r->symmetric || !an->exact, comm, PETSC_ERR_ARG_WRONG, "-%sexact: %s is not symmetric and the exact spectrum is computed for symmetric operators only", p, name);
  PetscCheck(r->symmetric || an->interval[0] == an->interval[1], comm, PETSC_ERR_ARG_WRONG, "-%sinterval: %s is not symmetric and the polynomial filter needs a symmetric operator", p, name);
  PetscCheck(r->symmetric || !an->vectors, comm, PETSC_ERR_ARG_WRONG, "-%svectors: %s is not symmetric; eigenvectors are stored for symmetric operators only", p, name);
  PetscCall(CountedCreate(A, r->symmetric, &S));
  PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PetscCall(PetscRandomSetSeed(rnd, (unsigned long)an->seed));
  PetscCall(PetscRandomSeed(rnd));
  r->trace = r->trace_stderror = PETSC_MAX_REAL;
  if (an->top) {
    r->ntop = an->top;
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(Extremes(an, S, an->top, EPS_LARGEST_REAL, "top_", &rho, &r->top, &r->topi, &r->topvec));
    PetscCall(PhaseEnd(S, r, PHASE_TOP, n0, t0));
    if (r->symmetric) PetscCall(KrylearnSpectrumOutlierCount(r->ntop, r->top, &r->outliers));
  }
  if (an->bottom) {
    r->nbottom = an->bottom;
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(Extremes(an, S, an->bottom, EPS_SMALLEST_REAL, "bottom_", &rho, &r->bottom, &r->bottomi, &r->bottomvec));
    PetscCall(PhaseEnd(S, r, PHASE_BOTTOM, n0, t0));
  }
  PetscCall(PhaseBegin(S, &n0, &t0));
  PetscCall(Condition(an, S, &rho));
  PetscCall(PhaseEnd(S, r, PHASE_CONDITION, n0, t0));
  if (an->density) {
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(Density(an, S, rnd));
    PetscCall(PhaseEnd(S, r, PHASE_DENSITY, n0, t0));
  }
  if (an->trace) {
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(KrylearnSpectrumTrace(S, an->ttype, an->tproducts, rnd, &r->trace, &r->trace_stderror));
    PetscCall(PhaseEnd(S, r, PHASE_TRACE, n0, t0));
  }
  if (an->exact) {
    r->nexact = r->N;
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(KrylearnSpectrumExact(S, &r->exact));
    PetscCall(PhaseEnd(S, r, PHASE_EXACT, n0, t0));
  }
  if (an->interval[0] < an->interval[1]) {
    char prefix[256];

    PetscCall(SubPrefix(an, "interval_", prefix, sizeof(prefix)));
    PetscCall(PhaseBegin(S, &n0, &t0));
    PetscCall(KrylearnSpectrumInterval(S, an->interval[0], an->interval[1], prefix, &r->ninterval, &r->interval));
    PetscCall(PhaseEnd(S, r, PHASE_INTERVAL, n0, t0));
  }
  if (r->symmetric) CountNegative(r);
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(MatDestroy(&S));
  if (step < 0) PetscFunctionReturn(0);
  PetscCall(HistoryAppend(&an->h, r));
  if (an->output) {
    PetscCall(WriteOutput(an, an->output, "", (PetscBool)(an->nwritten > 0), PETSC_TRUE));
    an->nwritten++;
  }
  if (an->plot) PetscCall(KrylearnSpectrumPlot(comm, an->output, an->plot));
  PetscFunctionReturn(0);
}

static PetscErrorCode ViewEigenvalues(PetscViewer viewer, const char label[], PetscInt n, const PetscReal re[], const PetscReal im[], PetscBool symmetric)
{
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s", label));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
  for (PetscInt i = 0; i < n; i++) {
    if (symmetric) PetscCall(PetscViewerASCIIPrintf(viewer, " %.10g", (double)re[i]));
    else PetscCall(PetscViewerASCIIPrintf(viewer, " %.10g%+.3gi", (double)re[i], (double)im[i]));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisView - Prints the one-screen summary of the latest analysis (each
  analysis with its products and time, the extreme eigenvalues, the condition estimate, the
  negative eigenvalues of a symmetric operator, density, trace), or the settings before any.

  Collective

  Input Parameters:
+ an     - the analysis
- viewer - an ASCII viewer

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisRun()`, `KrylearnSpectrumAnalysisViewHistory()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisView(KrylearnSpectrumAnalysis an, PetscViewer viewer)
{
  const Results *r = &an->r;
  PetscBool      isascii;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)an), &viewer));
  PetscValidHeaderSpecific(viewer, PETSC_VIEWER_CLASSID, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  if (!r->N) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "spectrum analysis: top %" PetscInt_FMT ", bottom %" PetscInt_FMT "%s%s%s%s%s\n", an->top, an->bottom, an->condition ? ", condition" : "", an->density ? ", density" : "", an->trace ? ", trace" : "", an->exact ? ", exact" : "", an->interval[0] < an->interval[1] ? ", interval" : ""));
    if (an->output) PetscCall(PetscViewerASCIIPrintf(viewer, "output: %s%s%s\n", an->output, an->plot ? ", plot: " : "", an->plot ? an->plot : ""));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s:\n", r->name));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  if (!r->symmetric) PetscCall(PetscViewerASCIIPrintf(viewer, "non-symmetric operator of dimension %" PetscInt_FMT ": non-Hermitian Krylov-Schur, extremes by real part; no SLQ density is computed\n", r->N));
  for (int p = 0; p < NPHASES; p++)
    if (r->products[p]) PetscCall(PetscViewerASCIIPrintf(viewer, "%-9s %6" PetscInt_FMT " products %9.3f s\n", PhaseNames[p], r->products[p], (double)r->seconds[p]));
  if (r->ntop) {
    char label[64];

    PetscCall(PetscSNPrintf(label, sizeof(label), "top %" PetscInt_FMT ":   ", r->ntop));
    PetscCall(ViewEigenvalues(viewer, label, r->ntop, r->top, r->topi, r->symmetric));
    if (r->symmetric) PetscCall(PetscViewerASCIIPrintf(viewer, "outliers (largest gap): %" PetscInt_FMT "\n", r->outliers));
  }
  if (r->nbottom) {
    char label[64];

    PetscCall(PetscSNPrintf(label, sizeof(label), "bottom %" PetscInt_FMT ":", r->nbottom));
    PetscCall(ViewEigenvalues(viewer, label, r->nbottom, r->bottom, r->bottomi, r->symmetric));
  }
  if (r->hascondition) PetscCall(PetscViewerASCIIPrintf(viewer, "condition estimate |lambda|max/|lambda|min: %.6g (|lambda| from %.6g to %.6g)\n", (double)r->condition, (double)r->absmin, (double)r->absmax));
  if (r->nnegative >= 0) PetscCall(PetscViewerASCIIPrintf(viewer, "negative eigenvalues: %s%" PetscInt_FMT "%s\n", r->negative_exact ? "" : "at least ", r->nnegative, r->negative_exact ? "" : " (all of the bottom ones computed)"));
  if (r->ritz) {
    PetscReal lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL, m1 = 0;
    for (PetscInt j = 0; j < r->nritz; j++) {
      if (r->weights[j] <= 0) continue;
      lo = PetscMin(lo, r->ritz[j]);
      hi = PetscMax(hi, r->ritz[j]);
      m1 += r->weights[j] * r->ritz[j];
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "density: %" PetscInt_FMT " probes, Ritz values in [%.6g, %.6g], broadening %.3g, SLQ trace %.8g\n", r->probes, (double)lo, (double)hi, (double)r->sigma, (double)(m1 * r->N / r->probes)));
  }
  if (r->trace != PETSC_MAX_REAL) PetscCall(PetscViewerASCIIPrintf(viewer, "trace: %.10g +- %.3g\n", (double)r->trace, (double)r->trace_stderror));
  if (r->exact) {
    PetscReal t = 0;
    for (PetscInt i = 0; i < r->nexact; i++) t += r->exact[i];
    PetscCall(PetscViewerASCIIPrintf(viewer, "exact: %" PetscInt_FMT " eigenvalues in [%.10g, %.10g], trace %.10g\n", r->nexact, (double)r->exact[0], (double)r->exact[r->nexact - 1], (double)t));
  }
  if (r->interval) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "interval: %" PetscInt_FMT " eigenvalues:", r->ninterval));
    PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
    for (PetscInt i = 0; i < PetscMin(r->ninterval, 20); i++) PetscCall(PetscViewerASCIIPrintf(viewer, " %.10g", (double)r->interval[i]));
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", r->ninterval > 20 ? " ..." : ""));
    PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisViewHistory - Prints the table of the analyses run with a step:
  step, smallest and largest eigenvalue (real parts), condition estimate.

  Collective

  Input Parameters:
+ an     - the analysis
- viewer - an ASCII viewer

  Level: beginner

.seealso: `KrylearnSpectrumAnalysisRun()`, `KrylearnSpectrumAnalysisView()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisViewHistory(KrylearnSpectrumAnalysis an, PetscViewer viewer)
{
  const History *h = &an->h;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  PetscValidHeaderSpecific(viewer, PETSC_VIEWER_CLASSID, 2);
  if (!h->n) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "%6s %18s %18s %14s\n", "step", "smallest", "largest", "condition"));
  for (PetscInt i = 0; i < h->n; i++) PetscCall(PetscViewerASCIIPrintf(viewer, "%6" PetscInt_FMT " %18.10g %18.10g %14.6g\n", h->step[i], (double)h->smallest[i], (double)h->largest[i], (double)h->condition[i]));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumAnalysisGetHistory - Gets the history of the analyses run with a step.

  Not Collective

  Input Parameter:
. an - the analysis

  Output Parameters:
+ n         - number of analyses
. step      - their steps
. smallest  - smallest eigenvalue (real part; NaN when neither bottom nor exact was computed)
. largest   - largest eigenvalue (real part; NaN when neither top nor exact was computed)
- condition - condition estimate |lambda|max/|lambda|min (NaN when not computed)

  Level: intermediate

  Note:
  The arrays belong to the analysis; any output may be NULL.

.seealso: `KrylearnSpectrumAnalysisViewHistory()`, `KrylearnSpectrumAnalysisRun()`
@*/
PetscErrorCode KrylearnSpectrumAnalysisGetHistory(KrylearnSpectrumAnalysis an, PetscInt *n, const PetscInt *step[], const PetscReal *smallest[], const PetscReal *largest[], const PetscReal *condition[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(an, KRYLEARN_SPECTRUMANALYSIS_CLASSID, 1);
  if (n) *n = an->h.n;
  if (step) *step = an->h.step;
  if (smallest) *smallest = an->h.smallest;
  if (largest) *largest = an->h.largest;
  if (condition) *condition = an->h.condition;
  PetscFunctionReturn(0);
}
