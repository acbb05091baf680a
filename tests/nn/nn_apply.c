static char help[] = "Applies a Krylearn network to a grid function read from HDF5 and writes the result.\n"
                     "  -model FILE     model file\n"
                     "  -input FILE     HDF5 file with dataset 'x' of shape ([nz,] ny, nx)\n"
                     "  -output FILE    HDF5 file receiving dataset 'y'\n"
                     "  -n nx,ny[,nz]   grid extents\n"
                     "  -repeat K       applications (timing)\n"
                     "  -check_error    report a load or set-up error on stdout and exit 0\n";

#include <krylearn.h>
#include <petscviewerhdf5.h>

int main(int argc, char **argv)
{
  KrylearnNet    net;
  DM             da;
  Vec            x, y;
  PetscViewer    v;
  char           model[PETSC_MAX_PATH_LEN], input[PETSC_MAX_PATH_LEN] = "", output[PETSC_MAX_PATH_LEN] = "";
  PetscInt       n[3] = {16, 16, 16}, nn = 3, dim, repeat = 1;
  PetscBool      flg, check = PETSC_FALSE, view = PETSC_FALSE;
  PetscErrorCode ierr;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-model", model, sizeof(model), &flg));
  PetscCheck(flg, PETSC_COMM_WORLD, PETSC_ERR_USER, "Give -model FILE");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-input", input, sizeof(input), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", output, sizeof(output), NULL));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-n", n, &nn, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-check_error", &check, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-view", &view, NULL));

  if (check) PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KrylearnNetLoad(PETSC_COMM_WORLD, model, &net);
  if (!ierr) ierr = KrylearnNetGetDimension(net, &dim);
  if (!ierr) {
    if (dim == 2) ierr = DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da);
    else ierr = DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], n[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da);
    if (!ierr) ierr = DMSetFromOptions(da);
    if (!ierr) ierr = DMSetUp(da);
    if (!ierr) ierr = KrylearnNetSetUp(net, da);
    if (ierr) {
      PetscCall(PetscPopErrorHandler());
      PetscCall(DMDestroy(&da));
      PetscCall(KrylearnNetDestroy(&net));
    }
  }
  if (ierr) {
    const char *text;
    char       *msg;
    PetscCheck(check, PETSC_COMM_WORLD, PETSC_ERR_LIB, "unexpected error");
    PetscCall(PetscErrorMessage(ierr, &text, &msg));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "error: %s\n", msg));
    PetscCall(PetscFinalize());
    return 0;
  }
  if (check) PetscCall(PetscPopErrorHandler());
  if (view) PetscCall(KrylearnNetView(net, PETSC_VIEWER_STDOUT_WORLD));

  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &y));
  PetscCall(PetscObjectSetName((PetscObject)x, "x"));
  PetscCall(PetscObjectSetName((PetscObject)y, "y"));
  if (input[0]) {
    PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, input, FILE_MODE_READ, &v));
    PetscCall(VecLoad(x, v));
    PetscCall(PetscViewerDestroy(&v));
  } else PetscCall(VecSet(x, 1.0));
  for (PetscInt k = 0; k < repeat; k++) PetscCall(KrylearnNetApply(net, x, y));
  if (output[0]) {
    PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, output, FILE_MODE_WRITE, &v));
    PetscCall(VecView(y, v));
    PetscCall(PetscViewerDestroy(&v));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscCall(DMDestroy(&da));
  PetscCall(KrylearnNetDestroy(&net));
  PetscCall(PetscFinalize());
  return 0;
}
