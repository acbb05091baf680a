"""Reference checks of the DCDM trainer (train/): operators against a cell-by-cell
reading of the convention, Lanczos against dense eigenvalues, the loss against numpy,
the DCDM loop against PETSc's CG, and a short training run whose loss must fall.

    test_train.py operator|lanczos|loss|dcdm|training|badinput|hybrid
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy.sparse as sp
import torch

import dcdm
import krylearn_model
import poisson
import problems
import ritz
import train_dcdm


def reference_operator(solid, neumann):
    """Dense matrix built cell by cell from the written convention."""
    shape = solid.shape
    n = solid.size
    A = np.zeros((n, n))
    for c in np.ndindex(shape):
        i = np.ravel_multi_index(c, shape)
        if solid[c]:
            A[i, i] = 1.0
            continue
        for axis in range(len(shape)):
            for step in (-1, 1):
                nb = list(c)
                nb[axis] += step
                if not 0 <= nb[axis] < shape[axis]:
                    A[i, i] += 0.0 if neumann else 1.0
                elif not solid[tuple(nb)]:
                    A[i, i] += 1.0
                    A[i, np.ravel_multi_index(tuple(nb), shape)] = -1.0
    return A


def check_operator():
    for shape in ((12, 10), (6, 8, 10)):
        for kind in ("none", "disc", "box"):
            solid = poisson.obstacle(shape, kind)
            for neumann in (False, True):
                A = poisson.operator(solid, neumann=neumann).toarray()
                assert np.array_equal(A, reference_operator(solid, neumann)), (shape, kind, neumann)
    # x fastest: the disc centre (0.5, 0.4) lies at x = 0.5 nx, y = 0.4 ny
    solid = poisson.obstacle((40, 40), "disc")
    ys, xs = np.nonzero(solid)
    assert abs(xs.mean() + 0.5 - 20) < 0.5 and abs(ys.mean() + 0.5 - 16) < 0.5, (xs.mean(), ys.mean())
    # variable coefficients: symmetric positive definite, constant coefficient gives the plain stencil
    fluid = ~solid.reshape(-1)
    A3 = poisson.operator(solid, coefficient=np.full((40, 40), 3.0))[fluid]
    assert abs(A3 - 3 * poisson.operator(solid)[fluid]).max() < 1e-13
    C = poisson.operator(solid, coefficient=poisson.smooth_coefficient((40, 40)))
    assert abs(C - C.T).max() < 1e-14 and np.linalg.eigvalsh(C.toarray()).min() > 0
    # the torch sparse matrix applies like scipy's
    x = torch.randn(1600, 3, dtype=torch.float64)
    T = poisson.to_torch(C, dtype=torch.float64)
    assert torch.allclose(T @ x, torch.from_numpy(C @ x.numpy()), atol=1e-12)
    print("operator: matches the convention cell by cell")


def check_lanczos():
    solid = poisson.obstacle((24, 24), "disc")
    A = poisson.operator(solid)
    active = ~solid.reshape(-1)
    values, vectors = ritz.lanczos_ritz(A, 200, active)
    exact = np.linalg.eigvalsh(A.toarray()[np.ix_(active, active)])
    assert np.abs(vectors.T @ vectors - np.eye(len(values))).max() < 1e-10
    assert np.abs(vectors[~active]).max() == 0
    assert np.allclose(values[:5], exact[:5], rtol=1e-8), (values[:5], exact[:5])
    # closed box: the constant is dropped
    An = poisson.operator(np.zeros((8, 8), bool), neumann=True)
    values, vectors = ritz.lanczos_ritz(An, 64)
    assert values.min() > 1e-6 and np.abs(vectors.sum(0)).max() < 1e-10
    b = ritz.RitzSampler(values, vectors, power=0.5).sample(5, torch.Generator().manual_seed(1))
    assert torch.allclose(b.norm(dim=1), torch.ones(5))
    print(f"lanczos: lowest Ritz values {values[:3]} match eigh, orthonormal, null space dropped")


def check_loss():
    problem = problems.load("disc:16,16")
    args = train_dcdm.parser().parse_args(["--problem", "disc:16,16", "--lanczos-steps", "50", "--out", "x.h5"])
    ts = train_dcdm.TrainingSet(problem, args, "cpu", 0)
    b = ts.sampler.sample(4, torch.Generator().manual_seed(0))
    p = torch.randn(4, 256)
    net = lambda x, g=None: p.reshape(x.shape)  # noqa: E731
    got = ts.loss(net, b).item()
    A = problem.A.toarray()
    pm = p.numpy() * problem.active
    ref = np.mean([np.sum((bb - (q @ bb) / (q @ A @ q) * (A @ q)) ** 2) for bb, q in zip(b.numpy(), pm)])
    assert abs(got - ref) < 1e-5 * ref, (got, ref)
    # scale invariance
    net2 = lambda x, g=None: -7.5 * p.reshape(x.shape)  # noqa: E731
    assert abs(ts.loss(net2, b).item() - got) < 1e-5 * got
    # unrolled: the residual ratios of 3 steps of the numpy DCDM loop (float64, true residuals)
    # (a fixed linear map between the identity and A^-1, so that the three ratios differ)
    M = np.linalg.inv(problem.A.toarray() + 2 * np.eye(256)) + np.random.default_rng(1).standard_normal((256, 256)) / 400
    M = torch.from_numpy(M).float()
    linear = lambda x, g=None: (x.reshape(x.shape[0], -1) @ M.T).reshape(x.shape)  # noqa: E731
    unrolled = ts.loss(linear, b, unroll=3).item()
    ratios = []
    for bb in b.double().numpy():
        _, _, hist, _ = dcdm.dcdm(problem.A, bb, lambda r: M.double().numpy() @ r, rtol=0.0, maxit=3)
        ratios += [(hist[k + 1] / hist[k]) ** 2 for k in range(3)]
    assert abs(unrolled - np.mean(ratios)) < 1e-4 * np.mean(ratios), (unrolled, np.mean(ratios))
    print(f"loss: {got:.6f} equals the numpy reference {ref:.6f}; unrolled over 3 DCDM steps "
          f"{unrolled:.6f} against {np.mean(ratios):.6f}")


def check_dcdm():
    import petsc4py
    petsc4py.init([])
    solid = poisson.obstacle((32, 32), "disc")
    A = poisson.operator(solid)
    b = np.where(solid, 0.0, np.random.default_rng(0).uniform(-1, 1, (32, 32))).reshape(-1)
    # identity direction with 2 A-orthogonalised directions is CG
    _, its, _, _ = dcdm.dcdm(A, b, lambda r: r.copy(), rtol=1e-6, maxit=1000)
    cg, _ = dcdm.petsc_solve(A, b, "none", rtol=1e-6)
    assert abs(its - cg) <= 1, (its, cg)
    # the exact inverse as direction converges in one step
    Ainv = np.linalg.inv(A.toarray())
    x, exact_its, _, _ = dcdm.dcdm(A, b, lambda r: Ainv @ r, rtol=1e-10)
    assert exact_its == 1 and np.allclose(A @ x, b)
    print(f"dcdm: identity direction {its} / CG {cg} iterations; exact inverse 1 iteration")


def runtime_output(model, x, nprocs, geometry=None):
    """The C runtime's output (build/tests/nn/nn_apply) for the field x ([nz,] ny, nx)."""
    with h5py.File("in.h5", "w") as f:
        f["x"] = x
        if geometry is not None:
            f["geometry"] = geometry.astype(float)
    cmd = (f"{os.environ['TBIN']}/nn/nn_apply -model {model} -input in.h5 -output out.h5 "
           f"-n {','.join(str(n) for n in x.shape[::-1])}")
    if nprocs > 1:
        cmd = f"{os.environ['MPIEXEC']} -n {nprocs} {cmd}"
    subprocess.run(cmd, shell=True, check=True)
    with h5py.File("out.h5", "r") as f:
        return np.array(f["y"]).reshape(x.shape)


def check_training():
    """A tiny V-cycle trained for a few seconds: the loss falls, resuming reproduces
    the uninterrupted run, and the C runtime applies the exported model like PyTorch."""
    with tempfile.TemporaryDirectory() as tmp:
        out, ck = os.path.join(tmp, "m.h5"), os.path.join(tmp, "ck.pt")
        common = ["--problem", "none:16,16", "--problem", "disc:16,16", "--lanczos-steps", "100",
                  "--batch", "8", "--val-every", "25", "--checkpoint", ck, "--threads", "1", "--out", out]
        train_dcdm.main(common + ["--steps", "150", "--stop-at", "100"])
        net = krylearn_model.load(out)
        meta = net.metadata
        val = np.asarray(meta["val_loss_history"])
        assert int(meta["training_steps"]) == 100
        assert val[-1] < 0.7 * val[0], f"validation loss did not fall: {val}"
        for key in ("operator", "training_data", "training_seconds", "training_device", "loss_history"):
            assert key in meta, key
        # resume continues where the checkpoint stopped and gives the same weights as one run
        train_dcdm.main(common + ["--steps", "150", "--resume"])
        resumed = krylearn_model.load(out)
        assert int(resumed.metadata["training_steps"]) == 150
        straight = os.path.join(tmp, "s.h5")
        train_dcdm.main([a if a != out else straight for a in common] + ["--steps", "150", "--checkpoint", os.path.join(tmp, "ck2.pt")])
        s = krylearn_model.load(straight)
        diff = max((resumed.weights[k] - s.weights[k]).abs().max().item() for k in s.weights)
        assert diff < 1e-5, f"resumed run differs from the uninterrupted one by {diff}"
        print(f"training: validation loss {val[0]:.3f} -> {val[-1]:.3f}; resume reproduces the run ({diff:.1e})")
        solid = poisson.obstacle((32, 64), "disc")
        x = np.where(solid, 0.0, np.random.default_rng(3).standard_normal((32, 64)))
        with torch.no_grad():
            ref = s(torch.tensor(x, dtype=torch.float32)[None, None]).double().numpy()[0, 0]
        scale = np.abs(ref).max()
        for nprocs in (1, 2):
            err = np.abs(runtime_output(straight, x, nprocs) - ref).max() / scale
            print(f"C runtime at {nprocs} process(es) vs PyTorch on a 64x32 grid: relative max error {err:.1e}")
            assert err <= 1e-5, err
        # a gated V-cycle with the loss unrolled over 2 DCDM steps: it learns, and the C runtime
        # given the same solid geometry applies it like PyTorch
        gated = os.path.join(tmp, "g.h5")
        train_dcdm.main(common[:-2] + ["--gated", "--unroll", "2", "--steps", "100", "--out", gated,
                                       "--checkpoint", os.path.join(tmp, "ck3.pt")])
        g = krylearn_model.load(gated)
        val = np.asarray(g.metadata["val_loss_history"])
        assert g.geometry == "solid" and val[-1] < 0.8 * val[0], f"gated validation loss did not fall: {val}"
        assert "unrolled DCDM steps" in g.metadata["loss"]
        with torch.no_grad():
            ref = g(torch.tensor(x, dtype=torch.float32)[None, None],
                    torch.tensor(solid, dtype=torch.float32)[None, None]).double().numpy()[0, 0]
        for nprocs in (1, 2):
            err = np.abs(runtime_output(gated, x, nprocs, solid) - ref).max() / np.abs(ref).max()
            print(f"gated, unrolled loss {val[0]:.3f} -> {val[-1]:.3f}; C runtime at {nprocs} process(es): "
                  f"relative max error {err:.1e}")
            assert err <= 1e-5, err


def check_hybrid():
    """Hybrid directions (train/hybrid.py): the interpolation against PyTorch's bilinear
    upsampling, the cycle against a dense numpy cycle with Galerkin operators, gradients
    through the cycle against finite differences, and a short fine-tune from a plain model
    whose loss falls and whose file declares the structure; K-cycles (flexible CG on the
    coarse levels) against the dense cycle too, and a structure re-declared on trained weights."""
    import hybrid
    torch.manual_seed(0)
    # P on even grids is PyTorch's bilinear upsampling (align_corners=False, edges replicated)
    for shape in ((8, 12), (4, 6, 8)):
        c = torch.randn((1, 1) + hybrid.coarse_shape(shape), dtype=torch.float64)
        ref = torch.nn.functional.interpolate(c, scale_factor=2, mode="bilinear" if len(shape) == 2 else "trilinear",
                                              align_corners=False).numpy().reshape(-1)
        P = hybrid.prolongation(shape)
        assert np.abs(P @ c.numpy().reshape(-1) - ref).max() < 1e-13, shape
    # the cycle against dense numpy, 2 classical levels, odd grid, obstacle, random network
    shape = (13, 10)
    A = poisson.operator(poisson.obstacle(shape, "box"))
    desc = krylearn_model.vcycle(2, width=4, coarsest=2)
    desc["hybrid"] = {"smoother": "jacobi", "sweeps": 2, "damping": 0.7, "classical_levels": 2}
    net = krylearn_model.KrylearnNet(desc).double()
    h = hybrid.Hierarchy(A, shape, 2)
    r = np.random.default_rng(1).standard_normal(A.shape[0]) * ~poisson.decoupled_rows(A)
    active = ~poisson.decoupled_rows(A)
    Ps = [np.diag(active * 1.0) @ hybrid.prolongation(shape).toarray()]
    Ps.append(hybrid.prolongation(hybrid.coarse_shape(shape)).toarray())
    As = [A.toarray()]
    As.append(Ps[0].T @ As[0] @ Ps[0])

    As.append(Ps[1].T @ As[1] @ Ps[1])

    def network(rc):
        cs = hybrid.coarse_shape(hybrid.coarse_shape(shape))
        x = np.zeros(tuple(hybrid.padded_extent(n) for n in cs))
        x[:cs[0], :cs[1]] = rc.reshape(cs)
        with torch.no_grad():
            return net(torch.tensor(x, dtype=torch.float32)[None, None], domain=cs).double().numpy()[0, 0][:cs[0], :cs[1]].reshape(-1)

    def solve(level, rc, ks):
        """ks[level - 1] flexible-CG steps on As[level], each direction conjugated to the earlier ones"""
        precondition = network if level == 2 else lambda res: cycle(level, res, ks)
        if ks[level - 1] == 1:
            return precondition(rc)
        x, res, earlier = np.zeros_like(rc), rc.copy(), []
        for _ in range(ks[level - 1]):
            p = precondition(res)
            for q in earlier:
                p = p - (p @ As[level] @ q) / (q @ As[level] @ q) * q
            alpha = (p @ res) / (p @ As[level] @ p)
            x, res = x + alpha * p, res - alpha * As[level] @ p
            earlier.append(p)
        return x

    def cycle(level, r, ks):
        Al = As[level]
        d = np.diag(Al)
        dinv = np.where(d != 0, 0.7 / np.where(d != 0, d, 1), 0) * (active if level == 0 else 1)
        z, t = np.zeros_like(r), r.copy()
        for _ in range(2):
            z, t = z + dinv * t, t - Al @ (dinv * t)
        e = Ps[level] @ solve(level + 1, Ps[level].T @ t, ks)
        Ae = Al @ e
        beta = (e @ t) / (e @ Ae) if e @ Ae > 0 else 0.0
        z, t = z + beta * e, t - beta * Ae
        for _ in range(2):
            z, t = z + dinv * t, t - Al @ (dinv * t)
        return z
    for ks in ([1, 1], [2, 3], [3, 1]):
        with torch.no_grad():
            got = hybrid.direction(dict(desc["hybrid"], coarse_iterations=ks), h.torch("cpu", torch.float64), net.float(),
                                   torch.tensor(r)[None]).numpy()[0]
        want = cycle(0, r, ks)
        err = np.abs(got - want).max() / np.abs(want).max()
        assert err < 1e-6, (ks, err)
        if ks != [1, 1]:
            assert np.abs(got - cycle(0, r, [1, 1])).max() > 1e-3 * np.abs(want).max(), ks   # the steps change the direction
    # gradients through the cycle (float64 network) against central differences
    net = krylearn_model.KrylearnNet(desc).double()
    th = h.torch("cpu", torch.float64)

    def loss():
        x = torch.tensor(r)[None]
        q = hybrid.direction(desc["hybrid"], th, _Double(net), x)
        return (q ** 2).sum()
    w = net.weights["level_conv1_w"]
    L = loss()
    L.backward()
    g = w.grad[0, 0, 1, 1].item()
    with torch.no_grad():
        w[0, 0, 1, 1] += 1e-6
        up = loss().item()
        w[0, 0, 1, 1] -= 2e-6
        down = loss().item()
        w[0, 0, 1, 1] += 1e-6
    fd = (up - down) / 2e-6
    assert abs(g - fd) <= 1e-5 * max(1.0, abs(fd)), (g, fd)
    print(f"hybrid: P = bilinear upsampling; cycle vs dense numpy {err:.1e}; gradient {g:.6e} vs difference {fd:.6e}")
    # a short fine-tune of a plain model as a hybrid one
    with tempfile.TemporaryDirectory() as tmp:
        plain, out = os.path.join(tmp, "p.h5"), os.path.join(tmp, "h.h5")
        common = ["--problem", "none:16,16", "--problem", "disc:16,16", "--lanczos-steps", "100", "--batch", "8",
                  "--val-every", "20", "--threads", "1", "--unroll", "2"]
        train_dcdm.main(common + ["--steps", "40", "--out", plain])
        train_dcdm.main(common + ["--steps", "60", "--hybrid-levels", "1", "--hybrid-sweeps", "1",
                                  "--init-from", plain, "--out", out])
        m = krylearn_model.load(out)
        val = np.asarray(m.metadata["val_loss_history"])
        assert m.hybrid == {"smoother": "jacobi", "sweeps": 1, "damping": 0.8, "classical_levels": 1}, m.hybrid
        assert val[-1] < val[0], f"hybrid fine-tune: validation loss did not fall: {val}"
        with h5py.File(out) as f:
            assert f.attrs["format_version"] == 3 and f["hybrid"].attrs["sweeps"] == 1
        print(f"hybrid fine-tune from a plain model: validation loss {val[0]:.3f} -> {val[-1]:.3f}")
        # the trained weights as the coarse part of a K-cycle: the structure changes, nothing else
        kcycle = os.path.join(tmp, "k.h5")
        hybrid.main([out, kcycle, "--coarse-iterations", "3"])
        k = krylearn_model.load(kcycle)
        assert k.hybrid == dict(m.hybrid, coarse_iterations=3), k.hybrid
        assert all(torch.equal(k.weights[n], w) for n, w in m.weights.items())
        for bad in ("0", "2,2"):   # outside 1..4; two numbers for one classical level
            try:
                hybrid.main([out, kcycle, "--coarse-iterations", bad])
            except ValueError as e:
                print(f"--coarse-iterations {bad}: {e}")
            else:
                raise SystemExit(f"hybrid.py accepted --coarse-iterations {bad}")


class _Double(torch.nn.Module):
    """A float64 network seen through hybrid.direction's float32 cast: the cast is undone."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.geometry = None

    def forward(self, x, geometry=None, faces=None, domain=None):
        return self.net(x.double(), geometry, faces, domain)


def expect_load_error(spec, msg, what):
    """problems.load(spec) must raise a ValueError whose message contains msg."""
    try:
        problems.load(spec)
    except ValueError as e:
        assert msg in str(e), (spec, str(e))
    else:
        raise AssertionError(f"{what} accepted")


def check_badinput():
    for spec, msg in (("disc:16", "grid must have 2 or 3 sizes"), ("blob:16,16", "unknown obstacle"),
                      ("disc:16,16:dirichlet", "bad problem")):
        expect_load_error(spec, msg, spec)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.h5")
        A = poisson.operator(np.zeros((4, 6), bool))
        with h5py.File(path, "w") as f:
            for k in ("indptr", "indices", "data"):
                f[k] = getattr(A, k)
            f["shape"] = A.shape
        expect_load_error(path, "no 'grid' attribute", "matrix without grid")
        with h5py.File(path, "a") as f:
            f.attrs["grid"] = [6, 5]
        expect_load_error(path, "does not match grid", "mismatched grid")
        with h5py.File(path, "a") as f:
            f.attrs["grid"] = [6, 4]
        p = problems.load(path)
        assert p.shape == (4, 6) and abs(p.A - A).max() == 0
    print("badinput: clear errors for bad problem specifications and matrix files")


if __name__ == "__main__":
    torch.set_num_threads(1)
    for name in sys.argv[1:]:
        globals()["check_" + name]()
