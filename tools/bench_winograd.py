#!/usr/bin/env python3
"""Winograd against our own direct kernel, layer by layer: the Winograd issue's protocol.

For each unique 3x3 stride-1 convolution of the given models (resbench count --json), runs
`resbench bench conv PROBLEM --algo A --isa ISA` for A in direct, winograd_f2, winograd_f4 (and
auto), one process each, alternated in rounds (direct, f2, f4, auto, direct, ...): on a shared
machine the speed drifts, and a drift then hits every algorithm of a round. The speed-up of an
algorithm is the median over rounds of (direct's median time / its median time). With --peer, the
F4 and auto runs also time the peer's Winograd (or its direct convolution where it has none) in the same
process, alternated with ours; that ratio is the median of the peer's per-round ratios.

  tools/bench_winograd.py --isa avx512 --models resnet50,resnext50_32x4d,resnest50d \
      --peer onednn --out results/HOST/winograd-avx512-1t   # writes .md and .json
"""
import argparse
import json
import math
import statistics
import subprocess
import sys

ALGOS = ["direct", "winograd_f2", "winograd_f4", "auto"]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def layers(cli, model):
    doc = run_json([cli, "count", model, "--json"])
    seen = []
    for layer in doc["layers"]:
        p = layer.get("problem")
        if p and p not in seen and "kh3" in p and "sh2" not in p and "dh" not in p:
            seen.append(p)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/x86_64/resbench")
    ap.add_argument("--isa", required=True)
    ap.add_argument("--models", default="resnet50")
    ap.add_argument("--peer", default="none", help="peer timed beside our F4 (its Winograd), or none")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", default="0.4", help="seconds per process and round")
    ap.add_argument("--out", required=True, help="output path without extension (.md and .json are written)")
    a = ap.parse_args()

    problems = []
    for m in a.models.split(","):
        for p in layers(a.cli, m):
            if p not in problems:
                problems.append(p)
    records = {p: {alg: [] for alg in ALGOS} for p in problems}
    for i, p in enumerate(problems):
        print(f"[{i + 1}/{len(problems)}] {p}", file=sys.stderr, flush=True)
        for _ in range(a.rounds):
            for alg in ALGOS:
                peers = a.peer if alg in ("winograd_f4", "auto") else "none"
                rec = run_json([a.cli, "bench", "conv", p, "--algo", alg, "--isa", a.isa, "--threads", a.threads,
                                "--peers", peers, "--rounds", "3" if peers != "none" else "1", "--min-time",
                                a.min_time, "--no-peak", "--json"])
                records[p][alg].append(rec)

    rows = []
    for p in problems:
        r = records[p]
        direct = [x["median_ms"] for x in r["direct"]]
        row = {"problem": p, "direct_gflops": statistics.median(2 * x["macs"] / (x["median_ms"] * 1e6)
                                                                for x in r["direct"])}
        for alg in ALGOS[1:]:
            ratios = [d / x["median_ms"] for d, x in zip(direct, r[alg])]
            row[alg] = statistics.median(ratios)
            row[alg + "_kernel"] = r[alg][0]["kernel"]
        row["auto_algo"] = r["auto"][0]["algo"]
        row["auto_reason"] = r["auto"][0].get("auto_reason", "")
        if a.peer != "none":
            au = [x.get(f"{a.peer}_speedup") for x in r["auto"] if x.get(f"{a.peer}_speedup")]
            row["auto_peer_speedup"] = statistics.median(au) if au else None
            f4 = r["winograd_f4"]
            sp = [x.get(f"{a.peer}_speedup") for x in f4 if x.get(f"{a.peer}_speedup")]
            row["peer_speedup"] = statistics.median(sp) if sp else None
            row["peer_impl"] = f4[0].get(f"{a.peer}_impl", f4[0].get(f"{a.peer}_error", "-"))
            row["peer_gflops"] = statistics.median(x[f"{a.peer}_gflops"] for x in f4 if x.get(f"{a.peer}_gflops"))\
                if sp else None
        rows.append(row)

    thr = a.threads
    with open(a.out + ".md", "w") as f:
        f.write(f"# Winograd vs our direct kernel: {a.isa}, {a.models}, {thr} thread(s)\n\n")
        f.write(f"Speed-up = median over {a.rounds} rounds of (direct's median time / the algorithm's), one process "
                f"per algorithm and round, alternated. Direct GFLOP/s = 2 x multiply-adds / median time. 'auto' is "
                f"what `--algo auto` chose (kernels/conv_choose.c).")
        if a.peer != "none":
            f.write(f" {a.peer}: its Winograd where it has one for the shape (else its direct), timed in the F4 and "
                    f"auto processes alternated with ours; > 1: ours is faster.")
        f.write("\n\n| layer | direct GFLOP/s | F2 | F4 | auto: chose | auto |")
        if a.peer != "none":
            f.write(f" F4 vs {a.peer} | auto vs {a.peer} | {a.peer} impl | {a.peer} GFLOP/s (direct-equivalent) |")
        f.write("\n|---|---:|---:|---:|---|---:|" + ("---:|---:|---|---:|" if a.peer != "none" else "") + "\n")
        for r in rows:
            f.write(f"| {r['problem']} | {r['direct_gflops']:.1f} | {r['winograd_f2']:.2f}x | {r['winograd_f4']:.2f}x"
                    f" | {r['auto_algo']} | {r['auto']:.2f}x |")
            if a.peer != "none":
                ps = r["peer_speedup"]
                pg = r["peer_gflops"]
                aps = r["auto_peer_speedup"]
                f.write(f" {'-' if ps is None else format(ps, '.2f') + 'x'} | "
                        f"{'-' if aps is None else format(aps, '.2f') + 'x'} | {r['peer_impl']} | "
                        f"{'-' if pg is None else format(pg, '.1f')} |")
            f.write("\n")
        for alg in ALGOS[1:]:
            g = math.exp(statistics.mean(math.log(r[alg]) for r in rows))
            f.write(f"\nGeometric mean speed-up of {alg} over direct: **{g:.2f}x** over {len(rows)} layers.")
        f.write("\n\nAuto's reasons:\n\n")
        for r in rows:
            f.write(f"- {r['problem']}: {r['auto_reason']}\n")
        f.write(f"\nKernels: F2 {rows[0]['winograd_f2_kernel']}, F4 {rows[0]['winograd_f4_kernel']} (first layer).\n")
    with open(a.out + ".json", "w") as f:
        json.dump({"isa": a.isa, "models": a.models, "threads": thr, "rounds": a.rounds, "peer": a.peer,
                   "rows": rows, "records": records}, f, indent=1)
    print(open(a.out + ".md").read())


if __name__ == "__main__":
    main()
