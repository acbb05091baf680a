"""Top-10 Hessian eigenvalues, trace and density: krylearn.spectrum.analyse (SLEPc's
Krylov-Schur, Hutch++, SLQ on autograd products) against PyHessian's method re-implemented
from its description (power iteration with Gram-Schmidt deflation, at most 100 products per
eigenvalue, stop at relative change < 1e-3; Hutchinson until the running mean changes by
< 1e-3; SLQ with 100 Lanczos steps), both on the same product function: the double-backward
Hessian-vector product of krylearn.spectrum.CurvatureProducts over the whole data set, its
graph built once (as PyHessian does for a full batch).

Cases: the 99k-parameter MLP of bench.py (10,000 samples), a CNN on scikit-learn's 8x8
digits, a CNN of about 100k parameters on synthetic 32x32 images. The reference eigenvalues
are Krylov-Schur's at a residual of 1e-11 times the spectral radius (subspace 40); the reference trace a
long Hutch++ run.

Usage: pyhessian.py [--case mlp,digits,images] [--threads 1] [--tol 1e-2] [--ncv 16] [--restart 0.8]
                    [--trace-reference 300] [--top-only]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, "python"), os.path.join(ROOT, "train")]
from bench import blas_name  # noqa: E402  (bench/spectrum/bench.py, beside this script)


def train(model, X, y, steps, lr=2e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return model


def case_mlp():
    """bench.py's problem: MLP 64-300-256-10 (tanh), Gaussian mixture, 10,000 samples, 40 Adam steps."""
    from export_mlp import make_mlp
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    centres = 1.5 * rng.standard_normal((10, 64))
    labels = rng.integers(0, 10, 10000)
    X = torch.from_numpy(centres[labels] + rng.standard_normal((10000, 64)))
    y = torch.from_numpy(labels)
    return "MLP 64-300-256-10, Gaussian mixture", train(make_mlp([64, 300, 256, 10], "tanh"), X, y, 40), X, y


def case_digits():
    """A CNN on scikit-learn's 8x8 digits (1,797 images): conv 8, conv 16, max pooling, linear."""
    from sklearn.datasets import load_digits
    d = load_digits()
    X = torch.from_numpy(d.images / 16.0).unsqueeze(1)
    y = torch.from_numpy(d.target)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 16, 3, padding=1),
                                torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(256, 10)).double()
    return "CNN on 8x8 digits", train(model, X, y, 100), X, y


def case_images():
    """A CNN of about 100k parameters on 500 synthetic 3x32x32 images in 10 classes (class
    templates plus noise): conv 16, pool, conv 32, pool, conv 32, pool, linear 512-160-10 (98,026 parameters)."""
    torch.manual_seed(0)
    templates = torch.randn(10, 3, 32, 32)
    y = torch.randint(0, 10, (500,))
    X = 0.5 * templates[y] + torch.randn(500, 3, 32, 32)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(512, 160), torch.nn.ReLU(), torch.nn.Linear(160, 10)).double()
    return "CNN on synthetic 32x32 images", train(model, X, y, 30), X, y


CASES = {"mlp": case_mlp, "digits": case_digits, "images": case_images}


class Counted:
    """The product function both methods use, counting products."""

    def __init__(self, prod):
        self.prod, self.count = prod, 0

    def __call__(self, v):
        self.count += 1
        return self.prod.apply(v[None])[0]


def power_deflated(H, dim, k, gen, max_iter=100, tol=1e-3):
    """PyHessian's top-k: per eigenvalue, power iteration from a random vector, Gram-Schmidt
    against the eigenvectors found so far, Rayleigh quotient, stop at relative change < tol."""
    eigs, vecs = [], []
    for _ in range(k):
        v = torch.randn(dim, generator=gen)
        v /= v.norm()
        lam = None
        for _ in range(max_iter):
            for u in vecs:
                v -= (v @ u) * u
            v /= v.norm()
            Hv = H(v)
            new = float(v @ Hv)
            v = Hv / Hv.norm()
            if lam is not None and abs(lam - new) / (abs(lam) + 1e-6) < tol:
                lam = new
                break
            lam = new
        eigs.append(lam)
        vecs.append(v)
    return np.array(eigs)


def hutchinson(H, dim, gen, max_iter=100, tol=1e-3):
    """PyHessian's trace: Rademacher probes until the running mean changes by < tol (relative)."""
    vals, mean = [], None
    for _ in range(max_iter):
        z = torch.randint(0, 2, (dim,), generator=gen).double() * 2 - 1
        vals.append(float(z @ H(z)))
        new = np.mean(vals)
        if mean is not None and abs(new - mean) / (abs(mean) + 1e-6) < tol:
            mean = new
            break
        mean = new
    return mean, len(vals)


def slq_pyhessian(H, dim, gen, steps=100):
    """PyHessian's density: one Rademacher probe, Lanczos with full reorthogonalisation."""
    V = torch.zeros(steps, dim)
    v = torch.randint(0, 2, (dim,), generator=gen).double() * 2 - 1
    V[0] = v / v.norm()
    a, b = np.zeros(steps), np.zeros(steps)
    for j in range(steps):
        w = H(V[j])
        a[j] = float(w @ V[j])
        w -= V[:j + 1].T @ (V[:j + 1] @ w)
        w -= V[:j + 1].T @ (V[:j + 1] @ w)
        b[j] = float(w.norm())
        if j + 1 < steps:
            V[j + 1] = w / b[j]
    T = np.diag(a) + np.diag(b[:-1], 1) + np.diag(b[:-1], -1)
    theta, Z = np.linalg.eigh(T)
    return theta, Z[0] ** 2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="mlp,digits,images")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-2, help="Krylearn: residual tolerance relative to each eigenvalue")
    ap.add_argument("--ncv", type=int, default=16, help="Krylearn: Krylov-Schur subspace size")
    ap.add_argument("--restart", type=float, default=0.8,
                    help="Krylearn: fraction of the unconverged Ritz vectors Krylov-Schur keeps at a restart (SLEPc's default 0.5); "
                         "a larger one restarts after fewer products, so convergence is tested more often")
    ap.add_argument("--trace-reference", type=int, default=300, help="products of the reference Hutch++ trace")
    ap.add_argument("--top-only", action="store_true", help="only the top-10 comparison (no trace and density)")
    args = ap.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    import krylearn.spectrum as ks

    load = os.getloadavg()[0]
    print(f"# top-10 Hessian eigenvalues: krylearn.spectrum (Krylov-Schur, residual <= {args.tol:g} |lambda|, ncv {args.ncv}, "
          f"restart {args.restart:g}) "
          f"against PyHessian's method (power iteration + deflation, tol 1e-3, at most 100 products per eigenvalue)")
    print(f"# same product function (autograd double-backward HVP, full data set, graph kept); float64; torch {torch.__version__}; "
          f"threads {args.threads}; BLAS {blas_name()}; CPU cores {os.cpu_count()}; load average at start {load:.1f} (shared machine)")
    rows = []
    for name in args.case.split(","):
        label, model, X, y = CASES[name]()
        loss = torch.nn.CrossEntropyLoss()
        params = [p for p in model.parameters()]
        P = sum(p.numel() for p in params)
        t = time.perf_counter()
        prod = ks.CurvatureProducts(model, loss, [(X, y)], "hessian", len(y), params)
        setup = time.perf_counter() - t
        H = Counted(prod)
        data = [(X, y)]
        tight = ks.analyse(model, loss, data, top=10, engine="python", dtype=None,
                           options={"top_eps_tol": 1e-11, "top_eps_ncv": 40})["top_eigenvalues"]
        scale = np.abs(tight).max()
        # Krylearn, the analysis timed by analyse itself (products and seconds of the top phase)
        ours = ks.analyse(model, loss, data, top=10, engine="python", dtype=None, top_convergence="eigenvalue",
                          options={"top_eps_tol": args.tol, "top_eps_ncv": args.ncv,
                                   "top_eps_krylovschur_restart": args.restart})
        k_n, k_s = ours["cost_top"]
        k_err = np.abs(ours["top_eigenvalues"] - tight).max() / scale
        gen = torch.Generator().manual_seed(0)
        H.count = 0
        t = time.perf_counter()
        ph = np.sort(power_deflated(H, P, 10, gen))[::-1]
        p_s, p_n = time.perf_counter() - t, H.count
        p_err = np.abs(ph - tight).max() / scale
        print(f"\n## {label}: {P} parameters, {len(y)} samples; graph setup {setup:.2f} s")
        print("reference top-10:      ", " ".join(f"{v:.8g}" for v in tight))
        print("Krylearn top-10:       ", " ".join(f"{v:.8g}" for v in ours["top_eigenvalues"]))
        print("PyHessian method top-10:", " ".join(f"{v:.8g}" for v in ph))
        print("| method | products | seconds | largest error / lambda_max |\n|---|---|---|---|")
        print(f"| Krylearn | {int(k_n)} | {k_s:.2f} | {k_err:.1e} |")
        print(f"| PyHessian's method | {p_n} | {p_s:.2f} | {p_err:.1e} |")
        print(f"time ratio PyHessian / Krylearn: {p_s / k_s:.2f}; products ratio {p_n / k_n:.2f}; "
              f"seconds per product {k_s / k_n:.3f} / {p_s / p_n:.3f}")
        rows.append((label, P, int(k_n), k_s, k_err, p_n, p_s, p_err))
        if args.top_only:
            continue
        # trace and density at matched cost
        H.count = 0
        t = time.perf_counter()
        h_tr, h_n = hutchinson(H, P, gen)
        h_s = time.perf_counter() - t
        ref = ks.analyse(model, loss, data, trace=True, trace_products=args.trace_reference, seed=99, engine="python", dtype=None)
        r_tr, r_se = ref["trace"][0], ref["trace_stderror"][0]
        nprod = max(h_n, 6)
        mine = ks.analyse(model, loss, data, trace=True, trace_products=nprod, engine="python", dtype=None)
        print(f"trace: reference (Hutch++, {args.trace_reference} products) {r_tr:.6g} +- {r_se:.2g}; "
              f"PyHessian Hutchinson {h_n} products {h_tr:.6g} (error {abs(h_tr - r_tr) / abs(r_tr):.1e}, {h_s:.2f} s); "
              f"Krylearn Hutch++ {int(mine['cost_trace'][0])} products {mine['trace'][0]:.6g} +- {mine['trace_stderror'][0]:.2g} "
              f"(error {abs(mine['trace'][0] - r_tr) / abs(r_tr):.1e}, {mine['cost_trace'][1]:.2f} s)")
        H.count = 0
        t = time.perf_counter()
        th, w = slq_pyhessian(H, P, gen)
        d_s = time.perf_counter() - t
        dens = ks.analyse(model, loss, data, density=True, density_steps=25, density_probes=4, engine="python", dtype=None)
        nodes, wts = dens["ritz_nodes"], dens["ritz_weights"]
        print(f"density at 100 products: PyHessian 1 probe x 100 steps: SLQ trace {P * (w * th).sum():.6g}, "
              f"largest Ritz value {th.max():.8g} ({d_s:.2f} s); Krylearn 4 probes x 25 steps: SLQ trace "
              f"{P * (wts * nodes).sum(1).mean():.6g} +- {P * (wts * nodes).sum(1).std(ddof=1) / 2:.2g}, largest Ritz value "
              f"{nodes.max():.8g} ({dens['cost_density'][1]:.2f} s); lambda_max {tight[0]:.8g}")
    print("\n| case | parameters | Krylearn products | Krylearn s | Krylearn error | PyHessian products | PyHessian s | PyHessian error | time ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, P, kn, ks_, ke, pn, ps, pe in rows:
        print(f"| {label} | {P} | {kn} | {ks_:.2f} | {ke:.1e} | {pn} | {ps:.2f} | {pe:.1e} | {ps / ks_:.1f}x |")


if __name__ == "__main__":
    main()
