#!/bin/bash
# PETSc's ksp/tutorials/ex45 (3-D Laplacian on a DMDA), compiled unmodified against PETSc
# only, solved with -ksp_type deepcd from the library loaded at run time.
# usage: ex45.sh RANKS [extra options]
set -e
ranks=$1; shift
src=/usr/share/petsc/3.18/share/petsc/examples/src/ksp/ksp/tutorials/ex45.c
cp "$src" ex45.c
mpicc ex45.c -o ex45 $(pkg-config --cflags --libs petsc)
if [ "$ranks" = 1 ]; then run=(./ex45); else run=($MPIEXEC -n "$ranks" ./ex45); fi
"${run[@]}" -dll_append "$LIB" -help | grep -q -- '-ksp_type .* deepcd'
"${run[@]}" -dll_append "$LIB" -help | grep -q -- '-pc_type .* deepcd'
"${run[@]}" -dll_append "$LIB" -ksp_type deepcd -ksp_converged_reason -ksp_view "$@" > out.txt 2>&1 || { cat out.txt; exit 1; }
cat out.txt | grep -E "converged|Residual|type: deepcd|model|grid"
grep -q "Linear solve converged due to CONVERGED_RTOL" out.txt
grep -q "type: deepcd" out.txt
# ex45's solution is u = 1 on the boundary, rhs h^3 inside: the true residual must be small
awk '/Residual norm/ { exit !($3 < 1e-3) }' out.txt
