"""The shipped default models through the library's own lookup (the models with Galerkin levels,
data/deepcd-2d-hybrid-s2l3k221.h5 and data/deepcd-3d-hybrid-s2l2k21.h5, on grids they fit; the
one-level data/deepcd-2d.h5 and data/deepcd-3d.h5 below): disc and unseen box obstacles in 2-D
and 3-D, open and closed boundaries, converge to 1e-6 in fewer iterations than CG+ICC(0), at 1
and 2 processes; variable coefficients and prescribed values on the faces converge too."""
import dcdref as R

for dim, n, obstacle, extra in ((2, 128, "disc", []), (2, 64, "box", ["-neumann"]), (2, 48, "disc", []), (3, 32, "box", []),
                                (3, 32, "disc", ["-neumann"]), (3, 24, "disc", [])):
    common = ["-dim", str(dim), "-n", str(n), "-obstacle", obstacle, "-ksp_rtol", "1e-6"] + extra
    _, icc, r_icc, _ = R.pressure(common + ["-ksp_type", "cg", "-pc_type", "icc", "-ksp_norm_type", "unpreconditioned"])
    for ranks in (1, 2):
        out, its, reason, relres = R.pressure(common + ["-ksp_type", "deepcd", "-ksp_view"], ranks)
        fits = n >= (64 if dim == 2 else 32)   # 8 network cells per axis below 3 (2-D) or 2 (3-D) classical levels
        assert ("-hybrid-s2l3k221.h5 (default with Galerkin levels)" if dim == 2 else "-hybrid-s2l2k21.h5 (default with Galerkin levels)") in out if fits else \
            f"deepcd-{dim}d.h5 (default)" in out, out
        print(f"{dim}-D {n} {obstacle} {' '.join(extra)} at {ranks}: deepcd {its} ({reason}, {relres:.1e}), CG+ICC(0) {icc}")
        assert reason == "CONVERGED_RTOL" and relres < 1e-6 and its < icc, out[-1500:]

# Operators outside the one-level model's family, variable coefficients and prescribed values on
# the grid's faces, and the constant-coefficient problem, as bare matrices: the default with
# Galerkin levels (named in -ksp_view) on grids it fits (64^2, 32^3) converges on each
SCRIPT = r'''
import sys, numpy as np, petsc4py
petsc4py.init(["-dll_append", sys.argv[1]])
from petsc4py import PETSc
import poisson

def solve(A, shape, b):
    P = PETSc.Mat().createAIJ(A.shape, csr=(A.indptr, A.indices, A.data))
    ksp = PETSc.KSP().create()
    ksp.setOperators(P)
    ksp.setType("deepcd")
    PETSc.Options()["ksp_deepcd_grid"] = ",".join(str(n) for n in shape[::-1])
    ksp.setTolerances(rtol=1e-6, max_it=200)
    ksp.setFromOptions()
    x, rhs = P.createVecs()
    rhs.setArray(b)
    ksp.solve(rhs, x)
    view = PETSc.Viewer().createASCII("view.txt")
    ksp.view(view)
    view.destroy()
    res = np.linalg.norm(b - A @ x.getArray()) / np.linalg.norm(b)
    return ksp.getIterationNumber(), ksp.getConvergedReason(), res, open("view.txt").read()

for dim, n in ((2, 64), (3, 32)):
    shape = (n,) * dim
    solid = poisson.obstacle(shape, "disc")
    cases = {"variable coefficients": poisson.operator(solid, coefficient=poisson.smooth_coefficient(shape, 100.0, seed=1)),
             "constant coefficients": poisson.operator(solid)}
    A = poisson.operator(np.zeros(shape, bool)).tolil()   # a ring of prescribed values on the faces
    ring = np.zeros(shape, bool)
    for d in range(dim):
        ring[(slice(None),) * d + (0,)] = ring[(slice(None),) * d + (-1,)] = True
    for i in np.nonzero(ring.ravel())[0]:
        A.rows[i], A.data[i] = [i], [1.0]
    cases["prescribed values on the grid's faces"] = A.tocsr()
    for what, A in cases.items():
        b = poisson.plume_rhs(solid) * ~ring.ravel() if "prescribed" in what else poisson.plume_rhs(solid)
        its, reason, res, view = solve(A, shape, b)
        print(f"{dim}-D {what}: {its} iterations, reason {reason}, residual {res:.1e}")
        assert reason > 0 and res <= 1e-6 * (1 + 1e-6), (what, its, reason, res)
        assert "(default with Galerkin levels)" in view, view
'''
R.petsc4py_script(SCRIPT, "galerkin_default.py")
print("ok")
