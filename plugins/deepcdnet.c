/* Shared by KSPDEEPCD and PCDEEPCD: finds the grid (DMDA attached to the solver, or a
   grid given for a bare matrix), loads the network (given file or the shipped default),
   maps between the operator's natural ordering and the DMDA ordering, and finds the
   cells the operator marks as outside the domain (identity, diagonal-only or empty rows). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <omp.h>
#include <unistd.h>
#include <petsc/private/petscimpl.h>
#include <petscdmda.h>
#include <krylearnio.h>
#include "deepcdnet.h"

/* A new model file (NULL or "": the shipped default); drops what was built for the old one */
PetscErrorCode KrylearnDeepCDNetSetModel(KrylearnDeepCDNet *dn, const char file[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetReset(dn));
  PetscCall(PetscStrncpy(dn->model, file ? file : "", sizeof(dn->model)));
  PetscFunctionReturn(0);
}

const char *const KrylearnDeepCDFaceTypes[] = {"auto", "zero", "mirror", "KrylearnDeepCDFaceType", "KRYLEARN_DEEPCD_FACES_", NULL};

/* What the network sees past the grid's faces; applied at the next set-up */
PetscErrorCode KrylearnDeepCDNetSetFaces(KrylearnDeepCDNet *dn, KrylearnDeepCDFaceType faces)
{
  PetscFunctionBegin;
  PetscCheck(faces >= KRYLEARN_DEEPCD_FACES_AUTO && faces <= KRYLEARN_DEEPCD_FACES_MIRROR, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "deepcd faces: %d is no KrylearnDeepCDFaceType", (int)faces);
  if (faces != dn->faces) dn->matstate = -1; /* decided with the operator's scan */
  dn->faces = faces;
  PetscFunctionReturn(0);
}

/* The grid of an operator in natural ordering, used when no DMDA is attached; drops what was
   built for the old one */
PetscErrorCode KrylearnDeepCDNetSetGrid(MPI_Comm comm, KrylearnDeepCDNet *dn, PetscInt dim, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "deepcd grid must have 2 or 3 sizes (nx,ny[,nz]), got %" PetscInt_FMT, dim);
  for (PetscInt d = 0; d < dim; d++) PetscCheck(n[d] > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "deepcd grid size %" PetscInt_FMT " in direction %" PetscInt_FMT " must be positive", n[d], d);
  PetscCall(KrylearnDeepCDNetReset(dn));
  dn->gdim       = dim;
  dn->gridsource = "grid option";
  for (PetscInt d = 0; d < 3; d++) dn->gn[d] = d < dim ? n[d] : 1;
  PetscFunctionReturn(0);
}

/* The grid set by option or setter: dim 0 when none */
PetscErrorCode KrylearnDeepCDNetGetGrid(KrylearnDeepCDNet *dn, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  *dim = dn->gdim;
  if (n)
    for (PetscInt d = 0; d < 3; d++) n[d] = dn->gdim ? dn->gn[d] : 0;
  PetscFunctionReturn(0);
}

/* -<pre>_deepcd_model, -<pre>_deepcd_grid and -<pre>_deepcd_faces, pre being the owner's "ksp" or "pc" */
PetscErrorCode KrylearnDeepCDNetSetFromOptions(PetscOptionItems *PetscOptionsObject, KrylearnDeepCDNet *dn)
{
  const char            *pre  = dn->pre;
  PetscBool              ispc = (PetscBool)(pre[0] == 'p'); /* -help names the owner's setter */
  char                   name[64], file[PETSC_MAX_PATH_LEN];
  PetscInt               n[3] = {0, 0, 0}, dim = 3;
  PetscBool              flg;
  KrylearnDeepCDFaceType faces;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s_deepcd_model", pre));
  PetscCall(PetscOptionsString(name, "Network model file (HDF5); default: the shipped model for the grid's dimension", ispc ? "PCDeepCDSetModel" : "KSPDeepCDSetModel", dn->model, file, sizeof(file), &flg));
  if (flg) PetscCall(KrylearnDeepCDNetSetModel(dn, file));
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s_deepcd_grid", pre));
  PetscCall(PetscOptionsIntArray(name, "Cell grid nx,ny[,nz] of a matrix without a DMDA (natural ordering, x fastest)", ispc ? "PCDeepCDSetGrid" : "KSPDeepCDSetGrid", n, &dim, &flg));
  if (flg) PetscCall(KrylearnDeepCDNetSetGrid(PetscObjectComm((PetscObject)PetscOptionsObject->object), dn, dim, n));
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s_deepcd_faces", pre));
  PetscCall(PetscOptionsEnum(name, "What the network sees past the grid's faces: auto (mirror images past closed faces, whose rows sum to zero; zeros past the others), zero, mirror", ispc ? "PCDeepCDSetFaces" : "KSPDeepCDSetFaces", KrylearnDeepCDFaceTypes,
                             (PetscEnum)dn->faces, (PetscEnum *)&faces, &flg));
  if (flg) PetscCall(KrylearnDeepCDNetSetFaces(dn, faces));
  PetscFunctionReturn(0);
}

/* The shipped default model for a dimension, looked for beside the library in ../data, then
   ../share/krylearn: on grids of at least 8 network cells per axis for it, the model with
   Galerkin levels train/make_default_models.sh writes with SWEEPS=2 and LEVELS=3 (2-D) or
   LEVELS=2 (3-D), made K-cycles (2 flexible-CG steps on each coarse level above the
   network's: iterations that do not grow with the grid); the coefficients, boundary rows and
   solid cells of the operator reach its network through the Galerkin operators (within 2x
   CG+GAMG's iterations on the generalisation table, bench/deepcd/results.md), and with the
   one-pass product into diagonals it is faster than the one-level model, deepcd-<dim>d.h5,
   which smaller grids get */
static const struct {
  const char *file, *galerkin;
  PetscInt    levels; /* the Galerkin model's classical levels */
} DeepCDDefaults[2] = {
  {"deepcd-2d.h5", "deepcd-2d-hybrid-s2l3k221.h5", 3},
  {"deepcd-3d.h5", "deepcd-3d-hybrid-s2l2k21.h5",  2}
};

static PetscErrorCode DeepCDDefaultModel(MPI_Comm comm, const char pre[], PetscInt dim, PetscBool galerkin, char path[], size_t len)
{
  const char *name = galerkin ? DeepCDDefaults[dim - 2].galerkin : DeepCDDefaults[dim - 2].file;
  Dl_info     info;
  char        libdir[PETSC_MAX_PATH_LEN], *slash, tried[2][PETSC_MAX_PATH_LEN];
  const char *rel[2] = {"../data", "../share/krylearn"};
  PetscBool   found;

  PetscFunctionBegin;
  PetscCheck(dladdr((void *)KrylearnDeepCDInitializePackage, &info) && info.dli_fname, comm, PETSC_ERR_LIB, "Cannot locate the Krylearn library to find the default deepcd model; give one with -%s_deepcd_model FILE.h5", pre);
  PetscCall(PetscStrncpy(libdir, info.dli_fname, sizeof(libdir)));
  PetscCall(PetscStrrchr(libdir, '/', &slash));
  if (slash == libdir) PetscCall(PetscStrncpy(libdir, ".", sizeof(libdir)));
  else slash[-1] = 0;
  for (PetscInt i = 0; i < 2; i++) {
    PetscCall(PetscSNPrintf(tried[i], sizeof(tried[i]), "%s/%s/%s", libdir, rel[i], name));
    PetscCall(PetscTestFile(tried[i], 'r', &found));
    if (found) {
      PetscCall(PetscStrncpy(path, tried[i], len));
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(comm, PETSC_ERR_FILE_OPEN, "No default %" PetscInt_FMT "-D deepcd model: neither %s nor %s exists; give one with -%s_deepcd_model FILE.h5", dim, tried[0], tried[1], pre);
}

/* "nx<sep>ny[<sep>nz]" for messages and -ksp_view */
static PetscErrorCode DeepCDGridString(PetscInt dim, const PetscInt n[], const char sep[], char str[], size_t len)
{
  PetscFunctionBegin;
  if (dim == 2) PetscCall(PetscSNPrintf(str, len, "%" PetscInt_FMT "%s%" PetscInt_FMT, n[0], sep, n[1]));
  else PetscCall(PetscSNPrintf(str, len, "%" PetscInt_FMT "%s%" PetscInt_FMT "%s%" PetscInt_FMT, n[0], sep, n[1], sep, n[2]));
  PetscFunctionReturn(0);
}

/* Network grid extent for a problem extent n: the smallest even 2^k or 3 2^(k-1) >= n, so that
   the learned V-cycle pools down to 2 or 3 cells (the depth it needs to act globally; 7
   coarsest cells cost 17 iterations where 4 take 10). The extra cells are outside the domain
   (KrylearnNetSetDomain). Adds less than n/2 cells. */
static PetscInt DeepCDPaddedExtent(PetscInt n)
{
  PetscInt p = 2;

  while (2 * p < n) p *= 2; /* p < n <= 2p, or n <= 2 */
  if (n <= p) return p;
  return p >= 4 && 3 * p / 2 >= n ? 3 * p / 2 : 2 * p;
}

/* Ownership ranges of an extent n over p processes: blocks that are multiples of the
   largest power of two 2^a with 2^a | n and n / 2^a >= p (pooling stays in a block). */
static PetscErrorCode DeepCDOwnership(PetscInt n, PetscInt p, PetscInt l[])
{
  PetscInt a = 1, units;

  PetscFunctionBegin;
  while (n % (2 * a) == 0 && n / (2 * a) >= p) a *= 2;
  units = n / a;
  for (PetscInt i = 0; i < p; i++) l[i] = (units / p + (i < units % p)) * a;
  PetscFunctionReturn(0);
}

/* The network's DMDA for a grid of extents n: padded extents and pooling-friendly ownership
   ranges, with the process grid PETSc would choose for it */
static PetscErrorCode DeepCDCreateNetGrid(MPI_Comm comm, KrylearnDeepCDNet *dn, const PetscInt n[])
{
  DM       tmp;
  PetscInt p[3] = {1, 1, 1}, *l[3] = {NULL, NULL, NULL};

  PetscFunctionBegin;
  for (PetscInt d = 0; d < 3; d++) dn->N[d] = d < dn->dim ? DeepCDPaddedExtent(n[d]) : 1;
  if (dn->dim == 2) PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, dn->N[0], dn->N[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &tmp));
  else PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, dn->N[0], dn->N[1], dn->N[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &tmp));
  PetscCall(DMSetUp(tmp));
  PetscCall(DMDAGetInfo(tmp, NULL, NULL, NULL, NULL, &p[0], &p[1], &p[2], NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDestroy(&tmp));
  for (PetscInt d = 0; d < dn->dim; d++) {
    PetscCall(PetscMalloc1(p[d], &l[d]));
    PetscCall(DeepCDOwnership(dn->N[d], p[d], l[d]));
  }
  if (dn->dim == 2) PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, dn->N[0], dn->N[1], p[0], p[1], 1, 1, l[0], l[1], &dn->da));
  else PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, dn->N[0], dn->N[1], dn->N[2], p[0], p[1], p[2], 1, 1, l[0], l[1], l[2], &dn->da));
  PetscCall(DMSetUp(dn->da));
  for (PetscInt d = 0; d < 3; d++) PetscCall(PetscFree(l[d]));
  PetscCall(DMCreateGlobalVector(dn->da, &dn->xda));
  PetscCall(VecDuplicate(dn->xda, &dn->yda));
  PetscCall(VecSet(dn->xda, 0.0));
  PetscFunctionReturn(0);
}

/* The network's options prefix: the owner's, then <pre>_deepcd_ (-ksp_deepcd_net_dnnl, -pc_deepcd_net_dnnl) */
static PetscErrorCode DeepCDNetSetOptionsPrefix(KrylearnDeepCDNet *dn, PetscObject obj)
{
  char prefix[64];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "%s_deepcd_", dn->pre));
  PetscCall(KrylearnNetSetOptionsPrefix(dn->net, obj->prefix));
  PetscCall(KrylearnNetAppendOptionsPrefix(dn->net, prefix));
  PetscFunctionReturn(0);
}

/* The faces of the operator's grid a natural cell lies on: how many, and the last one
   (2 d for the low face of axis d, 2 d + 1 for the high one) */
static PetscInt DeepCDCellFaces(const KrylearnDeepCDNet *dn, PetscInt cell, PetscInt *face)
{
  const PetscInt ijk[3] = {cell % dn->n[0], (cell / dn->n[0]) % dn->n[1], cell / (dn->n[0] * dn->n[1])};
  PetscInt       on     = 0;

  for (PetscInt d = 0; d < dn->dim; d++) {
    if (ijk[d] == 0) on++, *face = 2 * d;
    if (ijk[d] == dn->n[d] - 1) on++, *face = 2 * d + 1;
  }
  return on;
}

/* One pass over the operator's rows (MatGetRow): the decoupled rows (no nonzero off-diagonal
   entry: mask 0, their 1/A_ii in dinv) and per face the coupled rows of the cells on it alone
   and those of them summing to zero (DeepCDChooseFaces) */
static PetscErrorCode DeepCDScanOperator(KrylearnDeepCDNet *dn, Mat A)
{
  KrylearnDeepCDScan *sc = &dn->scan;
  PetscInt            rstart, rend, nc;
  const PetscInt     *cols;
  const PetscScalar  *vals;
  PetscScalar        *mask, *dinv;

  PetscFunctionBegin;
  if (!dn->mask) {
    PetscCall(MatCreateVecs(A, NULL, &dn->mask));
    PetscCall(VecDuplicate(dn->mask, &dn->dinv));
  }
  PetscCall(PetscArrayzero(sc->faces, 12));
  sc->decoupled = 0;
  PetscCall(VecSet(dn->mask, 1.0));
  PetscCall(VecSet(dn->dinv, 0.0));
  PetscCall(MatHasOperation(A, MATOP_GET_ROW, &sc->getrow));
  if (sc->getrow) {
    PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
    PetscCall(VecGetArray(dn->mask, &mask));
    PetscCall(VecGetArray(dn->dinv, &dinv));
    for (PetscInt row = rstart; row < rend; row++) {
      PetscInt    off = 0, f = 0, on;
      PetscScalar diag = 0.0, sum = 0.0;

      PetscCall(MatGetRow(A, row, &nc, &cols, &vals));
      for (PetscInt c = 0; c < nc; c++) {
        sum += vals[c];
        if (cols[c] == row) diag = vals[c];
        else off += vals[c] != 0.0;
      }
      PetscCall(MatRestoreRow(A, row, &nc, &cols, &vals));
      on = DeepCDCellFaces(dn, dn->rowcell[row - rstart], &f);
      if (off && on == 1) { /* a coupled cell on one face only: does its row sum to zero? */
        sc->faces[2 * f]++;
        if (PetscAbsScalar(sum) <= 1e-8 * PetscAbsScalar(diag)) sc->faces[2 * f + 1]++;
      } else if (!off) {
        mask[row - rstart] = 0.0;
        dinv[row - rstart] = diag != 0.0 ? 1.0 / diag : 0.0;
        sc->decoupled++;
      }
    }
    PetscCall(VecRestoreArray(dn->mask, &mask));
    PetscCall(VecRestoreArray(dn->dinv, &dinv));
  }
  PetscFunctionReturn(0);
}

/* The model given, else the shipped default for the grid's dimension (the model with Galerkin
   levels on grids it fits), configured under the owner's prefix */
static PetscErrorCode DeepCDLoadModel(KrylearnDeepCDNet *dn, PetscObject obj)
{
  MPI_Comm comm = PetscObjectComm(obj);
  PetscInt ndim;

  PetscFunctionBegin;
  dn->defaultgalerkin = PETSC_FALSE;
  if (dn->model[0]) PetscCall(PetscStrncpy(dn->modelused, dn->model, sizeof(dn->modelused)));
  else {
    dn->defaultgalerkin = PETSC_TRUE; /* 8 cells or more per axis on the network's grid */
    for (PetscInt d = 0; d < dn->dim; d++) dn->defaultgalerkin = (PetscBool)(dn->defaultgalerkin && dn->n[d] >= (8 << DeepCDDefaults[dn->dim - 2].levels));
    PetscCall(DeepCDDefaultModel(comm, dn->pre, dn->dim, dn->defaultgalerkin, dn->modelused, sizeof(dn->modelused)));
  }
  PetscCall(KrylearnNetLoad(comm, dn->modelused, &dn->net));
  PetscCall(DeepCDNetSetOptionsPrefix(dn, obj));
  PetscCall(KrylearnNetSetFromOptions(dn->net));
  PetscCall(KrylearnNetGetDimension(dn->net, &ndim));
  PetscCheck(ndim == dn->dim, comm, PETSC_ERR_ARG_INCOMP, "deepcd model %s is %" PetscInt_FMT "-D but the grid is %" PetscInt_FMT "-D", dn->modelused, ndim, dn->dim);
  PetscFunctionReturn(0);
}

/* Grid: the DMDA attached to the solver, else the one set by option/setter for a matrix
   in natural ordering. The network runs on its own DMDA (DeepCDCreateNetGrid) for the
   operator's grid, or for the coarsest classical level of a hybrid model; a scatter maps
   the rows of that level (the operator's in DMDA or natural ordering, or the level's in
   natural ordering) to its cells. Loads the model, which says which. */
static PetscErrorCode DeepCDSetUpGrid(KrylearnDeepCDNet *dn, PetscObject obj, DM dm, Mat A)
{
  MPI_Comm        comm = PetscObjectComm(obj);
  PetscBool       isda = PETSC_FALSE;
  PetscInt        M, m, rstart, ncells, dof, *idx, levels;
  const PetscInt *n;
  AO              opao = NULL, netao;
  IS              isrow, isnet;
  Vec             v;

  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &M, NULL));
  PetscCall(MatGetLocalSize(A, &m, NULL));
  PetscCall(MatGetOwnershipRange(A, &rstart, NULL));
  if (dm) PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  if (isda) {
    PetscInt xm, ym, zm;

    PetscCall(DMDAGetInfo(dm, &dn->dim, &dn->n[0], &dn->n[1], &dn->n[2], NULL, NULL, NULL, &dof, NULL, NULL, NULL, NULL, NULL));
    PetscCheck(dn->dim == 2 || dn->dim == 3, comm, PETSC_ERR_SUP, "deepcd needs a 2-D or 3-D DMDA, the solver's DMDA is %" PetscInt_FMT "-D", dn->dim);
    PetscCheck(dof == 1, comm, PETSC_ERR_SUP, "deepcd needs a DMDA with one degree of freedom per cell, the solver's has %" PetscInt_FMT, dof);
    PetscCall(DMDAGetCorners(dm, NULL, NULL, NULL, &xm, &ym, &zm));
    if (dn->dim == 2) dn->n[2] = 1, zm = 1;
    ncells = dn->n[0] * dn->n[1] * dn->n[2];
    PetscCheck(M == ncells && m == xm * ym * zm, comm, PETSC_ERR_ARG_SIZ, "deepcd: the operator has %" PetscInt_FMT " rows (%" PetscInt_FMT " on this process) but the solver's DMDA has %" PetscInt_FMT " cells (%" PetscInt_FMT " on this process)", M, m, ncells, xm * ym * zm);
    if (dn->gdim) { /* a grid given besides the DMDA must not be silently ignored */
      PetscBool same = (PetscBool)(dn->gdim == dn->dim);
      char      given[64], grid[64];

      for (PetscInt d = 0; d < dn->dim && same; d++) same = (PetscBool)(dn->gn[d] == dn->n[d]);
      PetscCall(DeepCDGridString(dn->gdim, dn->gn, "x", given, sizeof(given)));
      PetscCall(DeepCDGridString(dn->dim, dn->n, "x", grid, sizeof(grid)));
      PetscCheck(same, comm, PETSC_ERR_ARG_INCOMP, "-%s_deepcd_grid %s disagrees with the %s DMDA attached to the solver, whose grid deepcd uses: drop the option or give the DMDA's grid", dn->pre, given, grid);
    }
    PetscCall(DMDAGetAO(dm, &opao));
    dn->gridsource = "DMDA attached to the solver";
  } else {
    if (!dn->gdim) {
      PetscInt adim, an[3] = {1, 1, 1};

      PetscCall(KrylearnMatGetGrid(A, &adim, an));
      if (adim) {
        PetscCall(KrylearnDeepCDNetSetGrid(comm, dn, adim, an));
        dn->gridsource = "grid attribute of the loaded matrix";
      }
    }
    PetscCheck(dn->gdim, comm, PETSC_ERR_ARG_WRONGSTATE, "deepcd needs a grid: attach a 2-D/3-D DMDA to the solver (KSPSetDM), give -%s_deepcd_grid nx,ny[,nz] for a matrix in natural ordering, or load the matrix with a grid attribute", dn->pre);
    dn->dim = dn->gdim;
    for (PetscInt d = 0; d < 3; d++) dn->n[d] = dn->gn[d];
    ncells = dn->n[0] * dn->n[1] * dn->n[2];
    if (M != ncells) {
      char grid[64];

      PetscCall(DeepCDGridString(dn->dim, dn->n, "x", grid, sizeof(grid)));
      SETERRQ(comm, PETSC_ERR_ARG_SIZ, "deepcd: the operator has %" PetscInt_FMT " rows but the grid %s from the %s has %" PetscInt_FMT " cells", M, grid, dn->gridsource, ncells);
    }
  }
  /* operator row -> natural cell (kept by dn: a failed model load leaves nothing behind) */
  PetscCall(PetscFree(dn->rowcell));
  PetscCall(PetscMalloc1(m, &dn->rowcell));
  for (PetscInt r = 0; r < m; r++) dn->rowcell[r] = rstart + r;
  if (opao) PetscCall(AOPetscToApplication(opao, m, dn->rowcell));
  PetscCall(DeepCDLoadModel(dn, obj));
  PetscCall(KrylearnNetGetHybrid(dn->net, NULL, NULL, NULL, &levels));
  if (levels) { /* the network's rows are the natural cells of the coarsest level */
    PetscCall(KrylearnDeepCDHybridSetUpGrid(comm, dn, A, opao, &v));
    PetscCall(PetscObjectReference((PetscObject)v));
    PetscCall(VecGetLocalSize(v, &m));
    PetscCall(VecGetOwnershipRange(v, &rstart, NULL));
    PetscCall(PetscMalloc1(m, &idx));
    for (PetscInt r = 0; r < m; r++) idx[r] = rstart + r;
    n = dn->hyb.n[levels];
  } else {
    PetscCall(MatCreateVecs(A, NULL, &v));
    PetscCall(PetscMalloc1(m, &idx));
    PetscCall(PetscArraycpy(idx, dn->rowcell, m));
    n = dn->n;
  }
  PetscCall(DeepCDCreateNetGrid(comm, dn, n));

  /* natural cell -> cell of the padded network grid -> network DMDA index */
  for (PetscInt r = 0; r < m; r++) {
    PetscInt i = idx[r] % n[0], j = (idx[r] / n[0]) % n[1], k = idx[r] / (n[0] * n[1]);

    idx[r] = i + dn->N[0] * (j + dn->N[1] * k);
  }
  PetscCall(DMDAGetAO(dn->da, &netao));
  PetscCall(AOApplicationToPetsc(netao, m, idx));
  PetscCall(ISCreateStride(comm, m, rstart, 1, &isrow));
  PetscCall(ISCreateGeneral(comm, m, idx, PETSC_OWN_POINTER, &isnet));
  PetscCall(VecScatterCreate(v, isrow, dn->xda, isnet, &dn->tonet));
  PetscCall(VecDestroy(&v));
  PetscCall(KrylearnNetSetDomain(dn->net, n)); /* the padded cells are not part of the domain */
  PetscCall(KrylearnNetSetUp(dn->net, dn->da));
  PetscCall(ISDestroy(&isrow));
  PetscCall(ISDestroy(&isnet));
  PetscFunctionReturn(0);
}

/* What the network sees past each face of its grid (the grid of the operator or of the
   hybrid model's coarsest level, whose faces are the same): with "auto", mirror images past
   a closed face, one where most coupled rows of the cells on it alone (not on an edge) sum
   to zero, as no-flux faces make them. Only where the network's grid ends at the face: a
   grid padded for the poolings keeps zeros past its high faces. */
static PetscErrorCode DeepCDChooseFaces(KrylearnDeepCDNet *dn, MPI_Comm comm, const PetscInt local[12])
{
  PetscInt        global[12];
  KrylearnNetFace face[6];
  const PetscInt *level = dn->hyb.levels ? dn->hyb.n[dn->hyb.levels] : dn->n;

  PetscFunctionBegin;
  PetscCall(MPIU_Allreduce(local, global, 12, MPIU_INT, MPI_SUM, comm));
  for (PetscInt f = 0; f < 2 * dn->dim; f++) {
    PetscBool mirror = dn->faces == KRYLEARN_DEEPCD_FACES_MIRROR || (dn->faces == KRYLEARN_DEEPCD_FACES_AUTO && 2 * global[2 * f + 1] > global[2 * f]);

    face[f] = mirror && (f % 2 == 0 || dn->N[f / 2] == level[f / 2]) ? KRYLEARN_NET_FACE_MIRROR : KRYLEARN_NET_FACE_ZERO;
  }
  PetscCall(KrylearnNetSetFaces(dn->net, face));
  PetscCall(PetscArraycpy(dn->face, face, 2 * dn->dim));
  PetscFunctionReturn(0);
}

/* Decoupled rows (no nonzero off-diagonal entry): cells outside the domain or with a
   prescribed value; the network output is zeroed there and they are solved exactly.
   For a network that reads the solid geometry, the solid cells are the decoupled rows
   that no coupled row refers to either (unlike ex45's Dirichlet vertices, which their
   neighbours' rows do refer to); 'referenced' counts those references. */
static PetscErrorCode DeepCDSetUpOperator(KrylearnDeepCDNet *dn, Mat A)
{
  PetscInt           rstart, rend, nc, local[2] = {0, 0}, global[2];
  const PetscInt    *cols;
  const PetscScalar *vals, *fluid;
  const char        *geometry;
  Vec                referenced = NULL;

  PetscFunctionBegin;
  PetscCall(DeepCDScanOperator(dn, A));
  local[0] = dn->scan.decoupled;
  PetscCall(KrylearnNetGetGeometry(dn->net, &geometry));
  if (geometry && !dn->hyb.levels && dn->scan.getrow) { /* the cells the coupled rows refer to */
    PetscCall(VecDuplicate(dn->mask, &referenced));
    PetscCall(VecSet(referenced, 0.0));
    PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
    for (PetscInt row = rstart; row < rend; row++) {
      PetscCall(MatGetRow(A, row, &nc, &cols, &vals));
      for (PetscInt c = 0; c < nc; c++)
        if (cols[c] != row && vals[c] != 0.0) PetscCall(VecSetValue(referenced, cols[c], 1.0, ADD_VALUES));
      PetscCall(MatRestoreRow(A, row, &nc, &cols, &vals));
    }
  }
  PetscCall(DeepCDChooseFaces(dn, PetscObjectComm((PetscObject)A), dn->scan.faces));
  if (referenced) { /* referenced becomes the solid indicator, handed to the network on its grid */
    PetscScalar *solid;
    PetscInt     nloc;

    PetscCall(VecAssemblyBegin(referenced));
    PetscCall(VecAssemblyEnd(referenced));
    PetscCall(VecGetArrayRead(dn->mask, &fluid));
    PetscCall(VecGetArray(referenced, &solid));
    PetscCall(VecGetLocalSize(referenced, &nloc));
    for (PetscInt i = 0; i < nloc; i++) {
      solid[i] = fluid[i] == 0.0 && solid[i] == 0.0 ? 1.0 : 0.0;
      local[1] += solid[i] != 0.0;
    }
    PetscCall(VecRestoreArray(referenced, &solid));
    PetscCall(VecRestoreArrayRead(dn->mask, &fluid));
    PetscCall(VecScatterBegin(dn->tonet, referenced, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(dn->tonet, referenced, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(KrylearnNetSetGeometry(dn->net, dn->xda));
    PetscCall(VecDestroy(&referenced));
  }
  if (dn->hyb.levels) PetscCall(KrylearnDeepCDHybridSetUpOperator(dn, A, dn->mask));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_INT, MPI_SUM, PetscObjectComm((PetscObject)A)));
  dn->ndecoupled = global[0];
  dn->nsolid     = geometry && !dn->hyb.levels ? global[1] : -1;
  PetscFunctionReturn(0);
}

/* OpenMP threads for this rank: what OpenMP would use (OMP_NUM_THREADS or its default), at
   most the cores the rank has alone: those it is bound to, and its share of the node's
   cores among the solver's ranks there. Ranks x threads never exceed the cores. */
static PetscErrorCode DeepCDChooseThreads(MPI_Comm comm, KrylearnDeepCDNet *dn)
{
  MPI_Comm  node;
  const int online = (int)sysconf(_SC_NPROCESSORS_ONLN);

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &dn->noderanks));
  PetscCallMPI(MPI_Comm_free(&node));
  dn->cores      = PetscMin(omp_get_num_procs(), PetscMax(1, online / dn->noderanks));
  dn->ompthreads = omp_get_max_threads();
  dn->threads    = PetscMin(dn->ompthreads, dn->cores);
  PetscFunctionReturn(0);
}

/* Builds what is missing (network grid and scatter, network) and rescans the operator for
   decoupled rows when it is another matrix or has been modified */
PetscErrorCode KrylearnDeepCDNetSetUp(KrylearnDeepCDNet *dn, PetscObject obj, DM dm, Mat A)
{
  PetscObjectId    id;
  PetscObjectState state;
  int              ompthreads;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KRYLEARN_DeepCDSetUp, obj, 0, 0, 0));
  if (!dn->da) PetscCall(DeepCDChooseThreads(PetscObjectComm(obj), dn));
  ompthreads = omp_get_max_threads(); /* the caller's setting, restored at the end */
  omp_set_num_threads((int)dn->threads);
  if (!dn->da) PetscCall(DeepCDSetUpGrid(dn, obj, dm, A));
  PetscCall(PetscObjectGetId((PetscObject)A, &id));
  PetscCall(PetscObjectStateGet((PetscObject)A, &state));
  if (!dn->mask || id != dn->matid || state != dn->matstate) {
    PetscCall(DeepCDSetUpOperator(dn, A));
    dn->matid    = id;
    dn->matstate = state;
  }
  omp_set_num_threads(ompthreads);
  PetscCall(PetscLogEventEnd(KRYLEARN_DeepCDSetUp, obj, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* y = N(scale x) for x, y on the rows the scatter maps to the network's DMDA */
PetscErrorCode KrylearnDeepCDNetRun_Private(KrylearnDeepCDNet *dn, Vec x, PetscReal scale, Vec y)
{
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(dn->tonet, x, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(dn->tonet, x, dn->xda, INSERT_VALUES, SCATTER_FORWARD));
  if (scale != 1.0) PetscCall(VecScale(dn->xda, scale));
  PetscCall(KrylearnNetApply(dn->net, dn->xda, dn->yda));
  PetscCall(VecScatterBegin(dn->tonet, dn->yda, y, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(dn->tonet, dn->yda, y, INSERT_VALUES, SCATTER_REVERSE));
  PetscFunctionReturn(0);
}

/* q = mask .* N(scale r): the network on the DMDA (or the hybrid cycle around it on its
   coarse grid), zero on cells outside the domain; the scale is applied where r is read */
PetscErrorCode KrylearnDeepCDNetApply(KrylearnDeepCDNet *dn, Vec r, PetscReal scale, Vec q)
{
  PetscLogDouble t0, t1;
  const int      ompthreads = omp_get_max_threads();

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KRYLEARN_DeepCDNetApply, r, q, 0, 0));
  PetscCall(PetscTime(&t0));
  omp_set_num_threads((int)dn->threads);
  if (dn->hyb.levels) PetscCall(KrylearnDeepCDHybridApply(dn, r, scale, q));
  else PetscCall(KrylearnDeepCDNetRun_Private(dn, r, scale, q));
  omp_set_num_threads(ompthreads);
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogEventEnd(KRYLEARN_DeepCDNetApply, r, q, 0, 0));
  if (dn->ndecoupled && !dn->hyb.levels) PetscCall(VecPointwiseMult(q, q, dn->mask)); /* the hybrid cycle's direction vanishes there already: D^-1 and P_0 do */
  dn->napply++;
  dn->tapply += t1 - t0;
  PetscFunctionReturn(0);
}

/* The -ksp_view/-pc_view lines shared by KSPDEEPCD and PCDEEPCD */
PetscErrorCode KrylearnDeepCDNetView(KrylearnDeepCDNet *dn, PetscViewer viewer)
{
  char grid[64];

  PetscFunctionBegin;
  if (!dn->da) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "model: %s (not set up)\n", dn->model[0] ? dn->model : "default for the grid's dimension"));
    PetscFunctionReturn(0);
  }
  if (dn->model[0]) PetscCall(PetscViewerASCIIPrintf(viewer, "model: %s\n", dn->modelused));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "model: %s (default%s)\n", dn->modelused, dn->defaultgalerkin ? " with Galerkin levels" : ""));
  PetscCall(DeepCDGridString(dn->dim, dn->n, " x ", grid, sizeof(grid)));
  PetscCall(PetscViewerASCIIPrintf(viewer, "grid: %s from the %s\n", grid, dn->gridsource));
  if (dn->hyb.levels) PetscCall(KrylearnDeepCDHybridView(dn, viewer));
  else if (dn->N[0] != dn->n[0] || dn->N[1] != dn->n[1] || dn->N[2] != dn->n[2]) {
    PetscCall(DeepCDGridString(dn->dim, dn->N, " x ", grid, sizeof(grid)));
    PetscCall(PetscViewerASCIIPrintf(viewer, "network grid padded with zero cells to %s\n", grid));
  }
  {
    const char *side[2] = {"-", "+"}, *axis = "xyz";
    char        line[160];
    size_t      len;

    PetscCall(PetscSNPrintf(line, sizeof(line), "past the grid's faces (%s):", KrylearnDeepCDFaceTypes[dn->faces]));
    for (PetscInt f = 0; f < 2 * dn->dim; f++) {
      PetscCall(PetscStrlen(line, &len));
      PetscCall(PetscSNPrintf(line + len, sizeof(line) - len, " %c%s %s", axis[f / 2], side[f % 2], dn->face[f] == KRYLEARN_NET_FACE_MIRROR ? "mirror" : "zero"));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", line));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "cells outside the domain (decoupled rows): %" PetscInt_FMT "\n", dn->ndecoupled));
  if (dn->nsolid >= 0) PetscCall(PetscViewerASCIIPrintf(viewer, "solid cells in the network's geometry field (decoupled rows no other row refers to): %" PetscInt_FMT "\n", dn->nsolid));
  PetscCall(
    PetscViewerASCIIPrintf(viewer, "OpenMP threads per rank: %" PetscInt_FMT " (OpenMP's %" PetscInt_FMT ", at most the %" PetscInt_FMT " core(s) each of the solver's %d rank(s) on a node has)\n", dn->threads, dn->ompthreads, dn->cores, (int)dn->noderanks));
  PetscCall(PetscViewerASCIIPrintf(viewer, "network applications: %" PetscInt_FMT ", inference time %g s (%g s each)\n", dn->napply, (double)dn->tapply, dn->napply ? (double)(dn->tapply / dn->napply) : 0.0));
  if (dn->net) {
    PetscCall(PetscViewerASCIIPushTab(viewer));
    PetscCall(KrylearnNetView(dn->net, viewer));
    PetscCall(PetscViewerASCIIPopTab(viewer));
  }
  PetscFunctionReturn(0);
}

/* Frees what KrylearnDeepCDNetSetUp() built; the settings (model, grid, faces) stay */
PetscErrorCode KrylearnDeepCDNetReset(KrylearnDeepCDNet *dn)
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDHybridReset(dn));
  PetscCall(PetscFree(dn->rowcell));
  if (dn->net) PetscCall(KrylearnNetDestroy(&dn->net));
  PetscCall(DMDestroy(&dn->da));
  PetscCall(VecScatterDestroy(&dn->tonet));
  PetscCall(VecDestroy(&dn->xda));
  PetscCall(VecDestroy(&dn->yda));
  PetscCall(VecDestroy(&dn->mask));
  PetscCall(VecDestroy(&dn->dinv));
  dn->matid    = 0;
  dn->matstate = 0;
  dn->napply   = 0;
  dn->tapply   = 0.0;
  PetscFunctionReturn(0);
}
