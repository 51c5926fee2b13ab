#!/bin/sh
# In-process A/B of the AVX-512 (or AVX2) element-wise kernels (kernels/eltwise_template.h) of an
# older revision against the working tree's: both templates compiled side by side (each its own
# rb_eltwise_fill__old / __new) and one harness timing the two alternated in rounds (the median
# ratio old / new, > 1: the working tree is faster). Pin it for 1 thread.
#   tools/ab_eltwise.sh pool REV [N [C [ISA]]]  ResNet's three pools on N images of 56x56xC
#                                              (tools/ab_pool/ab_pool.c; 2026-12-04: N 41 and N 1)
#   tools/ab_eltwise.sh fc REV [ISA]           SE's and the classifier's FCs, weights rotated
#                                              over 96 MiB (tools/ab_fc/ab_fc.c)
# ISA: avx512 (the default, 16 lanes) or avx2 (8). OMP_NUM_THREADS sets the threads.
set -eu
usage="usage: tools/ab_eltwise.sh pool REV [IMAGES [CHANNELS [avx512|avx2]]] | fc REV [avx512|avx2]"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
kind=$1 rev=$2
shift 2
case $kind in
  pool) args="${1:-41} ${2:-256}" isa=${3:-avx512} ;;
  fc) args="" isa=${1:-avx512} ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
case $isa in
  avx512) vl=16 flags="-O2 -fopenmp -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -Iinclude" ;;
  avx2) vl=8 flags="-O2 -fopenmp -mavx2 -mfma -Iinclude" ;;
  *) echo "ab_eltwise.sh: ISA is avx512 or avx2, not $isa" >&2; exit 2 ;;
esac
lib=build/x86_64/libresbench.a suite=build/x86_64/libresbench_suite.a
if [ ! -f "$lib" ] || [ ! -f "$suite" ]; then echo "ab_eltwise.sh: $lib or $suite is missing: run make first" >&2; exit 1; fi
out=build/ab_$kind
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
${CC:-gcc} -O2 -fopenmp -Iinclude -Ikernels -Isuites "tools/ab_$kind/ab_$kind.c" "$out/old.o" "$out/new.o" \
  "$suite" "$lib" -lm -o "$out/ab_$kind"
echo "old: $rev's kernels/eltwise_template.h; new: the working tree's ($(git describe --always --dirty)), $isa, $(date -u +%FT%TZ), OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"
# shellcheck disable=SC2086
exec "$out/ab_$kind" $args
