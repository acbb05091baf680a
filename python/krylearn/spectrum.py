"""Hessian spectra of any PyTorch model on SLEPc (docs/spectrum.md, docs/python.md).

Products come from PyTorch autograd: the double-backward Hessian-vector product, and
Gauss-Newton and empirical Fisher products through Jacobian-vector and vector-Jacobian
products. They are wrapped as a petsc4py shell matrix and handed, in this process, to the
C engines of bin/krylearn-spectrum (Krylov-Schur, SLQ, Hutch++, dense LAPACK)::

    import krylearn.spectrum
    r = krylearn.spectrum.analyse(model, torch.nn.CrossEntropyLoss(), loader,
                                  top=10, density=True, trace=True, verbose=True)
    r['top_eigenvalues'], r['trace'], r['trace_stderror'], r['density_grid'], r['density']

Under mpiexec every rank takes every size-th batch (or, with shard=False, the batches it
is given), parameter vectors are distributed PETSc Vecs, and each product is the sum of
the ranks' products over their batches.
"""
import ctypes
import math
import sys
import time

import numpy as np
import torch

from ._lib import Error, handle, lib, mpi_comm, ptr, wrap
from ._lib import options as petsc_options

__all__ = ["analyse", "Error", "CurvatureProducts"]

OPERATORS = ("hessian", "ggn", "fisher")
TRACE_TYPES = ("hutchinson", "hutchpp")
PHASES = ("top", "bottom", "density", "trace", "exact")
_EPS_LARGEST_REAL, _EPS_SMALLEST_REAL = 3, 4


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


class CurvatureProducts:
    """Curvature-matrix products of the mean loss over this rank's batches, without the
    weight decay: ``apply(V)`` maps a (k, P) tensor of k parameter-space vectors to the k
    products (the rank's share; the operator sums the shares over the ranks).

    The loss is L = (1/N) sum_i l_i over the N samples of all ranks; loss_fn(output,
    target) must return the mean of the per-sample losses l_i over the batch (its first
    dimension), as PyTorch's losses do with reduction='mean'. Batches are (inputs,
    targets) pairs; inputs may be a tuple of tensors (model(*inputs)).

    With cache=True (default) the autograd graphs of the batches are built once and kept
    (memory grows with the data on the rank); with cache=False they are rebuilt for every
    product."""

    def __init__(self, model, loss_fn, batches, operator, total, params, cache=True):
        self.model, self.loss_fn, self.batches = model, loss_fn, batches
        self.operator, self.total, self.params, self.cache = operator, total, params, cache
        self.sizes = [p.numel() for p in params]
        self.dim = sum(self.sizes)
        self.graphs = [self._graph(b) for b in batches] if cache else None
        if cache and operator == "hessian" and self.graphs:
            # one graph of the summed gradient: a product is then a single backward pass
            g = [sum(gs) for gs in zip(*self.graphs)]
            self.graphs = [g]

    def _forward(self, batch):
        inputs, target = batch
        out = self.model(*_as_tuple(inputs))
        return out, self.loss_fn(out, target)

    def _graph(self, batch):
        out, loss = self._forward(batch)
        w = out.shape[0] / self.total
        if self.operator == "hessian":
            return torch.autograd.grad(w * loss, self.params, create_graph=True)
        # Gauss-Newton and Fisher: J v by the double-vjp trick (J^T u is linear in u),
        # the loss derivatives with respect to the output on a detached copy.
        u = torch.zeros_like(out, requires_grad=True)
        jtu = torch.autograd.grad(out, self.params, grad_outputs=u, create_graph=True)
        o = out.detach().requires_grad_(True)
        lo = w * self.loss_fn(o, batch[1])
        # ggn keeps the graph of dlo/do for the loss Hessian; fisher needs only
        # dlo/do = (1/N) dl_i/do_i, row i
        gl = torch.autograd.grad(lo, o, create_graph=self.operator == "ggn")[0]
        return out, u, jtu, o, gl

    def _split(self, V):
        return [c.view(V.shape[0], *p.shape) for c, p in zip(torch.split(V, self.sizes, dim=1), self.params)]

    def _flat(self, parts, k):
        return torch.cat([p.reshape(k, -1) for p in parts], dim=1)

    def _apply_graph(self, graph, V):
        k = V.shape[0]
        batched = k > 1
        Vs = self._split(V) if batched else [v[0] for v in self._split(V)]
        grad = torch.autograd.grad
        if self.operator == "hessian":
            h = grad(graph, self.params, grad_outputs=Vs, retain_graph=True, is_grads_batched=batched)
            return self._flat(h, k)
        out, u, jtu, o, gl = graph
        Jv = grad(jtu, u, grad_outputs=Vs, retain_graph=True, is_grads_batched=batched)[0]
        if not batched:
            Jv = Jv.unsqueeze(0)
        if self.operator == "ggn":
            HJv = grad(gl, o, grad_outputs=Jv if batched else Jv[0], retain_graph=True, is_grads_batched=batched)[0]
            HJv = HJv if batched else HJv.unsqueeze(0)
        else:
            # empirical Fisher (1/N) sum_i g_i (g_i . v), g_i = J_i^T d_i, d_i = dl_i/do_i = N gl_i:
            # J^T applied to the rows N gl_i (gl_i . (J v)_i)
            B = gl.shape[0]
            s = (gl.unsqueeze(0) * Jv).reshape(k, B, -1).sum(2)
            HJv = self.total * gl.unsqueeze(0) * s.reshape(k, B, *([1] * (gl.dim() - 1)))
        if not batched:
            HJv = HJv[0]
        jt = grad(out, self.params, grad_outputs=HJv, retain_graph=True, is_grads_batched=batched)
        return self._flat(jt, k)

    def apply(self, V):
        """The rank's share of the products with the rows of V, a (k, P) tensor."""
        out = torch.zeros_like(V)
        graphs = self.graphs if self.cache else (self._graph(b) for b in self.batches)
        for g in graphs:
            out += self._apply_graph(g, V)
        return out


class _Shell:
    """petsc4py python-matrix context: y = (sum over ranks of the products) + wd x.
    Blocks of vectors (MatMatMult with a dense matrix, as SLEPc's block methods call it)
    go through PyTorch in one batched pass."""

    def __init__(self, products, weight_decay, comm, dtype):
        from petsc4py import PETSc
        self.products, self.wd, self.comm, self.dtype = products, weight_decay, comm, dtype
        self.count = 0
        self.parallel = comm.getSize() > 1
        self.template = PETSc.Vec().createMPI((PETSc.DECIDE, products.dim), comm=comm)
        self.column = self.template.duplicate()
        if self.parallel:
            self.toall, self.xall = PETSc.Scatter.toAll(self.template)
            self.yall = self.xall.duplicate()

    def _full(self, x):
        """x gathered on every rank, as a numpy array."""
        from petsc4py import PETSc
        if not self.parallel:
            return x.getArray(readonly=True)
        self.toall.scatter(x, self.xall, PETSc.InsertMode.INSERT_VALUES, PETSc.ScatterMode.FORWARD)
        return self.xall.getArray(readonly=True)

    def _sum_into(self, local, y):
        """y = the sum over the ranks of each rank's full-length array local."""
        from petsc4py import PETSc
        if not self.parallel:
            y.getArray()[...] = local
            return
        self.yall.getArray()[...] = local
        y.zeroEntries()
        self.toall.scatter(self.yall, y, PETSc.InsertMode.ADD_VALUES, PETSc.ScatterMode.REVERSE)

    def _products(self, V):
        with torch.enable_grad():
            return self.products.apply(torch.as_tensor(V, dtype=self.dtype)).to(torch.float64).numpy()

    def mult(self, A, x, y):
        self.count += 1
        v = np.array(self._full(x))
        self._sum_into(self._products(v[None, :])[0], y)
        if self.wd:
            y.axpy(self.wd, x)

    # petsc4py calls these with (this matrix, [product,] type, the factors A, B, C): here A B
    def productSetFromOptions(self, mat, prodtype, A, B, C):
        return prodtype == "AB" and B.getType() in ("seqdense", "mpidense")

    def productSymbolic(self, mat, product, prodtype, A, X, C):
        from petsc4py import PETSc
        m, M = A.getSizes()[0]
        n, N = X.getSizes()[1]
        product.setSizes(((m, M), (n, N)))
        product.setType(PETSc.Mat.Type.DENSE)
        product.setUp()

    def productNumeric(self, mat, product, prodtype, A, X, C):
        k = X.getSize()[1]
        self.count += k
        cols = np.array(X.getDenseArray(), order="F")          # local rows x k
        if not self.parallel:
            V = cols.T
        else:
            V = np.empty((k, self.products.dim))
            for j in range(k):
                self.column.getArray()[...] = cols[:, j]
                V[j] = self._full(self.column)
        W = self._products(V)
        out = product.getDenseArray()
        for j in range(k):
            self._sum_into(W[j], self.column)
            out[:, j] = self.column.getArray() + self.wd * cols[:, j]
        product.assemble()


def _free(p):
    """PetscFree on memory the C engines allocated."""
    L = lib()
    free = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p,
                            ctypes.c_char_p).in_dll(L.dll, "PetscTrFree")
    if free(p, 0, b"krylearn.spectrum", b"spectrum.py"):
        raise Error(0, "PetscFree failed")


def _take(p, n):
    a = np.ctypeslib.as_array(ctypes.cast(p, ctypes.POINTER(ctypes.c_double)), shape=(n,)).copy() if n else np.zeros(0)
    _free(p)
    return a


def _gather_to_zero(comm, vecs):
    """Vecs gathered as the rows of an array on rank 0 (None elsewhere)."""
    from petsc4py import PETSc
    if not vecs:
        return None
    scatter, x0 = PETSc.Scatter.toZero(vecs[0])
    rows = []
    for v in vecs:
        scatter.scatter(v, x0, PETSc.InsertMode.INSERT_VALUES, PETSc.ScatterMode.FORWARD)
        rows.append(x0.getArray().copy())
    scatter.destroy(), x0.destroy()
    return np.array(rows) if comm.getRank() == 0 else None


def _engines(A, shell, comm, cfg):
    """The analyses of bin/krylearn-spectrum, in its order and with its random sequence."""
    from petsc4py import PETSc
    L = lib()
    N = A.getSize()[0]
    r = {}
    costs = {}
    rnd = PETSc.Random().create(comm=PETSc.COMM_SELF)
    rnd.setSeed(cfg["seed"])
    rho = ctypes.c_double(0)

    def phase(name, fn):
        n0, t0 = shell.count, time.perf_counter()
        fn()
        costs[name] = (shell.count - n0, time.perf_counter() - t0)

    def extremes(k, which, prefix, key):
        eig = (ctypes.c_double * k)()
        X = None
        if cfg["vectors"]:
            X = [A.createVecRight() for _ in range(k)]
            Xh = (ctypes.c_void_p * k)(*[x.handle for x in X])
        if key == "top" and cfg["top_convergence"] == "eigenvalue":
            # SLEPc's relative test (residual <= tol |lambda|) replaces the test relative to
            # the spectral radius, whose estimate is then not needed: any nonzero value skips it
            with petsc_options({"top_eps_conv_rel": ""}):
                L("KrylearnSpectrumExtremes", handle(A), k, which, prefix, ctypes.byref(ctypes.c_double(1.0)), eig,
                  Xh if X else None)
        else:
            L("KrylearnSpectrumExtremes", handle(A), k, which, prefix, ctypes.byref(rho), eig, Xh if X else None)
        r[key + "_eigenvalues"] = np.array(eig[:])
        if X:
            vec = _gather_to_zero(comm, X)
            if vec is not None:
                r[key + "_eigenvectors"] = vec
            for x in X:
                x.destroy()

    if cfg["top"]:
        phase("top", lambda: extremes(cfg["top"], _EPS_LARGEST_REAL, b"top_", "top"))
        out = ctypes.c_int()
        L("KrylearnSpectrumOutlierCount", cfg["top"], (ctypes.c_double * cfg["top"])(*r["top_eigenvalues"]), ctypes.byref(out))
        r["outliers"] = np.array([float(out.value)])
    if cfg["bottom"]:
        phase("bottom", lambda: extremes(cfg["bottom"], _EPS_SMALLEST_REAL, b"bottom_", "bottom"))
    if cfg["density"]:
        def slq():
            n, nodes, weights = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_void_p()
            L("KrylearnSpectrumSLQ", handle(A), cfg["density_steps"], cfg["density_probes"], handle(rnd),
              ctypes.byref(n), ctypes.byref(nodes), ctypes.byref(weights))
            nd, wt = _take(nodes, n.value), _take(weights, n.value)
            live = wt > 0
            lo, hi = (nd[live].min(), nd[live].max()) if live.any() else (0.0, 0.0)
            sigma = cfg["density_sigma"] * max(0.5 * (hi - lo), 1e-10)   # PETSC_SMALL, as bin/krylearn-spectrum
            pad = 5 * sigma
            ng = cfg["density_grid"]
            grid = lo - pad + (hi - lo + 2 * pad) * np.arange(ng) / max(1, ng - 1)
            dens = np.zeros(ng)
            L("KrylearnSpectrumDensity", n.value, nd.ctypes.data_as(ctypes.c_void_p), wt.ctypes.data_as(ctypes.c_void_p),
              cfg["density_probes"], ctypes.c_double(sigma), ng, grid.ctypes.data_as(ctypes.c_void_p),
              dens.ctypes.data_as(ctypes.c_void_p))
            p = cfg["density_probes"]
            r.update(ritz_nodes=nd.reshape(p, -1), ritz_weights=wt.reshape(p, -1), density_grid=grid,
                     density=dens, density_sigma=sigma)
        phase("density", slq)
    if cfg["trace"]:
        def tr():
            t, se = ctypes.c_double(), ctypes.c_double()
            L("KrylearnSpectrumTrace", handle(A), TRACE_TYPES.index(cfg["trace_type"]), cfg["trace_products"],
              handle(rnd), ctypes.byref(t), ctypes.byref(se))
            r["trace"], r["trace_stderror"] = np.array([t.value]), np.array([se.value])
        phase("trace", tr)
    if cfg["exact"]:
        def ex():
            e = ctypes.c_void_p()
            L("KrylearnSpectrumExact", handle(A), ctypes.byref(e))
            r["exact_eigenvalues"] = _take(e, N)
        phase("exact", ex)
    rnd.destroy()
    # negative eigenvalues of a symmetric operator, counted as KrylearnSpectrumAnalysisRun counts
    # them: exactly from the exact spectrum, else from the bottom ones (a lower bound when all are negative)
    if "exact_eigenvalues" in r:
        r["negative_eigenvalues"] = np.array([float((r["exact_eigenvalues"] < 0).sum()), 1.0])
    elif "bottom_eigenvalues" in r:
        n = int((r["bottom_eigenvalues"] < 0).sum())
        r["negative_eigenvalues"] = np.array([float(n), float(n < r["bottom_eigenvalues"].size)])
    for name, (n, s) in costs.items():
        if n:
            r["cost_" + name] = np.array([float(n), s])
    return r



class _Counted:
    """petsc4py python-matrix context counting the products of a C operator."""

    def __init__(self, C):
        self.C, self.count = C, 0

    def mult(self, A, x, y):
        self.count += 1
        self.C.mult(x, y)


def _summary(name, r, N, probes):
    """The one-screen summary of bin/krylearn-spectrum."""
    lines = ["%s:" % name]
    for p in PHASES:
        if "cost_" + p in r:
            n, s = r["cost_" + p]
            lines.append("  %-9s %6d products %9.3f s" % (p, int(n), s))
    if "top_eigenvalues" in r:
        lines.append("  top %d:    %s" % (len(r["top_eigenvalues"]), " ".join("%.10g" % v for v in r["top_eigenvalues"])))
        lines.append("  outliers (largest gap): %d" % int(r["outliers"][0]))
    if "bottom_eigenvalues" in r:
        lines.append("  bottom %d: %s" % (len(r["bottom_eigenvalues"]), " ".join("%.10g" % v for v in r["bottom_eigenvalues"])))
    if "negative_eigenvalues" in r:
        n, exact = r["negative_eigenvalues"]
        lines.append("  negative eigenvalues: %s%d%s" % ("" if exact else "at least ", int(n),
                                                         "" if exact else " (all of the bottom ones computed)"))
    if "ritz_nodes" in r:
        nd, wt = r["ritz_nodes"].ravel(), r["ritz_weights"].ravel()
        live = wt > 0
        lines.append("  density: %d probes, Ritz values in [%.6g, %.6g], broadening %.3g, SLQ trace %.8g"
                     % (probes, nd[live].min(), nd[live].max(), r["density_sigma"], (wt * nd).sum() * N / probes))
    if "trace" in r:
        lines.append("  trace: %.10g +- %.3g" % (r["trace"][0], r["trace_stderror"][0]))
    if "exact_eigenvalues" in r:
        e = r["exact_eigenvalues"]
        lines.append("  exact: %d eigenvalues in [%.10g, %.10g], trace %.10g" % (e.size, e[0], e[-1], e.sum()))
    return "\n".join(lines)


_DATASETS = ("top_eigenvalues", "bottom_eigenvalues", "top_eigenvectors", "bottom_eigenvectors", "ritz_nodes",
             "ritz_weights", "density_grid", "density", "exact_eigenvalues", "trace", "trace_stderror") + \
            tuple("cost_" + p for p in PHASES) + ("outliers", "negative_eigenvalues")


def _write(path, r, ggn, attrs):
    """The output file of bin/krylearn-spectrum -o (docs/spectrum.md), from rank 0."""
    import h5py
    with h5py.File(path, "w") as f:
        for prefix, res in (("", r), ("ggn_", ggn)):
            for k in _DATASETS if res else ():
                if k in res:
                    f[prefix + k] = np.asarray(res[k], dtype=np.float64)
        for k, v in attrs.items():
            f.attrs[k] = np.bytes_(v) if isinstance(v, str) else v


def plot(h5path, png):
    """PNG of the density on a log scale with the top eigenvalues marked (outliers red),
    from a file written by analyse(output=...) or bin/krylearn-spectrum -o."""
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with h5py.File(h5path, "r") as f:
        fig, ax = plt.subplots(figsize=(7, 4))
        op = f.attrs["operator"]
        for p, label in (("", op.decode() if isinstance(op, bytes) else op), ("ggn_", "ggn")):
            if p + "density" not in f:
                continue
            ax.semilogy(f[p + "density_grid"][...], np.maximum(f[p + "density"][...], 1e-12), label=label)
            if p + "top_eigenvalues" in f:
                k = int(f[p + "outliers"][0])
                for i, lam in enumerate(f[p + "top_eigenvalues"][...]):
                    ax.axvline(lam, color="r" if i < k else "0.7", lw=0.8, ls="--" if p else "-")
        ax.set_xlabel("eigenvalue")
        ax.set_ylabel("density (log scale)")
        ax.set_title("SLQ density; top eigenvalues marked (red: outliers)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(png, dpi=90)
        plt.close(fig)


_C_LAYERS = {torch.nn.Linear: "linear", torch.nn.ReLU: "relu", torch.nn.Tanh: "tanh", torch.nn.Sigmoid: "sigmoid",
             torch.nn.GELU: "gelu"}


def c_supported(model, loss_fn):
    """Whether the C products (bin/krylearn-spectrum's MLP path) handle this model and loss:
    an nn.Sequential of Linear, ReLU, Tanh, Sigmoid and exact GELU layers with every
    parameter trained, and nn.CrossEntropyLoss or nn.MSELoss with reduction='mean'."""
    if not isinstance(model, torch.nn.Sequential) or not len(model):
        return False
    for layer in model:
        if type(layer) not in _C_LAYERS or (isinstance(layer, torch.nn.GELU) and layer.approximate != "none"):
            return False
    if not all(p.requires_grad for p in model.parameters()):
        return False
    if isinstance(loss_fn, torch.nn.CrossEntropyLoss):
        return (loss_fn.reduction == "mean" and loss_fn.weight is None and loss_fn.label_smoothing == 0
                and loss_fn.ignore_index < 0)
    return isinstance(loss_fn, torch.nn.MSELoss) and loss_fn.reduction == "mean"


def _c_operator(model, loss_fn, batches, operator, weight_decay, comm):
    """The C MLP operator (KrylearnMLPCreateOperator) on this data: rank 0 writes the model
    and data files of docs/spectrum.md in a temporary directory, every rank reads its share."""
    import os
    import tempfile
    # the model-format module: train/ in the tree, installed beside the package by make install
    train = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "train")
    if os.path.isdir(train) and train not in sys.path:
        sys.path.append(train)
    from export_mlp import export_data, export_mlp
    mpi = comm.tompi4py() if comm.getSize() > 1 else None
    X = [b[0].detach().double().cpu().numpy().reshape(len(b[0]), -1) for b in batches]
    y = [b[1].detach().cpu().numpy() for b in batches]
    if mpi:
        X, y = mpi.gather(X), mpi.gather(y)
        X, y = (sum(X, []), sum(y, [])) if mpi.rank == 0 else (None, None)
    tmp = tempfile.mkdtemp(prefix="krylearn-spectrum-") if comm.getRank() == 0 else None
    tmp = mpi.bcast(tmp) if mpi else tmp
    try:
        loss = "cross_entropy" if isinstance(loss_fn, torch.nn.CrossEntropyLoss) else "mse"
        if comm.getRank() == 0:
            export_mlp(model, os.path.join(tmp, "model.h5"), loss, weight_decay)
            export_data(np.concatenate(X), np.concatenate(y), os.path.join(tmp, "data.h5"))
        if mpi:
            mpi.Barrier()
        L = lib()
        mlp, C = ptr(), ptr()
        with mpi_comm(comm) as c:    # the MLP keeps the communicator without a reference of its own
            L("KrylearnMLPLoad", c, os.path.join(tmp, "model.h5").encode(), os.path.join(tmp, "data.h5").encode(), ctypes.byref(mlp))
            try:
                L("KrylearnMLPCreateOperator", mlp, OPERATORS.index(operator), ctypes.byref(C))
            finally:
                L("KrylearnMLPDestroy", ctypes.byref(mlp))
    finally:
        if mpi:
            mpi.Barrier()
        if comm.getRank() == 0:
            for f in ("model.h5", "data.h5"):
                if os.path.exists(os.path.join(tmp, f)):
                    os.remove(os.path.join(tmp, f))
            os.rmdir(tmp)
    return wrap(C)


def _batches(data, comm, shard):
    """This rank's batches, materialised once so that every product sees the same data."""
    size, rank = comm.getSize(), comm.getRank()
    out = []
    for i, b in enumerate(data):
        if shard and i % size != rank:
            continue
        if not isinstance(b, (tuple, list)) or len(b) != 2:
            raise ValueError("batch %d is not an (inputs, targets) pair" % i)
        out.append((b[0], b[1]))
    return out


def _to(x, dtype):
    if isinstance(x, (tuple, list)):
        return type(x)(_to(t, dtype) for t in x)
    return x.to(dtype) if torch.is_tensor(x) and x.is_floating_point() else x


def analyse(model, loss_fn, data, operator="hessian", top=0, bottom=0, density=False, trace=False,
            weight_decay=0.0, comm=None, engine="auto", vectors=False, exact=False,
            density_steps=90, density_probes=10, density_sigma=math.sqrt(1e-5), density_grid=10000,
            trace_type="hutchpp", trace_products=100, seed=1, sagun=False, top_convergence="radius", dtype=torch.float64,
            shard=True, cache=True, output=None, plot=None, verbose=False, options=None):
    """Spectrum analyses of a curvature matrix of the mean loss of a PyTorch model,
    L(theta) = (1/N) sum_i l(model(x_i), y_i) + (weight_decay/2) |theta|^2, over the
    parameters that require gradients.

    model, loss_fn: any nn.Module and a loss returning the batch mean (reduction='mean').
    data: an iterable of (inputs, targets) batches (a DataLoader works); it is read once.
    operator: 'hessian', 'ggn' (generalised Gauss-Newton) or 'fisher' (empirical Fisher).
    top, bottom: numbers of largest / smallest eigenpairs (Krylov-Schur; tolerance 1e-10
      times the spectral radius, options -top_eps_*, -bottom_eps_*); vectors=True keeps the
      eigenvectors. top_convergence='eigenvalue' tests the top eigenpairs relative to each
      eigenvalue (SLEPc's -eps_conv_rel) instead, which skips the spectral-radius estimate
      (about 16 products): for top eigenvalues well away from zero. density: SLQ with density_steps Lanczos steps, density_probes probes,
      broadening density_sigma times the half-width, density_grid points. trace: Hutch++
      (trace_type='hutchpp') or Hutchinson with trace_products products. exact: every
      eigenvalue by dense LAPACK (small models). sagun: the same analyses (without bottom)
      of the Gauss-Newton part, under the 'ggn_' keys. seed: probe seed (the same at any
      number of ranks).
    engine: 'python' (autograd products), 'c' (the C products of bin/krylearn-spectrum,
      for the MLPs c_supported() accepts) or 'auto' (C when supported).
    dtype: the products run on a copy of the model in this dtype (float64 by default, as
      the C engine); None uses the model as it is.
    comm: a petsc4py communicator (default PETSC_COMM_WORLD). Under mpiexec each rank takes
      every size-th batch (shard=True) or the batches it was given (shard=False); products
      are summed over the ranks.
    cache: keep each batch's autograd graph between products (memory grows with the data).
    options: PETSc options for this call, e.g. {'top_eps_ncv': 40}.
    output, plot, verbose: the HDF5 file, PNG and one-screen summary of bin/krylearn-spectrum.

    Returns a dict keyed by the dataset names of docs/spectrum.md (top_eigenvalues,
    bottom_eigenvalues, top_eigenvectors, ritz_nodes, ritz_weights, density_grid, density,
    trace, trace_stderror, exact_eigenvalues, outliers, cost_top, ... with the ggn_ prefix
    under sagun=True) and the attributes parameters, samples, ranks, loss_value,
    gradient_norm, operator, density_sigma. Bad input raises ValueError or krylearn.Error
    (PETSc's message).
    """
    import copy
    from petsc4py import PETSc
    comm = comm or PETSc.COMM_WORLD
    if operator not in OPERATORS:
        raise ValueError("operator must be one of %s, not %r" % (", ".join(OPERATORS), operator))
    if trace_type not in TRACE_TYPES:
        raise ValueError("trace_type must be one of %s, not %r" % (", ".join(TRACE_TYPES), trace_type))
    if top_convergence not in ("radius", "eigenvalue"):
        raise ValueError("top_convergence must be 'radius' or 'eigenvalue', not %r" % (top_convergence,))
    if engine not in ("auto", "python", "c"):
        raise ValueError("engine must be 'auto', 'python' or 'c', not %r" % (engine,))
    if plot and not (density and output):
        raise ValueError("plot needs density=True and output=")
    if not math.isfinite(weight_decay):
        raise ValueError("weight_decay must be finite, not %r" % (weight_decay,))
    if dtype is not None:
        model = copy.deepcopy(model).to(dtype)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no parameters that require gradients")
    batches = [(_to(x, dtype), y) if dtype is not None else (x, y) for x, y in _batches(data, comm, shard)]
    local = sum(len(b[1]) for b in batches)
    mpi = comm.tompi4py() if comm.getSize() > 1 else None
    total = mpi.allreduce(local) if mpi else local
    if total == 0:
        raise ValueError("the data holds no samples")
    use_c = engine == "c" or (engine == "auto" and c_supported(model, loss_fn))
    if engine == "c" and not c_supported(model, loss_fn):
        raise ValueError("engine='c' takes an nn.Sequential of Linear/ReLU/Tanh/Sigmoid/GELU layers with "
                         "nn.CrossEntropyLoss or nn.MSELoss (reduction='mean'); use engine='python'")
    P = sum(p.numel() for p in params)
    dt = dtype or params[0].dtype
    # one pass in Python first: data that does not fit the model fails here, in PyTorch
    lv, gn = _loss_and_gradient(model, loss_fn, batches, total, params, weight_decay, mpi)
    cfg = dict(top=int(top), bottom=int(bottom), density=bool(density), trace=bool(trace), exact=bool(exact),
               vectors=bool(vectors), density_steps=int(density_steps), density_probes=int(density_probes),
               density_sigma=float(density_sigma), density_grid=int(density_grid), trace_type=trace_type,
               trace_products=int(trace_products), seed=int(seed), top_convergence=top_convergence)

    def make(op):
        """The operator as a petsc4py shell matrix and its context (which counts products)."""
        if use_c:
            C = _c_operator(model, loss_fn, batches, op, weight_decay, comm)
            ctx = _Counted(C)
            n = C.getLocalSize()[0]
        else:
            ctx = _Shell(CurvatureProducts(model, loss_fn, batches, op, total, params, cache), weight_decay, comm, dt)
            n = ctx.template.getLocalSize()
        A = PETSc.Mat().createPython(((n, P), (n, P)), context=ctx, comm=comm)
        A.setOption(PETSc.Mat.Option.SYMMETRIC, True)
        A.setUp()
        return A, ctx

    def run(op, sub):
        A, ctx = make(op)
        try:
            with petsc_options(options):
                return _engines(A, ctx, comm, sub)
        finally:
            A.destroy()
            if use_c:
                ctx.C.destroy()

    res = run(operator, cfg)
    ggn = run("ggn", dict(cfg, bottom=0)) if sagun else None
    res.update(parameters=P, samples=total, ranks=comm.getSize(), loss_value=lv, gradient_norm=gn,
               operator=operator, engine="c" if use_c else "python")
    if ggn:
        res.update({"ggn_" + k: v for k, v in ggn.items()})
    if verbose and comm.getRank() == 0:
        name = operator
        print("%s: %d parameters; %d samples on %d ranks; loss %.10g, gradient norm %.3g; %s products"
              % (type(model).__name__, P, total, comm.getSize(), lv, gn, res["engine"]))
        print(_summary(name, res, P, cfg["density_probes"]))
        if ggn:
            print(_summary("ggn (Gauss-Newton part of Sagun's decomposition)", ggn, P, cfg["density_probes"]))
    if output and comm.getRank() == 0:
        attrs = dict(model=type(model).__name__, data="", matrix="", ot_plan="", operator=operator,
                     trace_type=trace_type, parameters=P, samples=total, ranks=comm.getSize(), top=cfg["top"],
                     bottom=cfg["bottom"], density_steps=cfg["density_steps"], density_probes=cfg["density_probes"],
                     trace_products=cfg["trace_products"], seed=cfg["seed"],
                     density_sigma=float(res.get("density_sigma", 0.0)), loss_value=lv, gradient_norm=gn)
        _write(output, res, ggn, attrs)
        if plot:
            globals()["plot"](output, plot)
    return res


def _loss_and_gradient(model, loss_fn, batches, total, params, weight_decay, mpi):
    """Mean loss (weight decay included) and the norm of its gradient, summed over the ranks."""
    loss = 0.0
    grad = [torch.zeros_like(p) for p in params]
    with torch.enable_grad():
        for x, y in batches:
            out = model(*_as_tuple(x))
            lb = loss_fn(out, y) * (out.shape[0] / total)
            for g, d in zip(grad, torch.autograd.grad(lb, params)):
                g += d
            loss += float(lb)
    flat = torch.cat([g.reshape(-1) for g in grad]).double().numpy()
    if mpi:
        from mpi4py import MPI
        loss = mpi.allreduce(loss)
        mpi.Allreduce(MPI.IN_PLACE, flat)
    theta = torch.cat([p.detach().reshape(-1) for p in params]).double().numpy()
    flat = flat + weight_decay * theta
    loss += 0.5 * weight_decay * float(theta @ theta)
    if not np.isfinite(loss) or not np.all(np.isfinite(flat)):
        raise ValueError("the loss or its gradient is not finite (NaN or infinite parameters or data?)")
    return loss, float(np.linalg.norm(flat))
