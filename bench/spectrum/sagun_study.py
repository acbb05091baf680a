"""Sagun-style study of Hessian spectra (Sagun, Evci, Guney, Dauphin, Bottou 2017) with
bin/krylearn-spectrum: MLPs trained with PyTorch on Gaussian mixtures with k classes and
on scikit-learn's bundled digits; for each, the top eigenvalues of the Hessian and of its
Gauss-Newton part, the outlier count by the largest gap, and the SLQ density of the bulk.

Expected: the outlier count tracks the number of classes, and widening the network
scales the bulk (more eigenvalues near zero, the bulk edge moves little) while the
outliers stay.

Usage: sagun_study.py [--workdir DIR] [--plot study.png] [--mpiexec "mpiexec -n 2"]
"""
import argparse
import os
import shlex
import subprocess
import sys

import h5py
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "train"))
from export_mlp import export_data, export_mlp, make_mlp  # noqa: E402

TOP = 20


def mixture(n, d, k, seed):
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((k, d)) / np.sqrt(d)
    y = rng.integers(0, k, n)
    return centres[y] + rng.standard_normal((n, d)), y


def digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    X = data.data / 16.0
    return (X - X.mean(0)) / (X.std(0) + 1e-8), data.target


def train(X, y, hidden, seed, epochs=20):
    torch.manual_seed(seed)
    widths = [X.shape[1]] + hidden + [int(y.max()) + 1]
    model = make_mlp(widths, "relu")
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(epochs):
        for idx in torch.randperm(len(yt)).split(100):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    with torch.no_grad():
        out = model(Xt)
        acc = float((out.argmax(1) == yt).double().mean())
    return model, acc


def analyse(name, X, y, hidden, args, seed=0, epochs=20):
    model, acc = train(X, y, hidden, seed, epochs)
    prefix = os.path.join(args.workdir, name)
    export_mlp(model, prefix + "-model.h5", "cross_entropy")
    export_data(X, y, prefix + "-data.h5")
    cmd = shlex.split(args.mpiexec) + [os.path.join(ROOT, "bin", "krylearn-spectrum"), "-model", prefix + "-model.h5",
                                       "-data", prefix + "-data.h5", "-top", str(TOP), "-sagun", "-density",
                                       "-density_steps", "80", "-density_probes", "5", "-density_sigma", "0.01", "-trace", "-o", prefix + "-out.h5"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode:
        sys.exit(res.stdout)
    with h5py.File(prefix + "-out.h5", "r") as f:
        r = {k: f[k][...] for k in f}
        r["parameters"] = int(f.attrs["parameters"])
    r["accuracy"], r["name"], r["classes"] = acc, name, int(y.max()) + 1
    r["loss"] = float(res.stdout.split("loss ")[1].split(",")[0])
    lam = r["top_eigenvalues"]
    k = int(r["outliers"][0])
    P = r["parameters"]
    nodes, weights = r["ritz_nodes"], r["ritz_weights"]
    bulk_cut = lam[k] if k < TOP else lam[-1]
    # fraction of the spectrum (SLQ) within 1% of lambda_max of zero, and the bulk's second moment
    near0 = float((weights * (np.abs(nodes) < 0.01 * lam[0])).sum(1).mean())
    r["near0"], r["bulk_edge"] = near0, bulk_cut
    print(f"{name:<18}{P:>8}{r['classes']:>8}{acc:>7.3f}{r['loss']:>8.3f}{lam[0]:>11.4g}{k:>9}{int(r['ggn_outliers'][0]):>9}"
          f"{bulk_cut:>11.3g}{near0:>9.3f}{r['trace'][0]:>11.4g}")
    return r


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for r in results:
        ax = axes[1] if "-w" in r["name"] or r["name"] == "digits" else axes[0]
        ax.semilogy(r["density_grid"], np.maximum(r["density"], 1e-8), lw=0.8, label=f"{r['name']} ({r['parameters']} p.)")
        for lam in r["top_eigenvalues"][:int(r["outliers"][0])]:
            ax.axvline(lam, lw=0.4, color=ax.lines[-1].get_color())
    axes[0].set_title("Gaussian mixtures, k classes: outliers (lines)")
    axes[1].set_title("width sweep and digits")
    for ax in axes:
        ax.set_xlabel("Hessian eigenvalue")
        ax.set_ylim(1e-6, None)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("SLQ density")
    fig.tight_layout()
    fig.savefig(path, dpi=70)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=".")
    ap.add_argument("--plot", default="")
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print("MLPs with two ReLU hidden layers, cross entropy, SGD (lr 0.05, momentum 0.9, batch 100, 20 epochs, digits 3);"
          f" top {TOP} eigenvalues of the Hessian (H) and Gauss-Newton part (GGN), outliers by the largest gap;"
          " 'near 0': SLQ fraction of eigenvalues with |lambda| < 1% of lambda_max")
    print(f"{'run':<18}{'params':>8}{'classes':>8}{'acc':>7}{'loss':>8}{'lam_max':>11}{'H outl.':>9}{'GGN out.':>9}"
          f"{'lam_k+1':>11}{'near 0':>9}{'trace':>11}")
    results = []
    for k in (2, 5, 10):
        X, y = mixture(1000, 20, k, seed=k)
        results.append(analyse(f"mixture-k{k}", X, y, [32, 32], args))
    X, y = mixture(1000, 20, 5, seed=5)
    for w in (16, 64, 128):
        results.append(analyse(f"mixture-k5-w{w}", X, y, [w, w], args))
    X, y = digits()
    results.append(analyse("digits", X, y, [32, 32], args, epochs=3))
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
