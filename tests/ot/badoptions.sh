#!/bin/bash
# Nonsense option values end in an error that names the option, never in a run that
# reports convergence or writes a result.
set -uo pipefail
$PYTHON $ROOT/tests/ot/otcheck.py gen dense p.h5 > /dev/null || exit 1
fail=0
expect() { # expect OPTION-NAMED-IN-MESSAGE ARGS...
  local name=$1; shift
  if $BIN/krylearn-ot p.h5 -o o.h5 "$@" > log 2>&1; then
    echo "accepted: $*"; fail=1
  elif ! grep -- "$name" log | grep ERROR > /dev/null; then
    echo "the error for '$*' does not name $name:"; grep ERROR log | head -5; fail=1
  else
    echo "refused: $* ($(grep -m1 -- "$name" log | sed 's/.*ERROR: //'))"
  fi
}
expect -ot_tol -ot_tol inf
expect -ot_tol -ot_tol -1
expect -ot_eta -ot_eta inf
expect -ot_eta -ot_eta 1e-320
expect -ot_eta -ot_eta nan
expect -ot_max_it -ot_max_it -5
expect -ot_exp_width -ot_exp_width 3
expect -ot_sns_ksp_rtol_max -ot_sns_ksp_rtol_max nan
expect -ot_sns_max_fallbacks -ot_sns_max_fallbacks -1
expect -ot_sns_warmup -ot_sns_warmup -1
expect -ot_sns_mass_fraction -ot_sns_mass_fraction inf
expect -ot_sns_lambda -ot_sns_lambda -0.5 -ot_sns_sparsify count
expect -ot_sinkhorn_eps_scaling_stages -ot_type sinkhorn -ot_sinkhorn_eps_scaling_stages 5000
expect -ot_sinkhorn_eps_scaling_factor -ot_type sinkhorn -ot_sinkhorn_eps_scaling_stages 2 -ot_sinkhorn_eps_scaling_factor 0.5
expect -plan_drop_tol -plan_drop_tol inf -plan_dense_max 0
expect -plan_drop_tol -plan_drop_tol nan -plan_dense_max 0
expect -plan_dense_max -plan_dense_max -1
exit $fail
