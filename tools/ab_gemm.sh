#!/bin/sh
# In-process A/B of an ISA's GEMM microkernels (kernels/ISA/gemm.c) against those of an older
# revision: builds tools/ab_gemm/ab_gemm.c with the old file's kernels renamed old_*, both on the
# current engine and driver, then alternates the two plans in rounds on each problem.
#   tools/ab_gemm.sh REV ISA [THREADS [ROUNDS [SECONDS]]] -- PROBLEM...
#   tools/ab_gemm.sh 319a28c avx512 1 7 0.15 -- $(build/x86_64/resbench count resnet50 --json | ...)
# AB_OLD_NGCONV=<registry name> gives the old side that narrow-group kernel (REV HEAD: only it differs).
# AB_OLD_NR_STEP=full chooses the old side's tiles by whole column blocks (a REV before nr_step).
# AB_OLD_TILES=MAIN[,ALT:COST[,NARROW:COST]] gives the old side those GEMM tiles of the registry and
# costs: a config's tile choice against another (results/vm-epyc-zen3/NOTES.md, the 4x24 trial).
# Needs `make` first (build/x86_64/libresbench.a). Pin it (taskset) for 1-thread figures.
set -eu
[ $# -ge 4 ] || { echo "usage: tools/ab_gemm.sh REV avx2|avx512 [THREADS [ROUNDS [SECONDS]]] -- PROBLEM..." >&2; exit 2; }
rev=$1 isa=$2; shift 2
threads=1 rounds=7 seconds=0.15
[ "$1" != "--" ] && { threads=$1; shift; }
[ "$1" != "--" ] && { rounds=$1; shift; }
[ "$1" != "--" ] && { seconds=$1; shift; }
[ "$1" = "--" ] || { echo "ab_gemm.sh: expected -- before the problems" >&2; exit 2; }
shift
case $isa in
  avx512) flags="-mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma" ;;
  avx2) flags="-mavx2 -mfma" ;;
  *) echo "ab_gemm.sh: ISA is avx2 or avx512, not $isa" >&2; exit 2 ;;
esac
lib=build/x86_64/libresbench.a
[ -f "$lib" ] || { echo "ab_gemm.sh: $lib is missing: run make first" >&2; exit 1; }
out=build/ab_gemm
mkdir -p "$out"
git show "$rev:kernels/$isa/gemm.c" | sed 's#"../ukernel.h"#"kernels/ukernel.h"#' > "$out/old_gemm.c"
# Every kernel the old file defines becomes old_<name>; the config's tile is the one compared.
renames=$(grep -o 'rb_f32_[a-z0-9_]*__'"$isa" "$out/old_gemm.c" | sort -u | sed 's/.*/-D&=old_&/')
tile=$(grep -o 'rb_f32_igemm_[0-9x]*__'"$isa" "kernels/$isa/config.c" | head -1)
gemm=$(echo "$tile" | sed 's/igemm/gemm/')
grep -q "$tile" "$out/old_gemm.c" || { echo "ab_gemm.sh: $rev's kernels/$isa/gemm.c has no $tile" >&2; exit 1; }
# The config's second tile (gemm_alt: its second igemm), compared too when the old file has it; else the old
# side runs without one.
alt=$(grep -o 'rb_f32_igemm_[0-9x]*__'"$isa" "kernels/$isa/config.c" | awk '!seen[$0]++' | sed -n 2p)
alt_defs= second=", no second tile"
if [ -n "$alt" ] && grep -q "$alt" "$out/old_gemm.c"; then
  second=" and $alt"
  alt_defs="-DOLD_ALT_IGEMM=old_$alt -DOLD_ALT_GEMM=old_$(echo "$alt" | sed 's/igemm/gemm/')"
fi
# The config's narrow tile (gemm_narrow: its third igemm), likewise.
narrow=$(grep -o 'rb_f32_igemm_[0-9x]*__'"$isa" "kernels/$isa/config.c" | awk '!seen[$0]++' | sed -n 3p)
if [ -n "$narrow" ] && grep -q "$narrow" "$out/old_gemm.c"; then
  alt_defs="$alt_defs -DOLD_NARROW_IGEMM=old_$narrow -DOLD_NARROW_GEMM=old_$(echo "$narrow" | sed 's/igemm/gemm/')"
  second="$second and $narrow"
fi
cc=${CC:-gcc}
# shellcheck disable=SC2086
$cc -O2 -fopenmp $flags -I. -Iinclude $renames -c "$out/old_gemm.c" -o "$out/old_gemm.o"
# shellcheck disable=SC2086
$cc -O2 -fopenmp -I. -Iinclude -DOLD_IGEMM="old_$tile" -DOLD_GEMM="old_$gemm" $alt_defs tools/ab_gemm/ab_gemm.c "$out/old_gemm.o" \
  "$lib" -lm -o "$out/ab_gemm"
echo "old: $rev's $tile$second; new: the working tree's ($(git describe --always --dirty)), run $(date -u +%FT%TZ); $threads thread(s), $rounds rounds"
exec "$out/ab_gemm" "$isa" "$threads" "$rounds" "$seconds" "$@"
