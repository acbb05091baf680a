"""bin/krylearn-spectrum against the dense PyTorch Hessian (and Gauss-Newton matrix).

Usage: check_spectrum.py [--mpiexec "mpiexec -n 2"]
Checks: top/bottom eigenvalues to 1e-8 (relative to the spectral radius), the exact
spectrum (-exact) to 1e-10, the polynomial-filter interval count, SLQ moments and the
trace estimates within their error bars, and the output file's layout."""
import argparse
import sys

import h5py
import numpy as np

import reference as ref


def fail(msg):
    sys.exit("FAIL: " + msg)


def check(name, H, f, prefix, ntop, nbottom, interval, z=4.0):
    lam = np.linalg.eigvalsh(H)
    scale = np.abs(lam).max()
    top = f[prefix + "top_eigenvalues"][...]
    e_top = np.abs(top - lam[::-1][:ntop]).max() / scale
    e_bot = np.abs(f[prefix + "bottom_eigenvalues"][...] - lam[:nbottom]).max() / scale if nbottom else 0.0
    e_ex = np.abs(f[prefix + "exact_eigenvalues"][...] - lam).max() / scale
    print(f"{name}: top {e_top:.1e}, bottom {e_bot:.1e}, exact {e_ex:.1e} (relative to |lambda|max = {scale:.4g})")
    if not (e_top < 1e-8 and e_bot < 1e-8 and e_ex < 1e-10):
        fail(f"{name} eigenvalues differ from numpy.linalg.eigvalsh of the PyTorch matrix")
    if interval is None:
        return check_estimates(name, lam, f, prefix, z)
    inside = lam[(lam >= interval[0]) & (lam <= interval[1])]
    got = f[prefix + "interval_eigenvalues"][...]
    print(f"{name}: {len(got)} eigenvalues in [{interval[0]}, {interval[1]}] by STFILTER, {len(inside)} exact")
    if len(got) != len(inside) or np.abs(np.sort(got) - inside).max() > 1e-8 * scale:
        fail(f"{name} interval eigenvalues {got} differ from {inside}")
    check_estimates(name, lam, f, prefix, z)


def check_estimates(name, lam, f, prefix, z):
    nodes, weights = f[prefix + "ritz_nodes"][...], f[prefix + "ritz_weights"][...]
    for k in (1, 2, 3):
        per_probe = (weights * nodes**k).sum(1)  # estimates of tr(H^k)/P
        est, se = per_probe.mean(), per_probe.std(ddof=1) / np.sqrt(len(per_probe))
        exact = (lam**k).mean()
        print(f"{name}: SLQ moment {k}: {est:.6g} +- {se:.2g}, exact {exact:.6g} ({abs(est - exact) / se:.1f} sigma)")
        if abs(est - exact) > z * se:
            fail(f"{name} SLQ moment {k} is off by more than {z} standard errors")
    grid, dens = f[prefix + "density_grid"][...], f[prefix + "density"][...]
    mass = np.trapz(dens, grid)
    if abs(mass - 1) > 1e-3:
        fail(f"{name} density integrates to {mass}")
    tr, se = f[prefix + "trace"][0], f[prefix + "trace_stderror"][0]
    print(f"{name}: trace {tr:.6g} +- {se:.2g}, exact {lam.sum():.6g} ({abs(tr - lam.sum()) / se:.1f} sigma)")
    if abs(tr - lam.sum()) > z * se:
        fail(f"{name} trace estimate is off by more than {z} standard errors")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    model, X, y = ref.problem("mix", [6, 12, 10, 4], "tanh", "cross_entropy", n=300, weight_decay=1e-4, seed=3, steps=150)
    H, G, _ = ref.dense_curvatures(model, X, y, "cross_entropy", 1e-4)
    lam = np.linalg.eigvalsh(H)
    interval = (float(np.round(lam[-12] * 0.999, 6)), float(np.round(lam[-3] * 1.001, 6)))
    out = ref.run([ref.tool("bin", "krylearn-spectrum"), "-model", "mix-model.h5", "-data", "mix-data.h5", "-top", "6", "-bottom", "4",
                   "-density", "-density_steps", "30", "-density_probes", "20", "-density_grid", "2000", "-trace", "-trace_products", "60",
                   "-exact", "-interval", f"{interval[0]},{interval[1]}", "-sagun", "-o", "out.h5"], args.mpiexec)
    print(out)
    with h5py.File("out.h5", "r") as f:
        for attr in ("operator", "model", "data", "top", "bottom", "density_steps", "density_probes", "trace_type", "seed"):
            if attr not in f.attrs:
                fail(f"output lacks attribute {attr}")
        check("hessian", H, f, "", 6, 4, interval)
        check("ggn", G, f, "ggn_", 6, 0, None)
    print("spectrum checks passed")


if __name__ == "__main__":
    main()
