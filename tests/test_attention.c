// Channel attention kernels (SE, grouped FC, ResNeSt radix softmax and split sum, SK select)
// and BatchNorm folding, on every available table, against the fp64 oracles of oracle64_misc.
// Tolerances come from float32 accumulation (o64_gamma of the number of summed terms) or, where
// exp is involved, a small multiple of O64_U_F32; each is derived at its o64_*_tol() definition.
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "misc_testutil.h"
#include "oracle64_misc.h"

// ---- grouped FC -----------------------------------------------------------------------------

static void fc_case(const rb_kernels *k, o64_rng *r, int n, int in_f, int out_f, int groups, int relu,
                    int with_bias, int via_op) {
  const size_t nin = (size_t)n * in_f, nout = (size_t)n * out_f, nw = (size_t)out_f * (in_f / groups);
  float *in = mt_floats(nin), *w = mt_floats(nw), *out = mt_floats(nout);
  float *bias = with_bias ? mt_floats(out_f) : NULL;
  double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
  o64_fill(r, in, nin, -1, 1);
  o64_fill(r, w, nw, -1, 1);
  if (bias) o64_fill(r, bias, out_f, -1, 1);
  o64_fc(n, in_f, out_f, groups, in, w, bias, relu, exact, mag);
  o64_poison(out, nout);
  if (via_op) ck_assert_int_eq(rb_op_fc(k, n, in_f, out_f, groups, in, w, bias, relu, out), RB_OK);
  else k->fc(n, in_f, out_f, groups, in, w, bias, relu, out);
  char what[160];
  snprintf(what, sizeof what, "%s fc n%d in%d out%d g%d relu%d bias%d", k->isa_name, n, in_f, out_f, groups, relu,
           with_bias);
  // out_f/groups rows of in_f/groups products plus the bias: gamma(in_f/groups + 1).
  mt_expect_close(what, out, exact, mag, nout, o64_fc_tol(in_f, groups));
  if (relu)
    for (size_t i = 0; i < nout; i++) ck_assert_msg(out[i] >= 0, "%s: relu output %zu is %g", what, i, (double)out[i]);
  rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(out), rb_aligned_free(bias);
  free(exact), free(mag);
}

START_TEST(test_fc_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, fc);
    o64_rng r;
    o64_seed(&r, 101);
    static const int gs[] = {1, 2, 3, 4, 8};
    for (int t = 0; t < 60; t++) {
      const int g = gs[o64_int(&r, 0, 4)];
      fc_case(k, &r, o64_int(&r, 1, 3), g * o64_int(&r, 1, 40), g * o64_int(&r, 1, 12), g, o64_int(&r, 0, 1),
              o64_int(&r, 0, 2) != 0, t % 2);
    }
    // The ResNet-50 classifier, and one FC whose groups each hold one input and one output.
    fc_case(k, &r, 2, 2048, 1000, 1, 0, 1, 0);
    fc_case(k, &r, 1, 16, 16, 16, 1, 1, 0);
    // SE-ResNet-50 layer4's two FCs, and 3 groups of 7 outputs (blocks of 4 and a tail of 3) over
    // 37 inputs (whole vectors and a partial one at every width).
    fc_case(k, &r, 1, 2048, 128, 1, 1, 1, 0);
    fc_case(k, &r, 1, 128, 2048, 1, 0, 1, 1);
    fc_case(k, &r, 2, 3 * 37, 3 * 7, 3, 1, 1, 0);
  }
}
END_TEST

// ---- squeeze-and-excitation -------------------------------------------------------------------

static void se_case(const rb_kernels *k, o64_rng *r, const rb_se_desc *d, int with_bias, int in_place) {
  const size_t act = (size_t)d->n * d->h * d->w * d->c, ws = rb_se_workspace_size(d);
  const size_t nw1 = (size_t)d->reduced * (d->c / d->groups), nw2 = (size_t)d->c * (d->reduced / d->groups);
  float *in = mt_floats(act), *w1 = mt_floats(nw1), *w2 = mt_floats(nw2), *wsp = mt_floats(ws);
  float *b1 = with_bias ? mt_floats(d->reduced) : NULL, *b2 = with_bias ? mt_floats(d->c) : NULL;
  double *exact = mt_doubles(act), *mag = mt_doubles(act);
  o64_fill(r, in, act, -2, 2);
  o64_fill(r, w1, nw1, -1, 1);
  o64_fill(r, w2, nw2, -1, 1);
  if (with_bias) {
    o64_fill(r, b1, d->reduced, -0.5f, 0.5f);
    o64_fill(r, b2, d->c, -0.5f, 0.5f);
  }
  o64_se(d, in, w1, b1, w2, b2, exact, mag);
  float *out = in_place ? mt_copy(in, act) : mt_floats(act);
  if (!in_place) o64_poison(out, act);
  o64_poison(wsp, ws);  // the kernel must write its workspace before reading it
  ck_assert_int_eq(rb_op_se(k, d, in_place ? out : in, w1, b1, w2, b2, wsp, out), RB_OK);
  char what[160];
  snprintf(what, sizeof what, "%s se n%d h%d w%d c%d reduced%d g%d bias%d in_place%d", k->isa_name, d->n, d->h,
           d->w, d->c, d->reduced, d->groups, with_bias, in_place);
  // Sums of hw, c/g + 1 and reduced/g + 1 terms feed the gate; o64_se_tol adds their gammas and
  // a few u for the sigmoid and the scale (mag carries the sigmoid's slope).
  mt_expect_close(what, out, exact, mag, act, o64_se_tol(d));
  rb_aligned_free(in), rb_aligned_free(w1), rb_aligned_free(w2), rb_aligned_free(wsp), rb_aligned_free(out);
  rb_aligned_free(b1), rb_aligned_free(b2);
  free(exact), free(mag);
}

START_TEST(test_se_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, se);
    o64_rng r;
    o64_seed(&r, 202);
    static const int gs[] = {1, 2, 4};
    for (int t = 0; t < 40; t++) {
      const int g = gs[o64_int(&r, 0, 2)];
      const rb_se_desc d = {o64_int(&r, 1, 2), o64_int(&r, 1, 9), o64_int(&r, 1, 9), g * o64_int(&r, 1, 12),
                            g * o64_int(&r, 1, 4), g};
      se_case(k, &r, &d, t % 3 != 0, t % 2);
    }
  }
}
END_TEST

// SE fused with the block's residual add and ReLU (rb_op_se_gate + rb_op_scale_add, as the
// forward pass runs it) against the unfused rb_op_se + rb_op_add and against fp64: the gate is
// the same computation in both, so the two differ by at most the one rounding the fusion saves.
static void se_fused_case(const rb_kernels *k, o64_rng *r, const rb_se_desc *d) {
  const size_t act = (size_t)d->n * d->h * d->w * d->c, ws = rb_se_workspace_size(d), ng = (size_t)d->n * d->c;
  const size_t nw1 = (size_t)d->reduced * (d->c / d->groups), nw2 = (size_t)d->c * (d->reduced / d->groups);
  float *in = mt_floats(act), *res = mt_floats(act), *w1 = mt_floats(nw1), *w2 = mt_floats(nw2);
  float *b1 = mt_floats(d->reduced), *b2 = mt_floats(d->c), *wsp = mt_floats(ws), *gate = mt_floats(ng);
  float *unfused = mt_floats(act), *fused = mt_floats(act);
  double *exact = mt_doubles(act), *mag = mt_doubles(act);
  o64_fill(r, in, act, -2, 2);
  o64_fill(r, res, act, -2, 2);
  o64_fill(r, w1, nw1, -1, 1);
  o64_fill(r, w2, nw2, -1, 1);
  o64_fill(r, b1, d->reduced, -0.5f, 0.5f);
  o64_fill(r, b2, d->c, -0.5f, 0.5f);
  o64_se(d, in, w1, b1, w2, b2, exact, mag);
  for (size_t i = 0; i < act; i++) {  // relu(se(in) + res), with |res| added to the magnitude
    const double e = exact[i] + res[i];
    exact[i] = e < 0 ? 0 : e;
    mag[i] += fabs(res[i]);
  }
  o64_poison(wsp, ws);
  o64_poison(unfused, act);
  ck_assert_int_eq(rb_op_se(k, d, in, w1, b1, w2, b2, wsp, unfused), RB_OK);
  ck_assert_int_eq(rb_op_add(k, act, unfused, res, 1, unfused), RB_OK);
  o64_poison(wsp, ws);
  o64_poison(gate, ng);
  o64_poison(fused, act);
  ck_assert_int_eq(rb_op_se_gate(k, d, in, NULL, w1, b1, w2, b2, wsp, gate), RB_OK);
  ck_assert_int_eq(rb_op_scale_add(k, d->n, d->h * d->w, d->c, in, gate, res, 1, fused), RB_OK);
  char what[160];
  snprintf(what, sizeof what, "%s se + add + relu, n%d h%d w%d c%d reduced%d g%d", k->isa_name, d->n, d->h, d->w,
           d->c, d->reduced, d->groups);
  const double tol = o64_se_tol(d) + O64_U_F32;  // the add's rounding
  mt_expect_close(what, fused, exact, mag, act, tol);
  mt_expect_close(what, unfused, exact, mag, act, tol);
  for (size_t i = 0; i < act; i++)  // one rounding apart: relative to the magnitude, 2u
    ck_assert_msg(fabs((double)fused[i] - unfused[i]) <= 2 * O64_U_F32 * mag[i], "%s: fused %g, unfused %g at %zu",
                  what, (double)fused[i], (double)unfused[i], i);
  rb_aligned_free(in), rb_aligned_free(res), rb_aligned_free(w1), rb_aligned_free(w2), rb_aligned_free(b1);
  rb_aligned_free(b2), rb_aligned_free(wsp), rb_aligned_free(gate), rb_aligned_free(unfused), rb_aligned_free(fused);
  free(exact), free(mag);
}

START_TEST(test_se_fused_with_add) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, se);
    MT_SKIP_IF_MISSING(k, scale_add);
    o64_rng r;
    o64_seed(&r, 204);
    for (int t = 0; t < 20; t++) {
      const int g = t % 3 == 2 ? 2 : 1;
      const rb_se_desc d = {o64_int(&r, 1, 2), o64_int(&r, 1, 9), o64_int(&r, 1, 9), g * o64_int(&r, 1, 40),
                            g * o64_int(&r, 1, 4), g};
      se_fused_case(k, &r, &d);
    }
    const rb_se_desc layer3 = {1, 14, 14, 1024, 64, 1};  // SE-ResNet-50's layer3 block
    se_fused_case(k, &r, &layer3);
  }
}
END_TEST

START_TEST(test_se_resnet) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, se);
    o64_rng r;
    o64_seed(&r, 203);
    // SE-ResNet-50 stage 1 (reduction 16), in place and not; a grouped SE as in ResNeSt (card 2).
    const rb_se_desc stage1 = {1, 56, 56, 256, 16, 1}, grouped = {2, 14, 14, 128, 32, 2};
    se_case(k, &r, &stage1, 1, 0);
    se_case(k, &r, &stage1, 1, 1);
    se_case(k, &r, &grouped, 1, 1);
  }
}
END_TEST

// ---- ResNeSt rSoftMax and split sum -----------------------------------------------------------

static void radix_softmax_case(const rb_kernels *k, o64_rng *r, int n, int card, int radix, int channels,
                               float lo, float hi) {
  const size_t cnt = (size_t)n * radix * channels;
  float *in = mt_floats(cnt), *out = mt_floats(cnt);
  double *exact = mt_doubles(cnt), *mag = mt_doubles(cnt);
  o64_fill(r, in, cnt, lo, hi);
  o64_radix_softmax(n, card, radix, channels, in, exact, mag);
  o64_poison(out, cnt);
  ck_assert_int_eq(rb_op_radix_softmax(k, n, card, radix, channels, in, out), RB_OK);
  char what[160];
  snprintf(what, sizeof what, "%s radix_softmax n%d card%d radix%d channels%d logits [%g, %g)", k->isa_name, n, card,
           radix, channels, (double)lo, (double)hi);
  // exp, radix - 1 additions and a division per output: a few u (o64_softmax_tol), relative to
  // mag, which also carries the rounding of x - max (see oracle64_misc.h).
  mt_expect_close(what, out, exact, mag, cnt, o64_softmax_tol(radix));
  // Each softmax sums to 1 (within rounding): a wrong gather that still passed would show here.
  if (radix > 1)
    for (int i = 0; i < n; i++)
      for (int c = 0; c < channels; c++) {
        double s = 0;
        for (int q = 0; q < radix; q++) s += out[((size_t)i * radix + q) * channels + c];
        ck_assert_msg(fabs(s - 1) <= (radix + 8) * O64_U_F32, "%s: softmax of n%d channel %d sums to %.9g", what, i,
                      c, s);
      }
  rb_aligned_free(in), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_radix_softmax_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, radix_softmax);
    o64_rng r;
    o64_seed(&r, 303);
    static const int radices[] = {1, 2, 4}, cards[] = {1, 2, 4};
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        for (int t = 0; t < 4; t++) {
          // channels = card * odd: never a multiple of 8, so every SIMD tail is exercised.
          const int rest = 2 * o64_int(&r, 0, 18) + 1;
          radix_softmax_case(k, &r, o64_int(&r, 1, 3), cards[b], radices[a], cards[b] * rest, -4, 4);
        }
    radix_softmax_case(k, &r, 1, 1, 2, 64, -4, 4);   // ResNeSt-50 stage 1
    radix_softmax_case(k, &r, 2, 2, 4, 128, -4, 4);  // radix 4, card 2
    radix_softmax_case(k, &r, 1, 3, 3, 33, -4, 4);
  }
}
END_TEST

// Large logits: exp without subtracting the max overflows to inf (inf / inf = NaN).
START_TEST(test_radix_softmax_stable) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, radix_softmax);
    o64_rng r;
    o64_seed(&r, 304);
    radix_softmax_case(k, &r, 2, 2, 2, 38, 85, 100);
    radix_softmax_case(k, &r, 2, 1, 4, 21, -100, -85);
    radix_softmax_case(k, &r, 1, 4, 4, 36, 80, 100);
    // A spread of up to 200: exp of anything but x - max can overflow (e^88.7 > FLT_MAX).
    radix_softmax_case(k, &r, 3, 1, 2, 45, -100, 100);
    radix_softmax_case(k, &r, 2, 2, 4, 38, -100, 100);
    // sigmoid keeps its relative accuracy on both tails down to FLT_MIN (e^-87).
    radix_softmax_case(k, &r, 2, 2, 1, 30, -30, 30);
    radix_softmax_case(k, &r, 2, 2, 1, 30, -100, 100);
  }
}
END_TEST

// The layout by hand: card 2, radix 2, one channel per group. The FC output order is
// [g0r0, g0r1, g1r0, g1r1]; rSoftMax writes [r0g0, r0g1, r1g0, r1g1].
START_TEST(test_radix_softmax_layout) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, radix_softmax);
    const float l3 = logf(3.0f);
    const float in[4] = {1.0f, 1.0f + l3, 1.0f + l3, 1.0f};  // group 0: (1/4, 3/4); group 1: (3/4, 1/4)
    const float want[4] = {0.25f, 0.75f, 0.75f, 0.25f};
    float out[4];
    o64_poison(out, 4);
    ck_assert_int_eq(rb_op_radix_softmax(k, 1, 2, 2, 2, in, out), RB_OK);
    for (int i = 0; i < 4; i++)
      ck_assert_msg(fabsf(out[i] - want[i]) < 1e-6f, "%s: out[%d] = %.7g, want %.7g", k->isa_name, i, (double)out[i],
                    (double)want[i]);
    // radix 1: sigmoid, in place of the softmax, same order.
    const float s_in[2] = {logf(3.0f), -logf(3.0f)};
    ck_assert_int_eq(rb_op_radix_softmax(k, 1, 2, 1, 2, s_in, out), RB_OK);
    ck_assert_msg(fabsf(out[0] - 0.75f) < 1e-6f && fabsf(out[1] - 0.25f) < 1e-6f, "%s: sigmoid gave %g %g",
                  k->isa_name, (double)out[0], (double)out[1]);
  }
}
END_TEST

static void split_sum_case(const rb_kernels *k, o64_rng *r, int n, int hw, int radix, int channels) {
  const size_t nx = (size_t)n * hw * radix * channels, na = (size_t)n * radix * channels;
  const size_t nout = (size_t)n * hw * channels;
  float *x = mt_floats(nx), *att = mt_floats(na), *out = mt_floats(nout);
  double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
  o64_fill(r, x, nx, -1, 1);
  o64_fill(r, att, na, -1, 1);  // any weights: the kernel does not assume a softmax
  o64_split_sum(n, hw, radix, channels, x, att, exact, mag);
  o64_poison(out, nout);
  ck_assert_int_eq(rb_op_split_sum(k, n, hw, radix, channels, x, att, out), RB_OK);
  char what[160];
  snprintf(what, sizeof what, "%s split_sum n%d hw%d radix%d channels%d", k->isa_name, n, hw, radix, channels);
  // radix products summed: gamma(radix).
  mt_expect_close(what, out, exact, mag, nout, o64_split_sum_tol(radix));
  rb_aligned_free(x), rb_aligned_free(att), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_split_sum_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, split_sum);
    o64_rng r;
    o64_seed(&r, 305);
    for (int t = 0; t < 50; t++)
      split_sum_case(k, &r, o64_int(&r, 1, 3), o64_int(&r, 1, 20), o64_int(&r, 1, 4), o64_int(&r, 1, 40));
    split_sum_case(k, &r, 1, 56 * 56, 2, 64);
    split_sum_case(k, &r, 2, 7, 3, 37);  // whole vectors and a tail at every width, radix 3
  }
}
END_TEST

// ---- the composites: rb_op_split_attention and rb_op_sk_attention -------------------------------

// The FC weights and biases of a composite with k splits / paths (biases NULL when absent).
typedef struct attn_w {
  float *w1, *b1, *w2, *b2;
} attn_w;

static attn_w attn_weights(o64_rng *r, int k, int channels, int reduced, int groups, int with_b1, int with_b2) {
  const size_t nw1 = (size_t)reduced * (channels / groups), nw2 = (size_t)k * channels * (reduced / groups);
  attn_w a = {mt_floats(nw1), with_b1 ? mt_floats(reduced) : NULL, mt_floats(nw2),
              with_b2 ? mt_floats((size_t)k * channels) : NULL};
  // PyTorch's init range: logits of order one, so the softmax is neither flat nor saturated.
  const float s1 = 1.0f / sqrtf((float)(channels / groups)), s2 = 2.0f / sqrtf((float)(reduced / groups));
  o64_fill(r, a.w1, nw1, -s1, s1);
  o64_fill(r, a.w2, nw2, -s2, s2);
  if (a.b1) o64_fill(r, a.b1, reduced, -0.5f, 0.5f);
  if (a.b2) o64_fill(r, a.b2, (size_t)k * channels, -0.5f, 0.5f);
  return a;
}

static void attn_w_free(attn_w *a) {
  rb_aligned_free(a->w1), rb_aligned_free(a->b1), rb_aligned_free(a->w2), rb_aligned_free(a->b2);
}

// with_pooled: the fc1 input is given, and deliberately not x's pool: the op must use it, not recompute.
static void split_attention_case(const rb_kernels *k, o64_rng *r, const rb_split_attn_desc *d, int with_bias,
                                 int with_pooled) {
  const size_t hw = (size_t)d->h * d->w, nx = d->n * hw * d->radix * d->channels, nout = d->n * hw * d->channels;
  const size_t ws = rb_split_attention_workspace_size(d), ngap = (size_t)d->n * d->channels;
  ck_assert_uint_gt(ws, 0);
  float *x = mt_floats(nx), *out = mt_floats(nout), *wsp = mt_floats(ws);
  float *pooled = with_pooled ? mt_floats(ngap) : NULL;
  double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
  o64_fill(r, x, nx, -1, 1);
  if (pooled) o64_fill(r, pooled, ngap, -1, 1);
  attn_w a = attn_weights(r, d->radix, d->channels, d->reduced, d->cardinality, with_bias, with_bias);
  o64_split_attention(d, x, pooled, a.w1, a.b1, a.w2, a.b2, exact, mag);
  o64_poison(out, nout);
  o64_poison(wsp, ws);  // every part must be written before it is read
  const rb_status st = rb_op_split_attention(k, d, x, pooled, a.w1, a.b1, a.w2, a.b2, wsp, out);
  ck_assert_msg(st == RB_OK, "%s", rb_last_error());
  char what[200];
  snprintf(what, sizeof what, "%s split_attention n%d h%d w%d radix%d channels%d card%d reduced%d bias%d pooled%d",
           k->isa_name, d->n, d->h, d->w, d->radix, d->channels, d->cardinality, d->reduced, with_bias, with_pooled);
  // The logits' error (means, their radix sum, two FCs) through the softmax's slope (in mag), then
  // the softmax's own rounding and the radix-term sum (o64_split_attention_tol).
  mt_expect_close(what, out, exact, mag, nout, o64_split_attention_tol(d));
  rb_aligned_free(x), rb_aligned_free(out), rb_aligned_free(wsp), rb_aligned_free(pooled);
  attn_w_free(&a);
  free(exact), free(mag);
}

#define SKIP_IF_NO_ATTENTION(k)            \
  MT_SKIP_IF_MISSING(k, global_avgpool);   \
  MT_SKIP_IF_MISSING(k, fc);

START_TEST(test_split_attention_random) {
  MT_FOR_EACH_TABLE(k) {
    SKIP_IF_NO_ATTENTION(k);
    MT_SKIP_IF_MISSING(k, radix_softmax);
    MT_SKIP_IF_MISSING(k, split_sum);
    o64_rng r;
    o64_seed(&r, 306);
    static const int radices[] = {1, 2, 3, 4}, cards[] = {1, 2, 4};
    for (int t = 0; t < 48; t++) {
      const int card = cards[o64_int(&r, 0, 2)];
      const rb_split_attn_desc d = {o64_int(&r, 1, 2), o64_int(&r, 1, 7), o64_int(&r, 1, 7), radices[t % 4],
                                    card * o64_int(&r, 1, 11), card, card * o64_int(&r, 1, 6)};
      split_attention_case(k, &r, &d, t % 3 != 0, (t / 4) % 2);
    }
  }
}
END_TEST

START_TEST(test_split_attention_resnest) {
  MT_FOR_EACH_TABLE(k) {
    SKIP_IF_NO_ATTENTION(k);
    MT_SKIP_IF_MISSING(k, radix_softmax);
    MT_SKIP_IF_MISSING(k, split_sum);
    o64_rng r;
    o64_seed(&r, 307);
    // ResNeSt-50d layer1 (radix 2, 64 channels, attention 32) at 28x28; resnest50d_4s2x40d's
    // layer1 (radix 4, card 2, 80 channels, attention 80), batch 2.
    const rb_split_attn_desc r50 = {1, 28, 28, 2, 64, 1, 32}, r4s2 = {2, 14, 14, 4, 80, 2, 80};
    split_attention_case(k, &r, &r50, 1, 0);
    split_attention_case(k, &r, &r50, 1, 1);
    split_attention_case(k, &r, &r4s2, 1, 0);
  }
}
END_TEST

static void sk_attention_case(const rb_kernels *k, o64_rng *r, const rb_sk_attn_desc *d, int with_b1, int with_b2,
                              int with_pooled) {
  const size_t nb = (size_t)d->n * d->h * d->w * d->channels, ngap = (size_t)d->n * d->channels;
  const size_t ws = rb_sk_attention_workspace_size(d);
  ck_assert_uint_gt(ws, 0);
  float *br[RB_SK_MAX_PATHS];
  for (int p = 0; p < d->paths; p++) {
    br[p] = mt_floats(nb);  // separate buffers, as the branch convolutions produce them
    o64_fill(r, br[p], nb, -1, 1);
  }
  float *out = mt_floats(nb), *wsp = mt_floats(ws), *pooled = with_pooled ? mt_floats(ngap) : NULL;
  double *exact = mt_doubles(nb), *mag = mt_doubles(nb);
  if (pooled) o64_fill(r, pooled, ngap, -1, 1);
  attn_w a = attn_weights(r, d->paths, d->channels, d->reduced, d->groups, with_b1, with_b2);
  const float *const *cbr = (const float *const *)br;
  o64_sk_attention(d, cbr, pooled, a.w1, a.b1, a.w2, a.b2, exact, mag);
  o64_poison(out, nb);
  o64_poison(wsp, ws);
  const rb_status st = rb_op_sk_attention(k, d, cbr, pooled, a.w1, a.b1, a.w2, a.b2, wsp, out);
  ck_assert_msg(st == RB_OK, "%s", rb_last_error());
  char what[200];
  snprintf(what, sizeof what, "%s sk_attention n%d h%d w%d paths%d channels%d reduced%d groups%d b1%d b2%d pooled%d",
           k->isa_name, d->n, d->h, d->w, d->paths, d->channels, d->reduced, d->groups, with_b1, with_b2,
           with_pooled);
  mt_expect_close(what, out, exact, mag, nb, o64_sk_attention_tol(d));
  for (int p = 0; p < d->paths; p++) rb_aligned_free(br[p]);
  rb_aligned_free(out), rb_aligned_free(wsp), rb_aligned_free(pooled);
  attn_w_free(&a);
  free(exact), free(mag);
}

START_TEST(test_sk_attention_random) {
  MT_FOR_EACH_TABLE(k) {
    SKIP_IF_NO_ATTENTION(k);
    MT_SKIP_IF_MISSING(k, sk_select);
    o64_rng r;
    o64_seed(&r, 405);
    for (int t = 0; t < 40; t++) {
      const int g = o64_int(&r, 1, 2);
      const rb_sk_attn_desc d = {o64_int(&r, 1, 2), o64_int(&r, 1, 7),    o64_int(&r, 1, 7), 1 + t % 4,
                                 g * o64_int(&r, 1, 20), g * o64_int(&r, 1, 6), g};
      sk_attention_case(k, &r, &d, t % 3 != 0, t % 5 == 0, (t / 4) % 2);
    }
    // SKNet-50 layer1 (2 paths, 128 channels, attention 32) at 28x28, as timm (b1 the folded BN,
    // no fc_select bias); 3 paths; and the most paths the op takes.
    const rb_sk_attn_desc sk50 = {1, 28, 28, 2, 128, 32, 1}, sk3 = {2, 7, 7, 3, 64, 32, 1},
                          most = {1, 3, 3, RB_SK_MAX_PATHS, 9, 8, 1};
    sk_attention_case(k, &r, &sk50, 1, 0, 0);
    sk_attention_case(k, &r, &sk50, 1, 0, 1);
    sk_attention_case(k, &r, &sk3, 1, 0, 0);
    sk_attention_case(k, &r, &most, 1, 1, 0);
  }
}
END_TEST

// ---- SK select --------------------------------------------------------------------------------

static void sk_case(const rb_kernels *k, o64_rng *r, int n, int hw, int paths, int channels, float lo, float hi) {
  const size_t nb = (size_t)n * hw * channels, nl = (size_t)n * paths * channels;
  float *br[4];
  ck_assert_int_le(paths, 4);
  for (int p = 0; p < paths; p++) {
    br[p] = mt_floats(nb);  // separate buffers, as the branch convolutions produce them
    o64_fill(r, br[p], nb, -1, 1);
  }
  float *logits = mt_floats(nl), *ws = mt_floats(rb_sk_select_workspace_size(n, paths, channels));
  float *out = mt_floats(nb);
  double *exact = mt_doubles(nb), *mag = mt_doubles(nb);
  o64_fill(r, logits, nl, lo, hi);
  const float *const *cbr = (const float *const *)br;
  o64_sk_select(n, hw, paths, channels, cbr, logits, exact, mag);
  o64_poison(out, nb);
  o64_poison(ws, nl);
  ck_assert_int_eq(rb_op_sk_select(k, n, hw, paths, channels, cbr, logits, ws, out), RB_OK);
  char what[160];
  snprintf(what, sizeof what, "%s sk_select n%d hw%d paths%d channels%d logits [%g, %g)", k->isa_name, n, hw, paths,
           channels, (double)lo, (double)hi);
  // softmax over paths (o64_softmax_tol) and a paths-term weighted sum (gamma(paths)).
  mt_expect_close(what, out, exact, mag, nb, o64_sk_select_tol(paths));
  for (int p = 0; p < paths; p++) rb_aligned_free(br[p]);
  rb_aligned_free(logits), rb_aligned_free(ws), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_sk_select_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, sk_select);
    o64_rng r;
    o64_seed(&r, 404);
    for (int t = 0; t < 40; t++)
      sk_case(k, &r, o64_int(&r, 1, 3), o64_int(&r, 1, 20), 2 + t % 2, o64_int(&r, 1, 40), -4, 4);
    sk_case(k, &r, 1, 28 * 28, 2, 128, -4, 4);  // SKNet-50 stage 2
    sk_case(k, &r, 2, 5, 4, 19, -4, 4);
    // Large logits: the softmax must subtract the max.
    sk_case(k, &r, 2, 3, 2, 17, 85, 100);
    sk_case(k, &r, 2, 3, 3, 17, -100, -85);
    sk_case(k, &r, 2, 3, 2, 33, -100, 100);
    sk_case(k, &r, 1, 2, 3, 40, -100, 100);
  }
}
END_TEST

// ---- BatchNorm folding ------------------------------------------------------------------------

typedef struct bn {
  float *gamma, *beta, *mean, *var, *conv_bias;
} bn;

static bn bn_make(o64_rng *r, int cout, int with_conv_bias) {
  bn b = {mt_floats(cout), mt_floats(cout), mt_floats(cout), mt_floats(cout), NULL};
  o64_fill(r, b.gamma, cout, -2, 2);  // a negative gamma flips the channel: allowed
  o64_fill(r, b.beta, cout, -1, 1);
  o64_fill(r, b.mean, cout, -1, 1);
  o64_fill(r, b.var, cout, 0.01f, 2);
  if (with_conv_bias) {
    b.conv_bias = mt_floats(cout);
    o64_fill(r, b.conv_bias, cout, -1, 1);
  }
  return b;
}

static void bn_free(bn *b) {
  rb_aligned_free(b->gamma), rb_aligned_free(b->beta), rb_aligned_free(b->mean), rb_aligned_free(b->var);
  rb_aligned_free(b->conv_bias);
}

// The folded weights and bias element by element: one float rounding of the exact value each.
START_TEST(test_bn_fold_values) {
  o64_rng r;
  o64_seed(&r, 505);
  const float eps = 1e-5f;
  for (int t = 0; t < 40; t++) {
    const int cout = o64_int(&r, 1, 16);
    const size_t per = (size_t)o64_int(&r, 1, 50), nw = cout * per;
    bn b = bn_make(&r, cout, t % 2);
    float *w = mt_floats(nw), *wf = mt_floats(nw), *bf = mt_floats(cout);
    o64_fill(&r, w, nw, -1, 1);
    o64_poison(wf, nw);
    o64_poison(bf, cout);
    ck_assert_int_eq(rb_bn_fold(cout, per, w, b.conv_bias, b.gamma, b.beta, b.mean, b.var, eps, wf, bf), RB_OK);
    for (int o = 0; o < cout; o++) {
      const double scale = (double)b.gamma[o] / sqrt((double)b.var[o] + (double)eps);
      const double cb = b.conv_bias ? b.conv_bias[o] : 0.0;
      for (size_t j = 0; j < per; j++) {
        const double want = (double)w[o * per + j] * scale;
        ck_assert_msg(fabs(wf[o * per + j] - want) <= 2 * O64_U_F32 * fabs(want), "w[%d][%zu] = %.9g, want %.9g", o,
                      j, (double)wf[o * per + j], want);
      }
      const double want_b = b.beta[o] + (cb - b.mean[o]) * scale;
      const double mag_b = fabs((double)b.beta[o]) + fabs((cb - b.mean[o]) * scale);
      ck_assert_msg(fabs(bf[o] - want_b) <= 2 * O64_U_F32 * mag_b, "bias[%d] = %.9g, want %.9g", o, (double)bf[o],
                    want_b);
    }
    // In place (w_out == w) gives the same bits.
    float *wi = mt_copy(w, nw), *bi = mt_floats(cout);
    ck_assert_int_eq(rb_bn_fold(cout, per, wi, b.conv_bias, b.gamma, b.beta, b.mean, b.var, eps, wi, bi), RB_OK);
    ck_assert_mem_eq(wi, wf, nw * sizeof(float));
    ck_assert_mem_eq(bi, bf, cout * sizeof(float));
    rb_aligned_free(w), rb_aligned_free(wf), rb_aligned_free(bf), rb_aligned_free(wi), rb_aligned_free(bi);
    bn_free(&b);
  }
}
END_TEST

// BN folded into the weights, then the table's direct convolution, equals conv then BN (fp64).
START_TEST(test_bn_fold_conv) {
  MT_FOR_EACH_TABLE(k) {
    if (mt_is_vehicle(k)) continue;  // its convolutions are ref's
    o64_rng r;
    o64_seed(&r, 506);
    const float eps = 1e-5f;
    for (int t = 0; t < 25; t++) {
      const int g = o64_int(&r, 1, 2), ks = 2 * o64_int(&r, 0, 1) + 1;
      const rb_conv_desc d = rb_conv_desc_make(o64_int(&r, 1, 2), o64_int(&r, 3, 8), o64_int(&r, 3, 8),
                                               g * o64_int(&r, 1, 4), g * o64_int(&r, 1, 4), ks, o64_int(&r, 1, 2),
                                               ks / 2, 1, g);
      const size_t per = (size_t)(d.cin / g) * ks * ks, nw = d.cout * per;
      const size_t nin = rb_conv_in_count(&d);
      const size_t nout = rb_conv_out_count(&d);
      bn b = bn_make(&r, d.cout, t % 2);
      float *w = mt_floats(nw), *bias = mt_floats(d.cout), *in = mt_floats(nin), *out = mt_floats(nout);
      double *exact = mt_doubles(nout), *mag = mt_doubles(nout);
      o64_fill(&r, w, nw, -1, 1);
      o64_fill(&r, in, nin, -1, 1);
      o64_conv_bn(&d, in, w, b.conv_bias, b.gamma, b.beta, b.mean, b.var, eps, exact, mag);
      ck_assert_int_eq(rb_bn_fold(d.cout, per, w, b.conv_bias, b.gamma, b.beta, b.mean, b.var, eps, w, bias), RB_OK);
      rb_conv_plan *p = NULL;
      ck_assert_msg(rb_conv_plan_create(k, &d, RB_CONV_DIRECT, 0, w, bias, &p) == RB_OK, "plan: %s", rb_last_error());
      o64_poison(out, nout);
      ck_assert_int_eq(rb_conv_plan_run(p, in, NULL, 0, out), RB_OK);
      char what[200], shape[128];
      rb_conv_desc_format(&d, shape, sizeof shape);
      snprintf(what, sizeof what, "%s bn-folded conv %s conv_bias %d", k->isa_name, shape, t % 2);
      // A float conv of K = cin/g*kh*kw products plus the bias, on weights and bias that are each
      // one rounding away from the exact folded values: gamma(K + 3).
      mt_expect_close(what, out, exact, mag, nout, o64_conv_bn_tol(&d));
      rb_conv_plan_destroy(p);
      rb_aligned_free(w), rb_aligned_free(bias), rb_aligned_free(in), rb_aligned_free(out);
      free(exact), free(mag);
      bn_free(&b);
    }
  }
}
END_TEST

// ---- resbench check rows ----------------------------------------------------------------------

typedef struct rows {
  int count, failed, vs_ref;
  char first_failure[256];
} rows;

static void collect(void *ctx, const rb_check_row *row) {
  rows *c = ctx;
  c->count++;
  if (strcmp(row->against, "ref") == 0) c->vs_ref++;
  ck_assert_msg(strncmp(row->kernel, "rb_", 3) == 0 && strstr(row->kernel, row->isa), "kernel name %s, isa %s",
                row->kernel, row->isa);
  if (!row->pass && c->failed++ == 0)
    snprintf(c->first_failure, sizeof c->first_failure, "%s vs %s on %s: max rel err %.3g > tol %.3g", row->kernel,
             row->against, row->shape, row->max_rel_err, row->tol);
}

// Ref's kernels behind other pointers: a SIMD table's own kernels, as far as check can tell.
static void fake_se(const rb_se_desc *d, const float *in, const float *w1, const float *b1, const float *w2,
                    const float *b2, float *ws, float *out) {
  rb_kernels_ref.se(d, in, w1, b1, w2, b2, ws, out);
}
static void fake_fc(int n, int in_f, int out_f, int groups, const float *in, const float *w, const float *bias,
                    int relu, float *out) {
  rb_kernels_ref.fc(n, in_f, out_f, groups, in, w, bias, relu, out);
}
static void fake_radix_softmax(int n, int card, int radix, int channels, const float *in, float *out) {
  rb_kernels_ref.radix_softmax(n, card, radix, channels, in, out);
}
static void fake_split_sum(int n, int hw, int radix, int channels, const float *x, const float *att, float *out) {
  rb_kernels_ref.split_sum(n, hw, radix, channels, x, att, out);
}
static void fake_sk_select(int n, int hw, int paths, int channels, const float *const *branches, const float *logits,
                           float *ws, float *out) {
  rb_kernels_ref.sk_select(n, hw, paths, channels, branches, logits, ws, out);
}
static void fake_global_avgpool(int n, int hw, int c, const float *in, float *out) {
  rb_kernels_ref.global_avgpool(n, hw, c, in, out);
}
static void fake_maxpool(const rb_pool_desc *d, const float *in, float *out) { rb_kernels_ref.maxpool(d, in, out); }
static void fake_avgpool(const rb_pool_desc *d, const float *in, float *out) { rb_kernels_ref.avgpool(d, in, out); }
static void fake_add(size_t count, const float *a, const float *b, int relu, float *out) {
  rb_kernels_ref.add(count, a, b, relu, out);
}

START_TEST(test_check_misc_rows) {
  MT_FOR_EACH_TABLE(k) {
    if (mt_is_vehicle(k)) continue;  // check's rows are by ISA
    rows c = {0, 0, 0, ""};
    const rb_check_sink sink = {collect, &c};
    rb_check_misc(k, &sink);
    // Rows for the table's own kernels only: none where a SIMD table still borrows ref's.
    ck_assert_int_ge(c.count, k == &rb_kernels_ref || k->se != rb_kernels_ref.se ? 20 : 0);
    ck_assert_msg(c.failed == 0, "%s: %d of %d rows failed, first: %s", k->isa_name, c.failed, c.count,
                  c.first_failure);
    // SIMD tables are also compared with ref, row for row.
    if (k->isa == RB_ISA_REF) ck_assert_int_eq(c.vs_ref, 0);
    else ck_assert_int_eq(c.vs_ref * 2, c.count);
  }
  // A stand-in SIMD table (the ref kernels behind other function pointers, under another ISA's
  // name) takes the "vs ref" path; a table that borrows ref's own pointers gets no rows.
  rb_kernels fake = rb_kernels_ref;
  fake.isa = RB_ISA_NEON;
  fake.isa_name = "neon";
  rows borrowed = {0, 0, 0, ""};
  const rb_check_sink borrowed_sink = {collect, &borrowed};
  rb_check_misc(&fake, &borrowed_sink);
  ck_assert_int_eq(borrowed.count, 0);
  fake.se = fake_se, fake.fc = fake_fc, fake.radix_softmax = fake_radix_softmax, fake.split_sum = fake_split_sum;
  fake.sk_select = fake_sk_select, fake.global_avgpool = fake_global_avgpool, fake.maxpool = fake_maxpool;
  fake.avgpool = fake_avgpool, fake.add = fake_add;
  rows c = {0, 0, 0, ""};
  const rb_check_sink sink = {collect, &c};
  rb_check_misc(&fake, &sink);
  ck_assert_msg(c.failed == 0, "%d rows failed, first: %s", c.failed, c.first_failure);
  ck_assert_int_ge(c.vs_ref, 20);
  ck_assert_int_eq(c.vs_ref * 2, c.count);
}
END_TEST

Suite *attention_suite(void) {
  Suite *s = suite_create("attention");
  TCase *tc = tcase_create("fc");
  tcase_set_timeout(tc, 60);  // qemu, and the test vehicles
  tcase_add_test(tc, test_fc_random);
  suite_add_tcase(s, tc);
  tc = tcase_create("se");
  tcase_set_timeout(tc, 60);  // 56x56x256 under ASan or qemu
  tcase_add_test(tc, test_se_random);
  tcase_add_test(tc, test_se_resnet);
  tcase_add_test(tc, test_se_fused_with_add);
  suite_add_tcase(s, tc);
  tc = tcase_create("split_attention");
  tcase_set_timeout(tc, 60);  // qemu, and the test vehicles
  tcase_add_test(tc, test_radix_softmax_random);
  tcase_add_test(tc, test_radix_softmax_stable);
  tcase_add_test(tc, test_radix_softmax_layout);
  tcase_add_test(tc, test_split_sum_random);
  tcase_add_test(tc, test_split_attention_random);
  tcase_add_test(tc, test_split_attention_resnest);
  suite_add_tcase(s, tc);
  tc = tcase_create("sk_select");
  tcase_set_timeout(tc, 60);  // qemu, and the test vehicles
  tcase_add_test(tc, test_sk_select_random);
  tcase_add_test(tc, test_sk_attention_random);
  suite_add_tcase(s, tc);
  tc = tcase_create("bn_fold");
  tcase_set_timeout(tc, 60);  // qemu, and the test vehicles
  tcase_add_test(tc, test_bn_fold_values);
  tcase_add_test(tc, test_bn_fold_conv);
  suite_add_tcase(s, tc);
  tc = tcase_create("check_misc");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_check_misc_rows);
  suite_add_tcase(s, tc);
  return s;
}
