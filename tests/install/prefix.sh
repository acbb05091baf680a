#!/bin/bash
# 'make install' into a fresh prefix: library, headers, programs, data and pkg-config
# file are there; a program built with 'pkg-config krylearn' runs without
# LD_LIBRARY_PATH (the .pc file gives the rpath); the installed
# programs find the installed library beside them, also after the prefix is moved.
set -euo pipefail
# Pipelines end in "grep > /dev/null", not "grep -q": grep -q stops reading at the first
# match, and under pipefail the writer's SIGPIPE would fail the pipeline.
prefix=$PWD/prefix
make -s -C "$ROOT" install PREFIX="$prefix" > install.log
missing=0
expect=(lib/libkrylearn.so lib/pkgconfig/krylearn.pc)
for f in "$ROOT"/include/*.h; do expect+=("include/krylearn/$(basename "$f")"); done
for f in "$ROOT"/apps/*.c; do expect+=("bin/$(basename "$f" .c)"); done
for f in "$ROOT"/data/*.h5; do expect+=("share/krylearn/$(basename "$f")"); done
for f in "${expect[@]}"; do
  [ -f "$prefix/$f" ] || { echo "make install did not install $f"; missing=1; }
done
[ $missing = 0 ]

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cat > init.c <<'C'
#include <krylearn.h>

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(KrylearnInitializePackage());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "Krylearn initialized\n"));
  PetscCall(PetscFinalize());
  return 0;
}
C
mpicc init.c -o init $(pkg-config --cflags --libs krylearn)
ldd init | grep "libkrylearn.so => $prefix/lib/libkrylearn.so" > /dev/null || { echo "init does not load $prefix/lib/libkrylearn.so:"; ldd init; exit 1; }
./init | grep "Krylearn initialized" > /dev/null

mv prefix moved
ldd moved/bin/krylearn-ingest | grep "libkrylearn.so => $PWD/moved/bin/../lib/libkrylearn.so" > /dev/null || { echo "krylearn-ingest does not load the library beside it:"; ldd moved/bin/krylearn-ingest; exit 1; }
moved/bin/krylearn-ingest info moved/share/krylearn/poisson2d.h5 > info.txt
grep -q "rows: *4096" info.txt || { cat info.txt; exit 1; }
