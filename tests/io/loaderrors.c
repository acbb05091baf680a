static const char help[] = "Loads each FILE|PATH|LAYOUT|VECTOR argument (the fields after FILE optional) with\n"
                           "KrylearnMatLoad (and KrylearnVecLoad when VECTOR names a dataset) and prints one line per\n"
                           "argument: 'ok M N' or 'error: <message>'. Errors do not stop the program, so leaks show\n"
                           "under valgrind.\n\n";

#include <krylearn.h>

static PetscErrorCode LoadOne(const char arg[])
{
  char           spec[4 * PETSC_MAX_PATH_LEN], *file, *path, *layout, *vec, *bar;
  Mat            A = NULL;
  Vec            v = NULL;
  PetscInt       M, N;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(spec, arg, sizeof(spec)));
  file = spec;
  path = layout = vec = NULL;
  if ((bar = strchr(file, '|'))) {
    *bar = 0;
    path = bar + 1;
    if ((bar = strchr(path, '|'))) {
      *bar   = 0;
      layout = bar + 1;
      if ((bar = strchr(layout, '|'))) {
        *bar = 0;
        vec  = bar + 1;
      }
    }
  }
  if (layout && !layout[0]) layout = NULL;
  if (layout) PetscCall(PetscOptionsSetValue(NULL, "-ingest_layout", layout));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KrylearnMatLoad(PETSC_COMM_WORLD, file, path, &A);
  if (!ierr && vec) ierr = KrylearnVecLoad(A, file, vec, &v);
  PetscCall(PetscPopErrorHandler());
  if (layout) PetscCall(PetscOptionsClearValue(NULL, "-ingest_layout"));
  if (ierr) {
    const char *text, *specific;
    PetscCall(PetscErrorMessage(ierr, &text, (char **)&specific));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: error: %s\n", arg, specific));
  } else {
    PetscCall(MatGetSize(A, &M, &N));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: ok %" PetscInt_FMT " %" PetscInt_FMT "\n", arg, M, N));
  }
  PetscCall(VecDestroy(&v));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  for (int k = 1; k < argc && argv[k][0] != '-'; k++) PetscCall(LoadOne(argv[k]));
  PetscCall(PetscFinalize());
  return 0;
}
