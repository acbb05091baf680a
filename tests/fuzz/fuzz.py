#!/usr/bin/python3
"""Krylearn mutation fuzzer: every input format against the program that reads it.

For each format the fuzzer writes small valid seed files itself (h5py / numpy; the OT plan
with bin/krylearn-ot), checks that the program accepts every seed, then runs the program on
mutants of them: bit flips and byte overwrites (for HDF5, 85% of them in the metadata: the
bytes outside the raw data of the datasets, mostly its non-zero bytes and their neighbours
rather than its zero padding), small integers of the metadata (extents, sizes, counts, attribute
values) set to boundary values, truncations, and for Matrix Market token and
line edits. Each run has a timeout and its peak resident memory is measured (os.wait4); an
address-space limit stops a blow-up before it hurts the machine (not under ASan, which keeps
the allocation limit itself). Failures:

  crash     killed by a signal, PETSc's "Caught signal", a glibc heap abort, a sanitizer report
  hang      still running after --timeout seconds
  memory    peak resident memory above 2 GB, or an allocation refused (more than the limit)
  unnamed   exit status not 0 (krylearn-ot: nor 2, "not converged") and no error line names
            the input file
  silent    Matrix Market only: accepted although the format forbids it, or read as another
            matrix than the strict reference reader here finds (rows, columns, Frobenius norm)
  refused   Matrix Market only: a valid file rejected

Everything derives from --seed: mutant I of format F is made by random.Random("SEED:F:I"), so
'--seed S --only F:I' reproduces it. The failing inputs, the seeds they need, and a .txt with
the command, the class and the output are kept under --keep. Exit status 1 when anything failed.

  fuzz.py [-n MUTANTS_PER_FORMAT] [--seed S] [--formats F,...] [--np 2] [--asan] [-j JOBS]
  fuzz.py --list                 the formats and their programs
  fuzz.py --selftest             seeds accepted, mutants reproducible, each failure class detected
  fuzz.py --regressions SEED     the mutants of campaign SEED that once failed (regressions.txt)

ASan build (make asan): programs from build/asan/bin, PETSc's signal handler off so the sanitizer
reports, ASAN_OPTIONS detect_leaks=0 (Open MPI's start-up leaks) with allocations above 2 GB
refused and a hard RSS limit (see ASAN_OPTIONS below)."""
import argparse
import collections
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEMORY_LIMIT_MB = 2048            # a run above this is a finding
ADDRESS_LIMIT_MB = 2048 + 1024    # address-space cap of a run (normal build)
ASAN_OPTIONS = ("detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=2048:"
                "hard_rss_limit_mb=2560:halt_on_error=1:abort_on_error=0:detect_odr_violation=0:symbolize=1")
CLASSES = ("crash", "hang", "memory", "unnamed", "silent", "refused")
# Runs stay on one thread and MPI on shared memory: no network probing at start-up
RUN_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "OMPI_MCA_ess_singleton_isolated": "1",
           "OMPI_MCA_pml": "ob1", "OMPI_MCA_btl": "self,vader", "OMPI_MCA_mtl": "^ofi", "OMPI_MCA_osc": "^ucx",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1"}


# ------------------------------------------------------------------------------------------
# Seeds: small valid files of every format
# ------------------------------------------------------------------------------------------
def poisson(n):
    """5-point Laplacian on an n x n grid (SPD), scipy-free: CSR arrays."""
    indptr, indices, data = [0], [], []
    for r in range(n * n):
        i, j = r % n, r // n
        for c, v in ((r - n, -1.0), (r - 1, -1.0), (r, 4.0), (r + 1, -1.0), (r + n, -1.0)):
            if 0 <= c < n * n and (c == r or abs(c - r) == n or (c // n == j and abs(c % n - i) == 1)):
                indices.append(c)
                data.append(v)
        indptr.append(len(indices))
    return np.array(indptr, np.int64), np.array(indices, np.int64), np.array(data)


def dense_of(indptr, indices, data, n):
    A = np.zeros((n, n))
    for r in range(n):
        A[r, indices[indptr[r]:indptr[r + 1]]] += data[indptr[r]:indptr[r + 1]]
    return A


def seed_hdf5_matrices(d):
    """One file per ingestion layout, plus a one-triangle symmetric file and a solve system."""
    n = 5
    ptr, idx, val = poisson(n)
    N = n * n
    A = dense_of(ptr, idx, val, N)
    rows, cols = np.nonzero(A)
    files = {}
    with h5py.File(f"{d}/petsc.h5", "w") as f:          # row pointers jc, columns ir
        f["jc"], f["ir"], f["data"] = ptr, idx, val
        f.attrs["MATLAB_sparse"] = np.int64(N)
    files["h5-petsc"] = [f"{d}/petsc.h5"]
    with h5py.File(f"{d}/matlab.h5", "w") as f:         # MATLAB v7.3: column pointers, uint64
        f["jc"], f["ir"], f["data"] = ptr.astype(np.uint64), idx.astype(np.uint64), val
        f.attrs["MATLAB_class"], f.attrs["MATLAB_sparse"] = np.bytes_("double"), np.uint64(N)
    files["h5-matlab"] = [f"{d}/matlab.h5"]
    with h5py.File(f"{d}/csr.h5", "w") as f:            # int32 indices, variable-length string as users write it, grid
        f["indptr"], f["indices"], f["data"] = ptr.astype(np.int32), idx.astype(np.int32), val
        f["shape"] = np.array([N, N])
        f.attrs["format"] = "csr"
        f.attrs["grid"] = np.array([n, n], np.int64)
    files["h5-csr"] = [f"{d}/csr.h5"]
    with h5py.File(f"{d}/csc.h5", "w") as f:            # float32 values, shape as attribute
        f["indptr"], f["indices"], f["data"] = ptr, idx, val.astype(np.float32)
        f.attrs["shape"] = np.array([N, N], np.int64)
        f.attrs["h5sparse_format"] = np.bytes_("csc")
    files["h5-csc"] = [f"{d}/csc.h5"]
    with h5py.File(f"{d}/coo.h5", "w") as f:            # chunked, gzip + shuffle, in a group
        g = f.create_group("M")
        for name, a in (("row", rows.astype(np.int64)), ("col", cols.astype(np.int64)), ("data", A[rows, cols])):
            g.create_dataset(name, data=a, chunks=(32,), compression="gzip", shuffle=True)
        g["shape"] = np.array([N, N])
    files["h5-coo"] = [f"{d}/coo.h5:/M"]
    with h5py.File(f"{d}/dense.h5", "w") as f:
        f.create_dataset("D", data=A[:12, :10], chunks=(4, 5))
    files["h5-dense"] = [f"{d}/dense.h5:/D"]
    L = np.tril(A)
    lr, lc = np.nonzero(L)
    lptr = np.searchsorted(lr, np.arange(N + 1))
    with h5py.File(f"{d}/sym.h5", "w") as f:            # h5py boolean: an enum attribute
        f["indptr"], f["indices"], f["data"], f["shape"] = lptr, lc, L[lr, lc], np.array([N, N])
        f.attrs["symmetric"] = True
        f.attrs["grid"] = np.array([n, n])
    files["h5-sym"] = [f"{d}/sym.h5"]
    x = np.sin(np.arange(N) + 1.0)
    with h5py.File(f"{d}/system.h5", "w") as f:         # matrix, right-hand side and solution
        f["indptr"], f["indices"], f["data"], f["shape"] = ptr, idx, val, np.array([N, N])
        f["b"], f["x"] = A @ x, x
    files["vec"] = [f"{d}/system.h5"]
    return files


MTX_SEEDS = {
    "general.mtx": "%%MatrixMarket matrix coordinate real general\n% written by the fuzzer\n5 5 8\n"
                   "1 1 4.0\n2 1 -1.5\n2 2 4.0\n3 3 2.5e+00\n4 2 -1\n4 4 4.0\n5 5 1.0E-3\n1 5 7\n",
    "symmetric.mtx": "%%MatrixMarket matrix coordinate integer symmetric\n4 4 6\n1 1 4\n2 1 -1\n2 2 4\n3 2 -1\n3 3 4\n4 4 4\n",
    "pattern.mtx": "%%MatrixMarket matrix coordinate pattern general\n3 4 5\n1 1\n1 4\n2 2\n3 1\n3 3\n",
    "array.mtx": "%%MatrixMarket matrix array real general\n3 2\n1.0\n0\n-2.5\n0.5\n3e1\n0.0\n",
    "array-sym.mtx": "%%MatrixMarket matrix array real symmetric\n3 3\n2.0\n-1.0\n0\n2.0\n-1.0\n2.0\n",
}


def seed_mtx(d):
    out = []
    for name, text in MTX_SEEDS.items():
        with open(f"{d}/{name}", "w") as f:
            f.write(text)
        out.append(f"{d}/{name}")
    return {"mtx": out}


def _s(v):
    return np.bytes_(v.encode())


def seed_model(d):
    """A 2-D deepcd model in the model format (docs/model-format.md): lift conv, a learned
    V-cycle whose body pools, recurses, upsamples and adds, a 1x1 projection."""
    rng = np.random.default_rng(1)
    w = 2
    weights = {"lift": (w, 1, 3, 3), "lift_b": (w,), "smooth": (w, w, 3, 3), "mix": (w, w, 1, 1), "proj": (1, w, 1, 1)}
    path = f"{d}/model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["format"], f.attrs["format_version"] = _s("krylearn-model"), np.int32(2)
        f.attrs["dimension"], f.attrs["name"] = np.int32(2), _s("fuzz-vcycle")
        wg = f.create_group("weights")
        for name, shape in weights.items():
            wg[name] = (rng.standard_normal(shape) * 0.3).astype(np.float32)
        graphs = {"main": ("x", "y", [("conv", "x", "a", dict(weight="lift", bias="lift_b", kernel=3, in_channels=1, out_channels=w, activation="relu")),
                                      ("vcycle", "a", "b", dict(body="level", levels=0, coarsest=4)),
                                      ("conv", "b", "y", dict(weight="proj", bias="", kernel=1, in_channels=w, out_channels=1, activation="identity"))]),
                  "level": ("v", "out", [("conv", "v", "s", dict(weight="smooth", bias="", kernel=3, in_channels=w, out_channels=w, activation="relu")),
                                         ("avgpool", "s", "p", {}), ("recurse", "p", "c", {}), ("upsample", "c", "u", {}),
                                         ("conv", "u", "m", dict(weight="mix", bias="", kernel=1, in_channels=w, out_channels=w, activation="identity")),
                                         ("add", "s,m", "out", {})])}
        gg = f.create_group("graphs")
        for gname, (inp, outp, ops) in graphs.items():
            h = gg.create_group(gname)
            h.attrs["input"], h.attrs["output"], h.attrs["num_ops"] = _s(inp), _s(outp), np.int32(len(ops))
            for i, (kind, inputs, output, attrs) in enumerate(ops):
                o = h.create_group(f"op{i}")
                o.attrs["type"], o.attrs["inputs"], o.attrs["output"] = _s(kind), _s(inputs), _s(output)
                for k, v in attrs.items():
                    o.attrs[k] = _s(v) if isinstance(v, str) else np.int32(v)
        f.create_group("metadata").attrs["trained_grid"] = np.array([16, 16], np.int32)
    return {"model": [path]}


def seed_mlp(d):
    """Spectrum model/data pairs (docs/spectrum.md): cross-entropy with labels, MSE with targets."""
    rng = np.random.default_rng(2)
    pairs = []
    for tag, loss, widths, acts in (("ce", "cross_entropy", (4, 5, 3), ("tanh",)), ("mse", "mse", (3, 4, 2), ("relu",))):
        m, dd = f"{d}/mlp-{tag}-model.h5", f"{d}/mlp-{tag}-data.h5"
        with h5py.File(m, "w") as f:
            f.attrs["format"], f.attrs["loss"] = _s("krylearn-mlp"), _s(loss)   # as export_mlp writes them
            f.attrs["weight_decay"], f.attrs["nlayers"] = 1e-3, 2 * len(widths) - 3
            k = 0
            for i in range(len(widths) - 1):
                g = f.create_group(f"layer{k}")
                g.attrs["type"] = _s("linear")
                g["weight"] = rng.standard_normal((widths[i + 1], widths[i])) * 0.5
                if tag == "ce" or i == 0:
                    g["bias"] = rng.standard_normal(widths[i + 1]) * 0.1
                k += 1
                if i < len(widths) - 2:
                    f.create_group(f"layer{k}").attrs["type"] = _s(acts[0])
                    k += 1
        with h5py.File(dd, "w") as f:
            f["X"] = rng.standard_normal((16, widths[0]))
            f["y"] = rng.integers(0, widths[-1], 16).astype(np.int64) if loss == "cross_entropy" else rng.standard_normal((16, widths[-1]))
        pairs.append((m, dd))
    return {"mlp-model": [m for m, _ in pairs], "mlp-data": [dd for _, dd in pairs]}, dict(pairs)


def seed_ot(d):
    rng = np.random.default_rng(3)
    n, m = 8, 6
    r, c = rng.random(n) + 0.5, rng.random(m) + 0.5
    r, c = r / r.sum(), c / c.sum()
    with h5py.File(f"{d}/ot-dense.h5", "w") as f:
        f["C"], f["r"], f["c"] = rng.random((n, m)), r, c
    with h5py.File(f"{d}/ot-sparse.h5", "w") as f:      # CSR cost, every row and column with entries
        keep = (rng.random((n, m)) < 0.6) | np.eye(n, m, dtype=bool) | np.eye(n, m, -2, dtype=bool) | np.eye(n, m, 2, dtype=bool)
        rr, cc = np.nonzero(keep)
        g = f.create_group("C")
        g["jc"], g["ir"], g["data"] = np.searchsorted(rr, np.arange(n + 1)).astype(np.int64), cc.astype(np.int64), rng.random(len(rr))
        g.attrs["MATLAB_sparse"] = np.int64(m)
        f["r"], f["c"] = r, c
    with h5py.File(f"{d}/ot-clouds.h5", "w") as f:
        f["X"], f["Y"], f["a"] = rng.random((n, 2)), rng.random((m, 2)), r
    return {"ot-dense": [f"{d}/ot-dense.h5"], "ot-sparse": [f"{d}/ot-sparse.h5"], "ot-clouds": [f"{d}/ot-clouds.h5"]}


# ------------------------------------------------------------------------------------------
# Programs: how each format is read
# ------------------------------------------------------------------------------------------
OT_OPTS = ["-ot_eta", "20", "-ot_tol", "1e-9", "-ot_max_it", "200"]


def command(fmt, path, out, companions):
    """argv (program name relative to bin/) reading mutant `path` of format fmt."""
    if fmt.startswith("h5-") or fmt == "mtx":
        return ["krylearn-ingest", "info", path]
    if fmt == "vec":
        return ["krylearn-solve", "-f", path, "-solution", "/x", "-ksp_type", "cg", "-pc_type", "jacobi", "-ksp_max_it", "200"]
    if fmt == "model":
        return ["krylearn-pressure", "-n", "16", "-ksp_type", "deepcd", "-ksp_deepcd_model", path, "-ksp_max_it", "3"]
    if fmt == "mlp-model":
        return ["krylearn-spectrum", "-model", path, "-data", companions[0], "-top", "2"]
    if fmt == "mlp-data":
        return ["krylearn-spectrum", "-model", companions[0], "-data", path, "-top", "2"]
    if fmt.startswith("ot-") and fmt != "ot-plan":
        return ["krylearn-ot", path, "-o", out] + OT_OPTS
    if fmt == "ot-plan":
        return ["krylearn-spectrum", "-ot_plan", path, "-top", "2"]
    raise KeyError(fmt)


FORMATS = ["h5-petsc", "h5-matlab", "h5-csr", "h5-csc", "h5-coo", "h5-dense", "h5-sym", "vec", "mtx",
           "model", "mlp-model", "mlp-data", "ot-dense", "ot-sparse", "ot-clouds", "ot-plan"]
OK_STATUS = {"ot-dense": (0, 2), "ot-sparse": (0, 2), "ot-clouds": (0, 2)}  # 2: not converged


class Seeds:
    """Writes every seed into `d`; seeds[fmt] = list of (file, path inside it or "", companions)."""

    def __init__(self, d, runner):
        self.d = d
        os.makedirs(d, exist_ok=True)
        self.seeds = {}
        files = seed_hdf5_matrices(d)
        files.update(seed_mtx(d))
        files.update(seed_model(d))
        mlp, pairs = seed_mlp(d)
        files.update(mlp)
        files.update(seed_ot(d))
        rev = {dd: m for m, dd in pairs.items()}
        for fmt, lst in files.items():
            self.seeds[fmt] = []
            for arg in lst:
                file, _, inner = arg.partition(".h5:")
                file = file + ".h5" if inner else arg
                comp = [pairs[file]] if fmt == "mlp-model" else [rev[file]] if fmt == "mlp-data" else []
                self.seeds[fmt].append((file, inner, comp))
        plan, solved = f"{d}/ot-plan.h5", f"{d}/ot-solved.h5"   # the plan of the program that writes plans
        res = runner.run(["krylearn-ot", f"{d}/ot-dense.h5", "-o", solved] + OT_OPTS, solved)
        if res.status != 0 or not os.path.exists(solved):
            sys.exit(f"fuzz: cannot make the OT plan seed with krylearn-ot:\n{res.output[-3000:]}")
        with h5py.File(solved, "r") as src, h5py.File(plan, "w") as dst:  # rewritten: the same bytes every time
            for k in src:
                dst[k] = src[k][...]
            for k, v in src.attrs.items():
                dst.attrs[k] = 0.0 if k == "time" else v
        os.remove(solved)
        self.seeds["ot-plan"] = [(plan, "", [])]


def file_arg(file, inner):
    return f"{file}:{inner}" if inner else file


# ------------------------------------------------------------------------------------------
# Mutators
# ------------------------------------------------------------------------------------------
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
               0x100000000, 0x100000003, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF, 2 ** 26, 2 ** 31 - 1]


def raw_data_ranges(path):
    """Byte ranges holding the raw data of the datasets (the rest of an HDF5 file is metadata)."""
    ranges = []

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        dsid = obj.id
        try:
            off = dsid.get_offset()
            if off is not None:
                ranges.append((off, off + dsid.get_storage_size()))
            elif obj.chunks:
                for k in range(dsid.get_num_chunks()):
                    ci = dsid.get_chunk_info(k)
                    ranges.append((ci.byte_offset, ci.byte_offset + ci.size))
        except Exception:
            pass
    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return sorted(ranges)


class HDF5Mutator:
    def __init__(self, data, path):
        self.data = data
        raw = raw_data_ranges(path)
        mark = bytearray(len(data))
        for a, b in raw:
            mark[a:b] = b"\x01" * (min(b, len(data)) - a)
        self.meta = [i for i in range(len(data)) if not mark[i]]
        # most metadata bytes are zero padding: aim at the structures, the non-zero bytes and
        # their neighbours (the zero high bytes of sizes and addresses among them)
        near = bytearray(len(data))
        for i in self.meta:
            if data[i]:
                near[max(0, i - 8):i + 9] = b"\x01" * (min(len(data), i + 9) - max(0, i - 8))
        self.hot = [i for i in self.meta if near[i]]
        # small little-endian integers in the metadata: extents, sizes, counts, attribute values
        self.numbers = [(i, w) for w in (4, 8) for i in self.hot
                        if i + w <= len(data) and 0 < int.from_bytes(data[i:i + w], "little") <= 1 << 16 and data[i]]

    def offset(self, rng):
        u = rng.random()
        if self.hot and u < 0.7:
            return rng.choice(self.hot)
        if self.meta and u < 0.85:
            return rng.choice(self.meta)
        return rng.randrange(len(self.data))

    def __call__(self, rng):
        b = bytearray(self.data)
        kind = rng.choices(("bitflip", "overwrite", "number", "truncate"), (0.3, 0.3, 0.25, 0.15))[0]
        if kind == "number" and self.numbers:  # a small integer becomes a boundary value
            at, width = rng.choice(self.numbers)
            old = int.from_bytes(b[at:at + width], "little")
            val = rng.choice(INTERESTING + [old * 2, old + 1, old - 1, old << 16, old << 31, 0])
            b[at:at + width] = (val % (1 << (8 * width))).to_bytes(width, "little")
        elif kind == "bitflip":
            for _ in range(rng.choice((1, 1, 2, 4, 8))):
                b[self.offset(rng)] ^= 1 << rng.randrange(8)
        elif kind == "overwrite":
            for _ in range(rng.choice((1, 1, 2, 3))):
                at = self.offset(rng)
                if rng.random() < 0.5:
                    b[at] = rng.choice((0, 0xFF, 0x7F, 0x80, 1, rng.randrange(256)))
                else:
                    width = rng.choice((2, 4, 8))
                    val = (rng.choice(INTERESTING) + rng.choice((0, 0, 1, -1))) % (1 << (8 * width))
                    b[at:at + width] = val.to_bytes(width, "little")
                    del b[len(self.data):]
            kind = "overwrite"
        else:
            kind = "truncate"
            del b[rng.randrange(len(b)):]
        return bytes(b), kind


MTX_TOKENS = ["0", "-1", "1", "2147483647", "2147483648", "4294967297", "9223372036854775807", "99999999999999999999",
              "1e308", "1e309", "-1e999", "1e-400", "5e-324", "nan", "inf", "-inf", "4D00e+00", "1.5", "0x10", "1,5",
              "1_0", "abc", "+", "-", "1e", ".", "e5", "1.0.0", "%", "%%MatrixMarket", "complex", "hermitian",
              "skew-symmetric", "array", "coordinate", "pattern", "integer", "real", "general", "symmetric", "vector"]


class MtxMutator:
    def __init__(self, data, path):
        self.data = data

    def __call__(self, rng):
        kind = rng.choices(("token", "line", "bitflip", "overwrite", "truncate"), (0.45, 0.2, 0.15, 0.1, 0.1))[0]
        b = bytearray(self.data)
        if kind == "bitflip":
            for _ in range(rng.choice((1, 2))):
                at = rng.randrange(len(b))
                b[at] ^= 1 << rng.randrange(8)
            return bytes(b), kind
        if kind == "overwrite":
            b[rng.randrange(len(b))] = rng.choice(b" \t\r\n\x00-+.e%0123456789\xff")
            return bytes(b), kind
        if kind == "truncate":
            return bytes(b[:rng.randrange(len(b))]), kind
        lines = self.data.decode().split("\n")[:-1]
        if kind == "token":
            at = rng.randrange(len(lines))
            toks = lines[at].split(" ")
            t = rng.randrange(len(toks))
            op = rng.choice(("replace", "replace", "delete", "duplicate", "insert", "append", "number"))
            if op == "replace":
                toks[t] = rng.choice(MTX_TOKENS)
            elif op == "delete":
                del toks[t]
            elif op == "duplicate":
                toks.insert(t, toks[t])
            elif op == "insert":
                toks.insert(t, rng.choice(MTX_TOKENS))
            elif op == "append":
                toks.append(rng.choice(MTX_TOKENS + ["garbage", "1.0", "2"]))
            else:  # a number nudged: still a number, maybe out of range
                try:
                    toks[t] = str(int(toks[t]) + rng.choice((-2, -1, 1, 2, 1000)))
                except ValueError:
                    toks[t] = rng.choice(("1", "0", "-3.5", "1e5"))
            lines[at] = rng.choice((" ", " ", "\t", "  ")).join(toks)
        else:
            at = rng.randrange(len(lines))
            op = rng.choice(("delete", "duplicate", "swap", "blank", "comment", "extra", "crlf", "long"))
            if op == "delete":
                del lines[at]
            elif op == "duplicate":
                lines.insert(at, lines[at])
            elif op == "swap" and len(lines) > 1:
                o = rng.randrange(len(lines))
                lines[at], lines[o] = lines[o], lines[at]
            elif op == "blank":
                lines.insert(at, rng.choice(("", "   ", "\t")))
            elif op == "comment":
                lines.insert(at + 1, "% " + "c" * rng.choice((1, 100, 5000)))
            elif op == "extra":
                lines.append(rng.choice(("1 1 1.0", "2 2", "1.0", "9 9 9")))
            elif op == "crlf":
                lines = [l + "\r" for l in lines]
            else:
                lines[at] = lines[at] + " " * 4100 + "1"
        return ("\n".join(lines) + "\n").encode(), kind


# ------------------------------------------------------------------------------------------
# Matrix Market reference: the strict grammar of docs/io.md, in Python
# ------------------------------------------------------------------------------------------
INT_RE = re.compile(rb"[+-]?[0-9]+\Z")
DEC_RE = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


def mtx_reference(data):
    """('ok', rows, columns, frobenius) or ('error', reason) for the text `data`."""
    raw = data.split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    lines = []
    for line in raw:
        if b"\0" in line:
            return ("error", "NUL byte")
        cut = len(line) > 4095
        if line.endswith(b"\r"):
            line = line[:-1]
        toks = [t for t in re.split(rb"[ \t]+", line) if t]
        if cut and (not line.startswith(b"%") or not lines):  # only comments may be long, not the header
            return ("error", "long line")
        lines.append(toks)
    if not lines or not lines[0] or lines[0][0] != b"%%MatrixMarket" or len(lines[0]) != 5:
        return ("error", "header")
    obj, fmt, field, sym = (t.lower() for t in lines[0][1:])
    array = fmt == b"array"
    if obj != b"matrix" or fmt not in (b"array", b"coordinate"):
        return ("error", "object/format")
    if field not in (b"real", b"integer", b"pattern") or (array and field == b"pattern"):
        return ("error", "field")
    if sym not in (b"general", b"symmetric"):
        return ("error", "symmetry")
    data_lines = iter([t for t in lines[1:] if t and not t[0].startswith(b"%")])
    size = next(data_lines, None)
    ntok = 2 if array else 3
    if size is None or len(size) != ntok or not all(INT_RE.match(t) for t in size):
        return ("error", "size line")
    vals = [int(t) for t in size]
    if any(v < 0 for v in vals) or any(v > 2 ** 31 - 1 for v in vals[:2]) or any(v >= 2 ** 63 for v in vals):
        return ("error", "size values")
    M, N = vals[:2]
    symmetric = sym == b"symmetric"
    if symmetric and M != N:
        return ("error", "symmetric not square")
    nz = (M * (M + 1) // 2 if symmetric else M * N) if array else vals[2]
    pattern, integer = field == b"pattern", field == b"integer"
    ntok = 1 if array else 2 if pattern else 3
    entries = collections.defaultdict(float)
    i, j = 1, 1
    for k in range(nz):
        toks = next(data_lines, None)
        if toks is None:
            return ("error", "truncated")
        if len(toks) != ntok:
            return ("error", "token count")
        if array:
            if k:
                i += 1
            if i > M:
                if symmetric:
                    j += 1
                    i = j
                else:
                    j += 1
                    i = 1
        else:
            if not (INT_RE.match(toks[0]) and INT_RE.match(toks[1])):
                return ("error", "index not an integer")
            i, j = int(toks[0]), int(toks[1])
            if not (-2 ** 63 <= i < 2 ** 63 and -2 ** 63 <= j < 2 ** 63):
                return ("error", "index not an integer")
        v = 1.0
        if not pattern:
            t = toks[-1]
            if not (INT_RE.match(t) if integer else DEC_RE.match(t)):
                return ("error", "value")
            v = float(t)
            if not math.isfinite(v):
                return ("error", "value not finite")
        if not (1 <= i <= M and 1 <= j <= N):
            return ("error", "index out of range")
        if not array or v != 0.0:
            entries[(i, j)] += v
    if next(data_lines, None) is not None:
        return ("error", "extra entries")
    if symmetric:
        if any(a > b for a, b in entries) and any(a < b for a, b in entries):
            return ("error", "both triangles")
        for (a, b), v in list(entries.items()):
            if a != b:
                entries[(b, a)] += v
    return ("ok", M, N, math.sqrt(sum(v * v for v in entries.values())))


MTX_MAX_EMPTY_ROWS = 1 << 24  # src/io/matload.c: a file may declare at most this many rows beyond its entries


def mtx_verdict(data, res):
    """None when the program's handling of the Matrix Market text agrees with the reference."""
    ref = mtx_reference(data)
    accepted = res.status == 0
    if ref[0] == "error":
        return ("silent", f"accepted although the reference rejects it ({ref[1]})") if accepted else None
    if not accepted:
        if ref[1] > MTX_MAX_EMPTY_ROWS and "rows would be empty" in res.output:
            return None  # the documented limit on rows no stored entry backs (docs/io.md), not a defect
        return ("refused", "rejected although the reference reads it as a valid matrix") if res.klass is None else None
    got = dict(re.findall(r"^(rows|columns|frobenius):\s+(\S+)", res.output, re.M))
    try:
        same = (int(got["rows"]), int(got["columns"])) == ref[1:3] and math.isclose(float(got["frobenius"]), ref[3], rel_tol=1e-10, abs_tol=1e-300)
    except (KeyError, ValueError):
        same = False
    if not same:
        return ("silent", f"read as rows/columns/frobenius {got}, the reference finds {ref[1:]}")
    return None


# ------------------------------------------------------------------------------------------
# Running and classifying
# ------------------------------------------------------------------------------------------
CRASH_RE = re.compile(r"Caught signal number|ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|"
                      r"free\(\): |malloc\(\): |double free|corrupted size|corrupted double-linked|stack smashing detected|"
                      r"buffer overflow detected|Segmentation fault|exited on signal|Signal: |munmap_chunk|"
                      r"Aborted \(core dumped\)|terminate called")
VALGRIND_STATUS = 99  # valgrind's --error-exitcode in the tests
MEMORY_RE = re.compile(r"Out of memory|Memory requested|hard rss limit exhausted|allocation-size-too-big|"
                       r"requested allocation size|out of memory|bad_alloc|memory allocation failed|Cannot allocate memory|MemoryError|"
                       r"#1 PetscMallocAlign\(\)")  # Debian's PETSc: a refused PetscMalloc reports an out-of-range code


class Result:
    def __init__(self, status, sig, timed_out, peak_mb, output, seconds):
        self.status, self.sig, self.timed_out, self.peak_mb = status, sig, timed_out, peak_mb
        self.output, self.seconds, self.klass, self.why = output, seconds, None, ""


class Runner:
    def __init__(self, bindir, np_, timeout, asan, valgrind=None):
        self.bindir, self.np, self.timeout, self.asan, self.valgrind = bindir, np_, timeout, asan, valgrind
        self.env = dict(os.environ, **RUN_ENV)
        if asan:
            self.env["ASAN_OPTIONS"] = ASAN_OPTIONS
            self.env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

    def argv(self, args):
        prog = [os.path.join(self.bindir, args[0])] + list(args[1:])
        if self.asan:
            prog.append("-no_signal_handler")
        if self.valgrind:
            prog = self.valgrind + prog
        if self.np > 1:
            return ["mpiexec", "--allow-run-as-root", "--oversubscribe", "-n", str(self.np)] + prog
        return prog

    def run(self, args, workfile, raw=False):
        """Runs args (argv[0] under bindir unless raw) in the folder of workfile."""
        argv = list(args) if raw else self.argv(args)
        cwd = os.path.dirname(workfile) or "."
        limit = None if self.asan or self.valgrind else ADDRESS_LIMIT_MB << 20

        def preexec():
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        tmp = tempfile.mkdtemp(dir=cwd, prefix="run-")  # Open MPI's session folder: one per run, no races
        with tempfile.TemporaryFile(dir=cwd) as log:
            start = time.monotonic()
            proc = subprocess.Popen(argv, cwd=cwd, env=dict(self.env, TMPDIR=tmp), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, preexec_fn=preexec)
            timed_out, delay = False, 0.005
            while True:
                pid, wstatus, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - start > self.timeout:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, wstatus, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(delay)
                delay = min(2 * delay, 0.05)
            proc.returncode = 0  # reaped here
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # ranks left behind by a dead launcher
            except ProcessLookupError:
                pass
            seconds = time.monotonic() - start
            log.seek(0)
            out = log.read()
        shutil.rmtree(tmp, ignore_errors=True)
        text = out[:20000].decode(errors="replace")
        if len(out) > 40000:
            text += "\n[...]\n" + out[-20000:].decode(errors="replace")
        elif len(out) > 20000:
            text = out.decode(errors="replace")
        sig = os.WTERMSIG(wstatus) if os.WIFSIGNALED(wstatus) else 0
        status = os.WEXITSTATUS(wstatus) if os.WIFEXITED(wstatus) else -sig
        return Result(status, sig, timed_out, usage.ru_maxrss / 1024.0, text, seconds)

    def classify(self, res, fmt, name):
        """Sets res.klass (None: accepted or a clean error) and res.why."""
        out = res.output
        if res.timed_out:
            res.klass, res.why = "hang", f"still running after {self.timeout} s"
        elif res.peak_mb > MEMORY_LIMIT_MB or MEMORY_RE.search(out):
            m = MEMORY_RE.search(out)
            res.klass, res.why = "memory", f"peak {res.peak_mb:.0f} MB" + (f"; {first_line(out, m.start())}" if m else "")
        elif res.sig or CRASH_RE.search(out):
            m = CRASH_RE.search(out)
            res.klass, res.why = "crash", "; ".join(([f"signal {signal.Signals(res.sig).name}"] if res.sig else []) + ([first_line(out, m.start())] if m else []))
        elif self.valgrind and res.status == VALGRIND_STATUS:
            res.klass, res.why = "crash", "valgrind reports memory errors or leaks"
        elif res.status not in OK_STATUS.get(fmt, (0,)):
            msgs = error_lines(out)
            if not any(name in l for l in msgs):
                res.klass = "unnamed"
                res.why = f"exit status {res.status}; " + (" | ".join(msgs[:3]) if msgs else "no error message")
        return res


def error_lines(text):
    """The lines of the PETSc error messages (not the traceback nor the option table)."""
    msgs, inside = [], False
    for line in text.splitlines():
        if "PETSC ERROR:" not in line:
            continue
        body = line.split("PETSC ERROR:", 1)[1].strip()
        if "Error Message" in body:
            inside = True
        elif inside and re.match(r"See https|Petsc Release|#\d|-{8}", body):
            inside = False
        elif inside:
            msgs.append(body)
    return msgs


def error_message(text):
    """The specific line of the first PETSc error message (after the generic one), '' when none."""
    msgs = error_lines(text)
    return (msgs[1] if len(msgs) > 1 else msgs[0] if msgs else "")[:200]


def first_line(text, at):
    s = text.rfind("\n", 0, at) + 1
    e = text.find("\n", at)
    return text[s:e if e >= 0 else None].strip()[:200]


def signature(res):
    """A short key grouping failures of one cause: the first frame of ours in a sanitizer or
    gdb-like trace, else the first error line."""
    out = res.output
    m = re.search(r"ERROR: AddressSanitizer: ([\w-]+)", out)
    if m:
        frames = re.findall(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+)", out)
        ours = [f"{fn} {loc.split('/')[-1]}" for fn, loc in frames
                if re.match(r"(src|apps|plugins)/", loc) or (re.search(r"/(src|apps|plugins)/", loc) and ROOT in loc)]
        return f"asan {m.group(1)} at {ours[0] if ours else (frames[0][0] if frames else '?')}"
    if res.klass == "crash":
        return res.why.split(";")[0]
    return re.sub(r"[0-9]+", "N", res.why)[:120]


# ------------------------------------------------------------------------------------------
# Campaign
# ------------------------------------------------------------------------------------------
class Campaign:
    def __init__(self, args):
        self.args = args
        bindir = args.bindir or (os.path.join(ROOT, "build", "asan", "bin") if args.asan else os.path.join(ROOT, "bin"))
        wanted = {f for f, _ in args.only} if args.only else args.formats
        self.formats = [f for f in FORMATS if not wanted or f in wanted]
        for prog in {"krylearn-ot"} | {command(f, "", "", [""])[0] for f in self.formats}:
            if not os.access(os.path.join(bindir, prog), os.X_OK):
                sys.exit(f"fuzz: {bindir}/{prog} is missing: build it first ({'make asan' if args.asan else 'make'})")
        self.runner = Runner(bindir, args.np, args.timeout, args.asan, os.environ.get("VALGRIND", f"valgrind -q --error-exitcode={VALGRIND_STATUS}").split() if args.valgrind else None)
        self.work = tempfile.mkdtemp(prefix="krylearn-fuzz-", dir=args.workdir)
        self.seeds = Seeds(os.path.join(self.work, "seeds"), self.runner)
        self.mutators = {}
        self.lock = threading.Lock()
        self.counts = {f: collections.Counter() for f in FORMATS}
        self.failures = collections.defaultdict(list)   # (fmt, class, signature) -> [(index, kind, res, file)]

    def mutator(self, fmt, k):
        key = (fmt, k)
        if key not in self.mutators:
            path = self.seeds.seeds[fmt][k][0]
            with open(path, "rb") as f:
                data = f.read()
            self.mutators[key] = (MtxMutator if fmt == "mtx" else HDF5Mutator)(data, path)
        return self.mutators[key]

    def make(self, fmt, index):
        """Mutant `index` of fmt: (file argument, companions, mutation kind, bytes, seed file)"""
        rng = random.Random(f"{self.args.seed}:{fmt}:{index}")
        k = rng.randrange(len(self.seeds.seeds[fmt]))
        file, inner, companions = self.seeds.seeds[fmt][k]
        data, kind = self.mutator(fmt, k)(rng)
        path = os.path.join(self.work, "mutants", f"{fmt}-{index:05d}{os.path.splitext(file)[1]}")
        return path, file_arg(path, inner), companions, kind, data, os.path.basename(file)

    def check_seeds(self):
        bad = []
        for fmt in self.formats:
            for file, inner, comp in self.seeds.seeds[fmt]:
                out, arg = os.path.join(self.work, "seed-out.h5"), file_arg(file, inner)
                res = self.runner.classify(self.runner.run(command(fmt, arg, out, comp), file), fmt, os.path.basename(file))
                if res.status != 0 or res.klass:
                    bad.append(f"{fmt}: seed {arg} gives exit status {res.status} {res.klass or ''}\n{res.output[-2000:]}")
                if fmt == "mtx":
                    with open(file, "rb") as f:
                        v = mtx_verdict(f.read(), res)
                    if v:
                        bad.append(f"mtx: seed {arg}: {v[1]}")
        return bad

    def one(self, fmt, index):
        path, arg, companions, kind, data, seedname = self.make(fmt, index)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        out = path + ".out.h5"
        res = self.runner.classify(self.runner.run(command(fmt, arg, out, companions), path), fmt, os.path.basename(path))
        if fmt == "mtx" and res.klass is None:
            v = mtx_verdict(data, res)
            if v:
                res.klass, res.why = v
        with self.lock:
            c = self.counts[fmt]
            c["tried"] += 1
            c["accepted" if res.status in OK_STATUS.get(fmt, (0,)) and not res.klass else "error" if not res.klass else res.klass] += 1
            if res.klass:
                key = (fmt, res.klass, signature(res))
                self.failures[key].append((index, kind, res, path))
                self.keep(fmt, index, kind, res, path, arg, companions, seedname, len(self.failures[key]))
            if self.args.verbose or res.klass:
                msg = res.klass.upper() + ": " + res.why if res.klass else error_message(res.output)
                print(f"  {fmt}:{index} {kind:9s} exit {res.status:4d} {res.peak_mb:6.0f} MB {res.seconds:5.1f} s  {msg}", flush=True)
            self.done += 1
            if c["tried"] == self.planned[fmt] and not self.args.only:  # a format's row as soon as it is complete
                print(f"  format done: {self.row(fmt, c)}", flush=True)
            now = time.monotonic()
            if not self.args.verbose and now - self.shown >= self.args.progress:
                self.shown = now
                failed = sum(len(v) for v in self.failures.values())
                print(f"  [{self.done}/{self.todo} runs, {now - self.start:.0f} s, {self.done / (now - self.start):.1f} runs/s, {failed} failed; at {fmt}]", flush=True)
        for p in (path, out):
            if os.path.exists(p):
                os.remove(p)

    def keep(self, fmt, index, kind, res, path, arg, companions, seedname, nth):
        if not self.args.keep or nth > self.args.keep_per_cause:
            return
        d = self.args.keep
        os.makedirs(os.path.join(d, "seeds"), exist_ok=True)
        base = f"{fmt}-{index:05d}-{res.klass}"
        ext = os.path.splitext(path)[1]
        shutil.copy(path, os.path.join(d, base + ext))
        comp = []
        for c in companions:
            shutil.copy(c, os.path.join(d, "seeds", os.path.basename(c)))
            comp.append(os.path.join(d, "seeds", os.path.basename(c)))
        kept = os.path.join(d, base + ext) + (arg[len(path):] if arg != path else "")
        cmd = self.runner.argv(command(fmt, kept, os.path.join(d, base + ".out.h5"), comp))
        with open(os.path.join(d, base + ".txt"), "w") as f:
            f.write(f"class:    {res.klass}: {res.why}\nformat:   {fmt} (mutant {index}, {kind} of seed {seedname})\n"
                    f"status:   {res.status}, signal {res.sig}, peak {res.peak_mb:.0f} MB, {res.seconds:.1f} s\n"
                    f"command:  {' '.join(cmd)}\nremake:   tests/fuzz/fuzz.py --seed {self.args.seed} --only {fmt}:{index}"
                    f"{' --np %d' % self.args.np if self.args.np > 1 else ''}{' --asan' if self.args.asan else ''}\n\n{res.output}")

    def run(self):
        a = self.args
        print(f"krylearn fuzz: seed {a.seed}, {f'{len(a.only)} chosen mutants' if a.only else f'{a.n} mutants per format'}, {a.np} rank(s), "
              f"programs in {os.path.relpath(self.runner.bindir, ROOT)}{' (ASan build)' if a.asan else ''}{' under valgrind' if a.valgrind else ''}, timeout {a.timeout} s, jobs {a.jobs}", flush=True)
        bad = self.check_seeds()
        if bad:
            print("fuzz: a seed is not accepted (a fuzzer or program defect):\n" + "\n".join(bad))
            return 2
        jobs = [(f, i) for f in self.formats for i in range(a.n)] if not a.only else a.only
        self.todo, self.done, self.planned = len(jobs), 0, collections.Counter(f for f, _ in jobs)
        start = self.start = self.shown = time.monotonic()
        with ThreadPoolExecutor(max_workers=a.jobs) as ex:
            for fut in [ex.submit(self.one, f, i) for f, i in jobs]:
                fut.result()
        self.report(time.monotonic() - start)
        shutil.rmtree(self.work, ignore_errors=True)
        return 1 if self.failures else 0

    COLUMNS = ("tried", "accepted", "error") + CLASSES

    def row(self, name, counts):
        return f"{name:10s} " + " ".join(f"{counts[c]:8d}" for c in self.COLUMNS)

    def report(self, seconds):
        print(f"\n{'format':10s} " + " ".join(f"{c:>8s}" for c in self.COLUMNS))
        total = collections.Counter()
        for f in self.formats:
            if self.counts[f]["tried"]:
                print(self.row(f, self.counts[f]))
                total.update(self.counts[f])
        print(self.row("total", total))
        print(f"\nseed {self.args.seed}: {total['tried']} runs in {seconds:.0f} s, "
              f"{sum(total[c] for c in CLASSES)} failed ({', '.join(f'{total[c]} {c}' for c in CLASSES)})")
        if self.failures:
            print("\nfailures by cause (format, class, cause: count, first mutants):")
            for (fmt, klass, sig), lst in sorted(self.failures.items()):
                print(f"  {fmt} {klass} [{len(lst)}] {sig} -- {', '.join(str(i) for i, *_ in lst[:5])}")
            if self.args.keep:
                print(f"inputs and logs kept in {self.args.keep}")


# ------------------------------------------------------------------------------------------
# Self-test: the fuzzer itself can fail
# ------------------------------------------------------------------------------------------
PETSC_BLOCK = ("[0]PETSC ERROR: ----- Error Message -----\\n[0]PETSC ERROR: Generic text\\n[0]PETSC ERROR: %s\\n"
               "[0]PETSC ERROR: See https://petsc.org/release/faq/\\n[0]PETSC ERROR: #1 main() at apps/x.c:1\\n"
               "[0]PETSC ERROR: PETSc Option Table entries:\\n[0]PETSC ERROR: -f %s\\n")


def selftest(args):
    c = Campaign(args)
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        failed += not ok
    bad = c.check_seeds()
    check(not bad, f"all {sum(len(v) for v in c.seeds.seeds.values())} seeds of the {len(FORMATS)} formats are accepted" + ("\n" + "\n".join(bad) if bad else ""))
    for f in FORMATS:
        a, b = c.make(f, 7), c.make(f, 7)
        check(a[4] == b[4] and a[4] != c.make(f, 8)[4], f"{f}: mutants are reproducible from the seed and differ between indices")
    h = HDF5Mutator(open(c.seeds.seeds["h5-csr"][0][0], "rb").read(), c.seeds.seeds["h5-csr"][0][0])
    check(0 < len(h.meta) < len(h.data), f"HDF5 metadata found: {len(h.meta)} of {len(h.data)} bytes of csr.h5")
    r, sh = c.runner, os.path.join(c.work, "x")
    probes = [(["sh", "-c", "kill -SEGV $$"], "crash"), (["sh", "-c", "sleep 30"], "hang"),
              ([sys.executable, "-c", "b = bytearray(3 << 30)"], "memory"), (["sh", "-c", "exit 1"], "unnamed"),
              (["sh", "-c", f"printf '{PETSC_BLOCK}' 'x.h5: bad input' 'x.h5'; exit 1"], None),
              (["sh", "-c", f"printf '{PETSC_BLOCK}' 'Out of range' 'x.h5'; exit 1"], "unnamed"),
              (["sh", "-c", "echo '[0]PETSC ERROR: Caught signal number 11 SEGV'; exit 59"], "crash"),
              (["sh", "-c", f"printf '{PETSC_BLOCK}' 'x.h5: f' 'x.h5' | sed 's/#1 main() at apps.x.c:1/#1 PetscMallocAlign() at mal.c:55/'; exit 49"], "memory")]
    r.timeout = 3
    for argv, want in probes:
        res = r.classify(r.run(argv, sh, raw=True), "h5-csr", "x.h5")
        check(res.klass == want, f"{' '.join(argv)}: class {res.klass} ({res.why}), expected {want}")
    samples = [(b"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 4D00e+00\n", "error"),
               (b"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 1\n", "error"),
               (b"%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 2.5\n", "error"),
               (b"%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 3\n2 2 4\n", "ok")]
    for text, want in samples:
        check(mtx_reference(text)[0] == want, f"reference Matrix Market reader: {text[-12:]!r} -> {want}")
    check(abs(mtx_reference(samples[3][0])[3] - math.sqrt(9 + 9 + 16)) < 1e-12, "reference reader mirrors symmetric entries")
    shutil.rmtree(c.work, ignore_errors=True)
    print(f"{'selftest failed' if failed else 'selftest passed'}")
    return 1 if failed else 0


REGRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regressions.txt")


def mutant_list(text):
    """'FORMAT:INDEX,...' as [(FORMAT, INDEX), ...]"""
    return [(f, int(i)) for f, i in (item.strip().split(":") for item in text.split(","))]


def regressions():
    """The mutants that once failed, by campaign seed: {SEED: [(FORMAT, INDEX), ...]}"""
    listed = {}
    with open(REGRESSIONS) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                seed, mutants = line.split(":", 1)
                listed[int(seed)] = mutant_list(mutants)
    return listed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20, help="mutants per format (default 20)")
    ap.add_argument("--seed", type=int, default=None, help="campaign seed (default: from the clock, printed)")
    ap.add_argument("--formats", type=lambda s: s.split(","), default=None, help="comma-separated formats (default: all)")
    ap.add_argument("--only", type=mutant_list, default=None,
                    help="FORMAT:INDEX[,...]: just these mutants (with the campaign's --seed)")
    ap.add_argument("--regressions", type=int, default=None, metavar="SEED",
                    help=f"the mutants of campaign SEED listed in {os.path.relpath(REGRESSIONS, ROOT)} (sets --seed and --only)")
    ap.add_argument("--np", type=int, default=1, help="MPI ranks per run (default 1)")
    ap.add_argument("--asan", action="store_true", help="run the AddressSanitizer build (make asan)")
    ap.add_argument("--valgrind", action="store_true",
                    help=f"run every program under $VALGRIND (default 'valgrind -q --error-exitcode={VALGRIND_STATUS}'), which must exit with {VALGRIND_STATUS} on an error")
    ap.add_argument("--bindir", default=None, help="folder of the programs (default bin/, build/asan/bin with --asan)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="runs at once (default 1)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run (default 30, 120 with --asan, 300 with --valgrind)")
    ap.add_argument("--keep", default=None, help="folder for the failing inputs and their logs")
    ap.add_argument("--keep-per-cause", type=int, default=5, help="inputs kept per format, class and cause (default 5)")
    ap.add_argument("--workdir", default=None, help="where mutants are written (default: the system temporary folder)")
    ap.add_argument("--list", action="store_true", help="list the formats and the commands that read them")
    ap.add_argument("--selftest", action="store_true", help="check the seeds, the mutators and the classifier")
    ap.add_argument("--progress", type=float, default=60.0, help="seconds between progress lines (default 60)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per run")
    args = ap.parse_args()
    if args.regressions is not None:
        if args.seed is not None or args.only:
            ap.error("--regressions sets the seed and the mutants: give neither --seed nor --only with it")
        listed = regressions()
        if args.regressions not in listed:
            ap.error(f"no campaign {args.regressions} in {REGRESSIONS}; listed: {', '.join(map(str, listed))}")
        args.seed, args.only = args.regressions, listed[args.regressions]
    if args.seed is None:
        args.seed = int(time.time()) % 1000000
    if args.timeout is None:
        args.timeout = 300.0 if args.valgrind else 120.0 if args.asan else 30.0
    if args.formats and set(args.formats) - set(FORMATS):
        ap.error(f"unknown format(s) {sorted(set(args.formats) - set(FORMATS))}; formats: {', '.join(FORMATS)}")
    if args.keep:
        args.keep = os.path.abspath(args.keep)
    if args.bindir:  # runs start in the mutant's folder
        args.bindir = os.path.abspath(args.bindir)
    if args.list:
        for f in FORMATS:
            print(f"{f:10s} {' '.join(command(f, 'MUTANT', 'OUT.h5', ['COMPANION']))}")
        return 0
    if args.selftest:
        return selftest(args)
    return Campaign(args).run()


if __name__ == "__main__":
    sys.exit(main())
