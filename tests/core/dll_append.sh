#!/bin/bash
# PETSc's ksp/tutorials/ex2, compiled unmodified against PETSc only, sees the Krylearn
# types once the library is loaded at run time with -dll_append: -help lists deepcd
# among the KSP and the PC types, and does not without the library.
# usage: dll_append.sh [mpiexec -n P]
set -euo pipefail
cp /usr/share/petsc/3.18/share/petsc/examples/src/ksp/ksp/tutorials/ex2.c ex2.c
mpicc ex2.c -o ex2 $(pkg-config --cflags --libs petsc)
if ldd ex2 | grep krylearn > /dev/null; then
  echo "ex2 is linked with Krylearn: the test needs a program built against PETSc only"
  exit 1
fi
# Under mpiexec the help text is read from rank 0's own output file: forwarded output
# of several ranks can interleave inside a line.
LAUNCH=("$@")
run_help() { # run_help OUT [OPTIONS...]
  local out=$1; shift
  if [ ${#LAUNCH[@]} -gt 0 ]; then
    "${LAUNCH[@]}" --output-filename "$out.d" ./ex2 -help "$@" > /dev/null
    cp "$out.d"/1/rank.0/stdout "$out"
  else
    ./ex2 -help "$@" > "$out"
  fi
}
run_help plain.txt
run_help plugin.txt -dll_append "$LIB"
for type in ksp pc; do
  if grep -- "-${type}_type " plain.txt | grep -qw deepcd; then
    echo "-${type}_type lists deepcd without the library:"; grep -- "-${type}_type " plain.txt; exit 1
  fi
  if ! grep -- "-${type}_type " plugin.txt | grep -qw deepcd; then
    echo "-${type}_type does not list deepcd after -dll_append $LIB:"; grep -- "-${type}_type " plugin.txt; exit 1
  fi
done
