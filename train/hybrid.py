"""Operator-smoothed hybrid directions: a multigrid cycle whose coarsest part is learned.

A model whose description declares a "hybrid" structure (docs/model-format.md) is not
applied to the residual directly. Its direction for a residual r on the operator A is

    cycle(0, r):   level l, operator A_l, D_l its diagonal (1/D_l taken as 0 where it is 0)
        z = 0, t = r
        nu times:  d = omega D_l^-1 t;  z += d;  t -= A_l d        (damped Jacobi, pre)
        rc = P_l^T t                                                 (restriction)
        ec = solve(l + 1, rc)
        e = P_l ec;   beta = e.t / e.A_l e   (0 unless e.A_l e > 0)   (Rayleigh scaling)
        z += beta e;  t -= beta A_l e
        nu times:  d = omega D_l^-1 t;  z += d;  t -= A_l d          (post)

    solve(c, rc): k_c steps of flexible CG on A_c x = rc, each step's direction B(res) made
        A_c-conjugate to the earlier ones, with B = cycle(c, .), or the network N on the last
        level (c = L); k_c = 1 is ec = B(rc) (the Rayleigh scaling above sets its length), a
        V-cycle; k_c = 2 on the levels above the network's a K-cycle. coarse_iterations gives
        k_1 .. k_L (one number: the same on every level; absent: 1)

with L = classical_levels grid transfers: the network works on the grid 2^L times
coarser than the operator's in every direction, so it sees the coefficients, boundary
conditions and solid cells of A only through the smoothed residual, while every one of
them enters the fine-level smoothing. P_l is cell-centred bilinear interpolation from
the grid of ceil(n / 2) cells per axis to the grid of n cells (edges replicated; odd
extents have a last coarse cell half outside the grid); P_1 is zero on the rows of the
cells outside the domain (rows with only a diagonal entry), and the coarse operators are
Galerkin products A_l+1 = P_l^T A_l P_l. A network that reads the solid geometry gets,
on its grid, the fraction of each coarse cell that lies outside the domain,
1 - (P_L^T ... P_1^T 1) / 2^(dim L), so coarse cells that reach past the grid's edge or
into an obstacle are partly solid. The C runtime (plugins/deepcd_hybrid.c) runs the
same cycle on PETSc matrices.
"""
import argparse

import numpy as np
import scipy.sparse as sp
import torch

import poisson

SMOOTHERS = ("jacobi",)


def padded_extent(n):
    """The extent the C runtime runs a network on for a grid extent n: the smallest even 2^k
    or 3 2^(k-1) >= n (the V-cycle then pools down to 2 or 3 cells); the added cells are
    outside the domain (KrylearnNet forward's domain=)."""
    p = 2
    while 2 * p < n:
        p *= 2
    if n <= p:
        return p
    return 3 * p // 2 if p >= 4 and 3 * p // 2 >= n else 2 * p


def coarse_shape(shape):
    """The grid one level down: ceil(n / 2) cells per axis."""
    return tuple((n + 1) // 2 for n in shape)


def _csr(M):
    """Canonical CSR (sorted, no duplicates), as torch's sparse CSR tensors need."""
    M = sp.csr_matrix(M)
    M.sum_duplicates()
    M.sort_indices()
    return M


def _interp_1d(n):
    """Cell-centred linear interpolation from ceil(n/2) cells to n cells (n x ceil(n/2)):
    fine cell i sits at coarse coordinate i/2 - 1/4, clamped into [0, nc - 1]."""
    nc = (n + 1) // 2
    rows, cols, vals = [], [], []
    for i in range(n):
        src = min(max(i / 2 - 0.25, 0.0), nc - 1.0)
        i0 = int(np.floor(src))
        lam = src - i0
        i1 = min(i0 + 1, nc - 1)
        for c, w in ((i0, 1.0 - lam), (i1, lam)):
            if w != 0.0:
                rows.append(i), cols.append(c), vals.append(w)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, nc))


def prolongation(shape):
    """Bilinear (trilinear) interpolation from coarse_shape(shape) to shape, scipy CSR,
    cells in C order of ([z,] y, x), x fastest."""
    P = sp.csr_matrix(np.ones((1, 1)))
    for n in shape:   # kron with the slowest axis first gives x fastest
        P = sp.kron(P, _interp_1d(n), format="csr")
    return P


def validate(structure):
    """Check a hybrid structure declaration; raise ValueError naming the problem."""
    if not isinstance(structure, dict):
        raise ValueError("hybrid structure must be a dictionary")
    for key in ("smoother", "sweeps", "damping", "classical_levels"):
        if key not in structure:
            raise ValueError(f"hybrid structure lacks '{key}'")
    if structure["smoother"] not in SMOOTHERS:
        raise ValueError(f"hybrid structure: unknown smoother {structure['smoother']!r} (known: {', '.join(SMOOTHERS)})")
    sweeps, levels, omega = structure["sweeps"], structure["classical_levels"], structure["damping"]
    if not isinstance(sweeps, (int, np.integer)) or not 0 <= sweeps <= 8:
        raise ValueError(f"hybrid structure: sweeps {sweeps!r} must be an integer from 0 to 8")
    if not isinstance(levels, (int, np.integer)) or not 1 <= levels <= 4:
        raise ValueError(f"hybrid structure: classical_levels {levels!r} must be an integer from 1 to 4")
    if not (isinstance(omega, (float, int, np.floating)) and np.isfinite(omega) and 0.0 < omega <= 1.0):
        raise ValueError(f"hybrid structure: damping {omega!r} must be in (0, 1]")
    ks = structure.get("coarse_iterations", 1)
    listed = ks if isinstance(ks, (list, tuple)) else [ks]
    if len(listed) not in (1, levels):
        raise ValueError(f"hybrid structure: coarse_iterations {ks!r} must give one number or one per classical level ({levels})")
    for k in listed:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 4:
            raise ValueError(f"hybrid structure: coarse_iterations {ks!r} must be integers from 1 to 4")


class Hierarchy:
    """The classical levels of one operator: A_l, 1/diag(A_l), P_l (scipy), the network's
    grid and its geometry field (fraction outside the domain)."""

    def __init__(self, A, shape, levels):
        A = sp.csr_matrix(A, dtype=float)
        active = ~poisson.decoupled_rows(A)
        self.shapes, self.A, self.dinv, self.P = [tuple(shape)], [A], [], []
        ones = np.ones(A.shape[0]) * active
        for level in range(levels):
            P = prolongation(self.shapes[-1])
            if level == 0:
                P = sp.diags(active.astype(float)) @ P
            Al = self.A[-1]
            d = Al.diagonal()
            self.dinv.append(np.where(d != 0, 1.0 / np.where(d != 0, d, 1.0), 0.0) * (active if level == 0 else 1.0))
            self.P.append(_csr(P))
            self.A.append(_csr(P.T @ Al @ P))
            self.shapes.append(coarse_shape(self.shapes[-1]))
            ones = P.T @ ones
        self.coarse_shape = self.shapes[-1]
        self.closed = poisson.closed_faces(A, shape)
        self.outside = np.clip(1.0 - ones / 2 ** (len(shape) * levels), 0.0, 1.0)

    def torch(self, device="cpu", dtype=torch.float32):
        """The same as torch tensors (sparse CSR matrices): a TorchHierarchy."""
        return TorchHierarchy(self, device, dtype)


class TorchHierarchy:
    def __init__(self, h, device, dtype):
        self.coarse_shape = h.coarse_shape
        self.A = [poisson.to_torch(a, device, dtype) for a in h.A]
        self.P = [poisson.to_torch(p, device, dtype) for p in h.P]
        self.PT = [poisson.to_torch(_csr(p.T), device, dtype) for p in h.P]
        self.dinv = [torch.as_tensor(d, dtype=dtype, device=device) for d in h.dinv]
        self.geometry = torch.as_tensor(h.outside.reshape((1, 1) + h.coarse_shape), dtype=torch.float32, device=device)
        self.net_shape = tuple(padded_extent(n) for n in h.coarse_shape)
        if self.net_shape != self.coarse_shape:   # zero cells after the grid, as the C runtime pads
            pad = [a for c, p in zip(self.coarse_shape[::-1], self.net_shape[::-1]) for a in (0, p - c)]
            self.geometry = torch.nn.functional.pad(self.geometry, pad)
            self.pad = pad
        # mirror images past the closed faces, where the network's grid ends at the face
        self.faces = tuple("mirror" if closed and (f % 2 == 0 or self.net_shape[-1 - f // 2] == self.coarse_shape[-1 - f // 2])
                           else "zero" for f, closed in enumerate(h.closed))


def _mv(M, x):
    """Sparse matrix times each row of x (B, n)."""
    return (M @ x.T).T


def coarse_iterations(structure):
    """The flexible-CG steps k_1 .. k_L of the coarse levels (a list of classical_levels ints)."""
    ks = structure.get("coarse_iterations", 1)
    ks = [int(k) for k in ks] if isinstance(ks, (list, tuple)) else [int(ks)]
    return ks * int(structure["classical_levels"]) if len(ks) == 1 else ks


def _ratio(num, den):
    """num / den per row, 0 where den <= 0 (a useless step is dropped)."""
    return torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(den))


def _dot(x, y):
    return (x * y).sum(1, keepdim=True)


def direction(structure, hier, net, r):
    """The hybrid direction for the residuals r (B, n) (torch; differentiable in the
    network's weights). hier: a TorchHierarchy of the operator."""
    omega, nu = float(structure["damping"]), int(structure["sweeps"])
    levels = len(hier.P)
    iterations = coarse_iterations(structure)

    def network(rc):
        geometry = hier.geometry if getattr(net, "geometry", None) else None
        x = rc.reshape(rc.shape[0], 1, *hier.coarse_shape).to(torch.float32)   # the network runs in float32
        if hier.net_shape != hier.coarse_shape:
            y = net(torch.nn.functional.pad(x, hier.pad), geometry, hier.faces, hier.coarse_shape)
            x = y[(...,) + tuple(slice(0, c) for c in hier.coarse_shape)]
        else:
            x = net(x, geometry, hier.faces)
        return x.reshape(rc.shape[0], -1).to(rc.dtype)

    def solve(level, rc):
        precondition = network if level == levels else lambda res: cycle(level, res)
        steps = iterations[level - 1]
        if steps == 1:
            return precondition(rc)
        A, x, res, earlier = hier.A[level], torch.zeros_like(rc), rc, []
        for k in range(steps):
            p = precondition(res)
            Ap = _mv(A, p)
            for q, Aq, qAq in earlier:
                g = _ratio(_dot(p, Aq), qAq)
                p, Ap = p - g * q, Ap - g * Aq
            pAp = _dot(p, Ap)
            alpha = _ratio(_dot(p, res), pAp)
            x = x + alpha * p
            if k + 1 < steps:
                res = res - alpha * Ap
                earlier.append((p, Ap, pAp))
        return x

    def cycle(level, r):
        A, dinv = hier.A[level], hier.dinv[level]
        z, t = torch.zeros_like(r), r
        for _ in range(nu):
            d = omega * dinv * t
            z, t = z + d, t - _mv(A, d)
        e = _mv(hier.P[level], solve(level + 1, _mv(hier.PT[level], t)))
        Ae = _mv(A, e)
        beta = _ratio(_dot(e, t), _dot(e, Ae))
        z, t = z + beta * e, t - beta * Ae
        for k in range(nu):
            d = omega * dinv * t
            z = z + d
            if k + 1 < nu:
                t = t - _mv(A, d)
        return z

    return cycle(0, r)


def parse_coarse_iterations(text):
    """'2' -> 2, '2,2,1' -> [2, 2, 1]"""
    ks = [int(k) for k in text.split(",")]
    return ks[0] if len(ks) == 1 else ks


def main(argv=None):
    """Write a hybrid model with its structure changed: its trained weights as the coarse part of
    another cycle (python3 train/hybrid.py IN OUT --coarse-iterations 2,2,1)."""
    import krylearn_model
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--coarse-iterations", type=parse_coarse_iterations, required=True,
                    help="flexible-CG steps on each coarse level (one number, or one per classical level), "
                         "preconditioned by the next level's cycle (the network on the last): 1 a V-cycle, 2 a K-cycle")
    args = ap.parse_args(argv)
    net = krylearn_model.load(args.model)
    if not net.hybrid:
        raise SystemExit(f"{args.model}: not a hybrid model")
    structure = dict(net.hybrid, coarse_iterations=args.coarse_iterations)
    validate(structure)
    net.description["hybrid"] = structure
    meta = dict(net.metadata, structure_from=args.model)
    krylearn_model.save(net, args.out, meta)
    print(f"{args.out}: {args.model}'s weights, hybrid structure {structure}")


if __name__ == "__main__":
    main()
