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


def _attr_str(obj, name):
    v = obj.attrs.get(name)
    if v is None:
        return None
    if isinstance(v, bytes):
        return v.decode()
    return v if isinstance(v, str) else None


def _ints(dataset):
    a = dataset[()]
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{dataset.name}: indices must be integers, not {a.dtype}")
    return a.astype(np.int64)


def _shape(group, where):
    if "shape" in group:
        shape = _ints(group["shape"])
    elif "shape" in group.attrs:
        shape = np.asarray(group.attrs["shape"])
    else:
        raise ValueError(f"{where}: no 'shape' dataset or attribute")
    if shape.size != 2:
        raise ValueError(f"{where}: 'shape' has {shape.size} entries, 2 expected")
    return int(shape.ravel()[0]), int(shape.ravel()[1])


def read_matrix(obj, where):
    """The matrix in an HDF5 group (or a 2-D dataset) by the rules of KrylearnMatLoad (docs/io.md):
    jc/ir/data is the PETSc layout (jc = row pointers, ir = columns, attribute MATLAB_sparse = columns)
    unless the group has a MATLAB_class attribute (MATLAB v7.3: jc = column pointers, ir = rows,
    MATLAB_sparse = rows); indptr/indices/data/shape is CSC when a format, h5sparse_format or
    encoding-type attribute says csc, or, with none of them, when the matrix is not square and indptr
    has columns + 1 entries, else CSR; row/col/data/shape is COO with repeated entries summed; a 2-D
    dataset is dense, row-major. A 'symmetric' attribute means one triangle is stored."""
    if isinstance(obj, h5py.Dataset):
        if obj.ndim != 2:
            raise ValueError(f"{where}: a dense matrix needs a 2-D dataset, '{obj.name}' has {obj.ndim} dimensions")
        A = sp.csr_matrix(np.asarray(obj[()], dtype=np.float64))
    else:
        keys = set(obj.keys())
        data = lambda: np.asarray(obj["data"][()], dtype=np.float64)
        if {"jc", "ir", "data"} <= keys:
            jc, ir = _ints(obj["jc"]), _ints(obj["ir"])
            if "MATLAB_sparse" not in obj.attrs:
                raise ValueError(f"{where}: no 'MATLAB_sparse' attribute")
            other = int(np.asarray(obj.attrs["MATLAB_sparse"]).ravel()[0])
            if "MATLAB_class" in obj.attrs:
                A = sp.csc_matrix((data(), ir, jc), shape=(other, len(jc) - 1))
            else:
                A = sp.csr_matrix((data(), ir, jc), shape=(len(jc) - 1, other))
        elif {"indptr", "indices", "data"} <= keys:
            M, N = _shape(obj, where)
            indptr, indices = _ints(obj["indptr"]), _ints(obj["indices"])
            csc = None
            for name in ("format", "h5sparse_format", "encoding-type"):
                value = _attr_str(obj, name)
                if value is not None and ("csc" in value or "csr" in value):
                    csc = "csc" in value
                    break
            if csc is None:
                csc = M != N and len(indptr) == N + 1
            A = (sp.csc_matrix if csc else sp.csr_matrix)((data(), indices, indptr), shape=(M, N))
        elif {"row", "col", "data"} <= keys:
            A = sp.coo_matrix((data(), (_ints(obj["row"]), _ints(obj["col"]))), shape=_shape(obj, where))
        else:
            raise ValueError(f"{where}: no matrix found (expected jc/ir/data, indptr/indices/data/shape or row/col/data/shape)")
    A = sp.csr_matrix(A)
    A.sum_duplicates()
    if not np.all(np.isfinite(A.data)):
        raise ValueError(f"{where}: the matrix holds a NaN or Inf value")
    flag = obj.attrs.get("symmetric")
    if flag is not None and bool(np.asarray(flag).ravel()[0]):
        if A.shape[0] != A.shape[1]:
            raise ValueError(f"{where}: flagged symmetric but the matrix is {A.shape[0]} x {A.shape[1]}")
        if sp.triu(A, 1).nnz and sp.tril(A, -1).nnz:
            raise ValueError(f"{where}: flagged symmetric (one triangle stored) but holds entries in both triangles")
        A = sp.csr_matrix(A + sp.triu(A, 1).T + sp.tril(A, -1).T)
    return A


def load(spec):
    """Build the Problem named by `spec` (see the module docstring)."""
    if ".h5" in spec:
        path, _, group = spec.partition(":")
        with h5py.File(path, "r") as f:
            g = f[group] if group else f
            A = read_matrix(g, spec)
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
