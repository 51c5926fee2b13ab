#!/usr/bin/env python3
"""Whole networks, --algo auto against --algo direct, each pair in one process:
`resbench bench model M --algo auto --versus :direct` alternates the two forward passes in rounds,
each going first in turn; the speed-up is the median over rounds of direct's time / auto's.

  tools/bench_networks_auto.py --isas avx2,avx512 --threads 1 --label "Xeon KVM" \
      --out results/HOST/winograd-networks-1t     # writes .md and .json
"""
import argparse
import json
import os
import subprocess

MODELS = "resnet50,resnext50_32x4d,resnest50d,seresnet50"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/x86_64/resbench")
    ap.add_argument("--isas", default="avx2,avx512")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--min-time", default="6", help="seconds per side, split among the rounds")
    ap.add_argument("--label", default="", help="the CPU, for the table's title")
    ap.add_argument("--out", required=True, help="output path without extension (.md and .json are written)")
    a = ap.parse_args()
    docs = []
    for isa in a.isas.split(","):
        for model in a.models.split(","):
            cmd = [a.cli, "bench", "model", model, "--algo", "auto", "--versus", ":direct", "--isa", isa,
                   "--threads", str(a.threads), "--rounds", str(a.rounds), "--min-time", a.min_time, "--no-peak",
                   "--json"]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            doc = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
            docs.append(doc)
            v = doc["versus"]
            print(f"{isa} {model}: auto {doc['median_ms']:.1f} ms, direct {v['median_ms']:.1f} ms, "
                  f"speed-up {1 / v['ratio']:.2f}x", flush=True)
    tmp = a.out + ".json.tmp"
    with open(tmp, "w") as f:
        json.dump({"kind": "bench-networks-auto", "threads": a.threads, "rounds": a.rounds, "label": a.label,
                   "points": docs}, f, indent=1)
    os.replace(tmp, a.out + ".json")
    with open(a.out + ".md.tmp", "w") as f:
        f.write(f"# Whole networks: --algo auto against --algo direct ({a.label}, {a.threads} thread(s))\n\n")
        f.write(f"`resbench bench model M --algo auto --versus :direct --isa ISA --threads {a.threads} --rounds "
                f"{a.rounds} --min-time {a.min_time}` (tools/bench_networks_auto.py): batch 1, 224x224; the two "
                "forward passes alternated in rounds in one process, each going first in turn. Speed-up: the "
                "median over rounds of direct's time / auto's (> 1: auto is faster); the range is the rounds' "
                "lowest and highest. Times: the round nearest each side's median. Winograd layers: the 3x3 "
                "stride-1 layers AUTO gave to F2 or F4 (`resbench bench conv --algo auto` says why).\n\n")
        f.write("| ISA | model | direct ms | auto ms | auto speed-up | rounds' range |\n|---|---|---:|---:|---:|---|\n")
        for d in docs:
            v = d["versus"]
            f.write(f"| {d['isa']} | {d['model']} | {v['median_ms']:.1f} | {d['median_ms']:.1f} | "
                    f"**{1 / v['ratio']:.2f}x** | {1 / v['ratio_max']:.2f} .. {1 / v['ratio_min']:.2f} |\n")
    os.replace(a.out + ".md.tmp", a.out + ".md")


if __name__ == "__main__":
    main()
