/* The full spectrum of a small operator: assembled column by column, solved by LAPACK. */
#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h> /* PetscValid* checks */
#include <petscblaslapack.h>

/*@C
  KrylearnSpectrumExact - Computes every eigenvalue of a symmetric operator by applying
  it to the unit vectors and solving the dense eigenproblem with LAPACK syev.

  Collective

  Input Parameter:
. A - symmetric matrix (only `MatMult()` is used) of dimension at most 20000

  Output Parameter:
. eig - all eigenvalues in increasing order, on every rank; free with `PetscFree()`

  Level: intermediate

  Note:
  The dense matrix is symmetrised, (H + H^T)/2, before the solve, and lives on rank 0.
@*/
PetscErrorCode KrylearnSpectrumExact(Mat A, PetscReal **eig)
{
  MPI_Comm           comm = PetscObjectComm((PetscObject)A);
  PetscInt           N, rstart, rend;
  PetscMPIInt        rank;
  Vec                e, col, col0;
  VecScatter         tozero;
  PetscReal         *H = NULL, *ev;
  const PetscScalar *c;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscValidPointer(eig, 2);
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCheck(N <= 20000, comm, PETSC_ERR_ARG_SIZ, "The exact spectrum needs a dense %" PetscInt_FMT " x %" PetscInt_FMT " matrix: limited to dimension 20000", N, N);
  PetscCall(PetscLogEventBegin(KRYLEARN_SpectrumExact, A, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MatCreateVecs(A, &e, &col));
  PetscCall(VecGetOwnershipRange(e, &rstart, &rend));
  PetscCall(VecScatterCreateToZero(col, &tozero, &col0));
  if (rank == 0) PetscCall(PetscMalloc1(N * N, &H));
  for (PetscInt j = 0; j < N; j++) {
    PetscCall(VecZeroEntries(e));
    if (j >= rstart && j < rend) PetscCall(VecSetValue(e, j, 1.0, INSERT_VALUES));
    PetscCall(VecAssemblyBegin(e));
    PetscCall(VecAssemblyEnd(e));
    PetscCall(MatMult(A, e, col));
    PetscCall(VecScatterBegin(tozero, col, col0, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(tozero, col, col0, INSERT_VALUES, SCATTER_FORWARD));
    if (rank == 0) {
      PetscCall(VecGetArrayRead(col0, &c));
      PetscCall(PetscArraycpy(H + j * N, c, N));
      PetscCall(VecRestoreArrayRead(col0, &c));
    }
  }
  PetscCall(PetscMalloc1(N, &ev));
  if (rank == 0) {
    PetscBLASInt n, lwork, info;
    PetscReal   *work;

    for (PetscInt j = 0; j < N; j++)
      for (PetscInt i = 0; i < j; i++) H[i + j * N] = H[j + i * N] = 0.5 * (H[i + j * N] + H[j + i * N]);
    PetscCall(PetscBLASIntCast(N, &n));
    PetscCall(PetscBLASIntCast(3 * N, &lwork));
    PetscCall(PetscMalloc1(lwork, &work));
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, H, &n, ev, work, &lwork, &info));
    PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed with info %d", (int)info);
    PetscCall(PetscFree(work));
    PetscCall(PetscFree(H));
  }
  PetscCallMPI(MPI_Bcast(ev, N, MPIU_REAL, 0, comm));
  PetscCall(VecScatterDestroy(&tozero));
  PetscCall(VecDestroy(&col0));
  PetscCall(VecDestroy(&col));
  PetscCall(VecDestroy(&e));
  PetscCall(PetscLogEventEnd(KRYLEARN_SpectrumExact, A, 0, 0, 0));
  *eig = ev;
  PetscFunctionReturn(0);
}
