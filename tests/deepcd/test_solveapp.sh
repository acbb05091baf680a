#!/bin/bash
# krylearn-solve on an ingested example system (matrix, rhs, grid attribute, reference
# solution in HDF5): deepcd takes the grid from the attribute, serial and at 2 ranks;
# PCDEEPCD in fcg; a grid option that contradicts the matrix size is refused.
set -e
export PYTHONPATH=$ROOT/tests/deepcd:$PYTHONPATH
$PYTHON -c "import dcdref as R; R.poly_model(2, 'poly2.h5')"
S=$BIN/krylearn-solve
f=$DATA/poisson2d-disc.h5
check() {  # output must converge with a small error against the file's solution
  echo "$1" | tail -n 3
  echo "$1" | grep -q "CONVERGED_RTOL"
  echo "$1" | awk '/relative error against/ { found = 1; if ($5 + 0 > 1e-6) exit 1 } END { exit !found }'
}
out=$($S -f $f -solution /x -ksp_type deepcd -ksp_deepcd_model poly2.h5 -ksp_rtol 1e-9 -ksp_view)
echo "$out" | grep -q "grid: 64 x 64 from the grid attribute of the loaded matrix"
check "$out"
check "$(OMP_NUM_THREADS=1 $MPIEXEC -n 2 $S -f $f -solution /x -ksp_type deepcd -ksp_deepcd_model poly2.h5 -ksp_rtol 1e-9)"
check "$($S -f $f -solution /x -ksp_type fcg -pc_type deepcd -pc_deepcd_model poly2.h5 -ksp_rtol 1e-9)"
if $S -f $f -ksp_type deepcd -ksp_deepcd_model poly2.h5 -ksp_deepcd_grid 63,64 > err.txt 2>&1; then exit 1; fi
grep -q "operator has 4096 rows but the grid 63x64 from the grid option has 4032 cells" err.txt
echo ok
