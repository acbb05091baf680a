#!/bin/bash
# 'make install' puts the package beside the library: importable from the prefix alone,
# it loads the installed libkrylearn.so and solves.
set -euo pipefail
prefix=$PWD/prefix
make -s -C "$ROOT" install PREFIX="$prefix" > install.log
site=$prefix/lib/python3/dist-packages
[ -f "$site/krylearn/__init__.py" ] || { echo "make install did not install the Python package in $site"; exit 1; }
cd "$prefix"
PYTHONPATH=$site $PYTHON - "$prefix" <<'PY'
import os, sys
import numpy as np
import krylearn.ot, krylearn.petsc
lib = os.path.realpath(krylearn.petsc.library())
assert lib == os.path.realpath(os.path.join(sys.argv[1], "lib", "libkrylearn.so")), lib
P = krylearn.ot.solve([], [], np.random.default_rng(0).random((5, 4)), reg=0.1)
assert abs(P.sum() - 1) < 1e-8
print("installed package ok:", lib)
PY
