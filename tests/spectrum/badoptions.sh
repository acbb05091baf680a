#!/bin/bash
# Nonsense option values of krylearn-spectrum and of the MLP loss end in an error that
# names the option; -mlp_block_size is read through KrylearnMLPSetBlockSize, also under a prefix.
set -uo pipefail
$PYTHON -c "import sys; sys.path[:0] = ['$ROOT/tests/spectrum']; import reference as r; r.problem('p', [4, 5, 3], 'tanh', 'cross_entropy', n=20)" > /dev/null || exit 1
fail=0
expect() { # expect TEXT-IN-ERROR ARGS...
  local text=$1; shift
  if $BIN/krylearn-spectrum -model p-model.h5 -data p-data.h5 -top 1 "$@" > log 2>&1; then
    echo "accepted: $*"; fail=1
  elif ! grep ERROR log | grep -- "$text" > /dev/null; then
    echo "the error for '$*' does not say '$text':"; grep ERROR log | head -6; fail=1
  else
    echo "refused: $* ($(grep -m1 -- "$text" log | sed 's/.*ERROR: //'))"
  fi
}
expect "-density_sigma inf" -density -density_steps 5 -density_sigma inf
expect "-density_sigma -1" -density -density_steps 5 -density_sigma -1
expect "-density_grid 0" -density -density_steps 5 -density_grid 0
expect "-density_probes 0" -density -density_steps 5 -density_probes 0
expect "-mlp_block_size -1" -mlp_block_size -1
expect "-mlp_block_size 0" -mlp_block_size 0
# a valid block size changes nothing but the blocking: same eigenvalue as the default
$BIN/krylearn-spectrum -model p-model.h5 -data p-data.h5 -top 1 -o a.h5 > /dev/null 2>&1 || { echo "default run failed"; fail=1; }
$BIN/krylearn-spectrum -model p-model.h5 -data p-data.h5 -top 1 -o b.h5 -mlp_block_size 3 > /dev/null 2>&1 || { echo "-mlp_block_size 3 failed"; fail=1; }
$PYTHON - <<'PY' || fail=1
import h5py, numpy as np, sys
a, b = (h5py.File(f, "r") for f in ("a.h5", "b.h5"))
keys = [k for k in a.keys() if k.startswith("top") or k == "eigenvalues"]
for k in keys:
    if not np.allclose(a[k][()], b[k][()], rtol=1e-10, atol=0):
        sys.exit(f"{k} differs with -mlp_block_size 3: {a[k][()]} vs {b[k][()]}")
print("blocked products agree:", keys)
PY
exit $fail
