"""Independent references for the deepcd tests: the pressure-Poisson problem of the
project convention (train/poisson.py), small test models written with krylearn_model, a numpy
DCDM loop running the same model in PyTorch, and helpers to run the programs."""
import os
import re
import subprocess

import numpy as np
import scipy.sparse as sp
import torch

import krylearn_model as km
import poisson

ROOT, BIN, LIB = os.environ["ROOT"], os.environ["BIN"], os.environ["LIB"]
MPIEXEC = os.environ["MPIEXEC"].split()


def pressure_matrix(dim, n, obstacle, neumann=False):
    """The n^dim pressure problem's matrix and solid mask (train/poisson.py)."""
    A, _, solid = poisson.pressure_problem((n,) * dim, obstacle, neumann)
    return A, solid


def pressure_rhs(dim, n, obstacle, neumann=False):
    """The plume-like right-hand side of KrylearnPressureCreate (train/poisson.py)."""
    return poisson.pressure_problem((n,) * dim, obstacle, neumann)[1]


def poly_model(dim, path, terms=12):
    """A linear test network: the Neumann series sum_k S^k x of damped Jacobi for the
    Dirichlet Laplacian, S = neighbour average (a conv with one shared 3x3[x3] kernel)."""
    k = np.zeros((1, 1) + (3,) * dim, np.float32)
    for d in range(dim):
        for s in (0, 2):
            at = [1] * dim
            at[d] = s
            k[(0, 0) + tuple(at)] = 1.0 / (2 * dim)
    ops, y = [], "x"
    for t in range(terms):
        ops.append({"type": "conv", "inputs": [y], "output": f"s{t}", "weight": "S", "bias": None,
                    "kernel": 3, "in_channels": 1, "out_channels": 1, "activation": "identity"})
        ops.append({"type": "add", "inputs": [f"s{t}", "x"], "output": f"y{t}"})
        y = f"y{t}"
    desc = {"dimension": dim, "name": f"neumann-series-{terms}",
            "graphs": {"main": {"input": "x", "output": y, "ops": ops}}}
    km.save(km.KrylearnNet(desc, {"S": k}), path, {"operator": "test: Jacobi Neumann series"})


def vcycle_model(dim, path, seed=0, gated=False):
    """A randomly initialised learned V-cycle (exercises pooling, halos and levels); gated,
    it reads the solid geometry through gates that differ clearly from 1."""
    torch.manual_seed(seed)
    net = km.KrylearnNet(km.vcycle(dim=dim, width=4, coarsest=4, gated=gated))
    with torch.no_grad():
        for name, w in net.weights.items():
            if "gate" in name:
                w.copy_(torch.rand_like(w) + 0.5 if name.endswith("_b") else torch.randn_like(w))
    km.save(net, path, {"operator": "test: random"})


def dcdm(A, b, path, dim, rtol, ndirs=2, maxit=500, x0=None, solid=None, direction=None):
    """Reference DCDM (numpy, network in PyTorch float32), with the same treatment of
    decoupled rows (solved first, network output zeroed there); solid (cells, x fastest)
    is the geometry field of a model that reads one; direction (r -> q, float64 arrays)
    replaces the network when given. Returns (x, history)."""
    net = km.load(path)
    n = round(A.shape[0] ** (1.0 / dim))
    offdiag = abs(A - sp.diags(A.diagonal())).sum(axis=1).A1
    dec = offdiag == 0
    d = A.diagonal()
    x = np.zeros_like(b) if x0 is None else x0.copy()
    r = b - A @ x
    hist = [np.linalg.norm(r)]
    r0 = hist[0]
    corr = np.where(dec & (d != 0), r / np.where(d != 0, d, 1), 0.0)
    x += corr
    r = b - A @ x
    P, AP = [], []
    g = [torch.tensor(solid.reshape((1, 1) + (n,) * dim), dtype=torch.float32)] if net.geometry and direction is None else []
    for it in range(maxit):
        rn = np.linalg.norm(r)
        if direction is not None:
            q = direction(r / rn)
        else:
            with torch.no_grad():
                q = net(torch.tensor((r / rn).reshape((1, 1) + (n,) * dim), dtype=torch.float32), *g).numpy().reshape(-1).astype(float)
        q[dec] = 0.0
        for p, ap in zip(P, AP):
            q -= (q @ ap) / (p @ ap) * p
        aq = A @ q
        alpha = (q @ r) / (q @ aq)
        x += alpha * q
        r = b - A @ x
        P, AP = (P + [q])[-ndirs:], (AP + [aq])[-ndirs:]
        hist.append(np.linalg.norm(r))
        if hist[-1] <= rtol * r0:
            break
    return x, hist


def run(args, ranks=1, check=True, threads=None):
    """Run a program (under mpiexec when ranks > 1) with OMP_NUM_THREADS=threads (default:
    1 when ranks > 1, as several processes share the cores); return its output."""
    cmd = (MPIEXEC + ["-n", str(ranks)] if ranks > 1 else []) + args
    if threads is None and ranks > 1:
        threads = 1
    env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if check and p.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-3000:]}")
    return p.stdout


def petsc4py_script(script, name):
    """Run a petsc4py script (saved as name) that loads the library given as its argument,
    with this folder on its path; print its output and fail with it."""
    import sys
    with open(name, "w") as f:
        f.write(script)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, name, LIB], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout)
    assert p.returncode == 0, name


def pressure(opts, ranks=1, check=True, threads=None):
    """Run bin/krylearn-pressure; return (output, iterations, reason, relative residual)."""
    out = run([os.path.join(BIN, "krylearn-pressure")] + opts, ranks, check, threads)
    m = re.search(r"iterations (\d+), (\w+), relative residual (\S+),", out)
    if not m:
        return out, None, None, None
    return out, int(m.group(1)), m.group(2), float(m.group(3))


def monitor(out):
    """Residual norms printed by -ksp_monitor."""
    return np.array([float(v) for v in re.findall(r"KSP Residual norm (\S+)", out)])


def load_petsc_vec(path):
    """A Vec written by VecView to a PETSc binary file (big-endian)."""
    with open(path, "rb") as f:
        cls, n = np.frombuffer(f.read(8), ">i4")
        assert cls == 1211214
        return np.frombuffer(f.read(8 * n), ">f8").astype(float)
