#!/bin/bash
# The library exports only its documented API: every defined dynamic symbol is declared in
# a public header (include/*.h), apart from the plugin entry point PetscDLLibraryRegister_krylearn
# and the linker's own markers. Internal helpers are PETSC_INTERN.
set -euo pipefail
bad=0
for s in $(nm -D --defined-only "$LIB" | awk '{print $3}'); do
  case $s in PetscDLLibraryRegister_krylearn|_edata|_end|__bss_start) continue ;; esac
  grep -qw -- "$s" "$ROOT"/include/*.h || { echo "exported but not in a public header: $s"; bad=1; }
done
# a program that only wants deepcd (or OT, or the network runtime) compiles without SLEPc
printf '#include <krylearnksp.h>\n#include <krylearnnn.h>\n#include <krylearnot.h>\n#include <krylearnio.h>\n#include <krylearnpressure.h>\nint main(void) { return KrylearnInitializePackage() != 0; }\n' > partial.c
mpicc -E partial.c -I"$ROOT"/include $(pkg-config --cflags petsc) > partial.i
if grep -q "slepc[a-z]*\.h" partial.i; then echo "the deepcd/OT/NN/IO headers pull in SLEPc"; bad=1; fi
mpicc partial.c -o partial -I"$ROOT"/include $(pkg-config --cflags --libs petsc) -L"$(dirname "$LIB")" -lkrylearn
[ $bad = 0 ] && echo "exports: $(nm -D --defined-only "$LIB" | wc -l) symbols, all documented; headers without SLEPc compile"
