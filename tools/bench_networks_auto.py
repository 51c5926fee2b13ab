#!/usr/bin/env python3
"""Table of whole networks, --algo auto against --algo direct, from tools/bench_networks_auto.sh's
lines: per round, direct's median time / auto's; the median over rounds.

  tools/bench_networks_auto.py raw.txt "Xeon KVM, 1 thread" > results/HOST/winograd-networks-1t.md
"""
import statistics
import sys
from collections import defaultdict

t = defaultdict(dict)
for line in open(sys.argv[1]):
    isa, model, algo, rnd, ms = line.split()
    t[(isa, model)].setdefault(rnd, {})[algo] = float(ms)
print(f"# Whole networks: --algo auto against --algo direct ({sys.argv[2]})\n")
print("Batch 1, 224x224. Each round runs direct, then auto, each in its own process (`resbench bench model "
      "--min-time 1`); speed-up = median over rounds of direct's median time / auto's. The non-convolution "
      "passes (SE, pools, element-wise) are still ref's on every ISA.\n")
print("| ISA | model | direct ms (median of rounds) | auto ms | auto speed-up | per-round |")
print("|---|---|---:|---:|---:|---|")
for (isa, model), rounds in t.items():
    ratios = [r["direct"] / r["auto"] for r in rounds.values() if "direct" in r and "auto" in r]
    d = statistics.median(r["direct"] for r in rounds.values())
    a = statistics.median(r["auto"] for r in rounds.values())
    print(f"| {isa} | {model} | {d:.1f} | {a:.1f} | {statistics.median(ratios):.2f}x | "
          f"{', '.join(format(x, '.2f') for x in ratios)} |")
