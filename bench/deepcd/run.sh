#!/bin/sh
# bench/deepcd: deepcd against CG, CG+ICC(0), CG+GAMG and CG+hypre BoomerAMG on the
# pressure-Poisson problem with a disc/ball obstacle over the grid range of the shipped
# models' quality line, 2-D 128^2..1024^2 and 3-D 32^3..128^3, at rtol 1e-4 and 1e-6
# (a few minutes). Extra arguments go to the benchmark (e.g. -model2d FILE, -sizes3d 32,64;
# -moving 20 for the time-dependent scenario of a moving obstacle, see results.md).
cd "$(dirname "$0")/../.."
exec build/bench/deepcd/bench -sizes2d 128,256,512,1024 -sizes3d 32,64,128 -rtols 1e-4,1e-6 "$@"
