#!/bin/sh
# What attention costs, and what fusion buys, at --algo direct (the convolutions the same on both
# sides): rounds of one process per configuration, alternated, one line each
#   <model> <fused|unfused|nopools> <round> <median ms>   (nopools: --no-fuse-pools)
# for tools/bench_attention.py. Usage: tools/bench_attention.sh [ROUNDS] [THREADS] > raw.txt
set -eu
rounds=${1:-5}
threads=${2:-2}
bin=${RESBENCH:-build/x86_64/resbench}
for r in $(seq "$rounds"); do
  for cfg in "resnet50 fused" "resnet50 unfused" "seresnet50 fused" "seresnet50 unfused" "seresnet50 nopools" "resnext50_32x4d fused" "resnext50_32x4d unfused" \
             "seresnext50_32x4d fused" "seresnext50_32x4d unfused" "resnest50d fused" "resnest50d unfused" \
             "resnest50d nopools" "skresnext50_32x4d fused" "skresnext50_32x4d unfused" "skresnext50_32x4d nopools"; do
    set -- $cfg
    flag=""
    [ "$2" = unfused ] && flag=--no-fuse
    [ "$2" = nopools ] && flag=--no-fuse-pools
    ms=$("$bin" bench model "$1" --algo direct --threads "$threads" --no-peak --min-time 1 --json $flag |
         sed -n 's/.*"median_ms": *\([0-9.e+-]*\).*/\1/p' | head -1)
    [ -n "$ms" ] || { echo "bench_attention.sh: $1 $2 gave no median_ms" >&2; exit 1; }
    echo "$1 $2 $r $ms"
  done
done
