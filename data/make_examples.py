#!/usr/bin/python3
"""Writes the example matrices of data/ (see docs/io.md for the layout).

    poisson2d.h5       pressure Poisson, 64 x 64 cells, all fluid
    poisson2d-disc.h5  pressure Poisson, 64 x 64 cells, disc obstacle
    poisson2d-box.h5   pressure Poisson, 64 x 64 cells, square obstacle (unseen shape)
    poisson3d.h5       pressure Poisson, 32 x 32 x 32 cells, all fluid
    poisson3d-ball.h5  pressure Poisson, 32 x 32 x 32 cells, ball obstacle
    diffusion2d.h5     variable-coefficient diffusion, 64 x 64 cells (SPD, not Poisson)

Each file holds, in its root group, the matrix in scipy CSR layout (indptr, indices,
data, shape; attributes format = "csr" and grid), a right-hand side b, the solution x
of A x = b and, with an obstacle, the mask solid (1 = obstacle cell).

Usage: make_examples.py [OUTDIR]   (default: the directory of this script)
"""
import os
import sys

import h5py
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import poisson  # noqa: E402  the project's one pressure-Poisson implementation


def cell_centres(shape):
    """Cell centres in the unit box, x fastest (index = i + nx*(j + ny*k))."""
    axes = [(np.arange(n) + 0.5) / n for n in shape]
    grids = np.meshgrid(*axes[::-1], indexing="ij")[::-1]
    return [g.ravel() for g in grids]


def neighbours(shape):
    """For each direction: (cells with a neighbour there, the neighbour index)."""
    n = int(np.prod(shape))
    idx = np.arange(n).reshape(shape[::-1])
    out = []
    for axis in range(len(shape)):
        ax = len(shape) - 1 - axis  # numpy axis of grid direction 'axis'
        for step in (-1, 1):
            src = np.moveaxis(idx, ax, 0)
            if step < 0:
                a, b = src[1:], src[:-1]
            else:
                a, b = src[:-1], src[1:]
            out.append((a.ravel(), b.ravel()))
    return out


def diffusion(shape):
    """-div(k grad u) with k = exp(2 sin(2 pi x) cos(2 pi y)), harmonic face averages, Dirichlet outside."""
    n = int(np.prod(shape))
    x, y = cell_centres(shape)[:2]
    k = np.exp(2.0 * np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y))
    diag = np.zeros(n)
    rows, cols, vals = [], [], []
    for a, b in neighbours(shape):
        face = 2.0 * k[a] * k[b] / (k[a] + k[b])
        diag[a] += face
        rows.append(a), cols.append(b), vals.append(-face)
    counts = np.zeros(n)
    for a, _ in neighbours(shape):
        counts[a] += 1
    diag += (2 * len(shape) - counts) * 2.0 * k  # boundary faces: half-cell distance to the wall
    r = np.concatenate(rows + [np.arange(n)])
    c = np.concatenate(cols + [np.arange(n)])
    v = np.concatenate(vals + [diag])
    return sp.csr_matrix((v, (r, c)), shape=(n, n))


def source(shape, solid):
    """Right-hand side: a source and a sink (Gaussians), zero in obstacle cells."""
    xs = cell_centres(shape)
    src = [0.25, 0.7, 0.3][: len(shape)]
    snk = [0.75, 0.25, 0.7][: len(shape)]
    b = np.exp(-sum((x - c) ** 2 for x, c in zip(xs, src)) / 0.01) - np.exp(-sum((x - c) ** 2 for x, c in zip(xs, snk)) / 0.01)
    b[solid] = 0.0
    return b


def write(path, A, grid, b, solid=None, description=""):
    A = A.tocsr()
    A.sort_indices()
    x = spla.spsolve(A.tocsc(), b)
    with h5py.File(path, "w") as f:
        opts = dict(compression="gzip", compression_opts=9, shuffle=True)
        f.create_dataset("indptr", data=A.indptr.astype(np.int32), **opts)
        f.create_dataset("indices", data=A.indices.astype(np.int32), **opts)
        f.create_dataset("data", data=A.data, **opts)
        f.create_dataset("shape", data=np.array(A.shape, dtype=np.int64))
        f.create_dataset("b", data=b, **opts)
        f.create_dataset("x", data=x, **opts)
        if solid is not None:
            f.create_dataset("solid", data=solid.astype(np.uint8), **opts)
        # fixed-length strings: a variable-length one lives in the global heap, which libhdf5
        # follows unchecked (docs/io.md)
        f.attrs["format"] = np.bytes_(b"csr")
        f.attrs["grid"] = np.array(grid, dtype=np.int64)
        f.attrs["description"] = np.bytes_(description.encode("ascii"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    obstacles = {"disc": "disc", "ball": "disc", "box": "box"}
    for name, shape in [("poisson2d", (64, 64)), ("poisson2d-disc", (64, 64)), ("poisson2d-box", (64, 64)),
                        ("poisson3d", (32, 32, 32)), ("poisson3d-ball", (32, 32, 32))]:
        obstacle = name.partition("-")[2]
        solid = poisson.obstacle(shape[::-1], obstacles[obstacle] if obstacle else "none").reshape(-1)
        what = f"pressure Poisson, {' x '.join(map(str, shape))} cells" + (f", {obstacle} obstacle" if obstacle else "")
        write(os.path.join(out, name + ".h5"), poisson.operator(solid.reshape(shape[::-1])), shape, source(shape, solid), solid if obstacle else None, what)
    shape = (64, 64)
    write(os.path.join(out, "diffusion2d.h5"), diffusion(shape), shape, source(shape, np.zeros(64 * 64, dtype=bool)), None,
          "variable-coefficient diffusion k = exp(2 sin(2 pi x) cos(2 pi y)), 64 x 64 cells")


if __name__ == "__main__":
    main()
