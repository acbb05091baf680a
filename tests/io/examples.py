#!/usr/bin/python3
"""The shipped examples follow the pressure-Poisson convention: each matrix, ingested
by krylearn-ingest and written to PETSc binary, equals the one rebuilt here cell by
cell from the rule (fluid cell: diagonal = 2*dim minus solid neighbours, -1 per fluid
neighbour; solid cell: identity row), the obstacles are the disc/ball of radius 0.15*N at
(0.5, 0.4[, 0.5]) and the square of side 0.25*N at (0.55, 0.5), the diffusion matrix is SPD, and the stored x solves A x = b."""
import os
import sys

import h5py
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ingestref import EXAMPLES, read_petsc_binary, run, same_bits

DATA = os.environ["DATA"]


def poisson_by_cells(shape, solid):
    n = int(np.prod(shape))
    strides = [int(np.prod(shape[:d])) for d in range(len(shape))]
    rows, cols, vals = [], [], []
    for c in range(n):
        if solid[c]:
            rows.append(c), cols.append(c), vals.append(1.0)
            continue
        coord = [(c // strides[d]) % shape[d] for d in range(len(shape))]
        diag = 2.0 * len(shape)
        for d in range(len(shape)):
            for s in (-1, 1):
                q = coord[d] + s
                if q < 0 or q >= shape[d]:
                    continue  # outside: Dirichlet, counts in the diagonal
                nb = c + s * strides[d]
                if solid[nb]:
                    diag -= 1.0
                else:
                    rows.append(c), cols.append(nb), vals.append(-1.0)
        rows.append(c), cols.append(c), vals.append(diag)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def obstacle_by_cells(shape, kind):
    """disc/ball: radius 0.15 at (0.5, 0.4[, 0.5]); box: side 0.25 at (0.55, 0.5[, 0.5]) (unit box)"""
    solid = np.zeros(int(np.prod(shape)), dtype=bool)
    for c in range(solid.size):
        coord, rest = [], c
        for d in range(len(shape)):
            coord.append((rest % shape[d] + 0.5) / shape[d])
            rest //= shape[d]
        if kind == "box":
            solid[c] = all(abs(x - [0.55, 0.5, 0.5][d]) <= 0.125 for d, x in enumerate(coord))
        else:
            solid[c] = sum((x - [0.5, 0.4, 0.5][d]) ** 2 for d, x in enumerate(coord)) <= 0.15**2
    return solid


failed = 0
for name in EXAMPLES:
    path = os.path.join(DATA, name + ".h5")
    run(["convert", path, name + ".bin"])
    A = read_petsc_binary(name + ".bin")
    with h5py.File(path, "r") as f:
        grid = tuple(int(g) for g in f.attrs["grid"])
        b, x = f["b"][...], f["x"][...]
        solid = f["solid"][...].astype(bool) if "solid" in f else np.zeros(A.shape[0], dtype=bool)
    checks = {"grid fits": int(np.prod(grid)) == A.shape[0],
              "A x = b": np.linalg.norm(A @ x - b) <= 1e-10 * np.linalg.norm(b),
              "symmetric": abs(A - A.T).max() == 0}
    if name.startswith("poisson"):
        checks["convention"] = same_bits(A, poisson_by_cells(grid, solid))
        kind = name.partition("-")[2]
        checks["obstacle"] = np.array_equal(solid, obstacle_by_cells(grid, kind)) and solid.any() if kind else not solid.any()
    else:
        lo = spla.eigsh(A.tocsc(), k=1, sigma=0, which="LM", return_eigenvectors=False)[0]
        checks["positive definite"] = lo > 0
        checks["not Poisson"] = not same_bits(A, poisson_by_cells(grid, solid))
    ok = all(checks.values())
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {A.shape[0]} rows, {A.nnz} nonzeros, grid {grid}, {int(solid.sum())} solid cells; "
          + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    failed += not ok
sys.exit(1 if failed else 0)
