static const char help[] = "Loads each FILE|PATH|LAYOUT argument (PATH and LAYOUT optional) with KrylearnMatLoad\n"
                           "and prints one line per argument: 'ok M N' or 'error: <message>'. With -vec DATASET\n"
                           "the vector is loaded too. Errors do not stop the program, so leaks show under valgrind.\n\n";

#include <krylearn.h>

static PetscErrorCode LoadOne(const char arg[], const char vec[])
{
  char           spec[3 * PETSC_MAX_PATH_LEN], *file, *path, *layout, *bar;
  Mat            A = NULL;
  Vec            v = NULL;
  PetscInt       M, N;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(spec, arg, sizeof(spec)));
  file = spec;
  path = layout = NULL;
  if ((bar = strchr(file, '|'))) {
    *bar = 0;
    path = bar + 1;
    if ((bar = strchr(path, '|'))) {
      *bar   = 0;
      layout = bar + 1;
    }
  }
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
  char      vec[PETSC_MAX_PATH_LEN];
  PetscBool hasvec;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-vec", vec, sizeof(vec), &hasvec));
  for (int k = 1; k < argc && argv[k][0] != '-'; k++) PetscCall(LoadOne(argv[k], hasvec ? vec : NULL));
  PetscCall(PetscFinalize());
  return 0;
}
