// The forward pass (blocks/forward_*.c) and its weight sources (blocks/weights.c): the
// deterministic random weights against values printed by tools/golden_forward.py --check-values;
// whole models against PyTorch float64 logits (tests/fixtures/forward_<model>.safetensors, same
// weights formula, batch 2, 64x64, 10 classes); the safetensors weight source end to end and its
// errors; too small inputs.
// RESBENCH_FORWARD_QUICK=1 (e.g. under qemu) checks only resnet50, skresnet18 and resnest50d;
// Winograd F(4x4) runs on resnet50 (and resnest50d with RESBENCH_FORWARD_WINOGRAD_ALL=1).
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resbench/forward.h"
#include "resbench/model.h"
#include "resbench/resbench.h"
#include "oracle64.h"
#include "testutil.h"

// ---- (a) the weight formula ----

typedef struct known_value {
  const char *name;
  int rank, shape[4];
  size_t i;
  float v;
} known_value;

// Printed by /usr/bin/python3 tools/golden_forward.py --check-values (numpy uint64 arithmetic).
static const known_value known[] = {
    {"conv1.weight", 4, {64, 3, 7, 7}, 0, 0.012878554f},
    {"conv1.weight", 4, {64, 3, 7, 7}, 1, 0.0700462f},
    {"conv1.weight", 4, {64, 3, 7, 7}, 9407, -0.08578973f},
    {"bn1.weight", 1, {64}, 0, 0.860204f},
    {"bn1.weight", 1, {64}, 63, 0.98451245f},
    {"layer1.0.bn1.running_var", 1, {64}, 5, 1.0541514f},
    {"fc.bias", 1, {10}, 3, -0.04140673f},
    {"layer1.0.bn1.running_mean", 1, {64}, 7, 0.05107479f},
};

START_TEST(random_formula) {
  rb_random_weights r = {0};
  for (size_t t = 0; t < sizeof known / sizeof known[0]; t++) {
    const known_value *kv = &known[t];
    const float v = rb_random_weight_value(kv->name, kv->rank, kv->shape, kv->i);
    ck_assert_msg(v == kv->v, "%s[%zu]: %.9g, Python %.9g", kv->name, kv->i, v, kv->v);
    rb_param_key key = {.rank = kv->rank};
    snprintf(key.name, sizeof key.name, "%s", kv->name);
    memcpy(key.shape, kv->shape, sizeof key.shape);
    const float *data = NULL;
    ck_assert_int_eq(rb_weights_random(&r, &key, &data), RB_OK);
    ck_assert_msg(data[kv->i] == kv->v, "%s[%zu] via rb_weights_random: %.9g", kv->name, kv->i, data[kv->i]);
  }
  rb_random_weights_release(&r);
}
END_TEST

// ---- (b) golden models ----

static rb_st_file *open_fixture(const char *file) {
  char path[512];
  tu_fixture_path(file, path, sizeof path);
  rb_st_file *f = NULL;
  ck_assert_msg(rb_st_open(path, &f) == RB_OK, "fixture %s: %s", path, rb_last_error());
  return f;
}

static int quick(void) {
  const char *q = getenv("RESBENCH_FORWARD_QUICK");
  return q && *q && strcmp(q, "0") != 0;
}

static const char *const golden_models[] = {"resnet50",          "resnext50_32x4d", "seresnet50",        "skresnet18",
                                            "skresnext50_32x4d", "resnest50d",      "resnest50d_4s2x40d"};

// Relative L2 error of the forward pass on the fixture's input against its output.
static double golden_error(const rb_kernels *k, const char *model, rb_conv_algo algo) {
  char file[128];
  snprintf(file, sizeof file, "forward_%s.safetensors", model);
  rb_st_file *f = open_fixture(file);
  const int64_t in_shape[4] = {2, 3, 64, 64}, out_shape[2] = {2, 10};
  const float *x, *y;
  ck_assert_msg(rb_st_get_f32(f, "input", 4, in_shape, &x) == RB_OK, "%s", rb_last_error());
  ck_assert_msg(rb_st_get_f32(f, "output", 2, out_shape, &y) == RB_OK, "%s", rb_last_error());
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(model, &spec), RB_OK);
  spec.num_classes = 10;
  rb_graph *g = NULL;
  ck_assert_msg(rb_graph_build(&spec, 2, 64, 64, &g) == RB_OK, "%s: %s", model, rb_last_error());
  rb_random_weights r = {0};
  rb_model *m = NULL;
  ck_assert_msg(rb_model_plan(g, k, algo, rb_weights_random, &r, &m) == RB_OK, "%s: %s", model, rb_last_error());
  rb_random_weights_release(&r);
  float logits[20];
  ck_assert_msg(rb_model_forward(m, x, logits) == RB_OK, "%s: %s", model, rb_last_error());
  double num = 0, den = 0;
  for (int i = 0; i < 20; i++) {
    num += ((double)logits[i] - y[i]) * ((double)logits[i] - y[i]);
    den += (double)y[i] * y[i];
  }
  rb_model_destroy(m);
  rb_graph_destroy(g);
  rb_st_close(f);
  const double err = sqrt(num / den);
  if (getenv("RESBENCH_GOLDEN_VERBOSE"))
    fprintf(stderr, "forward %-20s %-6s %-12s rel L2 %.3g\n", model, k->isa_name, rb_conv_algo_name(algo), err);
  return err;
}

START_TEST(golden_direct) {
  const char *model = golden_models[_i];
  if (quick() && strcmp(model, "resnet50") && strcmp(model, "skresnet18") && strcmp(model, "resnest50d")) return;
  const double err = golden_error(&rb_kernels_ref, model, RB_CONV_DIRECT);
  ck_assert_msg(err <= 1e-4, "%s direct: relative L2 error %.3g > 1e-4", model, err);
}
END_TEST

START_TEST(golden_winograd) {
  static const char *const models[] = {"resnet50", "resnest50d"};
  if (quick() && _i > 0) return;
  const double err = golden_error(&rb_kernels_ref, models[_i], RB_CONV_WINOGRAD_F4);
  ck_assert_msg(err <= 1e-3, "%s winograd_f4: relative L2 error %.3g > 1e-3", models[_i], err);
}
END_TEST

// The SIMD tables (AVX2 / AVX-512 / NEON where the build and CPU have them) on every engine path
// of a network: resnet50 (gemm, igemm), resnest50d (grouped igemm), resnext50_32x4d (narrow
// groups), skresnet18 (dilation), direct and AUTO.
START_TEST(golden_isa) {
  static const char *const models[] = {"resnext50_32x4d", "skresnet18", "resnet50", "resnest50d"};
  if (quick() && _i > 1) return;  // under qemu: narrow groups, gemm, dilation; the engine tests do the rest
  const rb_kernels *tables[RB_ISA_COUNT];
  const int n = tu_available_tables(tables);
  for (int t = 1; t < n; t++)
    for (int a = 0; a < 2; a++) {
      const rb_conv_algo algo = a ? RB_CONV_AUTO : RB_CONV_DIRECT;
      const double err = golden_error(tables[t], models[_i], algo);
      ck_assert_msg(err <= (a ? 1e-3 : 1e-4), "%s %s %s: relative L2 error %.3g", models[_i], tables[t]->isa_name,
                    rb_conv_algo_name(algo), err);
    }
}
END_TEST

// ---- SE fused with the residual add -------------------------------------------------------------

// The same network planned with and without fusion on every table: the fused plan runs each SE's
// scale inside the block's add (one pass), the other residual adds in their convolution's store,
// and takes the attention pools from the convolutions' stores, and agrees with the unfused one within a few roundings (an FMA may replace the scale's
// rounding, the pools sum in another order; relative L2 over the logits or a block's output).
static void fused_vs_unfused(const rb_kernels *k, const char *model, const char *block, int want_fused,
                             int want_pools, int want_residual, int want_ahead) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(model, &spec), RB_OK);
  spec.num_classes = 10;
  rb_graph *g = NULL;
  ck_assert_msg((block ? rb_graph_build_block(&spec, block, 2, 64, 64, &g) : rb_graph_build(&spec, 2, 64, 64, &g)) ==
                    RB_OK,
                "%s: %s", model, rb_last_error());
  const rb_shape si = g->tensors[0], so = g->tensors[g->output];
  const size_t nin = (size_t)si.n * si.c * si.h * si.w, nout = (size_t)so.n * so.c * so.h * so.w;
  float *x = malloc(nin * sizeof *x), *y[2] = {malloc(nout * sizeof(float)), malloc(nout * sizeof(float))};
  ck_assert(x && y[0] && y[1]);
  o64_rng rng;
  o64_seed(&rng, 77);
  o64_fill(&rng, x, nin, -1, 1);
  for (int f = 0; f < 2; f++) {
    const rb_plan_options opt = {.no_fusion = f == 0};  // fused: the defaults
    rb_random_weights r = {0};
    rb_model *m = NULL;
    ck_assert_msg(rb_model_plan_opts(g, k, RB_CONV_DIRECT, &opt, rb_weights_random, &r, &m) == RB_OK, "%s: %s", model,
                  rb_last_error());
    rb_random_weights_release(&r);
    ck_assert_int_eq(rb_model_fused_count(m), f ? want_fused : 0);
    ck_assert_int_eq(rb_model_pool_fused_count(m), f ? want_pools : 0);
    ck_assert_int_eq(rb_model_residual_fused_count(m), f ? want_residual : 0);
    ck_assert_int_eq(rb_model_gate_ahead_count(m), f ? want_ahead : 0);
    for (size_t i = 0; i < nout; i++) y[f][i] = NAN;
    ck_assert_msg(rb_model_forward(m, x, y[f]) == RB_OK, "%s: %s", model, rb_last_error());
    rb_model_destroy(m);
  }
  double num = 0, den = 0;
  for (size_t i = 0; i < nout; i++) {
    num += ((double)y[1][i] - y[0][i]) * ((double)y[1][i] - y[0][i]);
    den += (double)y[0][i] * y[0][i];
  }
  const double err = sqrt(num / den);
  ck_assert_msg(err <= 1e-5, "%s %s on %s: fused vs unfused relative L2 %.3g", model, block ? block : "network",
                k->isa_name, err);
  free(x), free(y[0]), free(y[1]);
  rb_graph_destroy(g);
}

START_TEST(se_fusion) {
  const rb_kernels *tables[RB_ISA_COUNT];
  const int n = tu_available_tables(tables);
  for (int t = 0; t < n; t++) {
    if (!quick() || t == n - 1) {
      // One SE per bottleneck; at 64x64 layer1's three (16x16 = 256 pixels >= conv3's 64 inputs)
      // have their gates ahead: 1.1 and 1.2 fold the add into conv3 (identity shortcuts), 1.0 into
      // its downsample, which runs after conv3. Later stages have fewer pixels than inputs: their
      // SEs fuse with their adds.
      fused_vs_unfused(tables[t], "seresnet50", NULL, 13, 16, 3, 3);
      fused_vs_unfused(tables[t], "resnet50", NULL, 0, 0, 16, 0);  // every add (the shortcut comes first)
    }
    fused_vs_unfused(tables[t], "seresnext50_32x4d", "layer2.1", 1, 1, 0, 0);
    fused_vs_unfused(tables[t], "seresnet50", "layer1.0", 0, 1, 1, 1);        // gate ahead, the add in the downsample
    fused_vs_unfused(tables[t], "seresnet50", "layer1.1", 0, 1, 1, 1);        // gate ahead, identity shortcut
    fused_vs_unfused(tables[t], "resnest50d", "layer2.0", 0, 1, 1, 0);         // split attention's pool
    fused_vs_unfused(tables[t], "resnest50d", "layer2.1", 0, 1, 1, 0);
    fused_vs_unfused(tables[t], "skresnext50_32x4d", "layer3.0", 0, 1, 1, 0);  // SK's, over both paths
    fused_vs_unfused(tables[t], "resnet50", "layer2.1", 0, 0, 1, 0);           // the add into conv3
    fused_vs_unfused(tables[t], "resnet18", "layer1.0", 0, 0, 1, 0);           // into a basic block's conv2
  }
  // --no-fuse-pools: every fusion but the pools, the gates ahead too (their pool is a pool fusion).
  static const char *const nopools[][2] = {{"seresnext50_32x4d", "layer2.1"}, {"seresnet50", "layer1.1"}};
  for (int i = 0; i < 2; i++) {
    rb_model_spec spec;
    ck_assert_int_eq(rb_model_find(nopools[i][0], &spec), RB_OK);
    rb_graph *g = NULL;
    ck_assert_int_eq(rb_graph_build_block(&spec, nopools[i][1], 1, 64, 64, &g), RB_OK);
    const rb_plan_options opt = {.no_pool_fusion = 1};
    rb_random_weights r = {0};
    rb_model *m = NULL;
    ck_assert_int_eq(rb_model_plan_opts(g, tables[n - 1], RB_CONV_DIRECT, &opt, rb_weights_random, &r, &m), RB_OK);
    ck_assert_int_eq(rb_model_fused_count(m), 1);
    ck_assert_int_eq(rb_model_pool_fused_count(m), 0);
    ck_assert_int_eq(rb_model_gate_ahead_count(m), 0);
    rb_random_weights_release(&r);
    rb_model_destroy(m);
    rb_graph_destroy(g);
  }
}
END_TEST

// rb_model_layer_bytes against element counts worked out by hand from the blocks' shapes (batch 1,
// 64x64 input), fused (the defaults) and unfused. expect: {layer suffix, fused, unfused} floats.
typedef struct bytes_case {
  const char *layer;
  double fused, unfused;
} bytes_case;

static void check_layer_bytes(const char *model, const char *block, const bytes_case *want, int nwant) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(model, &spec), RB_OK);
  rb_graph *g = NULL;
  ck_assert_int_eq(rb_graph_build_block(&spec, block, 1, 64, 64, &g), RB_OK);
  ck_assert_int_eq(g->count, nwant);
  for (int f = 0; f < 2; f++) {
    const rb_plan_options opt = {.no_fusion = f == 1};
    rb_random_weights r = {0};
    rb_model *m = NULL;
    ck_assert_int_eq(rb_model_plan_opts(g, &rb_kernels_ref, RB_CONV_DIRECT, &opt, rb_weights_random, &r, &m), RB_OK);
    rb_random_weights_release(&r);
    for (int i = 0; i < nwant; i++) {
      char name[RB_KEY_LEN];
      snprintf(name, sizeof name, "%s.%s", block, want[i].layer);
      ck_assert_str_eq(g->layers[i].name, name);
      const double expect = 4.0 * (f ? want[i].unfused : want[i].fused);
      ck_assert_msg(rb_model_layer_bytes(m, i) == expect, "%s %s (%s): %.0f bytes, expected %.0f", model, name,
                    f ? "unfused" : "fused", rb_model_layer_bytes(m, i), expect);
    }
    ck_assert(rb_model_layer_bytes(m, -1) == 0 && rb_model_layer_bytes(m, nwant) == 0);
    rb_model_destroy(m);
  }
  ck_assert(rb_model_layer_bytes(NULL, 0) == 0);
  rb_graph_destroy(g);
}

START_TEST(layer_bytes) {
  enum { P16 = 16 * 16, P8 = 8 * 8 };
  // seresnet50 layer1.0 (16x16, 64 -> 256): the SE's gate ahead (0: conv1's sums, conv3's store),
  // the add folded into the downsample, which then reads conv3's output; unfused the SE pools, then
  // scales into its output, and the add reads both operands.
  const bytes_case se_ahead[] = {{"conv1", P16 * 128, P16 * 128},
                                 {"conv2", P16 * 128, P16 * 128},
                                 {"conv3", P16 * (64 + 256), P16 * (64 + 256)},
                                 {"se", 0, P16 * 3 * 256},
                                 {"downsample.0", P16 * (64 + 256 + 256), P16 * (64 + 256)},
                                 {"add", 0, P16 * 3 * 256}};
  check_layer_bytes("seresnet50", "layer1.0", se_ahead, 6);
  // seresnext50_32x4d layer2.1 (8x8, 512 -> 256 -> 512, identity shortcut): the SE pools from
  // conv3's sums and its add applies the gate, reading conv3's output and the shortcut.
  const bytes_case se_add[] = {{"conv1", P8 * (512 + 256), P8 * (512 + 256)},
                               {"conv2", P8 * 512, P8 * 512},
                               {"conv3", P8 * (256 + 512), P8 * (256 + 512)},
                               {"se", 0, P8 * 3 * 512},
                               {"add", P8 * 3 * 512, P8 * 3 * 512}};
  check_layer_bytes("seresnext50_32x4d", "layer2.1", se_add, 5);
  // resnest50d layer2.1 (8x8): the split attention reads its 2 x 128 channels once (the pool is in
  // conv2.conv's store) or twice; the add into conv3, which reads the shortcut.
  const bytes_case split[] = {{"conv1", P8 * (512 + 128), P8 * (512 + 128)},
                              {"conv2.conv", P8 * (128 + 256), P8 * (128 + 256)},
                              {"conv2", P8 * (256 + 128), P8 * (2 * 256 + 128)},
                              {"conv3", P8 * (128 + 512 + 512), P8 * (128 + 512)},
                              {"add", 0, P8 * 3 * 512}};
  check_layer_bytes("resnest50d", "layer2.1", split, 5);
}
END_TEST

// ---- (b2) golden blocks: one or more of each family, at the input size the network gives them ----

static const char *const golden_blocks[][2] = {{"resnet50", "layer3.0"},          {"resnext50_32x4d", "layer3.1"},
                                               {"seresnext50_32x4d", "layer3.0"}, {"skresnet18", "layer3.0"},
                                               {"skresnext50_32x4d", "layer3.0"}, {"resnest50d", "layer3.0"},
                                               {"resnest50d_4s2x40d", "layer3.0"}};

// Relative L2 error of one block (tools/golden_blocks.py: batch 2, network input 40x40).
static double block_error(const rb_kernels *k, const char *model, const char *block, rb_conv_algo algo) {
  rb_st_file *f = open_fixture("blocks.safetensors");
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(model, &spec), RB_OK);
  rb_graph *g = NULL;
  ck_assert_msg(rb_graph_build_block(&spec, block, 2, 40, 40, &g) == RB_OK, "%s %s: %s", model, block, rb_last_error());
  const rb_shape si = g->tensors[0], so = g->tensors[g->output];
  const int64_t in_shape[4] = {si.n, si.c, si.h, si.w}, out_shape[4] = {so.n, so.c, so.h, so.w};
  char key[128];
  const float *x, *y;
  snprintf(key, sizeof key, "%s/%s/input", model, block);
  ck_assert_msg(rb_st_get_f32(f, key, 4, in_shape, &x) == RB_OK, "%s", rb_last_error());
  snprintf(key, sizeof key, "%s/%s/output", model, block);
  ck_assert_msg(rb_st_get_f32(f, key, 4, out_shape, &y) == RB_OK, "%s", rb_last_error());
  rb_random_weights r = {0};
  rb_model *m = NULL;
  ck_assert_msg(rb_model_plan(g, k, algo, rb_weights_random, &r, &m) == RB_OK, "%s: %s", model, rb_last_error());
  rb_random_weights_release(&r);
  const size_t n = (size_t)so.n * so.c * so.h * so.w;
  float *out = malloc(n * sizeof *out);
  ck_assert_ptr_nonnull(out);
  for (size_t i = 0; i < n; i++) out[i] = NAN;  // poisoned: an unwritten element fails the comparison
  ck_assert_msg(rb_model_forward(m, x, out) == RB_OK, "%s: %s", model, rb_last_error());
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) {
    num += ((double)out[i] - y[i]) * ((double)out[i] - y[i]);
    den += (double)y[i] * y[i];
  }
  free(out);
  rb_model_destroy(m);
  rb_graph_destroy(g);
  rb_st_close(f);
  const double err = sqrt(num / den);
  if (getenv("RESBENCH_GOLDEN_VERBOSE"))
    fprintf(stderr, "block %-20s %-9s %-6s %-12s rel L2 %.3g\n", model, block, k->isa_name, rb_conv_algo_name(algo),
            err);
  return isnan(err) ? INFINITY : err;
}

START_TEST(golden_block) {
  const char *model = golden_blocks[_i][0], *block = golden_blocks[_i][1];
  const rb_kernels *tables[RB_ISA_COUNT];
  const int n = tu_available_tables(tables);
  for (int t = 0; t < n; t++) {
    double err = block_error(tables[t], model, block, RB_CONV_DIRECT);
    ck_assert_msg(err <= 1e-4, "%s %s %s direct: relative L2 error %.3g > 1e-4", model, block, tables[t]->isa_name,
                  err);
    err = block_error(tables[t], model, block, RB_CONV_AUTO);
    ck_assert_msg(err <= 1e-3, "%s %s %s auto: relative L2 error %.3g > 1e-3", model, block, tables[t]->isa_name, err);
  }
}
END_TEST

// The block graph is the network's block: same layers, names, shapes and costs, input where the network has it.
START_TEST(block_graph_matches_network) {
  static const char *const models[] = {"resnet50", "skresnet18", "resnest50d", "seresnext50_32x4d"};
  for (size_t mi = 0; mi < sizeof models / sizeof models[0]; mi++) {
    rb_model_spec spec;
    ck_assert_int_eq(rb_model_find(models[mi], &spec), RB_OK);
    rb_graph *net;
    ck_assert_int_eq(rb_graph_build(&spec, 1, 224, 224, &net), RB_OK);
    for (int stage = 1; stage <= 4; stage++)
      for (int b = 0; b < spec.layers[stage - 1]; b++) {
        char block[32], prefix[40];
        snprintf(block, sizeof block, "layer%d.%d", stage, b);
        snprintf(prefix, sizeof prefix, "%s.", block);
        rb_graph *g;
        ck_assert_msg(rb_graph_build_block(&spec, block, 1, 224, 224, &g) == RB_OK, "%s", rb_last_error());
        ck_assert_str_eq(g->block, block);
        int first = -1, count = 0;
        double macs = 0, params = 0;
        for (int i = 0; i < net->count; i++)
          if (strncmp(net->layers[i].name, prefix, strlen(prefix)) == 0) {
            if (first < 0) first = i;
            ck_assert_str_eq(g->layers[count].name, net->layers[i].name);
            ck_assert_int_eq(g->layers[count].kind, net->layers[i].kind);
            ck_assert_int_eq(memcmp(&g->layers[count].out, &net->layers[i].out, sizeof(rb_shape)), 0);
            macs += net->layers[i].macs, params += net->layers[i].params;
            count++;
          }
        ck_assert_int_eq(count, g->count);
        ck_assert(macs == g->macs && params == g->params);
        const rb_shape in = net->tensors[net->layers[first].src[0]], gin = g->tensors[0];
        ck_assert_int_eq(memcmp(&in, &gin, sizeof in), 0);
        const rb_shape out = net->tensors[net->layers[first + count - 1].dst], gout = g->tensors[g->output];
        ck_assert_int_eq(memcmp(&out, &gout, sizeof out), 0);
        rb_graph_destroy(g);
      }
    rb_graph_destroy(net);
  }
}
END_TEST

START_TEST(block_errors) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet50", &spec), RB_OK);
  rb_graph *g = (rb_graph *)1;
  static const char *const bad[] = {"layer5.0",  "layer0.0", "layer1",    "layer1.3",
                                    "layer1.-1", "conv1",    "layer1.0x", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(rb_graph_build_block(&spec, bad[i], 1, 224, 224, &g), RB_ERR_INVALID_ARG);
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(rb_last_error(), "block '") != NULL, "%s", rb_last_error());
  }
  ck_assert_int_eq(rb_graph_build_block(&spec, "layer1.3", 1, 224, 224, &g), RB_ERR_INVALID_ARG);
  ck_assert_ptr_nonnull(strstr(rb_last_error(), "layer1.0 .. layer1.2"));
  ck_assert_int_eq(rb_graph_build_block(&spec, "layer2.0", 1, 16, 16, &g), RB_ERR_SHAPE);
  ck_assert_int_eq(rb_graph_build_block(&spec, NULL, 1, 224, 224, &g), RB_ERR_NULL);
}
END_TEST

// ---- (c) safetensors weights ----

// A small graph: resnet18 with one block per stage, 10 classes, batch 1, 32x32.
static rb_graph *small_graph(void) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet18", &spec), RB_OK);
  for (int i = 0; i < 4; i++) spec.layers[i] = 1;
  spec.num_classes = 10;
  rb_graph *g = NULL;
  ck_assert_msg(rb_graph_build(&spec, 1, 32, 32, &g) == RB_OK, "%s", rb_last_error());
  return g;
}

static void tmp_path(char *buf, size_t len, const char *tag) {
  snprintf(buf, len, "/tmp/resbench-forward-%ld-%s.safetensors", (long)getpid(), tag);
}

START_TEST(safetensors_end_to_end) {
  rb_graph *g = small_graph();
  rb_param_key *keys;
  int nkeys;
  ck_assert_int_eq(rb_graph_param_keys(g, &keys, &nkeys), RB_OK);
  rb_random_weights r = {0};
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  for (int i = 0; i < nkeys; i++) {
    const float *d;
    int64_t shape[4];
    for (int j = 0; j < keys[i].rank; j++) shape[j] = keys[i].shape[j];
    ck_assert_int_eq(rb_weights_random(&r, &keys[i], &d), RB_OK);
    ck_assert_int_eq(rb_st_writer_add_f32(w, keys[i].name, keys[i].rank, shape, d), RB_OK);
  }
  const int64_t one = 1;
  const float zero = 0;
  ck_assert_int_eq(rb_st_writer_add_f32(w, "bn1.num_batches_tracked", 1, &one, &zero), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "extra.unused", 1, &one, &zero), RB_OK);
  char path[256];
  tmp_path(path, sizeof path, "e2e");
  ck_assert_msg(rb_st_writer_save(w, path) == RB_OK, "%s", rb_last_error());
  rb_st_writer_destroy(w);
  free(keys);

  rb_st_file *f;
  ck_assert_msg(rb_st_open(path, &f) == RB_OK, "%s", rb_last_error());
  unlink(path);
  int unused = -1;
  char names[256];
  ck_assert_int_eq(rb_weights_safetensors_unused(g, f, &unused, names, sizeof names), RB_OK);
  ck_assert_int_eq(unused, 1);
  ck_assert_str_eq(names, "extra.unused");

  float x[3 * 32 * 32];
  for (int i = 0; i < 3 * 32 * 32; i++) x[i] = (float)sin(0.37 * i);
  rb_model *ms = NULL, *mr = NULL;
  ck_assert_msg(rb_model_plan(g, &rb_kernels_ref, RB_CONV_DIRECT, rb_weights_safetensors, f, &ms) == RB_OK, "%s",
                rb_last_error());
  ck_assert_msg(rb_model_plan(g, &rb_kernels_ref, RB_CONV_DIRECT, rb_weights_random, &r, &mr) == RB_OK, "%s",
                rb_last_error());
  float ys[10], yr[10];
  ck_assert_int_eq(rb_model_forward(ms, x, ys), RB_OK);
  ck_assert_int_eq(rb_model_forward(mr, x, yr), RB_OK);
  for (int i = 0; i < 10; i++) ck_assert_msg(ys[i] == yr[i], "logit %d: %g from the file, %g random", i, ys[i], yr[i]);
  rb_model_destroy(ms);
  rb_model_destroy(mr);
  rb_random_weights_release(&r);
  rb_st_close(f);
  rb_graph_destroy(g);
}
END_TEST

// Plans the small graph from a file holding only conv1.weight (with the given shape/bytes).
static rb_status plan_from(const char *path, rb_st_file **f) {
  rb_graph *g = small_graph();
  ck_assert_msg(rb_st_open(path, f) == RB_OK, "%s", rb_last_error());
  rb_model *m = NULL;
  const rb_status s = rb_model_plan(g, &rb_kernels_ref, RB_CONV_DIRECT, rb_weights_safetensors, *f, &m);
  ck_assert_ptr_null(m);
  rb_graph_destroy(g);
  return s;
}

START_TEST(safetensors_errors) {
  char path[256];
  tmp_path(path, sizeof path, "err");
  rb_st_file *f;
  // Missing key: a file with something else only.
  {
    rb_st_writer *w;
    const int64_t one = 1;
    const float v = 1;
    ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
    ck_assert_int_eq(rb_st_writer_add_f32(w, "other", 1, &one, &v), RB_OK);
    ck_assert_int_eq(rb_st_writer_save(w, path), RB_OK);
    rb_st_writer_destroy(w);
    ck_assert_int_eq(plan_from(path, &f), RB_ERR_NOT_FOUND);
    ck_assert_msg(strstr(rb_last_error(), "conv1.weight"), "message: %s", rb_last_error());
    rb_st_close(f);
  }
  // Wrong shape: conv1.weight [64, 3, 7, 6].
  {
    rb_st_writer *w;
    const int64_t shape[4] = {64, 3, 7, 6};
    float *v = calloc(64 * 3 * 7 * 6, sizeof *v);
    ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
    ck_assert_int_eq(rb_st_writer_add_f32(w, "conv1.weight", 4, shape, v), RB_OK);
    ck_assert_int_eq(rb_st_writer_save(w, path), RB_OK);
    rb_st_writer_destroy(w);
    free(v);
    ck_assert_int_eq(plan_from(path, &f), RB_ERR_SHAPE);
    const char *msg = rb_last_error();
    ck_assert_msg(strstr(msg, "conv1.weight") && strstr(msg, "7") && strstr(msg, "6"), "message: %s", msg);
    rb_st_close(f);
  }
  // Wrong dtype: conv1.weight as F64 (written by hand).
  {
    const int count = 64 * 3 * 7 * 7;
    char header[256];
    int hl = snprintf(header, sizeof header,
                      "{\"conv1.weight\":{\"dtype\":\"F64\",\"shape\":[64,3,7,7],\"data_offsets\":[0,%d]}}", count * 8);
    while (hl % 8) header[hl++] = ' ';
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    const uint64_t len = (uint64_t)hl;
    unsigned char lb[8];
    for (int i = 0; i < 8; i++) lb[i] = (unsigned char)(len >> (8 * i));
    fwrite(lb, 1, 8, fp);
    fwrite(header, 1, (size_t)hl, fp);
    double *d = calloc((size_t)count, sizeof *d);
    fwrite(d, sizeof *d, (size_t)count, fp);
    free(d);
    fclose(fp);
    ck_assert_int_eq(plan_from(path, &f), RB_ERR_FORMAT);
    ck_assert_msg(strstr(rb_last_error(), "conv1.weight"), "message: %s", rb_last_error());
    rb_st_close(f);
  }
  unlink(path);
}
END_TEST

// ---- (d) input too small ----

START_TEST(too_small) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet50", &spec), RB_OK);
  rb_graph *g = NULL;
  ck_assert_int_eq(rb_graph_build(&spec, 1, 16, 16, &g), RB_ERR_SHAPE);
  ck_assert_ptr_null(g);
}
END_TEST

START_TEST(null_args) {
  rb_model *m = NULL;
  ck_assert_int_eq(rb_model_plan(NULL, &rb_kernels_ref, RB_CONV_DIRECT, rb_weights_random, NULL, &m), RB_ERR_NULL);
  ck_assert_int_eq(rb_model_forward(NULL, NULL, NULL), RB_ERR_NULL);
  ck_assert_int_eq(rb_model_forward_profile(NULL, NULL, NULL, NULL), RB_ERR_NULL);
  ck_assert_ptr_null(rb_model_graph(NULL));
  ck_assert_int_eq(rb_model_layer_algo(NULL, 0), RB_CONV_AUTO);
  rb_model_destroy(NULL);
}
END_TEST

// The profiled pass computes what the plain one does, bit for bit, and times every layer; the
// model names its graph and what each convolution runs.
START_TEST(forward_profile) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnest14d", &spec), RB_OK);
  rb_graph *g;
  ck_assert_int_eq(rb_graph_build(&spec, 1, 64, 64, &g), RB_OK);
  rb_random_weights rw = {0};
  rb_model *m;
  ck_assert_int_eq(rb_model_plan(g, &rb_kernels_ref, RB_CONV_WINOGRAD_F4, rb_weights_random, &rw, &m), RB_OK);
  rb_random_weights_release(&rw);
  const rb_graph *mg = rb_model_graph(m);
  ck_assert_int_eq(mg->count, g->count);
  const size_t nin = (size_t)3 * 64 * 64, nout = (size_t)spec.num_classes;
  float *in = malloc(nin * sizeof *in), *a = malloc(nout * sizeof *a), *b = malloc(nout * sizeof *b);
  double *sec = malloc((size_t)g->count * sizeof *sec);
  for (size_t i = 0; i < nin; i++) in[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
  for (int i = 0; i < g->count; i++) sec[i] = -1;
  ck_assert_int_eq(rb_model_forward(m, in, a), RB_OK);
  ck_assert_int_eq(rb_model_forward_profile(m, in, b, sec), RB_OK);
  ck_assert_mem_eq(a, b, nout * sizeof *a);
  int winograd = 0;
  for (int i = 0; i < g->count; i++) {
    ck_assert_str_eq(mg->layers[i].name, g->layers[i].name);
    ck_assert_msg(sec[i] >= 0 && sec[i] < 60, "layer %s: %g s", g->layers[i].name, sec[i]);
    const rb_conv_algo algo = rb_model_layer_algo(m, i);
    if (g->layers[i].kind != RB_LAYER_CONV) ck_assert_int_eq(algo, RB_CONV_AUTO);
    else ck_assert(algo == RB_CONV_DIRECT || algo == RB_CONV_WINOGRAD_F4);
    winograd += algo == RB_CONV_WINOGRAD_F4;
  }
  ck_assert_int_gt(winograd, 0);  // the 3x3 stride-1 convolutions
  ck_assert_int_eq(rb_model_layer_algo(m, -1), RB_CONV_AUTO);
  ck_assert_int_eq(rb_model_layer_algo(m, g->count), RB_CONV_AUTO);
  ck_assert_int_eq(rb_model_forward_profile(m, in, b, NULL), RB_ERR_NULL);
  free(in), free(a), free(b), free(sec);
  rb_model_destroy(m);
  rb_graph_destroy(g);
}
END_TEST

Suite *forward_suite(void) {
  Suite *s = suite_create("forward");
  TCase *tc = tcase_create("forward");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, random_formula);
  tcase_add_loop_test(tc, golden_direct, 0, (int)(sizeof golden_models / sizeof golden_models[0]));
  tcase_add_loop_test(tc, golden_winograd, 0, getenv("RESBENCH_FORWARD_WINOGRAD_ALL") ? 2 : 1);
  tcase_add_loop_test(tc, golden_isa, 0, 4);
  tcase_add_loop_test(tc, golden_block, 0, (int)(sizeof golden_blocks / sizeof golden_blocks[0]));
  tcase_add_test(tc, se_fusion);
  tcase_add_test(tc, block_graph_matches_network);
  tcase_add_test(tc, block_errors);
  tcase_add_test(tc, safetensors_end_to_end);
  tcase_add_test(tc, safetensors_errors);
  tcase_add_test(tc, too_small);
  tcase_add_test(tc, null_args);
  tcase_add_test(tc, forward_profile);
  tcase_add_test(tc, layer_bytes);
  suite_add_tcase(s, tc);
  return s;
}
