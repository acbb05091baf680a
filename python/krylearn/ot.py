"""Entropic optimal transport with POT's conventions, solved in process by Krylearn's OT
object (log-domain Sinkhorn or Sinkhorn-Newton-Sparse; docs/ot.md).

POT users change one line::

    P = ot.sinkhorn(a, b, M, reg)                   # POT
    P = krylearn.ot.solve(a, b, M, reg)             # Krylearn (SNS by default)
    P, log = krylearn.ot.solve(a, b, M, reg, log=True)

``reg`` is POT's regularisation, 1/eta in Krylearn's terms (the plans are the same).
Arrays are numpy in and out. The cost is handed to PETSc without a copy when it is a
float64 Fortran-ordered array (np.asfortranarray) on one rank; a C-ordered array is
copied once into PETSc's column-major layout. Weights are never copied. Under mpiexec
(petsc4py's PETSC_COMM_WORLD, or ``comm=``) every rank passes the same full arrays, owns
a block of rows, and gets the full plan back.
"""
import ctypes
import warnings

import numpy as np

from ._lib import Error, comm_of, handle, lib, ptr, wrap
from ._lib import options as petsc_options

__all__ = ["solve", "solve_clouds", "Error"]

_REASONS = {2: "CONVERGED_MARGINAL", 0: "CONVERGED_ITERATING", -3: "DIVERGED_MAX_IT",
            -4: "DIVERGED_NANORINF", -5: "DIVERGED_STEP"}
_COSTS = {"sqeuclidean": 0, "euclidean": 1}


def _rows(comm, n):
    """PETSc's default split of n rows: (lo, hi) of this rank."""
    size, rank = comm.getSize(), comm.getRank()
    counts = [n // size + (1 if r < n % size else 0) for r in range(size)]
    lo = sum(counts[:rank])
    return lo, lo + counts[rank]


def _weights(w, n, name):
    if w is None or len(w) == 0:
        return np.full(n, 1.0 / n)
    w = np.ascontiguousarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError("%s must be a 1-D array of weights, not of shape %s" % (name, w.shape))
    return w


def _vec(comm, w, lo, hi):
    from petsc4py import PETSc
    return PETSc.Vec().createWithArray(w[lo:hi], size=(hi - lo, w.size), comm=comm)


def _dense(comm, A, lo, hi):
    """Local rows lo:hi of a 2-D array as a distributed MATDENSE (no copy for Fortran float64)."""
    from petsc4py import PETSc
    local = np.asfortranarray(A[lo:hi], dtype=np.float64)
    M = PETSc.Mat().createDense(((hi - lo, A.shape[0]), (None, A.shape[1])), array=local, comm=comm)
    M.assemble()
    return M


def _sparse(comm, S, lo, hi):
    from petsc4py import PETSc
    S = S.tocsr()
    local = S[lo:hi]
    local.sort_indices()
    M = PETSc.Mat().createAIJ(((hi - lo, S.shape[0]), (None, S.shape[1])), comm=comm,
                              csr=(local.indptr.astype(PETSc.IntType), local.indices.astype(PETSc.IntType),
                                   local.data.astype(np.float64)))
    M.assemble()
    return M


def _gather(comm, local):
    """Concatenation over the ranks of each rank's numpy array (rows)."""
    if comm.getSize() == 1:
        return local
    return np.concatenate(comm.tompi4py().allgather(local))


def _prepare(a, b, n, m, reg, eta):
    if (reg is None) == (eta is None):
        raise ValueError("give exactly one of reg (POT's regularisation) and eta = 1/reg")
    eta = 1.0 / reg if eta is None else eta
    return _weights(a, n, "a"), _weights(b, m, "b"), float(eta)


def _run(comm, set_cost, a, b, n, m, eta, method, tol, max_iter, log, cost_type,
         plan_dense_max, plan_drop_tol, options):
    L = lib()
    lo, hi = _rows(comm, n)
    # the weights keep their own lengths: OTSetUp checks them against the cost with PETSc's message
    r, c = _vec(comm, a, *_rows(comm, a.size)), _vec(comm, b, *_rows(comm, b.size))
    ot = ptr()
    L("OTCreate", comm_of(r), ctypes.byref(ot))
    try:
        L("OTSetType", ot, str(method).encode())
        keep = set_cost(ot, lo, hi)
        if cost_type is not None:
            if cost_type not in _COSTS:
                raise ValueError("cost must be one of %s, not %r" % (", ".join(_COSTS), cost_type))
            L("OTSetCostType", ot, _COSTS[cost_type])
        L("OTSetMarginals", ot, handle(r), handle(c))
        L("OTSetEta", ot, ctypes.c_double(eta))
        L("OTSetTolerances", ot, ctypes.c_double(tol), int(max_iter))
        with petsc_options(options):
            L("OTSetFromOptions", ot)
        L("OTSolve", ot)
        reason, sits, nits = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        err, cost, secs = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        L("OTGetConvergedReason", ot, ctypes.byref(reason))
        L("OTGetIterationNumbers", ot, ctypes.byref(sits), ctypes.byref(nits))
        L("OTGetMarginalError", ot, ctypes.byref(err))
        L("OTGetTransportCost", ot, ctypes.byref(cost))
        L("OTGetSolveTime", ot, ctypes.byref(secs))
        x, y = ptr(), ptr()
        L("OTGetPotentials", ot, ctypes.byref(x), ctypes.byref(y))
        for v in (x, y):
            L("PetscObjectReference", v)
        x, y = wrap(x), wrap(y)
        xs, ys = _gather(comm, x.getArray().copy()), _gather(comm, y.getArray().copy())
        x.destroy(), y.destroy()
        dense = float(n) * m <= plan_dense_max
        P = ptr()
        L("OTGetPlan", ot, b"dense" if dense else b"aij", ctypes.c_double(plan_drop_tol * a.sum()), ctypes.byref(P))
        P = wrap(P)
        if dense:
            plan = _gather(comm, np.array(P.getDenseArray(), order="C"))
        else:
            import scipy.sparse as sp
            indptr, indices, data = P.getValuesCSR()
            local = sp.csr_matrix((data.copy(), indices.copy(), indptr.copy()), shape=(hi - lo, m))
            plan = sp.vstack(comm.tompi4py().allgather(local), format="csr") if comm.getSize() > 1 else local
        P.destroy()
        del keep
    finally:
        L("OTDestroy", ctypes.byref(ot))
        r.destroy(), c.destroy()
    name = _REASONS.get(reason.value, str(reason.value))
    if reason.value <= 0:
        warnings.warn("krylearn.ot: %s stopped without converging (%s) after %d Sinkhorn and %d Newton "
                      "iterations, marginal error %.3g" % (method, name, sits.value, nits.value, err.value))
    if not log:
        return plan
    return plan, {"x": xs, "y": ys, "transport_cost": cost.value, "marginal_error": err.value,
                  "sinkhorn_iterations": sits.value, "newton_iterations": nits.value,
                  "niter": sits.value + nits.value, "converged_reason": name, "time": secs.value,
                  "eta": eta, "method": method}


def solve(a, b, M, reg=None, eta=None, method="sns", tol=1e-9, max_iter=100000, log=False,
          comm=None, options=None, plan_dense_max=1000000, plan_drop_tol=1e-14):
    """Entropic optimal transport between weights ``a`` (n) and ``b`` (m) with cost ``M``.

    Parameters follow POT's ``ot.sinkhorn(a, b, M, reg)``: ``a``, ``b`` may be empty
    (uniform weights); ``reg`` is the entropic regularisation (or give ``eta = 1/reg``).
    ``M`` is an n x m array, or a scipy.sparse matrix whose absent entries are forbidden
    transports. ``method`` is 'sns' (Sinkhorn-Newton-Sparse) or 'sinkhorn' (log-domain);
    ``tol`` bounds ||P1 - a||_1 + ||P^T1 - b||_1; ``max_iter`` counts Sinkhorn and Newton
    iterations together. ``options`` adds PETSc options for this solve (e.g.
    ``{'ot_sns_warmup': 10, 'ot_ksp_type': 'minres'}``); the command line's -ot_* options
    apply too.

    Returns the plan, a dense array when n*m <= plan_dense_max, else a scipy.sparse CSR
    matrix without the entries <= plan_drop_tol * sum(a) (as bin/krylearn-ot writes it).
    With ``log=True`` returns ``(plan, log)``; log holds the potentials ``x`` and ``y``
    (P_ij = exp(eta (-M_ij + x_i + y_j) - 1)), ``transport_cost`` (<M, P>),
    ``marginal_error``, ``sinkhorn_iterations``, ``newton_iterations``, ``niter`` (their
    sum), ``converged_reason``, ``time`` (seconds in OTSolve), ``eta``, ``method``.
    Not converging warns; bad input raises krylearn.Error with PETSc's message.
    """
    from petsc4py import PETSc
    comm = comm or PETSc.COMM_WORLD
    import scipy.sparse as sp
    sparse = sp.issparse(M)
    if not sparse:
        M = np.asarray(M)
        if M.ndim != 2:
            raise ValueError("M must be a 2-D cost matrix, not of shape %s" % (M.shape,))
    n, m = M.shape
    a, b, eta = _prepare(a, b, n, m, reg, eta)

    def set_cost(ot, lo, hi):
        C = _sparse(comm, M, lo, hi) if sparse else _dense(comm, M, lo, hi)
        lib()("OTSetCostMatrix", ot, handle(C))
        C.destroy()   # the OT object holds its own reference

    return _run(comm, set_cost, a, b, n, m, eta, method, tol, max_iter, log, None,
                plan_dense_max, plan_drop_tol, options)


def solve_clouds(a, b, X, Y, reg=None, eta=None, cost="sqeuclidean", method="sns", tol=1e-9,
                 max_iter=100000, log=False, comm=None, options=None, plan_dense_max=1000000,
                 plan_drop_tol=1e-14):
    """Entropic optimal transport between point clouds ``X`` (n x d) and ``Y`` (m x d)
    with weights ``a`` and ``b``. The cost ``cost`` ('sqeuclidean' |x - y|^2, as POT's
    ot.dist, or 'euclidean' |x - y|) is computed on the fly in C and never stored. Other
    arguments and the return value are those of solve()."""
    from petsc4py import PETSc
    comm = comm or PETSc.COMM_WORLD
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or Y.ndim != 2:
        raise ValueError("X and Y must be 2-D arrays of points, not of shapes %s and %s" % (X.shape, Y.shape))
    n, m = X.shape[0], Y.shape[0]
    a, b, eta = _prepare(a, b, n, m, reg, eta)

    def set_cost(ot, lo, hi):
        ylo, yhi = _rows(comm, m)
        Xm, Ym = _dense(comm, X, lo, hi), _dense(comm, Y, ylo, yhi)
        lib()("OTSetPointClouds", ot, handle(Xm), handle(Ym))
        Xm.destroy(), Ym.destroy()

    return _run(comm, set_cost, a, b, n, m, eta, method, tol, max_iter, log, cost,
                plan_dense_max, plan_drop_tol, options)
