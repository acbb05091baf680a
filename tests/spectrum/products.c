static const char help[] = "Applies the Hessian, Gauss-Newton and empirical Fisher of an MLP loss to the rows of\n"
                           "V in -vectors FILE and writes hessian, ggn and fisher (same shape) to -o FILE.\n";

#include <krylearn.h>

int main(int argc, char **argv)
{
  char           model[PETSC_MAX_PATH_LEN], data[PETSC_MAX_PATH_LEN], vin[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  KrylearnMLP    mlp;
  PetscInt       N, k, rstart, rend;
  PetscReal     *V, *P = NULL, loss, gnorm;
  PetscMPIInt    rank;
  KrylearnH5File f = NULL;
  PetscInt64     dims[KRYLEARN_H5_MAX_DIM];
  int            ndim;
  Vec            x, y, y0;
  VecScatter     tozero;
  PetscScalar   *a;

  PetscCall(SlepcInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Curvature products", NULL);
  PetscCall(PetscOptionsString("-model", "model file", NULL, model, model, sizeof(model), NULL));
  PetscCall(PetscOptionsString("-data", "data file", NULL, data, data, sizeof(data), NULL));
  PetscCall(PetscOptionsString("-vectors", "HDF5 file with V (k x parameters)", NULL, vin, vin, sizeof(vin), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscOptionsEnd();
  PetscCall(KrylearnMLPLoad(PETSC_COMM_WORLD, model, data, &mlp));
  PetscCall(KrylearnMLPSetFromOptions(mlp));
  PetscCall(KrylearnMLPGetSizes(mlp, &N, NULL, NULL));
  PetscCall(KrylearnMLPGetLoss(mlp, &loss, &gnorm));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "parameters %" PetscInt_FMT " loss %.17g gradient_norm %.17g\n", N, (double)loss, (double)gnorm));

  PetscCall(KrylearnH5FileOpen(PETSC_COMM_WORLD, vin, NULL, KRYLEARN_H5_READ, &f));
  PetscCall(KrylearnH5FileGetDataset(f, "V", KRYLEARN_H5_REAL, 2, &ndim, dims));
  PetscCheck(ndim == 2 && dims[1] == N && dims[0] <= PETSC_MAX_INT, PETSC_COMM_WORLD, PETSC_ERR_ARG_SIZ, "%s: V must be k x %" PetscInt_FMT ", the model's parameters", vin, N);
  k = (PetscInt)dims[0];
  PetscCall(PetscMalloc1(k * N, &V));
  PetscCall(KrylearnH5FileReadDataset(f, "V", KRYLEARN_H5_REAL, 2, NULL, NULL, V));
  PetscCall(KrylearnH5FileClose(&f));

  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, N, &x));
  PetscCall(VecDuplicate(x, &y));
  PetscCall(VecGetOwnershipRange(x, &rstart, &rend));
  PetscCall(VecScatterCreateToZero(y, &tozero, &y0));
  if (rank == 0) {
    PetscCall(KrylearnH5FileOpen(PETSC_COMM_SELF, out, NULL, KRYLEARN_H5_WRITE, &f));
    PetscCall(PetscMalloc1(k * N, &P));
  }
  for (KrylearnCurvature c = KRYLEARN_CURVATURE_HESSIAN; c <= KRYLEARN_CURVATURE_FISHER; c++) {
    Mat A;
    PetscCall(KrylearnMLPCreateOperator(mlp, c, &A));
    for (PetscInt i = 0; i < k; i++) {
      PetscCall(VecGetArray(x, &a));
      for (PetscInt j = rstart; j < rend; j++) a[j - rstart] = V[i * N + j];
      PetscCall(VecRestoreArray(x, &a));
      PetscCall(MatMult(A, x, y));
      PetscCall(VecScatterBegin(tozero, y, y0, INSERT_VALUES, SCATTER_FORWARD));
      PetscCall(VecScatterEnd(tozero, y, y0, INSERT_VALUES, SCATTER_FORWARD));
      if (rank == 0) {
        PetscCall(VecGetArray(y0, &a));
        PetscCall(PetscArraycpy(P + i * N, a, N));
        PetscCall(VecRestoreArray(y0, &a));
      }
    }
    if (rank == 0) PetscCall(KrylearnH5FileWriteDataset(f, KrylearnCurvatures[c], KRYLEARN_H5_REAL, 2, dims, P));
    PetscCall(MatDestroy(&A));
  }
  if (rank == 0) PetscCall(KrylearnH5FileClose(&f));
  PetscCall(PetscFree(P));
  PetscCall(PetscFree(V));
  PetscCall(VecScatterDestroy(&tozero));
  PetscCall(VecDestroy(&y0));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscCall(KrylearnMLPDestroy(&mlp));
  PetscCall(SlepcFinalize());
  return 0;
}
