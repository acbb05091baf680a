#!/bin/bash
# Balancing benchmark (see docs/balance.md). Run from anywhere after `make`:
#   bench/balance/run.sh          small sizes (minutes): convection-diffusion 128^2, nearly
#                                 triangular 128^2, SNES ex19 32^2, the two-field system 64^2
#   bench/balance/run.sh --full   256^2 and 1024^2 (1M rows), ex19 64^2, two-field 128^2 (an hour
#                                 on a loaded 2-core machine; results in bench/balance/results.md)
#   bench/balance/run.sh [--full] CASE...   only these of: convdiff hard ex19 multifield spd big (--full)
# One process, one thread; every table comes from one process run, side by side. A case that
# fails is reported and the others still run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/build/bench/balance/bench
WORK=$ROOT/build/bench/balance
export OMP_NUM_THREADS=1
FULL=0
[ "${1:-}" = "--full" ] && FULL=1 && shift
CASES=${*:-convdiff hard ex19 multifield spd big}
want() { [[ " $CASES " == *" $1 "* ]]; }

echo "# bench/balance $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cores: $(nproc --all); MPI processes: 1; OMP_NUM_THREADS=1; BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (wall times on a loaded machine: compare the CPU-time ratios)"
echo "GMRES(30), right preconditioning, rtol 1e-8, b = A 1, x0 = 0; times include the KSP and PC set-up"
echo

run() { echo "## $1"; shift; echo "\`bench $*\`"; echo; "$BENCH" "$@" || echo "(this case stopped with the error above)"; echo; }
# The plain sweeps stop at 1e-8 or after 15 times the fastest Newton balancing's CPU time (bench's
# -sweeps_budget), so that a capped run still proves a ratio below 1/10.
# On convection-diffusion, CG + GAMG solves the Newton systems faster than CG + Jacobi (the balance
# table shows both), so the -pc_type sinkhorn rows use it there, as a user would after that table.
GAMGNEWTON=(-sinkhorn_extra "+sinkhorn_balance_pc_type gamg")
# An SPD operator is balanced symmetrically (r = c), which keeps it SPD
SYMMETRIC=(-sinkhorn_extra "+sinkhorn_balance_symmetric" -newton_balance_symmetric -newton_gamg_balance_symmetric -plain_balance_symmetric)
# ex19's Jacobians keep Dirichlet values as identity rows: no total support (see docs/balance.md)
DROP="-newton_balance_drop_unsupported -newton_gamg_balance_drop_unsupported -plain_balance_drop_unsupported"

# SNES ex19 (driven cavity, 4 fields) at a high Grashof number: its Jacobians dumped with
# -ksp_view_mat; the 5th Newton step's is used. Built from PETSc's installed example source.
ex19_jacobian() {
  local grid=$1 src=/usr/share/petsc/3.18/share/petsc/examples/src/snes/tutorials/ex19.c
  local vars=${PETSC_DIR:-/usr/lib/petsc}/lib/petsc/conf/petscvariables
  [ -f "$src" ] || { echo "(ex19 source not found at $src: case skipped)"; return 1; }
  mkdir -p "$WORK"
  mpicc -O2 $(sed -n 's/^PETSC_CC_INCLUDES = //p' "$vars") "$src" -o "$WORK/ex19" $(sed -n 's/^PETSC_WITH_EXTERNAL_LIB = //p' "$vars") -Wl,-rpath,"$(sed -n 's/^PETSC_LIB_DIR = //p' "$vars")"
  (cd "$WORK" && rm -f J$grid.bin J$grid.bin.info && ./ex19 -da_grid_x "$grid" -da_grid_y "$grid" -lidvelocity 100 -prandtl 1 -grashof 1e5 \
     -snes_max_it 5 -pc_type lu -snes_monitor -ksp_view_mat binary:J$grid.bin | tail -3)
}

if [ $FULL = 0 ]; then
  want convdiff && run "Scaled convection-diffusion 128^2, rows and columns by 10^U(-2,2)" -case convdiff -n 128 -scale 2 "${GAMGNEWTON[@]}"
  want hard && run "Nearly triangular 5-point pattern 128^2 (strictly lower triangle x 1e-2)" -case hard -n 128 -tables balance -balance_methods newton_jacobi,plain
  want ex19 && ex19_jacobian 32 && run "SNES ex19 Jacobian, 32^2 grid, Grashof 1e5, lid velocity 100" -case file -f "$WORK/J32.bin" -f_index 4 $DROP
  want multifield && run "Two-field heat and solute system (mixed SI units) 64^2" -case multifield -n 64
  want spd && run "Well-scaled SPD: the 5-point Laplacian 128^2, symmetric balancing" -case convdiff -n 128 -pe 0 -scale 0 "${SYMMETRIC[@]}"
else
  want convdiff && run "Scaled convection-diffusion 256^2, rows and columns by 10^U(-2,2)" -case convdiff -n 256 -scale 2 -bench_ksp_max_it 1000 "${GAMGNEWTON[@]}"
  want hard && run "Nearly triangular 5-point pattern 256^2 (strictly lower triangle x 1e-2)" -case hard -n 256 -tables balance -balance_methods newton_jacobi,plain
  want ex19 && ex19_jacobian 64 && run "SNES ex19 Jacobian, 64^2 grid, Grashof 1e5, lid velocity 100" -case file -f "$WORK/J64.bin" -f_index 4 -bench_ksp_max_it 1000 $DROP
  want multifield && run "Two-field heat and solute system (mixed SI units) 128^2" -case multifield -n 128 -bench_ksp_max_it 1000
  want spd && run "Well-scaled SPD: the 5-point Laplacian 256^2, symmetric balancing" -case convdiff -n 256 -pe 0 -scale 0 -bench_ksp_max_it 1000 "${SYMMETRIC[@]}"
  want big && run "Scaled convection-diffusion 1024^2 (1M rows), rows and columns by 10^U(-2,2)" -case convdiff -n 1024 -scale 2 -balance_methods newton_gamg,plain -bench_ksp_max_it 1000 -pcs gamg,hypre "${GAMGNEWTON[@]}"
fi
