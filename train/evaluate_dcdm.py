#!/usr/bin/python3
"""Iterations and time to tolerance of DCDM with a Krylearn model (network run by
PyTorch) beside PETSc's CG, CG+ICC(0) and CG+GAMG, on pressure-Poisson test problems.

    train/evaluate_dcdm.py MODEL.h5 --case disc:128,128 --case box:256,256 --rtol 1e-4

Cases: KIND:NX,NY[,NZ] with KIND none, disc, box (the project's obstacles), varcoef
(disc obstacle and a smooth coefficient of contrast 10), ex45 (PETSc's
ksp/tutorials/ex45 operator and right-hand side on NX^3 vertices). Right-hand sides:
'plume' (the plume-like source of bin/krylearn-pressure: a Gaussian blob at
(0.5, 0.15[, 0.5]) of width 0.1 with an oscillating part) and 'random' (uniform in
[-1, 1], seed 0), both zero on solid cells. Times:
DCDM's whole loop with the PyTorch network; CG's KSPSolve including the PC setup.
"""
import argparse
import platform
import sys

import numpy as np
import torch

import dcdm
import krylearn_model
import poisson


def rhs(shape, solid, kind):
    if kind == "random":
        b = np.random.default_rng(0).uniform(-1.0, 1.0, shape)
        return np.where(solid, 0.0, b).reshape(-1)
    return poisson.plume_rhs(solid)


def case(spec, rhs_kind):
    kind, _, grid = spec.partition(":")
    grid = tuple(int(n) for n in grid.split(","))
    if kind == "ex45":
        A, b = poisson.ex45_operator(grid[0])
        return A, b, (grid[0],) * 3
    shape = grid[::-1]
    solid = poisson.obstacle(shape, "disc" if kind == "varcoef" else kind)
    coef = poisson.smooth_coefficient(shape) if kind == "varcoef" else None
    return poisson.operator(solid, coefficient=coef), rhs(shape, solid, rhs_kind), shape


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--case", action="append", required=True)
    ap.add_argument("--rhs", action="append", choices=("plume", "random"))
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--ndirs", type=int, default=2)
    ap.add_argument("--maxit", type=int, default=200)
    ap.add_argument("--baseline-maxit", type=int, default=5000,
                    help="iteration limit of the PETSc baselines (a negative count means not converged)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--baselines", default="none,icc,gamg", help="PETSc PCs for CG, comma-separated ('' for none)")
    args = ap.parse_args(argv)
    import petsc4py
    petsc4py.init([])
    torch.set_num_threads(args.threads)
    net = krylearn_model.load(args.model).eval()
    pcs = [p for p in args.baselines.split(",") if p]
    print(f"# model {args.model} ({krylearn_model.num_weights(net)} weights), rtol {args.rtol:g}, "
          f"torch {torch.__version__} {torch.get_num_threads()} thread(s), {platform.processor() or platform.machine()}")
    head = f"{'case':18s} {'rhs':7s} {'deepcd':>7s} {'t/it ms':>8s}"
    for p in pcs:
        head += f" {'CG' if p == 'none' else 'CG+' + p.upper():>9s}"
    head += "  its ICC/deepcd  time deepcd/" + "/".join(("CG" if p == "none" else p.upper()) for p in pcs)
    print(head)
    for spec in args.case:
        for rk in args.rhs or ["plume"]:
            A, b, shape = case(spec, rk)
            apply = dcdm.network_preconditioner(net, A, shape)
            _, its, hist, secs = dcdm.dcdm(A, b, apply, rtol=args.rtol, maxit=args.maxit, ndirs=args.ndirs)
            conv = hist[-1] <= args.rtol * hist[0]
            line = f"{spec:18s} {rk:7s} {its if conv else -its:7d} {1e3 * secs / max(its, 1):8.1f}"
            base = {p: dcdm.petsc_solve(A, b, p, rtol=args.rtol, maxit=args.baseline_maxit) for p in pcs}
            for p in pcs:
                line += f" {base[p][0]:9d}"
            if "icc" in base:
                line += f"  {base['icc'][0] / max(its, 1):13.1f}"
            line += "  " + "/".join(f"{secs / base[p][1]:.2f}" for p in pcs)
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
