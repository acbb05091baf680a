#!/bin/sh
# bench/deepcd generalisation table: deepcd beside CG+GAMG on Poisson problems outside the
# training family (closed Neumann box, mixed boundaries, coefficient contrast 10 and 100,
# vertex-centred grids with prescribed boundary rows, odd sizes), 2-D 256^2 and 3-D 64^3
# based, rtol 1e-6. Extra arguments go to the program (e.g. -models2d "",data/deepcd-2d-hybrid.h5).
cd "$(dirname "$0")/../.."
exec build/bench/deepcd/general -n2d 256 -n3d 64 -rtol 1e-6 "$@"
