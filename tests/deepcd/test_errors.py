"""deepcd error handling and breakdown: bad grid, missing grid, bad model files,
a model of the wrong dimension, a non-SPD operator, a zero and a NaN right-hand side."""
import dcdref as R

R.poly_model(2, "poly2.h5")
R.poly_model(3, "poly3.h5")
base = ["-dim", "2", "-n", "32", "-ksp_type", "deepcd"]


def fails_with(opts, *words):
    out, *_ = R.pressure(base + opts, check=False)
    assert "PETSC ERROR" in out, f"{opts}: no error\n{out}"
    for w in words:
        assert w in out, f"{opts}: '{w}' not in the error message:\n{out[-2000:]}"
    print(f"{' '.join(opts)}: error as expected")


fails_with(["-ksp_deepcd_model", "poly2.h5", "-natural", "-ksp_deepcd_grid", "32,33"],
           "operator has 1024 rows but the grid 32x33 from the grid option has 1056 cells")
fails_with(["-ksp_deepcd_model", "poly2.h5", "-natural"], "deepcd needs a grid", "-ksp_deepcd_grid")
fails_with(["-ksp_deepcd_model", "poly2.h5", "-natural", "-ksp_deepcd_grid", "32"], "2 or 3 sizes")
fails_with(["-ksp_deepcd_model", "missing.h5"], "missing.h5")
with open("notamodel.h5", "w") as f:
    f.write("not HDF5\n")
fails_with(["-ksp_deepcd_model", "notamodel.h5"], "notamodel.h5")
fails_with(["-ksp_deepcd_model", "poly3.h5"], "poly3.h5 is 3-D but the grid is 2-D")
fails_with(["-ksp_type", "fcg", "-pc_type", "deepcd", "-pc_deepcd_model", "poly2.h5", "-natural"], "-pc_deepcd_grid")

# breakdowns through petsc4py, with the library loaded at run time
script = r'''
import sys, numpy as np, petsc4py
petsc4py.init(["-dll_append", sys.argv[1]])
from petsc4py import PETSc
import dcdref as R
A, _ = R.pressure_matrix(2, 32, "disc")
def solve(M, b):
    P = PETSc.Mat().createAIJ(M.shape, csr=(M.indptr, M.indices, M.data))
    ksp = PETSc.KSP().create()
    ksp.setOperators(P)
    ksp.setType("deepcd")
    opts = PETSc.Options()
    opts["ksp_deepcd_grid"] = "32,32"
    opts["ksp_deepcd_model"] = "poly2.h5"
    ksp.setFromOptions()
    x = P.createVecLeft()
    bb = P.createVecLeft()
    bb.setArray(b)
    ksp.solve(bb, x)
    return ksp.getConvergedReason(), ksp.getIterationNumber(), x.getArray().copy()
b = R.pressure_rhs(2, 32, "disc")
reason, its, x = solve(-A.tocsr(), b)
print("negated operator:", reason, its)
assert reason == PETSc.KSP.ConvergedReason.DIVERGED_INDEFINITE_MAT, reason
reason, its, x = solve(A.tocsr(), 0 * b)
print("zero rhs:", reason, its)
assert reason > 0 and its == 0 and not x.any()
# a user convergence test and the residual history
P = PETSc.Mat().createAIJ(A.shape, csr=(A.indptr, A.indices, A.data))
ksp = PETSc.KSP().create()
ksp.setOperators(P)
ksp.setType("deepcd")
ksp.setFromOptions()
ksp.setConvergenceHistory()
seen = []
def stop_at_4(ksp, its, rnorm):
    seen.append(rnorm)
    return 2 if its == 4 else 0   # 2: KSP_CONVERGED_RTOL
ksp.setConvergenceTest(stop_at_4)
bb = P.createVecLeft(); bb.setArray(b); x = P.createVecLeft()
ksp.solve(bb, x)
hist = ksp.getConvergenceHistory()
print("user test:", ksp.getConvergedReason(), ksp.getIterationNumber(), len(hist))
assert ksp.getIterationNumber() == 4 and len(hist) == 5 and np.allclose(hist, seen)
r = b - A @ x.getArray()
assert abs(np.linalg.norm(r) - hist[-1]) < 1e-6 * hist[0], (np.linalg.norm(r), hist[-1])
bn = b.copy(); bn[100] = np.nan
reason, its, x = solve(A.tocsr(), bn)
print("NaN rhs:", reason, its)
assert reason == PETSc.KSP.ConvergedReason.DIVERGED_NANORINF, reason
'''
R.petsc4py_script(script, "p4.py")
print("ok")
