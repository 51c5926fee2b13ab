# resbench: the only build entry point.
#   make                  library + resbench CLI         (build/<arch>/)
#   make test             install deps, build and run the Check tests
#   make run              install deps, then `resbench check` (the benchmark sweep in a later issue)
#   make ARCH=aarch64     cross build with aarch64-linux-gnu-gcc; `make test ARCH=aarch64` runs under qemu
#   make SANITIZE=1 test  ASan + UBSan build of the tests (x86-64), in build/<arch>-san/
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
  ISA_FLAGS :=
else ifeq ($(ARCH),x86_64)
  ISA_SRCS := $(wildcard kernels/avx512/*.c)
  # Only these files get AVX-512 code; everything else runs on any x86-64.
  ISA_FLAGS := -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma
else
  $(error ARCH must be x86_64 or aarch64, not $(ARCH))
endif

CC := $(CROSS)gcc
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
CPPFLAGS += $(JANSSON_CFLAGS)

LIB_SRCS := $(wildcard kernels/*.c kernels/ref/*.c blocks/*.c) $(ISA_SRCS)
# fp64 oracles and the per-family checks: shared by the CLI and the tests.
CHECK_SRCS := $(wildcard suites/oracle64*.c suites/check_*.c)
CLI_SRCS := suites/resbench.c suites/check.c $(wildcard suites/cmd_*.c)
TEST_SRCS := $(wildcard tests/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB := $(BUILD)/libresbench.a
CLI := $(BUILD)/resbench
TESTS := $(BUILD)/tests/run_tests

.PHONY: all test run bench clean deps
all: $(LIB) $(CLI)

deps:
	@tools/install-deps

$(BUILD)/kernels/avx512/%.o: CFLAGS += $(ISA_FLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: CPPFLAGS += $(CHECK_CFLAGS)

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(CROSS)ar rcs $@ $^

$(CLI): $(call obj,$(CLI_SRCS) $(CHECK_SRCS)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -lm

$(TESTS): $(call obj,$(TEST_SRCS) $(CHECK_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

# The deps step runs first (order-only) so a fresh machine gets its compilers before the build.
test: | deps
	$(MAKE) --no-print-directory $(TESTS) $(CLI)
	RESBENCH_FIXTURES=tests/fixtures RESBENCH_CLI="$(strip $(RUN) $(CLI))" $(RUN) $(TESTS)

run: | deps
	$(MAKE) --no-print-directory $(CLI)
	$(RUN) $(CLI) check

bench:
	@echo "make bench: the Google Benchmark suite arrives with the benchmark issue" >&2; exit 1

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
