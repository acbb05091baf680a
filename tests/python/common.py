"""Shared pieces of the Python-package tests: the package on the path, and the pattern
'run this script at P ranks, compare with the serial result computed here'."""
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "train"))


def run_parallel(mpiexec, script, out):
    """Runs script --worker out under mpiexec; rank 0 saves its results in out (npz)."""
    cmd = shlex.split(mpiexec) + [sys.executable, script, "--worker", out]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="")
    if proc.returncode:
        sys.exit("parallel run failed: %s" % " ".join(cmd))


def parallel_first(script):
    """Parses --mpiexec/--worker for script; with --mpiexec, runs script --worker under it first
    (mpiexec cannot start from a process where MPI is initialised), its results in par.npz of
    the returned temporary folder."""
    import argparse
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec")
    ap.add_argument("--worker")
    args = ap.parse_args()
    work = tempfile.TemporaryDirectory()
    if args.mpiexec:
        run_parallel(args.mpiexec, os.path.abspath(script), os.path.join(work.name, "par.npz"))
    return args, work


def relerr(a, b):
    import numpy as np
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


class Checks:
    def __init__(self):
        self.failed = 0
        self.count = 0

    def __call__(self, ok, what):
        self.count += 1
        print("%s %s" % ("ok  " if ok else "FAIL", what), flush=True)
        self.failed += 0 if ok else 1

    def close(self):
        print("%d checks, %d failed" % (self.count, self.failed))
        sys.exit(1 if self.failed else 0)
