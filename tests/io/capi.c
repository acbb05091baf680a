static const char help[] = "Writes matrices with the HDF5 C API (CSR with 64-bit indices and float32 values,\n"
                           "COO with 32-bit indices, a grid attribute and a float32 right-hand side), loads them\n"
                           "with KrylearnMatLoad/KrylearnVecLoad and compares them exactly with the matrix and\n"
                           "vector assembled directly with MatSetValues/VecSetValues.\n\n";

#include <krylearn.h>
#include <hdf5.h>

#define NX 13
#define NY 11
#define NC (NX * NY)

/* Entries of a 5-point stencil with irregular values, float32-representable */
static PetscInt Stencil(PetscInt row, PetscInt cols[], double vals[])
{
  PetscInt i = row % NX, j = row / NX, n = 0;
  PetscInt nb[5][2] = {{i, j - 1}, {i - 1, j}, {i, j}, {i + 1, j}, {i, j + 1}};

  for (int k = 0; k < 5; k++) {
    if (nb[k][0] < 0 || nb[k][0] >= NX || nb[k][1] < 0 || nb[k][1] >= NY) continue;
    cols[n] = nb[k][0] + NX * nb[k][1];
    vals[n] = (double)(float)(k == 2 ? 4.0 + sin((double)row) : -1.0 / (1.0 + (double)(row + cols[n]) / 7.0));
    n++;
  }
  return n;
}

static herr_t Dataset(hid_t loc, const char name[], hid_t filetype, hid_t memtype, hsize_t n, const void *buf)
{
  hid_t  space = H5Screate_simple(1, &n, NULL), dset = H5Dcreate2(loc, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);

  H5Dclose(dset);
  H5Sclose(space);
  return status;
}

static herr_t Attribute(hid_t loc, const char name[], hsize_t n, const int vals[])
{
  hid_t  space = H5Screate_simple(1, &n, NULL), attr = H5Acreate2(loc, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = H5Awrite(attr, H5T_NATIVE_INT, vals);

  H5Aclose(attr);
  H5Sclose(space);
  return status;
}

static PetscErrorCode WriteFile(const char file[])
{
  int64_t  indptr[NC + 1], indices[5 * NC], shape[2] = {NC, NC};
  int      row[5 * NC], col[5 * NC], grid[2] = {NX, NY};
  float    valsf[5 * NC], b[NC];
  double   vals[5 * NC];
  PetscInt nnz = 0, cols[5];
  double   v[5];
  hid_t    fid, coo;
  herr_t   status = 0;

  PetscFunctionBegin;
  indptr[0] = 0;
  for (PetscInt r = 0; r < NC; r++) {
    PetscInt n = Stencil(r, cols, v);
    for (PetscInt k = 0; k < n; k++, nnz++) {
      indices[nnz] = cols[k];
      valsf[nnz] = (float)v[k];
      vals[nnz]  = v[k];
      /* COO entries in reverse order */
      row[5 * NC - 1 - nnz] = (int)r;
      col[5 * NC - 1 - nnz] = (int)cols[k];
    }
    indptr[r + 1] = nnz;
    b[r]          = (float)(1.0 / (1.0 + r));
  }
  fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(fid >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create %s", file);
  status |= Dataset(fid, "indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, NC + 1, indptr);
  status |= Dataset(fid, "indices", H5T_STD_I64LE, H5T_NATIVE_INT64, (hsize_t)nnz, indices);
  status |= Dataset(fid, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, (hsize_t)nnz, valsf);
  status |= Dataset(fid, "shape", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, shape);
  status |= Dataset(fid, "b", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, NC, b);
  status |= Attribute(fid, "grid", 2, grid);
  coo = H5Gcreate2(fid, "coo", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  status |= Dataset(coo, "row", H5T_STD_I32LE, H5T_NATIVE_INT, (hsize_t)nnz, row + 5 * NC - nnz);
  status |= Dataset(coo, "col", H5T_STD_I32LE, H5T_NATIVE_INT, (hsize_t)nnz, col + 5 * NC - nnz);
  {
    double rev[5 * NC];
    for (PetscInt k = 0; k < nnz; k++) rev[k] = vals[nnz - 1 - k];
    status |= Dataset(coo, "data", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)nnz, rev);
  }
  status |= Dataset(coo, "shape", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, shape);
  H5Gclose(coo);
  H5Fclose(fid);
  PetscCheck(status >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Cannot write %s", file);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const char *file = "capi.h5";
  PetscMPIInt rank;
  Mat         ref, csr, coo;
  Vec         b, bref;
  PetscInt    rs, re, dim, n[3], cols[5];
  double      v[5];
  PetscBool   eqcsr, eqcoo, eqb;
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
