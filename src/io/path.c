/* FILE[:PATH] arguments of the programs: a file name and a group or dataset inside it. */
#include "ioimpl.h"

/*@C
  KrylearnIOSplitPath - Splits a FILE[:PATH] argument into the file name and the HDF5 path inside it

  Not Collective

  Input Parameters:
+ arg     - the argument, for example "matrices.h5:/group"
. exists  - `PETSC_TRUE` for a file to read: the split is at the first ':' that ends the name of a
            readable file, so that file names containing ':' work; `PETSC_FALSE` for a file to
            write: the split is at the last ':'
- defpath - the path when arg has none

  Output Parameters:
+ file - the file name (`PETSC_MAX_PATH_LEN` characters)
- path - the path inside the file, or defpath (`PETSC_MAX_PATH_LEN` characters)

  Level: intermediate

.seealso: `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnIOSplitPath(const char arg[], PetscBool exists, const char defpath[], char file[], char path[])
{
  const char *colon = NULL;

  PetscFunctionBegin;
  PetscValidCharPointer(arg, 1);
  if (exists) {
    for (const char *c = strchr(arg, ':'); c && !colon; c = strchr(c + 1, ':')) {
      PetscBool found;

      PetscCall(PetscStrncpy(file, arg, PetscMin((size_t)(c - arg) + 1, PETSC_MAX_PATH_LEN)));
      PetscCall(PetscTestFile(file, 'r', &found));
      if (found) colon = c;
    }
  } else colon = strrchr(arg, ':');
  PetscCall(PetscStrncpy(file, arg, colon ? PetscMin((size_t)(colon - arg) + 1, PETSC_MAX_PATH_LEN) : PETSC_MAX_PATH_LEN));
  PetscCall(PetscStrncpy(path, colon ? colon + 1 : defpath, PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}
