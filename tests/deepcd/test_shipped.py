"""The shipped default models (data/deepcd-2d.h5, data/deepcd-3d.h5) through the library's own
lookup: disc and unseen box obstacles in 2-D and 3-D, open and closed boundaries, converge to
1e-6 in fewer iterations than CG+ICC(0), at 1 and 2 processes."""
import dcdref as R

for dim, n, obstacle, extra in ((2, 128, "disc", []), (2, 64, "box", ["-neumann"]), (3, 32, "box", []), (3, 32, "disc", ["-neumann"])):
    common = ["-dim", str(dim), "-n", str(n), "-obstacle", obstacle, "-ksp_rtol", "1e-6"] + extra
    _, icc, r_icc, _ = R.pressure(common + ["-ksp_type", "cg", "-pc_type", "icc", "-ksp_norm_type", "unpreconditioned"])
    for ranks in (1, 2):
        out, its, reason, relres = R.pressure(common + ["-ksp_type", "deepcd", "-ksp_view"], ranks)
        assert "(default)" in out, out
        print(f"{dim}-D {n} {obstacle} {' '.join(extra)} at {ranks}: deepcd {its} ({reason}, {relres:.1e}), CG+ICC(0) {icc}")
        assert reason == "CONVERGED_RTOL" and relres < 1e-6 and its < icc, out[-1500:]
print("ok")
