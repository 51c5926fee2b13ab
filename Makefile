# resbench: the only build entry point.
#   make                  library + resbench CLI         (build/<arch>/)
#   make test             install deps, build and run the Check tests
#   make run              install deps, then the default benchmark (resbench check, info, sweep)
#   make bench            Google Benchmark microbenchmarks (resbench-gbench; x86-64)
#   make ARCH=aarch64     cross build with aarch64-linux-gnu-gcc; `make test ARCH=aarch64` runs under qemu
#                         (whole-network golden tests on 3 models of 7: RESBENCH_FORWARD_QUICK=1)
#   make SANITIZE=1 test  ASan + UBSan build of the tests (x86-64), in build/<arch>-san/
#   make report REPORT_DIR=results/<host>-<cpu>   tables and plots from that directory's result files
#   make fuzz             libFuzzer targets (clang, ASan + UBSan) on their seed corpora, FUZZ_SECONDS each
#   CI=true / WERROR=1    warnings are errors

ARCH ?= $(shell uname -m)
SANITIZE ?= 0
WERROR ?= $(if $(filter true,$(CI)),1,0)

ifeq ($(ARCH),aarch64)
  ifneq ($(shell uname -m),aarch64)
    CROSS := aarch64-linux-gnu-
    RUN := qemu-aarch64
    export PKG_CONFIG_LIBDIR := /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
  endif
  # A dynamically linked Check binary hung in fork mode under qemu: link statically.
  STATIC := -static
  ISA_SRCS := $(wildcard kernels/neon/*.c)
  # oneDNN, libxsmm and Google Benchmark are x86-64 packages here: no peers, no resbench-gbench.
  PEER_SRCS := suites/peers/none.c
  PEER_LIBS :=
  # Debian's arm64 libhwloc.a needs libudev, which has no static library: link no-op udev calls.
  PLATFORM_SRCS := suites/platform/noudev.c
else ifeq ($(ARCH),x86_64)
  ISA_SRCS := $(wildcard kernels/avx2/*.c kernels/avx512/*.c)
  # Only these files get AVX2 / AVX-512 code; everything else runs on any x86-64.
  AVX2_FLAGS := -mavx2 -mfma
  AVX512_FLAGS := -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma
  PEER_SRCS := $(filter-out suites/peers/none.c,$(wildcard suites/peers/*.c))
  # libxsmm is static only and its pkg-config line does not link as shipped: this order does.
  PEER_LIBS := -ldnnl -lxsmm -lxsmmnoblas -lpthread -lrt -ldl -lm
  PLATFORM_SRCS :=
  GBENCH := 1
else
  $(error ARCH must be x86_64 or aarch64, not $(ARCH))
endif

CC := $(CROSS)gcc
CXX := $(CROSS)g++
PKG_CONFIG ?= pkg-config
BUILD := build/$(ARCH)$(if $(filter 1,$(SANITIZE)),-san)

# -iquote: suites/check.h must not shadow Check's <check.h>.
CPPFLAGS := -Iinclude -iquote suites -MMD -MP
CFLAGS := -std=gnu17 -O2 -g -fopenmp -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unknown-pragmas
ifeq ($(WERROR),1)
  CFLAGS += -Werror
endif
LDFLAGS := -fopenmp $(STATIC)
ifeq ($(SANITIZE),1)
  CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif

JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson)
JANSSON_LIBS := $(shell $(PKG_CONFIG) $(if $(STATIC),--static) --libs jansson)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS := $(shell $(PKG_CONFIG) $(if $(STATIC),--static) --libs check)
HWLOC_LIBS := -lhwloc $(if $(STATIC),-lm -lpthread)
CPPFLAGS += $(JANSSON_CFLAGS)

LIB_SRCS := $(wildcard kernels/*.c kernels/ref/*.c kernels/scalar/*.c blocks/*.c) $(ISA_SRCS)
# Everything of suites/ but the CLI's main: oracles, checks, commands, topology, peaks, peers,
# timing, sweep, result records. Shared by the CLI, resbench-gbench and the tests.
SUITE_SRCS := $(filter-out suites/resbench.c,$(wildcard suites/*.c)) $(PEER_SRCS) $(PLATFORM_SRCS)
SUITE_LIBS := $(JANSSON_LIBS) $(HWLOC_LIBS) $(PEER_LIBS) -lm
CLI_SRCS := suites/resbench.c
# tests/<arch>/ holds the suites only that architecture builds (listed in its arch_suites.inc).
TEST_SRCS := $(wildcard tests/*.c tests/$(ARCH)/*.c)
GBENCH_SRCS := $(wildcard suites/gbench/*.c suites/gbench/*.cc)
ifeq ($(GBENCH),1)
  TEST_CXX_SRCS := $(wildcard suites/gbench/shim.cc)
  TEST_LD := $(CXX)
  TEST_LIBS := -lbenchmark -lpthread
else
  TEST_LD := $(CC)
endif

obj = $(patsubst %.cc,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(1)))
LIB := $(BUILD)/libresbench.a
SUITE_LIB := $(BUILD)/libresbench_suite.a
CLI := $(BUILD)/resbench
GBENCH_BIN := $(BUILD)/resbench-gbench
TESTS := $(BUILD)/tests/run_tests

.PHONY: all test run bench clean deps report fuzz
all: $(LIB) $(CLI)

deps:
	@tools/install-deps

$(BUILD)/kernels/avx2/%.o: CFLAGS += $(AVX2_FLAGS)
$(BUILD)/kernels/avx512/%.o: CFLAGS += $(AVX512_FLAGS)
# Build context for result records (suites/results.c); quotes and backslashes stripped so the strings stay C literals.
rb_cstr = '"$(subst \,,$(subst ',,$(subst ",,$(1))))"'
$(BUILD)/suites/results.o: CPPFLAGS += -DRB_GIT_REV=$(call rb_cstr,$(shell git describe --always --dirty 2>/dev/null || echo unknown)) \
  -DRB_CC_VERSION=$(call rb_cstr,$(shell $(CC) --version 2>/dev/null | head -1)) -DRB_CFLAGS=$(call rb_cstr,$(CFLAGS))
# A new commit (or staged change) rebuilds it, so result documents name the revision they ran.
$(BUILD)/suites/results.o: $(wildcard .git/HEAD .git/index)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

CXXFLAGS := $(filter-out -std=gnu17 -Wstrict-prototypes,$(CFLAGS)) -std=gnu++17
$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: CPPFLAGS += $(CHECK_CFLAGS) -iquote tests/$(ARCH)

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(CROSS)ar rcs $@ $^

$(SUITE_LIB): $(call obj,$(SUITE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(CROSS)ar rcs $@ $^

# Objects that must come after the libraries (no-op udev for static hwloc on aarch64).
SUITE_LIBS += $(call obj,$(PLATFORM_SRCS))

$(CLI): $(call obj,$(CLI_SRCS)) $(SUITE_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(SUITE_LIBS)

$(TESTS): $(call obj,$(TEST_SRCS) $(TEST_CXX_SRCS)) $(SUITE_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(TEST_LD) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(SUITE_LIBS) $(TEST_LIBS)

# Google Benchmark's binary is C++: link it with g++.
$(GBENCH_BIN): $(call obj,$(GBENCH_SRCS)) $(SUITE_LIB) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(SUITE_LIBS) -lbenchmark -lpthread

# The deps step runs first (order-only) so a fresh machine gets its compilers before the build.
# The suites run TEST_JOBS at a time, each in its own process (tests/run_suites.sh); TEST_JOBS=1
# runs them one after another. One suite alone: CK_RUN_SUITE=name with the binary (see README).
TEST_JOBS ?= 2
test: | deps
	$(MAKE) --no-print-directory $(TESTS) $(CLI)
	RESBENCH_FIXTURES=tests/fixtures RESBENCH_CLI="$(strip $(RUN) $(CLI))" $(if $(RUN),RESBENCH_FORWARD_QUICK=1 RESBENCH_EMULATED=1) \
	  tests/run_suites.sh $(TEST_JOBS) $(BUILD)/test-logs $(RUN) $(TESTS)

# The default sweep, a few minutes on 2 cores: the kernels checked against fp64 first (no speed
# figure for a wrong kernel), topology and peaks; the ResNeSt-50 radix x cardinality grid at
# block level (the ablation's 1x64d and 2x40d: cardinality with the width that keeps the cost);
# resnet50's whole network beside oneDNN (x86-64). Best ISA, core and machine domains. Markdown
# tables on stdout, JSON + Markdown under results/.
RUN_RESULTS ?= results
run: | deps
	$(MAKE) --no-print-directory $(CLI)
	$(RUN) $(CLI) check
	$(RUN) $(CLI) info
	$(RUN) $(CLI) sweep --family resnest --depth 50 --radix 1,2,4 --cxw 1x64d,2x40d --level block \
	  --domains core,machine --results $(RUN_RESULTS)
	$(RUN) $(CLI) sweep --family resnet --depth 50 --level network --domains core,machine \
	  --peers $(if $(filter x86_64,$(ARCH)),onednn,none) --results $(RUN_RESULTS)

ifeq ($(GBENCH),1)
bench: | deps
	$(MAKE) --no-print-directory $(GBENCH_BIN)
	$(GBENCH_BIN) $(BENCH_ARGS)
else
bench:
	@echo "make bench: Google Benchmark is built for x86-64 only here (ARCH=$(ARCH))" >&2; exit 1
endif

# Tables (Markdown, CSV, LaTeX) and plots from every result file of one directory (JSON documents
# and check --json output saved as *.jsonl): make report REPORT_DIR=results/<host>-<cpu>
report: | deps
	@test -n "$(REPORT_DIR)" || { echo "make report: give REPORT_DIR=results/<host>-<cpu>" >&2; exit 2; }
	$(MAKE) --no-print-directory $(CLI)
	$(RUN) $(CLI) table --skip-foreign $(sort $(wildcard $(REPORT_DIR)/*.json $(REPORT_DIR)/*.jsonl)) > $(REPORT_DIR)/tables.md
	$(RUN) $(CLI) table --skip-foreign $(sort $(wildcard $(REPORT_DIR)/*.json $(REPORT_DIR)/*.jsonl)) --format csv > $(REPORT_DIR)/tables.csv
	$(RUN) $(CLI) table --skip-foreign $(sort $(wildcard $(REPORT_DIR)/*.json $(REPORT_DIR)/*.jsonl)) --format latex > $(REPORT_DIR)/tables.tex
	$(RUN) $(CLI) plot --skip-foreign $(sort $(wildcard $(REPORT_DIR)/*.json)) --out $(REPORT_DIR)/plots

# libFuzzer targets tests/fuzz/fuzz_<name>.c, built with clang, ASan and UBSan in build/fuzz/ (the
# library and suites without peers). Each runs FUZZ_SECONDS on its committed seed corpus
# tests/fuzz/corpus/<name>/ (read only: new inputs go to build/fuzz/corpus/<name>/); FUZZ_ARGS adds
# libFuzzer flags (FUZZ_ARGS=-runs=1000000). A crash stops make with the input in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=gnu17 -g -O1 -fopenmp -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
  -fno-omit-frame-pointer -Wall -Wno-unknown-pragmas -Wno-pass-failed
FUZZ_SRCS := $(LIB_SRCS) $(filter-out suites/resbench.c,$(wildcard suites/*.c)) suites/peers/none.c
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzzobj = $(patsubst %.c,$(FUZZ_DIR)/%.o,$(1))

# The Winograd transforms (one template, fully unrolled) take clang minutes a file at -O1 with the
# sanitizers, and no fuzz target runs them: -O0 there.
$(FUZZ_DIR)/kernels/%winograd.o $(FUZZ_DIR)/kernels/scalar/winograd_%.o: FUZZ_CFLAGS += -O0
$(FUZZ_DIR)/kernels/avx2/%.o: FUZZ_CFLAGS += $(AVX2_FLAGS)
$(FUZZ_DIR)/kernels/avx512/%.o: FUZZ_CFLAGS += $(AVX512_FLAGS)
$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -iquote tests/fuzz $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libresbench_fuzz.a: $(call fuzzobj,$(FUZZ_SRCS))
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libresbench_fuzz.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -fopenmp -o $@ $^ $(JANSSON_LIBS) -lhwloc -lm

fuzz: | deps
	$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	@for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t && echo "== fuzz $$t ($(FUZZ_SECONDS) s)" && \
	  (cd $(FUZZ_DIR) && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
	     -close_fd_mask=2 -print_final_stats=1 $(FUZZ_ARGS) corpus/$$t ../../tests/fuzz/corpus/$$t) || exit 1; \
	done

clean:
	rm -rf build

# The dependency files of this build's objects only (not every configuration's under build/).
-include $(patsubst %.o,%.d,$(call obj,$(LIB_SRCS) $(SUITE_SRCS) $(CLI_SRCS) $(TEST_SRCS) $(TEST_CXX_SRCS) $(GBENCH_SRCS)))
