#!/bin/sh
# The main job on an embedded default (see README.md).
set -e
cd "$(dirname "$0")/.."

echo "== Ingestion: describe a shipped matrix (2-D pressure Poisson, 64 x 64 cells, disc obstacle)"
bin/krylearn-ingest info data/poisson2d-disc.h5

echo "== Pressure Poisson with an obstacle: deepcd (shipped model) beside CG and CG+ICC(0), rtol 1e-6"
for args in "-dim 2 -n 128" "-dim 3 -n 48"; do
  for solver in "-ksp_type deepcd" "-ksp_type cg -pc_type none" "-ksp_type cg -pc_type icc"; do
    bin/krylearn-pressure $args -obstacle disc -ksp_rtol 1e-6 -ksp_norm_type unpreconditioned $solver | grep -E "^(ksp|deepcd)"
  done
done
