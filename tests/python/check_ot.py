#!/usr/bin/python3
"""krylearn.ot against POT's sinkhorn_log (plan to 1e-8 relative, transport cost to 1e-10)
and against bin/krylearn-ot (same plan, potentials and counts), dense, sparse and point-cloud
costs, both methods; the log; sparse plans; with --mpiexec, P ranks equal serial.

Usage: check_ot.py [--mpiexec "mpiexec -n 2"]"""
import os
import subprocess
import sys
import tempfile

import numpy as np

from common import ROOT, Checks, parallel_first, relerr

import h5py  # noqa: E402
import ot as pot  # noqa: E402
import scipy.sparse as sp  # noqa: E402


def problems():
    rng = np.random.default_rng(3)
    w = lambda k: (lambda v: v / v.sum())(rng.random(k) + 0.5)  # noqa: E731
    n, m = 70, 55
    X, Y = rng.random((n, 2)), rng.random((m, 2)) + 0.2
    dense = rng.random((n, m))
    keep = rng.random((n, m)) < 0.3
    keep[np.arange(n), np.arange(n) % m] = True
    keep[np.arange(m) % n, np.arange(m)] = True
    return {"dense": (w(n), w(m), dense), "uniform": (np.array([]), np.array([]), dense),
            "fortran": (w(n), w(m), np.asfortranarray(dense)),
            "clouds": (w(n), w(m), X, Y), "sparse": (w(n), w(m), sp.csr_matrix(np.where(keep, dense, 0.0))),
            "sparse_keep": keep}


def solve_all(ko):
    """Every solve of the test: name -> (plan, log)."""
    pb = problems()
    out = {}
    for method in ("sns", "sinkhorn"):
        for name in ("dense", "uniform", "fortran", "sparse"):
            a, b, M = pb[name]
            out[f"{name}-{method}"] = ko.solve(a, b, M, reg=1 / 50, method=method, tol=1e-12, log=True)
        for cost in ("sqeuclidean", "euclidean"):
            a, b, X, Y = pb["clouds"]
            out[f"clouds-{cost}-{method}"] = ko.solve_clouds(a, b, X, Y, reg=1 / 50, cost=cost, method=method,
                                                             tol=1e-12, log=True)
    a, b, M = pb["dense"]
    out["sparseplan"] = ko.solve(a, b, M, eta=50, tol=1e-12, log=True, plan_dense_max=100)
    return out


def flat(results):
    d = {}
    for k, (P, log) in results.items():
        d[k + "/P"] = P.toarray() if sp.issparse(P) else P
        for f in ("x", "y", "transport_cost", "marginal_error"):
            d[k + "/" + f] = log[f]
    return d


def main():
    args, work = parallel_first(__file__)
    import krylearn.ot as ko
    from petsc4py import PETSc
    if args.worker:
        res = flat(solve_all(ko))
        if PETSc.COMM_WORLD.getRank() == 0:
            np.savez(args.worker, **res)
        return 0
    check = Checks()
    res = solve_all(ko)
    pb = problems()
    for key, (P, log) in res.items():
        if key == "sparseplan":
            continue
        name = key.split("-")[0]
        if name == "clouds":
            a, b, X, Y = pb["clouds"]
            M = pot.dist(X, Y) if "sqeuclidean" in key else pot.dist(X, Y, metric="euclidean")
        else:
            a, b, M = pb[name]
        if name == "sparse":
            # absent entries are forbidden: a cost far above the others gives them no mass in POT
            M = np.where(pb["sparse_keep"], M.toarray(), 1e3)
        a = a if len(a) else np.full(M.shape[0], 1 / M.shape[0])
        b = b if len(b) else np.full(M.shape[1], 1 / M.shape[1])
        Pp = pot.sinkhorn(a, b, np.asarray(M), 1 / 50, method="sinkhorn_log", stopThr=1e-14, numItermax=200000)
        Pk = P.toarray() if sp.issparse(P) else P
        cost_p, cost_k = float((Pp * np.where(Pp > 0, M, 0)).sum()), log["transport_cost"]
        check(relerr(Pk, Pp) < 1e-8, f"{key}: plan vs POT sinkhorn_log, relative error {relerr(Pk, Pp):.2e}")
        check(abs(cost_k - cost_p) / cost_p < 1e-10, f"{key}: transport cost {cost_k:.15g} vs POT {cost_p:.15g}")
        eta = log["eta"]
        rebuilt = np.exp(eta * (-np.asarray(M) + log["x"][:, None] + log["y"][None, :]) - 1)
        if name == "sparse":
            rebuilt = np.where(pb["sparse_keep"], rebuilt, 0)
        check(relerr(rebuilt, Pk) < 1e-12, f"{key}: plan = exp(eta(-M + x + y) - 1) from the log's potentials")
        check(log["converged_reason"] == "CONVERGED_MARGINAL" and log["marginal_error"] <= 1e-12
              and log["niter"] == log["sinkhorn_iterations"] + log["newton_iterations"],
              f"{key}: log {log['converged_reason']}, {log['sinkhorn_iterations']} + {log['newton_iterations']} iterations, error {log['marginal_error']:.1e}")
    a, b, M = pb["dense"]
    Pm = ko.solve(a, b, M, reg=1 / 50, tol=1e-12, options={"ot_ksp_type": "minres", "ot_sns_warmup": 5})
    check(relerr(Pm, res["dense-sns"][0]) < 1e-10 and not PETSc.Options().hasName("ot_ksp_type"),
          f"options= (MINRES Newton solves, 5 warm-up sweeps): the same plan ({relerr(Pm, res['dense-sns'][0]):.1e}); options removed afterwards")
    P, log = res["sparseplan"]
    Pd = res["dense-sns"][0]
    check(sp.isspmatrix_csr(P) and relerr(P.toarray(), np.where(Pd > 1e-14, Pd, 0)) < 1e-14,
          "plan_dense_max below n*m: a scipy CSR plan without the entries <= 1e-14 sum(a)")

    # the same solves as bin/krylearn-ot
    with tempfile.TemporaryDirectory() as tmp:
        a, b, M = pb["dense"]
        _, _, X, Y = pb["clouds"]
        with h5py.File(os.path.join(tmp, "dense.h5"), "w") as f:
            f["C"], f["r"], f["c"] = M, a, b
        with h5py.File(os.path.join(tmp, "clouds.h5"), "w") as f:
            f["X"], f["Y"], f["a"], f["b"] = X, Y, pb["clouds"][0], pb["clouds"][1]
        for inp, key, extra in (("dense", "dense-sns", []), ("dense", "dense-sinkhorn", ["-ot_type", "sinkhorn"]),
                                ("clouds", "clouds-euclidean-sns", ["-ot_cost", "euclidean"])):
            out = os.path.join(tmp, "out.h5")
            subprocess.run([os.path.join(ROOT, "bin", "krylearn-ot"), os.path.join(tmp, inp + ".h5"), "-o", out,
                            "-ot_eta", "50", "-ot_tol", "1e-12"] + extra, check=True, stdout=subprocess.DEVNULL)
            P, log = res[key]
            with h5py.File(out, "r") as f:
                same = (relerr(P, f["P"][...]) < 1e-13 and relerr(log["x"], f["x"][...]) < 1e-13
                        and relerr(log["y"], f["y"][...]) < 1e-13
                        and abs(log["transport_cost"] - f.attrs["transport_cost"]) < 1e-14
                        and log["sinkhorn_iterations"] == f.attrs["sinkhorn_iterations"]
                        and log["newton_iterations"] == f.attrs["newton_iterations"])
            check(same, f"{key}: plan, potentials, cost and iterations equal bin/krylearn-ot's")

    if args.mpiexec:
        par, ser = np.load(os.path.join(work.name, "par.npz")), flat(res)
        worst = max(relerr(par[k], ser[k]) for k in ser if not k.endswith("marginal_error"))
        check(set(par.files) == set(ser) and worst < 1e-10,
              f"{args.mpiexec}: every plan, potential and cost equals the serial one (largest relative difference {worst:.1e})")
        # the marginal errors are rounding (<= 1e-12): equal in absolute terms
        worst = max(abs(par[k] - ser[k]) for k in ser if k.endswith("marginal_error"))
        check(worst < 1e-14, f"{args.mpiexec}: marginal errors equal the serial ones to {worst:.1e}")
    work.cleanup()
    check.close()


if __name__ == "__main__":
    sys.exit(main())
