#!/usr/bin/python3
"""krylearn.spectrum.analyse on a small CNN (convolution, max pooling, batch norm in eval
mode, linear) and a small transformer block: top and bottom eigenvalues of the Hessian,
the Gauss-Newton matrix and the empirical Fisher against dense PyTorch matrices
(torch.autograd.functional.hessian, full Jacobians, per-sample gradients) to 1e-8 relative
to the largest; traces within their error bars; batched products equal single ones; an MLP
through autograd and through the C products agrees, and the output file and the summary
equal bin/krylearn-spectrum's; with --mpiexec, P ranks equal 1 rank.

Usage: check_spectrum.py [--mpiexec "mpiexec -n 2"]"""
import contextlib
import io
import os
import re
import subprocess
import sys

import numpy as np

from common import ROOT, Checks, parallel_first, relerr

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3)
        self.bn = torch.nn.BatchNorm2d(3)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(12, 3)

    def forward(self, x):
        return self.fc(self.pool(torch.tanh(self.bn(self.conv(x)))).flatten(1))


class Block(torch.nn.Module):
    """A transformer encoder block (self-attention, feed-forward, layer norms) and a linear head."""

    def __init__(self):
        super().__init__()
        self.block = torch.nn.TransformerEncoderLayer(d_model=4, nhead=2, dim_feedforward=6, dropout=0.0,
                                                      batch_first=True, activation="gelu")
        self.head = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.block(x).mean(1))


def cases():
    torch.manual_seed(0)
    cnn = CNN()
    with torch.no_grad():
        cnn.bn.running_mean.uniform_(-0.2, 0.2)
        cnn.bn.running_var.uniform_(0.5, 2.0)
        cnn.bn.weight.uniform_(0.5, 1.5)
        cnn.bn.bias.uniform_(-0.3, 0.3)
    cnn.eval()
    X, y = torch.randn(36, 1, 6, 6), torch.randint(0, 3, (36,))
    cnn_data = [(X[i:i + 12], y[i:i + 12]) for i in range(0, 36, 12)]
    block = Block().eval()
    S, t = torch.randn(30, 3, 4), torch.randn(30, 2)
    block_data = [(S[i:i + 10], t[i:i + 10]) for i in range(0, 30, 10)]
    return {"cnn": (cnn, torch.nn.CrossEntropyLoss(), cnn_data, 1e-3),
            "transformer": (block, torch.nn.MSELoss(), block_data, 0.0)}


def block_products(ks):
    """The CNN Hessian shell applied to a 3-column dense matrix (one MatMatMult, one batched
    autograd pass) and to its columns one by one (MatMult); both gathered on rank 0."""
    from petsc4py import PETSc
    model, loss, data, wd = cases()["cnn"]
    comm = PETSc.COMM_WORLD
    params = list(model.parameters())
    ctx = ks._Shell(ks.CurvatureProducts(model, loss, ks._batches(data, comm, True), "hessian", 36, params), wd, comm,
                    torch.float64)
    A = PETSc.Mat().createPython(((None, ctx.products.dim), (None, ctx.products.dim)), context=ctx, comm=comm)
    A.setUp()
    X = PETSc.Mat().createDense(((A.getLocalSize()[0], ctx.products.dim), (None, 3)), comm=comm)
    X.setUp()
    lo, hi = X.getOwnershipRange()
    X.getDenseArray()[...] = np.random.default_rng(5).standard_normal((ctx.products.dim, 3))[lo:hi]
    X.assemble()
    Y = A.matMult(X)
    cols, blocks = [], []
    for j in range(3):
        x = X.getColumnVector(j)
        y = x.duplicate()
        A.mult(x, y)
        cols.append(ks._gather_to_zero(comm, [y]))
        blocks.append(ks._gather_to_zero(comm, [Y.getColumnVector(j)]))
        x.destroy(), y.destroy()
    Y.destroy(), X.destroy(), A.destroy()
    return (np.concatenate(blocks), np.concatenate(cols)) if comm.getRank() == 0 else (None, None)


def analyses(ks):
    out = {}
    for name, (model, loss, data, wd) in cases().items():
        for op in ("hessian", "ggn", "fisher"):
            out[f"{name}-{op}"] = ks.analyse(model, loss, data, operator=op, top=4, bottom=3 if op == "hessian" else 0,
                                             trace=True, trace_products=60, density=True, density_steps=20,
                                             density_probes=10, exact=True, weight_decay=wd)
        out[f"{name}-relative"] = ks.analyse(model, loss, data, top=4, top_convergence="eigenvalue", weight_decay=wd)
    out["block"] = dict(zip(("block", "columns"), block_products(ks)))
    return out


def main():
    args, work = parallel_first(__file__)
    import krylearn.spectrum as ks
    from petsc4py import PETSc
    if args.worker:
        res = analyses(ks)
        if PETSc.COMM_WORLD.getRank() == 0:
            np.savez(args.worker, **{f"{k}/{d}": v[d] for k, v in res.items()
                                     for d in ("top_eigenvalues", "bottom_eigenvalues", "trace", "ritz_nodes",
                                               "exact_eigenvalues", "loss_value", "gradient_norm", "block") if d in v})
        return 0
    import dense
    check = Checks()
    res = analyses(ks)
    for name, (model, loss, data, wd) in cases().items():
        P = sum(p.numel() for p in model.parameters())
        for op, ref in (("hessian", dense.hessian), ("ggn", dense.ggn), ("fisher", dense.fisher)):
            r = res[f"{name}-{op}"]
            e = np.linalg.eigvalsh(ref(model, loss, data, wd).numpy())
            scale = np.abs(e).max()
            err = relerr(r["top_eigenvalues"], e[::-1][:4]) * np.abs(e[::-1][:4]).max() / scale
            check(err < 1e-8, f"{name} ({P} parameters) {op}: top 4 vs dense, error {err:.1e} of the largest")
            if op == "hessian":
                err = np.abs(r["bottom_eigenvalues"] - e[:3]).max() / scale
                check(err < 1e-8, f"{name} {op}: bottom 3 {np.round(r['bottom_eigenvalues'], 6)} vs dense, error {err:.1e}")
            err = np.abs(r["exact_eigenvalues"] - e).max() / scale
            check(err < 1e-8, f"{name} {op}: all eigenvalues (exact) vs dense, error {err:.1e}")
            t, se = r["trace"][0], r["trace_stderror"][0]
            check(abs(t - e.sum()) <= 3 * se, f"{name} {op}: Hutch++ trace {t:.8g} +- {se:.2g} vs exact {e.sum():.8g}")
            slq = (r["ritz_nodes"] * r["ritz_weights"]).sum(1) * P
            check(abs(slq.mean() - e.sum()) <= 3 * slq.std(ddof=1) / np.sqrt(len(slq)) + 1e-10 * scale * P,
                  f"{name} {op}: SLQ trace {slq.mean():.8g} +- {slq.std(ddof=1) / np.sqrt(len(slq)):.2g}")
            integral = np.trapz(r["density"], r["density_grid"])
            check(abs(integral - 1) < 1e-3, f"{name} {op}: the density integrates to {integral:.6f}")
        r, e = res[f"{name}-relative"], np.linalg.eigvalsh(dense.hessian(model, loss, data, wd).numpy())
        err = np.abs(r["top_eigenvalues"] - e[::-1][:4]).max() / np.abs(e).max()
        check(err < 1e-8 and r["cost_top"][0] < res[f"{name}-hessian"]["cost_top"][0],
              f"{name}: top_convergence='eigenvalue': top 4 to {err:.1e} in {int(r['cost_top'][0])} products "
              f"(radius test: {int(res[f'{name}-hessian']['cost_top'][0])})")
    B, C = res["block"]["block"], res["block"]["columns"]
    check(relerr(B, C) < 1e-12, f"cnn hessian shell: MatMatMult with 3 columns (one batched pass) equals 3 MatMult ({relerr(B, C):.1e})")

    # batched products (several vectors per autograd pass) equal single products
    model, loss, data, wd = cases()["cnn"]
    params = [p for p in model.parameters()]
    for op in ("hessian", "ggn", "fisher"):
        prod = ks.CurvatureProducts(model, loss, data, op, 36, params)
        V = torch.randn(5, prod.dim)
        single = torch.cat([prod.apply(V[i:i + 1]) for i in range(5)])
        check(relerr(prod.apply(V), single) < 1e-12, f"cnn {op}: 5 products in one batched pass equal 5 single ones")
        prod = ks.CurvatureProducts(model, loss, data, op, 36, params, cache=False)
        check(relerr(prod.apply(V), single) < 1e-12, f"cnn {op}: products without cached graphs equal the cached ones")

    # an MLP through autograd and through the C products, and bin/krylearn-spectrum's output file
    import h5py
    from export_mlp import export_data, export_mlp, make_mlp
    torch.manual_seed(1)
    mlp = make_mlp([5, 8, 4], "gelu")
    X, y = torch.randn(40, 5), torch.randint(0, 4, (40,))
    data = [(X[:25], y[:25]), (X[25:], y[25:])]
    kw = dict(top=3, bottom=2, trace=True, trace_products=30, density=True, density_steps=15, density_probes=2,
              density_grid=100, weight_decay=1e-3, vectors=True)
    py = ks.analyse(mlp, torch.nn.CrossEntropyLoss(), data, engine="python",
                    output=os.path.join(work.name, "py.h5"), plot=os.path.join(work.name, "py.png"), **kw)
    c = ks.analyse(mlp, torch.nn.CrossEntropyLoss(), data, engine="c", **kw)
    for k in ("top_eigenvalues", "bottom_eigenvalues", "trace", "ritz_nodes", "density"):
        check(relerr(py[k], c[k]) < 1e-8, f"mlp: {k} through autograd and through C agree ({relerr(py[k], c[k]):.1e})")
    check(py["engine"] == "python" and c["engine"] == "c", "mlp: the engines asked for ran")
    export_mlp(mlp, os.path.join(work.name, "m.h5"), "cross_entropy", 1e-3)
    export_data(X.numpy(), y.numpy(), os.path.join(work.name, "d.h5"))
    summary = subprocess.run([os.path.join(ROOT, "bin", "krylearn-spectrum"), "-model", os.path.join(work.name, "m.h5"),
                              "-data", os.path.join(work.name, "d.h5"), "-top", "3", "-bottom", "2", "-trace",
                              "-trace_products", "30", "-density", "-density_steps", "15", "-density_probes", "2",
                              "-density_grid", "100", "-vectors", "-o", os.path.join(work.name, "c.h5")],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
    # verbose=True prints bin/krylearn-spectrum's summary: the same lines after the first (which
    # names the files or the model), the seconds aside
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ks.analyse(mlp, torch.nn.CrossEntropyLoss(), data, engine="c", verbose=True, **kw)
    untimed = [[re.sub(r"products +[0-9.]+ s$", "products", l) for l in t.splitlines()[1:]] for t in (out.getvalue(), summary)]
    check(untimed[0] == untimed[1] and len(untimed[0]) >= 8,
          "mlp: verbose=True prints bin/krylearn-spectrum's summary (%d lines)" % len(untimed[1]))
    with h5py.File(os.path.join(work.name, "py.h5"), "r") as f, h5py.File(os.path.join(work.name, "c.h5"), "r") as g:
        names = set(g) - {k for k in g if k.startswith("cost_")}
        worst = max(relerr(np.abs(f[k][...]) if "vectors" in k else f[k][...],
                           np.abs(g[k][...]) if "vectors" in k else g[k][...]) for k in names)
        check(names <= set(f) and worst < 1e-7,
              f"mlp: output= holds bin/krylearn-spectrum's datasets ({len(names)}) with its values (largest difference {worst:.1e})")
        attrs = {"parameters", "samples", "ranks", "top", "bottom", "density_steps", "density_probes", "trace_products",
                 "seed", "density_sigma", "loss_value", "gradient_norm", "operator", "trace_type"}
        check(attrs <= set(f.attrs) and all(np.allclose(f.attrs[a], g.attrs[a], rtol=1e-10) for a in attrs - {"operator", "trace_type"}),
              "mlp: output= holds bin/krylearn-spectrum's attributes with its values")
    check(os.path.getsize(os.path.join(work.name, "py.png")) > 1000, "mlp: plot= wrote the PNG")

    if args.mpiexec:
        par = np.load(os.path.join(work.name, "par.npz"))
        worst = max(relerr(par[k], res[k.split("/")[0]][k.split("/")[1]]) for k in par.files)
        check(len(par.files) >= 30 and worst < 1e-9,
              f"{args.mpiexec}: {len(par.files)} results equal the serial ones (largest relative difference {worst:.1e})")
    work.cleanup()
    check.close()


if __name__ == "__main__":
    sys.exit(main())
