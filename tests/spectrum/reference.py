"""Independent references for the spectrum tests: small PyTorch MLPs, their data, and
the dense Hessian, Gauss-Newton and empirical Fisher matrices from torch.autograd."""
import os
import shlex
import subprocess

import numpy as np
import torch
from torch.nn.utils import stateless

from export_mlp import export_data, export_mlp, make_mlp

torch.set_default_dtype(torch.float64)


def gaussian_mixture(n, d, k, seed=0, spread=3.0):
    """n samples in d dimensions from k Gaussian clusters with random unit-variance centres."""
    rng = np.random.default_rng(seed)
    centres = spread * rng.standard_normal((k, d))
    y = rng.integers(0, k, n)
    return centres[y] + rng.standard_normal((n, d)), y


def seeded_mlp(widths, act, bias=True, seed=0):
    torch.manual_seed(seed)
    return make_mlp(widths, act, bias)


def loss_fn(loss, out, y):
    if loss == "cross_entropy":
        return torch.nn.functional.cross_entropy(out, y)
    return torch.nn.functional.mse_loss(out, y)


def train(model, X, y, loss, steps, lr=0.05, weight_decay=0.0):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(loss, model(X), y).backward()
        opt.step()
    return model


def problem(prefix, widths, act, loss, n, weight_decay=0.0, bias=True, seed=0, steps=0):
    """Builds, optionally trains, and exports a model and a data set; returns (model, X, y)."""
    Xn, labels = gaussian_mixture(n, widths[0], widths[-1] if loss == "cross_entropy" else 3, seed)
    X = torch.from_numpy(Xn)
    if loss == "cross_entropy":
        y = torch.from_numpy(labels)
        ynp = labels
    else:
        rng = np.random.default_rng(seed + 1)
        ynp = rng.standard_normal((n, widths[-1]))
        y = torch.from_numpy(ynp)
    model = seeded_mlp(widths, act, bias, seed)
    if steps:
        train(model, X, y, loss, steps, weight_decay=weight_decay)
    export_mlp(model, prefix + "-model.h5", loss, weight_decay)
    export_data(Xn, ynp, prefix + "-data.h5")
    return model, X, y


def flat_functions(model, X, y, loss, weight_decay):
    names = [k for k, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def unflatten(t):
        out, i = {}, 0
        for name, shape in zip(names, shapes):
            m = int(np.prod(shape))
            out[name] = t[i:i + m].reshape(shape)
            i += m
        return out

    def outputs(t):
        return stateless.functional_call(model, unflatten(t), (X,))

    def total(t):
        return loss_fn(loss, outputs(t), y) + 0.5 * weight_decay * (t * t).sum()

    return theta, outputs, total


def dense_curvatures(model, X, y, loss, weight_decay=0.0):
    """Dense Hessian, generalised Gauss-Newton and empirical Fisher (numpy), weight decay included."""
    theta, outputs, total = flat_functions(model, X, y, loss, weight_decay)
    P, N = theta.numel(), X.shape[0]
    H = torch.autograd.functional.hessian(total, theta).numpy()
    J = torch.autograd.functional.jacobian(outputs, theta).numpy()  # N x C x P
    f = outputs(theta).detach().numpy()
    C = f.shape[1]
    if loss == "cross_entropy":
        p = np.exp(f - f.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        L = (np.einsum("ic,cd->icd", p, np.eye(C)) - np.einsum("ic,id->icd", p, p)) / N
        U = p.copy()
        U[np.arange(N), y.numpy()] -= 1
    else:
        L = np.broadcast_to(2.0 * np.eye(C) / (N * C), (N, C, C))
        U = 2.0 * (f - y.numpy()) / C
    G = np.einsum("icp,icd,idq->pq", J, L, J) + weight_decay * np.eye(P)
    g = np.einsum("ic,icp->ip", U, J)  # per-sample gradients
    F = g.T @ g / N + weight_decay * np.eye(P)
    return H, G, F


def run(cmd, mpiexec=""):
    """Runs a command (prefixed by mpiexec when given) and returns its standard output."""
    full = shlex.split(mpiexec) + cmd if mpiexec else cmd
    res = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode:
        raise SystemExit(f"{' '.join(full)} failed:\n{res.stdout}")
    return res.stdout


def tool(*parts):
    root = os.environ.get("ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    return os.path.join(root, *parts)
