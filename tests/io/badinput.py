#!/usr/bin/python3
"""Bad input: writes one malformed file per case, loads them all in one run of
build/tests/io/loaderrors (optionally under a launcher: valgrind, or mpiexec -n 2 given
as arguments) and checks that each gives an error naming the file and the problem.
A valid file of every layout goes through the same run, so valgrind also sees the
successful paths.

Usage: badinput.py [LAUNCHER ...]"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp

A = sp.random(40, 30, density=0.2, format="csr", random_state=np.random.default_rng(3))
A.data += 1.0
M, N = A.shape


def csr(path, indptr=A.indptr, indices=A.indices, data=A.data, shape=A.shape, attrs=None, skip=()):
    with h5py.File(path, "w") as f:
        for name, value in (("indptr", indptr), ("indices", indices), ("data", data), ("shape", np.array(shape))):
            if name not in skip:
                f[name] = value
        for k, v in (attrs or {}).items():
            f.attrs[k] = v
    return path


def coo(path, row, col, data, shape=A.shape, attrs=None):
    with h5py.File(path, "w") as f:
        f["row"], f["col"], f["data"], f["shape"] = row, col, data, np.array(shape)
        for k, v in (attrs or {}).items():
            f.attrs[k] = v
    return path


def mtx(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


C = A.tocoo()
cases = []  # (argument FILE|PATH|LAYOUT|VECTOR, expected words)
Q = sp.csr_matrix(A[:N, :])  # square, on a 5 x 6 grid
good = csr("good.h5", indptr=Q.indptr, indices=Q.indices, data=Q.data, shape=Q.shape, attrs={"grid": np.array([5, 6])})
with h5py.File(good, "a") as f:
    f["b"], f["short"], f["bnan"] = np.ones(N), np.ones(N - 1), np.r_[np.ones(N - 1), np.nan]
cases += [("missing.h5", "cannot open: no such readable file"),
          (mtx("notes.txt", ["just text"]), "not an HDF5 file"),
          ("good.h5|/nogroup", "no group or dataset '/nogroup'"),
          (csr("nodata.h5", skip=("data",)) + "||csr", "has no dataset 'data'"),
          (csr("nothing.h5", skip=("indptr", "indices")), "no matrix in group"),
          (csr("idx-float.h5", indices=A.indices.astype(np.float64)), "'indices' has the wrong dtype"),
          (csr("data-int.h5", data=A.data.astype(np.int32)), "'data' has the wrong dtype"),
          (csr("data-complex.h5", data=A.data.astype(np.complex128)), "'data' has the wrong dtype"),
          (csr("idx-range.h5", indices=np.r_[A.indices[:-1], N]), "index out of range in 'indices'"),
          (coo("coo-range.h5", np.r_[C.row[:-1], -1], C.col, C.data), "index out of range in 'row'"),
          (coo("coo-colrange.h5", C.row, np.r_[C.col[:-1], N + 5], C.data), "index out of range in 'col'"),
          (csr("ptr-decrease.h5", indptr=np.r_[A.indptr[:30], A.indptr[29] - 1, A.indptr[31:]]), "not monotone"),
          (csr("ptr-start.h5", indptr=np.r_[1, A.indptr[1:]]), "not monotone starting at 0"),
          (csr("ptr-end.h5", indptr=np.r_[A.indptr[:-1], A.indptr[-1] - 1]), "not at the"),
          (csr("shape.h5", shape=(M + 1, N)), "shape and data lengths disagree"),
          (csr("lengths.h5", data=A.data[:-1]), "data lengths disagree"),
          (coo("coo-lengths.h5", C.row, C.col[:-1], C.data), "data lengths disagree"),
          (csr("nan.h5", data=np.r_[A.data[:-1], np.nan]), "NaN or Inf"),
          (coo("coo-inf.h5", C.row, C.col, np.r_[np.inf, C.data[1:]]), "NaN or Inf"),
          (csr("sym-both.h5", attrs={"symmetric": 1}, shape=(M, N)), "flagged symmetric but the matrix is 40 x 30"),
          (csr("grid.h5", attrs={"grid": np.array([4, 4])}), "attribute 'grid'"),
          (csr("grid-float.h5", attrs={"grid": np.array([5.0, 8.0])}), "attribute 'grid' of group '/' has the wrong dtype"),
          ("good.h5|||/nob", "no group or dataset '/nob'"),
          ("good.h5|||/short", "dataset 'short' has 29 entries but the matrix has 30 rows"),
          ("good.h5|||/bnan", "NaN or Inf"),
          ("good.h5|||/b", "ok"),
          ("good.h5|/b", "dataset 'b' has 1 dimensions, a dense matrix needs 2"),
          (mtx("trunc.mtx", ["%%MatrixMarket matrix coordinate real general", "3 3 4", "1 1 1.0", "2 2 1.0"]), "truncated: 2 of the 4 entries"),
          (mtx("range.mtx", ["%%MatrixMarket matrix coordinate real general", "3 3 2", "1 1 1.0", "4 2 1.0"]), "index out of range in entry 2"),
          (mtx("trunc-array.mtx", ["%%MatrixMarket matrix array real general", "2 3", "1.0", "2.0", "3.0"]), "truncated: 3 of the 6 entries"),
          (mtx("header.mtx", ["3 3 1", "1 1 1.0"]), "not a Matrix Market file"),
          (mtx("nan.mtx", ["%%MatrixMarket matrix coordinate real general", "3 3 1", "1 1 nan"]), "NaN or Inf"),
          (mtx("complex.mtx", ["%%MatrixMarket matrix coordinate complex general", "1 1 1", "1 1 1 0"]), "field 'complex' is not supported"),
          ("missing.mtx", "cannot open: no such readable file")]
with h5py.File("sym-both2.h5", "w") as f:
    S = sp.csr_matrix(A[:30, :30] + A[:30, :30].T)
    f["indptr"], f["indices"], f["data"], f["shape"] = S.indptr, S.indices, S.data, np.array(S.shape)
    f.attrs["symmetric"] = 1
cases.append(("sym-both2.h5", "holds entries in both triangles"))
with h5py.File("petsc-noattr.h5", "w") as f:
    f["jc"], f["ir"], f["data"] = A.indptr, A.indices, A.data
cases.append(("petsc-noattr.h5", "no 'MATLAB_sparse' attribute"))
with h5py.File("dense-nan.h5", "w") as f:
    D = A.toarray()
    D[-1, -1] = np.nan
    f["D"] = D
cases.append(("dense-nan.h5|/D", "NaN or Inf"))

# valid files of every layout, loaded in the same run
with h5py.File("valid.h5", "w") as f:
    f["coo/row"], f["coo/col"], f["coo/data"], f["coo/shape"] = C.row, C.col, C.data, np.array(A.shape)
    K = A.tocsc()
    f["csc/indptr"], f["csc/indices"], f["csc/data"], f["csc/shape"] = K.indptr, K.indices, K.data.astype(np.float32), np.array(A.shape)
    f["matlab/jc"], f["matlab/ir"], f["matlab/data"] = K.indptr.astype(np.uint64), K.indices.astype(np.uint64), K.data
    f["matlab"].attrs["MATLAB_class"], f["matlab"].attrs["MATLAB_sparse"] = np.bytes_("double"), np.uint64(M)
    f["petsc/jc"], f["petsc/ir"], f["petsc/data"] = A.indptr, A.indices, A.data
    f["petsc"].attrs["MATLAB_sparse"] = N
    f["dense"] = A.toarray()
    T = sp.tril(Q, format="csr")
    f["sym/indptr"], f["sym/indices"], f["sym/data"], f["sym/shape"] = T.indptr, T.indices, T.data, np.array(T.shape)
    f["sym"].attrs["symmetric"] = True
cases += [(f"valid.h5|/{g}", "ok") for g in ("coo", "csc", "matlab", "petsc", "dense", "sym")]
cases += [(mtx("valid.mtx", ["%%MatrixMarket matrix coordinate real symmetric", "3 3 2", "1 1 1.0", "3 1 2.5"]), "ok 3 3"),
          (mtx("valid-array.mtx", ["%%MatrixMarket matrix array real general", "2 1", "1.0", "0"]), "ok 2 1")]

# truncated file: the first half of a valid one
shutil.copy(good, "truncated.h5")
os.truncate("truncated.h5", os.path.getsize(good) // 2)
cases.append(("truncated.h5", "truncated or corrupt"))
# corrupt file: garbage over the second compressed chunk of 'indices'
with h5py.File("corrupt.h5", "w") as f:
    f["indptr"], f["data"], f["shape"] = A.indptr, A.data, np.array(A.shape)
    f.create_dataset("indices", data=A.indices, chunks=(A.nnz // 2,), compression="gzip")
with h5py.File("corrupt.h5", "r") as f:
    info = f["indices"].id.get_chunk_info(1)
with open("corrupt.h5", "r+b") as f:
    f.seek(info.byte_offset)
    f.write(b"\xff" * info.size)
cases.append(("corrupt.h5", "cannot read dataset 'indices' of group '/': truncated or corrupt file"))

cmd = sys.argv[1:] + [os.path.join(os.environ["TBIN"], "io", "loaderrors")] + [arg for arg, _ in cases]
proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
out = proc.stdout.decode(errors="replace")
lines = {}
for line in out.splitlines():
    arg, sep, rest = line.partition(": ")
    if sep and arg in dict(cases):
        lines.setdefault(arg, rest)
failed = 0
for arg, expected in cases:
    got = lines.get(arg, "(no output)")
    file = arg.split("|")[0]
    if expected.startswith("ok"):
        shape = {"good.h5": "30 30", "valid.h5|/sym": "30 30"}.get(arg.rpartition("|||")[0] or arg, f"{M} {N}")
        ok = got == (expected if expected != "ok" else f"ok {shape}")
    else:
        ok = got.startswith("error: ") and file in got and expected in got
    print(f"{'ok  ' if ok else 'FAIL'} {arg}: {got}")
    failed += not ok
if proc.returncode:
    print(out)
    print(f"FAIL: loaderrors exited with status {proc.returncode}")
    failed += 1

# the program reports the error and exits non-zero
rc = subprocess.run([os.path.join(os.environ["BIN"], "krylearn-ingest"), "info", "idx-range.h5"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
msg = rc.stdout.decode(errors="replace")
ok = rc.returncode != 0 and "idx-range.h5: index out of range in 'indices'" in msg
print(f"{'ok  ' if ok else 'FAIL'} krylearn-ingest info idx-range.h5 exits with status {rc.returncode} and names the problem")
failed += not ok
# an output file that cannot be created
rc = subprocess.run([os.path.join(os.environ["BIN"], "krylearn-ingest"), "convert", "good.h5", "no/such/dir/out.h5:/A"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
msg = rc.stdout.decode(errors="replace")
ok = rc.returncode != 0 and "no/such/dir/out.h5: cannot write group '/A' of the HDF5 file" in msg
print(f"{'ok  ' if ok else 'FAIL'} krylearn-ingest convert to an uncreatable file exits with status {rc.returncode} and names it")
failed += not ok
print(f"{len(cases) + 2 - failed} of {len(cases) + 2} inputs gave the expected result")
sys.exit(1 if failed else 0)
