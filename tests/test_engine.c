// The SIMD engine's drivers (packing, indirection, tiling, threads, the path rule) on every
// engine configuration this CPU runs: the scalar ones at each SIMD ISA's tile geometry (any CPU,
// qemu included) and every available ISA's own. Whole convolutions against the fp64 oracle over
// random shapes with tails: channels not multiples of 4 or 8, odd sizes, stride 2, dilation 2,
// asymmetric padding, groups 1..64 with widths 4, 8, 16, 40, 64, batch 1 and 3; every path
// forced where it applies; bit-identical results for 1, 2 and 3 threads; the channel sums fused
// into the store (rb_engine_plan_run's sums) against the output they sum; a new input address
// between runs (the indirection rebuilt, the rows path's padded copy refreshed).
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/engine.h"
#include "oracle64.h"
#include "resbench/probe.h"
#include "resbench/resbench.h"
#include "testutil.h"

// Every engine configuration runnable here: scalar geometries, then each available ISA's.
static int configs(const rb_engine_config *out[16]) {
  int n = 0;
  for (size_t i = 0; i < rb_engine_scalar_config_count; i++) out[n++] = &rb_engine_scalar_configs[i];
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_kernels *k;
    if (rb_kernels_get((rb_isa)i, &k) == RB_OK && k->engine) out[n++] = k->engine;
  }
  return n;
}

typedef struct tensors {
  float *in, *w, *bias, *res, *out;
  double *exact, *mag;
  size_t nin, nw, nout;
} tensors;

static void make(tensors *t, const rb_conv_desc *d, int bias, int residual, uint64_t seed) {
  o64_rng r;
  o64_seed(&r, seed);
  t->nin = rb_conv_in_count(d);
  t->nout = rb_conv_out_count(d);
  t->nw = rb_conv_weight_count(d);
  t->in = rb_aligned_alloc(t->nin * 4), t->w = rb_aligned_alloc(t->nw * 4), t->out = rb_aligned_alloc(t->nout * 4);
  t->bias = bias ? rb_aligned_alloc((size_t)d->cout * 4) : NULL;
  t->res = residual ? rb_aligned_alloc(t->nout * 4) : NULL;
  t->exact = malloc(t->nout * 8), t->mag = malloc(t->nout * 8);
  o64_fill(&r, t->in, t->nin, -1, 1);
  o64_fill(&r, t->w, t->nw, -1, 1);
  if (t->bias) o64_fill(&r, t->bias, (size_t)d->cout, -1, 1);
  if (t->res) o64_fill(&r, t->res, t->nout, -1, 1);
}

static void release(tensors *t) {
  rb_aligned_free(t->in), rb_aligned_free(t->w), rb_aligned_free(t->out), rb_aligned_free(t->bias);
  rb_aligned_free(t->res), free(t->exact), free(t->mag);
}

// One shape on one configuration and path (AUTO: the rule's), against fp64; returns the path.
// scaled: a random per-image channel scale in the store (an SE gate), the oracle's sum scaled
// before its residual and ReLU.
static rb_engine_path check_conv(const rb_engine_config *cfg, const rb_conv_desc *d, rb_engine_path path, int bias,
                                 int residual, int relu, int scaled, uint64_t seed) {
  tensors t;
  make(&t, d, bias, residual, seed);
  const size_t nscale = (size_t)d->n * d->cout;
  float *scale = NULL;
  if (scaled) {
    o64_rng r;
    o64_seed(&r, seed + 99);
    scale = rb_aligned_alloc(nscale * 4);
    o64_fill(&r, scale, nscale, 0.05f, 1.0f);
    o64_conv(d, t.in, t.w, t.bias, NULL, 0, t.exact, t.mag);
    const size_t per_image = t.nout / (size_t)d->n;
    for (size_t i = 0; i < t.nout; i++) {
      const double g = scale[i / per_image * d->cout + i % d->cout];
      double v = t.exact[i] * g;
      t.mag[i] *= g;
      if (t.res) v += t.res[i], t.mag[i] += t.res[i] < 0 ? -t.res[i] : t.res[i];
      t.exact[i] = relu && v < 0 ? 0 : v;
    }
  } else {
    o64_conv(d, t.in, t.w, t.bias, t.res, relu, t.exact, t.mag);
  }
  rb_engine_plan *p;
  const int threads = 1 + (int)(seed % 2);
  ck_assert_msg(rb_engine_plan_create(cfg, d, path, threads, t.w, t.bias, &p) == RB_OK, "%s: %s", cfg->name,
                rb_last_error());
  const double tol = o64_gamma((double)(d->cin / d->groups) * d->kh * d->kw + 3);
  char shape[160];
  rb_conv_desc_format(d, shape, sizeof shape);
  const size_t nsums = (size_t)d->n * d->cout, image = t.nout / nsums;
  float *sums = rb_aligned_alloc(nsums * 4), *plain = rb_aligned_alloc(t.nout * 4);
  float *moved = rb_aligned_alloc(t.nin * 4);  // the same input at another address
  memcpy(moved, t.in, t.nin * 4);
  // The second run reuses the indirection buffer, the third sums, the fourth reads the moved input
  // (the original poisoned: a stale pointer or copy would read NaN).
  for (int rep = 0; rep < 4; rep++) {
    o64_poison(t.out, t.nout);
    o64_poison(sums, nsums);
    if (rep == 3) o64_poison(t.in, t.nin);
    const rb_conv_fusion f = {t.res, relu, scale, rep == 2 ? sums : NULL};
    rb_engine_plan_run(p, rep == 3 ? moved : t.in, &f, t.out);
    if (rep == 0) memcpy(plain, t.out, t.nout * 4);
    if (rep == 2) {
      // The summed run stores what the plain one does, and each image's channel sums of it: the
      // float sum of `image` terms in pixel order, within gamma(image) of the sum of |out|.
      ck_assert_msg(memcmp(plain, t.out, t.nout * 4) == 0, "%s %s: output differs when summing", cfg->name, shape);
      for (int b = 0; b < d->n; b++)
        for (int ch = 0; ch < d->cout; ch++) {
          double e = 0, m = 0;
          for (size_t q = 0; q < image; q++) {
            const double v = t.out[((size_t)b * image + q) * d->cout + ch];
            e += v, m += v < 0 ? -v : v;
          }
          const double got = sums[(size_t)b * d->cout + ch];
          ck_assert_msg(got - e <= o64_gamma((double)image) * m && e - got <= o64_gamma((double)image) * m,
                        "%s %s: sums[%d][%d] = %.9g, exact %.9g", cfg->name, shape, b, ch, got, e);
        }
    }
    const o64_cmp c = o64_compare(t.out, t.exact, t.mag, t.nout, tol);
    ck_assert_msg(c.pass,
                  "%s %s (%s) %s pads t%d l%d b%d r%d bias %d res %d relu %d scale %d run %d: max rel err %.3g (tol %.3g), "
                  "%zu NaN, worst %zu",
                  cfg->name, rb_engine_plan_ukernel(p), rb_engine_path_name(rb_engine_plan_path(p)), shape, d->pad_top,
                  d->pad_left, d->pad_bottom, d->pad_right, bias, residual, relu, scaled, rep, c.max_rel_err, tol, c.nan_count,
                  c.worst);
  }
  rb_aligned_free(sums), rb_aligned_free(plain), rb_aligned_free(moved), rb_aligned_free(scale);
  const rb_engine_path chosen = rb_engine_plan_path(p);
  rb_engine_plan_destroy(p);
  release(&t);
  return chosen;
}

static rb_conv_desc random_desc(o64_rng *r, int groups, int cin_g, int cout_g) {
  const int k = (int[]){1, 1, 3, 3, 3, 5, 7}[o64_int(r, 0, 6)];
  rb_conv_desc d = rb_conv_desc_make(o64_int(r, 0, 3) == 0 ? 3 : 1, o64_int(r, 3, 13), o64_int(r, 3, 13),
                                     groups * cin_g, groups * cout_g, k, o64_int(r, 1, 2), 0, o64_int(r, 1, 2), groups);
  if (k > 1 && d.dil_h > 1 && (d.h < 2 * k || d.w < 2 * k)) d.dil_h = d.dil_w = 1;
  // Asymmetric padding, any of 0 .. k-1 on each side.
  d.pad_top = o64_int(r, 0, k - 1), d.pad_left = o64_int(r, 0, k - 1);
  d.pad_bottom = o64_int(r, 0, k - 1), d.pad_right = o64_int(r, 0, k - 1);
  if (o64_int(r, 0, 2) == 0) d.stride_w = 3 - d.stride_h;
  return d;
}

// Random shapes on every configuration, the rule choosing the path.
START_TEST(random_shapes) {
  const rb_engine_config *cfg[16];
  const int nc = configs(cfg);
  o64_rng r;
  o64_seed(&r, 2024);
  // Groups x widths (in, out a group): plain, ResNeSt-like wide groups, ResNeXt narrow ones, tails.
  static const int shapes[][3] = {{1, 3, 64},  {1, 13, 21}, {1, 64, 40}, {2, 16, 16}, {4, 40, 40}, {8, 16, 8},
                                  {32, 4, 4},  {64, 4, 4},  {32, 8, 8},  {8, 8, 8},   {2, 4, 4},   {4, 64, 64},
                                  {16, 5, 7},  {1, 40, 17}, {64, 1, 1},  {3, 8, 4},   {1, 1, 9},   {1, 5, 33},
                                  {1, 7, 16},  {3, 16, 16}};  // 3 x 16: a two-group block, then one group
  for (int c = 0; c < nc; c++) {
    int seen[5] = {0};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
      for (int rep = 0; rep < 3; rep++) {
        const rb_conv_desc d = random_desc(&r, shapes[i][0], shapes[i][1], shapes[i][2]);
        if (rb_conv_desc_check(&d) != RB_OK) continue;  // a kernel larger than a small padded input
        seen[check_conv(cfg[c], &d, RB_PATH_AUTO, rep != 1, rep == 2, rep != 0, (i + rep) % 2, 100 * i + rep)]++;
      }
    ck_assert_msg(seen[RB_PATH_GEMM] && seen[RB_PATH_IGEMM] && seen[RB_PATH_NGCONV] && seen[RB_PATH_ROWS],
                  "%s: paths %d %d %d %d", cfg[c]->name, seen[RB_PATH_GEMM], seen[RB_PATH_IGEMM], seen[RB_PATH_NGCONV],
                  seen[RB_PATH_ROWS]);
  }
}
END_TEST

// The ResNet family's layers (spatially small), each path forced where it applies.
START_TEST(family_layers_every_path) {
  const rb_engine_config *cfg[16];
  const int nc = configs(cfg);
  const rb_conv_desc layers[] = {
      rb_conv_desc_make(1, 23, 23, 3, 64, 7, 2, 3, 1, 1),      // 7x7 s2 stem
      rb_conv_desc_make(1, 17, 17, 3, 32, 3, 2, 1, 1, 1),      // deep stem 3x3 on 3 channels
      rb_conv_desc_make(1, 9, 9, 64, 64, 3, 1, 1, 1, 1),       // basic 3x3
      rb_conv_desc_make(3, 7, 7, 64, 256, 1, 1, 0, 1, 1),      // bottleneck 1x1, batch 3
      rb_conv_desc_make(1, 11, 11, 64, 128, 1, 2, 0, 1, 1),    // downsample 1x1 s2, odd
      rb_conv_desc_make(1, 10, 10, 128, 128, 3, 1, 1, 1, 32),  // ResNeXt 4 a group
      rb_conv_desc_make(1, 9, 9, 256, 256, 3, 2, 1, 1, 32),    // ResNeXt 8 a group, stride 2
      rb_conv_desc_make(1, 12, 12, 64, 64, 3, 1, 2, 2, 1),     // SK dilation 2
      rb_conv_desc_make(1, 8, 8, 128, 128, 3, 1, 1, 1, 4),     // ResNeSt card 2 x radix 2: 32 a group
      rb_conv_desc_make(1, 9, 9, 80, 80, 3, 1, 1, 1, 2),       // 40 a group
      rb_conv_desc_make(2, 13, 11, 5, 20, 5, 2, 2, 1, 1),      // 5x5 s2 on 5 channels, batch 2
      {1, 14, 12, 3, 24, 3, 5, 1, 2, 2, 1, 0, 2, 2, 1, 1},     // 3x5, stride (1, 2), height dilation 2
  };
  for (int c = 0; c < nc; c++)
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
      for (int path = RB_PATH_AUTO; path <= RB_PATH_ROWS; path++) {
        const rb_conv_desc *d = &layers[i];
        const int cin_g = d->cin / d->groups, cout_g = d->cout / d->groups;
        const int plain_1x1 = d->kh == 1 && d->kw == 1 && d->stride_h == 1 && d->stride_w == 1 && !d->pad_top;
        const int applies = path == RB_PATH_GEMM     ? plain_1x1
                            : path == RB_PATH_NGCONV ? cin_g == cout_g && (cin_g == 4 || cin_g == 8)
                            : path == RB_PATH_ROWS   ? d->groups == 1 && d->dil_w == 1
                                                     : 1;
        if (applies) {
          check_conv(cfg[c], d, (rb_engine_path)path, 1, (int)(i % 2), 1, (int)((i + (size_t)path) % 3 == 0),
                     7 * i + (size_t)path);
        } else {
          static float w[256 * 256 * 9];
          rb_engine_plan *p;
          ck_assert_int_eq(rb_engine_plan_create(cfg[c], d, (rb_engine_path)path, 1, w, NULL, &p), RB_ERR_UNSUPPORTED);
          ck_assert(strstr(rb_last_error(), rb_engine_path_name((rb_engine_path)path)));
        }
      }
}
END_TEST

// The rule, as the header states it.
START_TEST(path_rule) {
  const rb_engine_config *cfg = &rb_engine_scalar_configs[0];
  static const struct {
    rb_conv_desc d;
    rb_engine_path want;
  } cases[] = {
      {{1, 8, 8, 64, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, RB_PATH_GEMM},
      {{1, 8, 8, 64, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1}, RB_PATH_IGEMM},  // 1x1 stride 2: no subsampled copy
      {{1, 8, 8, 64, 64, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, RB_PATH_IGEMM},  // padded 1x1
      {{1, 8, 8, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, RB_PATH_IGEMM},
      {{1, 8, 8, 128, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32}, RB_PATH_NGCONV},  // 4 a group
      {{1, 8, 8, 256, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32}, RB_PATH_NGCONV},  // 8 a group
      {{1, 8, 8, 512, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32}, RB_PATH_IGEMM},   // 16 a group: wide
      {{1, 8, 8, 128, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32}, RB_PATH_IGEMM},    // 4 in, 2 out
      {{1, 8, 8, 32, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 8}, RB_PATH_NGCONV},     // grouped 1x1, 4 a group
      {{1, 16, 16, 3, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1}, RB_PATH_ROWS},      // the 7x7 stem
      {{1, 16, 16, 7, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, RB_PATH_ROWS},      // 7 channels
      {{1, 16, 16, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, RB_PATH_IGEMM},     // 8: taps long enough
      {{1, 16, 16, 3, 32, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1}, RB_PATH_IGEMM},     // width dilation
      {{1, 16, 16, 3, 32, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1}, RB_PATH_IGEMM},     // kw 1
  };
  static float w[512 * 16 * 9];  // the largest case's weights (zeros: only the plans are looked at)
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rb_engine_plan *p;
    ck_assert_int_eq(rb_engine_plan_create(cfg, &cases[i].d, RB_PATH_AUTO, 1, w, NULL, &p), RB_OK);
    ck_assert_msg(rb_engine_plan_path(p) == cases[i].want, "case %zu: %s, want %s", i,
                  rb_engine_path_name(rb_engine_plan_path(p)), rb_engine_path_name(cases[i].want));
    rb_engine_plan_destroy(p);
  }
  // Forced paths that cannot run the shape, and bad arguments, are named errors.
  rb_engine_plan *p = (rb_engine_plan *)1;
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[3].d, RB_PATH_GEMM, 1, w, NULL, &p), RB_ERR_UNSUPPORTED,
               "gemm path needs a 1x1 stride-1 unpadded");
  ck_assert_ptr_null(p);
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[6].d, RB_PATH_NGCONV, 1, w, NULL, &p), RB_ERR_UNSUPPORTED,
               "16 in, 16 out a group");
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[4].d, RB_PATH_ROWS, 1, w, NULL, &p), RB_ERR_UNSUPPORTED,
               "rows path needs an ungrouped convolution without width dilation");
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[12].d, RB_PATH_ROWS, 1, w, NULL, &p), RB_ERR_UNSUPPORTED,
               "rows path");
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[0].d, RB_PATH_AUTO, -1, w, NULL, &p), RB_ERR_INVALID_ARG,
               "threads must be >= 0, got -1");
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[0].d, (rb_engine_path)9, 1, w, NULL, &p), RB_ERR_INVALID_ARG,
               "path 9");
  ASSERT_FAILS(rb_engine_plan_create(cfg, &cases[0].d, RB_PATH_AUTO, 1, NULL, NULL, &p), RB_ERR_NULL, "NULL");
}
END_TEST

// Each output is computed by one thread in a fixed order: 1, 2 and 3 threads agree bit for bit,
// on every path (the tasks split pixel tiles, channel blocks and groups differently).
START_TEST(threads_bit_identical) {
  const rb_engine_config *cfg[16];
  const int nc = configs(cfg);
  const rb_conv_desc layers[] = {
      rb_conv_desc_make(2, 13, 11, 96, 200, 1, 1, 0, 1, 1),   // gemm, several channel blocks
      rb_conv_desc_make(1, 15, 15, 64, 72, 3, 2, 1, 1, 1),    // igemm
      rb_conv_desc_make(1, 14, 14, 128, 128, 3, 1, 1, 1, 32), // ngconv
      rb_conv_desc_make(1, 9, 9, 160, 160, 3, 1, 1, 1, 4),    // igemm per group
      rb_conv_desc_make(2, 19, 19, 3, 40, 7, 2, 3, 1, 1),     // rows
      rb_conv_desc_make(1, 19, 19, 192, 320, 1, 1, 0, 1, 1),  // gemm: two blocks on 1 thread, one on more
  };
  for (int c = 0; c < nc; c++)
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
      tensors t;
      make(&t, &layers[i], 1, 1, 5 + i);
      const size_t nsums = (size_t)layers[i].n * layers[i].cout;
      float *first = rb_aligned_alloc(t.nout * 4), *sums = rb_aligned_alloc(nsums * 4), *sums1 = rb_aligned_alloc(nsums * 4);
      float *scale = rb_aligned_alloc(nsums * 4);
      o64_rng r;
      o64_seed(&r, 77 + i);
      o64_fill(&r, scale, nsums, 0.05f, 1.0f);
      for (int threads = 1; threads <= 3; threads++) {
        rb_engine_plan *p;
        ck_assert_int_eq(rb_engine_plan_create(cfg[c], &layers[i], RB_PATH_AUTO, threads, t.w, t.bias, &p), RB_OK);
        o64_poison(t.out, t.nout);
        const rb_conv_fusion plain = {t.res, 1, NULL, NULL}, summed = {t.res, 1, scale, sums};
        rb_engine_plan_run(p, t.in, &plain, t.out);
        o64_poison(sums, nsums);
        rb_engine_plan_run(p, t.in, &summed, t.out);  // the channel sums and a scale, too
        rb_engine_plan_destroy(p);
        if (threads == 1) {
          memcpy(first, t.out, t.nout * 4);
          memcpy(sums1, sums, nsums * 4);
        } else {
          ck_assert_msg(memcmp(first, t.out, t.nout * 4) == 0, "%s layer %zu: %d threads differ from 1", cfg[c]->name,
                        i, threads);
          ck_assert_msg(memcmp(sums1, sums, nsums * 4) == 0, "%s layer %zu: sums on %d threads differ from 1",
                        cfg[c]->name, i, threads);
        }
      }
      rb_aligned_free(first), rb_aligned_free(sums), rb_aligned_free(sums1), rb_aligned_free(scale);
      release(&t);
    }
}
END_TEST

// With more than one thread, a layer whose input is larger than its weights, and the weights
// within 512 KiB, runs one channel block (the threads then split the pixel tiles and each reads
// half of A, not all of it); one thread, a grouped layer or larger weights keep the 192 KiB blocks.
START_TEST(one_block_when_threads_would_reread_a) {
  const rb_engine_config *cfg[16];
  const int nc = configs(cfg);
  // 192 -> 320 1x1: 247 KB of weights; 19x19 (277 KB) and 11x11 (93 KB) inputs. 192 -> 704: 543 KB.
  const rb_conv_desc big_a = rb_conv_desc_make(1, 19, 19, 192, 320, 1, 1, 0, 1, 1),
                     small_a = rb_conv_desc_make(1, 11, 11, 192, 320, 1, 1, 0, 1, 1),
                     big_w = rb_conv_desc_make(1, 40, 40, 192, 704, 1, 1, 0, 1, 1),
                     grouped = rb_conv_desc_make(1, 19, 19, 384, 640, 1, 1, 0, 1, 2);
  for (int c = 0; c < nc; c++) {
    const rb_conv_desc *ds[] = {&big_a, &small_a, &big_w, &grouped};
    int blocks[4][2];
    for (int i = 0; i < 4; i++)
      for (int th = 0; th < 2; th++) {
        tensors t;
        make(&t, ds[i], 0, 0, 3);
        rb_engine_plan *p;
        ck_assert_int_eq(rb_engine_plan_create(cfg[c], ds[i], RB_PATH_GEMM, 1 + th, t.w, t.bias, &p), RB_OK);
        const int cout_g = ds[i]->cout / ds[i]->groups;
        blocks[i][th] = (cout_g + rb_engine_plan_nc_block(p) - 1) / rb_engine_plan_nc_block(p);
        rb_engine_plan_destroy(p);
        release(&t);
      }
    for (int i = 0; i < 4; i++)
      ck_assert_msg(blocks[i][0] >= 2, "%s: case %d has %d channel block(s) on 1 thread", cfg[c]->name, i, blocks[i][0]);
    ck_assert_msg(blocks[0][1] == 1, "%s: input > weights on 2 threads: %d blocks", cfg[c]->name, blocks[0][1]);
    for (int i = 1; i < 4; i++)
      ck_assert_msg(blocks[i][1] == blocks[i][0], "%s: case %d: %d blocks on 2 threads, %d on 1", cfg[c]->name, i,
                    blocks[i][1], blocks[i][0]);
  }
}
END_TEST

// Channel blocks: whole panels of NR, as few blocks as the 192 KiB bound allows (one panel may
// exceed it), and of those the smallest uniform size, so that the last block is not much smaller
// (threads splitting the tasks do near-equal work).
START_TEST(channel_blocks_even) {
  const int nrs[] = {16, 32, 64}, couts[] = {16, 40, 64, 200, 256, 512, 1000, 2048}, ks[] = {3, 64, 128, 576, 4608};
  for (size_t a = 0; a < 3; a++)
    for (size_t b = 0; b < sizeof couts / sizeof couts[0]; b++)
      for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++) {
        const rb_gemm_ukernel u = {"test", RB_ISA_REF, 6, nrs[a], NULL, NULL, nrs[a]};
        const int block = rb_engine_nc_block(&u, couts[b], ks[k]), panels = (couts[b] + u.nr - 1) / u.nr;
        ck_assert_int_eq(block % u.nr, 0);
        const int bp = block / u.nr, blocks = (panels + bp - 1) / bp;
        const long fit_bytes = 192 * 1024 / ((long)(ks[k] + 1) * 4 * u.nr), fit = fit_bytes < 1 ? 1 : fit_bytes;
        ck_assert_msg(bp >= 1 && bp <= panels && (bp == 1 || bp <= fit), "nr %d cout %d k %d: %d panels a block",
                      u.nr, couts[b], ks[k], bp);
        ck_assert_int_eq(blocks, (panels + fit - 1) / fit < 1 ? 1 : (int)((panels + fit - 1) / fit));
        if (bp > 1) ck_assert_int_gt((panels + bp - 2) / (bp - 1), blocks);  // a smaller size needs more blocks
      }
  // The case that was 5 + 3 panels: 512 columns of 64 at K = 128 (5 panels fit 192 KiB): 4 + 4.
  const rb_gemm_ukernel u64 = {"test", RB_ISA_REF, 6, 64, NULL, NULL, 64};
  ck_assert_int_eq(rb_engine_nc_block(&u64, 512, 128), 256);
}
END_TEST

// Padded rows x padded columns x cost of tile u on `pixels` x cout_g (written here again: the
// test's own expectation): the columns of whole blocks, and those of the last block counted
// nr_step at a time (cout_g 40 on a 64-column tile of step 16: 48).
static double padded_work(const rb_gemm_ukernel *u, double cost, size_t pixels, int cout_g) {
  const size_t rows = (pixels + (size_t)u->mr - 1) / (size_t)u->mr * (size_t)u->mr;
  size_t cols = 0;
  for (int left = cout_g; left > 0; left -= u->nr)
    cols += left >= u->nr ? (size_t)u->nr : ((size_t)left + (size_t)u->nr_step - 1) / (size_t)u->nr_step * (size_t)u->nr_step;
  return (double)rows * (double)cols * cost;
}

// The GEMM tile by the rows and columns it pads: a config's second tile where its padded rows
// times its cost are fewer (49 pixels of a 7x7 map: 50 rows of 5 or 49 of 7 against 54 of 6), its
// narrow tile where a group has few channels (32 columns of 7x32 for 20 or 32 channels a group,
// against 64), its main one elsewhere; each other tile's plan checked against fp64 on each path
// that takes it (gemm, igemm, rows).
START_TEST(alt_tile_where_it_pads_less) {
  const rb_engine_config *cfgs[16];
  const int n = configs(cfgs);
  int alts = 0, narrows = 0;
  for (int i = 0; i < n; i++) {
    const rb_engine_config *cfg = cfgs[i];
    const char *shapes[] = {"mb1ic24ih7oc40oh7kh1",       "mb1ic24ih14oc40oh7kh3sh2ph1", "mb1ic3ih13oc20oh7kh7sh2ph3",
                            "mb1ic24ih14oc40oh14kh1",     "mb2ic16ih5oc24oh5kh3ph1",     "mb1ic8ih56oc16oh56kh1",
                            "g4mb1ic64ih7oc128oh7kh3ph1", "g2mb1ic40ih12oc64oh12kh1",    "g3mb1ic48ih9oc96oh9kh3ph1",
                            // a group of 40 and of 80 (ResNeSt-50d 4s2x40d): 48 and 96 columns at step 16
                            "g8mb1ic80ih14oc320oh14kh3ph1", "g8mb1ic160ih7oc640oh7kh3ph1"};
    for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++) {
      rb_conv_desc d;
      ck_assert(rb_conv_desc_parse(shapes[j], &d) == RB_OK);
      const size_t pixels = rb_conv_out_count(&d) / (size_t)d.cout;
      const int cout_g = d.cout / d.groups;
      const rb_gemm_ukernel *want = &cfg->gemm;
      double least = padded_work(want, 1.0, pixels, cout_g);
      if (cfg->gemm_alt.gemm && padded_work(&cfg->gemm_alt, cfg->alt_row_cost, pixels, cout_g) < least)
        want = &cfg->gemm_alt, least = padded_work(want, cfg->alt_row_cost, pixels, cout_g);
      if (cfg->gemm_narrow.gemm && padded_work(&cfg->gemm_narrow, cfg->narrow_cost, pixels, cout_g) < least)
        want = &cfg->gemm_narrow;
      const int alt = want == &cfg->gemm_alt, narrow = want == &cfg->gemm_narrow;
      // The rule as the driver exports it, and the plan's tile.
      ck_assert_ptr_eq(rb_engine_gemm_for(cfg, pixels, cout_g), want);
      rb_engine_plan *p;
      float *w = calloc(rb_conv_weight_count(&d), sizeof *w);
      ck_assert(rb_engine_plan_create(cfg, &d, RB_PATH_AUTO, 1, w, NULL, &p) == RB_OK);
      char tile[32];
      snprintf(tile, sizeof tile, "_%dx%d_", want->mr, want->nr);
      ck_assert_msg(strstr(rb_engine_plan_ukernel(p), tile), "%s %s (%zu pixels): %s, expected the %s tile", cfg->name,
                    shapes[j], pixels, rb_engine_plan_ukernel(p), tile);
      rb_engine_plan_destroy(p);
      free(w);
      alts += alt, narrows += narrow;
      // ... and each plan whose last column block is partial (computed nr_step columns at a time).
      if (alt || narrow || cout_g % want->nr) check_conv(cfg, &d, RB_PATH_AUTO, 1, 1, 1, (int)j % 2, 7000 + j);
    }
  }
  // scalar_6x16 (5x16), scalar_14x32 (8x32) and scalar_6x64 (7x64) have second tiles on every CPU,
  // scalar_6x64 a narrow one (7x32).
  ck_assert_int_ge(alts, 3);
  ck_assert_int_ge(narrows, 2);
  // The narrow tile is for groups narrower than the main tile: where every group is whole blocks
  // of the main tile (ResNet's dense layers on 56x56 .. 7x7), it never takes the layer (8765697's
  // costs gave every ResNet-50 layer to 7x32, tied or cheaper at cost 1.0).
  for (int i = 0; i < n; i++) {
    const rb_engine_config *cfg = cfgs[i];
    if (!cfg->gemm_narrow.gemm) continue;
    const size_t maps[] = {112 * 112, 56 * 56, 28 * 28, 14 * 14, 7 * 7};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++)
      for (int blocks = 1; blocks <= 32; blocks *= 2) {
        const rb_gemm_ukernel *u = rb_engine_gemm_for(cfg, maps[m], blocks * cfg->gemm.nr);
        ck_assert_msg(u != &cfg->gemm_narrow, "%s: %zu pixels x %d channels took the narrow tile %s", cfg->name,
                      maps[m], blocks * cfg->gemm.nr, u->name);
      }
  }
}
END_TEST

Suite *engine_suite(void) {
  Suite *s = suite_create("engine");
  TCase *tc = tcase_create("engine");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, random_shapes);
  tcase_add_test(tc, family_layers_every_path);
  tcase_add_test(tc, path_rule);
  tcase_add_test(tc, threads_bit_identical);
  tcase_add_test(tc, one_block_when_threads_would_reread_a);
  tcase_add_test(tc, channel_blocks_even);
  tcase_add_test(tc, alt_tile_where_it_pads_less);
  suite_add_tcase(s, tc);
  return s;
}
