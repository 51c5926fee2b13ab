// `resbench bench conv PROBLEM` and `resbench bench model NAME`: one shape or one network (or
// block), timed after warm-up with the domain's threads pinned, beside the peers, as % of the
// domain's measured FMA peak.
#include <getopt.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commands.h"
#include "peak.h"
#include "record.h"
#include "report.h"
#include "resbench/resbench.h"
#include "results.h"

typedef struct bench_opts {
  const char *cmd;  // "bench conv" / "bench model"
  const char *isa, *algo, *domain, *peers, *results, *block, *problems, *versus;
  int threads, batch, res, json, save, quick, no_peak, rounds, profile, no_fuse, no_fuse_pools;
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

static const char help_conv[] =
    "usage: resbench bench conv PROBLEM... [--problems FILE] [--algo direct|winograd|auto] [--isa ISA]\n"
    "         [--threads N] [--domain D] [--peers onednn,libxsmm,libxsmm_gemm|none] [--json] [--save]\n"
    "         [--results DIR] [--min-time S] [--rounds N] [--quick] [--no-peak]\n"
    "  Times each convolution (benchdnn syntax: mb1ic64ih56oc64oh56kh3ph1) beside the peers, on the same\n"
    "  data and threads. --problems FILE: more problems, one per line; '#' starts a comment (benchdnn's\n"
    "  --batch=FILE; resbench's --batch is the minibatch of 'bench model'). A problem without mb has\n"
    "  minibatch 2, benchdnn's default (said on stderr). --save: one result document with a point each.\n";
static const char help_model[] =
    "usage: resbench bench model MODEL [--block layerS.I] [--batch N] [--res R] [--algo A] [--isa ISA]\n"
    "         [--threads N] [--domain D] [--peers LIST] [--json] [--save] [--results DIR] [--min-time S]\n"
    "         [--rounds N] [--quick] [--no-peak] [--profile] [--no-fuse] [--no-fuse-pools] [--versus B]\n"
    "  The forward pass of a network or one block: median time, images/s, GFLOP/s, % of peak. --batch N:\n"
    "  the minibatch. --peers: each convolution, layer by layer, beside each peer (ms and ratio), and the\n"
    "  sums weighted by occurrences (convolutions only). --profile: then as many forward passes again (at\n"
    "  least 5) with every layer timed: the median per layer, summed by kind (conv_direct, conv_winograd,\n"
    "  attn_se, attn_split, attn_sk, pool_max, pool_avg, pool_global, add_relu, fc, other) with ms, %,\n"
    "  GB moved and GFLOP, and the 15 slowest layers (\"profile\" in the JSON). --no-fuse: every layer its own\n"
    "  pass (by default an SE's channel scale runs inside the block's residual add + ReLU, the other adds in\n"
    "  the store of the convolution before them, and the attention pools in the stores of the convolutions\n"
    "  that write their input). --no-fuse-pools: all but the pools. --versus B: this forward pass against\n"
    "  B's in one process, alternated in --rounds rounds (default 5), and the median of the per-round time\n"
    "  ratios (this / B): B is another MODEL at this batch, resolution and block, and may end in options\n"
    "  :no-fuse, :no-fuse-pools or :ALGO (B's algorithm, else --algo's); ':no-fuse' alone is this model\n"
    "  unfused (what fusion buys), ':direct' with --algo auto what AUTO's choices buy.\n";

// 1: parsed; 0: bad arguments (said); -1: --help printed.
static int parse(bench_opts *o, int argc, char **argv, char ***positional, int *npositional) {
  static const struct option opts[] = {
      {"isa", required_argument, NULL, 'I'},     {"algo", required_argument, NULL, 'a'},
      {"threads", required_argument, NULL, 't'}, {"domain", required_argument, NULL, 'd'},
      {"peers", required_argument, NULL, 'p'},   {"json", no_argument, NULL, 'j'},
      {"batch", required_argument, NULL, 'b'},   {"res", required_argument, NULL, 'r'},
      {"block", required_argument, NULL, 'B'},   {"min-time", required_argument, NULL, 'm'},
      {"save", no_argument, NULL, 's'},          {"results", required_argument, NULL, 'R'},
      {"quick", no_argument, NULL, 'q'},         {"no-peak", no_argument, NULL, 'P'},
      {"rounds", required_argument, NULL, 'n'},  {"problems", required_argument, NULL, 'F'},
      {"profile", no_argument, NULL, 'X'},       {"no-fuse", no_argument, NULL, 'U'},
      {"no-fuse-pools", no_argument, NULL, 'G'},
      {"versus", required_argument, NULL, 'V'},
      {"help", no_argument, NULL, 'h'},
      {0}};
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
        if (!strcmp(o->cmd, "bench conv")) {  // benchdnn's --batch=FILE is our --problems FILE
          fputs("resbench bench conv: --batch is the minibatch of 'bench model' (the PROBLEM's mb gives it here); "
                "--problems FILE reads problems from a file (benchdnn's --batch=FILE)\n",
                stderr);
          return 0;
        }
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
      case 'P': o->no_peak = 1; break;
      case 'n':
        if (!rb_cli_int(o->cmd, "--rounds", optarg, 1, RB_BENCH_MAX_ROUNDS, &o->rounds)) return 0;
        break;
      case 'F': o->problems = optarg; break;
      case 'X': o->profile = 1; break;
      case 'U': o->no_fuse = 1; break;
      case 'G': o->no_fuse_pools = 1; break;
      case 'V': o->versus = optarg; break;
      case 'h': fputs(strcmp(o->cmd, "bench conv") == 0 ? help_conv : help_model, stdout); return -1;
      default: fprintf(stderr, "resbench %s: see 'resbench %s --help'\n", o->cmd, o->cmd); return 0;
    }
  }
  *positional = argv + optind;
  *npositional = argc - optind;
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
  if (o->no_peak)
    rb_peak_skip(&o->dom, &o->peak);
  else
    s = rb_peak_measure(o->topo, &o->dom, o->quick, 1u << o->k->isa, &o->peak);
  if (s != RB_OK || (s = rb_domain_bind(o->topo, &o->dom)) != RB_OK) {
    fprintf(stderr, "resbench %s: %s\n", o->cmd, rb_last_error());
    return -1;
  }
  o->timing = rb_timing_defaults();
  if (o->quick) o->timing.warmup = 1, o->timing.warmup_seconds = 0.2, o->timing.min_runs = 2, o->timing.min_seconds = 0;
  if (o->min_time > 0 || o->quick) o->timing.min_seconds = o->min_time;
  if (o->quick) o->timing.rounds = 1;
  if (o->rounds) o->timing.rounds = o->rounds;
  return 1;
}

// The common head of both records: what ran where.
static json_t *point_head(const bench_opts *o) {
  return json_pack("{s:s, s:s, s:i, s:o, s:b}", "isa", o->k->isa_name, "domain", o->dom.name, "threads",
                   o->dom.threads, "pus", rb_domain_pus_json(&o->dom), "quick", o->quick);
}

// With --save, one document holding the points (not consumed).
static int finish(bench_opts *o, json_t *points, const char *kind, int argc, char **argv) {
  int ret = 0;
  if (o->save) {
    rb_record rec;
    rb_status s = rb_record_begin(&rec, o->results, kind, argc, argv, o->topo);
    if (s == RB_OK) rb_record_add_peak(&rec, &o->dom, &o->peak);
    for (size_t i = 0; s == RB_OK && i < json_array_size(points); i++)
      s = rb_record_add_point(&rec, json_incref(json_array_get(points, i)));
    if (s != RB_OK) {
      fprintf(stderr, "resbench %s: saving the result: %s\n", o->cmd, rb_last_error());
      ret = 1;
    } else {
      fprintf(stderr, "resbench %s: result saved to %s\n", o->cmd, rec.path);
    }
    rb_record_close(&rec);
  }
  return ret;
}

// What runs, on which ISA and PUs, and the peak.
static void print_setup(const bench_opts *o, const char *what, double flops) {
  char pus[256];
  rb_domain_pus_text(&o->dom, pus, sizeof pus);
  printf("%s: %.3f GFLOP per run (2 x dense multiply-adds, padding taps counted)\n", what, flops / 1e9);
  printf("isa %s, domain %s: %d thread(s) pinned to PU %s; ", o->k->isa_name, o->dom.name, o->dom.threads, pus);
  if (!o->peak.measured)
    printf("FP32 FMA peak not measured (--no-peak): %%peak and %%isa not measured\n");
  else
    printf("measured FP32 FMA peak %.1f GFLOP/s (%s, the widest; %%peak), %s's own %.1f (%%isa)\n", o->peak.fma_gflops,
           o->peak.fma_isa, o->k->isa_name, o->peak.isa_gflops[o->k->isa]);
}

static void print_header(const bench_opts *o, const char *what, double flops) {
  print_setup(o, what, flops);
  printf(
      "times: median of %s runs after warm-up; Winograd GFLOP/s are direct-equivalent (can pass the peak);\n"
      "resbench is: how much faster or slower resbench is than that peer (the median over %d alternated rounds\n"
      "of the peer's median over ours); max_rel_diff: the peer's output vs ours\n\n",
      o->quick ? "a few (--quick)" : "repeated", o->npeers && o->timing.rounds > 1 ? o->timing.rounds : 1);
  printf("%-10s %-34s %-14s %10s %10s %10s %5s %9s %7s %7s %-13s %12s\n", "impl", "kernel", "algo", "median_ms", "min_ms",
         "max_ms", "runs", "GFLOP/s", "%peak", "%isa", "resbench is", "max_rel_diff");
}

// "12.3%", or "-" when the peak was not measured (NAN).
static const char *pct_text(double pct, char *buf, size_t len) {
  if (isfinite(pct))
    snprintf(buf, len, "%.1f%%", pct);
  else
    snprintf(buf, len, "-");
  return buf;
}

// isa: the kernel table's ISA for our row (its own peak), RB_ISA_COUNT for a peer's.
static void print_row(const char *who, const rb_bench_conv_result *r, const rb_peak *peak, rb_isa isa,
                      double ours_ms) {
  if (r->status != RB_OK) {
    printf("%-10s %s\n", who, r->message);
    return;
  }
  char speedup[32] = "-";
  if (ours_ms > 0) rb_fmt_speed(1, r->speedup, speedup, sizeof speedup);  // speedup = peer / ours
  char algo[40];
  if (r->path[0] && strcmp(r->path, "winograd"))
    snprintf(algo, sizeof algo, "direct/%s", r->path);  // ours: the engine path (or ref's loops) that ran
  else
    snprintf(algo, sizeof algo, "%s", r->own_tile ? "winograd" : rb_conv_algo_name(r->algo));
  char diff[16] = "-";
  if (ours_ms > 0) snprintf(diff, sizeof diff, "%.1e", r->max_rel_diff);
  char pct[16], isa_pct[16];
  printf("%-10s %-34.34s %-14s %10.3f %10.3f %10.3f %5d %9.2f %7s %7s %-13s %12s\n", who, r->kernel, algo, r->t.median_ms, r->t.min_ms, r->t.max_ms, r->t.count,
         r->gflops, pct_text(rb_peak_pct(peak, r->gflops), pct, sizeof pct),
         pct_text(rb_peak_isa_pct(peak, isa, r->gflops), isa_pct, sizeof isa_pct), speedup, diff);
  if (r->message[0]) printf("%-10s (%s)\n", "", r->message);
}

// The problems of the command line and of --problems FILE (one per line, '#' comments).
static int read_problems(const bench_opts *o, char **pos, int npos, rb_conv_desc **descs, int *n) {
  int cap = npos + 16;
  *descs = malloc((size_t)cap * sizeof **descs);
  *n = 0;
  FILE *f = NULL;
  if (o->problems && !(f = fopen(o->problems, "r"))) {
    fprintf(stderr, "resbench bench conv: cannot open --problems '%s'\n", o->problems);
    return 0;
  }
  char line[512];
  int lineno = 0;
  for (int i = 0; *descs; i++) {
    const char *p;
    if (i < npos) {
      p = pos[i];
    } else if (f && fgets(line, sizeof line, f)) {
      lineno++;
      char *hash = strchr(line, '#');
      if (hash) *hash = 0;
      char *b = line + strspn(line, " \t\r\n");
      b[strcspn(b, " \t\r\n")] = 0;
      if (!*b) continue;
      p = b;
    } else {
      break;
    }
    if (*n == cap) {
      rb_conv_desc *d = realloc(*descs, (size_t)(cap *= 2) * sizeof *d);
      if (!d) break;
      *descs = d;
    }
    if (rb_conv_desc_parse(p, &(*descs)[*n]) != RB_OK) {
      if (i < npos)
        fprintf(stderr, "resbench bench conv: %s\n", rb_last_error());
      else
        fprintf(stderr, "resbench bench conv: %s:%d: %s\n", o->problems, lineno, rb_last_error());
      if (f) fclose(f);
      return 0;
    }
    if (!strstr(p, "mb"))  // benchdnn's default, unlike every other resbench command's batch 1
      fprintf(stderr, "resbench bench conv: note: '%s' gives no mb: minibatch 2 (benchdnn's default)\n", p);
    (*n)++;
  }
  if (f) fclose(f);
  if (!*descs) {
    fputs("resbench bench conv: out of memory\n", stderr);
    return 0;
  }
  if (!*n) {
    fprintf(stderr, "resbench bench conv: give a PROBLEM (benchdnn syntax, e.g. mb1ic64ih56oc64oh56kh3ph1)%s\n",
            o->problems ? " or problems in the --problems file" : " or --problems FILE");
    return 0;
  }
  return 1;
}

// One problem measured, printed and turned into a point (NULL on failure, said on stderr).
static json_t *bench_one_conv(bench_opts *o, const rb_conv_desc *d) {
  rb_bench_conv_result ours, peer[RB_BENCH_MAX_PEERS];
  if (rb_bench_conv(o->k, d, o->a, o->dom.threads, o->peer, o->npeers, &o->timing, &ours, peer) != RB_OK) {
    fprintf(stderr, "resbench bench conv: %s\n", rb_last_error());
    return NULL;
  }
  char name[160];
  rb_conv_desc_format(d, name, sizeof name);
  const double flops = 2 * rb_conv_macs(d);
  if (!o->json) {
    char what[200];
    snprintf(what, sizeof what, "conv %s", name);
    print_header(o, what, flops);
    if (o->a == RB_CONV_AUTO) {  // the rule's choice, and why
      rb_conv_algo chosen;
      char why[200];
      if (rb_conv_algo_explain(o->k, d, RB_CONV_AUTO, &chosen, why, sizeof why) == RB_OK) printf("auto: %s\n", why);
    }
    print_row("resbench", &ours, &o->peak, o->k->isa, 0);
    for (int i = 0; i < o->npeers; i++) print_row(o->peer[i]->name, &peer[i], &o->peak, RB_ISA_COUNT, ours.t.median_ms);
    putchar('\n');
  }
  json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:i}", "problem", name, "algo", rb_conv_algo_name(ours.algo), "kernel",
                        ours.kernel, "path", ours.path, "rounds", ours.rounds);
  if (o->a == RB_CONV_AUTO) {
    rb_conv_algo chosen;
    char why[200];
    if (rb_conv_algo_explain(o->k, d, RB_CONV_AUTO, &chosen, why, sizeof why) == RB_OK)
      json_object_set_new(p, "auto_reason", json_string(why));
  }
  json_t *head = point_head(o);
  json_object_update(p, head);
  json_decref(head);
  json_object_set_new(p, "macs", json_integer((json_int_t)rb_conv_macs(d)));
  json_object_set_new(p, "flops", json_integer((json_int_t)flops));
  rb_timing_json(p, "", &ours.t);
  json_object_set_new(p, "gflops", json_real(ours.gflops));
  rb_bench_peak_json(p, &o->peak, o->k->isa, ours.gflops);
  for (int i = 0; i < o->npeers; i++) {
    char key[96], prefix[48];
    const char *pn = o->peer[i]->name;
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
             {"speedup", json_real(peer[i].speedup)},
             {"impl", json_string(peer[i].kernel)},
             {"algo", json_string(peer[i].own_tile ? "winograd" : rb_conv_algo_name(peer[i].algo))},
             {"max_rel_diff", json_real(peer[i].max_rel_diff)}};
    for (size_t j = 0; j < sizeof f / sizeof f[0]; j++) {
      snprintf(key, sizeof key, "%s_%s", pn, f[j].k);
      json_object_set_new(p, key, f[j].v);
    }
  }
  if (o->json) {
    char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
  }
  return p;
}

static int bench_conv(int argc, char **argv) {
  bench_opts o = {.cmd = "bench conv", .algo = "auto", .domain = "machine", .peers = NULL};
  char **pos;
  int npos;
  const int pr = parse(&o, argc, argv, &pos, &npos);
  if (pr <= 0) return pr < 0 ? 0 : 2;
  if (o.batch || o.res || o.block || o.profile || o.no_fuse || o.no_fuse_pools || o.versus) {
    fputs("resbench bench conv: --batch/--res/--block/--profile/--no-fuse/--no-fuse-pools/--versus are for 'bench model' "
          "(--batch N is the minibatch); the PROBLEM gives the shape (mb...), and --problems FILE reads problems "
          "from a file (benchdnn's --batch=FILE)\n",
          stderr);
    return 2;
  }
  rb_conv_desc *descs = NULL;
  int n = 0;
  if (!read_problems(&o, pos, npos, &descs, &n)) {
    free(descs);
    return 2;
  }
  if (!o.peers) o.peers = rb_peer_count() ? "onednn" : "none";
  int r = resolve(&o);
  if (r <= 0) {
    free(descs);
    rb_topology_destroy(o.topo);
    return r == 0 ? 2 : 1;
  }
  json_t *points = json_array();
  int ret = 0;
  for (int i = 0; i < n && !ret; i++) {
    if (n > 1) fprintf(stderr, "resbench bench conv: problem %d/%d\n", i + 1, n);
    json_t *p = bench_one_conv(&o, &descs[i]);
    if (p)
      json_array_append_new(points, p);
    else
      ret = 1;
  }
  if (!ret) ret = finish(&o, points, "bench-conv", argc, argv);
  json_decref(points);
  free(descs);
  rb_topology_destroy(o.topo);
  return ret;
}

// The per-layer breakdown of bench model --peers and the sums, ours against each peer.
static void print_layers(const bench_opts *o, const json_t *p) {
  char a[32], b[32], w[48];
  printf("\nconvolutions, layer by layer (each unique shape timed once; x: occurrences):\n%-28s %-44s %3s %11s",
         "first layer", "problem", "x", "ours ms");
  for (int j = 0; j < o->npeers; j++) printf(" %11.11s %-22s", o->peer[j]->name, "resbench is");
  putchar('\n');
  size_t i;
  const json_t *l;
  json_array_foreach(json_object_get(p, "layers"), i, l) {
    printf("%-28s %-44s %3.0f %11s", rb_jstr(l, "layer"), rb_jstr(l, "problem"), rb_jnum(l, "count"),
           rb_fmt_grouped(rb_jnum(l, "ours_ms"), 3, a, sizeof a));
    for (int j = 0; j < o->npeers; j++) {
      char key[96];
      snprintf(key, sizeof key, "%s_ms", o->peer[j]->name);
      const double pms = rb_jnum(l, key);
      if (isnan(pms))
        printf(" %11s %-22s", "-", "(peer cannot run it)");
      else
        printf(" %11s %-22s", rb_fmt_grouped(pms, 3, b, sizeof b), rb_fmt_speed(rb_jnum(l, "ours_ms"), pms, w, sizeof w));
    }
    putchar('\n');
  }
  const double ms = rb_jnum(p, "conv_median_ms");
  printf("\nconvolutions only (sum of per-layer medians x occurrences):\n%-10s %12s ms %9.2f GFLOP/s\n", "resbench",
         rb_fmt_grouped(ms, 3, a, sizeof a), rb_jnum(p, "conv_gflops"));
  for (int j = 0; j < o->npeers; j++) {
    char key[96];
    const char *pn = o->peer[j]->name;
    snprintf(key, sizeof key, "%s_error", pn);
    const char *err = json_string_value(json_object_get(p, key));
    if (err) {
      printf("%-10s incomplete: %s\n", pn, err);
      continue;
    }
    snprintf(key, sizeof key, "%s_median_ms", pn);
    const double pms = rb_jnum(p, key);
    snprintf(key, sizeof key, "%s_gflops", pn);
    printf("%-10s %12s ms %9.2f GFLOP/s  resbench is %s than %s\n", pn, rb_fmt_grouped(pms, 3, a, sizeof a),
           rb_jnum(p, key), rb_fmt_speed(ms, pms, w, sizeof w), pn);
  }
  printf("(the sum can differ from the forward pass: each layer is timed alone, in a loop, with its input and\n"
         " weights hot in cache; in the network each layer reads what the previous one just wrote)\n");
}

enum { PROFILE_MIN_RUNS = 5, PROFILE_TOP = 15 };

// --versus B: B's model (empty: this one), plan options and algorithm (a, unless B names one). B is
// MODEL[:OPTION]..., each OPTION no-fuse, no-fuse-pools or an algorithm (direct, auto, winograd_f4, ...).
// 0 (said) when B is malformed.
static int parse_versus(const char *arg, char *model, size_t len, rb_plan_options *opt, rb_conv_algo *algo) {
  const char *colon = strchr(arg, ':');
  const size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
  memset(opt, 0, sizeof *opt);
  if (n >= len) {
    fprintf(stderr, "resbench bench model: --versus %s: the model name is too long\n", arg);
    return 0;
  }
  memcpy(model, arg, n);
  model[n] = '\0';
  for (const char *o = colon; o; o = strchr(o + 1, ':')) {
    const char *end = strchr(o + 1, ':');
    const size_t on = end ? (size_t)(end - o - 1) : strlen(o + 1);
    char word[32] = "";
    if (on < sizeof word) memcpy(word, o + 1, on), word[on] = '\0';
    if (strcmp(word, "no-fuse") == 0) opt->no_fusion = 1;
    else if (strcmp(word, "no-fuse-pools") == 0) opt->no_pool_fusion = 1;
    else if (on >= sizeof word || rb_conv_algo_parse(word, algo) != RB_OK) {
      fprintf(stderr,
              "resbench bench model: --versus %s: unknown option '%.*s' (no-fuse, no-fuse-pools or an algorithm: "
              "direct, auto, winograd_f2, ...)\n",
              arg, (int)on, o + 1);
      return 0;
    }
  }
  return 1;
}  // --profile: at least 5 profiled runs; the 15 slowest layers

static const char *fusion_name(const rb_plan_options *p) {
  return p->no_fusion ? "off" : p->no_pool_fusion ? "on-no-pools" : "on";
}

// bench model A --versus B: both forward passes alternated in rounds, the median time ratio A / B.
static int bench_versus(bench_opts *o, const char *name, const rb_model_spec *spec, const rb_graph *g,
                        const rb_plan_options *plan, int batch, int res, int argc, char **argv) {
  char bname[128];
  rb_plan_options bplan;
  rb_conv_algo balgo = o->a;
  if (!parse_versus(o->versus, bname, sizeof bname, &bplan, &balgo)) return 2;
  if (!bname[0]) snprintf(bname, sizeof bname, "%s", name);
  if (o->profile || o->npeers) {
    fputs("resbench bench model: --versus times two forward passes against each other; run --profile or --peers "
          "on their own\n",
          stderr);
    return 2;
  }
  rb_model_spec bspec = *spec;
  rb_graph *gb = NULL;
  rb_status s = rb_model_find(bname, &bspec);
  if (s == RB_OK)
    s = o->block ? rb_graph_build_block(&bspec, o->block, batch, res, res, &gb) : rb_graph_build(&bspec, batch, res, res, &gb);
  if (s != RB_OK) {
    fprintf(stderr, "resbench bench model: --versus %s: %s\n", o->versus, rb_last_error());
    return 2;
  }
  fprintf(stderr, "resbench bench model: %s (%s, fusion %s) against %s (%s, fusion %s), alternated in rounds...\n",
          name, rb_conv_algo_name(o->a), fusion_name(plan), bname, rb_conv_algo_name(balgo), fusion_name(&bplan));
  rb_bench_versus v;
  int ret = 1;
  if ((s = rb_bench_graph_versus(g, plan, o->a, gb, &bplan, balgo, o->k, &o->timing, &v)) != RB_OK) {
    fprintf(stderr, "resbench bench model: %s\n", rb_last_error());
    rb_graph_destroy(gb);
    return 1;
  }
  json_t *p = json_pack("{s:s, s:s?, s:i, s:i, s:s, s:s}", "model", name, "block", o->block, "batch", batch, "res", res,
                        "algo", rb_conv_algo_name(o->a), "fusion", fusion_name(plan));
  json_t *head = point_head(o);
  json_object_update(p, head);
  json_decref(head);
  rb_bench_graph_json(p, g, &v.a, &o->peak, o->k->isa);
  json_t *vb = json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:i}", "model", bname, "algo", rb_conv_algo_name(balgo),
                         "fusion", fusion_name(&bplan),
                         "gflops", 2 * gb->macs / (v.b.median_ms * 1e6), "ratio", v.ratio, "ratio_min", v.ratio_min,
                         "ratio_max", v.ratio_max, "rounds", v.rounds);
  rb_timing_json(vb, "", &v.b);
  json_object_set_new(p, "versus", vb);
  if (!o->json) {
    char what[256];
    snprintf(what, sizeof what, "%s%s%s against %s, batch %d at %dx%d", name, o->block ? " " : "",
             o->block ? o->block : "", bname, batch, res, res);
    print_setup(o, what, 2 * g->macs);
    printf("times: of the round nearest each side's median; A / B: the median of the per-round ratios\n\n");
    printf("%-4s %-40s %-12s %10s %10s %10s %5s %9s\n", "", "forward pass", "algo", "median_ms", "min_ms", "max_ms",
           "runs", "GFLOP/s");
    const rb_timing *t[2] = {&v.a, &v.b};
    const char *who[2] = {name, bname};
    const rb_plan_options *pl[2] = {plan, &bplan};
    const double macs[2] = {g->macs, gb->macs};
    const rb_conv_algo algos[2] = {o->a, balgo};
    for (int i = 0; i < 2; i++) {
      char label[96];
      snprintf(label, sizeof label, "%.28s, fusion %s", who[i], fusion_name(pl[i]));
      printf("%-4s %-40s %-12s %10.3f %10.3f %10.3f %5d %9.2f\n", i ? "B" : "A", label, rb_conv_algo_name(algos[i]),
             t[i]->median_ms, t[i]->min_ms, t[i]->max_ms, t[i]->count, 2 * macs[i] / (t[i]->median_ms * 1e6));
    }
    printf("A / B time: %.3f (the median over %d alternated rounds; per round %.3f .. %.3f)\n", v.ratio, v.rounds,
           v.ratio_min, v.ratio_max);
  } else {
    char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
  }
  json_t *points = json_pack("[O]", p);
  ret = finish(o, points, "bench-model", argc, argv);
  json_decref(points);
  json_decref(p);
  rb_graph_destroy(gb);
  return ret;
}

static int bench_model(int argc, char **argv) {
  bench_opts o = {.cmd = "bench model", .algo = "auto", .domain = "machine", .peers = "none"};
  char **pos;
  int npos;
  const int pr = parse(&o, argc, argv, &pos, &npos);
  if (pr <= 0) return pr < 0 ? 0 : 2;
  if (o.problems) {
    fputs("resbench bench model: --problems is for 'bench conv'\n", stderr);
    return 2;
  }
  if (npos != 1) {
    fputs("resbench bench model: give exactly one MODEL (see 'resbench models')\n", stderr);
    return 2;
  }
  const char *name = pos[0];
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
  rb_bench_profile prof = {.min_runs = PROFILE_MIN_RUNS};
  const rb_plan_options plan = {.no_fusion = o.no_fuse, .no_pool_fusion = o.no_fuse_pools};
  if (o.versus) {
    ret = bench_versus(&o, name, &spec, g, &plan, batch, res, argc, argv);
    goto done;
  }
  fprintf(stderr, "resbench bench model: timing the forward pass of %s%s%s (%s runs%s)...\n", name,
          o.block ? " " : "", o.block ? o.block : "", o.quick ? "a few" : "repeated",
          o.profile ? ", then as many profiled" : "");
  if (rb_bench_graph(g, o.k, o.a, &plan, &o.timing, &t, o.profile ? &prof : NULL) != RB_OK) goto fail;
  p = json_pack("{s:s, s:s?, s:i, s:i, s:s, s:s}", "model", name, "block", o.block, "batch", batch, "res", res, "algo",
                rb_conv_algo_name(o.a), "fusion", o.no_fuse ? "off" : o.no_fuse_pools ? "on-no-pools" : "on");
  json_t *head = point_head(&o);
  json_object_update(p, head);
  json_decref(head);
  const double gflops = rb_bench_graph_json(p, g, &t, &o.peak, o.k->isa);
  if (!o.json) {
    char what[200];
    snprintf(what, sizeof what, "%s%s%s, batch %d at %dx%d (%.3f G multiply-adds)", name, o.block ? " " : "",
             o.block ? o.block : "", batch, res, res, g->macs / 1e9);
    print_header(&o, what, 2 * g->macs);
    char pct[16], isa_pct[16];
    printf("%-10s %-34s %-14s %10.3f %10.3f %10.3f %5d %9.2f %7s %7s\n", "resbench",
           o.no_fuse ? "forward pass, unfused" : "forward pass",
           rb_conv_algo_name(o.a), t.median_ms, t.min_ms, t.max_ms, t.count, gflops,
           pct_text(rb_peak_pct(&o.peak, gflops), pct, sizeof pct),
           pct_text(rb_peak_isa_pct(&o.peak, o.k->isa, gflops), isa_pct, sizeof isa_pct));
    printf("%-10s %.1f images/s\n", "", batch / (t.median_ms / 1e3));
  }
  if (o.profile) {
    json_t *pj = rb_bench_profile_json(g, &prof);
    if (!o.json) rb_bench_profile_print(pj, t.median_ms, PROFILE_TOP);
    json_object_set_new(p, "profile", pj);
  }
  if (o.npeers) {  // peers beside us on the network's convolutions, layer by layer
    if (rb_bench_graph_peers(g, o.k, o.a, o.dom.threads, o.peer, o.npeers, &o.timing, p, !o.json) != RB_OK) goto fail;
    if (!o.json) print_layers(&o, p);
  }
  if (o.json) {
    char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
  }
  json_t *points = json_pack("[O]", p);
  ret = finish(&o, points, "bench-model", argc, argv);
  json_decref(points);
  goto done;
fail:
  fprintf(stderr, "resbench bench model: %s\n", rb_last_error());
done:
  json_decref(p);
  rb_bench_profile_free(&prof);
  rb_graph_destroy(g);
  rb_topology_destroy(o.topo);
  return ret;
}

int rb_cmd_bench(int argc, char **argv) {
  if (argc < 2) {
    fputs("resbench bench: give 'conv PROBLEM', 'model NAME' or 'passes' (see 'resbench help')\n", stderr);
    return 2;
  }
  if (strcmp(argv[1], "conv") == 0) return bench_conv(argc - 1, argv + 1);
  if (strcmp(argv[1], "model") == 0) return bench_model(argc - 1, argv + 1);
  if (strcmp(argv[1], "passes") == 0) return rb_cmd_bench_passes(argc - 1, argv + 1);
  fprintf(stderr, "resbench bench: unknown target '%s': use 'conv', 'model' or 'passes'\n", argv[1]);
  return 2;
}
