"""Bad model files and grids: the C runtime must stop with a PETSc error that names the
model file and the problem (and, under --valgrind, leak nothing).

usage: check_bad.py [--valgrind]
"""
import argparse
import os
import shlex
import subprocess
import sys

import h5py
import numpy as np

import krylearn_model as km

TBIN = os.environ.get("TBIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "tests"))
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec --allow-run-as-root --oversubscribe")


def base(path):
    km.save(km.KrylearnNet(km.dcdm_paper(2, 64, width=8)), path)


def gated(path):
    km.save(km.KrylearnNet(km.vcycle(2, width=8, gated=True)), path)


def edit(fn, model=base):
    """A maker writing `model` and then changing it with fn(h5py file)."""
    def make(path):
        model(path)
        with h5py.File(path, "r+") as f:
            fn(f)
    return make


def setattr_(obj, key, value):
    obj.attrs[key] = np.bytes_(value.encode()) if isinstance(value, str) else np.int32(value)


def text_file(path):
    with open(path, "w") as f:
        f.write("this is not a model\n")


def vcycle_without_recurse(path):
    km.save(km.KrylearnNet(km.vcycle(2, width=8)), path)
    with h5py.File(path, "r+") as f:
        g = f["graphs/level"]
        for i in range(int(g.attrs["num_ops"])):
            if g[f"op{i}"].attrs["type"] == b"recurse":  # becomes pooled + pooled
                setattr_(g[f"op{i}"], "type", "add")
                pooled = g[f"op{i}"].attrs["inputs"].decode()
                setattr_(g[f"op{i}"], "inputs", f"{pooled},{pooled}")


def muls(f):
    g = f["graphs/level"]
    return [g[f"op{i}"] for i in range(int(g.attrs["num_ops"])) if g[f"op{i}"].attrs["type"] == b"mul"]


def mul_mismatch(f):  # the last mul (after the coarse level) multiplied by the pooled tensor
    g = f["graphs/level"]
    pooled = next(g[f"op{i}"].attrs["output"].decode() for i in range(int(g.attrs["num_ops"]))
                  if g[f"op{i}"].attrs["type"] == b"avgpool")
    op = muls(f)[-1]
    setattr_(op, "inputs", op.attrs["inputs"].decode().split(",")[0] + "," + pooled)


def nan_weight(f):
    w = f["weights/conv3_w"][...]
    w[0, 0, 1, 1] = np.nan
    f["weights/conv3_w"][...] = w


def inf_bias(f):
    b = f["weights/conv2_b"][...]
    b[3] = np.inf
    f["weights/conv2_b"][...] = b


def wrong_bias(f):
    del f["weights/conv2_b"]
    f["weights/conv2_b"] = np.zeros(5, np.float32)


# name, model maker, grid, process count, expected words in the message
CASES = [
    ("missing-file", None, "16,16", 1, "cannot open"),
    ("not-hdf5", text_file, "16,16", 1, "not an HDF5 file"),
    ("no-format", edit(lambda f: f.attrs.__delitem__("format")), "16,16", 1, "not a Krylearn model"),
    ("version", edit(lambda f: setattr_(f, "format_version", 7)), "16,16", 1, "unsupported format version 7"),
    ("no-main", edit(lambda f: f["graphs"].move("main", "other")), "16,16", 1, "/graphs/main is missing"),
    ("missing-op", edit(lambda f: f["graphs/main"].__delitem__("op4")), "16,16", 1, "/graphs/main/op4 is missing"),
    ("missing-weight", edit(lambda f: f["weights"].__delitem__("conv3_w")), "16,16", 1, "weight dataset /weights/conv3_w"),
    ("missing-attribute", edit(lambda f: f["graphs/main/op2"].attrs.__delitem__("kernel")), "16,16", 1, "has no attribute 'kernel'"),
    ("unknown-op", edit(lambda f: setattr_(f["graphs/main/op3"], "type", "softmax")), "16,16", 1, "unknown operation type 'softmax'"),
    ("unknown-activation", edit(lambda f: setattr_(f["graphs/main/op1"], "activation", "tanh")), "16,16", 1, "unknown activation 'tanh'"),
    ("channels", edit(lambda f: setattr_(f["graphs/main/op2"], "in_channels", 5)), "16,16", 1, "channel counts do not chain"),
    ("kernel-shape", edit(lambda f: setattr_(f["graphs/main/op2"], "kernel", 5)), "16,16", 1, "has shape 8x8x3x3 but"),
    ("even-kernel", edit(lambda f: setattr_(f["graphs/main/op2"], "kernel", 4)), "16,16", 1, "is not odd"),
    ("bias-shape", edit(wrong_bias), "16,16", 1, "weight /weights/conv2_b has shape 5"),
    ("nan", edit(nan_weight), "16,16", 1, "NaN or Inf"),
    ("inf", edit(inf_bias), "16,16", 1, "NaN or Inf"),
    ("undefined-tensor", edit(lambda f: setattr_(f["graphs/main/op2"], "inputs", "nowhere")), "16,16", 1, "uses tensor 'nowhere' before"),
    ("add-mismatch", edit(lambda f: setattr_(f["graphs/main/op17"], "inputs", "t16,t5")), "16,16", 1, "of different channels or resolution"),
    ("no-recurse", vcycle_without_recurse, "16,16", 1, "has no recurse operation"),
    ("geometry-kind", edit(lambda f: setattr_(f, "geometry", "porosity"), gated), "16,16", 1, "unknown geometry field 'porosity'"),
    ("geometry-undeclared", edit(lambda f: f.attrs.__delitem__("geometry"), gated), "16,16", 1, "reads a geometry field but the file declares none"),
    ("geometry-unread", edit(lambda f: setattr_(f, "geometry", "solid")), "16,16", 1, "geometry field that no graph reads"),
    ("geometry-input-name", edit(lambda f: setattr_(f["graphs/level"], "geometry", "v"), gated), "16,16", 1, "names its input and its geometry field both 'v'"),
    ("mul-mismatch", edit(mul_mismatch, gated), "16,16", 1, "the second needs the same resolution"),
    ("mul-activation", edit(lambda f: setattr_(muls(f)[0], "activation", "gelu"), gated), "16,16", 1, "unknown activation 'gelu'"),
    ("odd-grid", base, "15,16", 1, "cannot run on a 15x16x1 grid"),
    ("vcycle-too-small", lambda p: km.save(km.KrylearnNet(km.vcycle(2, width=8, coarsest=8)), p), "12,12", 1, "cannot run on a 12x12x1 grid"),
    ("block", lambda p: km.save(km.KrylearnNet(km.unet(2, width=8, levels=4, depth=1)), p), "16,48", 2, "block extents divisible by 16"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--valgrind", action="store_true", help="run the serial cases under $VALGRIND")
    ap.add_argument("-k", action="append", help="only cases whose name contains this (repeatable)")
    args = ap.parse_args()
    failed = 0
    for name, make, grid, np_, expect in CASES:
        if (args.k and not any(k in name for k in args.k)) or (args.valgrind and np_ > 1):
            continue
        path = f"{name}.h5"
        if make:
            make(path)
        cmd = f"{TBIN}/nn/nn_apply -check_error -model {path} -n {grid}"
        if args.valgrind:
            cmd = f"{os.environ['VALGRIND']} {cmd} -net_dnnl 0"
        elif np_ > 1:
            cmd = f"{MPIEXEC} -n {np_} {cmd}"
        r = subprocess.run(shlex.split(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        msg = r.stdout.strip()
        ok = r.returncode == 0 and "error: Model file " + path in msg and expect in msg
        shown = next((l for l in msg.splitlines() if l.startswith("error:")), "(no error message)")
        print(f"{'ok  ' if ok else 'FAIL'} {name:20s} {shown}", flush=True)
        if not ok:
            print(msg)
            failed += 1
    if failed:
        sys.exit(f"{failed} case(s) failed")


if __name__ == "__main__":
    main()
