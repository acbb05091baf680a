/* Extreme eigenpairs and eigenvalues in an interval of a symmetric operator with SLEPc. */
#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h> /* PetscValid* checks */

/* Residual norms relative to the spectral radius: the small eigenvalues of a Hessian
   are as well determined as its largest ones, not to a relative accuracy of their own. */
static PetscErrorCode ConvergedRadius(EPS eps, PetscScalar re, PetscScalar im, PetscReal res, PetscReal *errest, void *ctx)
{
  PetscFunctionBegin;
  *errest = res / *(PetscReal *)ctx;
  PetscFunctionReturn(0);
}

/* Spectral radius to three digits. */
static PetscErrorCode SpectralRadius(Mat A, EPSProblemType type, PetscReal *rho)
{
  EPS         eps;
  PetscInt    nconv;
  PetscScalar re, im;

  PetscFunctionBegin;
  PetscCall(EPSCreate(PetscObjectComm((PetscObject)A), &eps));
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, type));
  PetscCall(EPSSetWhichEigenpairs(eps, EPS_LARGEST_MAGNITUDE));
  PetscCall(EPSSetTolerances(eps, 1e-3, 1000));
  PetscCall(EPSSolve(eps));
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCheck(nconv >= 1, PetscObjectComm((PetscObject)A), PETSC_ERR_NOT_CONVERGED, "The spectral radius estimate did not converge");
  PetscCall(EPSGetEigenvalue(eps, 0, &re, &im));
  *rho = PetscMax(PetscHypotReal(re, im), PETSC_SMALL);
  PetscCall(EPSDestroy(&eps));
  PetscFunctionReturn(0);
}

/* The k eigenvalues of A at the end which of its spectrum, problem type type, converged to
   tol times the spectral radius; eigenvectors into X when given (Hermitian problems). */
static PetscErrorCode Extremes(Mat A, PetscInt k, EPSWhich which, EPSProblemType type, const char prefix[], PetscReal *rho, PetscReal eigr[], PetscReal eigi[], Vec X[])
{
  MPI_Comm comm = PetscObjectComm((PetscObject)A);
  EPS      eps;
  PetscInt N, nconv;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCheck(k >= 1 && k <= N, comm, PETSC_ERR_ARG_OUTOFRANGE, "Asked for %" PetscInt_FMT " eigenpairs of an operator of dimension %" PetscInt_FMT, k, N);
  PetscCall(PetscLogEventBegin(KRYLEARN_SpectrumEPS, A, 0, 0, 0));
  if (*rho == 0) PetscCall(SpectralRadius(A, type, rho));
  PetscCall(EPSCreate(comm, &eps));
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, type));
  PetscCall(EPSSetWhichEigenpairs(eps, which));
  PetscCall(EPSSetConvergenceTestFunction(eps, ConvergedRadius, rho, NULL));
  PetscCall(EPSSetDimensions(eps, k, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(EPSSetTolerances(eps, 1e-10, 1000));
  PetscCall(EPSSetOptionsPrefix(eps, prefix));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(EPSSolve(eps));
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCheck(nconv >= k, comm, PETSC_ERR_NOT_CONVERGED, "Only %" PetscInt_FMT " of the %" PetscInt_FMT " requested eigenpairs converged (raise -%seps_max_it or -%seps_ncv)", nconv, k, prefix ? prefix : "", prefix ? prefix : "");
  for (PetscInt i = 0; i < k; i++) {
    PetscScalar im;

    PetscCall(EPSGetEigenpair(eps, i, &eigr[i], &im, X ? X[i] : NULL, NULL));
    if (eigi) eigi[i] = im;
  }
  PetscCall(EPSDestroy(&eps));
  PetscCall(PetscLogEventEnd(KRYLEARN_SpectrumEPS, A, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumExtremes - Computes the largest or smallest eigenpairs of a symmetric
  operator with SLEPc (Krylov-Schur for `EPS_HEP` by default).

  Collective

  Input Parameters:
+ A      - symmetric matrix (only `MatMult()` is needed)
. k      - number of eigenpairs
. which  - `EPS_LARGEST_REAL`, `EPS_SMALLEST_REAL`, `EPS_LARGEST_MAGNITUDE` or `EPS_SMALLEST_MAGNITUDE`
. prefix - options prefix of the eigensolver (for example "top_"), or NULL
- rho    - the spectral radius of A, or 0 to have it estimated (to three digits) and returned

  Output Parameters:
+ eig - the k eigenvalues, largest (or smallest) first
- X   - k vectors (created by the caller) for the eigenvectors, or NULL

  Level: intermediate

  Note:
  An eigenpair has converged when its residual norm is below the tolerance (default
  1e-10, `-<prefix>eps_tol`) times the spectral radius, so that eigenvalues near zero are
  as accurate in absolute terms as the largest ones.

.seealso: `KrylearnSpectrumExtremesNonHermitian()`, `KrylearnSpectrumInterval()`, `KrylearnSpectrumExact()`
@*/
PetscErrorCode KrylearnSpectrumExtremes(Mat A, PetscInt k, EPSWhich which, const char prefix[], PetscReal *rho, PetscReal eig[], Vec X[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidLogicalCollectiveInt(A, k, 2);
  PetscValidRealPointer(rho, 5);
  PetscCall(Extremes(A, k, which, EPS_HEP, prefix, rho, eig, NULL, X));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumExtremesNonHermitian - Computes extreme eigenvalues of a general square
  operator with SLEPc (Krylov-Schur for `EPS_NHEP` by default).

  Collective

  Input Parameters:
+ A      - square matrix (only `MatMult()` is needed)
. k      - number of eigenvalues
. which  - `EPS_LARGEST_REAL`, `EPS_SMALLEST_REAL`, `EPS_LARGEST_MAGNITUDE` or `EPS_SMALLEST_MAGNITUDE`
. prefix - options prefix of the eigensolver, or NULL
- rho    - the spectral radius of A, or 0 to have it estimated (to three digits) and returned

  Output Parameters:
+ eigr - real parts of the k eigenvalues in the order of which
- eigi - their imaginary parts

  Level: intermediate

  Note:
  Convergence is relative to the spectral radius as in `KrylearnSpectrumExtremes()`.

.seealso: `KrylearnSpectrumExtremes()`
@*/
PetscErrorCode KrylearnSpectrumExtremesNonHermitian(Mat A, PetscInt k, EPSWhich which, const char prefix[], PetscReal *rho, PetscReal eigr[], PetscReal eigi[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidLogicalCollectiveInt(A, k, 2);
  PetscValidRealPointer(rho, 5);
  PetscCall(Extremes(A, k, which, EPS_NHEP, prefix, rho, eigr, eigi, NULL));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumInterval - Computes every eigenvalue of a symmetric operator in an
  interval with SLEPc's polynomial filter (`STFILTER`), using only products.

  Collective

  Input Parameters:
+ A      - symmetric matrix (only `MatMult()` is needed; shells must allow `MatDuplicate()`)
. a, b   - the interval, a < b
- prefix - options prefix of the eigensolver (for example "interval_", then
           -interval_st_filter_degree), or NULL

  Output Parameters:
+ n   - number of eigenvalues found
- eig - the eigenvalues in increasing order; free with `PetscFree()`

  Level: intermediate

.seealso: `KrylearnSpectrumExtremes()`
@*/
PetscErrorCode KrylearnSpectrumInterval(Mat A, PetscReal a, PetscReal b, const char prefix[], PetscInt *n, PetscReal **eig)
{
  EPS eps;
  ST  st;

  PetscFunctionBegin;
  PetscCheck(a < b, PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_WRONG, "The interval [%g, %g] is empty", (double)a, (double)b);
  PetscCall(PetscLogEventBegin(KRYLEARN_SpectrumEPS, A, 0, 0, 0));
  PetscCall(EPSCreate(PetscObjectComm((PetscObject)A), &eps));
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, EPS_HEP));
  PetscCall(EPSSetWhichEigenpairs(eps, EPS_ALL));
  PetscCall(EPSSetInterval(eps, a, b));
  PetscCall(EPSSetTolerances(eps, 1e-10, PETSC_DEFAULT));
  PetscCall(EPSGetST(eps, &st));
  PetscCall(STSetType(st, STFILTER));
  PetscCall(EPSSetOptionsPrefix(eps, prefix));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(EPSSolve(eps));
  PetscCall(EPSGetConverged(eps, n));
  PetscCall(PetscMalloc1(*n, eig));
  for (PetscInt i = 0; i < *n; i++) PetscCall(EPSGetEigenvalue(eps, i, &(*eig)[i], NULL));
  PetscCall(PetscSortReal(*n, *eig));
  PetscCall(EPSDestroy(&eps));
  PetscCall(PetscLogEventEnd(KRYLEARN_SpectrumEPS, A, 0, 0, 0));
  PetscFunctionReturn(0);
}
