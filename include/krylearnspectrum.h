/* Krylearn spectrum analyses: curvature operators of learning problems as shell
   matrices (Hessian, Gauss-Newton, empirical Fisher of multi-layer perceptron
   losses) and SLEPc-based analyses of their spectra. */
#ifndef KRYLEARNSPECTRUM_H
#define KRYLEARNSPECTRUM_H

#include <slepceps.h>

/*S
  KrylearnMLP - a multi-layer perceptron loss on a data set sharded over the ranks of a
  communicator, loaded from the Krylearn HDF5 model and data files (docs/spectrum.md);
  a PetscObject (references counted by PETSc, options under its prefix)

  Level: beginner
S*/
typedef struct _p_KrylearnMLP *KrylearnMLP;

/*E
  KrylearnCurvature - which curvature matrix of the loss a shell operator applies

  Level: beginner
E*/
typedef enum {
  KRYLEARN_CURVATURE_HESSIAN,
  KRYLEARN_CURVATURE_GGN,
  KRYLEARN_CURVATURE_FISHER
} KrylearnCurvature;
PETSC_EXTERN const char *const KrylearnCurvatures[];

/*E
  KrylearnTraceType - stochastic trace estimator

  Level: beginner
E*/
typedef enum {
  KRYLEARN_TRACE_HUTCHINSON,
  KRYLEARN_TRACE_HUTCHPP
} KrylearnTraceType;
PETSC_EXTERN const char *const KrylearnTraceTypes[];

PETSC_EXTERN PetscLogEvent KRYLEARN_MLPEvaluate, KRYLEARN_MLPProduct, KRYLEARN_SpectrumEPS, KRYLEARN_SpectrumSLQ, KRYLEARN_SpectrumTrace, KRYLEARN_SpectrumExact;

PETSC_EXTERN PetscErrorCode KrylearnSpectrumInitializePackage(void);

PETSC_EXTERN PetscClassId KRYLEARNMLP_CLASSID;

PETSC_EXTERN PetscErrorCode KrylearnMLPLoad(MPI_Comm, const char[], const char[], KrylearnMLP *);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetOptionsPrefix(KrylearnMLP, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPAppendOptionsPrefix(KrylearnMLP, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetOptionsPrefix(KrylearnMLP, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetFromOptions(KrylearnMLP);
PETSC_EXTERN PetscErrorCode KrylearnMLPSetBlockSize(KrylearnMLP, PetscInt);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetBlockSize(KrylearnMLP, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnMLPView(KrylearnMLP, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetSizes(KrylearnMLP, PetscInt *, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnMLPGetLoss(KrylearnMLP, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnMLPCreateOperator(KrylearnMLP, KrylearnCurvature, Mat *);
PETSC_EXTERN PetscErrorCode KrylearnMLPDestroy(KrylearnMLP *);

PETSC_EXTERN PetscErrorCode KrylearnSinkhornDualHessian(Mat, PetscReal, Mat *);

PETSC_EXTERN PetscErrorCode KrylearnSpectrumRademacher(PetscRandom, Vec);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumExtremes(Mat, PetscInt, EPSWhich, const char[], PetscReal *, PetscReal[], Vec[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumExtremesNonHermitian(Mat, PetscInt, EPSWhich, const char[], PetscReal *, PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumInterval(Mat, PetscReal, PetscReal, const char[], PetscInt *, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumSLQ(Mat, PetscInt, PetscInt, PetscRandom, PetscInt *, PetscReal **, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumDensity(PetscInt, const PetscReal[], const PetscReal[], PetscInt, PetscReal, PetscInt, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumTrace(Mat, KrylearnTraceType, PetscInt, PetscRandom, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumExact(Mat, PetscReal **);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumOutlierCount(PetscInt, const PetscReal[], PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumPlot(MPI_Comm, const char[], const char[]);

/*S
  KrylearnSpectrumAnalysis - the analyses of one operator's spectrum (extreme eigenvalues,
  condition estimate, SLQ density, trace, exact spectrum, eigenvalues in an interval) with
  their options, one-screen summary, HDF5 output and plot; used by bin/krylearn-spectrum,
  -pc_type spectrum and -snes_spectrum

  Level: beginner
S*/
typedef struct _p_KrylearnSpectrumAnalysis *KrylearnSpectrumAnalysis;
PETSC_EXTERN PetscClassId                   KRYLEARN_SPECTRUMANALYSIS_CLASSID;

PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisCreate(MPI_Comm, KrylearnSpectrumAnalysis *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisDestroy(KrylearnSpectrumAnalysis *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetOptionsPrefix(KrylearnSpectrumAnalysis, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisAppendOptionsPrefix(KrylearnSpectrumAnalysis, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetOptionsPrefix(KrylearnSpectrumAnalysis, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetFromOptions(KrylearnSpectrumAnalysis);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetExtremes(KrylearnSpectrumAnalysis, PetscInt, PetscInt);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetExtremes(KrylearnSpectrumAnalysis, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetCondition(KrylearnSpectrumAnalysis, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetCondition(KrylearnSpectrumAnalysis, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetDensity(KrylearnSpectrumAnalysis, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetDensity(KrylearnSpectrumAnalysis, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetTrace(KrylearnSpectrumAnalysis, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetTrace(KrylearnSpectrumAnalysis, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetExact(KrylearnSpectrumAnalysis, PetscBool);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetExact(KrylearnSpectrumAnalysis, PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetInterval(KrylearnSpectrumAnalysis, PetscReal, PetscReal);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetInterval(KrylearnSpectrumAnalysis, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetSymmetric(KrylearnSpectrumAnalysis, PetscBool3);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetSymmetric(KrylearnSpectrumAnalysis, PetscBool3 *);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetOutput(KrylearnSpectrumAnalysis, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetOutput(KrylearnSpectrumAnalysis, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisSetPlot(KrylearnSpectrumAnalysis, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetPlot(KrylearnSpectrumAnalysis, const char *[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisRun(KrylearnSpectrumAnalysis, Mat, const char[], PetscInt);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisView(KrylearnSpectrumAnalysis, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisViewHistory(KrylearnSpectrumAnalysis, PetscViewer);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisGetHistory(KrylearnSpectrumAnalysis, PetscInt *, const PetscInt *[], const PetscReal *[], const PetscReal *[], const PetscReal *[]);
PETSC_EXTERN PetscErrorCode KrylearnSpectrumAnalysisWrite(KrylearnSpectrumAnalysis, const char[], const char[], PetscBool);

/*J
  PCSPECTRUM - "spectrum": a wrapper preconditioner that analyses the spectrum of the
  operator (or of the preconditioned operator) at set-up, then applies an inner PC

  Level: beginner
J*/
#define PCSPECTRUM "spectrum"

/*E
  PCSpectrumOperator - what -pc_type spectrum analyses

  Values:
+ PC_SPECTRUM_OPERATOR       - the operator A of the solve
- PC_SPECTRUM_PRECONDITIONED - M^{-1} A, M the inner preconditioner

  Level: beginner
E*/
typedef enum {
  PC_SPECTRUM_OPERATOR,
  PC_SPECTRUM_PRECONDITIONED
} PCSpectrumOperator;
PETSC_EXTERN const char *const PCSpectrumOperators[];

PETSC_EXTERN PetscErrorCode PCSpectrumSetEvery(PC, PetscInt);
PETSC_EXTERN PetscErrorCode PCSpectrumGetEvery(PC, PetscInt *);
PETSC_EXTERN PetscErrorCode PCSpectrumSetOperator(PC, PCSpectrumOperator);
PETSC_EXTERN PetscErrorCode PCSpectrumGetOperator(PC, PCSpectrumOperator *);
PETSC_EXTERN PetscErrorCode PCSpectrumGetInnerPC(PC, PC *);
PETSC_EXTERN PetscErrorCode PCSpectrumGetAnalysis(PC, KrylearnSpectrumAnalysis *);

#endif
