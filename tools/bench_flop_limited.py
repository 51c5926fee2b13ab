#!/usr/bin/env python3
"""Issue 12's FLOP-limited speed of whole networks: 2 x multiply-adds / time against the FMA peak of
the domain, with the models alternated in rounds (each round runs every model once, in an order
rotated each round), so that a busy minute of a shared machine lands on one round of each model
rather than on all the rounds of one. The peak is `resbench info`'s, measured before and after;
the table uses the higher of the two. Per model: the median over rounds of each run's median, the
best round, and % of peak (Winograd may pass 100%).

  /usr/bin/python3 tools/bench_flop_limited.py --threads 2 --rounds 5 --label "Zen 4 KVM" \
      --out results/HOST/flop-limited-2t        # writes .md and .json (each atomically)
"""
import argparse
import json
import os
import statistics
import subprocess

MODELS = ("resnet18,resnet34,resnet50,resnet101,resnet152,resnext50_32x4d,resnext101_32x4d,seresnet50,"
          "seresnext50_32x4d,skresnet18,skresnet34,skresnext50_32x4d,resnest14d,resnest26d,resnest50d,"
          "resnest50d_1s4x24d,resnest50d_4s2x40d,resnest101e")
GOAL = 0.80  # issue 12: 2 x MACs / time >= 0.8 x the FMA peak


def last_json(out):
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def peak(cli, domain):
    info = last_json(subprocess.run([cli, "info", "--json", "--domains", domain], check=True, capture_output=True,
                                    text=True).stdout)
    d = [x for x in info["domains"] if x["domain"] == domain][0]
    return d["fma_gflops"], d["fma_isa"], info["cpu_model"]


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default="build/x86_64/resbench")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--algo", default="auto")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", default="1.0", help="seconds a model a round")
    ap.add_argument("--label", default="", help="the CPU, for the table's title")
    ap.add_argument("--out", required=True, help="output path without extension (.md and .json are written)")
    a = ap.parse_args()
    if a.rounds < 1 or a.threads < 1:
        ap.error("--rounds and --threads must be >= 1")
    models = a.models.split(",")
    domain = "core" if a.threads == 1 else "machine"
    peak_before, peak_isa, cpu = peak(a.cli, domain)
    runs = {m: [] for m in models}
    for r in range(a.rounds):
        order = models[r % len(models):] + models[:r % len(models)]
        for m in order:
            cmd = [a.cli, "bench", "model", m, "--algo", a.algo, "--threads", str(a.threads), "--no-peak",
                   "--min-time", a.min_time, "--json"]
            doc = last_json(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            runs[m].append(doc)
        print(f"round {r + 1}/{a.rounds} done", flush=True)
    peak_after, _, _ = peak(a.cli, domain)
    best_peak = max(peak_before, peak_after)
    rows = []
    for m in models:
        ms = [d["median_ms"] for d in runs[m]]
        flops = runs[m][0]["flops"]
        med = statistics.median(ms)
        rows.append({"model": m, "macs": runs[m][0]["macs"], "flops": flops, "isa": runs[m][0]["isa"],
                     "median_ms": med, "best_ms": min(ms), "round_ms": ms, "gflops": flops / med * 1e-6,
                     "pct_peak": flops / med * 1e-6 / best_peak, "pct_peak_best": flops / min(ms) * 1e-6 / best_peak})
    doc = {"cpu_model": cpu, "threads": a.threads, "algo": a.algo, "rounds": a.rounds, "min_time": float(a.min_time),
           "peak_gflops_before": peak_before, "peak_gflops_after": peak_after, "peak_isa": peak_isa,
           "goal_pct": GOAL, "models": rows}
    write_atomic(a.out + ".json", json.dumps(doc, indent=1) + "\n")
    met = sum(1 for r in rows if r["pct_peak"] >= GOAL)
    lines = [f"# FLOP-limited speed of whole networks, {a.threads} thread(s), --algo {a.algo}" +
             (f": {a.label}" if a.label else ""), "",
             f"{cpu}. `resbench bench model M --algo {a.algo} --threads {a.threads} --no-peak --min-time {a.min_time}`, "
             f"batch 1, 224x224; the {len(models)} models alternated in {a.rounds} rounds (order rotated each round). "
             f"FMA peak of the domain (`resbench info`, {peak_isa}): {peak_before:.1f} GFLOP/s before, "
             f"{peak_after:.1f} after; % of peak is against the higher. GFLOP/s = 2 x multiply-adds / the median "
             f"over rounds; 'best' uses the fastest round. Goal (issue 12): >= {GOAL:.0%}.", "",
             "| model | GMACs | ms (median) | ms per round | GFLOP/s | % of peak | % of peak, best round | goal |",
             "|---|---:|---:|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['macs'] * 1e-9:.2f} | {r['median_ms']:.1f} | "
                     f"{', '.join(f'{x:.1f}' for x in r['round_ms'])} | {r['gflops']:.0f} | "
                     f"**{r['pct_peak']:.0%}** | {r['pct_peak_best']:.0%} | "
                     f"{'pass' if r['pct_peak'] >= GOAL else 'under'} |")
    lines += ["", f"Goal met (median) by {met} of {len(rows)} models."]
    write_atomic(a.out + ".md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
