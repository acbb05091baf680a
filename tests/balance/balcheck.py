#!/usr/bin/python3
"""Matrices for the balancing tests and checks of the scalings against scipy.

  balcheck.py gen KIND OUT.mtx [--n N] [--seed S]   write a test matrix (Matrix Market)
  balcheck.py check A.mtx SCALINGS.txt [--tol T] [--power P] [--symmetric]
      r, c from the C code: diag(r)|A|^p diag(c) doubly stochastic to T (max norm), and
      the balanced matrix equal to the one from an independent scipy Sinkhorn-Knopp reference
  balcheck.py same S1.txt S2.txt --tol T             two runs give the same scalings

Kinds: convdiff (2-D convection-diffusion, rows and columns scaled by 10^U(-2,2)),
spd (2-D Laplacian scaled symmetrically by 10^U(-2,2)), zero-row, zero-col,
no-support (a perfect matching exists, but entry (0,1) of the upper triangle lies on none),
no-matching (rows 1 and 2 have their only nonzero in column 0), nan.
"""
import argparse
import sys

import numpy as np
import scipy.io
import scipy.sparse as sp


def laplacian(n):
    t = sp.diags([-1, 2, -1], [-1, 0, 1], shape=(n, n))
    return (sp.kron(sp.eye(n), t) + sp.kron(t, sp.eye(n))).tocsr()


def convdiff(n, peclet=30.0):
    h = 1.0 / (n + 1)
    d = sp.diags([-1, 2, -1], [-1, 0, 1], shape=(n, n)) / h**2
    c = sp.diags([-1, 0, 1], [-1, 0, 1], shape=(n, n)) / (2 * h)
    i = sp.eye(n)
    return (sp.kron(i, d) + sp.kron(d, i) + peclet * (sp.kron(i, c) + 0.5 * sp.kron(c, i))).tocsr()


def generate(kind, n, seed):
    rng = np.random.default_rng(seed)
    if kind == "convdiff":
        a = convdiff(n)
        return (sp.diags(10 ** rng.uniform(-2, 2, a.shape[0])) @ a @ sp.diags(10 ** rng.uniform(-2, 2, a.shape[0]))).tocsr()
    if kind == "spd":
        a = laplacian(n)
        s = sp.diags(10 ** rng.uniform(-2, 2, a.shape[0]))
        return (s @ a @ s).tocsr()
    a = convdiff(n).tolil()
    if kind == "zero-row":
        a[5, :] = 0
    elif kind == "zero-col":
        a[:, 7] = 0
    elif kind == "nan":
        a[2, 3] = np.nan
    elif kind == "no-support":
        a = sp.lil_matrix(np.triu(np.ones((6, 6))) + np.diag(np.ones(6)))
    elif kind == "no-matching":
        a = sp.lil_matrix(np.array([[1.0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 1]]))
    a = a.tocsr()
    a.eliminate_zeros()
    return a


def reference(k, symmetric, sweeps=200000, tol=1e-14):
    """Independent Sinkhorn-Knopp on the kernel k (scipy sparse), to tol in the max norm."""
    r = np.ones(k.shape[0])
    c = np.ones(k.shape[1])
    kt = k.T.tocsr()
    for _ in range(sweeps):
        if symmetric:
            r = np.sqrt(r / (k @ r))
            c = r
            err = np.abs(r * (k @ r) - 1).max()
        else:
            r = 1 / (k @ c)
            c = 1 / (kt @ r)
            err = np.abs(r * (k @ c) - 1).max()
        if err < tol:
            break
    return r, c, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("a")
    ap.add_argument("b", nargs="?")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--power", type=float, default=1.0)
    ap.add_argument("--symmetric", action="store_true")
    args = ap.parse_args()
    if args.cmd == "gen":
        scipy.io.mmwrite(args.b, generate(args.a, args.n, args.seed), precision=17)
        return
    if args.cmd == "same":
        s1, s2 = np.loadtxt(args.a, ndmin=2), np.loadtxt(args.b, ndmin=2)
        diff = np.abs(s1 - s2).max() / np.abs(s1).max()
        print(f"relative difference of the scalings {diff:.3e}")
        sys.exit(0 if diff <= args.tol else 1)
    a = scipy.io.mmread(args.a).tocsr()
    s = np.loadtxt(args.b, ndmin=2)
    r, c = s[:, 0], s[:, 1]
    # the scalings are those of A: diag(r) A diag(c) has rows and columns of unit p-norm
    k = abs(a).power(args.power).tocsr()
    p = (sp.diags(r**args.power) @ k @ sp.diags(c**args.power)).tocsr()
    rows = np.abs(np.asarray(p.sum(axis=1)).ravel() - 1).max()
    cols = np.abs(np.asarray(p.sum(axis=0)).ravel() - 1).max()
    print(f"row error {rows:.3e}, column error {cols:.3e}")
    ok = rows <= args.tol and cols <= args.tol
    if args.symmetric:
        ok &= np.array_equal(r, c)
    rr, cr, err = reference(k, args.symmetric)
    pr = (sp.diags(rr) @ k @ sp.diags(cr)).tocsr()
    # the balanced matrix is unique (the scalings only up to r t, c / t)
    diff = np.abs((p - pr).data).max() if (p - pr).nnz else 0.0
    print(f"reference error {err:.3e}; largest difference of the balanced entries {diff:.3e}")
    ok &= diff <= 10 * args.tol
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
