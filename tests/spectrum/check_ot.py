"""The Sinkhorn dual Hessian at bin/krylearn-ot's plan (-ot_plan) against dense numpy
matrices built from the same plan and from POT's sinkhorn_log plan.

Usage: check_ot.py [--mpiexec "mpiexec -n 2"]"""
import argparse
import sys

import h5py
import numpy as np
import ot as pot

import reference as ref


def dual_hessian(P, eta):
    n, m = P.shape
    return eta * np.block([[np.diag(P.sum(1)), P], [P.T, np.diag(P.sum(0))]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    rng = np.random.default_rng(2)
    n, m, eta = 40, 30, 20.0
    X, Y = rng.random((n, 2)), rng.random((m, 2)) + 0.2
    a, b = rng.random(n) + 0.5, rng.random(m) + 0.5
    a, b = a / a.sum(), b / b.sum()
    with h5py.File("p.h5", "w") as f:
        f["X"], f["Y"], f["a"], f["b"] = X, Y, a, b
    ref.run([ref.tool("bin", "krylearn-ot"), "p.h5", "-o", "sol.h5", "-ot_eta", str(eta), "-ot_tol", "1e-12"], args.mpiexec)
    ref.run([ref.tool("bin", "krylearn-spectrum"), "-ot_plan", "sol.h5", "-exact", "-top", "3", "-bottom", "2", "-trace",
             "-trace_products", "60", "-o", "out.h5"], args.mpiexec)
    with h5py.File("sol.h5", "r") as f:
        P = f["P"][...]
    lam = np.linalg.eigvalsh(dual_hessian(P, eta))
    Ppot = pot.sinkhorn(a, b, pot.dist(X, Y), reg=1.0 / eta, method="sinkhorn_log", stopThr=1e-13, numItermax=100000)
    lam_pot = np.linalg.eigvalsh(dual_hessian(Ppot, eta))
    with h5py.File("out.h5", "r") as f:
        exact, top, bottom = f["exact_eigenvalues"][...], f["top_eigenvalues"][...], f["bottom_eigenvalues"][...]
        tr, se = f["trace"][0], f["trace_stderror"][0]
    scale = lam.max()
    e_same = np.abs(exact - lam).max() / scale
    e_pot = np.abs(exact - lam_pot).max() / scale
    e_top = np.abs(top - lam[::-1][:3]).max() / scale
    e_bot = np.abs(bottom - lam[:2]).max() / scale
    print(f"dimension {n + m}: exact vs same plan {e_same:.1e}, vs POT plan {e_pot:.1e}; top {e_top:.1e}, bottom {e_bot:.1e}; "
          f"smallest {exact[0]:.2e} (null vector (1,-1)), second {exact[1]:.4g}; trace {tr:.6g} +- {se:.2g}, exact {lam.sum():.6g}")
    if not (e_same < 1e-12 and e_pot < 1e-8 and e_top < 1e-8 and e_bot < 1e-8):
        sys.exit("FAIL: Sinkhorn dual Hessian eigenvalues differ from the dense references")
    if abs(exact[0]) > 1e-12 * scale or abs(tr - lam.sum()) > 4 * se:
        sys.exit("FAIL: null vector or trace")
    print("ot checks passed")


if __name__ == "__main__":
    main()
