#!/bin/sh
# Whole networks with --algo auto against --algo direct, in alternated processes (direct, auto,
# direct, ...) for ROUNDS rounds: prints "isa model algo round median_ms" lines, which
# tools/bench_networks_auto.py turns into a table of per-round ratios.
#   THREADS=1 ROUNDS=3 tools/bench_networks_auto.sh > raw.txt
CLI=${CLI:-build/x86_64/resbench}
for isa in ${ISAS:-avx2 avx512}; do for m in ${MODELS:-resnet50 resnext50_32x4d resnest50d}; do
  r=1; while [ $r -le ${ROUNDS:-3} ]; do for a in direct auto; do
    printf '%s %s %s %s ' $isa $m $a $r
    $CLI bench model $m --algo $a --isa $isa --threads ${THREADS:-1} --min-time 1 --no-peak --json 2>/dev/null |
      grep '^{' | tail -1 | sed 's/.*"median_ms":\([0-9.e+-]*\).*/\1/'
  done; r=$((r + 1)); done
done; done
