"""Hessian spectrum benchmark: Krylearn (bin/krylearn-spectrum, exact forward-over-reverse
products on OpenBLAS) against a PyTorch reference (double-backward Hessian-vector products,
as PyHessian computes them) doing the same analyses with the same number of products:
top-10 eigenvalues (the reference runs Lanczos with full reorthogonalisation for as many
steps as SLEPc's Krylov-Schur used products), SLQ density (same steps and probes) and a
Hutchinson trace (same probes).

Usage: bench.py [--samples 10000] [--widths 64,300,256,10] [--threads 1] [--steps 30]
                [--probes 1] [--trace 10] [--workdir DIR]
"""
import argparse
import os
import subprocess
import sys
import time

import h5py
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "train"))
from export_mlp import export_data, export_mlp, make_mlp  # noqa: E402


def blas_name():
    try:
        out = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"],
                             stdout=subprocess.PIPE, text=True).stdout
        return next(l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Value:"))
    except (OSError, StopIteration):
        return "unknown"


def problem(args):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    widths = [int(w) for w in args.widths.split(",")]
    k = widths[-1]
    centres = 1.5 * rng.standard_normal((k, widths[0]))
    labels = rng.integers(0, k, args.samples)
    Xn = centres[labels] + rng.standard_normal((args.samples, widths[0]))
    model = make_mlp(widths, "tanh")
    X, y = torch.from_numpy(Xn), torch.from_numpy(labels)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(args.train_steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    export_mlp(model, os.path.join(args.workdir, "bench-model.h5"), "cross_entropy")
    export_data(Xn, labels, os.path.join(args.workdir, "bench-data.h5"))
    return model, X, y


class TorchHessian:
    """PyHessian-style products: the gradient with its graph once, then one backward per product."""

    def __init__(self, model, X, y):
        self.params = list(model.parameters())
        loss = torch.nn.functional.cross_entropy(model(X), y)
        self.grads = torch.autograd.grad(loss, self.params, create_graph=True)
        self.sizes = [p.numel() for p in self.params]
        self.dim = sum(self.sizes)
        self.count = 0

    def __call__(self, v):
        vs = [c.view_as(p) for c, p in zip(torch.split(v, self.sizes), self.params)]
        hv = torch.autograd.grad(self.grads, self.params, grad_outputs=vs, retain_graph=True)
        self.count += 1
        return torch.cat([h.reshape(-1) for h in hv])


def lanczos(H, v, steps):
    """Lanczos with full (twice classical Gram-Schmidt) reorthogonalisation; returns T's (alpha, beta)."""
    V = torch.zeros(steps + 1, H.dim, dtype=torch.float64)
    V[0] = v / v.norm()
    alpha, beta = np.zeros(steps), np.zeros(steps)
    for j in range(steps):
        w = H(V[j])
        alpha[j] = float(w @ V[j])
        for _ in range(2):
            w -= V[:j + 1].T @ (V[:j + 1] @ w)
        beta[j] = float(w.norm())
        V[j + 1] = w / beta[j]
    return alpha, beta


def tridiagonal(alpha, beta):
    T = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)
    return np.linalg.eigh(T)


def rademacher(g, n):
    return (torch.randint(0, 2, (n,), generator=g, dtype=torch.float64) * 2 - 1)


def reference(model, X, y, products, args):
    g = torch.Generator().manual_seed(7)
    out, times = {}, {}
    t = time.perf_counter()
    H = TorchHessian(model, X, y)
    times["setup"] = time.perf_counter() - t
    t = time.perf_counter()
    theta, _ = tridiagonal(*lanczos(H, rademacher(g, H.dim), products["top"]))
    out["top"] = theta[::-1][:10]
    times["top"] = time.perf_counter() - t
    t = time.perf_counter()
    nodes, weights = [], []
    for _ in range(args.probes):
        th, Z = tridiagonal(*lanczos(H, rademacher(g, H.dim), args.steps))
        nodes.append(th)
        weights.append(Z[0] ** 2)
    out["nodes"], out["weights"] = np.array(nodes), np.array(weights)
    times["density"] = time.perf_counter() - t
    t = time.perf_counter()
    q = []
    for _ in range(args.trace):
        z = rademacher(g, H.dim)
        q.append(float(z @ H(z)))
    out["trace"] = (np.mean(q), np.std(q, ddof=1) / np.sqrt(len(q)))
    times["trace"] = time.perf_counter() - t
    return out, times, H.count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--widths", default="64,300,256,10")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=30, help="SLQ Lanczos steps")
    ap.add_argument("--probes", type=int, default=1, help="SLQ probes")
    ap.add_argument("--trace", type=int, default=10, help="Hutchinson probes")
    ap.add_argument("--train-steps", type=int, default=40)
    ap.add_argument("--workdir", default=".")
    args = ap.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)

    model, X, y = problem(args)
    P = sum(p.numel() for p in model.parameters())
    print(f"Hessian spectrum benchmark: MLP {args.widths} (tanh, cross entropy), {P} parameters, {args.samples} samples, float64")
    print(f"BLAS: {blas_name()}; threads: {args.threads} (OPENBLAS_NUM_THREADS, torch.set_num_threads); torch {torch.__version__}")

    res = os.path.join(args.workdir, "bench-out.h5")
    cmd = [os.path.join(ROOT, "bin", "krylearn-spectrum"), "-model", os.path.join(args.workdir, "bench-model.h5"),
           "-data", os.path.join(args.workdir, "bench-data.h5"), "-top", "10", "-density", "-density_steps", str(args.steps),
           "-density_probes", str(args.probes), "-trace", "-trace_type", "hutchinson", "-trace_products", str(args.trace), "-o", res]
    t = time.perf_counter()
    log = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    total = time.perf_counter() - t
    if log.returncode:
        sys.exit(log.stdout)
    with h5py.File(res, "r") as f:
        ours = {p: f[f"cost_{p}"][...] for p in ("top", "density", "trace")}
        top, tr = f["top_eigenvalues"][...], (f["trace"][0], f["trace_stderror"][0])
        nodes, weights = f["ritz_nodes"][...], f["ritz_weights"][...]
    setup = total - sum(c[1] for c in ours.values())
    products = {p: int(c[0]) for p, c in ours.items()}

    ref, times, count = reference(model, X, y, products, args)
    assert count == sum(products.values())

    print()
    print(f"{'analysis':<22}{'products':>9}{'Krylearn s':>12}{'PyTorch s':>11}{'ratio':>8}")
    rows = [("top-10 eigenvalues", "top"), ("SLQ density", "density"), ("Hutchinson trace", "trace")]
    for label, p in rows:
        print(f"{label:<22}{products[p]:>9d}{ours[p][1]:>12.2f}{times[p]:>11.2f}{times[p] / ours[p][1]:>8.2f}")
    ok, ot = sum(c[1] for c in ours.values()), sum(times[p] for _, p in rows)
    print(f"{'all analyses':<22}{sum(products.values()):>9d}{ok:>12.2f}{ot:>11.2f}{ot / ok:>8.2f}")
    print(f"{'per product':<22}{'':>9}{ok / sum(products.values()):>12.3f}{ot / sum(products.values()):>11.3f}{ot / ok:>8.2f}")
    print(f"{'setup (load, gradient)':<22}{'':>9}{setup:>12.2f}{times['setup']:>11.2f}")
    print()
    rel = np.abs(top - ref["top"]) / np.abs(top).max()
    print("top-10 Krylearn:", " ".join(f"{v:.10g}" for v in top))
    print("top-10 PyTorch: ", " ".join(f"{v:.10g}" for v in ref["top"]))
    print(f"top-10 largest difference relative to lambda_max: {rel.max():.2e}")
    m1 = lambda n, w: (w * n).sum(1) * P  # noqa: E731  per-probe SLQ trace estimates
    print(f"SLQ trace estimate: Krylearn {m1(nodes, weights).mean():.6g}, PyTorch {m1(ref['nodes'], ref['weights']).mean():.6g}")
    print(f"Hutchinson trace:   Krylearn {tr[0]:.6g} +- {tr[1]:.2g}, PyTorch {ref['trace'][0]:.6g} +- {ref['trace'][1]:.2g}")


if __name__ == "__main__":
    main()
