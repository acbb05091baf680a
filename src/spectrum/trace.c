/* Stochastic trace estimation: Hutchinson and Hutch++ with Rademacher probes. */
#include "krylov.h"

const char *const KrylearnTraceTypes[] = {"hutchinson", "hutchpp", "KrylearnTraceType", "KRYLEARN_TRACE_", NULL};

/* Mean and standard error of z^T A z over nz probes z, each first projected out of span(Q). */
static PetscErrorCode ProjectedHutchinson(Mat A, PetscInt nq, Vec Q[], PetscInt nz, PetscRandom rnd, PetscReal *mean, PetscReal *stderror)
{
  Vec       z, Az;
  PetscReal s = 0, s2 = 0, q;

  PetscFunctionBegin;
  PetscCall(MatCreateVecs(A, &z, &Az));
  for (PetscInt i = 0; i < nz; i++) {
    PetscCall(KrylearnSpectrumRademacher(rnd, z));
    PetscCall(KrylearnOrthogonalize(nq, Q, z));
    PetscCall(MatMult(A, z, Az));
    PetscCall(VecDot(z, Az, &q));
    s += q;
    s2 += q * q;
  }
  *mean     = s / nz;
  *stderror = nz > 1 ? PetscSqrtReal(PetscMax(0.0, (s2 - nz * (*mean) * (*mean)) / (nz - 1)) / nz) : PETSC_INFINITY;
  PetscCall(VecDestroy(&z));
  PetscCall(VecDestroy(&Az));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumTrace - Estimates the trace of a symmetric operator with a standard error.

  Collective

  Input Parameters:
+ A        - symmetric matrix (only `MatMult()` is used)
. type     - `KRYLEARN_TRACE_HUTCHINSON` or `KRYLEARN_TRACE_HUTCHPP`
. products - number of matrix-vector products to spend (Hutch++: at least 4)
- rnd      - random generator with the same sequence on every rank

  Output Parameters:
+ trace    - the estimate
- stderror - its standard error (the sample standard deviation of the probe values over the
             square root of their number)

  Level: intermediate

  Note:
  Hutch++ (Meyer, Musco, Musco, Woodruff 2021) spends a third of the products on a
  sketch A S, takes the exact trace of A on the orthonormalised sketch Q (another
  third), and Hutchinson on the rest with probes projected out of span(Q); its
  standard error is that of the Hutchinson part.

.seealso: `KrylearnSpectrumSLQ()`
@*/
PetscErrorCode KrylearnSpectrumTrace(Mat A, KrylearnTraceType type, PetscInt products, PetscRandom rnd, PetscReal *trace, PetscReal *stderror)
{
  PetscInt  N, ns = 0, nq = 0;
  Vec      *Q   = NULL, s;
  PetscReal low = 0, q, nrm;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(A, type, 2);
  PetscValidLogicalCollectiveInt(A, products, 3);
  PetscValidHeaderSpecific(rnd, PETSC_RANDOM_CLASSID, 4);
  PetscValidRealPointer(trace, 5);
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCheck(products >= (type == KRYLEARN_TRACE_HUTCHPP ? 4 : 1), PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_OUTOFRANGE, "Trace estimation with %s needs more products than %" PetscInt_FMT, KrylearnTraceTypes[type], products);
  PetscCall(PetscLogEventBegin(KRYLEARN_SpectrumTrace, A, 0, 0, 0));
  if (type == KRYLEARN_TRACE_HUTCHPP) {
    ns = PetscMin(products / 3, N);
    PetscCall(MatCreateVecs(A, &s, NULL));
    PetscCall(VecDuplicateVecs(s, ns, &Q));
    for (PetscInt i = 0; i < ns; i++) {
      PetscCall(KrylearnSpectrumRademacher(rnd, s));
      PetscCall(MatMult(A, s, Q[nq]));
      PetscCall(KrylearnOrthogonalize(nq, Q, Q[nq]));
      PetscCall(VecNorm(Q[nq], NORM_2, &nrm));
      if (nrm > PETSC_SQRT_MACHINE_EPSILON * PetscSqrtReal((PetscReal)N)) {
        PetscCall(VecScale(Q[nq], 1.0 / nrm));
        nq++;
      }
    }
    for (PetscInt i = 0; i < nq; i++) {
      PetscCall(MatMult(A, Q[i], s));
      PetscCall(VecDot(Q[i], s, &q));
      low += q;
    }
    PetscCall(VecDestroy(&s));
  }
  PetscCall(ProjectedHutchinson(A, nq, Q, products - ns - nq, rnd, trace, stderror));
  *trace += low;
  if (Q) PetscCall(VecDestroyVecs(ns, &Q));
  PetscCall(PetscLogEventEnd(KRYLEARN_SpectrumTrace, A, 0, 0, 0));
  PetscFunctionReturn(0);
}
