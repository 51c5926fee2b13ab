// Pooling with PyTorch's semantics (MaxPool2d, AvgPool2d with count_include_pad and ceil_mode,
// the global average pool): output sizes and values against hand-computed PyTorch results, and
// random shapes against the fp64 oracles. Max pool selects an input, so it must be exact; an
// average sums at most kh*kw taps and divides (or multiplies by a reciprocal): gamma(kh*kw + 2).
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "misc_testutil.h"
#include "oracle64_misc.h"

static rb_pool_desc pool_desc(int n, int h, int w, int c, int k, int s, int p, int ceil_mode, int cip) {
  const rb_pool_desc d = {n, h, w, c, k, k, s, s, p, p, ceil_mode, cip};
  return d;
}

// PyTorch output sizes, worked out by hand from pooling_output_shape.
START_TEST(test_pool_out_sizes) {
  static const struct {
    int size, k, s, p, ceil_mode, want;
  } cases[] = {
      {57, 2, 2, 0, 1, 29},   // ResNeSt avg_down on an odd map: the last window holds one row
      {57, 2, 2, 0, 0, 28},
      {112, 3, 2, 1, 0, 56},  // ResNet stem max pool
      {112, 3, 2, 1, 1, 57},
      {56, 3, 2, 1, 0, 28},   // ResNeSt avd
      {56, 3, 2, 1, 1, 29},
      {3, 2, 2, 1, 1, 2},     // ceil gives 3, but window 2 would start in the trailing padding
      {4, 2, 3, 1, 1, 2},     // the same rule with stride 3
      {3, 2, 2, 1, 0, 2},
      {4, 3, 2, 1, 1, 3},
      {4, 3, 2, 1, 0, 2},
      {5, 2, 2, 0, 1, 3},
      {6, 3, 3, 1, 1, 3},
      {6, 3, 3, 1, 0, 2},
      {5, 4, 3, 2, 1, 3},
      {7, 7, 1, 0, 0, 1},     // a global pool written as a 7x7 window
      {1, 3, 1, 1, 0, 1},
      {1, 2, 2, 0, 1, 1},     // ceil mode allows a kernel larger than the input
      {1, 2, 2, 0, 0, 0},     // floor((1 - 2) / 2) + 1 = 0: C's truncating division would say 1
      {2, 5, 1, 0, 0, 0},     // floor(-3 / 1) + 1 = -2: reported as 0
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const rb_pool_desc d = {1, cases[i].size, 9, 1, cases[i].k, 3, cases[i].s, 1, cases[i].p, 1, cases[i].ceil_mode, 1};
    const rb_pool_desc t = {1, 9, cases[i].size, 1, 3, cases[i].k, 1, cases[i].s, 1, cases[i].p, cases[i].ceil_mode, 1};
    ck_assert_msg(rb_pool_out_h(&d) == cases[i].want && rb_pool_out_w(&t) == cases[i].want,
                  "case %zu (size %d k %d s %d p %d ceil %d): out_h %d, out_w %d, want %d", i, cases[i].size,
                  cases[i].k, cases[i].s, cases[i].p, cases[i].ceil_mode, rb_pool_out_h(&d), rb_pool_out_w(&t),
                  cases[i].want);
    ck_assert_int_eq(o64_pool_out(cases[i].size, cases[i].k, cases[i].s, cases[i].p, cases[i].ceil_mode),
                     cases[i].want);
    ck_assert_int_eq(rb_pool_desc_check(&d), cases[i].want >= 1 ? RB_OK : RB_ERR_SHAPE);
  }
}
END_TEST

// 1 channel, x[y][x] = 1 + 4y + x on 4x4, 3x3 windows, stride 2, padding 1, ceil_mode: 3x3
// outputs; row windows [-1, 2), [1, 4) and [3, 5) (the last clipped at h + pad = 5, so its
// PyTorch pool_size is 2 rows, not 3).
START_TEST(test_pool_hand_values) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, maxpool);
    MT_SKIP_IF_MISSING(k, avgpool);
    float in[16], out[9];
    for (int i = 0; i < 16; i++) in[i] = (float)(1 + i);
    static const float want_max[9] = {6, 8, 8, 14, 16, 16, 14, 16, 16};
    static const double want_incl[9] = {14 / 9.0, 30 / 9.0, 12 / 6.0, 57 / 9.0, 99 / 9.0,
                                        36 / 6.0, 27 / 6.0, 45 / 6.0, 16 / 4.0};
    static const double want_excl[9] = {14 / 4.0, 30 / 6.0, 12 / 2.0, 57 / 6.0, 99 / 9.0,
                                        36 / 3.0, 27 / 2.0, 45 / 3.0, 16 / 1.0};
    rb_pool_desc d = pool_desc(1, 4, 4, 1, 3, 2, 1, 1, 1);
    ck_assert_int_eq(rb_pool_out_h(&d), 3);
    o64_poison(out, 9);
    ck_assert_int_eq(rb_op_maxpool(k, &d, in, out), RB_OK);
    for (int i = 0; i < 9; i++) ck_assert_msg(out[i] == want_max[i], "%s max[%d] = %g, want %g", k->isa_name, i,
                                              (double)out[i], (double)want_max[i]);
    o64_poison(out, 9);
    ck_assert_int_eq(rb_op_avgpool(k, &d, in, out), RB_OK);
    for (int i = 0; i < 9; i++)
      ck_assert_msg(fabs(out[i] - want_incl[i]) <= 1e-6 * want_incl[i], "%s avg incl pad [%d] = %.7g, want %.7g",
                    k->isa_name, i, (double)out[i], want_incl[i]);
    d.count_include_pad = 0;
    o64_poison(out, 9);
    ck_assert_int_eq(rb_op_avgpool(k, &d, in, out), RB_OK);
    for (int i = 0; i < 9; i++)
      ck_assert_msg(fabs(out[i] - want_excl[i]) <= 1e-6 * want_excl[i], "%s avg excl pad [%d] = %.7g, want %.7g",
                    k->isa_name, i, (double)out[i], want_excl[i]);

    // Floor mode: the top-left 2x2 of the same windows.
    d = pool_desc(1, 4, 4, 1, 3, 2, 1, 0, 1);
    ck_assert_int_eq(rb_pool_out_h(&d), 2);
    o64_poison(out, 9);
    ck_assert_int_eq(rb_op_avgpool(k, &d, in, out), RB_OK);
    static const int tl[4] = {0, 1, 3, 4};
    for (int i = 0; i < 4; i++)
      ck_assert_msg(fabs(out[i] - want_incl[tl[i]]) <= 1e-6 * want_incl[tl[i]], "%s floor avg [%d] = %.7g",
                    k->isa_name, i, (double)out[i]);
    ck_assert_msg(isnan(out[4]), "%s: avg pool wrote past its 2x2 output", k->isa_name);

    // AvgPool2d(2, 2, ceil_mode=True) on 5x5 = 1..25: the partial windows divide by their own size
    // even with count_include_pad (PyTorch clips pool_size at h + pad = h).
    float in5[25], out3[9];
    for (int i = 0; i < 25; i++) in5[i] = (float)(1 + i);
    static const float want5[9] = {4, 6, 7.5f, 14, 16, 17.5f, 21.5f, 23.5f, 25};
    for (int cip = 0; cip <= 1; cip++) {
      d = pool_desc(1, 5, 5, 1, 2, 2, 0, 1, cip);
      o64_poison(out3, 9);
      ck_assert_int_eq(rb_op_avgpool(k, &d, in5, out3), RB_OK);
      for (int i = 0; i < 9; i++)
        ck_assert_msg(out3[i] == want5[i], "%s avg_down cip %d [%d] = %g, want %g", k->isa_name, cip, i,
                      (double)out3[i], (double)want5[i]);
    }
  }
}
END_TEST

static void pool_case(const rb_kernels *k, o64_rng *r, const rb_pool_desc *d, int is_max, float lo, float hi) {
  const int oh = o64_pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode);
  const int ow = o64_pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode);
  ck_assert_int_eq(rb_pool_out_h(d), oh);
  ck_assert_int_eq(rb_pool_out_w(d), ow);
  const size_t nin = (size_t)d->n * d->h * d->w * d->c, nout = (size_t)d->n * oh * ow * d->c;
  float *in = mt_floats(nin), *out = mt_floats(nout + 16);
  double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
  o64_fill(r, in, nin, lo, hi);
  o64_poison(out, nout + 16);
  if (is_max) {
    o64_maxpool(d, in, exact, mag);
    ck_assert_int_eq(rb_op_maxpool(k, d, in, out), RB_OK);
  } else {
    o64_avgpool(d, in, exact, mag);
    ck_assert_int_eq(rb_op_avgpool(k, d, in, out), RB_OK);
  }
  char what[200];
  snprintf(what, sizeof what, "%s %s n%d h%d w%d c%d k%dx%d s%dx%d p%dx%d ceil%d cip%d", k->isa_name,
           is_max ? "maxpool" : "avgpool", d->n, d->h, d->w, d->c, d->kh, d->kw, d->stride_h, d->stride_w, d->pad_h,
           d->pad_w, d->ceil_mode, d->count_include_pad);
  mt_expect_close(what, out, exact, mag, nout, is_max ? 0.0 : o64_avgpool_tol(d));
  for (int i = 0; i < 16; i++) ck_assert_msg(isnan(out[nout + i]), "%s: wrote past the output", what);
  rb_aligned_free(in), rb_aligned_free(out);
  free(exact), free(mag);
}

// Random shapes: odd sizes, kernels 1..4 (rectangular), strides 1..3, padding 0..k/2, both
// rounding modes. Shapes the descriptor check rejects must be exactly those where the oracle
// counts no window.
static void pool_random(int is_max, uint64_t seed) {
  MT_FOR_EACH_TABLE(k) {
    if (is_max) MT_SKIP_IF_MISSING(k, maxpool);
    if (!is_max) MT_SKIP_IF_MISSING(k, avgpool);
    o64_rng r;
    o64_seed(&r, seed);
    int ran = 0;
    for (int t = 0; t < 300; t++) {
      rb_pool_desc d = {o64_int(&r, 1, 2), o64_int(&r, 1, 13), o64_int(&r, 1, 13), o64_int(&r, 1, 19),
                        o64_int(&r, 1, 4), o64_int(&r, 1, 4), o64_int(&r, 1, 3), o64_int(&r, 1, 3), 0, 0,
                        o64_int(&r, 0, 1), o64_int(&r, 0, 1)};
      d.pad_h = o64_int(&r, 0, d.kh / 2);
      d.pad_w = o64_int(&r, 0, d.kw / 2);
      const int oh = o64_pool_out(d.h, d.kh, d.stride_h, d.pad_h, d.ceil_mode);
      const int ow = o64_pool_out(d.w, d.kw, d.stride_w, d.pad_w, d.ceil_mode);
      const rb_status st = rb_pool_desc_check(&d);
      ck_assert_msg(st == (oh >= 1 && ow >= 1 ? RB_OK : RB_ERR_SHAPE), "check %s for h%d w%d k%dx%d s%dx%d p%dx%d "
                    "ceil%d (oracle %dx%d): %s", rb_status_name(st), d.h, d.w, d.kh, d.kw, d.stride_h, d.stride_w,
                    d.pad_h, d.pad_w, d.ceil_mode, oh, ow, rb_last_error());
      if (st != RB_OK) continue;
      // Mixed signs; every fourth case all negative, where a zero-padded max pool would be wrong.
      pool_case(k, &r, &d, is_max, -1, t % 4 == 0 ? -0.5f : 1);
      ran++;
    }
    ck_assert_int_ge(ran, 200);
  }
}

START_TEST(test_maxpool_random) { pool_random(1, 601); }
END_TEST

START_TEST(test_avgpool_random) { pool_random(0, 602); }
END_TEST

// The ResNet-family pools at full size.
START_TEST(test_pool_resnet) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, maxpool);
    MT_SKIP_IF_MISSING(k, avgpool);
    o64_rng r;
    o64_seed(&r, 603);
    rb_pool_desc d = pool_desc(1, 112, 112, 64, 3, 2, 1, 0, 1);  // stem MaxPool2d(3, 2, 1)
    pool_case(k, &r, &d, 1, -1, 1);
    d = pool_desc(1, 56, 56, 64, 3, 2, 1, 0, 1);  // avd AvgPool2d(3, 2, padding=1)
    pool_case(k, &r, &d, 0, -1, 1);
    d = pool_desc(2, 57, 57, 24, 2, 2, 0, 1, 0);  // avg_down AvgPool2d(2, 2, ceil_mode=True, cip=False)
    ck_assert_int_eq(rb_pool_out_h(&d), 29);
    pool_case(k, &r, &d, 0, -1, 1);
    d = pool_desc(1, 28, 28, 40, 3, 1, 1, 0, 1);  // avd with stride 1 keeps the size
    ck_assert_int_eq(rb_pool_out_h(&d), 28);
    pool_case(k, &r, &d, 0, -1, 1);
    // 277 channels: whole blocks of 8 vectors, then whole and partial vectors, at every width.
    d = pool_desc(2, 15, 13, 277, 3, 2, 1, 0, 1);
    pool_case(k, &r, &d, 1, -1, -0.5f);  // all negative: a zero-padded max would be wrong
    pool_case(k, &r, &d, 0, -1, 1);
    d = pool_desc(1, 13, 13, 277, 2, 2, 0, 1, 0);
    pool_case(k, &r, &d, 0, -1, 1);
    // 499 = 256 + 128 + 64 + 32 + 16 + 3 channels: with 16 lanes, one block of each size (16, 8,
    // 4, 2, 1 vectors) and a partial vector; with 8 and 4 lanes, other splits.
    d = pool_desc(1, 9, 11, 499, 3, 2, 1, 0, 1);
    pool_case(k, &r, &d, 1, -1, 1);
    pool_case(k, &r, &d, 0, -1, 1);
  }
}
END_TEST

// NaN in a window reaches that output channel (PyTorch's max pool propagates it), whichever block
// of the channel sweep holds the channel, and only there: the other outputs are the oracle's.
START_TEST(test_maxpool_nan) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, maxpool);
    o64_rng r;
    o64_seed(&r, 604);
    const rb_pool_desc d = pool_desc(1, 9, 9, 499, 3, 2, 1, 0, 1);
    const int oh = rb_pool_out_h(&d), ow = rb_pool_out_w(&d), c = d.c;
    const size_t nin = (size_t)d.h * d.w * c, nout = (size_t)oh * ow * c;
    float *in = mt_floats(nin), *out = mt_floats(nout);
    double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
    o64_fill(&r, in, nin, -1, 1);
    static const int chans[] = {0, 255, 256, 383, 384, 447, 448, 479, 480, 495, 496, 498};
    const int nchans = (int)(sizeof chans / sizeof chans[0]);
    // Pixel (3, 3): windows span rows 2y - 1 .. 2y + 1, so it is the last tap of output row 1 and
    // the first of row 2 (likewise columns): the NaN must survive the taps after it and stick.
    for (int j = 0; j < nchans; j++) in[((size_t)3 * d.w + 3) * c + chans[j]] = NAN;
    o64_maxpool(&d, in, exact, mag);  // the oracle skips NaN (v > m is false): the other outputs
    o64_poison(out, nout);
    ck_assert_int_eq(rb_op_maxpool(k, &d, in, out), RB_OK);
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++)
        for (int ch = 0; ch < c; ch++) {
          const int covers = 2 * y - 1 <= 3 && 3 <= 2 * y + 1 && 2 * x - 1 <= 3 && 3 <= 2 * x + 1;
          int nan_ch = 0;
          for (int j = 0; j < nchans; j++) nan_ch |= chans[j] == ch;
          const float v = out[((size_t)y * ow + x) * c + ch];
          if (covers && nan_ch)
            ck_assert_msg(isnan(v), "%s: maxpool output (%d, %d) channel %d = %g, want NaN", k->isa_name, y, x, ch,
                          (double)v);
          else
            ck_assert_msg(v == (float)exact[((size_t)y * ow + x) * c + ch], "%s: maxpool output (%d, %d) channel %d "
                          "= %g, want %g", k->isa_name, y, x, ch, (double)v, exact[((size_t)y * ow + x) * c + ch]);
        }
    rb_aligned_free(in), rb_aligned_free(out);
    free(exact), free(mag);
  }
}
END_TEST

// +-Inf and huge values, which make the SIMD max pool's finite-input check fail (kernels/
// eltwise_template.h: its blocks are then swept again with the NaN-propagating max): +Inf at
// pixel (3, 3) in channels of every block size, -Inf there in others, one channel -Inf everywhere
// (its outputs stay -Inf), and 3e38 in a block of channels at every pixel (the check's sum
// overflows, no input is Inf). Every output must be the oracle's, exactly.
START_TEST(test_maxpool_inf_huge) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, maxpool);
    o64_rng r;
    o64_seed(&r, 605);
    const rb_pool_desc d = pool_desc(1, 9, 9, 499, 3, 2, 1, 0, 1);
    const int oh = rb_pool_out_h(&d), ow = rb_pool_out_w(&d), c = d.c;
    const size_t nin = (size_t)d.h * d.w * c, nout = (size_t)oh * ow * c;
    float *in = mt_floats(nin), *out = mt_floats(nout);
    double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
    o64_fill(&r, in, nin, -1, 1);
    static const int pos_inf[] = {0, 256, 384, 448, 480, 496, 498}, neg_inf[] = {1, 300, 400, 460, 490, 497};
    for (size_t j = 0; j < sizeof pos_inf / sizeof pos_inf[0]; j++) in[((size_t)3 * d.w + 3) * c + pos_inf[j]] = INFINITY;
    for (size_t j = 0; j < sizeof neg_inf / sizeof neg_inf[0]; j++)
      in[((size_t)3 * d.w + 3) * c + neg_inf[j]] = -INFINITY;
    for (size_t p = 0; p < (size_t)d.h * d.w; p++) {
      in[p * c + 5] = -INFINITY;
      for (int ch = 16; ch < 32; ch++) in[p * c + ch] = (ch & 1 ? -3e38f : 3e38f) * (float)(1 + (p % 3)) / 3;
    }
    o64_maxpool(&d, in, exact, mag);
    o64_poison(out, nout);
    ck_assert_int_eq(rb_op_maxpool(k, &d, in, out), RB_OK);
    for (size_t i = 0; i < nout; i++)
      ck_assert_msg(out[i] == (float)exact[i], "%s: maxpool output %zu (channel %zu) = %g, want %g", k->isa_name, i,
                    i % (size_t)c, (double)out[i], exact[i]);
    ck_assert(isinf(out[5]) && out[5] < 0);
    rb_aligned_free(in), rb_aligned_free(out);
    free(exact), free(mag);
  }
}
END_TEST

static void gap_case(const rb_kernels *k, o64_rng *r, int n, int hw, int c) {
  const size_t nin = (size_t)n * hw * c, nout = (size_t)n * c;
  float *in = mt_floats(nin), *out = mt_floats(nout);
  double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
  o64_fill(r, in, nin, -1, 1);
  o64_global_avgpool(n, hw, c, in, exact, mag);
  o64_poison(out, nout);
  ck_assert_int_eq(rb_op_global_avgpool(k, n, hw, c, in, out), RB_OK);
  char what[120];
  snprintf(what, sizeof what, "%s global_avgpool n%d hw%d c%d", k->isa_name, n, hw, c);
  // hw terms summed, then a division (or a reciprocal and a multiply): gamma(hw + 2).
  mt_expect_close(what, out, exact, mag, nout, o64_global_avgpool_tol(hw));
  rb_aligned_free(in), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_global_avgpool) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, global_avgpool);
    o64_rng r;
    o64_seed(&r, 604);
    for (int t = 0; t < 40; t++) gap_case(k, &r, o64_int(&r, 1, 3), o64_int(&r, 1, 300), o64_int(&r, 1, 150));
    gap_case(k, &r, 2, 49, 2048);  // ResNet-50 head
    gap_case(k, &r, 1, 3136, 256);
    gap_case(k, &r, 2, 2311, 37);  // the large-map path (8 pixel ranges) with a channel tail at every width
  }
}
END_TEST

Suite *pool_suite(void) {
  Suite *s = suite_create("pool");
  TCase *tc = tcase_create("sizes");
  tcase_add_test(tc, test_pool_out_sizes);
  tcase_add_test(tc, test_pool_hand_values);
  suite_add_tcase(s, tc);
  tc = tcase_create("random");
  tcase_set_timeout(tc, 60);  // ASan and qemu
  tcase_add_test(tc, test_maxpool_random);
  tcase_add_test(tc, test_avgpool_random);
  tcase_add_test(tc, test_pool_resnet);
  tcase_add_test(tc, test_maxpool_nan);
  tcase_add_test(tc, test_maxpool_inf_huge);
  tcase_add_test(tc, test_global_avgpool);
  suite_add_tcase(s, tc);
  return s;
}
