#!/usr/bin/python3
"""Krylearn test runner.

Every tests/AREA/TESTS file lists tests, one per line:

    name: shell command
    name [timeout=600]: shell command

A test passes when its command exits 0. Commands run under bash in a fresh
temporary directory with these variables set:

    ROOT     the source tree          BIN   ROOT/bin        TBIN  ROOT/build/tests
    LIB      ROOT/lib/libkrylearn.so  DATA  ROOT/data       PYTHON  Debian's python3
    MPIEXEC  mpiexec that works as root and oversubscribes (append -n P)
    VALGRIND valgrind that fails on definite leaks and memory errors

Usage: tests/run.py [-k SUBSTRING ...] [-j JOBS] [--list]
Runs JOBS tests at once (default: the number of cores; every test has its own
folder, and many spend their time starting MPI jobs or waiting on valgrind).
Prints one line per test as it ends and 'N passed, N failed' at the end; exits
non-zero on any failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^(?P<name>[\w.-]+)\s*(\[(?P<opts>[^\]]*)\])?\s*:\s*(?P<cmd>.+)$")
DEFAULT_TIMEOUT = 300


def discover():
    tests = []
    for area in sorted(os.listdir(os.path.join(ROOT, "tests"))):
        listing = os.path.join(ROOT, "tests", area, "TESTS")
        if not os.path.isfile(listing):
            continue
        with open(listing) as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                m = LINE.match(line)
                if not m:
                    sys.exit(f"{listing}:{lineno}: cannot parse test line: {line}")
                opts = dict(kv.split("=", 1) for kv in (m["opts"] or "").replace(",", " ").split())
                tests.append((f"{area}/{m['name']}", m["cmd"], int(opts.get("timeout", DEFAULT_TIMEOUT))))
    return tests


def environment():
    env = dict(os.environ)
    env.update(
        ROOT=ROOT,
        BIN=os.path.join(ROOT, "bin"),
        TBIN=os.path.join(ROOT, "build", "tests"),
        LIB=os.path.join(ROOT, "lib", "libkrylearn.so"),
        DATA=os.path.join(ROOT, "data"),
        PYTHON="/usr/bin/python3",
        MPIEXEC="mpiexec --allow-run-as-root --oversubscribe",
        VALGRIND=("valgrind -q --num-callers=50 --leak-check=full --errors-for-leak-kinds=definite "
                  "--show-leak-kinds=definite --error-exitcode=99 "
                  f"--suppressions={ROOT}/tests/valgrind.supp"),
        PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "train"), os.path.join(ROOT, "tests"),
                                    env.get("PYTHONPATH", "")]),
        OMPI_MCA_btl_vader_single_copy_mechanism="none",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_one(cmd, timeout, env):
    with tempfile.TemporaryDirectory(prefix="krylearn-test-") as tmp:
        start = time.monotonic()
        try:
            proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=timeout, start_new_session=True)
            ok, out = proc.returncode == 0, proc.stdout.decode(errors="replace")
            if not ok:
                out += f"\n(exit status {proc.returncode})"
        except subprocess.TimeoutExpired as e:
            ok, out = False, (e.stdout or b"").decode(errors="replace") + f"\n(timed out after {timeout} s)"
        return ok, out, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", action="append", default=[], help="run tests whose name contains this")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="tests run at once (default: the number of cores)")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    args = ap.parse_args()

    tests = [t for t in discover() if not args.k or any(k in t[0] for k in args.k)]
    if args.list:
        for name, cmd, _ in tests:
            print(f"{name}: {cmd}")
        return 0
    env = environment()
    passed = failed = 0
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        # the longest timeouts first (they mark the long tests), so that no long test starts last
        runs = {pool.submit(run_one, cmd, timeout, env): name for name, cmd, timeout in sorted(tests, key=lambda t: -t[2])}
        for run in as_completed(runs):
            ok, out, secs = run.result()
            print(f"{'PASS' if ok else 'FAIL'} {runs[run]} ({secs:.1f} s)", flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
                tail = out.rstrip().splitlines()[-40:]
                print("\n".join("    " + (l if len(l) <= 240 else l[:240] + " ...") for l in tail), flush=True)
    print(f"{len(tests)} tests in {time.monotonic() - start:.0f} s, {args.jobs} at once")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
