#!/bin/bash
# KSPDEEPCD and PCDEEPCD in one program (tests/deepcd/prefixes.c) configured apart through
# their prefixes: each network reports the convolution backend and model it was given, and
# swapping the options swaps what each reports.
set -euo pipefail
export PYTHONPATH=$ROOT/tests/deepcd:$PYTHONPATH
$PYTHON -c "import dcdref as R; R.poly_model(2, 'poly.h5'); R.poly_model(2, 'p8.h5', terms=8)"
LAUNCH=("$@")
section() { awk -v s="=== $1" '$0 == s {on = 1; next} /^=== / {on = 0} on' "$2"; }
check() { # check OUT NAME MODEL BACKEND
  local body; body=$(section "$2" "$1")
  echo "$body" | grep "model: $3" > /dev/null || { echo "$2 did not use model $3:"; echo "$body" | grep "model:"; exit 1; }
  echo "$body" | grep "convolutions by $4" > /dev/null || { echo "$2 did not run convolutions by $4:"; echo "$body" | grep "convolutions by"; exit 1; }
}
run() { ${LAUNCH[@]+"${LAUNCH[@]}"} $TBIN/deepcd/prefixes "$@"; }
run -ksp_deepcd_model poly.h5 -ksp_deepcd_net_dnnl 0 -pc_deepcd_model p8.h5 -pc_deepcd_net_dnnl 1 \
    -b_ksp_deepcd_model p8.h5 -b_ksp_deepcd_net_dnnl 0 -ksp_deepcd_ndirs 3 -ksp_deepcd_refresh 4 > one.txt
section getters one.txt | grep "ksp ndirs 3 refresh 4 model poly.h5 grid dim 0; pc model p8.h5" > /dev/null || { echo "getters:"; section getters one.txt; exit 1; }
check one.txt ksp poly.h5 "the direct kernel"
check one.txt pc p8.h5 "oneDNN"
check one.txt b_ksp p8.h5 "the direct kernel"
run -ksp_deepcd_model p8.h5 -ksp_deepcd_net_dnnl 1 -pc_deepcd_model poly.h5 -pc_deepcd_net_dnnl 0 \
    -b_ksp_deepcd_model poly.h5 -b_ksp_deepcd_net_dnnl 1 > two.txt
check two.txt ksp p8.h5 "oneDNN"
check two.txt pc poly.h5 "the direct kernel"
check two.txt b_ksp poly.h5 "oneDNN"
# the global option of before configures nothing any more
run -ksp_deepcd_model poly.h5 -pc_deepcd_model poly.h5 -b_ksp_deepcd_model poly.h5 -krylearn_net_dnnl 0 > three.txt
for s in ksp pc b_ksp; do check three.txt $s poly.h5 "oneDNN"; done
echo "KSPDEEPCD, PCDEEPCD and b_KSPDEEPCD configured apart"
