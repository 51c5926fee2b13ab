#!/usr/bin/env python3
"""Layer-by-layer convolution benchmark beside a peer: the SIMD engine issues' protocol.

For each unique convolution of the given models (resbench count --json), runs
`resbench bench conv PROBLEM --algo direct --isa ISA --peers PEER --rounds R` (ours and the
peer alternated in rounds in one process; the speed-up is the median of per-round ratios),
then writes a Markdown table and the raw JSON records. The FMA peak of the domain is measured
with `resbench info` before and after the layers (the best of the two is quoted).

  tools/bench_layers.py --isa avx2 --peer onednn --models resnet50 --domain core \
      --out results/HOST/avx2-vs-onednn-1t   # writes .md and .json

Environment: ONEDNN_MAX_CPU_ISA=AVX2 caps the peer at AVX2, to compare an AVX2 tier on a
CPU that has more (the issue's AVX2-host comparison).
"""
import argparse
import json
import math
import os
import subprocess
import sys


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def layers(cli, model, only_grouped):
    doc = run_json([cli, "count", model, "--json"])
    seen = []
    for layer in doc["layers"]:
        p = layer.get("problem")
        if p and p not in seen and (not only_grouped or p.startswith("g")):
            seen.append(p)
    return seen


def peak(cli, domain, isa):
    doc = run_json([cli, "info", "--json", "--domains", domain])
    d = doc["domains"][0]
    return d["fma_gflops"], d["fma_isa"], d["isa_fma_gflops"].get(isa, float("nan"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/x86_64/resbench")
    ap.add_argument("--isa", required=True)
    ap.add_argument("--peer", default="onednn")
    ap.add_argument("--models", default="resnet50")
    ap.add_argument("--grouped-only", action="store_true", help="only grouped layers (ResNeXt's 3x3)")
    ap.add_argument("--domain", default="core")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", default="1.0")
    ap.add_argument("--out", required=True, help="output path without extension (.md and .json are written)")
    a = ap.parse_args()

    problems = []
    for m in a.models.split(","):
        for p in layers(a.cli, m, a.grouped_only):
            if p not in problems:
                problems.append(p)
    peak0 = peak(a.cli, a.domain, a.isa)
    records = []
    for i, p in enumerate(problems):
        print(f"[{i + 1}/{len(problems)}] {p}", file=sys.stderr, flush=True)
        rec = run_json([a.cli, "bench", "conv", p, "--algo", "direct", "--isa", a.isa, "--peers", a.peer, "--domain",
                        a.domain, "--rounds", str(a.rounds), "--min-time", a.min_time, "--no-peak", "--json"])
        records.append(rec)
    peak1 = peak(a.cli, a.domain, a.isa)
    widest = max(peak0[0], peak1[0])
    own = max(peak0[2], peak1[2])

    rows, logs = [], []
    for r in records:
        ratio = r.get(f"{a.peer}_speedup")
        ours, theirs = r["gflops"], r.get(f"{a.peer}_gflops")
        if ratio:
            logs.append(math.log(ratio))
        rows.append((r["problem"], r["path"], r["kernel"], ours, theirs, ratio, 100 * ours / own, 100 * ours / widest,
                     r.get(f"{a.peer}_impl", r.get(f"{a.peer}_error", "-"))))
    geo = math.exp(sum(logs) / len(logs)) if logs else float("nan")
    threads = records[0]["threads"] if records else 0
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA", "")
    with open(a.out + ".md", "w") as f:
        f.write(f"# {a.isa} vs {a.peer}{' (capped at ' + cap + ')' if cap else ''}: {a.models}, "
                f"domain {a.domain}, {threads} thread(s)\n\n")
        f.write(f"FMA peak of the domain (resbench info, before and after): widest {widest:.1f} GFLOP/s "
                f"({peak0[1]}), {a.isa}'s own probe {own:.1f}. GFLOP/s = 2 x dense multiply-adds / median time. "
                f"Ratio = median over {a.rounds} alternated rounds of the peer's median time / ours (> 1: ours is "
                f"faster). Both sides `--algo direct`, batch 1.\n\n")
        f.write(f"| layer | path | microkernel | ours GFLOP/s | {a.peer} GFLOP/s | ratio | % of {a.isa} peak | "
                f"% of widest peak | {a.peer} impl |\n|---|---|---|---:|---:|---:|---:|---:|---|\n")
        for p, path, k, ours, theirs, ratio, pct, wpct, impl in rows:
            f.write(f"| {p} | {path} | {k} | {ours:.1f} | {theirs if theirs is None else format(theirs, '.1f')} | "
                    f"{'-' if ratio is None else format(ratio, '.2f')} | {pct:.0f} | {wpct:.0f} | {impl} |\n")
        f.write(f"\nGeometric mean of the ratios: **{geo:.2f}** over {len(logs)} layers.\n")
    with open(a.out + ".json", "w") as f:
        json.dump({"isa": a.isa, "peer": a.peer, "peer_cap": cap, "models": a.models, "domain": a.domain,
                   "rounds": a.rounds, "peak_widest_gflops": widest, "peak_isa_gflops": own, "geomean_ratio": geo,
                   "records": records}, f, indent=1)
    print(open(a.out + ".md").read())


if __name__ == "__main__":
    main()
