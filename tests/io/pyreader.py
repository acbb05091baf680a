#!/usr/bin/python3
"""The Python matrix reader (train/problems.py read_matrix) reads every layout by the rule of the C
loader: non-symmetric 2 x 3 and 5 x 7 matrices (and a one-triangle symmetric file) are written in
every layout with h5py, converted by bin/krylearn-ingest to PETSc binary (parsed here with numpy),
and both results must equal the matrix written, entry for entry, with the same shape."""
import os
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp

from problems import read_matrix

BIN = os.environ.get("BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin"))


def petsc_binary(path):
    """A matrix in PETSc's binary format (big-endian: class id, M, N, nz, row lengths, columns, values)"""
    raw = open(path, "rb").read()
    head = np.frombuffer(raw, ">i4", 4)
    assert head[0] == 1211216, f"{path}: not a PETSc binary matrix"
    M, N, nz = (int(v) for v in head[1:])
    lens = np.frombuffer(raw, ">i4", M, 16)
    cols = np.frombuffer(raw, ">i4", nz, 16 + 4 * M)
    vals = np.frombuffer(raw, ">f8", nz, 16 + 4 * M + 4 * nz)
    indptr = np.r_[0, np.cumsum(lens)]
    return sp.csr_matrix((vals.astype(np.float64), cols.astype(np.int64), indptr), shape=(M, N))


def write(path, group, A, layout):
    """A (scipy) in one layout; returns the FILE:PATH argument"""
    with h5py.File(path, "a") as f:
        if layout == "dense":
            f[group] = A.toarray()
            return f"{path}:/{group}"
        g = f.create_group(group)
        if layout == "petsc":
            R = sp.csr_matrix(A)
            g["jc"], g["ir"], g["data"] = R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data
            g.attrs["MATLAB_sparse"] = np.int64(A.shape[1])
        elif layout == "matlab":
            K = sp.csc_matrix(A)
            g["jc"], g["ir"], g["data"] = K.indptr.astype(np.uint64), K.indices.astype(np.uint64), K.data
            g.attrs["MATLAB_class"], g.attrs["MATLAB_sparse"] = np.bytes_("double"), np.uint64(A.shape[0])
        elif layout in ("csr", "csr-attr", "csc", "csc-attr"):
            K = (sp.csc_matrix if layout.startswith("csc") else sp.csr_matrix)(A)
            g["indptr"], g["indices"], g["data"], g["shape"] = K.indptr, K.indices, K.data, np.array(A.shape)
            if layout.endswith("-attr"):
                g.attrs["format"] = layout[:3]
        elif layout == "coo":
            C = sp.coo_matrix(A)
            g["row"], g["col"], g["data"], g["shape"] = C.row.astype(np.int32), C.col.astype(np.int32), C.data, np.array(A.shape)
        return f"{path}:/{group}"


def main():
    rng = np.random.default_rng(12)
    mats = {}
    for M, N in ((2, 3), (5, 7), (7, 5)):
        D = np.where(rng.random((M, N)) < 0.6, rng.standard_normal((M, N)), 0.0)
        D[0, N - 1] = 3.5  # never symmetric: the transpose has another shape or another corner
        mats[f"{M}x{N}"] = sp.csr_matrix(D)
    layouts = ["petsc", "matlab", "csr", "csr-attr", "csc", "csc-attr", "coo", "dense"]
    failed = total = 0
    for name, A in mats.items():
        for layout in layouts:
            total += 1
            arg = write("m.h5", f"{layout}_{name}", A, layout)
            file, _, group = arg.partition(":")
            with h5py.File(file, "r") as f:
                P = read_matrix(f[group], arg)
            out = f"c-{layout}-{name}.bin"
            p = subprocess.run([os.path.join(BIN, "krylearn-ingest"), "convert", arg, out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            C = petsc_binary(out) if p.returncode == 0 else None
            ok = C is not None and P.shape == A.shape == C.shape and abs(P - A).max() == 0 and abs(C - A).max() == 0
            print(f"{'ok  ' if ok else 'FAIL'} {layout:9s} {name}: python {P.shape}, krylearn-ingest {None if C is None else C.shape}")
            if not ok:
                failed += 1
                print(p.stdout.decode(errors="replace")[-2000:])
    # one triangle stored with the symmetric flag
    S = sp.csr_matrix(np.array([[2.0, 0, 1.5], [0, 3.0, -1.0], [1.5, -1.0, 4.0]]))
    with h5py.File("m.h5", "a") as f:
        T = sp.csr_matrix(sp.tril(S))
        g = f.create_group("sym")
        g["indptr"], g["indices"], g["data"], g["shape"] = T.indptr, T.indices, T.data, np.array(S.shape)
        g.attrs["symmetric"] = True
        P = read_matrix(g, "m.h5:/sym")
    p = subprocess.run([os.path.join(BIN, "krylearn-ingest"), "convert", "m.h5:/sym", "sym.bin"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    C = petsc_binary("sym.bin") if p.returncode == 0 else None
    ok = C is not None and abs(P - S).max() == 0 and abs(C - S).max() == 0
    print(f"{'ok  ' if ok else 'FAIL'} symmetric flag: python and krylearn-ingest expand the stored triangle")
    total += 1
    failed += not ok
    print(f"{total - failed} of {total} files read alike by Python and krylearn-ingest")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
