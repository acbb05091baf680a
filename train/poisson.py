"""Pressure-Poisson operators on cell-centred grids, following the project convention.

Arrays of cells are numpy arrays indexed [k, j, i] (3-D) or [j, i] (2-D), so that a
C-order flatten gives the global index i + nx*(j + ny*k) with x fastest.

For a fluid cell the diagonal is the sum of the coefficients of its faces that lead to
a fluid cell or out of the domain (Dirichlet: p = 0 outside); each fluid neighbour gets
minus the face coefficient off the diagonal; faces to solid cells carry nothing
(Neumann). Solid cells keep an identity row. With unit coefficients this is the
unscaled 5-/7-point stencil of the convention. The closed-box variant treats the
domain boundary like a solid wall; the constant on the fluid cells is then its null
space.
"""
import warnings

import numpy as np
import scipy.sparse as sp
import torch


def cell_centres(shape):
    """Cell centres in units of cells, one array per axis in [k, j, i] order."""
    return np.meshgrid(*[np.arange(n) + 0.5 for n in shape], indexing="ij")


def obstacle(shape, kind="none", centre=None):
    """Boolean solid mask for the project's obstacles on a grid of `shape` ([nz,] ny, nx).

    'none': all fluid. 'disc': disc/ball of radius 0.15 N centred at (0.5, 0.4[, 0.5]).
    'box': square/cube of side 0.25 N centred at (0.55, 0.5[, 0.5]). N is nx; the
    centre is given in (x, y[, z]) fractions of each axis, and `centre` moves it.
    """
    shape = tuple(int(n) for n in shape)
    if kind == "none":
        return np.zeros(shape, dtype=bool)
    usual = {"disc": (0.5, 0.4, 0.5), "box": (0.55, 0.5, 0.5)}
    if kind not in usual:
        raise ValueError(f"unknown obstacle '{kind}' (none, disc, box)")
    if centre is not None and (len(centre) != len(shape) or not all(0 <= f <= 1 for f in centre)):
        raise ValueError(f"the obstacle centre needs {len(shape)} fractions in [0, 1], got {centre}")
    x = cell_centres(shape)[::-1]                      # x, y[, z]
    c = [f * n for f, n in zip(usual[kind] if centre is None else centre, shape[::-1])]
    n = shape[-1]
    if kind == "disc":
        return sum((xa - ca) ** 2 for xa, ca in zip(x, c)) <= (0.15 * n) ** 2
    return np.logical_and.reduce([np.abs(xa - ca) <= 0.125 * n for xa, ca in zip(x, c)])


def plume_rhs(solid, neumann=False):
    """The plume-like right-hand side of the pressure problems (flattened, x fastest):
    a Gaussian blob low in the domain with an oscillating part, zero on solid cells;
    with neumann, made consistent (orthogonal to the fluid indicator)."""
    solid = np.asarray(solid, dtype=bool)
    x = [c / n for c, n in zip(cell_centres(solid.shape)[::-1], solid.shape[::-1])]   # x, y[, z] in (0, 1)
    z = x[2] if len(x) == 3 else 0.5
    r2 = (x[0] - 0.5) ** 2 + (x[1] - 0.15) ** 2 + (z - 0.5) ** 2
    b = np.exp(-r2 / (2 * 0.1 ** 2)) * (1 + 0.5 * np.sin(14 * np.pi * x[0]) * np.sin(10 * np.pi * x[1])) \
        + 0.1 * np.cos(6 * np.pi * z)
    b = np.where(solid, 0.0, b).reshape(-1)
    if neumann:
        f = (~solid).reshape(-1).astype(float)
        b -= f * (b @ f) / (f @ f)
    return b


def pressure_problem(shape, kind="none", neumann=False, centre=None):
    """The pressure-Poisson system of KrylearnPressureCreate (include/krylearnpressure.h)
    on a grid of `shape` ([nz,] ny, nx) with obstacle `kind` (centred at `centre`, fractions
    of each axis x first, when given): (A, b, solid), A scipy CSR, b and the solid mask
    flattened with x fastest."""
    solid = obstacle(shape, kind, centre)
    return operator(solid, neumann=neumann), plume_rhs(solid, neumann), solid.reshape(-1)


def smooth_coefficient(shape, contrast=10.0, seed=0):
    """A smooth positive cell coefficient between 1 and `contrast` (sum of random waves)."""
    rng = np.random.default_rng(seed)
    x = [xa / n for xa, n in zip(cell_centres(shape), shape)]
    s = np.zeros(shape)
    for _ in range(4):
        kvec = rng.uniform(1.0, 3.0, len(shape)) * 2 * np.pi
        s += np.sin(sum(k * xa for k, xa in zip(kvec, x)) + rng.uniform(0, 2 * np.pi))
    s = (s - s.min()) / (s.max() - s.min())
    return contrast ** s


def operator(solid, neumann=False, coefficient=None):
    """Assemble the convention's matrix (scipy CSR, float64) for a solid mask.

    coefficient: optional positive per-cell array; a face between two fluid cells
    gets their harmonic mean, a face out of the domain the cell's own value.
    """
    solid = np.asarray(solid, dtype=bool)
    shape, n = solid.shape, solid.size
    fluid = ~solid
    k = np.ones(shape) if coefficient is None else np.asarray(coefficient, dtype=float)
    idx = np.arange(n).reshape(shape)
    diag = np.where(solid, 1.0, 0.0)
    rows, cols, vals = [], [], []
    for axis in range(solid.ndim):
        for step in (-1, 1):
            nb = np.roll(idx, -step, axis=axis)
            inside = np.ones(shape, dtype=bool)
            edge = [slice(None)] * solid.ndim
            edge[axis] = -1 if step == 1 else 0
            inside[tuple(edge)] = False
            nb_fluid = inside & fluid.reshape(-1)[nb]
            knb = k.reshape(-1)[nb]
            face = 2 * k * knb / (k + knb)
            link = fluid & nb_fluid
            diag += np.where(link, face, 0.0)
            if not neumann:
                diag += np.where(fluid & ~inside, k, 0.0)
            rows.append(idx[link])
            cols.append(nb[link])
            vals.append(-face[link])
    rows.append(idx.reshape(-1))
    cols.append(idx.reshape(-1))
    vals.append(diag.reshape(-1))
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    A.sort_indices()
    return A


def ex45_operator(m):
    """PETSc ksp/tutorials/ex45's matrix and right-hand side on m^3 vertices (h = 1/(m-1)).

    Boundary vertices have a diagonal-only row (Dirichlet, u = 1); interior rows are the
    h-scaled 7-point stencil and also couple to boundary vertices, so the matrix is not
    symmetric. Returned as (A, b) in the project's index order.
    """
    h = 1.0 / (m - 1)
    shape = (m, m, m)
    boundary = np.zeros(shape, dtype=bool)
    for axis in range(3):
        edge = [slice(None)] * 3
        for e in (0, -1):
            edge[axis] = e
            boundary[tuple(edge)] = True
    n = m ** 3
    idx = np.arange(n).reshape(shape)
    interior = ~boundary
    rows, cols, vals = [idx.reshape(-1)], [idx.reshape(-1)], [np.full(n, 6.0 * h)]
    for axis in range(3):
        for step in (-1, 1):
            nb = np.roll(idx, -step, axis=axis)
            rows.append(idx[interior])
            cols.append(nb[interior])
            vals.append(np.full(interior.sum(), -h))
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    b = np.where(boundary, 6.0 * h, h ** 3).reshape(-1)
    return A, b


def decoupled_rows(A):
    """Rows holding only a diagonal entry (solid cells, Dirichlet vertices): the cells
    a grid solver treats as outside the domain. Returns a boolean array."""
    A = sp.csr_matrix(A)
    nnz = np.diff(A.indptr)
    offdiag = nnz - (A.diagonal() != 0)
    return offdiag == 0


def closed_faces(A, shape):
    """Which faces of the grid of `shape` ([nz,] ny, nx; x fastest) are closed: most coupled
    rows of the cells on that face alone (not on an edge) sum to zero, as no-flux faces
    make them. 2 * dim booleans, the low and high face of x, then y (then z); the rule
    deepcd's -ksp_deepcd_faces auto applies."""
    A = sp.csr_matrix(A)
    dim = len(shape)
    ijk = np.unravel_index(np.arange(A.shape[0]), shape)[::-1]   # x, y(, z) of each row
    low = [c == 0 for c in ijk]
    high = [c == n - 1 for c, n in zip(ijk, shape[::-1])]
    on = sum(l.astype(int) + h.astype(int) for l, h in zip(low, high))
    sums = np.asarray(A.sum(axis=1)).ravel()
    zero = np.abs(sums) <= 1e-8 * np.abs(A.diagonal())
    counted = (on == 1) & ~decoupled_rows(A)
    closed = []
    for axis in range(dim):
        for face in (low[axis], high[axis]):
            rows = counted & face
            closed.append(bool(2 * np.count_nonzero(rows & zero) > np.count_nonzero(rows)))
    return closed


def solid_cells(A):
    """Cells whose row and column both hold only a diagonal entry: solid cells that no
    other cell couples to (Neumann walls), unlike prescribed values that their
    neighbours' rows still refer to (ex45's Dirichlet vertices). The geometry field of
    gated models. Returns a boolean array."""
    A = sp.csr_matrix(A)
    return decoupled_rows(A) & decoupled_rows(A.T)


def to_torch(A, device="cpu", dtype=torch.float32):
    """The matrix as a torch sparse CSR tensor (A @ dense works batched)."""
    A = sp.csr_matrix(A)
    with warnings.catch_warnings():   # PyTorch 1.13 flags sparse CSR as beta
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(torch.from_numpy(A.indptr.astype(np.int64)),
                                       torch.from_numpy(A.indices.astype(np.int64)),
                                       torch.from_numpy(A.data).to(dtype), size=A.shape, device=device)
