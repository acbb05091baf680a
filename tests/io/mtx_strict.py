#!/usr/bin/python3
"""Matrix Market strictness: a damaged file is an error naming the file, the line and the
problem, never a different matrix. Every malformed file is loaded in one run of
build/tests/io/loaderrors (optionally under a launcher: valgrind, or mpiexec -n 2 given as
arguments); a valid file using everything the format allows (comments and blank lines between
entries, DOS line ends, tabs, signs, exponents, a comment line longer than any data line may
be) is converted with krylearn-ingest and compared with the matrix built here, entry by entry.

Usage: mtx_strict.py [LAUNCHER ...]"""
import os
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp

LAUNCH = sys.argv[1:]
HEAD = "%%MatrixMarket matrix coordinate real general"


def mtx(name, text):
    with open(name, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return name


# (file, line number the error names, words of the message)
cases = [
    (mtx("extra.mtx", f"{HEAD}\n3 3 1\n1 1 1.0\n2 2 5.0\n3 3 7.0\n"), 4, "more entries than the 1 the size line declares"),
    (mtx("extra-after-comment.mtx", f"{HEAD}\n3 3 1\n1 1 1.0\n% note\n\n2 2 5.0\n"), 6, "more entries than the 1"),
    (mtx("junk.mtx", f"{HEAD}\n3 3 1\n1 1 1.0 garbage\n"), 3, "unexpected 'garbage' after 'row column value'"),
    (mtx("mangled.mtx", f"{HEAD}\n3 3 1\n1 1 4D00e+00\n"), 3, "entry 1: value '4D00e+00' is not a decimal number"),
    (mtx("hex.mtx", f"{HEAD}\n3 3 1\n1 1 0x10\n"), 3, "value '0x10' is not a decimal number"),
    (mtx("index.mtx", f"{HEAD}\n3 3 1\n2 1.5 4.0\n"), 3, "entry 1: index '1.5' is not a 64-bit integer"),
    (mtx("index-huge.mtx", f"{HEAD}\n3 3 1\n99999999999999999999 1 4.0\n"), 3, "index '99999999999999999999' is not a 64-bit integer"),
    (mtx("intfloat.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 2.5\n"), 3, "value '2.5' is not an integer (the field is 'integer')"),
    (mtx("pattern-value.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1.0\n"), 3, "unexpected '1.0' after 'row column'"),
    (mtx("short.mtx", f"{HEAD}\n3 3 2\n1 1 1.0\n2 2\n"), 4, "expected 'row column value', found only 2 token(s)"),
    (mtx("array-two.mtx", "%%MatrixMarket matrix array real general\n2 1\n1.0 2.0\n"), 3, "unexpected '2.0' after 'value'"),
    (mtx("size-junk.mtx", f"{HEAD}\n3 3 1 x\n1 1 1.0\n"), 2, "unexpected 'x' after 'rows columns entries'"),
    (mtx("size-float.mtx", f"{HEAD}\n3 3.0 1\n1 1 1.0\n"), 2, "malformed size line"),
    (mtx("size-negative.mtx", f"{HEAD}\n% comment\n-3 3 1\n1 1 1.0\n"), 3, "malformed size line"),
    (mtx("header-extra.mtx", f"{HEAD} extra\n3 3 1\n1 1 1.0\n"), 1, "the header must be '%%MatrixMarket matrix FORMAT FIELD SYMMETRY'"),
    (mtx("nonsquare-sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 2 1\n1 1 1.0\n"), 2, "a symmetric matrix must be square"),
    (mtx("overflow.mtx", f"{HEAD}\n3 3 1\n1 1 1e999\n"), 3, "entry 1 holds a NaN or Inf value: '1e999'"),
    (mtx("nul.mtx", f"{HEAD}\n3 3 1\n1 1 1.0".encode() + b"\0\n"), 3, "holds a NUL byte"),
    (mtx("long.mtx", f"{HEAD}\n3 3 1\n1 1 1.{'0' * 5000}\n"), 3, "line longer than 4095 characters"),
    (mtx("long-header.mtx", f"{HEAD}{' ' * 5000}x\n3 3 1\n1 1 1.0\n"), 1, "line longer than 4095 characters"),
    (mtx("trunc.mtx", f"{HEAD}\n3 3 3\n1 1 1.0\n2 2 1.0\n"), 4, "truncated: 2 of the 3 entries found"),
    (mtx("range.mtx", f"{HEAD}\n3 3 2\n1 1 1.0\n4 2 1.0\n"), 4, "index out of range in entry 2: (4, 2) in a 3 x 3 matrix"),
]
os.mkfifo("fifo.mtx")
os.mkdir("dir.mtx")
cases += [("fifo.mtx", 0, "cannot open: not a regular file"), ("dir.mtx", 0, "cannot open: a directory, not a file")]

# valid: everything the format allows, in one file
rows, cols, vals = [0, 2, 1, 3, 0], [0, 1, 1, 3, 3], [1.0, -2.5e-3, 0.5, 3e5, 7.0]
text = ("%%MatrixMarket matrix coordinate real general\r\n"
        "% a comment line longer than any data line may be: " + "x" * 6000 + "\r\n"
        "4 4 5\r\n"
        "1 1 +1.0\r\n"
        "\r\n"
        "3\t2\t-2.5E-3\r\n"
        "% a comment between entries\r\n"
        "  2 2 .5  \r\n"
        "4 4 3e+05\r\n"
        "1 4 7.\r\n"
        "% trailing comment\r\n\r\n")
valid = mtx("valid.mtx", text)
ivalid = mtx("valid-int.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n3 3 3\n1 1 4\n2 1 -1\n3 3 +2\n")
expect = {valid: sp.csr_matrix((vals, (rows, cols)), shape=(4, 4)).toarray(),
          ivalid: np.array([[4.0, -1, 0], [-1, 0, 0], [0, 0, 2]])}

proc = subprocess.run(LAUNCH + [os.path.join(os.environ["TBIN"], "io", "loaderrors")] + [c[0] for c in cases] + list(expect),
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
out = proc.stdout.decode(errors="replace")
got = {}
for line in out.splitlines():
    arg, sep, rest = line.partition(": ")
    if sep:
        got.setdefault(arg, rest)
failed = 0
for file, lineno, words in cases:
    msg = got.get(file, "(no output)")
    where = f"{file}:{lineno}: " if lineno else f"{file}: "
    ok = msg.startswith("error: ") and where in msg and words in msg
    print(f"{'ok  ' if ok else 'FAIL'} {file}: {msg}")
    failed += not ok
for file, A in expect.items():
    msg = got.get(file, "(no output)")
    ok = msg == f"ok {A.shape[0]} {A.shape[1]}"
    if ok:  # the values, through the HDF5 that convert writes (petsc layout: jc row pointers, ir columns)
        conv = subprocess.run(LAUNCH + [os.path.join(os.environ["BIN"], "krylearn-ingest"), "convert", file, file + ".h5:/A"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        ok = conv.returncode == 0
        if ok:
            with h5py.File(file + ".h5", "r") as f:
                B = sp.csr_matrix((f["A/data"][...], f["A/ir"][...], f["A/jc"][...]), shape=A.shape).toarray()
            ok = np.array_equal(A, B)
            msg += " (values equal)" if ok else f" (values differ:\n{B}\nexpected\n{A})"
        else:
            msg += " (convert failed: " + conv.stdout.decode(errors="replace")[-400:] + ")"
    print(f"{'ok  ' if ok else 'FAIL'} {file}: {msg}")
    failed += not ok
if proc.returncode:
    print(out)
    print(f"FAIL: loaderrors exited with status {proc.returncode}")
    failed += 1
print(f"{len(cases) + len(expect) - failed} of {len(cases) + len(expect)} Matrix Market files gave the expected result")
sys.exit(1 if failed else 0)
