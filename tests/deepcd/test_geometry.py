"""deepcd with a model that reads the solid geometry: the solver finds the solid cells in
the operator (decoupled rows no other row refers to) and hands them to the network on its
grid. Checked against the reference DCDM loop given the obstacle mask directly, in DMDA
and natural ordering, at 1 and 3 processes (3: blocks that pool unevenly), on a grid the
network must pad; ex45's prescribed boundary vertices on the faces are no solid cells.

usage: test_geometry.py {2d,3d}"""
import re
import sys

import numpy as np

import dcdref as R

dim, n = {"2d": (2, 48), "3d": (3, 16)}[sys.argv[1]]
R.vcycle_model(dim, "gated.h5", gated=True)
R.vcycle_model(dim, "plain.h5", gated=False)
for obstacle in ("disc", "box"):
    A, solid = R.pressure_matrix(dim, n, obstacle)
    b = R.pressure_rhs(dim, n, obstacle)
    _, href = R.dcdm(A, b, "gated.h5", dim, 0.0, maxit=6, solid=solid)
    href = np.array(href[:7])
    common = ["-dim", str(dim), "-n", str(n), "-obstacle", obstacle, "-ksp_type", "deepcd", "-ksp_monitor",
              "-ksp_max_it", "6", "-ksp_deepcd_model", "gated.h5"]
    for ranks, extra in ((1, ["-ksp_view"]), (3, []), (3, ["-natural", "-ksp_deepcd_grid", ",".join([str(n)] * dim)])):
        out, *_ = R.pressure(common + extra, ranks)
        hist = R.monitor(out)
        rel = np.abs(hist - href).max() / href[0]
        print(f"{obstacle} at {ranks} process(es) {' '.join(extra[:1])}: residuals {hist[-1]:.4e}, reference {href[-1]:.4e}, "
              f"max difference {rel:.1e} of ||r0||")
        assert len(hist) == len(href) and rel < 1e-4, (hist, href)
        if extra == ["-ksp_view"]:
            m = re.search(r"solid cells in the network's geometry field \(decoupled rows no other row refers to\): (\d+)", out)
            assert m and int(m.group(1)) == solid.sum(), (out[-2000:], solid.sum())
    # the geometry changes the directions: a model that does not read it gives other residuals
    out, *_ = R.pressure(common[:-1] + ["plain.h5"])
    assert "solid cells in the network" not in out
    assert np.abs(R.monitor(out) - href).max() > 1e-3 * href[0]

# a grid that the network pads (its padded cells are no solid cells): same history at 1 and 3 processes
if dim == 2:
    odd = ["-dim", "2", "-n", "45", "-obstacle", "disc", "-ksp_type", "deepcd", "-ksp_monitor", "-ksp_max_it", "5",
           "-natural", "-ksp_deepcd_grid", "45,45", "-ksp_deepcd_model", "gated.h5"]
    o1, *_ = R.pressure(odd, 1)
    o3, *_ = R.pressure(odd, 3)
    assert np.allclose(R.monitor(o3), R.monitor(o1), rtol=1e-4), (R.monitor(o3), R.monitor(o1))
    print("45^2 padded to 48^2: same history at 1 and 3 processes")

# ex45 (PETSc's tutorial, compiled unmodified): its boundary rows are decoupled, those on the faces referenced
if dim == 3:
    src = "/usr/share/petsc/3.18/share/petsc/examples/src/ksp/ksp/tutorials/ex45.c"
    R.run(["sh", "-c", f"cp {src} ex45.c && mpicc ex45.c -o ex45 $(pkg-config --cflags --libs petsc)"])
    out = R.run(["./ex45", "-da_grid_x", "17", "-da_grid_y", "17", "-da_grid_z", "17", "-dll_append", R.LIB,
                 "-ksp_type", "deepcd", "-ksp_deepcd_model", "gated.h5", "-ksp_max_it", "3", "-ksp_view"])
    # of the 1538 prescribed boundary vertices only the 12 * 15 + 8 on edges and corners, which no
    # interior row refers to, count as solid
    assert "cells outside the domain (decoupled rows): 1538" in out, out[-2000:]
    assert "solid cells in the network's geometry field (decoupled rows no other row refers to): 188" in out, out[-2000:]
    print("ex45: the 1350 boundary face vertices are no solid cells, the 188 edge and corner vertices are")
print("ok")
