/* Stochastic Lanczos quadrature: Gauss quadrature nodes and weights of the spectral
   measure seen from random probe vectors, by Lanczos with full reorthogonalisation. */
#include "krylov.h"
#include <petscblaslapack.h>

/* Eigenvalues of the k x k tridiagonal (alpha, beta) and the squared first components of its eigenvectors. */
static PetscErrorCode TridiagonalQuadrature(PetscInt k, PetscReal *alpha, PetscReal *beta, PetscReal *nodes, PetscReal *weights)
{
  PetscBLASInt n, ld, info;
  PetscReal   *Z, *work;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(k, &n));
  ld = n;
  PetscCall(PetscMalloc2(k * k, &Z, PetscMax(1, 2 * k - 2), &work));
  PetscCallBLAS("LAPACKsteqr", LAPACKsteqr_("I", &n, alpha, beta, Z, &ld, work, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK steqr failed with info %d on the Lanczos tridiagonal", (int)info);
  for (PetscInt j = 0; j < k; j++) {
    nodes[j]   = alpha[j];
    weights[j] = Z[j * k] * Z[j * k];
  }
  PetscCall(PetscFree2(Z, work));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumSLQ - Stochastic Lanczos quadrature of a symmetric operator.

  Collective

  Input Parameters:
+ A      - symmetric matrix (only `MatMult()` is used)
. steps  - Lanczos steps per probe (at most the dimension)
. probes - number of Rademacher probe vectors
- rnd    - random generator with the same sequence on every rank

  Output Parameters:
+ n       - probes * steps
. nodes   - Ritz values, probe by probe (steps each), free with `PetscFree()`
- weights - quadrature weights, summing to 1 for each probe (zero after a Lanczos breakdown)

  Level: intermediate

  Notes:
  Lanczos runs in float64 with classical Gram-Schmidt reorthogonalisation against all
  previous vectors, applied twice. For a probe v, sum_j w_j f(theta_j) approximates
  v^T f(A) v / v^T v, exactly for polynomials f of degree below 2 steps, so that
  tr f(A) / dim is estimated by the mean over probes.

.seealso: `KrylearnSpectrumDensity()`, `KrylearnSpectrumTrace()`
@*/
PetscErrorCode KrylearnSpectrumSLQ(Mat A, PetscInt steps, PetscInt probes, PetscRandom rnd, PetscInt *n, PetscReal **nodes, PetscReal **weights)
{
  PetscInt   N;
  Vec       *V, w;
  PetscReal *alpha, *beta, *nd, *wt, nrm;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidLogicalCollectiveInt(A, steps, 2);
  PetscValidLogicalCollectiveInt(A, probes, 3);
  PetscValidHeaderSpecific(rnd, PETSC_RANDOM_CLASSID, 4);
  PetscValidIntPointer(n, 5);
  PetscValidPointer(nodes, 6);
  PetscValidPointer(weights, 7);
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCheck(steps >= 1 && steps <= N, PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_OUTOFRANGE, "SLQ steps %" PetscInt_FMT " must lie between 1 and the dimension %" PetscInt_FMT, steps, N);
  PetscCheck(probes >= 1, PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_OUTOFRANGE, "SLQ needs at least one probe, got %" PetscInt_FMT, probes);
  PetscCall(PetscLogEventBegin(KRYLEARN_SpectrumSLQ, A, 0, 0, 0));
  PetscCall(MatCreateVecs(A, &w, NULL));
  PetscCall(VecDuplicateVecs(w, steps + 1, &V));
  PetscCall(PetscMalloc2(steps, &alpha, steps, &beta));
  PetscCall(PetscCalloc1(probes * steps, &nd));
  PetscCall(PetscCalloc1(probes * steps, &wt));
  for (PetscInt p = 0; p < probes; p++) {
    PetscInt  k     = steps;
    PetscReal scale = 0;

    PetscCall(KrylearnSpectrumRademacher(rnd, V[0]));
    PetscCall(VecScale(V[0], 1.0 / PetscSqrtReal((PetscReal)N)));
    for (PetscInt j = 0; j < steps; j++) {
      PetscCall(MatMult(A, V[j], w));
      PetscCall(VecDot(w, V[j], &alpha[j]));
      PetscCall(KrylearnOrthogonalize(j + 1, V, w));
      PetscCall(VecNorm(w, NORM_2, &nrm));
      beta[j] = nrm;
      scale   = PetscMax(scale, PetscMax(PetscAbsReal(alpha[j]), nrm));
      if (j + 1 < steps && nrm <= 100 * PETSC_MACHINE_EPSILON * scale) {
        k = j + 1; /* invariant subspace: the quadrature is exact */
        break;
      }
      PetscCall(VecAXPBY(V[j + 1], 1.0 / nrm, 0.0, w));
    }
    PetscCall(TridiagonalQuadrature(k, alpha, beta, nd + p * steps, wt + p * steps));
  }
  PetscCall(PetscFree2(alpha, beta));
  PetscCall(VecDestroyVecs(steps + 1, &V));
  PetscCall(VecDestroy(&w));
  PetscCall(PetscLogEventEnd(KRYLEARN_SpectrumSLQ, A, 0, 0, 0));
  *n       = probes * steps;
  *nodes   = nd;
  *weights = wt;
  PetscFunctionReturn(0);
}
