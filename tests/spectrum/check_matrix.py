"""bin/krylearn-spectrum on an explicit matrix (-matrix, read by the ingestion layer)
against numpy.linalg.eigvalsh; a non-symmetric matrix must be refused.

Usage: check_matrix.py [--mpiexec "mpiexec -n 2"]"""
import argparse
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp

import reference as ref


def write_csr(path, A):
    A = sp.csr_matrix(A)
    with h5py.File(path, "w") as f:
        f["indptr"], f["indices"], f["data"], f["shape"] = A.indptr, A.indices, A.data, np.array(A.shape)
        f.attrs["format"] = "csr"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    rng = np.random.default_rng(4)
    n = 300
    R = sp.random(n, n, density=0.03, random_state=5)
    A = (R + R.T + sp.diags(np.linspace(-1, 3, n))).toarray()
    A[0, 0], A[1, 1] = 25.0, 18.0  # two outliers
    write_csr("sym.h5", A)
    B = A.copy()
    B[2, 7] += 1.0
    write_csr("nonsym.h5", B)
    lam = np.linalg.eigvalsh(A)
    lo, hi = float(np.round(lam[40], 6)) - 1e-3, float(np.round(lam[70], 6)) + 1e-3
    ref.run([ref.tool("bin", "krylearn-spectrum"), "-matrix", "sym.h5", "-top", "5", "-bottom", "5", "-trace", "-trace_products", "90",
             "-interval", f"{lo},{hi}", "-density", "-density_steps", "40", "-o", "out.h5"], args.mpiexec)
    with h5py.File("out.h5", "r") as f:
        e_top = np.abs(f["top_eigenvalues"][...] - lam[::-1][:5]).max() / np.abs(lam).max()
        e_bot = np.abs(f["bottom_eigenvalues"][...] - lam[:5]).max() / np.abs(lam).max()
        inside = lam[(lam >= lo) & (lam <= hi)]
        got = f["interval_eigenvalues"][...]
        tr, se = f["trace"][0], f["trace_stderror"][0]
        outliers = int(f["outliers"][0])
    print(f"top {e_top:.1e} bottom {e_bot:.1e}; interval {len(got)} of {len(inside)}; trace {tr:.6g} +- {se:.2g} "
          f"(exact {lam.sum():.6g}); outliers {outliers}")
    if not (e_top < 1e-8 and e_bot < 1e-8):
        sys.exit("FAIL: extreme eigenvalues of the matrix differ from numpy")
    if len(got) != len(inside) or np.abs(got - inside).max() > 1e-8 * np.abs(lam).max():
        sys.exit("FAIL: interval eigenvalues differ from numpy")
    if abs(tr - lam.sum()) > 4 * se:
        sys.exit("FAIL: Hutch++ trace off by more than 4 standard errors")
    if outliers != 2:
        sys.exit(f"FAIL: expected 2 outliers, got {outliers}")
    res = subprocess.run([ref.tool("bin", "krylearn-spectrum"), "-matrix", "nonsym.h5", "-top", "1"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.returncode == 0 or "nonsym.h5: the matrix is not symmetric" not in res.stdout:
        sys.exit("FAIL: a non-symmetric matrix was not refused:\n" + res.stdout[-1500:])
    print("matrix checks passed")


if __name__ == "__main__":
    main()
