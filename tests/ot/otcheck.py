#!/usr/bin/python3
"""Problems and independent checks for the optimal-transport tests.

  otcheck.py gen KIND FILE [--n N --m M --seed S]   write a problem (dense, sparse,
                                                    clouds, assignment, images, bad-*)
  otcheck.py pot FILE OUT [--eta E] [--plan-tol T]  compare OUT with POT's sinkhorn_log
  otcheck.py kkt FILE OUT [--tol T]                 plan rebuilt from the potentials has the
                                                    marginals (numpy, no POT)
  otcheck.py same OUT1 OUT2 [--tol T]               two outputs agree (ranks, KSP options)
"""
import argparse
import sys

import h5py
import numpy as np


def cost_of(f, metric=None):
    if "C" in f:
        C = f["C"]
        if isinstance(C, h5py.Group):
            n, m = len(C["jc"]) - 1, int(C.attrs["MATLAB_sparse"])
            D = np.full((n, m), np.inf)
            jc, ir, data = C["jc"][:], C["ir"][:], C["data"][:]
            for i in range(n):
                D[i, ir[jc[i]:jc[i + 1]]] = data[jc[i]:jc[i + 1]]
            return D, f["r"][:], f["c"][:]
        return C[:], f["r"][:], f["c"][:]
    X, Y = f["X"][:], f["Y"][:]
    D = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    if metric == "euclidean":
        D = np.sqrt(D)
    return D, f["a"][:], f["b"][:]


def plan_of(g, n, m):
    P = g["P"]
    if isinstance(P, h5py.Group):
        D = np.zeros((n, m))
        jc, ir, data = P["jc"][:], P["ir"][:], P["data"][:]
        for i in range(n):
            D[i, ir[jc[i]:jc[i + 1]]] = data[jc[i]:jc[i + 1]]
        return D
    return P[:]


def gen(kind, path, n, m, seed):
    rng = np.random.default_rng(seed)
    w = lambda k: (lambda v: v / v.sum())(rng.random(k) + 0.5)
    with h5py.File(path, "w") as f:
        if kind == "dense":
            f["C"], f["r"], f["c"] = rng.random((n, m)), w(n), w(m)
        elif kind == "assignment":  # the paper's random assignment: uniform costs and marginals
            f["C"], f["r"], f["c"] = rng.random((n, m)), np.full(n, 1.0 / n), np.full(m, 1.0 / m)
        elif kind == "sparse":
            C = rng.random((n, m))
            keep = rng.random((n, m)) < 0.3
            keep[np.arange(n), np.arange(n) % m] = True
            keep[np.arange(m) % n, np.arange(m)] = True
            g = f.create_group("C")
            g["jc"] = np.concatenate([[0], np.cumsum(keep.sum(1))]).astype(np.int64)
            g["ir"] = np.nonzero(keep)[1].astype(np.int64)
            g["data"] = C[keep]
            g.attrs["MATLAB_sparse"] = np.int64(m)
            f["r"], f["c"] = w(n), w(m)
        elif kind == "clouds":
            f["X"], f["Y"] = rng.random((n, 2)), rng.random((m, 2)) + 0.2
            f["a"], f["b"] = w(n), w(m)
        elif kind == "images":  # W2 between two discretised 2-D densities on a k x k grid, cost in [0, 1]
            k = n
            g = (np.arange(k) + 0.5) / k
            gx, gy = np.meshgrid(g, g, indexing="ij")
            def density(centres):
                d = sum(np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / (2 * s * s)) for cx, cy, s in centres) + 1e-3
                return (d / d.sum()).ravel()
            pts = np.stack([gx.ravel(), gy.ravel()], 1)
            f["C"] = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1) / 2.0
            f["r"] = density([(0.3, 0.3, 0.1), (0.7, 0.6, 0.08)])
            f["c"] = density([(0.6, 0.3, 0.12), (0.3, 0.75, 0.07)])
        elif kind.startswith("bad-"):
            C, r, c = rng.random((n, m)), w(n), w(m)
            if kind == "bad-negative":
                r[1] = -r[1]
            elif kind == "bad-nan":
                C[2, 3] = np.nan
            elif kind == "bad-sums":
                c = 1.01 * c
            elif kind == "bad-shape":
                c = w(m + 1)
            elif kind == "bad-clouds":
                f["X"], f["Y"] = rng.random((n, 2)), rng.random((m, 3))
                return
            f["C"], f["r"], f["c"] = C, r, c
        else:
            sys.exit(f"unknown problem kind {kind}")


def load(inp, out, metric):
    with h5py.File(inp, "r") as f:
        C, r, c = cost_of(f, metric)
    with h5py.File(out, "r") as g:
        P = plan_of(g, len(r), len(c))
        res = dict(x=g["x"][:], y=g["y"][:], eta=float(g.attrs["eta"]), cost=float(g.attrs["transport_cost"]),
                   err=float(g.attrs["marginal_error"]), sits=int(g.attrs["sinkhorn_iterations"]),
                   nits=int(g.attrs["newton_iterations"]))
    return C, r, c, P, res


def rebuilt(C, res):
    with np.errstate(invalid="ignore"):
        return np.exp(res["eta"] * (-C + res["x"][:, None] + res["y"][None, :]) - 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--m", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plan-tol", type=float, default=1e-8)
    ap.add_argument("--tol", type=float, default=1e-9)
    ap.add_argument("--metric", default="sqeuclidean")
    a = ap.parse_args()

    if a.cmd == "gen":
        gen(a.files[0], a.files[1], a.n, a.m, a.seed)
        return 0
    if a.cmd == "same":
        with h5py.File(a.files[0], "r") as f, h5py.File(a.files[1], "r") as g:
            P1, P2 = f["P"][:], g["P"][:]
            dp = np.abs(P1 - P2).max()
            dc = abs(f.attrs["transport_cost"] - g.attrs["transport_cost"])
        print(f"max |P1 - P2| = {dp:.3e}, |cost1 - cost2| = {dc:.3e}")
        return 0 if dp <= a.tol and dc <= a.tol else 1

    C, r, c, P, res = load(a.files[0], a.files[1], a.metric)
    Q = rebuilt(C, res)
    rec = np.abs(Q - P).max()
    err = np.abs(Q.sum(1) - r).sum() + np.abs(Q.sum(0) - c).sum()
    finite = np.isfinite(C)
    tc = (C[finite] * Q[finite]).sum()
    print(f"iterations {res['sits']} + {res['nits']}; reported error {res['err']:.3e}, recomputed {err:.3e}; "
          f"|P - P(x, y)| {rec:.2e}; cost {res['cost']:.15g} (recomputed {tc:.15g})")
    ok = rec <= 1e-12 * max(1.0, np.abs(P).max()) and abs(tc - res["cost"]) <= 1e-10 * max(1.0, abs(tc))
    if a.cmd == "kkt":
        ok &= err <= a.tol and res["err"] <= a.tol
    elif a.cmd == "pot":
        import ot
        Cp = np.where(finite, C, np.inf)
        T, log = ot.sinkhorn(r, c, Cp, 1.0 / res["eta"], method="sinkhorn_log", numItermax=200000,
                             stopThr=1e-14, log=True, warn=False)
        pcost = (C[finite] * T[finite]).sum()
        dp = np.abs(T - P).max()
        print(f"POT sinkhorn_log: {log['niter']} iterations; max |P - P_POT| = {dp:.3e}; "
              f"cost {pcost:.15g}, relative difference {abs(pcost - res['cost']) / abs(pcost):.2e}")
        ok &= dp <= a.plan_tol and abs(pcost - res["cost"]) <= a.plan_tol * abs(pcost)
    else:
        sys.exit(f"unknown command {a.cmd}")
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
