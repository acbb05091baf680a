/* Pressure-Poisson systems with solid obstacles on a cell-centred grid, the problems
   KSPDEEPCD is trained for and tested on.

   Cell (i,j[,k]) of an nx x ny[x nz] grid, natural index i + nx*(j + ny*k). Fluid cell:
   A_ii = 2*dim minus its solid neighbours, A_ij = -1 for each fluid neighbour j; a
   neighbour outside the grid is open air (Dirichlet p = 0: counted on the diagonal) or,
   for the closed box, a wall (not counted). Solid cells keep an identity row, rhs 0. */
#include <krylearnpressure.h>

const char *const KrylearnObstacles[] = {"none", "disc", "box", "KrylearnObstacle", "KRYLEARN_OBSTACLE_", NULL};

typedef struct {
  PetscInt         dim, n[3];
  KrylearnObstacle obstacle;
  PetscReal        centre[3]; /* of the obstacle, in fractions of each axis */
  PetscBool        neumann;
} PressureProblem;

/* In units of cells, as the trainer computes it: centres at (index + 1/2), sizes scaled by nx */
static PetscBool CellSolid(const PressureProblem *pp, PetscInt i, PetscInt j, PetscInt k)
{
  PetscReal x = i + 0.5, y = j + 0.5, z = pp->dim == 3 ? k + 0.5 : 0.0, nx = (PetscReal)pp->n[0];

  switch (pp->obstacle) {
  case KRYLEARN_OBSTACLE_DISC:
    return (PetscBool)(PetscSqr(x - pp->centre[0] * nx) + PetscSqr(y - pp->centre[1] * pp->n[1]) + (pp->dim == 3 ? PetscSqr(z - pp->centre[2] * pp->n[2]) : 0.0) <= PetscSqr(0.15 * nx));
  case KRYLEARN_OBSTACLE_BOX:
    return (PetscBool)(PetscAbsReal(x - pp->centre[0] * nx) <= 0.125 * nx && PetscAbsReal(y - pp->centre[1] * pp->n[1]) <= 0.125 * nx && (pp->dim == 2 || PetscAbsReal(z - pp->centre[2] * pp->n[2]) <= 0.125 * nx));
  default:
    return PETSC_FALSE;
  }
}

/* A plume-like source: a Gaussian blob low in the domain with an oscillating part */
static PetscScalar CellRHS(const PressureProblem *pp, PetscInt i, PetscInt j, PetscInt k)
{
  PetscReal x = (i + 0.5) / pp->n[0], y = (j + 0.5) / pp->n[1], z = pp->dim == 3 ? (k + 0.5) / pp->n[2] : 0.5;
  PetscReal r2 = PetscSqr(x - 0.5) + PetscSqr(y - 0.15) + PetscSqr(z - 0.5);

  if (CellSolid(pp, i, j, k)) return 0.0;
  return PetscExpReal(-r2 / (2 * PetscSqr(0.1))) * (1.0 + 0.5 * PetscSinReal(14 * PETSC_PI * x) * PetscSinReal(10 * PETSC_PI * y)) + 0.1 * PetscCosReal(6 * PETSC_PI * z);
}

/* Row of cell (i,j,k): entries as neighbour offsets; returns the count */
static PetscInt CellRow(const PressureProblem *pp, PetscInt i, PetscInt j, PetscInt k, PetscInt off[][3], PetscScalar v[])
{
  PetscInt c = 1, ijk[3] = {i, j, k};

  off[0][0] = off[0][1] = off[0][2] = 0;
  v[0]                              = 0.0;
  if (CellSolid(pp, i, j, k)) {
    v[0] = 1.0;
    return 1;
  }
  for (PetscInt d = 0; d < pp->dim; d++) {
    for (PetscInt s = -1; s <= 1; s += 2) {
      PetscInt nb[3] = {ijk[0], ijk[1], ijk[2]};

      nb[d] += s;
      if (nb[d] < 0 || nb[d] >= pp->n[d]) {
        if (!pp->neumann) v[0] += 1.0;
      } else if (!CellSolid(pp, nb[0], nb[1], nb[2])) {
        v[0] += 1.0;
        off[c][0] = off[c][1] = off[c][2] = 0;
        off[c][d]                         = s;
        v[c++]                            = -1.0;
      }
    }
  }
  return c;
}

/*@C
  KrylearnPressureCreate - Creates a pressure-Poisson system with a solid obstacle on a cell grid.

  Collective

  Input Parameters:
+ comm     - communicator
. dim      - 2 or 3
. n        - grid sizes nx, ny[, nz]
. obstacle - `KRYLEARN_OBSTACLE_NONE`, `KRYLEARN_OBSTACLE_DISC` or `KRYLEARN_OBSTACLE_BOX`
. centre   - the obstacle's centre in fractions of each axis (x, y[, z]), or NULL for its usual place: (0.5, 0.4[, 0.5]) for the disc, (0.55, 0.5[, 0.5]) for the box
. neumann  - closed box (walls on the grid boundary; the constant on fluid cells is the null space, attached to the matrix) instead of open air
- natural  - assemble in natural ordering (x fastest) with the default row distribution instead of the DMDA's ordering

  Output Parameters:
+ da - the grid (a DMDA with one cell-centred unknown per cell)
. A  - the matrix (unscaled 5- or 7-point stencil; solid cells keep identity rows)
- b  - a plume-like right-hand side, zero on solid cells, made consistent for the closed box

  Level: intermediate

.seealso: `KSPDEEPCD`
@*/
PetscErrorCode KrylearnPressureCreate(MPI_Comm comm, PetscInt dim, const PetscInt n[], KrylearnObstacle obstacle, const PetscReal centre[], PetscBool neumann, PetscBool natural, DM *da, Mat *A, Vec *b)
{
  PressureProblem pp = {
    dim, {n[0],                                           n[1],                                          dim == 3 ? n[2] : 1},
     obstacle, {obstacle == KRYLEARN_OBSTACLE_BOX ? 0.55 : 0.5, obstacle == KRYLEARN_OBSTACLE_BOX ? 0.5 : 0.4, 0.5                },
     neumann
  };
  PetscInt    xs = 0, ys = 0, zs = 0, xm = 0, ym = 0, zm = 0, off[7][3], cols[7], N = pp.n[0] * pp.n[1] * pp.n[2], rstart, rend;
  PetscScalar v[7];
  MatStencil  row, col[7];

  PetscFunctionBegin;
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "Pressure problem must be 2-D or 3-D, got %" PetscInt_FMT, dim);
  for (PetscInt d = 0; centre && d < dim; d++) {
    PetscCheck(centre[d] >= 0 && centre[d] <= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "The obstacle centre must lie in the box: coordinate %" PetscInt_FMT " is %g, not in [0, 1]", d, (double)centre[d]);
    pp.centre[d] = centre[d];
  }
  if (dim == 2) PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, pp.n[0], pp.n[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, da));
  else PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, pp.n[0], pp.n[1], pp.n[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, da));
  PetscCall(DMSetUp(*da));
  if (natural) {
    PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, N, N, 2 * dim + 1, NULL, 2 * dim, NULL, A));
    PetscCall(MatCreateVecs(*A, NULL, b));
    PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
    for (PetscInt r = rstart; r < rend; r++) {
      PetscInt i = r % pp.n[0], j = (r / pp.n[0]) % pp.n[1], k = r / (pp.n[0] * pp.n[1]);
      PetscInt nc = CellRow(&pp, i, j, k, off, v);

      for (PetscInt c = 0; c < nc; c++) cols[c] = (i + off[c][0]) + pp.n[0] * ((j + off[c][1]) + pp.n[1] * (k + off[c][2]));
      PetscCall(MatSetValues(*A, 1, &r, nc, cols, v, INSERT_VALUES));
      PetscCall(VecSetValue(*b, r, CellRHS(&pp, i, j, k), INSERT_VALUES));
    }
  } else {
    PetscCall(DMCreateMatrix(*da, A));
    PetscCall(DMCreateGlobalVector(*da, b));
    PetscCall(DMDAGetCorners(*da, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(VecGetOwnershipRange(*b, &rstart, NULL));
    for (PetscInt k = zs, r = rstart; k < zs + zm; k++) {
      for (PetscInt j = ys; j < ys + ym; j++) {
        for (PetscInt i = xs; i < xs + xm; i++, r++) {
          PetscInt nc = CellRow(&pp, i, j, k, off, v);

          row.i = i, row.j = j, row.k = k, row.c = 0;
          for (PetscInt c = 0; c < nc; c++) col[c].i = i + off[c][0], col[c].j = j + off[c][1], col[c].k = k + off[c][2], col[c].c = 0;
          PetscCall(MatSetValuesStencil(*A, 1, &row, nc, col, v, INSERT_VALUES));
          PetscCall(VecSetValue(*b, r, CellRHS(&pp, i, j, k), INSERT_VALUES));
        }
      }
    }
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(VecAssemblyBegin(*b));
  PetscCall(VecAssemblyEnd(*b));
  if (neumann) {
    MatNullSpace nsp;
    Vec          fluid;
    PetscReal    nrm;
    PetscScalar *f;
    PetscInt     l = 0;

    /* the fluid-cell indicator spans the null space: solid rows are identity, fluid rows sum to zero */
    PetscCall(VecDuplicate(*b, &fluid));
    PetscCall(VecGetArray(fluid, &f));
    if (natural) {
      for (PetscInt r = rstart; r < rend; r++) f[l++] = CellSolid(&pp, r % pp.n[0], (r / pp.n[0]) % pp.n[1], r / (pp.n[0] * pp.n[1])) ? 0.0 : 1.0;
    } else {
      for (PetscInt k = zs; k < zs + zm; k++)
        for (PetscInt j = ys; j < ys + ym; j++)
          for (PetscInt i = xs; i < xs + xm; i++) f[l++] = CellSolid(&pp, i, j, k) ? 0.0 : 1.0;
    }
    PetscCall(VecRestoreArray(fluid, &f));
    PetscCall(VecNormalize(fluid, &nrm));
    PetscCall(MatNullSpaceCreate(comm, PETSC_FALSE, 1, &fluid, &nsp));
    PetscCall(MatNullSpaceRemove(nsp, *b));
    PetscCall(MatSetNullSpace(*A, nsp));
    PetscCall(MatNullSpaceDestroy(&nsp));
    PetscCall(VecDestroy(&fluid));
  }
  PetscFunctionReturn(0);
}
