# Krylearn: learned solvers, optimal transport and spectrum analyses as PETSc/SLEPc plugins.
#
#   make            build lib/libkrylearn.so and the programs in bin/
#   make check      install the Debian packages needed (as root), build, run every test
#   make demo       run the main job on an embedded default
#   make bench      run every side-by-side benchmark in bench/ (minutes; see each docs/*.md)
#   make install PREFIX=/usr/local
#
# Sources are found by directory: every src/*/*.c and plugins/*.c goes into the
# library, apps/NAME.c becomes bin/NAME, tests/AREA/NAME.c becomes build/tests/AREA/NAME,
# bench/NAME/*.c becomes build/bench/NAME/*. Tests are listed in tests/*/TESTS.

PETSC_DIR ?= /usr/lib/petsc
SLEPC_DIR ?= /usr/lib/slepc
PREFIX    ?= /usr/local
PYTHON    ?= /usr/bin/python3
V         ?= 0
Q          = $(if $(filter 1,$(V)),,@)

# Absent on a fresh machine: 'make check' installs the packages first, then re-enters make.
-include ${SLEPC_DIR}/lib/slepc/conf/slepc_variables

KRYLEARN_CFLAGS = -std=gnu11 -O3 -march=x86-64-v2 -Wall -Wextra -Wno-unused-parameter -fPIC -Iinclude -Isrc
KRYLEARN_LIBS   = ${SLEPC_LIB} ${PETSC_LIB} ${HDF5_LIB} -ldnnl -lm

LIB_SRC   := $(wildcard src/*/*.c plugins/*.c)
LIB_OBJ   := $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
APP_SRC   := $(wildcard apps/*.c)
APPS      := $(patsubst apps/%.c,bin/%,$(APP_SRC))
TEST_SRC  := $(wildcard tests/*/*.c)
TESTS     := $(patsubst tests/%.c,build/tests/%,$(TEST_SRC))
BENCH_SRC := $(wildcard bench/*/*.c)
BENCHES   := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))
HEADERS   := $(wildcard include/*.h src/*/*.h plugins/*.h)
LIBRARY   := lib/libkrylearn.so
# Programs find the library beside them (bin/../lib, also once installed); tests in the tree.
RPATH_DEPS = -Wl,-rpath,${SLEPC_LIB_DIR} -Wl,-rpath,${PETSC_DIR}/lib
APP_RPATH  = -Wl,-rpath,'$$ORIGIN/../lib' $(RPATH_DEPS)
RPATH      = -Wl,-rpath,$(abspath lib) $(RPATH_DEPS)

.PHONY: all deps check check-build demo install clean bench
.DEFAULT_GOAL := all

all: $(LIBRARY) $(APPS) $(TESTS) $(BENCHES)

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} -c $< -o $@

$(LIBRARY): $(LIB_OBJ)
	@mkdir -p lib
	@echo "  LD      $@"
	$(Q)${PCC} -shared -o $@ $^ ${KRYLEARN_LIBS} -Wl,-rpath,${SLEPC_LIB_DIR}

bin/%: apps/%.c $(LIBRARY) $(HEADERS)
	@mkdir -p bin
	@echo "  CCLD    $@"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} $< -o $@ -Llib -lkrylearn ${KRYLEARN_LIBS} $(APP_RPATH)

build/tests/%: tests/%.c $(LIBRARY) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} $< -o $@ -Llib -lkrylearn ${KRYLEARN_LIBS} $(RPATH)
build/bench/%: bench/%.c $(LIBRARY) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} $< -o $@ -Llib -lkrylearn ${KRYLEARN_LIBS} $(RPATH)

# Debian packages: installed when run as root, otherwise the exact command is printed.
deps:
	@scripts/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory check-build
	@$(PYTHON) tests/run.py $(TESTARGS)

check-build: all

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# Programs look for the library in bin/../lib, so the installed tree can move as a whole.
bench: all
	bench/deepcd/run.sh
	$(PYTHON) bench/nn_forward/run.py
	$(PYTHON) bench/ot/bench.py
	$(PYTHON) bench/spectrum/bench.py
	$(PYTHON) bench/spectrum/pyhessian.py

install: $(LIBRARY) $(APPS)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/krylearn $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)$(PREFIX)/share/krylearn $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(LIBRARY) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/*.h $(DESTDIR)$(PREFIX)/include/krylearn/
	install -m 755 $(APPS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 data/*.h5 $(DESTDIR)$(PREFIX)/share/krylearn/
	sed -e 's|@PREFIX@|$(PREFIX)|' scripts/krylearn.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/krylearn.pc
	install -d $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/krylearn
	install -m 644 python/krylearn/*.py $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/krylearn/
	install -m 644 train/export_mlp.py $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/

clean:
	rm -rf build lib bin
