"""Training data for DCDM networks: Ritz vectors of A from Lanczos with full
reorthogonalisation, and random right-hand sides weighted towards the low end of the
spectrum (Kaneda et al., ICML 2023)."""
import numpy as np
import scipy.sparse as sp
import torch


def lanczos_ritz(A, steps, active=None, seed=0, null_tol=1e-8):
    """Ritz pairs of the symmetric matrix A after `steps` Lanczos steps.

    The start vector is A times a random vector restricted to the `active` cells (a
    boolean mask; rows outside it, e.g. solid cells, never enter the Krylov space).
    Every new Lanczos vector is reorthogonalised against all previous ones (classical
    Gram-Schmidt, applied twice); the Ritz pairs come from the Rayleigh quotient
    Q^T A Q of the basis, so an early breakdown (an invariant subspace, e.g. on
    symmetric domains) cannot produce spurious copies. Ritz values below null_tol
    times the largest are dropped (null space of closed domains).
    Returns (values ascending, vectors n x m float64 with orthonormal columns).
    """
    A = sp.csr_matrix(A)
    n = A.shape[0]
    active = np.ones(n, dtype=bool) if active is None else np.asarray(active, dtype=bool).reshape(-1)
    steps = int(min(steps, active.sum()))
    rng = np.random.default_rng(seed)
    q = A @ np.where(active, rng.standard_normal(n), 0.0)
    q = np.where(active, q, 0.0)
    Q = np.zeros((n, steps))
    alpha = np.zeros(steps)
    Q[:, 0] = q / np.linalg.norm(q)
    m = steps
    for j in range(steps):
        w = A @ Q[:, j]
        wnorm = np.linalg.norm(w)
        alpha[j] = Q[:, j] @ w
        for _ in range(2):
            w -= Q[:, :j + 1] @ (Q[:, :j + 1].T @ w)
        if j + 1 == steps:
            break
        beta = np.linalg.norm(w)
        if beta <= 1e-10 * wnorm:   # invariant subspace found
            m = j + 1
            break
        Q[:, j + 1] = w / beta
    Q = Q[:, :m]
    H = Q.T @ (A @ Q)
    theta, S = np.linalg.eigh((H + H.T) / 2)
    keep = theta > null_tol * theta.max()
    return theta[keep], Q @ S[:, keep]


class RitzSampler:
    """Random unit right-hand sides b = R c / ||R c|| from Ritz pairs (values, R n x m).

    c ~ N(0, 1), with the coefficients of the lowest `low_fraction` of the Ritz
    vectors multiplied by `low_weight` (paper: about half of them, times 9), and all
    of them by (theta_min / theta_j)^power (power > 0 puts more weight on the
    smoothest modes; 0 is the paper's recipe).
    """

    def __init__(self, values, vectors, low_fraction=0.5, low_weight=9.0, power=0.0, device="cpu"):
        self.R = torch.as_tensor(vectors, dtype=torch.float32, device=device)
        m = self.R.shape[1]
        w = np.where(np.arange(m) < int(round(low_fraction * m)), low_weight, 1.0)
        w = w * (values[0] / np.asarray(values)) ** power
        self.weights = torch.as_tensor(w, dtype=torch.float32, device=device)

    def sample(self, count, generator):
        c = torch.randn(self.R.shape[1], count, generator=generator).to(self.R.device)
        b = self.R @ (c * self.weights[:, None])
        return (b / b.norm(dim=0, keepdim=True)).T.contiguous()
