/* Information that travels with a loaded matrix: its grid shape and the layout it was
   read from, composed with the Mat as small integer containers. */
#include "ioimpl.h"

/* Composes n integers with obj under name (n = 0 removes them) */
static PetscErrorCode ComposeInts(PetscObject obj, const char name[], PetscInt n, const PetscInt vals[])
{
  PetscContainer container;
  PetscInt      *data;

  PetscFunctionBegin;
  if (!n) {
    PetscCall(PetscObjectCompose(obj, name, NULL));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(n + 1, &data));
  data[0] = n;
  PetscCall(PetscArraycpy(data + 1, vals, n));
  PetscCall(PetscContainerCreate(PetscObjectComm(obj), &container));
  PetscCall(PetscContainerSetPointer(container, data));
  PetscCall(PetscContainerSetUserDestroy(container, PetscContainerUserDestroyDefault));
  PetscCall(PetscObjectCompose(obj, name, (PetscObject)container));
  PetscCall(PetscContainerDestroy(&container));
  PetscFunctionReturn(0);
}

/* The integers composed under name (at most nmax); *n = 0 when there are none */
static PetscErrorCode QueryInts(PetscObject obj, const char name[], PetscInt nmax, PetscInt *n, PetscInt vals[])
{
  PetscContainer container;
  PetscInt      *data;

  PetscFunctionBegin;
  *n = 0;
  PetscCall(PetscObjectQuery(obj, name, (PetscObject *)&container));
  if (!container) PetscFunctionReturn(0);
  PetscCall(PetscContainerGetPointer(container, (void **)&data));
  *n = PetscMin(data[0], nmax);
  PetscCall(PetscArraycpy(vals, data + 1, *n));
  PetscFunctionReturn(0);
}

/* Cells of a grid: the product of the extents, or -1 when one is not positive or the product overflows 64 bits */
PetscInt64 KrylearnGridCells(PetscInt dim, const PetscInt n[])
{
  PetscInt64 cells = 1;

  for (PetscInt d = 0; d < dim; d++)
    if (n[d] < 1 || __builtin_mul_overflow(cells, (PetscInt64)n[d], &cells)) return -1;
  return cells;
}

/*@
  KrylearnMatSetGrid - Attaches the shape of the structured grid a matrix was discretised on

  Logically Collective

  Input Parameters:
+ A   - the matrix, one row per grid cell (x fastest: row = i + nx*(j + ny*k))
. dim - 2 or 3, or 0 to remove the grid
- n   - the cells per direction, [nx, ny] or [nx, ny, nz]

  Level: beginner

  Note:
  KrylearnMatLoad() attaches the grid attribute of the file; grid-based solvers read it back with KrylearnMatGetGrid().

.seealso: `KrylearnMatGetGrid()`, `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnMatSetGrid(Mat A, PetscInt dim, const PetscInt n[])
{
  PetscInt   M, N;
  PetscInt64 cells;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscCheck(dim == 0 || dim == 2 || dim == 3, PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_OUTOFRANGE, "Grid dimension %" PetscInt_FMT " is not 0, 2 or 3", dim);
  PetscCall(MatGetSize(A, &M, &N));
  cells = KrylearnGridCells(dim, n);
  PetscCheck(!dim || (cells == M && M == N), PetscObjectComm((PetscObject)A), PETSC_ERR_ARG_SIZ, "Grid of %" PetscInt64_FMT " cells does not fit the %" PetscInt_FMT " x %" PetscInt_FMT " matrix", cells, M, N);
  PetscCall(ComposeInts((PetscObject)A, "KrylearnGrid", dim, n));
  PetscFunctionReturn(0);
}

/*@
  KrylearnMatGetGrid - Gets the shape of the structured grid attached to a matrix

  Not Collective

  Input Parameter:
. A - the matrix

  Output Parameters:
+ dim - 2 or 3, or 0 when no grid is attached
- n   - the cells per direction (room for 3)

  Level: beginner

.seealso: `KrylearnMatSetGrid()`, `KrylearnMatLoad()`
@*/
PetscErrorCode KrylearnMatGetGrid(Mat A, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscCall(QueryInts((PetscObject)A, "KrylearnGrid", 3, dim, n));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnMatSetLayout(Mat A, KrylearnIOLayout layout)
{
  PetscInt l = (PetscInt)layout;

  PetscFunctionBegin;
  PetscCall(ComposeInts((PetscObject)A, "KrylearnIOLayout", 1, &l));
  PetscFunctionReturn(0);
}

/*@
  KrylearnMatGetLayout - Gets the file layout a matrix was loaded from

  Not Collective

  Input Parameter:
. A - a matrix from KrylearnMatLoad()

  Output Parameter:
. layout - the layout, KRYLEARN_IO_LAYOUT_AUTO for matrices not loaded from a file

  Level: intermediate

.seealso: `KrylearnMatLoad()`, `KrylearnIOLayout`
@*/
PetscErrorCode KrylearnMatGetLayout(Mat A, KrylearnIOLayout *layout)
{
  PetscInt n, l;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(A, MAT_CLASSID, 1);
  PetscCall(QueryInts((PetscObject)A, "KrylearnIOLayout", 1, &n, &l));
  *layout = n ? (KrylearnIOLayout)l : KRYLEARN_IO_LAYOUT_AUTO;
  PetscFunctionReturn(0);
}
