"""The Deep Conjugate Direction Method in Python, for model selection, and the PETSc
Krylov baselines it is measured against (CG, CG+ICC(0), CG+GAMG through petsc4py).

Cells whose matrix row holds only a diagonal entry (solid cells, Dirichlet vertices)
are outside the domain: they are solved exactly at the start and every direction is
zero on them, as the grid solvers of the project do.
"""
import time

import numpy as np
import scipy.sparse as sp
import torch

import hybrid
import poisson


def network_preconditioner(net, A, shape, device="cpu"):
    """Wrap a PyTorch network (batch, 1, *shape) -> (batch, 1, *shape) as a float64
    vector function, timing its calls in .seconds. A model that reads the geometry gets
    the solid cells of A."""
    if getattr(net, "hybrid", None):
        return hybrid_preconditioner(net, A, shape, device)
    geometry = None
    faces = tuple("mirror" if c else "zero" for c in poisson.closed_faces(A, shape))
    if getattr(net, "geometry", None):
        geometry = torch.as_tensor(poisson.solid_cells(A).reshape((1, 1) + tuple(shape)), dtype=torch.float32, device=device)

    def apply(r):
        t = time.perf_counter()
        with torch.no_grad():
            x = torch.as_tensor(r, dtype=torch.float32, device=device).reshape(1, 1, *shape)
            y = net(x, geometry, faces).reshape(-1).double().cpu().numpy()
        apply.seconds += time.perf_counter() - t
        apply.calls += 1
        return y
    apply.seconds, apply.calls = 0.0, 0
    return apply


def hybrid_preconditioner(net, A, shape, device="cpu"):
    """A hybrid model's direction (train/hybrid.py) as a float64 vector function: the
    classical cycle in float64, the network in float32, as the C runtime does."""
    hier = hybrid.Hierarchy(A, shape, net.hybrid["classical_levels"]).torch(device, torch.float64)

    def apply(r):
        t = time.perf_counter()
        with torch.no_grad():
            x = torch.as_tensor(r, dtype=torch.float64, device=device).reshape(1, -1)
            y = hybrid.direction(net.hybrid, hier, net, x).reshape(-1).cpu().numpy()
        apply.seconds += time.perf_counter() - t
        apply.calls += 1
        return y
    apply.seconds, apply.calls = 0.0, 0
    return apply


def dcdm(A, b, direction, rtol=1e-4, maxit=200, ndirs=2):
    """Solve A x = b by DCDM with direction = direction(r / ||r||), A-orthogonalised
    against the last `ndirs` directions, exact line search, true residual each step.
    Stops when ||r|| <= rtol * ||r0||, r0 the residual once the outside cells are solved.
    Returns (x, iterations, residual history, seconds)."""
    start = time.perf_counter()
    A = sp.csr_matrix(A)
    b = np.asarray(b, dtype=float)
    outside = poisson.decoupled_rows(A)
    x = np.where(outside, b / np.where(outside, A.diagonal(), 1.0), 0.0)
    r = b - A @ x
    history = [np.linalg.norm(r)]
    dirs = []
    it = 0
    while history[-1] > rtol * history[0] and it < maxit and history[-1] > 0:
        it += 1
        q = direction(r / history[-1])
        q[outside] = 0.0
        for p, Ap, pAp in dirs:
            q -= (q @ Ap) / pAp * p
        Aq = A @ q
        qAq = q @ Aq
        if not qAq > 0:
            raise FloatingPointError(f"DCDM breakdown at iteration {it}: q.Aq = {qAq}")
        x += (q @ r) / qAq * q
        r = b - A @ x
        history.append(np.linalg.norm(r))
        dirs = (dirs + [(q, Aq, qAq)])[-ndirs:]
    return x, it, history, time.perf_counter() - start


def petsc_solve(A, b, pc="none", rtol=1e-4, maxit=100000):
    """CG with the given PETSc PC ('none', 'icc', 'gamg') on the true residual norm,
    stopping at ||r|| <= rtol ||b||. Returns (iterations, seconds including PC setup)."""
    from petsc4py import PETSc
    A = sp.csr_matrix(A)
    M = PETSc.Mat().createAIJ(size=A.shape, csr=(A.indptr.astype(PETSc.IntType),
                                                 A.indices.astype(PETSc.IntType), A.data),
                              comm=PETSc.COMM_SELF)
    M.assemble()
    rhs = M.createVecLeft()
    rhs.setArray(np.asarray(b, dtype=float))
    sol = M.createVecRight()
    ksp = PETSc.KSP().create(comm=PETSc.COMM_SELF)
    ksp.setOperators(M)
    ksp.setType("cg")
    ksp.getPC().setType(pc)
    ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
    ksp.setTolerances(rtol=rtol, atol=0.0, max_it=maxit)
    start = time.perf_counter()
    ksp.solve(rhs, sol)
    seconds = time.perf_counter() - start
    its, reason = ksp.getIterationNumber(), ksp.getConvergedReason()
    for obj in (ksp, M, rhs, sol):
        obj.destroy()
    if reason < 0:
        its = -its
    return its, seconds
