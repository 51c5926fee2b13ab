#!/usr/bin/env python3
"""Tables from tools/bench_attention.sh's lines: what attention costs (SE network over its plain
twin, per round, then the median over rounds) and what fusion buys (unfused over fused).

  tools/bench_attention.py raw.txt "Xeon KVM, avx512, 2 threads" > results/HOST/attention-overhead-2t.md
"""
import statistics
import sys
from collections import defaultdict

t = defaultdict(dict)  # (model, mode) -> round -> ms
for line in open(sys.argv[1]):
    model, mode, rnd, ms = line.split()
    t[(model, mode)][rnd] = float(ms)


def ratio(a, b):
    """Per-round a / b over the rounds both have, and their median."""
    rs = [t[a][r] / t[b][r] for r in t[a] if r in t[b]]
    return statistics.median(rs), rs


def ms(key):
    return statistics.median(t[key].values())


print(f"# Attention overhead and fusion ({sys.argv[2]})\n")
print("Batch 1, 224x224, `--algo direct` on both sides so the convolutions are the same. Each round runs "
      "every configuration once, each in its own process (`resbench bench model --min-time 1`); a ratio is "
      "the median over rounds of the per-round ratio (the machine is shared: rounds cancel its drift).\n")
print("## Attention over the plain network (goal: <= 1.05)\n")
print("| network | plain | network ms | plain ms | ratio | per round |")
print("|---|---|---:|---:|---:|---|")
for net, plain in (("seresnet50", "resnet50"), ("seresnext50_32x4d", "resnext50_32x4d")):
    for mode in ("fused", "unfused"):
        if (net, mode) not in t or (plain, "fused") not in t:
            continue
        m, rs = ratio((net, mode), (plain, "fused"))
        print(f"| {net} ({mode}) | {plain} | {ms((net, mode)):.1f} | {ms((plain, 'fused')):.1f} | {m:.3f} | "
              f"{', '.join(format(x, '.3f') for x in rs)} |")
print("\n## What fusion buys (unfused / fused: > 1 is faster fused)\n")
print("fused (the default): an SE's scale runs inside the block's residual add + ReLU, the other residual "
      "adds + ReLU in the store of the convolution before them, and the SE, split-attention and SK global pools "
      "are summed by the convolutions that write their input. nopools (`--no-fuse-pools`): all but the pools. "
      "unfused (`--no-fuse`): each its own pass.\n")
print("| network | variant | ms | unfused ms | unfused / variant | per round |")
print("|---|---|---:|---:|---:|---|")
for (model, mode) in t:
    if mode != "unfused":
        continue
    for v in ("fused", "nopools"):
        if (model, v) not in t:
            continue
        m, rs = ratio((model, "unfused"), (model, v))
        print(f"| {model} | {v} | {ms((model, v)):.1f} | {ms((model, 'unfused')):.1f} | {m:.3f} | "
              f"{', '.join(format(x, '.3f') for x in rs)} |")
