"""Curvature products of bin/krylearn-spectrum's operators against dense PyTorch matrices.

Usage: check_products.py [--mpiexec "mpiexec -n 2"]
Every activation and both losses, with and without weight decay and bias, samples in
blocks of 8 rows (several blocks and a partial one), trained (near a minimum) and
untrained parameters. Relative error bound 1e-10."""
import argparse
import sys

import h5py
import numpy as np

import reference as ref

CASES = [  # widths, activation, loss, weight decay, bias, training steps
    ([5, 7, 6, 3], "tanh", "cross_entropy", 0.0, True, 0),
    ([5, 7, 6, 3], "relu", "cross_entropy", 1e-3, True, 50),
    ([5, 8, 3], "sigmoid", "mse", 0.0, True, 0),
    ([5, 6, 6, 2], "gelu", "mse", 1e-2, False, 30),
    ([4, 9, 4], "gelu", "cross_entropy", 0.0, True, 0),
    ([6, 4], "relu", "cross_entropy", 0.0, True, 20),  # multinomial logistic regression
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    worst = 0.0
    for i, (widths, act, loss, wd, bias, steps) in enumerate(CASES):
        prefix = f"case{i}"
        model, X, y = ref.problem(prefix, widths, act, loss, n=37, weight_decay=wd, bias=bias, seed=i, steps=steps)
        H, G, F = ref.dense_curvatures(model, X, y, loss, wd)
        P = H.shape[0]
        V = np.random.default_rng(i).standard_normal((4, P))
        with h5py.File(prefix + "-v.h5", "w") as f:
            f["V"] = V
        ref.run([ref.tool("build", "tests", "spectrum", "products"), "-model", prefix + "-model.h5", "-data", prefix + "-data.h5",
                 "-vectors", prefix + "-v.h5", "-o", prefix + "-out.h5", "-mlp_block_size", "8"], args.mpiexec)
        with h5py.File(prefix + "-out.h5", "r") as f:
            for name, M in (("hessian", H), ("ggn", G), ("fisher", F)):
                want = V @ M  # M symmetric
                got = f[name][...]
                err = np.abs(got - want).max() / np.abs(want).max()
                worst = max(worst, err)
                print(f"{prefix} {act:8s} {loss:14s} wd={wd:<6g} P={P:4d} {name:8s} relative error {err:.2e}")
                if not err < 1e-10:
                    sys.exit(f"FAIL: {name} product of {prefix} has relative error {err:.3e} > 1e-10")
    print(f"all products within 1e-10 (worst {worst:.2e})")


if __name__ == "__main__":
    main()
