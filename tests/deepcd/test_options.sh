#!/bin/bash
# Option values deepcd cannot honour end in an error naming the option: no allocation of
# millions of directions (the bound is checked before any vector is made), no grid option
# silently overridden by the attached DMDA. Each run is capped at 1 GB of address space.
set -uo pipefail
export PYTHONPATH=$ROOT/tests/deepcd:$PYTHONPATH
$PYTHON -c "import dcdref as R; R.poly_model(2, 'poly.h5')" || exit 1
fail=0
expect() { # expect TEXT-IN-ERROR ARGS...
  local text=$1; shift
  if (ulimit -v 1000000; timeout 60 ${LAUNCH[@]+"${LAUNCH[@]}"} $BIN/krylearn-pressure -n 16 -ksp_deepcd_model poly.h5 "$@") > log 2>&1; then
    echo "accepted: $*"; fail=1
  elif ! grep ERROR log | grep -- "$text" > /dev/null; then
    echo "the error for '$*' does not say '$text':"; grep ERROR log | head -8; fail=1
  else
    echo "refused: $* ($(grep -m1 -- "$text" log | sed 's/.*ERROR: //'))"
  fi
}
LAUNCH=("$@")
expect "-ksp_deepcd_ndirs 1000000: the number of stored directions must lie in \[1, 64\]" -ksp_type deepcd -ksp_deepcd_ndirs 1000000
expect "-ksp_deepcd_ndirs 2147483647" -ksp_type deepcd -ksp_deepcd_ndirs 2147483647
expect "-ksp_deepcd_ndirs 0" -ksp_type deepcd -ksp_deepcd_ndirs 0
expect "-ksp_deepcd_refresh -1" -ksp_type deepcd -ksp_deepcd_refresh -1
expect "-ksp_deepcd_grid 8x32 disagrees with the 16x16 DMDA" -ksp_type deepcd -ksp_deepcd_grid 8,32 -ksp_max_it 3
expect "-pc_deepcd_grid 8x32 disagrees with the 16x16 DMDA" -ksp_type fcg -pc_type deepcd -pc_deepcd_model poly.h5 -pc_deepcd_grid 8,32 -ksp_max_it 3
# the bound itself and a grid equal to the DMDA's are accepted
${LAUNCH[@]+"${LAUNCH[@]}"} $BIN/krylearn-pressure -n 16 -ksp_type deepcd -ksp_deepcd_model poly.h5 -ksp_deepcd_ndirs 64 -ksp_deepcd_grid 16,16 > log 2>&1 || { echo "ndirs 64 with the DMDA's grid refused:"; tail -5 log; fail=1; }
exit $fail
