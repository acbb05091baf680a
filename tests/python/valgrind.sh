#!/bin/bash
# The Python package under valgrind: OT solves, an error and load_matrix. Python and its
# extension modules leave module state allocated at exit, and the dynamic loader trips
# valgrind's strncmp checks, so the run is judged on the error records that reach
# Krylearn, PETSc, SLEPc or petsc4py code: there must be none.
set -euo pipefail
PYTHONMALLOC=malloc ${VALGRIND/--error-exitcode=99/--error-exitcode=0} $PYTHON "$ROOT/tests/python/valgrind_ot.py" \
  "$ROOT/python" "$DATA/poisson2d.h5" > out.txt 2> vg.txt
grep "(64, 64)" out.txt > /dev/null || { cat out.txt; exit 1; }
$PYTHON - vg.txt <<'PY'
import re, sys
text = open(sys.argv[1]).read()
records = re.split(r"\n==\d+== \n", text)
ours = [r for r in records if re.search(r"(Invalid|uninitialised|Conditional|definitely lost)", r)
        and re.search(r"libkrylearn|libpetsc|libslepc|petsc4py|PETSc\.cpython", r)]
print("%d valgrind records, %d in Krylearn, PETSc, SLEPc or petsc4py" % (len(records), len(ours)))
for r in ours[:5]:
    print(r)
sys.exit(1 if ours else 0)
PY
