# Krylearn: learned solvers, optimal transport and spectrum analyses as PETSc/SLEPc plugins.
#
#   make            build lib/libkrylearn.so and the programs in bin/
#   make check      install the Debian packages needed (as root), build, run every test
#   make demo       run the main job on an embedded default
#   make bench      run every side-by-side benchmark in bench/ (minutes; see each docs/*.md)
#   make asan       the library and programs with AddressSanitizer, in build/asan (beside the normal build)
#   make fuzz       mutation fuzzing of every input format (tests/fuzz/README.md; FUZZ_N, FUZZ_SEED, FUZZ_NP, ASAN=1)
#   make install PREFIX=/usr/local
#
# Sources are found by directory: every .c under src/ (at any depth) and plugins/*.c goes
# into the library, apps/NAME.c becomes bin/NAME (linked with the program helpers of
# apps/common/), tests/AREA/NAME.c becomes build/tests/AREA/NAME,
# bench/NAME/*.c becomes build/bench/NAME/*. Tests are listed in tests/*/TESTS.

PETSC_DIR ?= /usr/lib/petsc
SLEPC_DIR ?= /usr/lib/slepc
PREFIX    ?= /usr/local
PYTHON    ?= /usr/bin/python3
V         ?= 0
Q          = $(if $(filter 1,$(V)),,@)

# Absent on a fresh machine: 'make check' installs the packages first, then re-enters make.
-include ${SLEPC_DIR}/lib/slepc/conf/slepc_variables

KRYLEARN_CFLAGS = -std=gnu11 -O3 -march=x86-64-v2 -fopenmp -Wall -Wextra -Wno-unused-parameter -fPIC -Iinclude -Isrc
KRYLEARN_LIBS   = ${SLEPC_LIB} ${PETSC_LIB} ${HDF5_LIB} -ldnnl -fopenmp -lm

LIB_SRC   := $(sort $(shell find src -name '*.c') $(wildcard plugins/*.c))
LIB_OBJ   := $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
APP_COMMON_OBJ := $(patsubst %.c,build/obj/%.o,$(wildcard apps/common/*.c))
APP_SRC   := $(wildcard apps/*.c)
APPS      := $(patsubst apps/%.c,bin/%,$(APP_SRC))
TEST_SRC  := $(wildcard tests/*/*.c)
TESTS     := $(patsubst tests/%.c,build/tests/%,$(TEST_SRC))
BENCH_SRC := $(wildcard bench/*/*.c)
BENCHES   := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))
HEADERS   := $(wildcard include/*.h plugins/*.h apps/common/*.h) $(shell find src -name '*.h')
LIBRARY   := lib/libkrylearn.so
# Programs find the library beside them (bin/../lib, also once installed); tests in the tree.
RPATH_DEPS = -Wl,-rpath,${SLEPC_LIB_DIR} -Wl,-rpath,${PETSC_DIR}/lib
APP_RPATH  = -Wl,-rpath,'$$ORIGIN/../lib' $(RPATH_DEPS)
RPATH      = -Wl,-rpath,$(abspath lib) $(RPATH_DEPS)

.PHONY: all deps check check-build demo install clean bench asan fuzz
.DEFAULT_GOAL := all
# kept between builds, not deleted as intermediates of bin/%
.SECONDARY: $(APP_COMMON_OBJ)

all: $(LIBRARY) $(APPS) $(TESTS) $(BENCHES)

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} -c $< -o $@

$(LIBRARY): $(LIB_OBJ)
	@mkdir -p lib
	@echo "  LD      $@"
	$(Q)${PCC} -shared -o $@ $^ ${KRYLEARN_LIBS} -Wl,-rpath,${SLEPC_LIB_DIR}

bin/%: apps/%.c $(APP_COMMON_OBJ) $(LIBRARY) $(HEADERS)
	@mkdir -p bin
	@echo "  CCLD    $@"
	$(Q)${PCC} ${KRYLEARN_CFLAGS} ${SLEPC_CC_INCLUDES} $< $(APP_COMMON_OBJ) -o $@ -Llib -lkrylearn ${KRYLEARN_LIBS} $(APP_RPATH)

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
	$(PYTHON) bench/spectrum/petsc_eigs.py
	bench/balance/run.sh
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

# AddressSanitizer build: its own objects, library and programs under build/asan; the programs
# find build/asan/lib first ($$ORIGIN/../lib).
ASAN_CFLAGS := $(filter-out -O3,$(KRYLEARN_CFLAGS)) -O1 -g -fno-omit-frame-pointer -fsanitize=address
ASAN_OBJ    := $(patsubst %.c,build/asan/obj/%.o,$(LIB_SRC))
ASAN_APP_COMMON_OBJ := $(patsubst build/obj/%,build/asan/obj/%,$(APP_COMMON_OBJ))
.SECONDARY: $(ASAN_APP_COMMON_OBJ)
ASAN_APPS   := $(patsubst apps/%.c,build/asan/bin/%,$(APP_SRC))

asan: build/asan/lib/libkrylearn.so $(ASAN_APPS)

build/asan/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC ASAN $<"
	$(Q)${PCC} ${ASAN_CFLAGS} ${SLEPC_CC_INCLUDES} -c $< -o $@

build/asan/lib/libkrylearn.so: $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD ASAN $@"
	$(Q)${PCC} -shared -fsanitize=address -o $@ $^ ${KRYLEARN_LIBS} -Wl,-rpath,${SLEPC_LIB_DIR}

build/asan/bin/%: apps/%.c $(ASAN_APP_COMMON_OBJ) build/asan/lib/libkrylearn.so $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CCLD ASAN $@"
	$(Q)${PCC} ${ASAN_CFLAGS} ${SLEPC_CC_INCLUDES} $< $(ASAN_APP_COMMON_OBJ) -o $@ -Lbuild/asan/lib -lkrylearn ${KRYLEARN_LIBS} $(APP_RPATH)

# Mutation fuzzing (tests/fuzz/README.md): FUZZ_N mutants per format; ASAN=1 runs build/asan
FUZZ_N    ?= 10000
FUZZ_NP   ?= 1
FUZZ_SEED ?=
# runs at once: twice the cores, since a run spends much of its time starting up, waiting
FUZZ_JOBS ?= $(shell echo $$((2 * $$(nproc))))
ASAN      ?= 0
fuzz: $(if $(filter 1,$(ASAN)),asan,$(LIBRARY) $(APPS))
	$(PYTHON) tests/fuzz/fuzz.py -n $(FUZZ_N) --np $(FUZZ_NP) -j $(FUZZ_JOBS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
	  $(if $(filter 1,$(ASAN)),--asan) --keep build/fuzz/failures $(FUZZ_ARGS)

clean:
	rm -rf build lib bin
