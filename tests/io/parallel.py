#!/usr/bin/python3
"""Parallel ingestion reads row blocks: on 2 ranks each rank reads only the pointers of
its own rows and the entries they delimit (checked against the file's indptr from
h5py, with PETSc's -info log of the hyperslabs read), and 'info' prints the same
description on 1 and 2 ranks for every shipped example."""
import os
import re
import sys

import h5py
import numpy as np

from ingestref import EXAMPLES, run

DATA = os.environ["DATA"]
failed = 0
pattern = re.compile(r"^\[(\d+)\] .*: rows (\d+) to (\d+) read from pointers \[(\d+), (\d+)\] and entries \[(\d+), (\d+)\)")
for name in EXAMPLES:
    path = os.path.join(DATA, name + ".h5")
    with h5py.File(path, "r") as f:
        indptr = f["indptr"][...]
    M = len(indptr) - 1
    _, serial = run(["info", path])
    _, parallel = run(["info", path, "-info", "reads.log"], 2)  # each rank logs to reads.log.RANK
    log = "".join(open(f"reads.log.{r}").read() for r in (0, 1))
    reads = sorted(tuple(int(x) for x in m.groups()) for m in map(pattern.match, log.splitlines()) if m)
    half = M // 2 + M % 2  # PETSc's split: the first rank gets the extra row
    expect = [(0, 0, half, 0, half, int(indptr[0]), int(indptr[half])), (1, half, M, half, M, int(indptr[half]), int(indptr[M]))]
    ok = reads == expect and parallel == serial
    print(f"{'ok  ' if ok else 'FAIL'} {name}: " + "; ".join(f"rank {r} rows [{a}, {b}) entries [{c}, {d})" for r, a, b, _, _, c, d in reads))
    if not ok:
        print(f"    expected {expect}\n    got {reads}\n{serial}\n{parallel}")
    failed += not ok
sys.exit(1 if failed else 0)
