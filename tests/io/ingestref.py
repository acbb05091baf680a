"""Helpers of the ingestion tests: run krylearn-ingest, read PETSc binary files, compare with scipy."""
import os
import shlex
import subprocess

import numpy as np
import scipy.sparse as sp

BIN = os.environ.get("BIN", "bin")
MPIEXEC = shlex.split(os.environ.get("MPIEXEC", "mpiexec"))
# The example matrices data/make_examples.py ships (data/ also holds the default models).
EXAMPLES = ("poisson2d", "poisson2d-disc", "poisson2d-box", "poisson3d", "poisson3d-ball", "diffusion2d")


def run(args, ranks=1, check=True):
    cmd = ([*MPIEXEC, "-n", str(ranks)] if ranks > 1 else []) + [os.path.join(BIN, "krylearn-ingest"), *args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = proc.stdout.decode(errors="replace")
    if check and proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{out}")
    return proc.returncode, out


def read_petsc_binary(path):
    """An AIJ matrix written by MatView to a PETSc binary file (big-endian), as scipy CSR."""
    with open(path, "rb") as f:
        raw = f.read()
    head = np.frombuffer(raw, ">i4", 4)
    assert head[0] == 1211216, f"{path}: not a PETSc Mat binary file"
    M, N, nz = (int(x) for x in head[1:])
    off = 16
    lens = np.frombuffer(raw, ">i4", M, off).astype(np.int64)
    off += 4 * M
    cols = np.frombuffer(raw, ">i4", nz, off).astype(np.int32)
    off += 4 * nz
    vals = np.frombuffer(raw, ">f8", nz, off).astype(np.float64)
    assert off + 8 * nz == len(raw), f"{path}: trailing bytes"
    indptr = np.concatenate([[0], np.cumsum(lens)])
    return sp.csr_matrix((vals, cols, indptr), shape=(M, N))


def canonical(A):
    A = sp.csr_matrix(A, dtype=np.float64)
    A.sum_duplicates()
    A.sort_indices()
    return A


def same_bits(A, B):
    """True when the CSR structures and values agree exactly (values compared bit for bit)."""
    A, B = canonical(A), canonical(B)
    return (A.shape == B.shape and np.array_equal(A.indptr, B.indptr) and np.array_equal(A.indices, B.indices)
            and np.array_equal(A.data.view(np.int64), B.data.view(np.int64)))
