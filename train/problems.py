"""Training problems: generated pressure-Poisson grids or matrices read from HDF5.

A problem is named on the command line as
    KIND:NX,NY[,NZ][:neumann]   KIND in none, disc, box (poisson.obstacle)
    FILE.h5[:GROUP]             a matrix in one of the ingestion layouts, with its
                                 'grid' attribute ([nx, ny] or [nx, ny, nz])
"""
import h5py
import numpy as np
import scipy.sparse as sp
import torch

import poisson


class Problem:
    """An operator on a grid: A (scipy CSR), shape ([nz,] ny, nx), active cells."""

    def __init__(self, name, A, shape):
        self.name, self.A, self.shape = name, sp.csr_matrix(A), tuple(int(n) for n in shape)
        if self.A.shape != (np.prod(self.shape),) * 2:
            raise ValueError(f"{name}: matrix of size {self.A.shape} does not match grid {self.shape[::-1]}")
        self.active = ~poisson.decoupled_rows(self.A)
        self.solid = poisson.solid_cells(self.A)

    def geometry(self, device="cpu"):
        """The solid-cell field as a (1, 1, *shape) float32 tensor (gated models' input)."""
        return torch.as_tensor(self.solid.reshape((1, 1) + self.shape), dtype=torch.float32, device=device)

    def describe(self):
        return {"name": self.name, "grid": list(self.shape[::-1]), "rows": self.A.shape[0],
                "nonzeros": int(self.A.nnz), "active_cells": int(self.active.sum())}


def _read_matrix(group, where):
    keys = set(group.keys())
    shape = tuple(int(v) for v in group["shape"][()]) if "shape" in keys else None
    if {"indptr", "indices", "data"} <= keys:
        layout = sp.csc_matrix if group.attrs.get("format", b"csr") in ("csc", b"csc") else sp.csr_matrix
        return layout((group["data"][()], group["indices"][()], group["indptr"][()]), shape=shape)
    if {"row", "col", "data"} <= keys:
        return sp.coo_matrix((group["data"][()], (group["row"][()], group["col"][()])), shape=shape)
    if {"jc", "ir", "data"} <= keys:          # MATLAB v7.3 / PETSc: compressed columns
        jc = group["jc"][()]
        n = len(jc) - 1
        m = int(group.attrs.get("MATLAB_sparse", n))
        return sp.csc_matrix((group["data"][()], group["ir"][()], jc), shape=(m, n))
    raise ValueError(f"{where}: no matrix found (expected indptr/indices/data, row/col/data or jc/ir/data)")


def load(spec):
    """Build the Problem named by `spec` (see the module docstring)."""
    if ".h5" in spec:
        path, _, group = spec.partition(":")
        with h5py.File(path, "r") as f:
            g = f[group] if group else f
            A = _read_matrix(g, spec)
            grid = g.attrs.get("grid", f.attrs.get("grid"))
            if grid is None:
                raise ValueError(f"{spec}: no 'grid' attribute")
        return Problem(spec, A, tuple(int(n) for n in grid)[::-1])
    parts = spec.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "neumann"):
        raise ValueError(f"bad problem '{spec}': expected KIND:NX,NY[,NZ][:neumann] or FILE.h5[:GROUP]")
    grid = tuple(int(n) for n in parts[1].split(","))
    if len(grid) not in (2, 3):
        raise ValueError(f"bad problem '{spec}': grid must have 2 or 3 sizes")
    shape = grid[::-1]
    return Problem(spec, poisson.operator(poisson.obstacle(shape, parts[0]), neumann=len(parts) == 3), shape)
