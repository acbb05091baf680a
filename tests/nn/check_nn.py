"""Compares the C network runtime (build/tests/nn/nn_apply) with PyTorch.

usage: check_nn.py {ops,paper} [--np P ...] [--backend direct|dnnl ...]

For every model of the group: random weights, random input, PyTorch in float64 as
the reference; the C output (float32 compute) must agree to 1e-5 relative in the max
norm, and runs at several process counts must agree with the serial run to float32
rounding (1e-6 relative). The first model of every grid is stored with variable-length
UTF-8 string attributes (what h5py writes for Python str), the others as written by
krylearn_model.save (fixed-length ASCII).
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np
import torch

import krylearn_model as km

TBIN = os.environ.get("TBIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "tests"))
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec --allow-run-as-root --oversubscribe")


def conv(inp, out, cin, cout, k=3, act="relu", bias=True, w=None):
    w = w or f"w_{out}"
    return {"type": "conv", "inputs": [inp], "output": out, "weight": w, "bias": f"b_{out}" if bias else None,
            "kernel": k, "in_channels": cin, "out_channels": cout, "activation": act}


def op(typ, out, *inputs, **kw):
    return dict(type=typ, inputs=list(inputs), output=out, **kw)


def single(dim, name, ops, out):
    return {"dimension": dim, "name": name, "graphs": {"main": {"input": "x", "output": out, "ops": ops}}}


def op_models(dim):
    """Small models that each exercise one operation (and layout) of the format."""
    m = []
    for k, cin, cout, bias, act in ((1, 8, 16, False, "identity"), (3, 1, 8, True, "relu"), (3, 3, 5, True, "relu"),
                                    (5, 8, 16, False, "identity"), (5, 3, 5, True, "relu")):
        ops = [conv("x", "a", 1, cin, k=3, act="identity"), conv("a", "b", cin, cout, k=k, act=act, bias=bias),
               conv("b", "y", cout, 1, k=1, act="identity")]
        m.append((f"conv{dim}d-k{k}-{cin}to{cout}-{act}{'-bias' if bias else ''}", single(dim, "conv", ops, "y")))
    m.append((f"pool-upsample{dim}d", single(dim, "pool", [
        conv("x", "a", 1, 8), op("avgpool", "p", "a"), op("avgpool", "q", "p"), conv("q", "c", 8, 8),
        op("upsample", "u", "c"), op("upsample", "v", "u"), conv("v", "y", 8, 1, k=1, act="identity")], "y")))
    m.append((f"add{dim}d", single(dim, "add", [
        conv("x", "a", 1, 8), conv("a", "b", 8, 8), op("add", "s", "a", "b"), conv("s", "c", 8, 8),
        op("add", "t", "c", "s"), op("add", "u", "t", "a"), op("add", "v", "u", "u"),
        conv("v", "y", 8, 1, k=3, act="identity")], "y")))
    m.append((f"shared{dim}d", single(dim, "shared", [
        conv("x", "a", 1, 8), conv("a", "b", 8, 8, w="ws"), conv("b", "c", 8, 8, w="ws"),
        conv("c", "y", 8, 1, k=1, act="identity")], "y")))
    m.append((f"vcycle-auto{dim}d", km.vcycle(dim, width=8, coarsest=2)))
    m.append((f"vcycle-gated{dim}d", km.vcycle(dim, width=8, coarsest=2, gated=True)))
    geo = single(dim, "mul", [  # geometry read in main: pooled, a gate from it, broadcast and full products
        conv("x", "a", 1, 8), op("mul", "b", "a", "g", activation="identity"), conv("g", "h", 1, 8, act="identity"),
        op("mul", "c", "a", "h", activation="relu"), op("avgpool", "p", "c"), op("avgpool", "gp", "g"),
        op("mul", "q", "p", "gp", activation="relu"), op("upsample", "u", "q"), op("add", "s", "u", "b"),
        conv("s", "y", 8, 1, k=1, act="identity")], "y")
    geo["geometry"] = "solid"
    geo["graphs"]["main"]["geometry"] = "g"
    m.append((f"mul-geometry{dim}d", geo))
    m.append((f"vcycle-2levels{dim}d", km.vcycle(dim, width=8, levels=2)))
    m.append((f"unet{dim}d", km.unet(dim, width=8, levels=2, depth=1)))
    return m


GROUPS = {
    "ops": lambda: [(n, d, (32, 16) if d["dimension"] == 2 else (8, 16, 8)) for dim in (2, 3) for n, d in op_models(dim)],
    "paper": lambda: [("dcdm-paper-64-2d", km.dcdm_paper(2, 64), (48, 32)),
                      ("dcdm-paper-128-2d", km.dcdm_paper(2, 128), (32, 32)),
                      ("dcdm-paper-64-3d", km.dcdm_paper(3, 64), (16, 12, 8)),
                      ("dcdm-paper-128-3d", km.dcdm_paper(3, 128), (12, 8, 8))],
}


def to_vlen_strings(path):
    def convert(_, obj):
        for k, v in list(obj.attrs.items()):
            if isinstance(v, bytes):
                obj.attrs[k] = v.decode()
    with h5py.File(path, "r+") as f:
        convert("/", f)
        f.visititems(convert)


def run_c(models, shape, np_, backend):
    """Runs every model of a group on one grid in one process launch; shape is (nz,) ny, nx."""
    outs = [f"out{i}.h5" for i in range(len(models))]
    cmd = (f"{TBIN}/nn/nn_apply -model {','.join(models)} -input in.h5 -output {','.join(outs)} "
           f"-n {','.join(map(str, shape[::-1]))} -net_dnnl {int(backend == 'dnnl')}")
    if np_ > 1:
        cmd = f"{MPIEXEC} -n {np_} {cmd}"
    r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        sys.exit(f"FAILED: {cmd}\n{r.stdout}")
    ys = []
    for o in outs:
        with h5py.File(o, "r") as f:
            ys.append(np.array(f["y"]).reshape(shape))
    return ys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("group", choices=GROUPS)
    ap.add_argument("--np", type=int, action="append")
    ap.add_argument("--backend", action="append", choices=("direct", "dnnl"))
    args = ap.parse_args()
    nps, backends = args.np or [1], args.backend or ["direct", "dnnl"]
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    bad = 0
    cases = GROUPS[args.group]()
    for shape in sorted({c[2] for c in cases}):
        group = [c for c in cases if c[2] == shape]
        x = rng.standard_normal(shape)
        geometry = (rng.uniform(size=shape) < 0.3).astype(float)   # solid cells, scattered
        with h5py.File("in.h5", "w") as f:
            f["x"] = x
            f["geometry"] = geometry
        models, refs = [], []
        for i, (name, desc, _) in enumerate(group):
            net = km.KrylearnNet(desc)
            with torch.no_grad():  # biases away from zero so that ReLUs cut
                for p in net.weights.values():
                    if p.dim() == 1:
                        p.uniform_(-0.3, 0.3)
            models.append(f"model{i}.h5")
            km.save(net, models[-1], {"operator": "test"})
            if i == 0:
                to_vlen_strings(models[-1])
            g = torch.tensor(geometry)[None, None] if net.geometry else None
            with torch.no_grad():
                refs.append(net.double()(torch.tensor(x)[None, None], g).numpy()[0, 0])
        for backend in backends:
            serial = None
            for p in nps:
                ys = run_c(models, shape, p, backend)
                for k, (name, _, _) in enumerate(group):
                    scale = np.abs(refs[k]).max()
                    err = np.abs(ys[k] - refs[k]).max() / scale
                    line = f"{name:32s} {str(shape):14s} {backend:6s} np={p}: rel. max error vs PyTorch {err:.2e}"
                    ok = err <= 1e-5
                    if serial is not None:
                        perr = np.abs(ys[k] - serial[k]).max() / scale
                        line += f", vs serial {perr:.2e}"
                        ok = ok and perr <= 1e-6
                    print(line + ("" if ok else "  FAIL"), flush=True)
                    bad += not ok
                if serial is None:
                    serial = ys
    if bad:
        sys.exit(f"{bad} comparison(s) failed")


if __name__ == "__main__":
    main()
