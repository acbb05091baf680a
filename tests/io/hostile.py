#!/usr/bin/python3
"""Hostile input: small files (a few KB each, written here with h5py) that declare huge
extents, wrap 32- and 64-bit sizes, store attributes of the wrong shape, corrupt a model's
graph table, or are not regular files. Each goes to the program that reads it; the program
must exit non-zero, within the timeout, without a signal, naming the problem (the expected
words), on every rank count asked for.

Usage: hostile.py [--np P] [--valgrind] [-k SUBSTRING]
  --np P       run every case under $MPIEXEC -n P (default 1)
  --valgrind   run the cases that used to crash under $VALGRIND (serial)"""
import argparse
import os
import shutil
import struct
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("BIN", os.path.join(ROOT, "bin"))
MODEL = os.path.join(ROOT, "data", "deepcd-2d.h5")
VS = h5py.string_dtype()
rng = np.random.default_rng(0)
PRESSURE = ["krylearn-pressure", "-n", "16", "-ksp_type", "deepcd", "-ksp_max_it", "3", "-ksp_deepcd_model"]


def csr_file(path, A, attrs=None):
    with h5py.File(path, "w") as f:
        f["indptr"], f["indices"], f["data"], f["shape"] = A.indptr, A.indices, A.data, np.array(A.shape)
        for k, v in (attrs or {}).items():
            f.attrs[k] = v
    return path


def mlp_files(stem, edit=None):
    """A 4-5-3 tanh classifier and 20 samples; edit(f) changes the model file"""
    model, data = f"{stem}-model.h5", f"{stem}-data.h5"
    with h5py.File(model, "w") as f:
        f.attrs["format"], f.attrs["loss"], f.attrs["weight_decay"], f.attrs["nlayers"] = "krylearn-mlp", "cross_entropy", 1e-3, 3
        for i, kind in enumerate(("linear", "tanh", "linear")):
            f.create_group(f"layer{i}").attrs["type"] = kind
        f["layer0/weight"], f["layer0/bias"] = rng.standard_normal((5, 4)), rng.standard_normal(5)
        f["layer2/weight"], f["layer2/bias"] = rng.standard_normal((3, 5)), rng.standard_normal(3)
        if edit:
            edit(f)
    with h5py.File(data, "w") as f:
        f["X"], f["y"] = rng.standard_normal((20, 4)), np.arange(20, dtype=np.int64) % 3
    return model, data


def model_copy(name, edit):
    shutil.copy(MODEL, name)
    with h5py.File(name, "r+") as f:
        edit(f)
    return name


def replace_attr(obj, name, value):
    if name in obj.attrs:
        del obj.attrs[name]
    obj.attrs[name] = value


def ot_sparse(name, edit, m=10, n=12):
    with h5py.File(name, "w") as f:
        g = f.create_group("C")
        jc, ir, data = np.arange(n + 1, dtype=np.int64) * m, np.tile(np.arange(m, dtype=np.int64), n), rng.random(n * m)
        jc, ir, data = edit(jc, ir, data)
        g["jc"], g["ir"], g["data"] = jc, ir, data
        g.attrs["MATLAB_sparse"] = np.int64(m)
        f["r"], f["c"] = np.full(n, 1 / n), np.full(m, 1 / m)
    return name


def cases():
    """(name, argv, expected words, crashed before: run under valgrind)"""
    out = []
    add = lambda name, argv, expect, crash=False: out.append((name, argv, expect, crash))
    A = sp.random(8, 8, density=0.3, format="csr", random_state=0) + sp.identity(8, format="csr")
    BIG = 2**32 + 4

    # r01: nnz above 2^32 in never-written chunked datasets
    for layout in ("csr", "petsc"):
        with h5py.File(f"nnz-{layout}.h5", "w") as f:
            p, i = ("jc", "ir") if layout == "petsc" else ("indptr", "indices")
            f[p] = np.array([0, 1, 2, 3, BIG], np.int64)
            f.create_dataset(i, shape=(BIG,), dtype=np.int64, chunks=(1024,))
            f.create_dataset("data", shape=(BIG,), dtype=np.float64, chunks=(1024,), fillvalue=1.0)
            if layout == "petsc":
                f.attrs["MATLAB_sparse"] = np.int64(4)
            else:
                f["shape"] = np.array([4, 4])
        add(f"r01-nnz-wrap-{layout}", ["krylearn-ingest", "info", f"nnz-{layout}.h5"], f"declares {BIG} elements", True)
    with h5py.File("nnz-plan.h5", "w") as f:
        f.attrs["eta"] = 100.0
        g = f.create_group("P")
        g["jc"] = np.array([0, 1, 2, 3, BIG], np.int64)
        g.create_dataset("ir", shape=(BIG,), dtype=np.int64, chunks=(1024,))
        g.create_dataset("data", shape=(BIG,), dtype=np.float64, chunks=(1024,), fillvalue=0.1)
        g.attrs["MATLAB_sparse"] = np.int64(4)
    add("r01-nnz-wrap-plan", ["krylearn-spectrum", "-ot_plan", "nnz-plan.h5", "-top", "1"], f"declares {BIG} elements", True)

    # r02: string attributes stored as arrays of strings
    csr_file("format-array.h5", A, {"format": np.array(["csr"] * 64, dtype=VS)})
    add("r02-matrix-format-array", ["krylearn-ingest", "info", "format-array.h5"], "attribute 'format' of group '/' holds 64 values, one string expected", True)
    model_copy("model-format-array.h5", lambda f: replace_attr(f, "format", np.array(["krylearn-model"] * 64, dtype=VS)))
    add("r02-model-format-array", PRESSURE + ["model-format-array.h5"], "attribute 'format' of group '/' holds 64 values", True)
    mlp_files("loss-array", lambda f: replace_attr(f, "loss", np.array(["cross_entropy"] * 64, dtype=VS)))
    add("r02-mlp-loss-array", ["krylearn-spectrum", "-model", "loss-array-model.h5", "-data", "loss-array-data.h5", "-top", "1"], "attribute 'loss' of group '/' holds 64 values", True)

    # r03: numeric attributes stored as arrays where one value is expected
    mlp_files("nlayers-array", lambda f: replace_attr(f, "nlayers", np.full(1000, 3.0)))
    add("r03-mlp-nlayers-array", ["krylearn-spectrum", "-model", "nlayers-array-model.h5", "-data", "nlayers-array-data.h5", "-top", "1"], "attribute 'nlayers' of group '/' holds 1000 values, one value expected", True)
    with h5py.File("plan-eta-array.h5", "w") as f:
        f["P"], f.attrs["eta"] = np.full((4, 3), 1 / 12), np.full(1000, 100.0)
    add("r03-plan-eta-array", ["krylearn-spectrum", "-ot_plan", "plan-eta-array.h5", "-top", "1"], "attribute 'eta' of group '/' holds 1000 values", True)
    with h5py.File("ot-matlab-sparse-array.h5", "w") as f:
        g = f.create_group("C")
        g["jc"], g["ir"], g["data"] = np.arange(13, dtype=np.int64) * 10, np.tile(np.arange(10, dtype=np.int64), 12), rng.random(120)
        g.attrs["MATLAB_sparse"] = np.full(1000, 10, np.int64)
    add("r03-ot-matlab-sparse-array", ["krylearn-ot", "ot-matlab-sparse-array.h5", "-o", "o.h5"], "attribute 'MATLAB_sparse' of group '/C' holds 1000 values", True)

    # r04: vcycle bodies named 'level', '/level', '//level', ...
    def alias(f):
        g = f["graphs/main"]
        nops = int(g.attrs["num_ops"])
        vc = next(i for i in range(nops) if g[f"op{i}"].attrs["type"] in (b"vcycle", "vcycle"))
        body = g[f"op{vc}"].attrs["body"]
        body = body.decode() if isinstance(body, bytes) else body
        output = g.attrs["output"]
        output = output.decode() if isinstance(output, bytes) else output
        for k in range(6):
            o = g.create_group(f"op{nops + k}")
            for a, v in g[f"op{vc}"].attrs.items():
                o.attrs[a] = v
            o.attrs["body"] = np.bytes_(("/" * (k + 1) + body).encode())
            o.attrs["inputs"] = np.bytes_((output if k == 0 else f"alias{k - 1}").encode())
            o.attrs["output"] = np.bytes_(f"alias{k}".encode())
        g.attrs["num_ops"] = np.int32(nops + 6)
    model_copy("model-body-alias.h5", alias)
    add("r04-model-body-alias", PRESSURE + ["model-body-alias.h5"], "a body is named by a plain group name", True)

    # r05: a weight whose element count wraps 32 bits, or is merely huge: rejected before anything is allocated
    for name, shape in (("wrap", (65536, 65537)), ("big", (30000, 30000))):
        def huge(f, shape=shape):
            w = sorted(f["weights"])[0]
            del f["weights/" + w]
            f.create_dataset("weights/" + w, shape=shape, dtype=np.float32, chunks=(64, 64))
        model_copy(f"model-weight-{name}.h5", huge)
        add(f"r05-model-weight-{name}", PRESSURE + [f"model-weight-{name}.h5"], f"declares {shape[0] * shape[1]} elements", True)

    # r06: an MLP parameter count that wraps 32 bits
    with h5py.File("mlp-wrap-model.h5", "w") as f:
        f.attrs["loss"], f.attrs["nlayers"] = "mse", 1
        g = f.create_group("layer0")
        g.attrs["type"] = "linear"
        g.create_dataset("weight", shape=(2**30 + 1, 4), dtype=np.float64, chunks=(4096, 4))
    with h5py.File("mlp-wrap-data.h5", "w") as f:
        f["X"], f["y"] = np.ones((5, 4)), np.ones((5, 1))
    add("r06-mlp-nparam-wrap", ["krylearn-spectrum", "-model", "mlp-wrap-model.h5", "-data", "mlp-wrap-data.h5", "-top", "1"], "declares 4294967300 elements", True)

    # r07: OT extents beyond 32 bits
    with h5py.File("ot-cols-wrap.h5", "w") as f:
        f.create_dataset("C", shape=(2, 2**32 + 2), dtype=np.float64, chunks=(1, 4096))
    add("r07-ot-cols-wrap", ["krylearn-ot", "ot-cols-wrap.h5", "-o", "o.h5"], "declares 8589934596 elements", True)
    with h5py.File("ot-rows-wrap.h5", "w") as f:
        f.create_dataset("C", shape=(2**33 + 3, 2), dtype=np.float64, chunks=(64, 2))
    add("r07-ot-rows-wrap", ["krylearn-ot", "ot-rows-wrap.h5", "-o", "o.h5"], "declares 17179869190 elements")
    with h5py.File("ot-c-wrap.h5", "w") as f:
        f["C"], f["r"] = rng.random((12, 10)), np.full(12, 1 / 12)
        f.create_dataset("c", shape=(2**32 + 10,), dtype=np.float64, chunks=(4096,), fillvalue=0.1)
    add("r07-ot-weights-wrap", ["krylearn-ot", "ot-c-wrap.h5", "-o", "o.h5"], "declares 4294967306 elements")

    # r08: the sparse OT cost is read by the checked loader
    ot_sparse("jc-nonmonotone.h5", lambda jc, ir, d: (np.r_[jc[:3], 50_000_000, jc[4:]], ir, d))
    add("r08-jc-nonmonotone", ["krylearn-ot", "jc-nonmonotone.h5", "-o", "o.h5"], "pointers 'jc' are not monotone", True)
    ot_sparse("jc-short-end.h5", lambda jc, ir, d: (np.r_[jc[:-1], jc[-1] - 3], ir, d))
    add("r08-jc-short-end", ["krylearn-ot", "jc-short-end.h5", "-o", "o.h5"], "pointers 'jc' end at 117, not at the 120 stored entries")
    ot_sparse("jc-float.h5", lambda jc, ir, d: (jc.astype(np.float64) + 0.5, ir, d))
    add("r08-jc-float", ["krylearn-ot", "jc-float.h5", "-o", "o.h5"], "dataset '/C/jc' has the wrong dtype")
    ot_sparse("ir-duplicate.h5", lambda jc, ir, d: (jc, np.r_[0, 0, ir[2:]], d))
    add("r08-ir-duplicate", ["krylearn-ot", "ir-duplicate.h5", "-o", "o.h5"], "stores 120 entries but only 119 distinct (row, column) pairs")

    # r09: num_ops = 2e9 is rejected before any loop over the operations
    model_copy("model-num-ops.h5", lambda f: replace_attr(f["graphs/main"], "num_ops", np.int32(2_000_000_000)))
    add("r09-model-num-ops", PRESSURE + ["model-num-ops.h5"], "/graphs/main has 2000000000 operations")

    # r10: named pipes, directories
    for name in ("pipe.h5", "pipe.mtx"):
        if not os.path.exists(name):
            os.mkfifo(name)
    os.makedirs("dir.h5", exist_ok=True)
    fifo = "not a regular file (a named pipe, device or socket)"
    add("r10-fifo-model", PRESSURE + ["pipe.h5"], fifo)
    add("r10-fifo-mtx", ["krylearn-ingest", "info", "pipe.mtx"], fifo)
    add("r10-fifo-ot", ["krylearn-ot", "pipe.h5", "-o", "o.h5"], fifo)
    add("r10-fifo-spectrum", ["krylearn-spectrum", "-model", "pipe.h5", "-data", "pipe.h5", "-top", "1"], fifo)
    add("r10-fifo-matrix", ["krylearn-spectrum", "-matrix", "pipe.h5", "-top", "1"], fifo)
    add("r10-directory", ["krylearn-ingest", "info", "dir.h5"], "a directory, not a file")

    # r11: KB-sized files declaring huge extents
    with h5py.File("coo-huge.h5", "w") as f:
        for k, t in (("row", np.int64), ("col", np.int64), ("data", np.float64)):
            f.create_dataset(k, shape=(2**26,), dtype=t, chunks=(1 << 16,))
        f["shape"] = np.array([4, 4])
    add("r11-coo-huge", ["krylearn-ingest", "info", "coo-huge.h5"], "declares 67108864 elements")
    with h5py.File("dense-huge.h5", "w") as f:
        f.create_dataset("D", shape=(20000, 20000), dtype=np.float64, chunks=(256, 256))
    add("r11-dense-huge", ["krylearn-ingest", "info", "dense-huge.h5:/D"], "declares 400000000 elements")
    with h5py.File("csr-huge.h5", "w") as f:
        f.create_dataset("indptr", shape=(2**31,), dtype=np.int64, chunks=(1 << 16,))
        f["indices"], f["data"], f["shape"] = np.zeros(0, np.int64), np.zeros(0), np.array([2**31 - 1, 4])
    add("r11-csr-huge", ["krylearn-ingest", "info", "csr-huge.h5"], "declares 2147483648 elements")
    with open("huge.mtx", "w") as fh:
        fh.write("%%MatrixMarket matrix coordinate real general\n2147483647 2147483647 1\n1 1 1.0\n")
    add("r11-mtx-huge", ["krylearn-ingest", "info", "huge.mtx"], "declares 2147483647 rows but stores 1 entries")
    with h5py.File("coo-rows.h5", "w") as f:
        f["row"], f["col"], f["data"], f["shape"] = np.array([0]), np.array([0]), np.array([1.0]), np.array([2**31 - 1, 4])
    add("r11-coo-rows", ["krylearn-ingest", "info", "coo-rows.h5"], "declares 2147483647 rows but stores 1 entries")
    # the column-compressed layouts: rows from an attribute (MATLAB) or the shape (CSC), one pointer per column
    with h5py.File("matlab-rows.h5", "w") as f:
        f["jc"], f["ir"], f["data"] = np.array([0, 1, 1], np.uint64), np.array([0], np.uint64), np.array([1.0])
        f.attrs["MATLAB_class"], f.attrs["MATLAB_sparse"] = np.bytes_(b"double"), np.uint64(2**31 - 1)
    add("r11-matlab-rows", ["krylearn-ingest", "info", "matlab-rows.h5"], "declares 2147483647 rows but stores 1 entries", True)
    with h5py.File("csc-rows.h5", "w") as f:
        f["indptr"], f["indices"], f["data"], f["shape"] = np.array([0, 1, 1]), np.array([0]), np.array([1.0]), np.array([2**31 - 1, 2])
        f.attrs["format"] = np.bytes_(b"csc")
    add("r11-csc-rows", ["krylearn-ingest", "info", "csc-rows.h5"], "declares 2147483647 rows but stores 1 entries", True)

    # r13: a grid whose cell count wraps 64 bits
    P = sp.csr_matrix(sp.kron(sp.identity(8), sp.diags([-1, 2, -1], [-1, 0, 1], shape=(8, 8))) + sp.kron(sp.diags([-1, 2, -1], [-1, 0, 1], shape=(8, 8)), sp.identity(8)))
    csr_file("grid-wrap.h5", P, {"grid": np.array([320, 107367629, 536903681], np.int64)})
    add("r13-grid-wrap", ["krylearn-ingest", "info", "grid-wrap.h5"], "attribute 'grid' (3 entries")

    # r14: model integers beyond 32 bits
    for attr, where in (("format_version", "/"), ("dimension", "/"), ("kernel", "graphs/main/op0"), ("num_ops", "graphs/main")):
        def wide(f, attr=attr, where=where):
            o = f[where]
            replace_attr(o, attr, np.int64(2**32 + int(o.attrs[attr])))
        model_copy(f"model-{attr}.h5", wide)
        add(f"r14-model-{attr}", PRESSURE + [f"model-{attr}.h5"], f"attribute '{attr}' of")

    # r15: spectrum inputs accepted silently before
    mlp_files("t")
    with h5py.File("t-bigX.h5", "w") as f:
        f.create_dataset("X", shape=(2**32 + 20, 4), dtype=np.float64, chunks=(1024, 4))
        f.create_dataset("y", shape=(2**32 + 20,), dtype=np.int64, chunks=(4096,))
    add("r15-spectrum-X-rows", ["krylearn-spectrum", "-model", "t-model.h5", "-data", "t-bigX.h5", "-top", "1"], "declares 17179869264 elements")
    mlp_files("decay", lambda f: replace_attr(f, "weight_decay", np.inf))
    add("r15-weight-decay-inf", ["krylearn-spectrum", "-model", "decay-model.h5", "-data", "decay-data.h5", "-top", "1"], "attribute 'weight_decay' is inf")
    with h5py.File("nan-target-model.h5", "w") as f:
        f.attrs["loss"], f.attrs["nlayers"] = "mse", 1
        f.create_group("layer0").attrs["type"] = "linear"
        f["layer0/weight"] = rng.standard_normal((2, 4))
    with h5py.File("nan-target-data.h5", "w") as f:
        y = np.ones((6, 2))
        y[4, 1] = np.nan
        f["X"], f["y"] = rng.standard_normal((6, 4)), y
    add("r15-nan-target", ["krylearn-spectrum", "-model", "nan-target-model.h5", "-data", "nan-target-data.h5", "-top", "1"], "y has a non-finite target in row 4")
    mlp_files("nlayers", lambda f: replace_attr(f, "nlayers", 2.5))
    # finite values that overflow float64 in the loss (fuzzed: a weight of 1e231, an input of 1e289), a layer of width 0
    for name, weight, X in (("weight", 1e231, 1.0), ("input", 1.0, 1e289)):
        with h5py.File(f"overflow-{name}-model.h5", "w") as f:
            f.attrs["loss"], f.attrs["nlayers"] = np.bytes_(b"mse"), 3
            for i, kind in enumerate((b"linear", b"relu", b"linear")):
                f.create_group(f"layer{i}").attrs["type"] = np.bytes_(kind)
            f["layer0/weight"], f["layer2/weight"] = np.full((4, 3), 0.5), np.full((2, 4), weight)
        with h5py.File(f"overflow-{name}-data.h5", "w") as f:
            f["X"], f["y"] = np.full((16, 3), X), np.ones((16, 2))
        add(f"fuzz-mlp-overflow-{name}", ["krylearn-spectrum", "-model", f"overflow-{name}-model.h5", "-data", f"overflow-{name}-data.h5", "-top", "1"],
            f"overflow-{name}-model.h5 with overflow-{name}-data.h5: the loss or its gradient is not finite", True)
    mlp_files("width0", lambda f: (f.__delitem__("layer2/weight"), f.__delitem__("layer2/bias"), f.__setitem__("layer2/weight", np.zeros((0, 5)))))
    # a contiguous layout message read as an old-version compact one that stores 0 of the 128 bytes (fuzzed)
    with h5py.File("compact-clouds.h5", "w") as f:
        f["X"], f["Y"] = rng.random((8, 2)), rng.random((6, 2))
        where, size = f["X"].id.get_offset(), f["X"].id.get_storage_size()
    with open("compact-clouds.h5", "r+b") as fh:
        data = fh.read()
        at = data.index(b"\x03\x01" + where.to_bytes(8, "little") + size.to_bytes(8, "little"))
        fh.seek(at)
        fh.write(b"\x02")  # layout message version 3 -> 2: the class byte becomes 0, compact
    add("fuzz-compact-short", ["krylearn-ot", "compact-clouds.h5", "-o", "o.h5"], "compact-clouds.h5: dataset 'X' declares 16 elements (128 bytes) but the file stores 0 bytes of it", True)
    add("fuzz-mlp-width0", ["krylearn-spectrum", "-model", "width0-model.h5", "-data", "width0-data.h5", "-top", "1"],
        "width0-model.h5: layer 2 has 0 outputs and 5 inputs: a linear layer needs at least one of each", True)
    add("r15-nlayers-fraction", ["krylearn-spectrum", "-model", "nlayers-model.h5", "-data", "nlayers-data.h5", "-top", "1"], "attribute 'nlayers' of group '/' has the wrong dtype: floating-point, integers expected")
    for name, value in (("negative", -1.0), ("zero", 0.0)):
        Pl = np.full((4, 3), 1 / 12)
        Pl[0, 0] = value
        if name == "zero":
            Pl[...] = 0.0
        with h5py.File(f"plan-{name}.h5", "w") as f:
            f["P"], f.attrs["eta"] = Pl, 100.0
        add(f"r15-plan-{name}", ["krylearn-spectrum", "-ot_plan", f"plan-{name}.h5", "-top", "1"], "negative entries" if name == "negative" else "has no mass")
    # an eta whose Hessian float64 cannot hold (fuzzed: eta 1e-307 gave "indefinite matrix"; 1e200 wrong eigenvalues)
    for name, eta in (("tiny", 1e-307), ("huge", 1e200)):
        with h5py.File(f"plan-eta-{name}.h5", "w") as f:
            f["P"], f.attrs["eta"] = np.full((4, 3), 1 / 12), eta
        add(f"fuzz-plan-eta-{name}", ["krylearn-spectrum", "-ot_plan", f"plan-eta-{name}.h5", "-top", "1"],
            f"plan-eta-{name}.h5: attribute eta = {eta:g} with a plan of mass 1.: the Hessian's scale eta x mass must lie in [1e-290, 1e150]", True)

    # A chunk shape larger than the chunks stored (an uncompressed chunked dataset whose layout message
    # says 6 x 5 where 4 x 5 chunks were written): libhdf5 would copy past each chunk it reads
    with h5py.File("chunks.h5", "w") as f:
        f.create_dataset("D", data=rng.random((12, 10)), chunks=(4, 5))
    raw = open("chunks.h5", "rb").read()
    layout = raw.find(struct.pack("<III", 4, 5, 8))  # the chunk dimensions and element size of the layout message
    assert layout > 0 and raw.find(struct.pack("<III", 4, 5, 8), layout + 1) < 0
    open("chunks.h5", "wb").write(raw[:layout] + struct.pack("<I", 6) + raw[layout + 4:])
    add("chunk-shape-corrupt", ["krylearn-ingest", "info", "chunks.h5:/D"], "chunks.h5: dataset 'D' has chunks of 240 bytes of which the file stores 960 bytes in all", True)

    # A matrix that is not square given to the linear solver (fuzz campaign 1207, vec:7595: a shape of
    # 25 x 16646169 ended in PETSc's "incompatible vector local lengths", naming no file)
    csr_file("rectangular.h5", sp.random(8, 12, density=0.3, format="csr", random_state=1))
    add("solve-not-square", ["krylearn-solve", "-f", "rectangular.h5", "-rhs", "ones"], "rectangular.h5: the matrix is 8 x 12: a linear solve needs a square matrix")

    # A group linked into itself whose object header counts one link too few: HDF5's walk over the
    # objects goes round forever (fuzz campaign 1206, h5-petsc:4682); a valid cycle is in link_cases()
    csr_file("cycle.h5", A)
    with h5py.File("cycle.h5", "r+") as f:
        f.create_group("g")["loop"] = f["/"]
    raw = bytearray(open("cycle.h5", "rb").read())
    root = struct.unpack_from("<Q", raw, 64)[0]  # superblock version 0: the root group's object header
    assert raw[8] == 0 and raw[root] == 1 and struct.unpack_from("<I", raw, root + 4)[0] == 2
    struct.pack_into("<I", raw, root + 4, 1)  # its link count: 1 instead of 2
    open("cycle.h5", "wb").write(raw)
    add("group-cycle", ["krylearn-ingest", "info", "cycle.h5"], "cycle.h5: corrupt file: its groups link back to an object already reached", True)

    # r16: an attribute the file has but HDF5 cannot read is an error, not "absent"
    csr_file("attr-unreadable.h5", A, {"symmetric": np.int64(1)})
    with h5py.File("attr-unreadable.h5", "r+") as f:  # an integer type of 3 bytes: no such C type
        t = h5py.h5t.STD_I32LE.copy()
        t.set_size(3)
        del f.attrs["symmetric"]
        h5py.h5a.create(f.id, b"symmetric", t, h5py.h5s.create(h5py.h5s.SCALAR)).write(np.array(1, np.int32))
    add("r16-attribute-unreadable", ["krylearn-ingest", "info", "attr-unreadable.h5"], "attribute 'symmetric' of group '/' has the wrong dtype")

    # r22: a check on one rank's block of pointers is raised, with its message, on every rank
    with h5py.File("jc-shift.h5", "w") as f:
        g = f.create_group("C")
        g["jc"], g["ir"], g["data"] = np.arange(13, dtype=np.int64) * 10 + 2, np.tile(np.arange(10, dtype=np.int64), 12), rng.random(120)
        g.attrs["MATLAB_sparse"] = np.int64(10)
    add("r22-jc-shift", ["krylearn-ot", "jc-shift.h5", "-o", "o.h5"], "pointers 'jc' are not monotone starting at 0")
    return out


def symmetric_cases():
    """r21: non-symmetric matrices on which PETSc 3.18's MatIsSymmetric fails at 2 ranks"""
    C = 2 * np.eye(4)
    C[0, 2] = 1.0
    with h5py.File("nonsym.h5", "w") as f:
        f["C"], f["D"], f["S"] = C, np.array([[1.0, 2.0], [0.0, 1.0]]), C + C.T
    return [("r21-ingest-nonsymmetric", ["krylearn-ingest", "info", "nonsym.h5:/C"], "symmetric: no", 0),
            ("r21-ingest-symmetric", ["krylearn-ingest", "info", "nonsym.h5:/S"], "symmetric: yes", 0),
            ("r21-spectrum-nonsymmetric", ["krylearn-spectrum", "-matrix", "nonsym.h5:/D", "-top", "1"], "the matrix is not symmetric", "error")]


def link_cases():
    """Valid files the structure probe walks in full: hard links back to the root and to a group and a
    dataset linked twice, a soft link and a dangling external link"""
    A = sp.random(5, 5, density=0.5, format="csr", random_state=0)
    csr_file("links.h5", A)
    with h5py.File("links.h5", "r+") as f:
        g = f.create_group("g")
        g["root"], f["alias"], f["data-alias"] = f["/"], g, f["data"]
        g["soft"], g["external"] = h5py.SoftLink("/g"), h5py.ExternalLink("missing.h5", "/x")
    return [("links-valid", ["krylearn-ingest", "info", "links.h5"], "nonzeros:  12", 0)]


def run(launcher, argv, timeout):
    cmd = launcher + [os.path.join(BIN, argv[0])] + argv[1:]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("-k", action="append")
    args = ap.parse_args()
    mpiexec = os.environ.get("MPIEXEC", "mpiexec --allow-run-as-root --oversubscribe").split()
    valgrind = os.environ.get("VALGRIND", "valgrind --error-exitcode=99").split()
    launcher = valgrind if args.valgrind else (mpiexec + ["-n", str(args.np)] if args.np > 1 else [])
    timeout = 300 if args.valgrind else 60
    failed = total = 0
    todo = [(n, a, e, "error") for n, a, e, crash in cases() if crash or not args.valgrind]
    if not args.valgrind:
        todo += [(n, a, e, rc) for n, a, e, rc in symmetric_cases() + link_cases()]
    for name, argv, expect, want in todo:
        if args.k and not any(k in name for k in args.k):
            continue
        total += 1
        rc, out = run(launcher, argv, timeout)
        signal = "Caught signal" in out or (isinstance(rc, int) and rc < 0) or "exiting improperly" in out
        if want == "error":
            ok = rc not in (0, "timeout", 99) and not signal and expect in out
        else:
            ok = rc == want and not signal and expect in out
        print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {rc}", flush=True)
        if not ok:
            failed += 1
            print(f"     expected {expect!r}; output:\n" + "\n".join("     " + l for l in out.splitlines()[-25:]))
    print(f"{total - failed} of {total} hostile inputs gave the expected result ({'valgrind' if args.valgrind else f'{args.np} rank(s)'})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
