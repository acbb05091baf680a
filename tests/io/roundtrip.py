#!/usr/bin/python3
"""Every layout round-trips: files written with h5py / scipy (and Matrix Market with
scipy.io.mmwrite) are ingested serially and on 2 ranks, written to PETSc binary, and
compared bit for bit with the scipy matrix; both runs must write identical bytes.
Then the HDF5 output of 'convert' is read back by PETSc's own MatLoad (petsc4py)."""
import sys

import h5py
import numpy as np
import scipy.io
import scipy.sparse as sp

from ingestref import canonical, read_petsc_binary, run, same_bits

rng = np.random.default_rng(7)


def random_matrix(m, n, density=0.05, dtype=np.float64):
    A = sp.random(m, n, density=density, format="csr", random_state=rng, dtype=np.float64)
    A.data = (A.data * 2 - 1).astype(dtype)
    A.data[A.data == 0] = 1
    A = A.tolil()
    A[m // 2, :] = 0  # an empty row
    return sp.csr_matrix(A)


def write_compressed(path, group, A, names, ptrtype, valtype, attrs=None, shape_as="dataset"):
    with h5py.File(path, "a") as f:
        g = f.require_group(group)
        ptr, idx, dat = names
        g.create_dataset(ptr, data=A.indptr.astype(ptrtype))
        g.create_dataset(idx, data=A.indices.astype(ptrtype))
        g.create_dataset(dat, data=A.data.astype(valtype))
        if shape_as == "dataset":
            g.create_dataset("shape", data=np.array(A.shape, dtype=ptrtype))
        elif shape_as == "attribute":
            g.attrs["shape"] = np.array(A.shape, dtype=ptrtype)
        for k, v in (attrs or {}).items():
            g.attrs[k] = v


cases = []  # (name, file argument, reference matrix, extra options)

R = random_matrix(120, 90)  # rectangular
S = random_matrix(150, 150)
Sym = canonical(S + S.T + sp.identity(150))

f = "csr32.h5"
write_compressed(f, "/", R, ("indptr", "indices", "data"), np.int32, np.float64, {"format": "csr"})
cases.append(("csr int32 float64", f, R, []))

f = "csr-raw.h5"
# non-canonical CSR: columns unsorted within rows and repeated entries (summed, as scipy does)
perm = [np.r_[rng.permutation(np.arange(a, b)), np.arange(a, min(b, a + 2))] for a, b in zip(R.indptr[:-1], R.indptr[1:])]
raw_idx = np.concatenate(perm).astype(np.int64)
raw_ptr = np.r_[0, np.cumsum([len(p) for p in perm])]
Raw = sp.csr_matrix((R.data[raw_idx], R.indices[raw_idx], raw_ptr), shape=R.shape)
write_compressed(f, "/", Raw, ("indptr", "indices", "data"), np.int32, np.float64)
cases.append(("csr with unsorted and repeated columns", f, Raw, []))

f = "csr64.h5"
R32 = random_matrix(90, 130, dtype=np.float32)
write_compressed(f, "/mats/nested", R32, ("indptr", "indices", "data"), np.int64, np.float32, shape_as="attribute")
cases.append(("csr int64 float32, nested group, shape attribute", f + ":/mats/nested", R32.astype(np.float64), []))

f = "csc.h5"
C = sp.csc_matrix(R)
write_compressed(f, "/c", C, ("indptr", "indices", "data"), np.int32, np.float64, {"h5sparse_format": "csc"})
cases.append(("csc with format attribute", f + ":/c", R, []))
f = "csc-noattr.h5"
write_compressed(f, "/", C, ("indptr", "indices", "data"), np.int64, np.float32)
cases.append(("csc detected from the pointer count, float32", f, sp.csr_matrix(C.astype(np.float32).astype(np.float64)), []))
f = "csc-forced.h5"
write_compressed(f, "/", sp.csc_matrix(S), ("indptr", "indices", "data"), np.int32, np.float64)
cases.append(("square csc forced with -ingest_layout csc", f, S, ["-ingest_layout", "csc"]))

f = "coo.h5"
coo = sp.coo_matrix(R)
perm = rng.permutation(coo.nnz)
row, col, val = coo.row[perm], coo.col[perm], coo.data[perm]
dup = rng.choice(coo.nnz, 25)  # repeated entries are summed, as scipy does
row, col, val = np.r_[row, row[dup]], np.r_[col, col[dup]], np.r_[val, 0.5 * val[dup]]
with h5py.File(f, "w") as h:
    h["row"], h["col"], h["data"], h["shape"] = row.astype(np.int64), col.astype(np.int32), val, np.array(R.shape)
cases.append(("coo unsorted with repeated entries", f, sp.coo_matrix((val, (row, col)), shape=R.shape), []))

f = "dense.h5"
D = R.toarray().astype(np.float32)
with h5py.File(f, "w") as h:
    h.create_group("g")["A"] = D
cases.append(("dense float32 dataset", f + ":/g/A", sp.csr_matrix(D.astype(np.float64)), []))

f = "petsc.h5"
with h5py.File(f, "w") as h:
    g = h.create_group("A")
    g["jc"], g["ir"], g["data"] = R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data
    g.attrs["MATLAB_sparse"] = np.int64(R.shape[1])
cases.append(("petsc layout (jc row pointers)", f + ":/A", R, []))

f = "matlab.h5"
with h5py.File(f, "w") as h:
    g = h.create_group("A")
    g["jc"], g["ir"], g["data"] = C.indptr.astype(np.uint64), C.indices.astype(np.uint64), C.data
    g.attrs["MATLAB_class"] = np.bytes_("double")
    g.attrs["MATLAB_sparse"] = np.uint64(R.shape[0])
cases.append(("matlab v7.3 layout (jc column pointers, uint64)", f + ":/A", R, []))

f = "sym-lower.h5"
write_compressed(f, "/", sp.tril(Sym, format="csr"), ("indptr", "indices", "data"), np.int32, np.float64, {"symmetric": True})
cases.append(("symmetric csr, lower triangle stored, h5py boolean flag", f, Sym, []))
f = "sym-upper.h5"
U = sp.triu(Sym, format="coo")
with h5py.File(f, "w") as h:
    h["row"], h["col"], h["data"], h["shape"] = U.row, U.col, U.data, np.array(U.shape)
    h.attrs["symmetric"] = np.int32(1)
cases.append(("symmetric coo, upper triangle stored", f, Sym, []))

f = "general.mtx"
scipy.io.mmwrite(f, sp.coo_matrix(R), precision=17)
cases.append(("matrix market general", f, R, []))
f = "symmetric.mtx"
scipy.io.mmwrite(f, sp.coo_matrix(Sym), symmetry="symmetric", precision=17)
cases.append(("matrix market symmetric", f, Sym, []))
f = "dense.mtx"
scipy.io.mmwrite(f, R.toarray(), precision=17)
cases.append(("matrix market array", f, R, []))
f = "dense-symmetric.mtx"
scipy.io.mmwrite(f, Sym.toarray(), symmetry="symmetric", precision=17)
cases.append(("matrix market array symmetric", f, Sym, []))
f = "pattern.mtx"
P = sp.coo_matrix(R)
with open(f, "w") as h:
    h.write("%%MatrixMarket matrix coordinate pattern general\n% a comment\n")
    h.write(f"{P.shape[0]} {P.shape[1]} {P.nnz}\n")
    h.writelines(f"{i + 1} {j + 1}\n" for i, j in zip(P.row, P.col))
cases.append(("matrix market pattern", f, sp.csr_matrix((np.ones(P.nnz), (P.row, P.col)), shape=P.shape), []))

failed = 0
for name, arg, ref, opts in cases:
    for ranks in (1, 2):
        run(["convert", arg, f"out{ranks}.bin", *opts], ranks)
    serial, parallel = open("out1.bin", "rb").read(), open("out2.bin", "rb").read()
    ok = same_bits(read_petsc_binary("out1.bin"), ref) and serial == parallel
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if serial == parallel else " (2 ranks differ from 1)"))
    failed += not ok

# 'convert' to HDF5 writes the layout PETSc's MatLoad reads: read it back with petsc4py
# (imported last: child MPI programs must not inherit the environment of an MPI process)
infos = {}
for ranks in (1, 2):
    run(["convert", "csr32.h5", f"petsc{ranks}.h5:/R"], ranks)
    infos[ranks] = run(["info", f"petsc{ranks}.h5:/R"])[1]  # our own loader detects the petsc layout
from petsc4py import PETSc  # noqa: E402

for ranks in (1, 2):
    v = PETSc.Viewer().createHDF5(f"petsc{ranks}.h5", "r", comm=PETSc.COMM_SELF)
    A = PETSc.Mat().create(comm=PETSc.COMM_SELF)
    A.setName("R")
    A.setType("aij")
    A.load(v)
    ip, ix, dv = A.getValuesCSR()
    ok = same_bits(sp.csr_matrix((dv, ix, ip), shape=A.getSize()), R) and "layout:    petsc" in infos[ranks]
    A.destroy()
    v.destroy()
    print(f"{'ok  ' if ok else 'FAIL'} HDF5 written on {ranks} rank(s) read by PETSc's MatLoad")
    failed += not ok

print(f"{len(cases) + 2 - failed} of {len(cases) + 2} round trips exact")
sys.exit(1 if failed else 0)
