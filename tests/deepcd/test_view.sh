#!/bin/bash
# -ksp_view / -pc_view content, -log_view events, and the default model found beside the
# library (lib/../data, then lib/../share/krylearn), with a clear error when there is none.
set -e
export PYTHONPATH=$ROOT/tests/deepcd:$PYTHONPATH
$PYTHON -c "import dcdref as R; R.poly_model(2, 'poly2.h5')"
P=$BIN/krylearn-pressure
$P -n 32 -ksp_type deepcd -ksp_deepcd_model poly2.h5 -ksp_deepcd_ndirs 3 -ksp_view -log_view > out.txt
grep -q "directions kept for A-orthogonalisation: 3" out.txt
grep -q "model: poly2.h5" out.txt
grep -q "grid: 32 x 32 from the DMDA attached to the solver" out.txt
grep -Eq "network applications: [1-9][0-9]*, inference time" out.txt
grep -q "^DeepCDNetApply" out.txt
grep -q "^DeepCDSetUp" out.txt
$P -n 32 -ksp_type fcg -pc_type deepcd -pc_deepcd_model poly2.h5 -ksp_view > out.txt
grep -q "scale: Rayleigh quotient" out.txt
# default model lookup from the library's own location
mkdir -p tree/lib tree/data tree2/lib tree2/share/krylearn tree3/lib
cp "$LIB" tree/lib/ && cp "$LIB" tree2/lib/ && cp "$LIB" tree3/lib/
cp poly2.h5 tree/data/deepcd-2d.h5
cp poly2.h5 tree2/share/krylearn/deepcd-2d.h5
LD_LIBRARY_PATH=$PWD/tree/lib $P -n 32 -ksp_type deepcd -ksp_view | grep -q "model: $PWD/tree/lib/../data/deepcd-2d.h5 (default)"
LD_LIBRARY_PATH=$PWD/tree2/lib $P -n 32 -ksp_type deepcd -ksp_view | grep -q "model: $PWD/tree2/lib/../share/krylearn/deepcd-2d.h5 (default)"
if LD_LIBRARY_PATH=$PWD/tree3/lib $P -n 32 -ksp_type deepcd > out.txt 2>&1; then echo "no error without a default model"; exit 1; fi
grep -q "No default 2-D deepcd model: neither $PWD/tree3/lib/../data/deepcd-2d.h5 nor" out.txt
echo ok
