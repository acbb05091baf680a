"""PCDEEPCD inside flexible Krylov methods (fcg, gcr, fgmres) against the exact solution
and against plain CG's iteration count on the same problem."""
import numpy as np
import scipy.sparse.linalg as spla

import dcdref as R

R.poly_model(2, "poly.h5")
A, _ = R.pressure_matrix(2, 64, "disc")
b = R.pressure_rhs(2, 64, "disc")
xe = spla.spsolve(A.tocsc(), b)
common = ["-dim", "2", "-n", "64", "-obstacle", "disc", "-ksp_rtol", "1e-8", "-save", "x.bin"]
_, cg_its, reason, _ = R.pressure(common + ["-ksp_type", "cg", "-pc_type", "none"])
print("cg:", cg_its)
for ksp in ("fcg", "gcr", "fgmres"):
    for ranks in (1, 2):
        out, its, reason, relres = R.pressure(common + ["-ksp_type", ksp, "-pc_type", "deepcd", "-pc_deepcd_model", "poly.h5"], ranks)
        x = R.load_petsc_vec("x.bin")
        err = np.linalg.norm(x - xe) / np.linalg.norm(xe)
        print(f"{ksp} + deepcd at {ranks}: {its} iterations, {reason}, error {err:.1e}")
        assert reason == "CONVERGED_RTOL" and err < 1e-6, out
        assert its < cg_its, (ksp, its, cg_its)
print("ok")
