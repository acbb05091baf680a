static char help[] = "Times KrylearnNetApply: -model FILE -n nx,ny[,nz] -repeat K.\n"
                     "Prints the best and mean seconds per application after one warm-up.\n";

#include <krylearn.h>

int main(int argc, char **argv)
{
  KrylearnNet    net;
  DM             da;
  Vec            x, y;
  PetscRandom    rnd;
  char           model[PETSC_MAX_PATH_LEN];
  PetscInt       n[3] = {64, 64, 64}, nn = 3, dim, repeat = 5;
  PetscLogDouble t0, t1, best = 1e300, total = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-model", model, sizeof(model), NULL));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-n", n, &nn, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  PetscCall(KrylearnNetLoad(PETSC_COMM_WORLD, model, &net));
  PetscCall(KrylearnNetSetFromOptions(net));
  PetscCall(KrylearnNetGetDimension(net, &dim));
  if (dim == 2) PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da));
  else PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n[0], n[1], n[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(KrylearnNetSetUp(net, da));
  PetscCall(DMCreateGlobalVector(da, &x));
  PetscCall(VecDuplicate(x, &y));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(VecSetRandom(x, rnd));
  PetscCall(KrylearnNetApply(net, x, y));
  for (PetscInt k = 0; k < repeat; k++) {
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    PetscCall(PetscTime(&t0));
    PetscCall(KrylearnNetApply(net, x, y));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    PetscCall(PetscTime(&t1));
    best = PetscMin(best, t1 - t0);
    total += t1 - t0;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "seconds per apply: best %.6f mean %.6f\n", best, total / repeat));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&y));
  PetscCall(DMDestroy(&da));
  PetscCall(KrylearnNetDestroy(&net));
  PetscCall(PetscFinalize());
  return 0;
}
