/* -snes_spectrum: an options checker (SNESAddOptionsChecker) that gives every SNES a monitor
   analysing the Jacobian at every n-th Newton iterate with the analyses of
   bin/krylearn-spectrum (prefix <snes prefix>snes_spectrum_), and prints the history of the
   extreme eigenvalues and condition estimates along the Newton path at the end of each solve.

   The monitor of iteration k runs after the k-th step, whose linear system used the Jacobian
   at iterate k-1: that matrix is analysed as it is, so the solve is not changed (no extra
   Jacobian evaluation, lagged Jacobians stay as SNES left them). */
#include <petsc/private/petscimpl.h>
#include <krylearnspectrum.h>
#include "spectrum.h"

typedef struct {
  KrylearnSpectrumAnalysis an;
  PetscInt                 every;
  PetscObjectState         start; /* the Jacobian's state when the solve began */
} SNESSpectrum;

static PetscErrorCode SNESSpectrumDestroy(void *ctx)
{
  SNESSpectrum *s = (SNESSpectrum *)ctx;

  PetscFunctionBegin;
  PetscCall(KrylearnSpectrumAnalysisDestroy(&s->an));
  PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

static PetscErrorCode SNESSpectrumMonitor(SNES snes, PetscInt it, PetscReal fnorm, void *ctx)
{
  SNESSpectrum    *s       = (SNESSpectrum *)ctx;
  const PetscInt   iterate = it - 1;
  Mat              J;
  PetscBool        assembled;
  PetscObjectState state;
  const char      *prefix;
  char             name[256];

  PetscFunctionBegin;
  PetscCall(SNESGetJacobian(snes, &J, NULL, NULL, NULL));
  if (!J) PetscFunctionReturn(0);
  PetscCall(PetscObjectStateGet((PetscObject)J, &state));
  if (it == 0) s->start = state;
  if (it < 1 || iterate % s->every) PetscFunctionReturn(0);
  PetscCall(MatAssembled(J, &assembled));
  /* methods without Jacobians (nrichardson, ngmres, ...) leave it as it was at the start */
  if (!assembled || state == s->start) {
    PetscCall(PetscInfo(snes, "No Jacobian computed in this solve before iterate %" PetscInt_FMT ": nothing to analyse\n", it));
    PetscFunctionReturn(0);
  }
  PetscCall(SNESGetOptionsPrefix(snes, &prefix));
  PetscCall(PetscSNPrintf(name, sizeof(name), "Jacobian at Newton iterate %" PetscInt_FMT "%s%s%s", iterate, prefix ? " (SNES " : "", prefix ? prefix : "", prefix ? ")" : ""));
  PetscCall(KrylearnSpectrumAnalysisRun(s->an, J, name, iterate));
  PetscCall(KrylearnSpectrumAnalysisView(s->an, PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)snes))));
  PetscFunctionReturn(0);
}

static PetscErrorCode SNESSpectrumViewHistory(SNES snes, void *ctx)
{
  SNESSpectrum *s      = (SNESSpectrum *)ctx;
  PetscViewer   viewer = PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)snes));
  const char   *prefix;
  PetscInt      n;

  PetscFunctionBegin;
  PetscCall(SNESGetOptionsPrefix(snes, &prefix));
  PetscCall(KrylearnSpectrumAnalysisGetHistory(s->an, &n, NULL, NULL, NULL, NULL));
  PetscCall(PetscViewerASCIIPrintf(viewer, "Jacobian spectrum along the Newton path%s%s%s:%s\n", prefix ? " (SNES " : "", prefix ? prefix : "", prefix ? ")" : "", n ? "" : " no Jacobian was computed, nothing analysed"));
  PetscCall(KrylearnSpectrumAnalysisViewHistory(s->an, viewer));
  PetscFunctionReturn(0);
}

/*
  SNESSpectrumCheckOptions - the options checker: with -<prefix>snes_spectrum, adds (once per
  SNES) the monitor and the history view, and reads the analysis options
  -<prefix>snes_spectrum_top, _bottom, _density, _every, _output, _plot, ... Such options are
  read outside SNESSetFromOptions' own list, so PETSc's -help does not show them (docs/spectrum.md does).
*/
PetscErrorCode SNESSpectrumCheckOptions(SNES snes)
{
  const char    *prefix;
  PetscBool      on = PETSC_FALSE, set;
  PetscInt       every;
  SNESSpectrum  *s;
  char           sub[256];
  PetscContainer container;
  PetscOptions   options;

  PetscFunctionBegin;
  PetscCall(SNESGetOptionsPrefix(snes, &prefix));
  PetscCall(PetscObjectGetOptions((PetscObject)snes, &options));
  PetscCall(PetscOptionsGetBool(options, prefix, "-snes_spectrum", &on, NULL));
  if (!on) PetscFunctionReturn(0);
  PetscCall(PetscObjectQuery((PetscObject)snes, "KrylearnSNESSpectrum", (PetscObject *)&container));
  if (container) PetscCall(PetscContainerGetPointer(container, (void **)&s));
  else {
    PetscCall(PetscNew(&s));
    s->every = 1;
    PetscCall(KrylearnSpectrumAnalysisCreate(PetscObjectComm((PetscObject)snes), &s->an));
    PetscCall(PetscSNPrintf(sub, sizeof(sub), "%ssnes_spectrum_", prefix ? prefix : ""));
    PetscCall(KrylearnSpectrumAnalysisSetOptionsPrefix(s->an, sub));
    PetscCall(KrylearnSpectrumAnalysisSetExtremes(s->an, 1, 1));
    PetscCall(KrylearnSpectrumAnalysisSetCondition(s->an, PETSC_TRUE));
    /* the container, composed with the SNES, owns s: it outlives the monitor and the view,
       which SNESDestroy() cancels first, and a later options check finds it */
    PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)snes), &container));
    PetscCall(PetscContainerSetPointer(container, s));
    PetscCall(PetscContainerSetUserDestroy(container, SNESSpectrumDestroy));
    PetscCall(PetscObjectCompose((PetscObject)snes, "KrylearnSNESSpectrum", (PetscObject)container));
    PetscCall(PetscContainerDestroy(&container));
    PetscCall(SNESMonitorSet(snes, SNESSpectrumMonitor, s, NULL));
    PetscCall(SNESConvergedReasonViewSet(snes, SNESSpectrumViewHistory, s, NULL));
  }
  PetscCall(PetscOptionsGetInt(options, prefix, "-snes_spectrum_every", &every, &set));
  if (set) {
    PetscCheck(every >= 1, PetscObjectComm((PetscObject)snes), PETSC_ERR_ARG_OUTOFRANGE, "-%ssnes_spectrum_every %" PetscInt_FMT ": must be at least 1", prefix ? prefix : "", every);
    s->every = every;
  }
  PetscCall(KrylearnSpectrumAnalysisSetFromOptions(s->an));
  PetscFunctionReturn(0);
}
