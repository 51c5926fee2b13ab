#!/bin/sh
# In-process A/B of the AVX-512 pools (kernels/eltwise_template.h) of an older revision against the
# working tree's: both templates compiled side by side (each its own rb_eltwise_fill__old / __new),
# then ResNet's three pools on N images of 56x56xC, the two alternated in rounds (best of 5 runs a
# side a round; the median ratio old / new, > 1: the working tree is faster). Pin it for 1 thread.
#   tools/ab_pool.sh REV [N [C]]      OMP_NUM_THREADS sets the threads (2026-12-04: N 41 and N 1)
set -eu
[ $# -ge 1 ] || { echo "usage: tools/ab_pool.sh REV [IMAGES [CHANNELS]]" >&2; exit 2; }
rev=$1 n=${2:-41} c=${3:-256}
lib=build/x86_64/libresbench.a suite=build/x86_64/libresbench_suite.a
if [ ! -f "$lib" ] || [ ! -f "$suite" ]; then echo "ab_pool.sh: $lib or $suite is missing: run make first" >&2; exit 1; fi
out=build/ab_pool
mkdir -p "$out/old" "$out/new"
git show "$rev:kernels/eltwise_template.h" > "$out/old/eltwise_template.h"
cp kernels/eltwise_template.h "$out/new/"
flags="-O2 -fopenmp -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -Iinclude"
for v in old new; do
  cp kernels/pool_window.h kernels/table.h kernels/vec_math.h "$out/$v/"
  printf '#include <stdint.h>\n#define VM_VL 16\ntypedef float VM_VEC __attribute__((vector_size(64)));\ntypedef int32_t VM_IVEC __attribute__((vector_size(64)));\n#define EW_SUFFIX __%s\n#include "eltwise_template.h"\n' "$v" > "$out/$v/ew.c"
  # shellcheck disable=SC2086
  ${CC:-gcc} $flags -I"$out/$v" -c "$out/$v/ew.c" -o "$out/$v.o"
done
${CC:-gcc} -O2 -fopenmp -Iinclude -Ikernels -Isuites tools/ab_pool/ab_pool.c "$out/old.o" "$out/new.o" \
  "$suite" "$lib" -lm -o "$out/ab_pool"
echo "old: $rev's kernels/eltwise_template.h; new: the working tree's ($(git describe --always --dirty)), $(date -u +%FT%TZ), OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"
exec "$out/ab_pool" "$n" "$c"
