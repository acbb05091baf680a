/* Random probe vectors that do not depend on the number of ranks. */
#include "krylov.h"

/*@C
  KrylearnSpectrumRademacher - Fills a vector with independent random signs (+1 or -1).

  Collective

  Input Parameters:
+ rnd - random generator giving the same sequence on every rank (create it on
        `PETSC_COMM_SELF` with the same seed everywhere)
- v   - the vector

  Level: intermediate

  Note:
  Every rank draws all global entries and keeps its own, so the result is the same at
  any number of ranks.
@*/
PetscErrorCode KrylearnSpectrumRademacher(PetscRandom rnd, Vec v)
{
  PetscInt     N, rstart, rend;
  PetscScalar *a;
  PetscReal    r;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(rnd, PETSC_RANDOM_CLASSID, 1);
  PetscValidHeaderSpecific(v, VEC_CLASSID, 2);
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetOwnershipRange(v, &rstart, &rend));
  PetscCall(VecGetArrayWrite(v, &a));
  for (PetscInt i = 0; i < N; i++) {
    PetscCall(PetscRandomGetValueReal(rnd, &r));
    if (i >= rstart && i < rend) a[i - rstart] = r < 0.5 ? -1.0 : 1.0;
  }
  PetscCall(VecRestoreArrayWrite(v, &a));
  PetscFunctionReturn(0);
}

/*
  KrylearnOrthogonalize - classical Gram-Schmidt applied twice: removes from w its
  components along the k orthonormal vectors V.
*/
PetscErrorCode KrylearnOrthogonalize(PetscInt k, Vec V[], Vec w)
{
  PetscScalar *c;

  PetscFunctionBegin;
  if (!k) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(k, &c));
  for (int pass = 0; pass < 2; pass++) {
    PetscCall(VecMDot(w, k, V, c));
    for (PetscInt i = 0; i < k; i++) c[i] = -c[i];
    PetscCall(VecMAXPY(w, k, c, V));
  }
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}
