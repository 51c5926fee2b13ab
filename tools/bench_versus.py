#!/usr/bin/env python3
"""What attention costs and what fusion buys, each pair timed in one process with
`resbench bench model A --versus B` (the two forward passes alternated in rounds, each going
first in turn; the ratio is the median of the per-round time ratios A / B). `--algo direct` on
both sides by default, so the convolutions are the same.

  tools/bench_versus.py --threads 2 --rounds 7 --label "Xeon KVM, avx512" \
      --out results/HOST/versus-2t        # writes .md and .json
"""
import argparse
import json
import subprocess

# (A, B, what the ratio shows)
PAIRS = [
    ("seresnet50", "resnet50", "SE's overhead (goal <= 1.05)"),
    ("seresnext50_32x4d", "resnext50_32x4d", "SE's overhead (goal <= 1.05)"),
    ("resnest50d", "resnet50", "split attention's network over ResNet-50 (not a goal: other convolutions)"),
    ("resnet50", ":no-fuse", "fused / unfused"),
    ("seresnet50", ":no-fuse", "fused / unfused"),
    ("seresnet50", ":no-fuse-pools", "fused / all but the pool fusion"),
    ("seresnext50_32x4d", ":no-fuse", "fused / unfused"),
    ("resnest50d", ":no-fuse", "fused / unfused"),
    ("skresnext50_32x4d", ":no-fuse", "fused / unfused"),
    ("skresnext50_32x4d", ":no-fuse-pools", "fused / all but the pool fusion"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/x86_64/resbench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--min-time", default="4", help="seconds per side, split among the rounds")
    ap.add_argument("--algo", default="direct")
    ap.add_argument("--label", default="", help="the CPU and ISA, for the table's title")
    ap.add_argument("--out", required=True, help="output path without extension (.md and .json are written)")
    a = ap.parse_args()
    docs = []
    for model, versus, what in PAIRS:
        cmd = [a.cli, "bench", "model", model, "--versus", versus, "--algo", a.algo, "--threads", str(a.threads),
               "--rounds", str(a.rounds), "--min-time", a.min_time, "--no-peak", "--json"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        doc = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        doc["what"] = what
        docs.append(doc)
        v = doc["versus"]
        print(f"{model} vs {versus}: {v['ratio']:.3f} ({v['ratio_min']:.3f} .. {v['ratio_max']:.3f})", flush=True)
    with open(a.out + ".json", "w") as f:
        json.dump({"kind": "bench-versus", "threads": a.threads, "rounds": a.rounds, "algo": a.algo,
                   "label": a.label, "points": docs}, f, indent=1)
    with open(a.out + ".md", "w") as f:
        f.write(f"# Attention overhead and fusion, each pair in one process ({a.label}, {a.threads} threads)\n\n")
        f.write(f"`resbench bench model A --versus B --algo {a.algo} --threads {a.threads} --rounds {a.rounds} "
                f"--min-time {a.min_time}` (tools/bench_versus.py): batch 1, 224x224; the two forward passes "
                "alternated in rounds in one process, each going first in turn. Ratio: the median over rounds of "
                "the per-round time ratio A / B (< 1: A is faster); the range is the rounds' lowest and highest.\n\n")
        f.write("| A | B | A ms | B ms | A / B | rounds' range | what it shows |\n|---|---|---:|---:|---:|---|---|\n")
        for d in docs:
            v = d["versus"]
            b = v["model"] + ("" if v["fusion"] == "on" else f" (fusion {v['fusion']})")
            f.write(f"| {d['model']} | {b} | {d['median_ms']:.2f} | {v['median_ms']:.2f} | **{v['ratio']:.3f}** | "
                    f"{v['ratio_min']:.3f} .. {v['ratio_max']:.3f} | {d['what']} |\n")


if __name__ == "__main__":
    main()
