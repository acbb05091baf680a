"""deepcd in parallel: residual histories at 1, 2 and 4 processes agree (same model,
same problem; a DMDA and a bare matrix in natural ordering), iteration counts within one; at
3 processes, whose blocks cannot pool as deep as the grid, the shipped model runs a shallower
V-cycle (named by -info) and converges.

usage: test_mpi.py {2d,3d}"""
import sys

import numpy as np

import dcdref as R

dim, n = {"2d": (2, 48), "3d": (3, 16)}[sys.argv[1]]
R.poly_model(dim, "poly.h5")
R.vcycle_model(dim, "vcycle.h5")
common = ["-dim", str(dim), "-n", str(n), "-obstacle", "disc", "-ksp_type", "deepcd", "-ksp_monitor"]
natural = ["-natural", "-ksp_deepcd_grid", ",".join([str(n)] * dim)]

# a converging model: iteration counts
its = {}
for ranks in (1, 2, 4):
    for layout, extra in (("dmda", []), ("natural", natural)):
        out, k, reason, _ = R.pressure(common + ["-ksp_deepcd_model", "poly.h5", "-ksp_rtol", "1e-6"] + extra, ranks)
        assert reason == "CONVERGED_RTOL", out
        its[ranks, layout] = (k, R.monitor(out))
print("iterations:", {k: v[0] for k, v in its.items()})
ref = its[1, "dmda"]
for key, (k, hist) in its.items():
    assert abs(k - ref[0]) <= 1, (key, k, ref[0])
    m = min(len(hist), len(ref[1]))
    assert np.allclose(hist[:m], ref[1][:m], rtol=1e-4), (key, hist[:m], ref[1][:m])

# a random V-cycle (pooling across process blocks, halos at every level): same first iterations
hists = {}
for ranks in (1, 2, 4):
    out, *_ = R.pressure(common + ["-ksp_deepcd_model", "vcycle.h5", "-ksp_max_it", "5"], ranks, check=True)
    hists[ranks] = R.monitor(out)
print("random V-cycle histories:", {r: h[-1] for r, h in hists.items()})
for r in (2, 4):
    assert np.allclose(hists[r], hists[1], rtol=1e-4), (r, hists[r], hists[1])
# a grid the network cannot pool (45 cells: padded to 48) in natural ordering at 1 and 3 processes
if dim == 2:
    odd = ["-dim", "2", "-n", "45", "-obstacle", "box", "-ksp_type", "deepcd", "-ksp_monitor",
           "-natural", "-ksp_deepcd_grid", "45,45", "-ksp_deepcd_model", "vcycle.h5", "-ksp_max_it", "5", "-ksp_view"]
    o1, *_ = R.pressure(odd, 1)
    o3, *_ = R.pressure(odd, 3)
    assert "network grid padded with zero cells to 48 x 48" in o1, o1
    assert np.allclose(R.monitor(o3), R.monitor(o1), rtol=1e-4), (R.monitor(o3), R.monitor(o1))
    print("45^2 padded to 48^2: same history at 1 and 3 processes")
# the shipped default at 3 processes: the network's blocks along one axis cannot all pool as
# deep as its grid, so its V-cycle stops a level earlier (before: an error) and still converges
size = {2: 128, 3: 32}[dim]
shipped = ["-dim", str(dim), "-n", str(size), "-obstacle", "disc", "-ksp_type", "deepcd", "-ksp_rtol", "1e-6"]
_, k1, reason1, _ = R.pressure(shipped, 1)
o3, k3, reason3, relres3 = R.pressure(shipped + ["-info"], 3)
assert reason1 == reason3 == "CONVERGED_RTOL" and relres3 <= 1e-6 and k3 <= k1 + 3, (k1, k3, o3[-1500:])
assert "vcycle levels instead of the grid's" in o3, o3[-1500:]
print(f"shipped model on {size}^{dim}: {k1} iterations at 1 process, {k3} at 3 (a shallower V-cycle)")
print("ok")
