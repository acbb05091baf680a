"""OpenMP threads of deepcd (the classical level and the network): OMP_NUM_THREADS, capped
so that the ranks on a node never run more threads than it has cores (-ksp_view says how
many), and the same residual history whatever the count.

usage: test_threads.py"""
import os
import re

import numpy as np

import dcdref as R

cores = os.cpu_count()
bound = len(os.sched_getaffinity(0))
R.vcycle_model(2, "v.h5")
common = ["-n", "40", "-obstacle", "disc", "-ksp_type", "deepcd", "-ksp_deepcd_model", "v.h5", "-ksp_max_it", "6",
          "-ksp_rtol", "1e-12", "-ksp_monitor", "-ksp_view"]
hists = {}
for ranks, threads in ((1, 1), (1, 64), (2, 64)):
    out, *_ = R.pressure(common, ranks, threads=threads)
    used = [int(t) for t in re.findall(r"OpenMP threads per rank: (\d+) \(OpenMP's (?:\d+), at most", out)]
    assert len(used) == 1, out
    # one rank gets what it may use; two ranks share the cores (or are bound to one each)
    expect = min(threads, bound, cores) if ranks == 1 else None
    assert (used[0] == expect) if expect else (1 <= used[0] and ranks * used[0] <= max(cores, ranks)), (ranks, threads, used, cores)
    hists[ranks, threads] = R.monitor(out)
    print(f"{ranks} rank(s), OMP_NUM_THREADS={threads}: {used[0]} thread(s) per rank ({cores} cores)")
for key, h in hists.items():
    assert len(h) == len(hists[1, 1]) and np.allclose(h, hists[1, 1], rtol=1e-5), (key, h, hists[1, 1])
print("ok")
