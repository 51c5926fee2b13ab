// The per-layer profile of `bench model --profile` (see bench.h): layers summed by kind, the
// "profile" JSON object, and its two tables.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report.h"

static const char *const kind_names[RB_PROF_KIND_COUNT] = {
    "conv_direct", "conv_winograd", "attn_se",  "attn_split", "attn_sk", "pool_max",
    "pool_avg",    "pool_global",   "add_relu", "fc",         "other"};

const char *rb_profile_kind_name(rb_profile_kind k) {
  return (unsigned)k < RB_PROF_KIND_COUNT ? kind_names[k] : "unknown";
}

rb_profile_kind rb_profile_kind_of(const rb_layer *l, rb_conv_algo algo) {
  switch (l->kind) {
    case RB_LAYER_CONV:
      return algo == RB_CONV_WINOGRAD_F2 || algo == RB_CONV_WINOGRAD_F4 || algo == RB_CONV_WINOGRAD_F6
                 ? RB_PROF_CONV_WINOGRAD
                 : RB_PROF_CONV_DIRECT;
    case RB_LAYER_SE: return RB_PROF_ATTN_SE;
    case RB_LAYER_SPLIT_ATTN: return RB_PROF_ATTN_SPLIT;
    case RB_LAYER_SK_SELECT: return RB_PROF_ATTN_SK;
    case RB_LAYER_MAXPOOL: return RB_PROF_POOL_MAX;
    case RB_LAYER_AVGPOOL: return RB_PROF_POOL_AVG;
    case RB_LAYER_GLOBAL_POOL: return RB_PROF_POOL_GLOBAL;
    case RB_LAYER_ADD_RELU: return RB_PROF_ADD_RELU;
    case RB_LAYER_FC: return RB_PROF_FC;
    default: return RB_PROF_OTHER;
  }
}

typedef struct kind_sum {
  int layers;
  double ms, bytes, flops;
} kind_sum;

static json_t *sum_json(double ms, double total_ms, double bytes, double flops) {
  return json_pack("{s:f, s:f, s:I, s:I}", "ms", ms, "pct", total_ms > 0 ? 100 * ms / total_ms : 0.0, "bytes",
                   (json_int_t)bytes, "flops", (json_int_t)flops);
}

json_t *rb_bench_profile_json(const rb_graph *g, const rb_bench_profile *p) {
  kind_sum sum[RB_PROF_KIND_COUNT] = {{0}};
  double total = 0;
  for (int i = 0; i < g->count; i++) total += p->layer_ms[i];
  json_t *layers = json_array();
  for (int i = 0; i < g->count; i++) {
    const rb_layer *l = &g->layers[i];
    const rb_profile_kind k = rb_profile_kind_of(l, p->layer_algo[i]);
    const double bytes = p->layer_bytes[i], flops = 2 * l->macs;
    sum[k].layers++;
    sum[k].ms += p->layer_ms[i];
    sum[k].bytes += bytes;
    sum[k].flops += flops;
    json_t *e = json_pack("{s:s, s:s}", "name", l->name, "kind", rb_profile_kind_name(k));
    json_object_update_new(e, sum_json(p->layer_ms[i], total, bytes, flops));
    json_array_append_new(layers, e);
  }
  json_t *kinds = json_object();  // every kind, in the fixed order, layers 0 where absent
  for (int k = 0; k < RB_PROF_KIND_COUNT; k++) {
    json_t *e = json_pack("{s:i}", "layers", sum[k].layers);
    json_object_update_new(e, sum_json(sum[k].ms, total, sum[k].bytes, sum[k].flops));
    json_object_set_new(kinds, rb_profile_kind_name((rb_profile_kind)k), e);
  }
  return json_pack("{s:i, s:s, s:f, s:s, s:s, s:o, s:o}", "runs", p->runs, "statistic",
                   "per layer: the median over runs of its wall time; pct: of layer_ms_sum", "layer_ms_sum", total,
                   "bytes",
                   "activations read and written by the layer's passes with the plan's fusions (float32; 0: done in "
                   "another layer's store); weights not counted", "flops",
                   "2 x dense multiply-adds (Winograd: direct-equivalent); 0 where a layer has none", "kinds", kinds,
                   "layers", layers);
}

// "1.234" or "-" for a rate without a count.
static const char *rate(double count, double ms, double unit, char *buf, size_t len) {
  if (count > 0 && ms > 0)
    snprintf(buf, len, "%.2f", count / unit / (ms / 1e3));
  else
    snprintf(buf, len, "-");
  return buf;
}

typedef struct ranked {
  double ms;
  size_t i;
} ranked;

// Slowest first; ties in graph order.
static int by_ms_desc(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->ms != y->ms) return x->ms < y->ms ? 1 : -1;
  return x->i < y->i ? -1 : x->i > y->i;
}

void rb_bench_profile_print(const json_t *profile, double forward_ms, int top) {
  const json_t *kinds = json_object_get(profile, "kinds"), *layers = json_object_get(profile, "layers");
  const double total = rb_jnum(profile, "layer_ms_sum");
  printf("\nprofile: each layer's wall time, the median of %d runs after the timing\n"
         "sum of the layer medians %.3f ms (%% is of it); the forward pass %.3f ms (with the NCHW <-> NHWC transposes)\n"
         "GB: activations (not weights) read + written by each layer's passes, fusions applied (a layer done in\n"
         "another's store moves none: its GB/s is '-'); GFLOP: 2 x dense multiply-adds (Winograd: direct-equivalent)\n",
         (int)rb_jnum(profile, "runs"), total, forward_ms);
  printf("%-14s %6s %10s %7s %9s %8s %9s %9s\n", "kind", "layers", "ms", "%", "GB", "GB/s", "GFLOP", "GFLOP/s");
  const char *k;
  const json_t *e;
  char r1[32], r2[32];
  double bytes = 0, flops = 0;
  int count = 0;
  json_object_foreach((json_t *)kinds, k, e) {
    const int n = (int)rb_jnum(e, "layers");
    if (!n) continue;
    const double ms = rb_jnum(e, "ms"), b = rb_jnum(e, "bytes"), f = rb_jnum(e, "flops");
    bytes += b, flops += f, count += n;
    printf("%-14s %6d %10.3f %6.1f%% %9.3g %8s %9.3g %9s\n", k, n, ms, rb_jnum(e, "pct"), b / 1e9,
           rate(b, ms, 1e9, r1, sizeof r1), f / 1e9, rate(f, ms, 1e9, r2, sizeof r2));
  }
  printf("%-14s %6d %10.3f %6.1f%% %9.3g %8s %9.3g %9s\n", "total", count, total, total > 0 ? 100.0 : 0.0,
         bytes / 1e9, rate(bytes, total, 1e9, r1, sizeof r1), flops / 1e9, rate(flops, total, 1e9, r2, sizeof r2));
  const size_t n = json_array_size(layers);
  ranked *order = malloc((n ? n : 1) * sizeof *order);
  if (!order) return;
  for (size_t i = 0; i < n; i++) order[i] = (ranked){rb_jnum(json_array_get(layers, i), "ms"), i};
  qsort(order, n, sizeof *order, by_ms_desc);
  printf("\nthe %d slowest layers:\n%-40s %-14s %10s %7s\n", (int)(n < (size_t)top ? n : (size_t)top), "layer",
         "kind", "ms", "%");
  for (size_t i = 0; i < n && i < (size_t)top; i++) {
    const json_t *l = json_array_get(layers, order[i].i);
    printf("%-40s %-14s %10.3f %6.1f%%\n", rb_jstr(l, "name"), rb_jstr(l, "kind"), rb_jnum(l, "ms"),
           rb_jnum(l, "pct"));
  }
  free(order);
}
