#!/bin/sh
# In-process A/B of the AVX-512 (or AVX2) pools (kernels/eltwise_template.h) of an older revision against the
# working tree's: both templates compiled side by side (each its own rb_eltwise_fill__old / __new),
# then ResNet's three pools on N images of 56x56xC, the two alternated in rounds (best of 5 runs a
# side a round; the median ratio old / new, > 1: the working tree is faster). Pin it for 1 thread.
#   tools/ab_pool.sh REV [N [C [ISA]]]  OMP_NUM_THREADS sets the threads (2026-12-04: N 41 and N 1);
#                                      ISA avx512 (the default, 16 lanes) or avx2 (8)
set -eu
[ $# -ge 1 ] || { echo "usage: tools/ab_pool.sh REV [IMAGES [CHANNELS [avx512|avx2]]]" >&2; exit 2; }
rev=$1 n=${2:-41} c=${3:-256} isa=${4:-avx512}
case $isa in
  avx512) vl=16 flags="-O2 -fopenmp -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -Iinclude" ;;
  avx2) vl=8 flags="-O2 -fopenmp -mavx2 -mfma -Iinclude" ;;
  *) echo "ab_pool.sh: ISA is avx512 or avx2, not $isa" >&2; exit 2 ;;
esac
lib=build/x86_64/libresbench.a suite=build/x86_64/libresbench_suite.a
if [ ! -f "$lib" ] || [ ! -f "$suite" ]; then echo "ab_pool.sh: $lib or $suite is missing: run make first" >&2; exit 1; fi
out=build/ab_pool
mkdir -p "$out/old" "$out/new"
# Each side with its own revision's template and the headers it includes from kernels/.
for f in eltwise_template.h pool_window.h table.h vec_math.h; do
  git show "$rev:kernels/$f" > "$out/old/$f"
  cp "kernels/$f" "$out/new/"
done
for v in old new; do
  printf '#include <stdint.h>\n#define VM_VL %d\ntypedef float VM_VEC __attribute__((vector_size(%d)));\ntypedef int32_t VM_IVEC __attribute__((vector_size(%d)));\n#define EW_SUFFIX __%s\n#include "eltwise_template.h"\n' "$vl" $((vl * 4)) $((vl * 4)) "$v" > "$out/$v/ew.c"
  # shellcheck disable=SC2086
  ${CC:-gcc} $flags -I"$out/$v" -c "$out/$v/ew.c" -o "$out/$v.o"
done
${CC:-gcc} -O2 -fopenmp -Iinclude -Ikernels -Isuites tools/ab_pool/ab_pool.c "$out/old.o" "$out/new.o" \
  "$suite" "$lib" -lm -o "$out/ab_pool"
echo "old: $rev's kernels/eltwise_template.h; new: the working tree's ($(git describe --always --dirty)), $isa, $(date -u +%FT%TZ), OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"
exec "$out/ab_pool" "$n" "$c"
