"""The pressure problem of the C generator (KrylearnPressureCreate, through
bin/krylearn-pressure) equals the one Python implementation (train/poisson.py) that the
trainer and the reference tests use: matrix and right-hand side, 2-D and 3-D, every
obstacle, open and closed box, DMDA and natural ordering, 1 and 2 ranks."""
import numpy as np
import scipy.sparse as sp

import dcdref as R
import poisson


def load_petsc_mat(path):
    """An AIJ matrix written by MatView to a PETSc binary file (big-endian)."""
    with open(path, "rb") as f:
        cls, m, n, nnz = np.frombuffer(f.read(16), ">i4")
        assert cls == 1211216, cls
        lens = np.frombuffer(f.read(4 * m), ">i4")
        cols = np.frombuffer(f.read(4 * nnz), ">i4")
        vals = np.frombuffer(f.read(8 * nnz), ">f8")
    indptr = np.concatenate([[0], np.cumsum(lens)])
    return sp.csr_matrix((vals.astype(float), cols, indptr), shape=(m, n))


cases = 0
for dim, n in ((2, 24), (3, 12)):
    for kind in ("none", "disc", "box"):
        for neumann in (False, True):
            for ranks, ordering in ((1, []), (2, ["-natural"])):
                opts = ["-dim", str(dim), "-n", str(n), "-obstacle", kind, "-ksp_type", "preonly", "-pc_type", "none",
                        "-ksp_view_mat", "binary:A.bin", "-ksp_view_rhs", "binary:b.bin"] + ordering + (["-neumann"] if neumann else [])
                R.pressure(opts, ranks)
                A = load_petsc_mat("A.bin")
                b = R.load_petsc_vec("b.bin")
                Ap, bp, solid = poisson.pressure_problem((n,) * dim, kind, neumann)
                what = f"{dim}-D n={n} {kind} {'closed' if neumann else 'open'} {ranks} rank(s)"
                assert kind == "none" or solid.any(), what + ": the obstacle has no cell"
                diff = abs(A - Ap).max()
                assert A.shape == Ap.shape and diff == 0, f"{what}: matrices differ by {diff}"
                assert (A != 0).nnz == (Ap != 0).nnz, what + ": different sparsity"
                err = np.abs(b - bp).max()
                assert err <= 1e-14 * np.abs(bp).max(), f"{what}: right-hand sides differ by {err}"
                cases += 1
# an obstacle placed elsewhere (as a moving obstacle is), at 1 and 2 ranks
for dim, n, kind, centre in ((2, 24, "disc", (0.3, 0.65)), (3, 12, "box", (0.7, 0.35, 0.6))):
    for ranks, ordering in ((1, []), (2, ["-natural"])):
        opts = ["-dim", str(dim), "-n", str(n), "-obstacle", kind, "-obstacle_centre", ",".join(map(str, centre)),
                "-ksp_type", "preonly", "-pc_type", "none", "-ksp_view_mat", "binary:A.bin", "-ksp_view_rhs", "binary:b.bin"] + ordering
        R.pressure(opts, ranks)
        A, b = load_petsc_mat("A.bin"), R.load_petsc_vec("b.bin")
        Ap, bp, solid = poisson.pressure_problem((n,) * dim, kind, centre=centre)
        what = f"{dim}-D n={n} {kind} at {centre} {ranks} rank(s)"
        usual = poisson.obstacle((n,) * dim, kind).reshape(-1)
        assert solid.any() and (solid != usual).any(), what + ": the obstacle did not move"
        assert A.shape == Ap.shape and abs(A - Ap).max() == 0 and (A != 0).nnz == (Ap != 0).nnz, what + ": matrices differ"
        assert np.abs(b - bp).max() <= 1e-14 * np.abs(bp).max(), what + ": right-hand sides differ"
        cases += 1
print(f"C and Python pressure problems equal in {cases} cases")
