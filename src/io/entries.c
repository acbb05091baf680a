/* The entry lists the layout readers fill: global (row, column, value) triples of one
   rank, with the matrix sizes and the rows this rank owns. */
#include "ioimpl.h"

/* Checks the sizes read from file and sets the row ownership (PETSc's default split) */
PetscErrorCode KrylearnEntriesSetSizes(KrylearnEntries *E, MPI_Comm comm, const char file[], int64_t M, int64_t N)
{
  PetscLayout map;

  PetscFunctionBegin;
  PetscCall(KrylearnIOCheck(comm, M < 0 || N < 0 || M > PETSC_MAX_INT || N > PETSC_MAX_INT, PETSC_ERR_FILE_UNEXPECTED, "%s: matrix size %" PetscInt64_FMT " x %" PetscInt64_FMT " is negative or exceeds the %d-bit PetscInt", file, (PetscInt64)M, (PetscInt64)N, (int)(8 * sizeof(PetscInt))));
  E->M = (PetscInt)M;
  E->N = (PetscInt)N;
  PetscCall(PetscLayoutCreateFromSizes(comm, PETSC_DECIDE, E->M, 1, &map));
  PetscCall(PetscLayoutGetRange(map, &E->rstart, &E->rend));
  PetscCall(PetscLayoutDestroy(&map));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnEntriesReserve(KrylearnEntries *E, PetscCount extra)
{
  PetscCount   need = E->n + extra, alloc;
  PetscInt    *i, *j;
  PetscScalar *v;

  PetscFunctionBegin;
  if (need <= E->alloc) PetscFunctionReturn(0);
  alloc = PetscMax(need, 2 * E->alloc);
  PetscCall(PetscMalloc3(alloc, &i, alloc, &j, alloc, &v));
  PetscCall(PetscArraycpy(i, E->i, E->n));
  PetscCall(PetscArraycpy(j, E->j, E->n));
  PetscCall(PetscArraycpy(v, E->v, E->n));
  PetscCall(PetscFree3(E->i, E->j, E->v));
  E->i     = i;
  E->j     = j;
  E->v     = v;
  E->alloc = alloc;
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnEntriesAdd(KrylearnEntries *E, PetscInt i, PetscInt j, PetscScalar v)
{
  PetscFunctionBegin;
  if (E->n == E->alloc) PetscCall(KrylearnEntriesReserve(E, 1));
  E->i[E->n] = i;
  E->j[E->n] = j;
  E->v[E->n] = v;
  E->n++;
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnEntriesDestroy(KrylearnEntries *E)
{
  PetscFunctionBegin;
  PetscCall(PetscFree3(E->i, E->j, E->v));
  PetscCall(PetscFree(E->ptr));
  PetscCall(PetscFree(E->idx));
  PetscCall(PetscFree(E->val));
  E->n = E->alloc = 0;
  PetscFunctionReturn(0);
}
