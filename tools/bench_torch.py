#!/usr/bin/python3
"""Whole networks in PyTorch beside resbench: latency of the model zoo, same threads, same machine,
same session (the goal of issue 12: resbench <= 0.8x PyTorch's latency, <= 0.6x for resnet50 and
resnest50d).

PyTorch is Debian's python3-torch (run this with /usr/bin/python3) on tools/resbench_torch.py's models:
eval mode, random weights (rt.randomize: Kaiming convs, non-identity BN statistics calibrated on noise,
so activations stay of order one; the script counts subnormal activations in one pass and records the
fraction), input N(0, 1), PyTorch's default NCHW contiguous layout (--channels-last adds a second,
channels-last column). torch.set_num_threads(T), set_num_interop_threads(1), OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS = T set before torch is imported. Timing: torch.inference_mode(), warm-up (at
least --warmup seconds and 5 runs before the first round, 0.2 s and 2 runs before later ones), then
--runs runs (and at least --min-time seconds), median/min/max of the per-run wall times.

With --resbench BIN, each round runs `BIN bench model NAME --batch B --res R --threads T --algo auto
--json --no-peak --min-time S` (its own process, its own warm-up) and the torch measurement back to
back, the order flipped every round, for --rounds rounds: on a shared VM the speed drifts, and a drift
then hits both sides of a round. Per model: the median over rounds of each side's median, and the
ratio resbench / torch per round and its median (< 1: resbench is faster). resbench pins one thread
per core; torch's OpenMP threads are not pinned (--pin-torch sets OMP_PROC_BIND/OMP_PLACES for it).

Writes a JSON document atomically to --out (and the Markdown table to --md, and always to stdout);
nothing is written unless every measurement succeeded. Torch is needed only here, never by tests or CI.

  /usr/bin/python3 tools/bench_torch.py --resbench build/x86_64/resbench \\
      --out results/HOST/torch-vs-resbench-2t.json --md results/HOST/torch-vs-resbench-2t.md
  /usr/bin/python3 tools/bench_torch.py --models resnet50,seresnet50 --rounds 1 --runs 5  # torch only
"""
import argparse
import copy
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_DEFAULT = 0.8
GOALS = {"resnet50": 0.6, "resnest50d": 0.6}  # issue 12: resbench / PyTorch latency at most this


class Error(Exception):
    pass


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="", help="comma-separated zoo names (default: the whole zoo, "
                    "in resbench_torch.MODELS order)")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--res", type=int, default=224, help="input resolution for every model (also given to "
                    "resbench, whose resnest101e otherwise runs at 256)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=15, help="timed torch runs per round (default 15)")
    ap.add_argument("--min-time", type=float, default=0.0, help="torch: also run at least this many seconds "
                    "per round (default 0)")
    ap.add_argument("--warmup", type=float, default=1.0, help="torch warm-up seconds before a model's first "
                    "round (and at least 5 runs; default 1)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--channels-last", action="store_true", help="also time torch in channels-last "
                    "(model and input), as a second column")
    ap.add_argument("--pin-torch", action="store_true", help="pin torch's OpenMP threads "
                    "(OMP_PROC_BIND=close, OMP_PLACES=cores); default: unpinned, as users run it")
    ap.add_argument("--resbench", metavar="BIN", help="resbench binary (e.g. build/x86_64/resbench): "
                    "alternate it with torch; without it, torch only")
    ap.add_argument("--resbench-min-time", type=float, default=1.0, help="resbench's --min-time per "
                    "round (seconds, default 1)")
    ap.add_argument("--isa", help="resbench --isa (default: its best for this CPU)")
    ap.add_argument("--algo", default="auto", help="resbench --algo (default auto)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="JSON document (written atomically)")
    ap.add_argument("--md", help="also write the Markdown table here (atomically)")
    a = ap.parse_args()
    for name in ("batch", "res", "threads", "runs", "rounds"):
        if getattr(a, name) < 1:
            ap.error(f"--{name} must be >= 1, got {getattr(a, name)}")
    for name in ("min_time", "warmup", "resbench_min_time"):
        if not getattr(a, name) >= 0:
            ap.error(f"--{name.replace('_', '-')} must be >= 0")
    return a


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_ticks():
    """(steal, total) jiffies of all CPUs from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[7] if len(v) > 7 else 0, sum(v[:8])
    except (OSError, ValueError):
        return None


def steal_pct(t0, t1):
    if t0 is None or t1 is None or t1[1] <= t0[1]:
        return None
    return round(100.0 * (t1[0] - t0[0]) / (t1[1] - t0[1]), 1)


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except (OSError, ValueError):
        return None


def resbench_zoo(binary):
    p = subprocess.run([binary, "models"], capture_output=True, text=True)
    if p.returncode != 0:
        raise Error(f"'{binary} models' failed (exit {p.returncode}): {p.stderr.strip()[-400:]}")
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def run_resbench(a, env, name):
    cmd = [a.resbench, "bench", "model", name, "--batch", str(a.batch), "--res", str(a.res), "--threads",
           str(a.threads), "--algo", a.algo, "--json", "--no-peak", "--min-time", str(a.resbench_min_time)]
    if a.isa:
        cmd += ["--isa", a.isa]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise Error(f"resbench failed (exit {p.returncode}): {' '.join(cmd)}\n{p.stderr.strip()[-800:]}")
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    try:
        rec = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise Error(f"resbench printed no JSON record: {' '.join(cmd)}\n{p.stdout.strip()[-400:]}")
    for key, want in (("model", name), ("batch", a.batch), ("res", a.res), ("threads", a.threads)):
        if rec.get(key) != want:
            raise Error(f"resbench's record has {key}={rec.get(key)!r}, asked for {want!r}: {' '.join(cmd)}")
    if not isinstance(rec.get("median_ms"), (int, float)) or rec["median_ms"] <= 0:
        raise Error(f"resbench's record has no median_ms: {lines[-1][:400]}")
    return rec


def quantiles(xs):
    return {"median_ms": statistics.median(xs), "min_ms": min(xs), "max_ms": max(xs)}


def main():
    a = parse_args()
    env0 = dict(os.environ)  # resbench gets the environment as it was, without torch's settings
    t = str(a.threads)
    os.environ["OMP_NUM_THREADS"] = t
    os.environ["OPENBLAS_NUM_THREADS"] = t
    os.environ["MKL_NUM_THREADS"] = t
    if a.pin_torch:
        os.environ["OMP_PROC_BIND"], os.environ["OMP_PLACES"] = "close", "cores"
    try:
        import torch
    except ImportError as e:
        raise Error(f"cannot import torch ({e}): run with /usr/bin/python3 and Debian's python3-torch")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import resbench_torch as rt

    names = [m for m in a.models.split(",") if m] if a.models else list(rt.MODELS)
    unknown = [m for m in names if m not in rt.MODELS]
    if unknown:
        raise Error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(rt.MODELS)}")
    if len(set(names)) != len(names):
        raise Error("a model is named twice in --models")
    if a.resbench:
        if not (os.path.isfile(a.resbench) and os.access(a.resbench, os.X_OK)):
            raise Error(f"resbench binary {a.resbench!r} is missing or not executable (build it: make -j2)")
        zoo = resbench_zoo(a.resbench)
        missing = [m for m in names if m not in zoo]
        if missing:
            raise Error(f"not in resbench's zoo ('{a.resbench} models'): {', '.join(missing)}")
    for path in (a.out, a.md):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise Error(f"directory of {path!r} does not exist")

    par = torch.__config__.parallel_info()
    onednn = re.search(r"MKL-DNN v([0-9.]+)", par)
    doc = {
        "kind": "torch-vs-resbench",
        "tool": "tools/bench_torch.py",
        "command": sys.argv,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_start": loadavg()},
        "torch": {"version": torch.__version__, "python": sys.executable, "threads": torch.get_num_threads(),
                  "interop_threads": torch.get_num_interop_threads(),
                  "backend": "OpenMP" if "OpenMP" in par else "other",
                  "onednn": onednn.group(1) if onednn else None, "mkldnn_enabled": torch.backends.mkldnn.enabled,
                  "blas": None, "pinned": a.pin_torch,
                  "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                                      "OMP_PROC_BIND", "OMP_PLACES") if k in os.environ}},
        "resbench": ({"binary": a.resbench, "algo": a.algo, "isa_requested": a.isa,
                      "min_time": a.resbench_min_time} if a.resbench else None),
        "settings": {"batch": a.batch, "res": a.res, "threads": a.threads, "rounds": a.rounds, "runs": a.runs,
                     "min_time": a.min_time, "warmup": a.warmup, "channels_last": a.channels_last,
                     "weights": f"rt.randomize(seed={a.seed}, calib_batch=4, calib_res=64)",
                     "input": "torch.randn (N(0,1)), NCHW contiguous", "timing": "torch.inference_mode(), "
                     "time.perf_counter_ns around model(x)"},
        "notes": ["resbench pins one thread per core (its record's pus); torch's OpenMP threads are " +
                  ("pinned (OMP_PROC_BIND=close, OMP_PLACES=cores)" if a.pin_torch else "not pinned"),
                  "ratio = resbench median / torch median of the same round; < 1: resbench is faster",
                  "the order of resbench and torch flips every round"],
        "models": [],
    }
    la = doc["machine"]["loadavg_start"]
    if la and la[0] >= (os.cpu_count() or 1) - 0.5:
        print(f"bench_torch: warning: load average {la[0]:.1f} on {os.cpu_count()} CPUs: other processes are "
              "running; OpenMP threads waiting for descheduled peers at every barrier make both sides slow and "
              "noisy, torch's many small ops the most", file=sys.stderr)
    if torch.get_num_threads() != a.threads:
        raise Error(f"torch runs {torch.get_num_threads()} threads, asked for {a.threads}")

    def measure(model, x, first):
        """Per-run wall times (ms) after warm-up."""
        wr, wt = (5, a.warmup) if first else (2, min(a.warmup, 0.2))
        with torch.inference_mode():
            t0, i = time.perf_counter(), 0
            while i < wr or time.perf_counter() - t0 < wt:
                model(x)
                i += 1
            times = []
            t0 = time.perf_counter()
            while len(times) < a.runs or time.perf_counter() - t0 < a.min_time:
                s = time.perf_counter_ns()
                model(x)
                times.append((time.perf_counter_ns() - s) / 1e6)
        return times

    def subnormal_fraction(model, x):
        """Fraction of subnormal values among all module outputs of one pass; raises on inf/nan."""
        tiny = torch.finfo(torch.float32).tiny
        count = [0, 0]

        def hook(_m, _i, out):
            if isinstance(out, torch.Tensor) and out.is_floating_point():
                ab = out.abs()
                count[0] += int(((ab > 0) & (ab < tiny)).sum())
                count[1] += out.numel()
        hooks = [m.register_forward_hook(hook) for m in model.modules()]
        try:
            with torch.inference_mode():
                y = model(x)
        finally:
            for h in hooks:
                h.remove()
        if not torch.isfinite(y).all():
            raise Error("torch's output is not finite with these weights")
        return count[0] / max(count[1], 1)

    torch.manual_seed(a.seed)
    for k, name in enumerate(names):
        print(f"[{k + 1}/{len(names)}] {name}", file=sys.stderr, flush=True)
        model = rt.randomize(rt.create(name), seed=a.seed, calib_batch=4, calib_res=64).eval()
        x = torch.randn(a.batch, 3, a.res, a.res)
        layouts = [("nchw", model, x)]
        if a.channels_last:
            layouts.append(("channels_last", copy.deepcopy(model).to(memory_format=torch.channels_last),
                            x.contiguous(memory_format=torch.channels_last)))
        sub = subnormal_fraction(model, x)
        rec = {"model": name, "goal": GOALS.get(name, GOAL_DEFAULT), "subnormal_fraction": sub,
               "rounds": []}
        for r in range(a.rounds):
            rnd = {}
            order = ["resbench", "torch"] if r % 2 == 0 else ["torch", "resbench"]
            for side in order:
                if side == "resbench" and a.resbench:
                    s0 = cpu_ticks()
                    rb = run_resbench(a, env0, name)
                    rnd["resbench"] = {k2: rb.get(k2) for k2 in ("median_ms", "min_ms", "max_ms", "runs", "isa",
                                                                 "algo", "domain", "pus", "threads", "warning")
                                       if k2 in rb}
                    rnd["resbench"]["steal_pct"] = steal_pct(s0, cpu_ticks())
                    rnd["resbench"]["loadavg_1min"] = (loadavg() or [None])[0]
                elif side == "torch":
                    for lay, m, xi in layouts:
                        s0 = cpu_ticks()
                        times = measure(m, xi, r == 0)
                        rnd["torch_" + lay] = dict(quantiles(times), runs=len(times),
                                                   steal_pct=steal_pct(s0, cpu_ticks()),
                                                   loadavg_1min=(loadavg() or [None])[0])
            rec["rounds"].append(rnd)
        for lay, _, _ in layouts:
            rs = [rnd["torch_" + lay] for rnd in rec["rounds"]]
            rec["torch_" + lay] = {"median_ms": statistics.median(x["median_ms"] for x in rs),
                                   "min_ms": min(x["min_ms"] for x in rs), "max_ms": max(x["max_ms"] for x in rs),
                                   "runs": sum(x["runs"] for x in rs)}
        if a.resbench:
            rs = [rnd["resbench"] for rnd in rec["rounds"]]
            rec["resbench"] = {"median_ms": statistics.median(x["median_ms"] for x in rs),
                               "min_ms": min(x["min_ms"] for x in rs), "max_ms": max(x["max_ms"] for x in rs),
                               "runs": sum(x["runs"] for x in rs), "isa": sorted({x["isa"] for x in rs}),
                               "algo": sorted({x["algo"] for x in rs}), "pus": rs[0].get("pus")}
            for lay, _, _ in layouts:
                ratios = [rnd["resbench"]["median_ms"] / rnd["torch_" + lay]["median_ms"] for rnd in rec["rounds"]]
                rec["ratios_" + lay] = ratios
                rec["ratio_" + lay] = statistics.median(ratios)
            rec["pass"] = rec["ratio_nchw"] <= rec["goal"]
        doc["models"].append(rec)
        if doc["torch"]["blas"] is None:
            doc["torch"]["blas"] = blas_library()
            if doc["torch"]["blas"] and "/blas/libblas" in doc["torch"]["blas"]:
                note = ("torch's BLAS is the reference (netlib) libblas3, which PyTorch 1.13 uses for the fc and "
                        "the convolutions it does not give oneDNN (at batch 1: ungrouped ones on inputs of at most "
                        "20480 values, such as SE/attention 1x1 convs on pooled vectors, and at 1 thread every "
                        "stride-1 1x1); a default install of python3-torch pulls OpenBLAS through libtorch1.13's "
                        "Recommends (apt-get install libopenblas0)")
                doc["notes"].append(note)
                print(f"bench_torch: warning: {note}", file=sys.stderr)
        del layouts, model
    doc["machine"]["loadavg_end"] = loadavg()

    md = markdown(doc, a)
    if a.out:
        write_atomic(a.out, json.dumps(doc, indent=1) + "\n")
    if a.md:
        write_atomic(a.md, md)
    sys.stdout.write(md)
    return 0


def blas_library():
    """The BLAS shared library this process mapped (torch's), from /proc/self/maps."""
    try:
        libs = {line.split()[-1] for line in open("/proc/self/maps") if re.search(r"/lib[^/]*blas[^/]*\.so", line)}
    except OSError:
        return None
    libs = sorted(os.path.realpath(p) for p in libs)
    return ", ".join(libs) if libs else None


def markdown(doc, a):
    s, tc = doc["settings"], doc["torch"]
    cl = a.channels_last
    out = [f"# PyTorch beside resbench: whole networks, {s['res']}x{s['res']}, batch {s['batch']}, "
           f"{s['threads']} thread(s)\n",
           f"{doc['machine']['cpu']}, {doc['date']}. PyTorch {tc['version']} ({tc['python']}; {tc['backend']}, "
           f"oneDNN {tc['onednn']}, BLAS {tc['blas']}), {tc['threads']} threads, interop {tc['interop_threads']}, "
           f"threads {'pinned' if tc['pinned'] else 'not pinned'}; eval mode, {s['weights']}, "
           f"torch.inference_mode(), warm-up, median of {s['runs']} runs a round, NCHW contiguous"
           f"{' (and channels-last)' if cl else ''}."]
    if doc["resbench"]:
        rb = doc["resbench"]
        out.append(f" resbench: `bench model NAME --algo {rb['algo']} --threads {s['threads']} --no-peak "
                   f"--min-time {rb['min_time']}`{' --isa ' + rb['isa_requested'] if rb['isa_requested'] else ''}"
                   f" in its own process (threads pinned), alternated with torch for {s['rounds']} round(s), the "
                   "order flipped every round. Ratio = median over rounds of resbench's median / torch's (NCHW) of "
                   "the same round; goal (issue 12): at most 0.8x, 0.6x for resnet50 and resnest50d.")
    out.append("\n\n")
    cols = [("model", "---"), ("torch NCHW ms", "---:")] + ([("torch CL ms", "---:")] if cl else [])
    if doc["resbench"]:
        cols += [("resbench ms", "---:"), ("resbench ISA, algo", "---"), ("resbench / torch", "---:")]
        cols += [("/ torch CL", "---:")] if cl else []
        cols += [("per round", "---"), ("goal", "---:"), ("", "---")]
    out.append("| " + " | ".join(c for c, _ in cols) + " |\n|" + "|".join(al for _, al in cols) + "|\n")

    def ms(d):
        return f"{d['median_ms']:.1f} ({d['min_ms']:.1f}-{d['max_ms']:.1f})"
    for m in doc["models"]:
        row = [m["model"], ms(m["torch_nchw"])] + ([ms(m["torch_channels_last"])] if cl else [])
        if doc["resbench"]:
            rb = m["resbench"]
            row += [ms(rb), f"{'/'.join(rb['isa'])} {'/'.join(rb['algo'])}", f"**{m['ratio_nchw']:.2f}x**"]
            if cl:
                row.append(f"{m['ratio_channels_last']:.2f}x")
            row += [", ".join(f"{r:.2f}" for r in m["ratios_nchw"]), f"{m['goal']:.1f}x",
                    "pass" if m["pass"] else "FAIL"]
        out.append("| " + " | ".join(row) + " |\n")
    out.append("\nTimes: median over rounds of each round's median (min-max over all runs).")
    steals = [v for m in doc["models"] for rnd in m["rounds"] for v in
              (x.get("steal_pct") for x in rnd.values()) if v is not None]
    if steals:
        out.append(f" Hypervisor steal during the measurements: median {statistics.median(steals):.1f} %, "
                   f"max {max(steals):.1f} % of CPU time.")
    la0, la1 = doc["machine"]["loadavg_start"], doc["machine"]["loadavg_end"]
    if la0 and la1:
        out.append(f" Load average (1 min) at start and end: {la0[0]:.1f}, {la1[0]:.1f} on "
                   f"{doc['machine']['logical_cpus']} CPUs.")
    subs = max(m["subnormal_fraction"] for m in doc["models"])
    out.append(f" Subnormal activations in torch (one pass, all module outputs): at most {subs:.2g} of values.")
    if doc["resbench"]:
        n = sum(m["pass"] for m in doc["models"])
        out.append(f" Goal met by {n} of {len(doc['models'])} models.")
    out.append("\n")
    return "".join(out)


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(d, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
    except OSError:
        pass


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Error as e:
        print(f"bench_torch: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench_torch: interrupted; nothing written", file=sys.stderr)
        sys.exit(130)
