"""deepcd with hybrid models (docs/model-format.md, "Hybrid structure"): the C runtime's
residual histories against the reference DCDM loop running train/hybrid.py's cycle
(scipy operator, float64 cycle, PyTorch float32 network) at 1, 2 and 4 processes and
with 2 and 3 OpenMP threads (the threaded classical level and network kernels), DMDA
and natural ordering, 1 and 2 classical levels, K-cycles (flexible CG on each coarse
level, the network's included), a gated network reading the coarse
cells' fraction outside the domain, a grid of odd extent, closed boxes (mirror images past
the faces, -ksp_deepcd_faces); the Galerkin levels' product for operators read from files (variable
coefficients, periodic couplings: MatPtAP's case); the PC; bad declarations.

usage: test_hybrid.py {2d,3d,kcycle,bad,operator-types,galerkin}"""
import sys

import h5py
import numpy as np
import scipy.sparse.linalg as spla
import torch

import dcdref as R
import hybrid
import krylearn_model as km
import poisson


def hybrid_model(dim, path, sweeps, levels, gated=False, seed=0, damping=0.8, iterations=1):
    """A random V-cycle (dcdref.vcycle_model) declared as the coarse part of a hybrid cycle
    (iterations: flexible-CG steps on each coarse level)."""
    R.vcycle_model(dim, path, seed=seed, gated=gated)
    net = km.load(path)
    net.description["hybrid"] = {"smoother": "jacobi", "sweeps": sweeps, "damping": damping,
                                 "classical_levels": levels, "coarse_iterations": iterations}
    km.save(net, path, {"operator": "test: random hybrid"})


def reference(path, A, b, shape, maxit, faces=None):
    """Residual history of the reference DCDM loop with the model's hybrid directions;
    faces replaces the ones found in A (poisson.closed_faces). With a closed box, the
    constant on the fluid cells (the operator's null space) is projected out of each
    direction, as deepcd does with the MatNullSpace the program attaches."""
    net = km.load(path).eval()
    hier = hybrid.Hierarchy(A, shape, net.hybrid["classical_levels"]).torch("cpu", torch.float64)
    hier.faces = faces or hier.faces
    fluid = ~poisson.decoupled_rows(A) if all(poisson.closed_faces(A, shape)) else None

    def direction(r):
        with torch.no_grad():
            x = torch.as_tensor(r, dtype=torch.float64).reshape(1, -1)
            q = hybrid.direction(net.hybrid, hier, net, x).reshape(-1).numpy().copy()
        if fluid is not None:
            q[fluid] -= q[fluid].mean()
        return q
    _, hist = R.dcdm(A, b, path, len(shape), 0.0, maxit=maxit, direction=direction)
    return np.array(hist)


def check(dim, n, obstacle, path, cases, maxit=5, neumann=False, faces=None):
    """cases: (ranks, extra options[, OpenMP threads]); every C history equals the reference's.
    neumann: the closed box (-neumann); faces: as in reference(), given to C as well."""
    A, _ = R.pressure_matrix(dim, n, obstacle, neumann)
    b = R.pressure_rhs(dim, n, obstacle, neumann)
    ref = reference(path, A, b, (n,) * dim, maxit, faces)
    common = ["-dim", str(dim), "-n", str(n), "-obstacle", obstacle, "-ksp_type", "deepcd", "-ksp_monitor",
              "-ksp_deepcd_model", path, "-ksp_max_it", str(maxit), "-ksp_rtol", "1e-12"]
    common += ["-neumann"] * neumann + (["-ksp_deepcd_faces", faces[0]] if faces else [])
    for ranks, extra, *threads in cases:
        out, *_ = R.pressure(common + extra, ranks, threads=threads[0] if threads else None)
        hist = R.monitor(out)
        assert len(hist) == len(ref) and np.allclose(hist, ref, rtol=2e-4), (path, ranks, extra, threads, hist, ref)
    print(f"{path} on {n}^{dim} ({obstacle}): {len(cases)} runs match the reference, "
          f"residual {ref[0]:.3e} -> {ref[-1]:.3e} in {maxit} iterations")


def natural(dim, n):
    return ["-natural", "-ksp_deepcd_grid", ",".join([str(n)] * dim)]


def run_2d():
    hybrid_model(2, "h21.h5", sweeps=2, levels=1)
    hybrid_model(2, "h12.h5", sweeps=1, levels=2, seed=1)
    check(2, 48, "disc", "h21.h5", [(1, []), (2, []), (4, []), (1, natural(2, 48)), (2, natural(2, 48)),
                                   (4, natural(2, 48)), (1, [], 2), (1, natural(2, 48), 3), (2, [], 2),
                                   (1, ["-ksp_deepcd_net_dnnl", "0"], 2)])
    check(2, 48, "box", "h12.h5", [(1, []), (2, []), (4, natural(2, 48)), (1, [], 2)])
    # odd extent: coarse grid 23 x 23, run padded to 24 x 24; coarse 33 x 33 padded to 48 x 48,
    # one of 4 processes holding padded cells only: zeros past the domain at every layer
    check(2, 45, "box", "h21.h5", [(1, natural(2, 45)), (3, natural(2, 45))])
    check(2, 66, "disc", "h21.h5", [(1, natural(2, 66)), (4, natural(2, 66)), (2, natural(2, 66), 2)])
    out, *_ = R.pressure(["-n", "45", "-natural", "-ksp_deepcd_grid", "45,45", "-ksp_type", "deepcd",
                          "-ksp_deepcd_model", "h21.h5", "-ksp_max_it", "2", "-ksp_view"])
    assert "hybrid directions: 2 damped-Jacobi sweep(s) (damping 0.8) before and after, 1 classical level(s)" in out, out
    assert "network grid 23 x 23 (run padded to 24 x 24)" in out, out
    # closed box: mirror images past the faces, found in the operator (all four) or forced
    # off; on the odd grid the padded high faces keep zeros
    check(2, 48, "disc", "h21.h5", [(1, []), (2, []), (4, natural(2, 48)), (1, [], 2)], neumann=True)
    check(2, 48, "disc", "h21.h5", [(1, []), (2, [])], neumann=True, faces=("zero",) * 4)
    check(2, 45, "box", "h21.h5", [(1, natural(2, 45)), (3, natural(2, 45))], neumann=True)
    for n, faces in ((48, "x- mirror x+ mirror y- mirror y+ mirror"), (45, "x- mirror x+ zero y- mirror y+ zero")):
        out, *_ = R.pressure(["-n", str(n), "-natural", "-ksp_deepcd_grid", f"{n},{n}", "-neumann", "-ksp_type", "deepcd",
                              "-ksp_deepcd_model", "h21.h5", "-ksp_max_it", "2", "-ksp_view"])
        assert f"past the grid's faces (auto): {faces}" in out, out
    # the hybrid direction as PCDEEPCD in flexible Krylov methods: exact solution, fewer iterations than CG
    A, _ = R.pressure_matrix(2, 48, "disc")
    xe = spla.spsolve(A.tocsc(), R.pressure_rhs(2, 48, "disc"))
    common = ["-n", "48", "-obstacle", "disc", "-ksp_rtol", "1e-8", "-save", "x.bin"]
    _, cg_its, *_ = R.pressure(common + ["-ksp_type", "cg", "-pc_type", "none"])
    for ksp in ("fcg", "gcr"):
        for ranks in (1, 2):
            out, its, reason, _ = R.pressure(common + ["-ksp_type", ksp, "-pc_type", "deepcd", "-pc_deepcd_model", "h21.h5",
                                                       "-ksp_max_it", "500"], ranks)
            err = np.linalg.norm(R.load_petsc_vec("x.bin") - xe) / np.linalg.norm(xe)
            assert reason == "CONVERGED_RTOL" and err < 1e-6 and its < cg_its, (its, cg_its, err, out)
            print(f"PCDEEPCD with the hybrid model in {ksp} at {ranks}: {its} iterations (CG {cg_its}), error {err:.1e}")


def run_3d():
    hybrid_model(3, "g31.h5", sweeps=2, levels=1, gated=True)
    check(3, 16, "disc", "g31.h5", [(1, []), (2, []), (4, []), (2, natural(3, 16)), (1, [], 2)])
    hybrid_model(3, "h32.h5", sweeps=1, levels=2, seed=2)
    check(3, 32, "box", "h32.h5", [(1, []), (2, []), (1, [], 3)])
    check(3, 16, "disc", "g31.h5", [(1, []), (2, []), (4, natural(3, 16))], neumann=True)
    # odd 3-D grid: coarse 9^3 run on 12^3, the padded cells outside the domain, closed box
    check(3, 18, "disc", "g31.h5", [(1, natural(3, 18)), (3, natural(3, 18))], neumann=True)


def run_kcycle():
    """Coarse problems solved by 2 to 4 flexible-CG steps (docs/model-format.md), the same
    number on every level or one per level: on the network's level too, with its Galerkin
    operator built by the one-pass product (stencils) and by MatPtAP (periodic couplings), at 1
    to 4 processes and 2 threads."""
    hybrid_model(2, "k22.h5", sweeps=2, levels=2, iterations=2)
    hybrid_model(2, "k14.h5", sweeps=1, levels=1, iterations=4, seed=1)
    hybrid_model(2, "k13.h5", sweeps=2, levels=2, iterations=[1, 3], seed=5)
    hybrid_model(3, "k31.h5", sweeps=2, levels=2, iterations=[3, 1], seed=2, gated=True)
    check(2, 48, "disc", "k22.h5", [(1, []), (2, []), (4, natural(2, 48)), (1, [], 2)])
    check(2, 45, "box", "k14.h5", [(1, natural(2, 45)), (3, natural(2, 45))], neumann=True)
    check(2, 48, "box", "k13.h5", [(1, []), (2, [])])
    check(3, 32, "disc", "k31.h5", [(1, []), (2, []), (1, natural(3, 32), 2)])
    out, *_ = R.pressure(["-n", "48", "-ksp_type", "deepcd", "-ksp_deepcd_model", "k13.h5", "-ksp_max_it", "2", "-ksp_view"])
    assert "flexible-CG steps on the coarse levels 1 .. 2 (1: the cycle below applied once): 1 3" in out, out
    path, M, b = galerkin_systems(2, 64)["periodic in x"]
    ref = reference("k22.h5", M, b, (64, 64), 5)
    for ranks in (1, 2):
        out = R.run([f"{R.BIN}/krylearn-solve", "-f", path, "-ksp_type", "deepcd", "-ksp_deepcd_model", "k22.h5",
                     "-ksp_monitor", "-ksp_max_it", "5", "-ksp_rtol", "1e-12"], ranks)
        hist = R.monitor(out)
        assert len(hist) == len(ref) and np.allclose(hist, ref, rtol=2e-4), (ranks, hist, ref, out[-2000:])
    print("periodic in x, k22.h5 (MatPtAP's Galerkin levels): 1 and 2 processes match the reference")


OPERATOR_TYPES = r'''
import sys, numpy as np, petsc4py
petsc4py.init(["-dll_append", sys.argv[1]])
from petsc4py import PETSc
import dcdref as R

class Shell:
    """A matrix-free operator: no row access, so deepcd sees no cell outside the domain"""
    def __init__(self, A):
        self.A = A
    def mult(self, mat, x, y):
        y.setArray(self.A @ x.getArray())
    def getDiagonal(self, mat, d):
        d.setArray(self.A.diagonal())

def history(P, n):
    ksp = PETSc.KSP().create()
    ksp.setOperators(P)
    ksp.setType("deepcd")
    opts = PETSc.Options()
    opts["ksp_deepcd_grid"] = f"{n},{n}"
    opts["ksp_deepcd_model"] = "h21.h5"
    ksp.setTolerances(rtol=1e-12, max_it=5)
    ksp.setFromOptions()
    ksp.setConvergenceHistory()
    b = P.createVecLeft()
    b.setArray(R.pressure_rhs(2, n, obstacle))
    x = P.createVecLeft()
    ksp.solve(b, x)
    return np.array(ksp.getConvergenceHistory())

n = 48
for obstacle in ("disc", "none"):
    A, _ = R.pressure_matrix(2, n, obstacle)
    A = A.tocsr()
    aij = PETSc.Mat().createAIJ(A.shape, csr=(A.indptr, A.indices, A.data))
    ref = history(aij, n)
    others = {"baij": aij.convert("baij")}
    if obstacle == "none":
        others["shell"] = PETSc.Mat().createPython(A.shape, Shell(A))
    for name, P in others.items():
        h = history(P, n)
        assert len(h) == len(ref) and np.allclose(h, ref, rtol=1e-5), (obstacle, name, h, ref)
        print(f"{obstacle}: {name} operator (MatMult on the classical level) gives the AIJ history {h[0]:.3e} -> {h[-1]:.3e}")
'''


def run_operator_types():
    """A hybrid model with operators that are not AIJ (BAIJ, a Python shell): the classical
    level applies them with MatMult, with the AIJ kernels' residual history."""
    hybrid_model(2, "h21.h5", sweeps=2, levels=1)
    R.petsc4py_script(OPERATOR_TYPES, "operator_types.py")


def galerkin_systems(dim, n):
    """The pressure problem with a smooth coefficient of contrast 100, as is and with its
    x faces coupled (periodic in x), written as files for krylearn-solve (CSR, grid
    attribute, b); returns {name: (file, matrix, b)}."""
    shape = (n,) * dim
    solid = poisson.obstacle(shape, "disc")
    A = poisson.operator(solid, coefficient=poisson.smooth_coefficient(shape, 100.0, seed=2))
    periodic = A.tolil()
    for i in np.nonzero(~solid.ravel())[0]:
        if i % n == 0 and not solid.ravel()[i + n - 1]:  # x- face, coupled to the x+ face
            for a, c in ((i, i + n - 1), (i + n - 1, i)):
                periodic[a, c] -= 1.0
                periodic[a, a] += 1.0
    b = poisson.plume_rhs(solid)
    systems = {}
    for name, M in (("variable coefficients", A), ("periodic in x", periodic.tocsr())):
        M.sort_indices()
        path = f"{name.split()[0]}{dim}d.h5"
        with h5py.File(path, "w") as f:
            f["indptr"], f["indices"], f["data"] = M.indptr.astype(np.int32), M.indices.astype(np.int32), M.data
            f["b"] = b
            f.attrs["format"], f.attrs["shape"], f.attrs["grid"] = "csr", np.array(M.shape), np.array(shape[::-1])
        systems[name] = (path, M, b)
    return systems


def run_galerkin():
    """Galerkin levels of operators given as files (krylearn-solve, natural ordering, grid
    attribute) at 1, 2 and 3 processes against the reference: the one-pass product of the
    structured interpolation with variable coefficients (3 levels: the masked P_0, then an
    operator of 5^dim-point rows), and MatPtAP where rows couple farther cells (periodic x)."""
    hybrid_model(2, "h13.h5", sweeps=1, levels=3, seed=3)
    hybrid_model(3, "h22.h5", sweeps=2, levels=2, seed=4)
    for dim, n, model in ((2, 64, "h13.h5"), (3, 32, "h22.h5")):
        for what, (path, M, b) in galerkin_systems(dim, n).items():
            ref = reference(model, M, b, (n,) * dim, 5)
            for ranks in (1, 2, 3):
                out = R.run([f"{R.BIN}/krylearn-solve", "-f", path, "-ksp_type", "deepcd", "-ksp_deepcd_model", model,
                             "-ksp_monitor", "-ksp_max_it", "5", "-ksp_rtol", "1e-12", "-info", ":mat"], ranks)
                hist = R.monitor(out)
                assert len(hist) == len(ref) and np.allclose(hist, ref, rtol=2e-4), (what, ranks, hist, ref, out[-2000:])
                assert ("MatPtAP builds the Galerkin product" in out) == (what == "periodic in x"), out[-2000:]
            print(f"{dim}-D {what}, {model}: 1, 2 and 3 processes match the reference, residual {ref[0]:.3e} -> {ref[-1]:.3e}")


def run_bad():
    """Bad hybrid declarations: clear errors from C (through deepcd) and from Python."""
    R.vcycle_model(2, "base.h5")
    cases = [
        ("smoother", "gauss-seidel", "declares unknown smoother 'gauss-seidel'"),
        ("sweeps", np.int32(9), "declares 9 sweeps (0 to 8 allowed)"),
        ("sweeps", np.float64(2.0), "attribute 'sweeps' of group '/hybrid' has the wrong dtype: floating-point, integers expected"),
        ("damping", np.float64(1.5), "declares damping 1.5 (must be in (0, 1])"),
        ("damping", np.float64(np.nan), "declares damping nan"),
        ("classical_levels", np.int32(0), "declares 0 classical levels (1 to 4 allowed)"),
        ("classical_levels", None, "/hybrid has no attribute 'classical_levels'"),
        ("version", np.int32(2), "a /hybrid structure needs format version 3"),
        ("coarse_iterations", np.int32(0), "declares 0 coarse iterations (1 to 4 allowed)"),
        ("coarse_iterations", np.int64(5), "declares 5 coarse iterations (1 to 4 allowed)"),
        ("coarse_iterations", np.float64(2.0), "attribute 'coarse_iterations' of group '/hybrid' has the wrong dtype"),
        ("coarse_iterations", np.array([2, 2], np.int32), "declares 2 coarse iterations for 1 classical levels"),
        ("coarse_iterations", np.array([2, 2, 2, 2, 2], np.int32), "holds 5 values, 1 to 4 values expected"),
    ]
    for i, (key, value, message) in enumerate(cases):
        path = f"bad{i}.h5"
        hybrid_model(2, path, sweeps=2, levels=1)
        with h5py.File(path, "r+") as f:
            if key == "version":
                f.attrs["format_version"] = value
            elif value is None:
                del f["hybrid"].attrs[key]
            else:
                f["hybrid"].attrs[key] = np.bytes_(value) if isinstance(value, str) else value
        out, its, *_ = R.pressure(["-n", "16", "-ksp_type", "deepcd", "-ksp_deepcd_model", path], check=False)
        assert its is None and message in out and path in out, (key, value, out)
        try:
            km.load(path)
        except ValueError as e:
            print(f"{key}={value!r}: C and Python reject it ({e})")
        else:
            raise SystemExit(f"Python accepted {key}={value!r}")


if __name__ == "__main__":
    {"2d": run_2d, "3d": run_3d, "kcycle": run_kcycle, "bad": run_bad, "operator-types": run_operator_types, "galerkin": run_galerkin}[sys.argv[1]]()
    print("ok")
