#!/bin/sh
# bench/deepcd: deepcd against CG, CG+ICC(0), CG+GAMG and CG+hypre BoomerAMG on the
# pressure-Poisson problem with a disc/ball obstacle, 2-D 128^2..2048^2 and 3-D 32^3..192^3,
# at rtol 1e-4 and 1e-6 (a quarter of an hour with -repeat 1; a classical solver more than
# 10 times slower than the best one is not run at the larger sizes, -prune). Extra arguments
# go to the benchmark (e.g. -repeat 1, -model2d FILE, -sizes3d 32,64; -moving 20 for the
# time-dependent scenario of a moving obstacle, see results.md).
cd "$(dirname "$0")/../.."
exec build/bench/deepcd/bench -sizes2d 128,256,512,1024,2048 -sizes3d 32,64,128,192 -rtols 1e-4,1e-6 "$@"
