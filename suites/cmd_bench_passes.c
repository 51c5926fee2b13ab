// `resbench bench passes`: the memory-bound passes of the ResNet-family blocks (global pool,
// residual add + ReLU, SE scale + add + ReLU fused and unfused, split sum, SK selection, max and
// average pools) timed on tensors as large as the STREAM triad's arrays (beyond L3), and on
// tensors that fit in L2, each as GB/s and % of the triad measured in the same run.
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commands.h"
#include "oracle64.h"
#include "peak.h"
#include "record.h"
#include "resbench/resbench.h"
#include "results.h"

static const char help[] =
    "usage: resbench bench passes [--isa ISA] [--threads N] [--domain D] [--channels C] [--json] [--save]\n"
    "         [--results DIR] [--min-time S] [--quick]\n"
    "  Times each memory-bound pass of the blocks on one table: global average pool, add + ReLU, the SE\n"
    "  scale fused with the add + ReLU (one pass) and unfused (scale, then add), the ResNeSt split sum\n"
    "  (radix 2), the SK selection (2 paths), max pool 3x3/2, ResNeSt's avd (avg 3x3/2) and avg_down\n"
    "  (avg 2x2/2, ceil) pools, with C channels (default 256). Two sizes: tensors as large as the STREAM\n"
    "  triad's arrays (beyond the caches) and tensors of 256 KiB (in L2). GB/s counts each tensor read\n"
    "  or written once (the triad's rule: no write-allocate traffic); %triad is against the triad\n"
    "  measured beside each pass (rounds of triad then pass, the median ratio), same threads and size.\n";

enum pass_kind { P_GAP, P_ADD, P_SE_FUSED, P_SE_UNFUSED, P_SPLIT_SUM, P_SK, P_MAXPOOL, P_AVD, P_AVG_DOWN, P_COUNT };
static const char *const pass_names[P_COUNT] = {
    "global_avgpool", "add_relu", "se_scale_add_relu", "se_scale_then_add_relu", "split_sum_r2",
    "sk_select_2",    "maxpool_3x3s2", "avgpool_3x3s2_avd", "avgpool_2x2s2_avg_down"};

typedef struct pass {
  const rb_kernels *k;
  enum pass_kind kind;
  int pixels, c;       // the main tensor: pixels x c floats
  rb_pool_desc pool;   // the pools: a square map of about `pixels` pixels
  float *x, *y, *out;  // x, y: inputs (pixels x c each); out: the output
  float *gate, *att;   // per-channel vectors
  double bytes;        // moved per run (each tensor once)
} pass;

// The pools run on a batch of 56x56 maps (ResNeSt's avd size; the stem's map is 112x112) holding
// about `pixels` pixels: one huge map would have rows too long to stay in L2 between the window's
// overlapping reads, which no network has.
static rb_pool_desc batch_pool(int pixels, int c, int k, int s, int pad, int ceil_mode, int count_include_pad) {
  const int n = pixels / (56 * 56) > 0 ? pixels / (56 * 56) : 1, h = pixels < 56 * 56 ? (int)sqrt((double)pixels) : 56;
  const rb_pool_desc d = {n, h, h, c, k, k, s, s, pad, pad, ceil_mode, count_include_pad};
  return d;
}

static rb_status run_pass(void *ctx) {
  const pass *p = ctx;
  const rb_kernels *k = p->k;
  const size_t count = (size_t)p->pixels * p->c;
  const float *br[2] = {p->x, p->y};
  switch (p->kind) {
    case P_GAP: return rb_op_global_avgpool(k, 1, p->pixels, p->c, p->x, p->gate);
    case P_ADD: return rb_op_add(k, count, p->x, p->y, 1, p->out);
    case P_SE_FUSED: return rb_op_scale_add(k, 1, p->pixels, p->c, p->x, p->gate, p->y, 1, p->out);
    case P_SE_UNFUSED: {  // the SE kernel's scale into its own output, then the block's add
      rb_status s = rb_op_scale_add(k, 1, p->pixels, p->c, p->x, p->gate, NULL, 0, p->out);
      return s == RB_OK ? rb_op_add(k, count, p->out, p->y, 1, p->out) : s;
    }
    case P_SPLIT_SUM: return rb_op_split_sum(k, 1, p->pixels / 2, 2, p->c, p->x, p->att, p->out);
    case P_SK: return rb_op_sk_select(k, 1, p->pixels, 2, p->c, br, p->att, p->gate, p->out);
    case P_MAXPOOL: return rb_op_maxpool(k, &p->pool, p->x, p->out);
    case P_AVD:
    case P_AVG_DOWN: return rb_op_avgpool(k, &p->pool, p->x, p->out);
    case P_COUNT: break;
  }
  return rb_fail(RB_ERR_INVALID_ARG, "unknown pass %d", (int)p->kind);
}

// STREAM's triad a = b + s c over the pass's main tensor (pixels x c floats), in the same buffers:
// the bandwidth each pass is compared with, measured beside it.
typedef struct triad {
  float *a;
  const float *b, *c;
  size_t n;
} triad;

static rb_status run_triad(void *ctx) {
  const triad *t = ctx;
  float *a = t->a;
  const float *b = t->b, *c = t->c;
  const size_t n = t->n;
#pragma omp parallel for simd schedule(static)
  for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0f * c[i];
  return RB_OK;
}

// Sets the shape and the bytes of pass kind over a main tensor of `pixels` x c floats.
static void shape_pass(pass *p, enum pass_kind kind, int pixels, int c) {
  p->kind = kind, p->pixels = pixels, p->c = c;
  const double t = (double)pixels * c * sizeof(float);
  switch (kind) {
    case P_GAP: p->bytes = t; break;
    case P_ADD:
    case P_SE_FUSED: p->bytes = 3 * t; break;
    case P_SE_UNFUSED: p->bytes = 5 * t; break;  // x in, out out; out, y in, out out
    case P_SPLIT_SUM: p->bytes = 1.5 * t; break;  // x: pixels/2 x 2c in, pixels/2 x c out
    case P_SK: p->bytes = 3 * t; break;
    default: {
      p->pool = kind == P_MAXPOOL || kind == P_AVD ? batch_pool(pixels, c, 3, 2, 1, 0, 1)
                                                   : batch_pool(pixels, c, 2, 2, 0, 1, 0);
      const double in = (double)p->pool.n * p->pool.h * p->pool.w * c,
                   out = (double)p->pool.n * rb_pool_out_h(&p->pool) * rb_pool_out_w(&p->pool) * c;
      p->bytes = (in + out) * sizeof(float);
    }
  }
}

typedef struct passes_opts {
  const char *isa, *domain, *results;
  int threads, channels, json, save, quick;
  double min_time;
} passes_opts;

static int parse(passes_opts *o, int argc, char **argv) {
  static const char cmd[] = "bench passes";
  static const struct option opts[] = {
      {"isa", required_argument, NULL, 'I'},      {"threads", required_argument, NULL, 't'},
      {"domain", required_argument, NULL, 'd'},   {"channels", required_argument, NULL, 'c'},
      {"json", no_argument, NULL, 'j'},           {"save", no_argument, NULL, 's'},
      {"results", required_argument, NULL, 'R'},  {"min-time", required_argument, NULL, 'm'},
      {"quick", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
      {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'I': o->isa = optarg; break;
      case 't':
        if (!rb_cli_int(cmd, "--threads", optarg, 1, RB_MAX_DOMAIN_THREADS, &o->threads)) return 0;
        break;
      case 'd': o->domain = optarg; break;
      case 'c':
        if (!rb_cli_int(cmd, "--channels", optarg, 1, 8192, &o->channels)) return 0;
        break;
      case 'j': o->json = 1; break;
      case 's': o->save = 1; break;
      case 'R': o->results = optarg, o->save = 1; break;
      case 'm':
        if (!rb_cli_seconds(cmd, "--min-time", optarg, &o->min_time)) return 0;
        break;
      case 'q': o->quick = 1; break;
      case 'h': fputs(help, stdout); return -1;
      default: fputs("resbench bench passes: see 'resbench bench passes --help'\n", stderr); return 0;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "resbench bench passes: unexpected argument '%s'\n", argv[optind]);
    return 0;
  }
  return 1;
}

int rb_cmd_bench_passes(int argc, char **argv) {
  passes_opts o = {.domain = "machine", .channels = 256};
  const int pr = parse(&o, argc, argv);
  if (pr <= 0) return pr < 0 ? 0 : 2;
  const rb_kernels *k = NULL;
  rb_isa isa;
  rb_domain_kind kind;
  rb_topology *topo = NULL;
  rb_domain dom;
  rb_peak peak;
  char dir[PATH_MAX];
  rb_status s = o.isa ? rb_isa_parse(o.isa, &isa) : RB_OK;
  if (s == RB_OK) s = o.isa ? rb_kernels_get(isa, &k) : rb_kernels_default(&k);
  if (s == RB_OK) s = rb_domain_kind_parse(o.domain, &kind);
  if (s == RB_OK) s = rb_topology_load(&topo);
  if (s == RB_OK) s = rb_bench_domain(topo, kind, o.threads, &dom);
  if (s == RB_OK && o.save) s = rb_results_dir(o.results, dir, sizeof dir);
  if (s == RB_OK && o.save) s = rb_results_mkdir(dir);
  if (s != RB_OK) {
    fprintf(stderr, "resbench bench passes: %s\n", rb_last_error());
    rb_topology_destroy(topo);
    return 2;
  }
  // The triad's array size is the large case: measure the peak first (it binds the threads).
  fprintf(stderr, "resbench bench passes: measuring the FMA peak and the STREAM triad...\n");
  s = rb_peak_measure(topo, &dom, o.quick, 0, &peak);
  if (s == RB_OK) s = rb_domain_bind(topo, &dom);
  if (s != RB_OK) {
    fprintf(stderr, "resbench bench passes: %s\n", rb_last_error());
    rb_topology_destroy(topo);
    return 1;
  }
  const int c = o.channels;
  const size_t sizes[2] = {peak.stream_array_bytes, 256 * 1024};
  const size_t max_floats = sizes[0] / sizeof(float) + (size_t)c * 8;  // + a row of slack for the pools' squares
  pass p = {.k = k};
  p.x = rb_aligned_alloc(max_floats * sizeof(float));
  p.y = rb_aligned_alloc(max_floats * sizeof(float));
  p.out = rb_aligned_alloc(max_floats * sizeof(float));
  p.gate = rb_aligned_alloc((size_t)2 * c * sizeof(float));
  p.att = rb_aligned_alloc((size_t)2 * c * sizeof(float));
  int ret = 1;
  json_t *points = json_array();
  if (!p.x || !p.y || !p.out || !p.gate || !p.att) {
    fprintf(stderr, "resbench bench passes: out of memory for 3 x %zu MiB\n", sizes[0] >> 20);
    goto done;
  }
  o64_rng r;
  o64_seed(&r, 42);
  o64_fill(&r, p.x, max_floats, -1, 1);  // also the first touch, by this (bound) thread
  o64_fill(&r, p.y, max_floats, -1, 1);
  o64_fill(&r, p.out, max_floats, -1, 1);
  o64_fill(&r, p.gate, (size_t)2 * c, 0, 1);
  o64_fill(&r, p.att, (size_t)2 * c, 0, 1);
  rb_timing_opts topts = rb_timing_defaults();
  if (o.quick) topts.warmup = 1, topts.warmup_seconds = 0.05, topts.min_runs = 2, topts.min_seconds = 0;
  if (o.min_time > 0) topts.min_seconds = o.min_time;
  topts.rounds = 1;
  char pus[256];
  rb_domain_pus_text(&dom, pus, sizeof pus);
  if (!o.json) {
    printf("isa %s, domain %s: %d thread(s) pinned to PU %s; STREAM triad %.1f GB/s (3 arrays of %zu MiB, peak probe)\n",
           k->isa_name, dom.name, dom.threads, pus, peak.stream_gbs, sizes[0] >> 20);
    printf("GB/s: each tensor read or written once per run, as the triad counts; median of %s runs. triad: the\n"
           "triad on the pass's main tensor, timed just before it; %%triad: the median over %d such rounds of\n"
           "the pass's GB/s over the triad's\n\n",
           o.quick ? "a few (--quick)" : "repeated", o.quick ? 1 : 5);
    printf("%-24s %-6s %-28s %9s %10s %8s %8s %8s\n", "pass", "size", "shape", "MB/run", "median_ms", "GB/s", "triad",
           "%triad");
  }
  const int rounds = o.quick ? 1 : 5;
  for (int z = 0; z < 2; z++) {
    const int pixels = (int)(sizes[z] / sizeof(float) / (size_t)c);
    for (int i = 0; i < P_COUNT; i++) {
      shape_pass(&p, (enum pass_kind)i, pixels < 4 ? 4 : pixels, c);
      const triad tr = {p.out, p.x, p.y, (size_t)p.pixels * c};
      // Rounds of (triad, pass) back to back: the ratio of each round, whose median is reported,
      // cancels what the shared machine's bandwidth does between rounds.
      double ratio[8], pass_gbs[8], triad_gbs[8];
      rb_timing t, tt;
      for (int rd = 0; rd < rounds; rd++) {
        s = rb_time_runs(run_triad, (void *)&tr, &topts, &tt);
        if (s == RB_OK) s = rb_time_runs(run_pass, &p, &topts, &t);
        if (s != RB_OK) {
          fprintf(stderr, "resbench bench passes: %s: %s\n", pass_names[i], rb_last_error());
          goto done;
        }
        triad_gbs[rd] = 3.0 * sizeof(float) * (double)tr.n / (tt.median_ms * 1e-3) * 1e-9;
        pass_gbs[rd] = p.bytes / (t.median_ms * 1e-3) * 1e-9;
        ratio[rd] = pass_gbs[rd] / triad_gbs[rd];
      }
      rb_sort_doubles(ratio, rounds), rb_sort_doubles(pass_gbs, rounds), rb_sort_doubles(triad_gbs, rounds);
      const double gbs = rb_quantile(pass_gbs, rounds, 0.5), tgbs = rb_quantile(triad_gbs, rounds, 0.5);
      const double pct = 100 * rb_quantile(ratio, rounds, 0.5);
      char shape[64];
      if (i >= P_MAXPOOL)
        snprintf(shape, sizeof shape, "%d x %dx%dx%d k%d s%d", p.pool.n, p.pool.h, p.pool.w, c, p.pool.kh,
                 p.pool.stride_h);
      else
        snprintf(shape, sizeof shape, "%d px x %d ch", i == P_SPLIT_SUM ? p.pixels / 2 : p.pixels,
                 i == P_SPLIT_SUM ? 2 * c : c);
      const char *size = z == 0 ? "triad" : "in-L2";
      if (!o.json)
        printf("%-24s %-6s %-28s %9.1f %10.3f %8.1f %8.1f %7.1f%%\n", pass_names[i], size, shape, p.bytes / 1e6,
               t.median_ms, gbs, tgbs, pct);
      json_t *pt = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:s, s:i, s:f, s:f, s:f, s:f, s:i}", "isa", k->isa_name,
                             "domain", dom.name, "pass", pass_names[i], "size", size, "threads", dom.threads, "pus",
                             rb_domain_pus_json(&dom), "shape", shape, "channels", c, "bytes", p.bytes, "gbs", gbs,
                             "triad_gbs", tgbs, "triad_pct", pct, "rounds", rounds);
      rb_timing_json(pt, "", &t);
      json_array_append_new(points, pt);
    }
  }
  if (o.json)
    for (size_t i = 0; i < json_array_size(points); i++) {
      char *text = json_dumps(json_array_get(points, i), JSON_COMPACT | JSON_PRESERVE_ORDER);
      puts(text);
      free(text);
    }
  ret = 0;
  if (o.save) {
    rb_record rec;
    s = rb_record_begin(&rec, o.results, "bench-passes", argc, argv, topo);
    if (s == RB_OK) rb_record_add_peak(&rec, &dom, &peak);
    for (size_t i = 0; s == RB_OK && i < json_array_size(points); i++)
      s = rb_record_add_point(&rec, json_incref(json_array_get(points, i)));
    if (s != RB_OK) {
      fprintf(stderr, "resbench bench passes: saving the result: %s\n", rb_last_error());
      ret = 1;
    } else {
      fprintf(stderr, "resbench bench passes: result saved to %s\n", rec.path);
    }
    rb_record_close(&rec);
  }
done:
  json_decref(points);
  rb_aligned_free(p.x), rb_aligned_free(p.y), rb_aligned_free(p.out), rb_aligned_free(p.gate), rb_aligned_free(p.att);
  rb_topology_destroy(topo);
  return ret;
}
