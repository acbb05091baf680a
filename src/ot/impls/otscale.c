/* Distributed matrix scaling shared by the OT methods: log-domain Sinkhorn sweeps and
   the explicit plan statistics. The kernels (otkernel.c) work on the local rows; here
   the column quantities are reduced across ranks. */
#include <math.h>
#include "ot/otimpl.h"

/* Column log-sums log sum_i P_ij, left in ot->colsum.
   One pass in the common case; columns whose sum leaves [1e-250, 1e250] on any rank
   trigger an exact max-shifted pass for all columns. */
static PetscErrorCode OTColumnLogSums(OT ot, PetscReal eta)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)ot);
  PetscInt  m    = ot->m;
  PetscBool redo = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(ot->colsum, m));
  OTKernelColSums(&ot->rows, eta, ot->x, ot->y, ot->colsum, ot->work);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, ot->colsum, m, MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt j = 0; j < m; j++) {
    if (!(ot->colsum[j] >= 1e-250 && ot->colsum[j] <= 1e250)) redo = PETSC_TRUE;
  }
  if (redo) {
    for (PetscInt j = 0; j < m; j++) ot->colmax[j] = -INFINITY;
    OTKernelColMax(&ot->rows, eta, ot->x, ot->y, ot->colmax, ot->work);
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, ot->colmax, m, MPIU_REAL, MPIU_MAX, comm));
    PetscCall(PetscArrayzero(ot->colsum, m));
    OTKernelColSumsShifted(&ot->rows, eta, ot->x, ot->y, ot->colmax, ot->colsum, ot->work);
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, ot->colsum, m, MPIU_REAL, MPIU_SUM, comm));
    for (PetscInt j = 0; j < m; j++) ot->colsum[j] = ot->colmax[j] + log(ot->colsum[j]);
  } else
    for (PetscInt j = 0; j < m; j++) ot->colsum[j] = log(ot->colsum[j]);
  PetscFunctionReturn(0);
}

/*
  OTSinkhornSweeps_Private - At most maxit log-domain Sinkhorn sweeps (row then column
  scaling) at inverse temperature eta, from the current potentials.

  The marginal error of the state after a column scaling is the row error
  ||P1 - r||_1 measured by the next row scaling (the column marginals then hold up to
  rounding); the sweep stops, before changing x, once it is below tol. Output: the
  number of sweeps done and the last error measured. Monitors see every sweep.
*/
PetscErrorCode OTSinkhornSweeps_Private(OT ot, PetscReal eta, PetscInt maxit, PetscReal tol, PetscInt *its, PetscReal *err)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)ot);
  PetscReal e;
  PetscInt  k;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KRYLEARN_OTSinkhorn, ot, 0, 0, 0));
  for (k = 0;; k++) {
    OTKernelRowScale(&ot->rows, eta, ot->x, ot->y, ot->rl, ot->xnew, &e, ot->work);
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &e, 1, MPIU_REAL, MPIU_SUM, comm));
    if (k > 0) {
      PetscCall(OTMonitor_Private(ot, ot->its_sinkhorn + ot->its_newton, OT_PHASE_SINKHORN, e));
      if (e < tol) break;
    }
    if (PetscIsInfOrNanReal(e) || k == maxit) break;
    PetscCall(PetscArraycpy(ot->x, ot->xnew, ot->nloc));
    PetscCall(OTColumnLogSums(ot, eta));
    for (PetscInt j = 0; j < ot->m; j++) ot->y[j] += (log(ot->cf[j]) - ot->colsum[j]) / eta;
    ot->its_sinkhorn++;
  }
  PetscCall(PetscLogEventEnd(KRYLEARN_OTSinkhorn, ot, 0, 0, 0));
  *its = k;
  *err = e;
  PetscFunctionReturn(0);
}

/*
  OTPlanStats_Private - One explicit pass over the plan of the current potentials.

  Output (each may be NULL): rowsum (local rows; default scratch), colsum (all columns,
  reduced; default scratch), err = ||P1 - r||_1 + ||P^T1 - c||_1, transport = <C, P>,
  hist = the reduced histogram of -log P over OT_HIST_BINS bins: mass, then counts.
*/
PetscErrorCode OTPlanStats_Private(OT ot, PetscReal *rowsum, PetscReal *colsum, PetscReal *err, PetscReal *transport, PetscReal *hist)
{
  MPI_Comm  comm   = PetscObjectComm((PetscObject)ot);
  PetscReal loc[2] = {0, 0};

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KRYLEARN_OTPlanStats, ot, 0, 0, 0));
  if (!rowsum) rowsum = ot->xnew;
  if (!colsum) colsum = ot->colsum;
  PetscCall(PetscArrayzero(colsum, ot->m));
  if (hist) PetscCall(PetscArrayzero(hist, 2 * OT_HIST_BINS));
  OTKernelPlanStats(&ot->rows, ot->eta, ot->x, ot->y, rowsum, colsum, &loc[1], hist, hist ? hist + OT_HIST_BINS : NULL, ot->work);
  for (PetscInt i = 0; i < ot->nloc; i++) loc[0] += PetscAbsReal(rowsum[i] - ot->rl[i]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, loc, 2, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, colsum, ot->m, MPIU_REAL, MPIU_SUM, comm));
  if (hist) PetscCall(MPIU_Allreduce(MPI_IN_PLACE, hist, 2 * OT_HIST_BINS, MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt j = 0; j < ot->m; j++) loc[0] += PetscAbsReal(colsum[j] - ot->cf[j]);
  if (err) *err = loc[0];
  if (transport) *transport = loc[1];
  PetscCall(PetscLogEventEnd(KRYLEARN_OTPlanStats, ot, 0, 0, 0));
  PetscFunctionReturn(0);
}
