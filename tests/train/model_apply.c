/* Applies a Krylearn model with the C runtime to a field read from a PETSc binary
   file and writes the result, for comparison with PyTorch in tests/train.

     model_apply -model M.h5 -in x.bin -out y.bin -da_grid_x NX -da_grid_y NY [-da_grid_z NZ]

   The grid is a DMDA (2-D or 3-D as the model), distributed over the ranks; the
   vectors are read and written in the natural (x fastest) ordering. */
static char help[] = "Applies a Krylearn model to a field in a PETSc binary file.\n";

#include <krylearn.h>
#include <krylearnnn.h>

int main(int argc, char **argv)
{
  char        model[PETSC_MAX_PATH_LEN], in[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  KrylearnNet net;
  DM          da;
  Vec         x, y;
  PetscViewer viewer;
  PetscInt    dim;
  PetscBool   set[3];

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "Model application options", NULL);
  PetscCall(PetscOptionsString("-model", "Krylearn model file", NULL, model, model, sizeof(model), &set[0]));
  PetscCall(PetscOptionsString("-in", "input field (PETSc binary)", NULL, in, in, sizeof(in), &set[1]));
  PetscCall(PetscOptionsString("-out", "output field (PETSc binary)", NULL, out, out, sizeof(out), &set[2]));
  PetscOptionsEnd();
  PetscCheck(set[0] && set[1] && set[2], PETSC_COMM_WORLD, PETSC_ERR_USER, "Give -model, -in and -out");

  PetscCall(KrylearnNetLoad(PETSC_COMM_WORLD, model, &net));
  PetscCall(KrylearnNetGetDimension(net, &dim));
  if (dim == 2) PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 8, 8, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da));
  else PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 8, 8, 8, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(KrylearnNetSetUp(net, da));

  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &y));
  PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, in, FILE_MODE_READ, &viewer));
  PetscCall(VecLoad(x, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(KrylearnNetApply(net, x, y));
  PetscCall(PetscViewerBinaryOpen(PETSC_COMM_WORLD, out, FILE_MODE_WRITE, &viewer));
  PetscCall(VecView(y, viewer));
  PetscCall(PetscViewerDestroy(&viewer));

  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscCall(DMDestroy(&da));
  PetscCall(KrylearnNetDestroy(&net));
  PetscCall(PetscFinalize());
  return 0;
}
