/* PCSPECTRUM: a wrapper preconditioner that analyses the spectrum of the operator (or of
   the preconditioned operator M^{-1}A) at every n-th set-up, then applies an inner PC
   (prefix <prefix>spectrum_, default none) unchanged, so the solve is the one the user
   would have had. The analyses are those of bin/krylearn-spectrum, prefix <prefix>pc_spectrum_. */
#include <petsc/private/pcimpl.h>
#include <krylearnspectrum.h>
#include "spectrum.h"

const char *const PCSpectrumOperators[] = {"operator", "preconditioned", "PCSpectrumOperator", "PC_SPECTRUM_", NULL};

typedef struct {
  PC                       inner;
  KrylearnSpectrumAnalysis an;
  PCSpectrumOperator       op;
  PetscInt                 every, setups, analysed;
  Mat                      MinvA; /* the preconditioned operator, a shell */
  Vec                      work;  /* A x inside it */
} PC_Spectrum;

static PetscErrorCode GetInner(PC pc, PC *inner)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;
  const char  *prefix;

  PetscFunctionBegin;
  if (!sp->inner) {
    PetscCall(PCCreate(PetscObjectComm((PetscObject)pc), &sp->inner));
    PetscCall(PetscObjectIncrementTabLevel((PetscObject)sp->inner, (PetscObject)pc, 1));
    PetscCall(PCGetOptionsPrefix(pc, &prefix));
    PetscCall(PCSetOptionsPrefix(sp->inner, prefix));
    PetscCall(PCAppendOptionsPrefix(sp->inner, "spectrum_"));
    PetscCall(PCSetType(sp->inner, PCNONE));
  }
  *inner = sp->inner;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetAnalysis(PC pc, KrylearnSpectrumAnalysis *an)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;
  const char  *prefix;

  PetscFunctionBegin;
  if (!sp->an) {
    PetscCall(KrylearnSpectrumAnalysisCreate(PetscObjectComm((PetscObject)pc), &sp->an));
    PetscCall(PCGetOptionsPrefix(pc, &prefix));
    PetscCall(KrylearnSpectrumAnalysisSetOptionsPrefix(sp->an, prefix));
    PetscCall(KrylearnSpectrumAnalysisAppendOptionsPrefix(sp->an, "pc_spectrum_"));
    PetscCall(KrylearnSpectrumAnalysisSetExtremes(sp->an, 1, 1));
    PetscCall(KrylearnSpectrumAnalysisSetCondition(sp->an, PETSC_TRUE));
  }
  *an = sp->an;
  PetscFunctionReturn(0);
}

static PetscErrorCode MatMult_Preconditioned(Mat S, Vec x, Vec y)
{
  PC           pc;
  PC_Spectrum *sp;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(S, &pc));
  sp = (PC_Spectrum *)pc->data;
  PetscCall(MatMult(pc->mat, x, sp->work));
  PetscCall(PCApply(sp->inner, sp->work, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode Analyse(PC pc)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;
  PCType       type;
  PetscInt     m, n, M, N;
  char         name[256];
  Mat          A = pc->mat;

  PetscFunctionBegin;
  if (sp->op == PC_SPECTRUM_PRECONDITIONED) {
    PetscCall(PCGetType(sp->inner, &type));
    if (!sp->MinvA) {
      PetscCall(MatGetLocalSize(pc->mat, &m, &n));
      PetscCall(MatGetSize(pc->mat, &M, &N));
      PetscCall(MatCreateShell(PetscObjectComm((PetscObject)pc), m, n, M, N, pc, &sp->MinvA));
      PetscCall(MatShellSetOperation(sp->MinvA, MATOP_MULT, (void (*)(void))MatMult_Preconditioned));
      PetscCall(MatCreateVecs(pc->mat, NULL, &sp->work));
    }
    A = sp->MinvA;
    PetscCall(PetscSNPrintf(name, sizeof(name), "M^{-1}A (inner PC %s) at set-up %" PetscInt_FMT, type, sp->setups));
  } else PetscCall(PetscSNPrintf(name, sizeof(name), "operator A at set-up %" PetscInt_FMT, sp->setups));
  PetscCall(KrylearnSpectrumAnalysisRun(sp->an, A, name, sp->setups));
  PetscCall(KrylearnSpectrumAnalysisView(sp->an, PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)pc))));
  sp->analysed++;
  PetscFunctionReturn(0);
}

/* A failure of the inner PC is the wrapper's, as the Krylov method checks it there */
static PetscErrorCode CopyFailedReason(PC pc)
{
  PCFailedReason reason;

  PetscFunctionBegin;
  PetscCall(PCGetFailedReason(((PC_Spectrum *)pc->data)->inner, &reason));
  PetscCall(PCSetFailedReason(pc, reason));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApply_Spectrum(PC pc, Vec x, Vec y)
{
  PetscFunctionBegin;
  PetscCall(PCApply(((PC_Spectrum *)pc->data)->inner, x, y));
  PetscCall(CopyFailedReason(pc));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApplyTranspose_Spectrum(PC pc, Vec x, Vec y)
{
  PetscFunctionBegin;
  PetscCall(PCApplyTranspose(((PC_Spectrum *)pc->data)->inner, x, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApplySymmetricLeft_Spectrum(PC pc, Vec x, Vec y)
{
  PetscFunctionBegin;
  PetscCall(PCApplySymmetricLeft(((PC_Spectrum *)pc->data)->inner, x, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApplySymmetricRight_Spectrum(PC pc, Vec x, Vec y)
{
  PetscFunctionBegin;
  PetscCall(PCApplySymmetricRight(((PC_Spectrum *)pc->data)->inner, x, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApplyRichardson_Spectrum(PC pc, Vec b, Vec x, Vec w, PetscReal rtol, PetscReal abstol, PetscReal dtol, PetscInt its, PetscBool guesszero, PetscInt *outits, PCRichardsonConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscCall(PCApplyRichardson(((PC_Spectrum *)pc->data)->inner, b, x, w, rtol, abstol, dtol, its, guesszero, outits, reason));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCPreSolve_Spectrum(PC pc, KSP ksp, Vec b, Vec x)
{
  PetscFunctionBegin;
  PetscCall(PCPreSolve(((PC_Spectrum *)pc->data)->inner, ksp));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCPostSolve_Spectrum(PC pc, KSP ksp, Vec b, Vec x)
{
  PetscFunctionBegin;
  PetscCall(PCPostSolve(((PC_Spectrum *)pc->data)->inner, ksp));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetUpOnBlocks_Spectrum(PC pc)
{
  PetscFunctionBegin;
  PetscCall(PCSetUpOnBlocks(((PC_Spectrum *)pc->data)->inner));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetUp_Spectrum(PC pc)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;
  PC           inner;
  PetscBool    flg;

  PetscFunctionBegin;
  PetscCall(GetInner(pc, &inner));
  PetscCall(GetAnalysis(pc, &sp->an));
  PetscCall(PCSetOperators(inner, pc->mat, pc->pmat));
  if (pc->dm) PetscCall(PCSetDM(inner, pc->dm));
  PetscCall(PCGetUseAmat(pc, &flg));
  PetscCall(PCSetUseAmat(inner, flg));
  PetscCall(PCSetUp(inner));
  PetscCall(CopyFailedReason(pc));
  /* the wrapper offers exactly the operations of the inner PC, so that Krylov methods take the same paths */
  pc->ops->applytranspose      = inner->ops->applytranspose ? PCApplyTranspose_Spectrum : NULL;
  pc->ops->applysymmetricleft  = inner->ops->applysymmetricleft ? PCApplySymmetricLeft_Spectrum : NULL;
  pc->ops->applysymmetricright = inner->ops->applysymmetricright ? PCApplySymmetricRight_Spectrum : NULL;
  pc->ops->applyrichardson     = inner->ops->applyrichardson ? PCApplyRichardson_Spectrum : NULL;
  pc->ops->presolve            = inner->ops->presolve ? PCPreSolve_Spectrum : NULL;
  pc->ops->postsolve           = inner->ops->postsolve ? PCPostSolve_Spectrum : NULL;
  if (sp->setups % sp->every == 0) PetscCall(Analyse(pc));
  sp->setups++;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCReset_Spectrum(PC pc)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;

  PetscFunctionBegin;
  if (sp->inner) PetscCall(PCReset(sp->inner));
  PetscCall(MatDestroy(&sp->MinvA));
  PetscCall(VecDestroy(&sp->work));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDestroy_Spectrum(PC pc)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;

  PetscFunctionBegin;
  PetscCall(PCReset_Spectrum(pc));
  PetscCall(PCDestroy(&sp->inner));
  PetscCall(KrylearnSpectrumAnalysisDestroy(&sp->an));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumSetEvery_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetEvery_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumSetOperator_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetOperator_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetInnerPC_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetAnalysis_C", NULL));
  PetscCall(PetscFree(pc->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCView_Spectrum(PC pc, PetscViewer viewer)
{
  PC_Spectrum *sp = (PC_Spectrum *)pc->data;
  PetscBool    isascii;
  PC           inner;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  analyses of the %s at every %" PetscInt_FMT "-th set-up: %" PetscInt_FMT " of %" PetscInt_FMT " set-ups analysed\n", sp->op == PC_SPECTRUM_OPERATOR ? "operator" : "preconditioned operator", sp->every, sp->analysed, sp->setups));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  if (sp->an) {
    PetscCall(KrylearnSpectrumAnalysisView(sp->an, viewer));
    PetscCall(KrylearnSpectrumAnalysisViewHistory(sp->an, viewer));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "inner preconditioner:\n"));
  PetscCall(GetInner(pc, &inner));
  PetscCall(PCView(inner, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetFromOptions_Spectrum(PC pc, PetscOptionItems *PetscOptionsObject)
{
  PC_Spectrum             *sp = (PC_Spectrum *)pc->data;
  PetscInt                 every;
  PCSpectrumOperator       op;
  PetscBool                set;
  PC                       inner;
  KrylearnSpectrumAnalysis an;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "PC spectrum (analyse, then apply the inner PC) options");
  PetscCall(PetscOptionsInt("-pc_spectrum_every", "Analyse at every n-th set-up (the first one included)", "PCSpectrumSetEvery", sp->every, &every, &set));
  if (set) PetscCall(PCSpectrumSetEvery(pc, every));
  PetscCall(PetscOptionsEnum("-pc_spectrum_operator", "Operator analysed: A or the preconditioned M^{-1}A", "PCSpectrumSetOperator", PCSpectrumOperators, (PetscEnum)sp->op, (PetscEnum *)&op, &set));
  if (set) PetscCall(PCSpectrumSetOperator(pc, op));
  PetscOptionsHeadEnd();
  PetscCall(GetAnalysis(pc, &an));
  PetscCall(KrylearnSpectrumAnalysisSetFromOptions(an));
  PetscCall(GetInner(pc, &inner));
  PetscCall(PCSetFromOptions(inner));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumSetEvery_Spectrum(PC pc, PetscInt every)
{
  PetscFunctionBegin;
  PetscCheck(every >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "-pc_spectrum_every %" PetscInt_FMT ": must be at least 1", every);
  ((PC_Spectrum *)pc->data)->every = every;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumGetEvery_Spectrum(PC pc, PetscInt *every)
{
  PetscFunctionBegin;
  *every = ((PC_Spectrum *)pc->data)->every;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumSetOperator_Spectrum(PC pc, PCSpectrumOperator op)
{
  PetscFunctionBegin;
  ((PC_Spectrum *)pc->data)->op = op;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumGetOperator_Spectrum(PC pc, PCSpectrumOperator *op)
{
  PetscFunctionBegin;
  *op = ((PC_Spectrum *)pc->data)->op;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumGetInnerPC_Spectrum(PC pc, PC *inner)
{
  PetscFunctionBegin;
  PetscCall(GetInner(pc, inner));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSpectrumGetAnalysis_Spectrum(PC pc, KrylearnSpectrumAnalysis *an)
{
  PetscFunctionBegin;
  PetscCall(GetAnalysis(pc, an));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumSetEvery - Sets how often `PCSPECTRUM` analyses: at the first set-up and every n-th after it.

  Logically Collective

  Input Parameters:
+ pc    - the preconditioner
- every - n >= 1

  Options Database Key:
. -pc_spectrum_every n - analyse at set-ups 0, n, 2n, ...

  Level: intermediate

.seealso: `PCSPECTRUM`, `PCSpectrumGetEvery()`
@*/
PetscErrorCode PCSpectrumSetEvery(PC pc, PetscInt every)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidLogicalCollectiveInt(pc, every, 2);
  PetscTryMethod(pc, "PCSpectrumSetEvery_C", (PC, PetscInt), (pc, every));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumGetEvery - Gets how often `PCSPECTRUM` analyses.

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. every - every n-th set-up is analysed

  Level: intermediate

.seealso: `PCSPECTRUM`, `PCSpectrumSetEvery()`
@*/
PetscErrorCode PCSpectrumGetEvery(PC pc, PetscInt *every)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidIntPointer(every, 2);
  PetscUseMethod(pc, "PCSpectrumGetEvery_C", (PC, PetscInt *), (pc, every));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumSetOperator - Sets what `PCSPECTRUM` analyses: the operator A or the
  preconditioned operator M^{-1}A with the inner preconditioner M.

  Logically Collective

  Input Parameters:
+ pc - the preconditioner
- op - `PC_SPECTRUM_OPERATOR` or `PC_SPECTRUM_PRECONDITIONED`

  Options Database Key:
. -pc_spectrum_operator <operator,preconditioned> - the operator analysed

  Level: intermediate

  Note:
  M^{-1}A is not symmetric in general, so it gets the non-Hermitian eigensolver unless
  declared symmetric with -pc_spectrum_symmetric.

.seealso: `PCSPECTRUM`, `PCSpectrumGetOperator()`
@*/
PetscErrorCode PCSpectrumSetOperator(PC pc, PCSpectrumOperator op)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(pc, op, 2);
  PetscTryMethod(pc, "PCSpectrumSetOperator_C", (PC, PCSpectrumOperator), (pc, op));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumGetOperator - Gets what `PCSPECTRUM` analyses.

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. op - `PC_SPECTRUM_OPERATOR` or `PC_SPECTRUM_PRECONDITIONED`

  Level: intermediate

.seealso: `PCSPECTRUM`, `PCSpectrumSetOperator()`
@*/
PetscErrorCode PCSpectrumGetOperator(PC pc, PCSpectrumOperator *op)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(op, 2);
  PetscUseMethod(pc, "PCSpectrumGetOperator_C", (PC, PCSpectrumOperator *), (pc, op));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumGetInnerPC - Gets the preconditioner `PCSPECTRUM` applies (options prefix
  <prefix>spectrum_, type `PCNONE` unless set).

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. inner - the inner preconditioner

  Level: intermediate

.seealso: `PCSPECTRUM`, `PCSpectrumGetAnalysis()`
@*/
PetscErrorCode PCSpectrumGetInnerPC(PC pc, PC *inner)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(inner, 2);
  PetscUseMethod(pc, "PCSpectrumGetInnerPC_C", (PC, PC *), (pc, inner));
  PetscFunctionReturn(0);
}

/*@
  PCSpectrumGetAnalysis - Gets the spectrum analysis `PCSPECTRUM` runs (options prefix
  <prefix>pc_spectrum_; by default top 1, bottom 1 and the condition estimate).

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. an - the analysis

  Level: intermediate

.seealso: `PCSPECTRUM`, `KrylearnSpectrumAnalysis`
@*/
PetscErrorCode PCSpectrumGetAnalysis(PC pc, KrylearnSpectrumAnalysis *an)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(an, 2);
  PetscUseMethod(pc, "PCSpectrumGetAnalysis_C", (PC, KrylearnSpectrumAnalysis *), (pc, an));
  PetscFunctionReturn(0);
}

/*MC
  PCSPECTRUM - "spectrum": analyses the spectrum of the operator, or of the preconditioned
  operator M^{-1}A, at every n-th set-up (extreme eigenvalues, condition estimate, count of
  negative eigenvalues, optionally density, trace), prints a one-screen summary, writes HDF5
  and a PNG plot, then applies the inner preconditioner unchanged.

  Options Database Keys:
+ -pc_spectrum_every n                                  - analyse at set-ups 0, n, 2n, ...
. -pc_spectrum_operator <operator,preconditioned>       - what to analyse
. -pc_spectrum_top k, -pc_spectrum_bottom k             - extreme eigenvalues (default 1 and 1)
. -pc_spectrum_density, -pc_spectrum_trace, ...         - every analysis option of bin/krylearn-spectrum with the prefix pc_spectrum_
. -pc_spectrum_output file.h5, -pc_spectrum_plot f.png  - output
- -spectrum_pc_type type                                - the inner preconditioner (default none)

  Level: beginner

  Note:
  Under TAO's Newton solvers the options carry the KSP's prefix:
  -tao_nls_pc_type spectrum -tao_nls_spectrum_pc_type jacobi -tao_nls_pc_spectrum_top 3.

.seealso: `PCSpectrumSetEvery()`, `PCSpectrumSetOperator()`, `PCSpectrumGetInnerPC()`, `PCSpectrumGetAnalysis()`, `KrylearnSpectrumAnalysis`
M*/
PETSC_INTERN PetscErrorCode PCCreate_Spectrum(PC pc)
{
  PC_Spectrum *sp;

  PetscFunctionBegin;
  PetscCall(PetscNew(&sp));
  sp->every               = 1;
  pc->data                = (void *)sp;
  pc->ops->apply          = PCApply_Spectrum;
  pc->ops->setup          = PCSetUp_Spectrum;
  pc->ops->setuponblocks  = PCSetUpOnBlocks_Spectrum;
  pc->ops->reset          = PCReset_Spectrum;
  pc->ops->destroy        = PCDestroy_Spectrum;
  pc->ops->view           = PCView_Spectrum;
  pc->ops->setfromoptions = PCSetFromOptions_Spectrum;
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumSetEvery_C", PCSpectrumSetEvery_Spectrum));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetEvery_C", PCSpectrumGetEvery_Spectrum));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumSetOperator_C", PCSpectrumSetOperator_Spectrum));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetOperator_C", PCSpectrumGetOperator_Spectrum));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetInnerPC_C", PCSpectrumGetInnerPC_Spectrum));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCSpectrumGetAnalysis_C", PCSpectrumGetAnalysis_Spectrum));
  PetscFunctionReturn(0);
}
