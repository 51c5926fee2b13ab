// resbench-gbench: Google Benchmark microbenchmarks of every kernel family x ISA x the layers of
// ResNet-50, ResNeXt-50 32x4d and ResNeSt-50d (224x224, batch 1, from the model registry).
// Names: <family>/<isa>/<model>/<layer>, e.g. conv_direct/ref/resnet50/mb1ic64ih56oc64oh56kh3ph1,
// split_attn/avx512/resnest50d/layer2.0.conv2. Stdout carries Google Benchmark's output only.
//
// Counters, per iteration and reported as rates over the wall-clock time:
//   FLOPS             2 x dense multiply-adds (padding taps included, as benchdnn); families with
//                     multiply-adds only (convolutions, attention FCs, the classifier)
//   bytes_per_second  bytes of the inputs + weights (and biases) + outputs of one call, each counted
//                     once: a lower bound on the traffic, not a measured one.
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbench/shim.h"
#include "results.h"
#include "resbench/conv.h"
#include "../../kernels/table.h"
#include "resbench/model.h"
#include "resbench/ops.h"
#include "resbench/tensor.h"

// The three layer lists, plus one SE and one SK network so every kernel family runs.
rb_status rb_gbench_register_ukernels(void);

static const char *const kModels[] = {"resnet50", "resnext50_32x4d", "resnest50d", "seresnext50_32x4d",
                                      "skresnext50_32x4d"};

typedef enum family { F_CONV, F_SE, F_SPLIT_ATTN, F_SK_SELECT, F_MAXPOOL, F_AVGPOOL, F_ADD, F_GPOOL, F_FC } family;

enum { MAX_BUFS = 12 };

typedef struct bench {
  family fam;
  rb_isa isa;
  rb_conv_algo algo;  // F_CONV
  rb_layer l;         // the layer (its first occurrence in the model)
  rb_shape in;        // shape of src[0]
  double macs, bytes;
  // Filled by prepare() for the benchmark being run, freed when the next one starts.
  const rb_kernels *k;
  rb_conv_plan *plan;
  float *buf[MAX_BUFS];
  size_t len[MAX_BUFS];
} bench;

static bench **benches;
static int bench_count, bench_cap;
static bench *current;  // the one whose data is allocated

static size_t shape_count(rb_shape s) { return (size_t)s.n * s.h * s.w * s.c; }

// Random floats in +-[0.25, 1): never zero, so no kernel can take a zero shortcut.
static void fill_random(float *p, size_t count, unsigned *seed) {
  for (size_t i = 0; i < count; i++) {
    unsigned x = *seed;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    *seed = x;
    float v = 0.25f + 0.75f * (float)(x >> 8) / 16777216.0f;
    p[i] = (x & 1) ? v : -v;
  }
}

static void release(bench *b) {
  rb_conv_plan_destroy(b->plan);
  b->plan = NULL;
  for (int i = 0; i < MAX_BUFS; i++) rb_aligned_free(b->buf[i]), b->buf[i] = NULL, b->len[i] = 0;
}

static rb_status alloc_bufs(bench *b, const size_t *len, int count) {
  unsigned seed = 0x9e3779b9u;
  for (int i = 0; i < count; i++) {
    b->len[i] = len[i];
    b->buf[i] = rb_aligned_alloc((len[i] ? len[i] : 1) * sizeof(float));
    if (!b->buf[i]) return rb_fail(RB_ERR_NOMEM, "out of memory: %zu floats", len[i]);
    fill_random(b->buf[i], len[i], &seed);
  }
  return RB_OK;
}

// The attention ops' descriptors, as blocks/forward_run.c makes them from a layer.
static rb_split_attn_desc split_desc(const rb_layer *l) {
  return (rb_split_attn_desc){l->out.n, l->out.h, l->out.w, l->radix, l->channels, l->attn_groups, l->reduced};
}
static rb_sk_attn_desc sk_desc(const rb_layer *l) {
  return (rb_sk_attn_desc){l->out.n, l->out.h, l->out.w, l->radix, l->channels, l->reduced, l->attn_groups};
}

// Buffers per family (0 = input, last = output unless noted).
static rb_status prepare(bench *b) {
  if (current == b && b->k) return RB_OK;
  if (current) release(current);
  current = b;
  rb_status s = rb_kernels_get(b->isa, &b->k);
  if (s != RB_OK) {
    b->k = NULL;
    return s;
  }
  const rb_layer *l = &b->l;
  const size_t n = (size_t)l->out.n, hw = (size_t)l->out.h * l->out.w, in = shape_count(b->in),
               out = shape_count(l->out);
  switch (b->fam) {
    case F_CONV: {
      const rb_conv_desc *d = &l->conv;
      const size_t w = rb_conv_weight_count(d);
      s = alloc_bufs(b, (size_t[]){in, w, (size_t)d->cout, out}, 4);
      if (s == RB_OK) s = rb_conv_plan_create(b->k, d, b->algo, 0, b->buf[1], b->buf[2], &b->plan);
      return s;
    }
    case F_SE: {
      const rb_se_desc d = {l->out.n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
      const size_t c = (size_t)l->channels, r = (size_t)l->reduced, g = (size_t)l->attn_groups;
      return alloc_bufs(b, (size_t[]){in, r * c / g, r, c * r / g, c, rb_se_workspace_size(&d), out}, 7);
    }
    case F_SPLIT_ATTN: {  // in, w1, b1, w2, b2, workspace, out
      const rb_split_attn_desc d = split_desc(l);
      const size_t c = (size_t)l->channels, r = (size_t)l->radix, red = (size_t)l->reduced,
                   g = (size_t)l->attn_groups;
      return alloc_bufs(b, (size_t[]){in, red * c / g, red, r * c * red / g, r * c,
                                      rb_split_attention_workspace_size(&d), out}, 7);
    }
    case F_SK_SELECT: {  // in (all paths, consecutive), w1, b1 (the folded BN), w2, workspace, out
      const rb_sk_attn_desc d = sk_desc(l);
      const size_t c = (size_t)l->channels, p = (size_t)l->radix, red = (size_t)l->reduced,
                   g = (size_t)l->attn_groups;
      return alloc_bufs(b, (size_t[]){p * n * hw * c, red * c / g, red, p * c * red / g,
                                      rb_sk_attention_workspace_size(&d), out}, 6);
    }
    case F_ADD: return alloc_bufs(b, (size_t[]){out, out, out}, 3);
    case F_FC: {
      const size_t w = (size_t)l->in_features * l->out_features;
      return alloc_bufs(b, (size_t[]){in, w, (size_t)l->out_features, out}, 4);
    }
    default: return alloc_bufs(b, (size_t[]){in, out}, 2);
  }
}

static rb_status run_once(bench *b) {
  const rb_layer *l = &b->l;
  const rb_kernels *k = b->k;
  float **x = b->buf;
  const int n = l->out.n, hw = l->out.h * l->out.w;
  switch (b->fam) {
    case F_CONV: return rb_conv_plan_run(b->plan, x[0], NULL, l->relu, x[3]);
    case F_SE: {
      const rb_se_desc d = {l->out.n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
      return rb_op_se(k, &d, x[0], x[1], x[2], x[3], x[4], x[5], x[6]);
    }
    case F_SPLIT_ATTN: {
      const rb_split_attn_desc d = split_desc(l);
      return rb_op_split_attention(k, &d, x[0], NULL, x[1], x[2], x[3], x[4], x[5], x[6]);
    }
    case F_SK_SELECT: {  // no fc_select bias, as timm
      const rb_sk_attn_desc d = sk_desc(l);
      const float *br[RB_SK_MAX_PATHS];
      if (d.paths > RB_SK_MAX_PATHS)
        return rb_fail(RB_ERR_UNSUPPORTED, "%s: %d SK paths, at most %d", l->name, d.paths, RB_SK_MAX_PATHS);
      for (int p = 0; p < d.paths; p++) br[p] = x[0] + (size_t)p * n * hw * d.channels;
      return rb_op_sk_attention(k, &d, br, NULL, x[1], x[2], x[3], NULL, x[4], x[5]);
    }
    case F_MAXPOOL: return rb_op_maxpool(k, &l->pool, x[0], x[1]);
    case F_AVGPOOL: return rb_op_avgpool(k, &l->pool, x[0], x[1]);
    case F_ADD: return rb_op_add(k, shape_count(l->out), x[0], x[1], 1, x[2]);
    case F_GPOOL: return rb_op_global_avgpool(k, b->in.n, b->in.h * b->in.w, b->in.c, x[0], x[1]);
    case F_FC: return rb_op_fc(k, n, l->in_features, l->out_features, 1, x[0], x[1], x[2], 0, x[3]);
  }
  return rb_fail(RB_ERR_INVALID_ARG, "unknown family %d", (int)b->fam);
}

static void bm_layer(rb_gb_state *st, void *ctx) {
  bench *b = ctx;
  if (prepare(b) != RB_OK) {  // an ISA this build or CPU lacks, or no memory: say why
    rb_gb_skip(st, rb_last_error());
    return;
  }
  if (b->fam == F_CONV) rb_gb_set_label(st, rb_conv_plan_kernel_name(b->plan));
  if (b->macs > 0) rb_gb_set_flops(st, 2.0 * b->macs);
  rb_gb_set_bytes(st, b->bytes);
  while (rb_gb_keep_running(st)) {
    if (run_once(b) != RB_OK) {
      rb_gb_skip(st, rb_last_error());
      break;
    }
  }
}

// Dense multiply-adds and bytes (inputs + weights + outputs, floats x 4) of one call.
static void cost(bench *b) {
  const rb_layer *l = &b->l;
  const double n = l->out.n, out = (double)shape_count(l->out);
  double in = (double)shape_count(b->in);
  const double c = l->channels, red = l->reduced, g = l->attn_groups > 0 ? l->attn_groups : 1, r = l->radix;
  double w = 0;
  switch (b->fam) {
    case F_CONV: {
      const rb_conv_desc *d = &b->l.conv;
      b->macs = rb_conv_macs(d);
      w = (double)rb_conv_weight_count(d) + d->cout;
      break;
    }
    case F_SE: b->macs = n * 2 * c * red / g, w = 2 * c * red / g + red + c; break;
    case F_SPLIT_ATTN: b->macs = n * (c * red + red * r * c) / g, w = (c * red + red * r * c) / g + red + r * c; break;
    case F_SK_SELECT:
      in = r * out;  // every path
      b->macs = n * (c * red + red * r * c) / g, w = (c * red + red * r * c) / g + red;  // + the folded BN bias
      break;
    case F_ADD: in = 2 * out; break;
    case F_FC: b->macs = n * l->in_features * l->out_features, w = (double)l->in_features * l->out_features + l->out_features; break;
    default: break;
  }
  b->bytes = 4.0 * (in + w + out);
}

static const char *family_name(const bench *b) {
  static char conv[32];
  switch (b->fam) {
    case F_CONV: snprintf(conv, sizeof conv, "conv_%s", rb_conv_algo_name(b->algo)); return conv;
    case F_SE: return "se";
    case F_SPLIT_ATTN: return "split_attn";
    case F_SK_SELECT: return "sk_select";
    case F_MAXPOOL: return "maxpool";
    case F_AVGPOOL: return "avgpool";
    case F_ADD: return "add_relu";
    case F_GPOOL: return "global_pool";
    case F_FC: return "fc";
  }
  return "?";
}

// What makes two layers the same benchmark: the convolution descriptor (benchdnn syntax) or
// the kind and shapes of anything else.
static void layer_key(const bench *b, char *buf, size_t len) {
  const rb_layer *l = &b->l;
  if (b->fam == F_CONV) {
    rb_conv_desc_format(&l->conv, buf, len);
    return;
  }
  snprintf(buf, len, "%d:%dx%dx%dx%d>%dx%dx%dx%d:%d,%d,%d,%d:%d,%d,%d,%d,%d,%d", (int)b->fam, b->in.n, b->in.h, b->in.w,
           b->in.c, l->out.n, l->out.h, l->out.w, l->out.c, l->channels, l->reduced, l->attn_groups, l->radix,
           l->pool.kh, l->pool.stride_h, l->pool.pad_h, l->pool.ceil_mode, l->pool.count_include_pad, l->relu);
}

static rb_status add_bench(const bench *proto, const char *model) {
  char key[160], name[320];
  layer_key(proto, key, sizeof key);
  snprintf(name, sizeof name, "%s/%s/%s/%s", family_name(proto), rb_isa_name(proto->isa), model,
           proto->fam == F_CONV ? key : proto->l.name);
  if (bench_count == bench_cap) {
    bench_cap = bench_cap ? 2 * bench_cap : 256;
    bench **grown = realloc(benches, (size_t)bench_cap * sizeof *grown);
    if (!grown) return rb_fail(RB_ERR_NOMEM, "out of memory registering %s", name);
    benches = grown;
  }
  bench *b = malloc(sizeof *b);
  if (!b) return rb_fail(RB_ERR_NOMEM, "out of memory registering %s", name);
  *b = *proto;
  cost(b);
  benches[bench_count++] = b;
  return rb_gb_register(name, bm_layer, b, &(rb_gb_options){.use_real_time = 1});
}

static int family_of(rb_layer_kind k, family *f) {
  switch (k) {
    case RB_LAYER_CONV: *f = F_CONV; return 1;
    case RB_LAYER_SE: *f = F_SE; return 1;
    case RB_LAYER_SPLIT_ATTN: *f = F_SPLIT_ATTN; return 1;
    case RB_LAYER_SK_SELECT: *f = F_SK_SELECT; return 1;
    case RB_LAYER_MAXPOOL: *f = F_MAXPOOL; return 1;
    case RB_LAYER_AVGPOOL: *f = F_AVGPOOL; return 1;
    case RB_LAYER_ADD_RELU: *f = F_ADD; return 1;
    case RB_LAYER_GLOBAL_POOL: *f = F_GPOOL; return 1;
    case RB_LAYER_FC: *f = F_FC; return 1;
    default: return 0;  // channel slices are copies, not kernels
  }
}

static int winograd_applies(const rb_conv_desc *d) { return rb_winograd_supports(d) == RB_OK; }

// The unique layers of one model, for every ISA this build and CPU run. Absent ISAs are not
// registered (1.7.1 can skip only with an error, and error rows drop compare.py's OVERALL_GEOMEAN):
// main() lists them, with the reason, in the context.
static rb_status register_model(const char *model) {
  rb_model_spec spec;
  rb_graph *g;
  rb_status s = rb_model_find(model, &spec);
  if (s == RB_OK) s = rb_graph_build(&spec, 1, 224, 224, &g);
  if (s != RB_OK) return s;
  // Keys seen so far in this model: one benchmark per distinct layer.
  char(*seen)[160] = calloc((size_t)g->count * 2, sizeof *seen);
  int nseen = 0;
  if (!seen) {
    rb_graph_destroy(g);
    return rb_fail(RB_ERR_NOMEM, "out of memory listing %s", model);
  }
  static const rb_conv_algo algos[] = {RB_CONV_DIRECT, RB_CONV_WINOGRAD_F4, RB_CONV_WINOGRAD_F2};
  for (int isa = 0; s == RB_OK && isa < RB_ISA_COUNT; isa++) {
    const rb_kernels *k;
    if (rb_kernels_get((rb_isa)isa, &k) != RB_OK) continue;
    nseen = 0;
    for (int li = 0; s == RB_OK && li < g->count; li++) {
      bench proto = {0};
      if (!family_of(g->layers[li].kind, &proto.fam)) continue;
      proto.isa = (rb_isa)isa;
      proto.l = g->layers[li];
      proto.in = g->layers[li].src[0] >= 0 ? g->tensors[g->layers[li].src[0]] : g->layers[li].out;
      char key[160];
      layer_key(&proto, key, sizeof key);
      int dup = 0;
      for (int i = 0; i < nseen && !dup; i++) dup = strcmp(seen[i], key) == 0;
      if (dup) continue;
      snprintf(seen[nseen++], sizeof seen[0], "%s", key);
      for (int a = 0; s == RB_OK && a < (proto.fam == F_CONV ? 3 : 1); a++) {
        if (a > 0 && !winograd_applies(&proto.l.conv)) break;
        proto.algo = algos[a];
        s = add_bench(&proto, model);
      }
    }
  }
  free(seen);
  rb_graph_destroy(g);
  return s;
}

int main(int argc, char **argv) {
  if (rb_gb_init(&argc, argv) != RB_OK) {
    fprintf(stderr, "resbench-gbench: %s\n", rb_last_error());
    return 2;
  }
  rb_gb_add_context("resbench_note",
                    "Debian's libbenchmark 1.7.1 is a debug build (-O0 asserts in the timing loop): "
                    "per-iteration overhead is larger than upstream's, negligible beside these kernels");
  rb_gb_add_context("resbench_counters",
                    "FLOPS = 2 x dense multiply-adds per iteration / real time; bytes_per_second = "
                    "bytes of inputs + weights + outputs per iteration / real time");
  char buf[160];
  snprintf(buf, sizeof buf, "%d", omp_get_max_threads());
  rb_gb_add_context("resbench_omp_threads", buf);
  buf[0] = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (rb_isa_available((rb_isa)i))
      snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? "," : "", rb_isa_name((rb_isa)i));
  rb_gb_add_context("resbench_isas_available", buf);
  char skipped[1024] = "";
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_kernels *k;
    if (rb_kernels_get((rb_isa)i, &k) != RB_OK)
      snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), "%s%s: %s", skipped[0] ? "; " : "",
               rb_isa_name((rb_isa)i), rb_last_error());
  }
  rb_gb_add_context("resbench_isas_skipped", skipped[0] ? skipped : "none");
  json_t *ctx = rb_results_context(0, NULL);  // the same build facts as the result documents
  rb_gb_add_context("resbench_git_revision", json_string_value(json_object_get(ctx, "git_revision")));
  rb_gb_add_context("resbench_compiler",
                    json_string_value(json_object_get(json_object_get(ctx, "compiler"), "version")));
  rb_gb_add_context("resbench_cpu_model", json_string_value(json_object_get(json_object_get(ctx, "cpu"), "model")));
  json_decref(ctx);
  for (size_t m = 0; m < sizeof kModels / sizeof kModels[0]; m++) {
    if (register_model(kModels[m]) != RB_OK) {
      fprintf(stderr, "resbench-gbench: %s: %s\n", kModels[m], rb_last_error());
      return 1;
    }
  }
  if (rb_gbench_register_ukernels() != RB_OK) {  // suites/gbench/ukernels.c
    fprintf(stderr, "resbench-gbench: microkernels: %s\n", rb_last_error());
    return 1;
  }
  rb_gb_run(NULL);
  if (current) release(current);
  for (int i = 0; i < bench_count; i++) free(benches[i]);
  free(benches);
  rb_gb_shutdown();
  return 0;
}
