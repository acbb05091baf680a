static const char help[] = "Writes matrices with Krylearn's HDF5 layer (CSR with 64-bit indices and float32 values,\n"
                           "COO with 32-bit indices, a grid attribute and a float32 right-hand side), loads them\n"
                           "with KrylearnMatLoad/KrylearnVecLoad and compares them exactly with the matrix and\n"
                           "vector assembled directly with MatSetValues/VecSetValues.\n\n";

#include <krylearn.h>

#define NX 13
#define NY 11
#define NC (NX * NY)

/* Entries of a 5-point stencil with irregular values, float32-representable */
static PetscInt Stencil(PetscInt row, PetscInt cols[], double vals[])
{
  PetscInt i = row % NX, j = row / NX, n = 0;
  PetscInt nb[5][2] = {
    {i,     j - 1},
    {i - 1, j    },
    {i,     j    },
    {i + 1, j    },
    {i,     j + 1}
  };

  for (int k = 0; k < 5; k++) {
    if (nb[k][0] < 0 || nb[k][0] >= NX || nb[k][1] < 0 || nb[k][1] >= NY) continue;
    cols[n] = nb[k][0] + NX * nb[k][1];
    vals[n] = (double)(float)(k == 2 ? 4.0 + sin((double)row) : -1.0 / (1.0 + (double)(row + cols[n]) / 7.0));
    n++;
  }
  return n;
}

static PetscErrorCode WriteFile(const char file[])
{
  PetscInt64     indptr[NC + 1], indices[5 * NC], shape[2] = {NC, NC}, grid[2] = {NX, NY}, n1 = NC + 1, nc = NC, two = 2, nz;
  int32_t        row[5 * NC], col[5 * NC];
  float          valsf[5 * NC], b[NC];
  double         vals[5 * NC], rev[5 * NC];
  PetscInt       nnz = 0, cols[5];
  double         v[5];
  KrylearnH5File f;

  PetscFunctionBegin;
  indptr[0] = 0;
  for (PetscInt r = 0; r < NC; r++) {
    PetscInt n = Stencil(r, cols, v);
    for (PetscInt k = 0; k < n; k++, nnz++) {
      indices[nnz] = cols[k];
      valsf[nnz]   = (float)v[k];
      vals[nnz]    = v[k];
      /* COO entries in reverse order */
      row[5 * NC - 1 - nnz] = (int32_t)r;
      col[5 * NC - 1 - nnz] = (int32_t)cols[k];
    }
    indptr[r + 1] = nnz;
    b[r]          = (float)(1.0 / (1.0 + r));
  }
  nz = nnz;
  for (PetscInt k = 0; k < nnz; k++) rev[k] = vals[nnz - 1 - k];
  PetscCall(KrylearnH5FileOpen(PETSC_COMM_SELF, file, NULL, KRYLEARN_H5_WRITE, &f));
  PetscCall(KrylearnH5FileWriteDataset(f, "indptr", KRYLEARN_H5_INT64, 1, &n1, indptr));
  PetscCall(KrylearnH5FileWriteDataset(f, "indices", KRYLEARN_H5_INT64, 1, &nz, indices));
  PetscCall(KrylearnH5FileWriteDataset(f, "data", KRYLEARN_H5_FLOAT, 1, &nz, valsf));
  PetscCall(KrylearnH5FileWriteDataset(f, "shape", KRYLEARN_H5_INT64, 1, &two, shape));
  PetscCall(KrylearnH5FileWriteDataset(f, "b", KRYLEARN_H5_FLOAT, 1, &nc, b));
  PetscCall(KrylearnH5FileWriteAttribute(f, "/", "grid", KRYLEARN_H5_INT32, 2, (int32_t[]){(int32_t)grid[0], (int32_t)grid[1]}));
  PetscCall(KrylearnH5FileWriteDataset(f, "coo/row", KRYLEARN_H5_INT32, 1, &nz, row + 5 * NC - nnz));
  PetscCall(KrylearnH5FileWriteDataset(f, "coo/col", KRYLEARN_H5_INT32, 1, &nz, col + 5 * NC - nnz));
  PetscCall(KrylearnH5FileWriteDataset(f, "coo/data", KRYLEARN_H5_REAL, 1, &nz, rev));
  PetscCall(KrylearnH5FileWriteDataset(f, "coo/shape", KRYLEARN_H5_INT64, 1, &two, shape));
  PetscCall(KrylearnH5FileClose(&f));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const char      *file = "capi.h5";
  PetscMPIInt      rank;
  Mat              ref, csr, coo;
  Vec              b, bref;
  PetscInt         rs, re, dim, n[3], cols[5];
  double           v[5];
  PetscBool        eqcsr, eqcoo, eqb;
  KrylearnIOLayout lcsr, lcoo;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) PetscCall(WriteFile(file));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));

  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, NC, NC, 5, NULL, 5, NULL, &ref));
  PetscCall(MatGetOwnershipRange(ref, &rs, &re));
  for (PetscInt r = rs; r < re; r++) {
    PetscInt nc = Stencil(r, cols, v);
    PetscCall(MatSetValues(ref, 1, &r, nc, cols, v, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(ref, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(ref, MAT_FINAL_ASSEMBLY));
  PetscCall(MatCreateVecs(ref, NULL, &bref));
  for (PetscInt r = rs; r < re; r++) PetscCall(VecSetValue(bref, r, (double)(float)(1.0 / (1.0 + r)), INSERT_VALUES));
  PetscCall(VecAssemblyBegin(bref));
  PetscCall(VecAssemblyEnd(bref));

  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, NULL, &csr));
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, "/coo", &coo));
  PetscCall(KrylearnVecLoad(csr, file, "/b", &b));
  PetscCall(MatEqual(ref, csr, &eqcsr));
  PetscCall(MatEqual(ref, coo, &eqcoo));
  PetscCall(VecEqual(bref, b, &eqb));
  PetscCall(KrylearnMatGetLayout(csr, &lcsr));
  PetscCall(KrylearnMatGetLayout(coo, &lcoo));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "csr (int64, float32) %s, layout %s\n", eqcsr ? "equal" : "DIFFERENT", KrylearnIOLayouts[lcsr]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "coo (int32, float64, reversed) %s, layout %s\n", eqcoo ? "equal" : "DIFFERENT", KrylearnIOLayouts[lcoo]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "rhs (float32) %s\n", eqb ? "equal" : "DIFFERENT"));
  PetscCall(KrylearnMatGetGrid(csr, &dim, n));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid %" PetscInt_FMT ": %" PetscInt_FMT " x %" PetscInt_FMT "\n", dim, n[0], n[1]));
  PetscCheck(dim == 2 && n[0] == NX && n[1] == NY, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Grid attribute lost");
  PetscCall(KrylearnMatGetGrid(coo, &dim, n));
  PetscCheck(dim == 0, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Grid found where the file has none");
  PetscCall(KrylearnMatSetGrid(coo, 2, (PetscInt[]){NY, NX}));
  PetscCall(KrylearnMatGetGrid(coo, &dim, n));
  PetscCheck(dim == 2 && n[0] == NY && n[1] == NX, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "KrylearnMatSetGrid not kept");
  PetscCheck(eqcsr && eqcoo && eqb && lcsr == KRYLEARN_IO_LAYOUT_CSR && lcoo == KRYLEARN_IO_LAYOUT_COO, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "Loaded data differ from the reference");
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&bref));
  PetscCall(MatDestroy(&csr));
  PetscCall(MatDestroy(&coo));
  PetscCall(MatDestroy(&ref));
  PetscCall(PetscFinalize());
  return 0;
}
