// `resbench bench conv PROBLEM` and `resbench bench model NAME`: one shape or one network (or
// block), timed after warm-up with the domain's threads pinned, beside the peers, as % of the
// domain's measured FMA peak.
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commands.h"
#include "peak.h"
#include "record.h"
#include "resbench/resbench.h"
#include "results.h"

typedef struct bench_opts {
  const char *cmd;  // "bench conv" / "bench model"
  const char *isa, *algo, *domain, *peers, *results, *block;
  int threads, batch, res, json, save, quick;
  double min_time;
  // resolved
  const rb_kernels *k;
  rb_conv_algo a;
  rb_topology *topo;
  rb_domain dom;
  rb_peak peak;
  const rb_peer *peer[RB_BENCH_MAX_PEERS];
  int npeers;
  rb_timing_opts timing;
} bench_opts;

static int parse(bench_opts *o, int argc, char **argv, const char **positional) {
  static const struct option opts[] = {
      {"isa", required_argument, NULL, 'I'},     {"algo", required_argument, NULL, 'a'},
      {"threads", required_argument, NULL, 't'}, {"domain", required_argument, NULL, 'd'},
      {"peers", required_argument, NULL, 'p'},   {"json", no_argument, NULL, 'j'},
      {"batch", required_argument, NULL, 'b'},   {"res", required_argument, NULL, 'r'},
      {"block", required_argument, NULL, 'B'},   {"min-time", required_argument, NULL, 'm'},
      {"save", no_argument, NULL, 's'},          {"results", required_argument, NULL, 'R'},
      {"quick", no_argument, NULL, 'q'},         {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'I': o->isa = optarg; break;
      case 'a': o->algo = optarg; break;
      case 't':
        if (!rb_cli_int(o->cmd, "--threads", optarg, 1, RB_MAX_DOMAIN_THREADS, &o->threads)) return 0;
        break;
      case 'd': o->domain = optarg; break;
      case 'p': o->peers = optarg; break;
      case 'j': o->json = 1; break;
      case 'b':
        if (!rb_cli_int(o->cmd, "--batch", optarg, 1, 65536, &o->batch)) return 0;
        break;
      case 'r':
        if (!rb_cli_int(o->cmd, "--res", optarg, RB_MODEL_MIN_RES, 4096, &o->res)) return 0;
        break;
      case 'B': o->block = optarg; break;
      case 'm':
        if (!rb_cli_seconds(o->cmd, "--min-time", optarg, &o->min_time)) return 0;
        break;
      case 's': o->save = 1; break;
      case 'R': o->results = optarg, o->save = 1; break;
      case 'q': o->quick = 1; break;
      default: fprintf(stderr, "resbench %s: see 'resbench help'\n", o->cmd); return 0;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "resbench %s: give exactly one %s\n", o->cmd,
            strcmp(o->cmd, "bench conv") == 0 ? "PROBLEM (benchdnn syntax, e.g. mb1ic64ih56oc64oh56kh3ph1)"
                                              : "MODEL (see 'resbench models')");
    return 0;
  }
  *positional = argv[optind];
  return 1;
}

// ISA, algorithm, peers, domain (pinned), peak: everything that can fail before measuring.
static int resolve(bench_opts *o) {
  rb_isa isa;
  rb_domain_kind kind;
  rb_status s = o->isa ? rb_isa_parse(o->isa, &isa) : RB_OK;
  if (s == RB_OK) s = o->isa ? rb_kernels_get(isa, &o->k) : rb_kernels_default(&o->k);
  if (s == RB_OK) s = rb_conv_algo_parse(o->algo, &o->a);
  if (s == RB_OK) s = rb_bench_peers_parse(o->peers, o->peer, RB_BENCH_MAX_PEERS, &o->npeers);
  if (s == RB_OK) s = rb_domain_kind_parse(o->domain, &kind);
  if (s == RB_OK) s = rb_topology_load(&o->topo);
  if (s == RB_OK) s = rb_bench_domain(o->topo, kind, o->threads, &o->dom);
  char dir[PATH_MAX];  // --save: the results directory must be usable before anything is measured
  if (s == RB_OK && o->save) s = rb_results_dir(o->results, dir, sizeof dir);
  if (s == RB_OK && o->save) s = rb_results_mkdir(dir);
  if (s != RB_OK) {
    fprintf(stderr, "resbench %s: %s\n", o->cmd, rb_last_error());
    return 0;
  }
  if ((s = rb_peak_measure(o->topo, &o->dom, o->quick, &o->peak)) != RB_OK ||
      (s = rb_domain_bind(o->topo, &o->dom)) != RB_OK) {
    fprintf(stderr, "resbench %s: %s\n", o->cmd, rb_last_error());
    return -1;
  }
  o->timing = rb_timing_defaults();
  if (o->quick) o->timing.warmup = 1, o->timing.warmup_seconds = 0.2, o->timing.min_runs = 2, o->timing.min_seconds = 0;
  if (o->min_time > 0 || o->quick) o->timing.min_seconds = o->min_time;
  return 1;
}

// The common head of both records: what ran where.
static json_t *point_head(const bench_opts *o) {
  return json_pack("{s:s, s:s, s:i, s:o, s:f, s:s}", "isa", o->k->isa_name, "domain", o->dom.name, "threads",
                   o->dom.threads, "pus", rb_domain_pus_json(&o->dom), "peak_gflops", o->peak.fma_gflops, "peak_isa",
                   o->peak.fma_isa ? o->peak.fma_isa : "unknown");
}

static int finish(bench_opts *o, json_t *point, const char *kind, int argc, char **argv) {
  int ret = 0;
  if (o->json) {
    char *text = json_dumps(point, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
  }
  if (o->save) {
    rb_record rec;
    rb_status s = rb_record_begin(&rec, o->results, kind, argc, argv, o->topo);
    if (s == RB_OK) {
      rb_record_add_peak(&rec, &o->dom, &o->peak);
      s = rb_record_add_point(&rec, json_incref(point));
    }
    if (s != RB_OK) {
      fprintf(stderr, "resbench %s: saving the result: %s\n", o->cmd, rb_last_error());
      ret = 1;
    } else {
      fprintf(stderr, "resbench %s: result saved to %s\n", o->cmd, rec.path);
    }
    rb_record_close(&rec);
  }
  json_decref(point);
  return ret;
}

static void print_header(const bench_opts *o, const char *what, double flops) {
  char pus[256];
  rb_domain_pus_text(&o->dom, pus, sizeof pus);
  printf("%s: %.3f GFLOP per run (2 x dense multiply-adds, padding taps counted)\n", what, flops / 1e9);
  printf("isa %s, domain %s: %d thread(s) pinned to PU %s; measured FP32 FMA peak %.1f GFLOP/s (%s)\n", o->k->isa_name,
         o->dom.name, o->dom.threads, pus, o->peak.fma_gflops, o->peak.fma_isa);
  printf(
      "times: median of %s runs after warm-up; Winograd GFLOP/s are direct-equivalent (can pass the peak);\n"
      "speed-up: the peer's median over ours (> 1: resbench is faster); max_rel_diff: vs our output\n\n",
      o->quick ? "a few (--quick)" : "repeated");
  printf("%-10s %-30s %-12s %10s %10s %10s %5s %9s %7s %9s %12s\n", "impl", "kernel", "algo", "median_ms", "min_ms",
         "max_ms", "runs", "GFLOP/s", "%peak", "speed-up", "max_rel_diff");
}

static void print_row(const char *who, const rb_bench_conv_result *r, double peak, double ours_ms) {
  if (r->status != RB_OK) {
    printf("%-10s %s\n", who, r->message);
    return;
  }
  char speedup[16] = "-";
  if (ours_ms > 0) snprintf(speedup, sizeof speedup, "%.2fx", r->t.median_ms / ours_ms);
  char diff[16] = "-";
  if (ours_ms > 0) snprintf(diff, sizeof diff, "%.1e", r->max_rel_diff);
  printf("%-10s %-30.30s %-12s %10.3f %10.3f %10.3f %5d %9.2f %6.1f%% %9s %12s\n", who, r->kernel,
         r->own_tile ? "winograd" : rb_conv_algo_name(r->algo), r->t.median_ms, r->t.min_ms, r->t.max_ms, r->t.count,
         r->gflops, 100 * r->gflops / peak, speedup, diff);
  if (r->message[0]) printf("%-10s (%s)\n", "", r->message);
}

static int bench_conv(int argc, char **argv) {
  bench_opts o = {.cmd = "bench conv", .algo = "auto", .domain = "machine", .peers = NULL};
  const char *problem;
  if (!parse(&o, argc, argv, &problem)) return 2;
  if (o.batch || o.res || o.block) {
    fputs("resbench bench conv: --batch/--res/--block are for 'bench model'; the PROBLEM gives the shape (mb...)\n",
          stderr);
    return 2;
  }
  rb_conv_desc d;
  if (rb_conv_desc_parse(problem, &d) != RB_OK) {
    fprintf(stderr, "resbench bench conv: %s\n", rb_last_error());
    return 2;
  }
  if (!o.peers) o.peers = rb_peer_count() ? "onednn" : "none";
  int r = resolve(&o);
  if (r <= 0) {
    rb_topology_destroy(o.topo);
    return r == 0 ? 2 : 1;
  }
  rb_bench_conv_result ours, peer[RB_BENCH_MAX_PEERS];
  if (rb_bench_conv(o.k, &d, o.a, o.dom.threads, o.peer, o.npeers, &o.timing, &ours, peer) != RB_OK) {
    fprintf(stderr, "resbench bench conv: %s\n", rb_last_error());
    rb_topology_destroy(o.topo);
    return 1;
  }
  char name[160];
  rb_conv_desc_format(&d, name, sizeof name);
  const double flops = 2 * rb_conv_macs(&d);
  if (!o.json) {
    char what[200];
    snprintf(what, sizeof what, "conv %s", name);
    print_header(&o, what, flops);
    print_row("resbench", &ours, o.peak.fma_gflops, 0);
    for (int i = 0; i < o.npeers; i++) print_row(o.peer[i]->name, &peer[i], o.peak.fma_gflops, ours.t.median_ms);
  }
  json_t *p =
      json_pack("{s:s, s:s, s:s}", "problem", name, "algo", rb_conv_algo_name(ours.algo), "kernel", ours.kernel);
  json_t *head = point_head(&o);
  json_object_update(p, head);
  json_decref(head);
  json_object_set_new(p, "macs", json_real(rb_conv_macs(&d)));
  json_object_set_new(p, "flops", json_real(flops));
  rb_timing_json(p, "", &ours.t);
  json_object_set_new(p, "gflops", json_real(ours.gflops));
  json_object_set_new(p, "peak_pct", json_real(100 * ours.gflops / o.peak.fma_gflops));
  for (int i = 0; i < o.npeers; i++) {
    char key[96], prefix[48];
    const char *pn = o.peer[i]->name;
    snprintf(prefix, sizeof prefix, "%s_", pn);
    if (peer[i].status != RB_OK) {
      snprintf(key, sizeof key, "%s_error", pn);
      json_object_set_new(p, key, json_string(peer[i].message));
      continue;
    }
    rb_timing_json(p, prefix, &peer[i].t);
    const struct {
      const char *k;
      json_t *v;
    } f[] = {{"gflops", json_real(peer[i].gflops)},
             {"speedup", json_real(peer[i].t.median_ms / ours.t.median_ms)},
             {"impl", json_string(peer[i].kernel)},
             {"algo", json_string(peer[i].own_tile ? "winograd" : rb_conv_algo_name(peer[i].algo))},
             {"max_rel_diff", json_real(peer[i].max_rel_diff)}};
    for (size_t j = 0; j < sizeof f / sizeof f[0]; j++) {
      snprintf(key, sizeof key, "%s_%s", pn, f[j].k);
      json_object_set_new(p, key, f[j].v);
    }
  }
  const int ret = finish(&o, p, "bench-conv", argc, argv);
  rb_topology_destroy(o.topo);
  return ret;
}

static int bench_model(int argc, char **argv) {
  bench_opts o = {.cmd = "bench model", .algo = "auto", .domain = "machine", .peers = "none"};
  const char *name;
  if (!parse(&o, argc, argv, &name)) return 2;
  rb_model_spec spec;
  if (rb_model_find(name, &spec) != RB_OK) {
    fprintf(stderr, "resbench bench model: %s\n", rb_last_error());
    return 2;
  }
  const int batch = o.batch ? o.batch : 1, res = o.res ? o.res : spec.default_res;
  rb_graph *g;
  if ((o.block ? rb_graph_build_block(&spec, o.block, batch, res, res, &g)
               : rb_graph_build(&spec, batch, res, res, &g)) != RB_OK) {
    fprintf(stderr, "resbench bench model: %s\n", rb_last_error());
    return 2;
  }
  int r = resolve(&o);
  if (r <= 0) {
    rb_graph_destroy(g);
    rb_topology_destroy(o.topo);
    return r == 0 ? 2 : 1;
  }
  int ret = 1;
  json_t *p = NULL;
  rb_timing t;
  if (rb_bench_graph(g, o.k, o.a, &o.timing, &t) != RB_OK) goto fail;
  p = json_pack("{s:s, s:s?, s:i, s:i, s:s}", "model", name, "block", o.block, "batch", batch, "res", res, "algo",
                rb_conv_algo_name(o.a));
  json_t *head = point_head(&o);
  json_object_update(p, head);
  json_decref(head);
  const double gflops = rb_bench_graph_json(p, g, &t, o.peak.fma_gflops);
  if (!o.json) {
    char what[200];
    snprintf(what, sizeof what, "%s%s%s, batch %d at %dx%d (%.3f G multiply-adds)", name, o.block ? " " : "",
             o.block ? o.block : "", batch, res, res, g->macs / 1e9);
    print_header(&o, what, 2 * g->macs);
    printf("%-10s %-30s %-12s %10.3f %10.3f %10.3f %5d %9.2f %6.1f%%\n", "resbench", "forward pass",
           rb_conv_algo_name(o.a), t.median_ms, t.min_ms, t.max_ms, t.count, gflops, 100 * gflops / o.peak.fma_gflops);
    printf("%-10s %.1f images/s\n", "", batch / (t.median_ms / 1e3));
  }
  if (o.npeers) {  // peers beside us on the network's convolutions, layer by layer
    if (rb_bench_graph_peers(g, o.k, o.a, o.dom.threads, o.peer, o.npeers, &o.timing, p, !o.json) != RB_OK) goto fail;
    if (!o.json) {
      const double ms = json_real_value(json_object_get(p, "conv_median_ms"));
      printf("\nconvolutions only (sum of per-layer medians x occurrences):\n%-10s %10.3f ms %9.2f GFLOP/s\n",
             "resbench", ms, json_real_value(json_object_get(p, "conv_gflops")));
      for (int j = 0; j < o.npeers; j++) {
        char key[96];
        const char *pn = o.peer[j]->name;
        snprintf(key, sizeof key, "%s_error", pn);
        const char *err = json_string_value(json_object_get(p, key));
        if (err) {
          printf("%-10s incomplete: %s\n", pn, err);
          continue;
        }
        snprintf(key, sizeof key, "%s_median_ms", pn);
        const double pms = json_real_value(json_object_get(p, key));
        snprintf(key, sizeof key, "%s_gflops", pn);
        printf("%-10s %10.3f ms %9.2f GFLOP/s  speed-up of resbench over it %.2fx\n", pn, pms,
               json_real_value(json_object_get(p, key)), pms / ms);
      }
    }
  }
  ret = finish(&o, p, "bench-model", argc, argv);
  p = NULL;
  goto done;
fail:
  fprintf(stderr, "resbench bench model: %s\n", rb_last_error());
done:
  json_decref(p);
  rb_graph_destroy(g);
  rb_topology_destroy(o.topo);
  return ret;
}

int rb_cmd_bench(int argc, char **argv) {
  if (argc < 2) {
    fputs("resbench bench: give 'conv PROBLEM' or 'model NAME' (see 'resbench help')\n", stderr);
    return 2;
  }
  if (strcmp(argv[1], "conv") == 0) return bench_conv(argc - 1, argv + 1);
  if (strcmp(argv[1], "model") == 0) return bench_model(argc - 1, argv + 1);
  fprintf(stderr, "resbench bench: unknown target '%s': use 'conv' or 'model'\n", argv[1]);
  return 2;
}
