static const char help[] = "Krylearn matrix ingestion.\n\n"
                           "  krylearn-ingest info FILE[:PATH]            describe the matrix\n"
                           "  krylearn-ingest convert FILE[:PATH] OUT     write OUT: HDF5 in the layout PETSc's MatLoad reads\n"
                           "                                              when OUT ends in .h5 (group from OUT:GROUP, default /A),\n"
                           "                                              PETSc binary otherwise\n"
                           "PATH is the HDF5 group of a sparse matrix or the path of a 2-D dataset (dense); Matrix Market\n"
                           "files end in .mtx. Option -ingest_layout <auto,petsc,matlab,csr,csc,coo,dense,mtx> forces a layout.\n\n";

#include <krylearn.h>

static PetscErrorCode Info(Mat A, const char file[], const char path[])
{
  PetscInt         M, N, dim, n[3];
  MatInfo          info;
  PetscReal        norm;
  PetscBool        symmetric = PETSC_FALSE;
  KrylearnIOLayout layout;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
  PetscCall(MatNorm(A, NORM_FROBENIUS, &norm));
  PetscCall(KrylearnMatIsSymmetric(A, &symmetric));
  PetscCall(KrylearnMatGetLayout(A, &layout));
  PetscCall(KrylearnMatGetGrid(A, &dim, n));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "file:      %s\n", file));
  if (layout != KRYLEARN_IO_LAYOUT_MTX) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "path:      %s\n", path[0] ? path : "/"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "layout:    %s\n", KrylearnIOLayouts[layout]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "rows:      %" PetscInt_FMT "\n", M));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "columns:   %" PetscInt_FMT "\n", N));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "nonzeros:  %.0f\n", info.nz_used));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "symmetric: %s\n", symmetric ? "yes" : "no"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "frobenius: %.12g\n", (double)norm));
  if (dim == 2) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      %" PetscInt_FMT " x %" PetscInt_FMT "\n", n[0], n[1]));
  else if (dim == 3) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT "\n", n[0], n[1], n[2]));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "grid:      none\n"));
  PetscFunctionReturn(0);
}

static PetscErrorCode Convert(Mat A, const char out[])
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN];
  PetscBool h5;

  PetscFunctionBegin;
  PetscCall(KrylearnIOSplitPath(out, PETSC_FALSE, "/A", file, group));
  PetscCall(PetscStrendswith(file, ".h5", &h5));
  if (h5) PetscCall(KrylearnMatWriteHDF5(A, file, group));
  else {
    PetscViewer viewer;
    PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, file, FILE_MODE_WRITE, &viewer));
    PetscCall(PetscViewerBinarySetSkipInfo(viewer, PETSC_TRUE));
    PetscCall(MatView(A, viewer));
    PetscCall(PetscViewerDestroy(&viewer));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  PetscBool info, convert;
  Mat       A;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  info    = (PetscBool)(argc >= 3 && !strcmp(argv[1], "info"));
  convert = (PetscBool)(argc >= 4 && !strcmp(argv[1], "convert"));
  PetscCheck(info || convert, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Usage: krylearn-ingest info FILE[:PATH] | convert FILE[:PATH] OUT (see -help)");
  PetscCall(KrylearnIOSplitPath(argv[2], PETSC_TRUE, "", file, path));
  PetscCall(KrylearnMatLoad(PETSC_COMM_WORLD, file, path, &A));
  if (info) PetscCall(Info(A, file, path));
  else PetscCall(Convert(A, argv[3]));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return 0;
}
