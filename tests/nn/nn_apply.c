static char help[] = "Applies Krylearn networks to a grid function read from HDF5 and writes the results.\n"
                     "  -model F1,F2..  model files, applied one after the other\n"
                     "  -input FILE     HDF5 file with dataset 'x' of shape ([nz,] ny, nx), and 'geometry'\n"
                     "                  for models that read a geometry field (else all zero)\n"
                     "  -output O1,O2.. HDF5 files receiving dataset 'y', one per model\n"
                     "  -n nx,ny[,nz]   grid extents\n"
                     "  -view           print each network\n"
                     "  -setup_twice    call KrylearnNetSetUp a second time before applying\n"
                     "  -check_error    report a load or set-up error on stdout and exit 0\n";

#include <krylearn.h>
#include <petscviewerhdf5.h>

/* Loads the model and binds it to a new DMDA; errors are returned, not raised */
static PetscErrorCode LoadAndSetUp(const char *model, const PetscInt n[3], KrylearnNet *net, DM *da)
{
  PetscInt  dim;
  PetscBool twice = PETSC_FALSE;

  PetscFunctionBegin;
  *da = NULL;
  PetscCall(KrylearnNetLoad(PETSC_COMM_WORLD, model, net));
  PetscCall(KrylearnNetSetFromOptions(*net));
  PetscCall(KrylearnNetGetDimension(*net, &dim));
  if (dim == 2) PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, da));
  else PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], n[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, da));
  PetscCall(DMSetFromOptions(*da));
  PetscCall(DMSetUp(*da));
  PetscCall(KrylearnNetSetUp(*net, *da));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-setup_twice", &twice, NULL));
  if (twice) PetscCall(KrylearnNetSetUp(*net, *da));
  PetscFunctionReturn(0);
}

/* Dataset 'name' of the input file into v, or the constant c without an input file */
static PetscErrorCode LoadField(const char *input, const char *name, PetscScalar c, Vec v)
{
  PetscViewer viewer;

  PetscFunctionBegin;
  if (!input) {
    PetscCall(VecSet(v, c));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscObjectSetName((PetscObject)v, name));
  PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, input, FILE_MODE_READ, &viewer));
  PetscCall(VecLoad(v, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(const char *model, const char *input, const char *output, const PetscInt n[3], PetscBool check, PetscBool view)
{
  KrylearnNet    net = NULL;
  DM             da;
  Vec            x, y;
  PetscViewer    v;
  PetscErrorCode ierr;
  const char    *geometry;

  PetscFunctionBegin;
  if (check) PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = LoadAndSetUp(model, n, &net, &da);
  if (check) PetscCall(PetscPopErrorHandler());
  if (ierr) {
    const char *text;
    char       *msg;
    PetscCall(DMDestroy(&da));
    PetscCall(KrylearnNetDestroy(&net));
    PetscCheck(check, PETSC_COMM_WORLD, PETSC_ERR_LIB, "unexpected error");
    PetscCall(PetscErrorMessage(ierr, &text, &msg));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "error: %s\n", msg));
    PetscFunctionReturn(0);
  }
  if (view) PetscCall(KrylearnNetView(net, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &y));
  PetscCall(KrylearnNetGetGeometry(net, &geometry));
  if (geometry) { /* y holds the geometry field until the application overwrites it */
    PetscCall(LoadField(input, "geometry", 0.0, y));
    PetscCall(KrylearnNetSetGeometry(net, y));
  }
  PetscCall(LoadField(input, "x", 1.0, x));
  PetscCall(PetscObjectSetName((PetscObject)y, "y"));
  PetscCall(KrylearnNetApply(net, x, y));
  if (output) {
    PetscCall(PetscViewerHDF5Open(PETSC_COMM_WORLD, output, FILE_MODE_WRITE, &v));
    PetscCall(VecView(y, v));
    PetscCall(PetscViewerDestroy(&v));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscCall(DMDestroy(&da));
  PetscCall(KrylearnNetDestroy(&net));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char     *models[64], *outputs[64], input[PETSC_MAX_PATH_LEN] = "";
  PetscInt  n[3] = {16, 16, 16}, nn = 3, nm = 64, no = 64;
  PetscBool check = PETSC_FALSE, view = PETSC_FALSE, hasout;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-model", models, &nm, NULL));
  PetscCheck(nm > 0, PETSC_COMM_WORLD, PETSC_ERR_USER, "Give -model FILE[,FILE...]");
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-output", outputs, &no, &hasout));
  PetscCheck(!hasout || no == nm, PETSC_COMM_WORLD, PETSC_ERR_USER, "Give one output per model");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-input", input, sizeof(input), NULL));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-n", n, &nn, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-check_error", &check, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-view", &view, NULL));
  for (PetscInt i = 0; i < nm; i++) PetscCall(Run(models[i], input[0] ? input : NULL, hasout ? outputs[i] : NULL, n, check, view));
  for (PetscInt i = 0; i < nm; i++) PetscCall(PetscFree(models[i]));
  if (hasout)
    for (PetscInt i = 0; i < no; i++) PetscCall(PetscFree(outputs[i]));
  PetscCall(PetscFinalize());
  return 0;
}
