// The validated entry points (ops.h) reject every bad argument with the specific status and a
// message that names the bad value; descriptor checks and workspace sizes; BN folding errors.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "misc_testutil.h"

// Clears the last error first, so a message left by an earlier call cannot satisfy the check.
#define EXPECT(call, status, substr) expect_(#call, (rb_fail(RB_OK, "%s", ""), (call)), status, substr)

static void expect_(const char *expr, rb_status got, rb_status want, const char *substr) {
  ck_assert_msg(got == want, "%s: returned %s, want %s (message: \"%s\")", expr, rb_status_name(got),
                rb_status_name(want), rb_last_error());
  ck_assert_msg(strstr(rb_last_error(), substr) != NULL, "%s: message \"%s\" does not contain \"%s\"", expr,
                rb_last_error(), substr);
}

#define EXPECT_OK(call)                                                                               \
  do {                                                                                                \
    const rb_status st_ = (call);                                                                     \
    ck_assert_msg(st_ == RB_OK, "%s: %s (%s)", #call, rb_status_name(st_), rb_last_error());          \
  } while (0)

static const rb_kernels *ref(void) {
  const rb_kernels *k = NULL;
  ck_assert_int_eq(rb_kernels_get(RB_ISA_REF, &k), RB_OK);
  return k;
}

static float *filled(size_t n) {
  o64_rng r;
  o64_seed(&r, n);
  float *p = mt_floats(n);
  o64_fill(&r, p, n, -1, 1);
  return p;
}

START_TEST(test_se_errors) {
  const rb_kernels *k = ref();
  const rb_se_desc d = {1, 4, 4, 8, 4, 2};
  float *in = filled(129), *w1 = filled(16), *b1 = filled(4), *w2 = filled(16), *b2 = filled(8);
  float *ws = filled(rb_se_workspace_size(&d)), *out = filled(128);
  ck_assert_uint_eq(rb_se_workspace_size(&d), 12);
  EXPECT_OK(rb_op_se(k, &d, in, w1, b1, w2, b2, ws, out));
  EXPECT_OK(rb_op_se(k, &d, in, w1, NULL, w2, NULL, ws, out));  // biases are optional
  EXPECT_OK(rb_op_se(k, &d, out, w1, b1, w2, b2, ws, out));     // in place

  EXPECT(rb_op_se(NULL, &d, in, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_se(k, NULL, in, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "d is NULL");
  EXPECT(rb_op_se(k, &d, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "in is NULL");
  EXPECT(rb_op_se(k, &d, in, NULL, b1, w2, b2, ws, out), RB_ERR_NULL, "w1 is NULL");
  EXPECT(rb_op_se(k, &d, in, w1, b1, NULL, b2, ws, out), RB_ERR_NULL, "w2 is NULL");
  EXPECT(rb_op_se(k, &d, in, w1, b1, w2, b2, NULL, out), RB_ERR_NULL, "workspace is NULL");
  EXPECT(rb_op_se(k, &d, in, w1, b1, w2, b2, ws, NULL), RB_ERR_NULL, "out is NULL");

  rb_se_desc e = d;
  e.n = 0;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  e = d, e.h = -1;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "h must be >= 1, got -1");
  e = d, e.w = 0;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "w must be >= 1, got 0");
  e = d, e.c = 0;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "c must be >= 1, got 0");
  e = d, e.reduced = -4;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "reduced must be >= 1, got -4");
  e = d, e.groups = 0;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "groups must be >= 1, got 0");
  e = d, e.c = 10, e.groups = 4;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_SHAPE, "c 10 not divisible by groups 4");
  e = d, e.reduced = 3;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_SHAPE, "reduced 3 not divisible by groups 2");
  e = d, e.h = 1 << 16, e.w = 1 << 16;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "h*w = 65536*65536 does not fit in int");
  e = d, e.n = 1 << 30, e.h = 1 << 30;
  EXPECT(rb_op_se(k, &e, in, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG, "too large");

  EXPECT(rb_op_se(k, &d, in, w1, b1, w2, b2, ws, in + 1), RB_ERR_INVALID_ARG, "in and out overlap");
  EXPECT(rb_op_se(k, &d, in, w1, b1, w2, b2, out + 64, out), RB_ERR_INVALID_ARG, "workspace and out must not overlap");
  EXPECT(rb_op_se(k, &d, in, w1, b1, w2, b2, in, out), RB_ERR_INVALID_ARG, "workspace and in must not overlap");

  EXPECT(rb_se_desc_check(NULL), RB_ERR_NULL, "d is NULL");
  ck_assert_uint_eq(rb_se_workspace_size(NULL), 0);

  rb_aligned_free(in), rb_aligned_free(w1), rb_aligned_free(b1), rb_aligned_free(w2), rb_aligned_free(b2);
  rb_aligned_free(ws), rb_aligned_free(out);
}
END_TEST

START_TEST(test_fc_errors) {
  const rb_kernels *k = ref();
  float *in = filled(16), *w = filled(24), *b = filled(6), *out = filled(12);
  EXPECT_OK(rb_op_fc(k, 2, 8, 6, 2, in, w, b, 1, out));
  EXPECT_OK(rb_op_fc(k, 2, 8, 6, 2, in, w, NULL, 0, out));
  EXPECT(rb_op_fc(NULL, 2, 8, 6, 2, in, w, b, 1, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, NULL, w, b, 1, out), RB_ERR_NULL, "in is NULL");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, in, NULL, b, 1, out), RB_ERR_NULL, "w is NULL");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, in, w, b, 1, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_fc(k, 0, 8, 6, 2, in, w, b, 1, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  EXPECT(rb_op_fc(k, 2, -8, 6, 2, in, w, b, 1, out), RB_ERR_INVALID_ARG, "in_f must be >= 1, got -8");
  EXPECT(rb_op_fc(k, 2, 8, 0, 2, in, w, b, 1, out), RB_ERR_INVALID_ARG, "out_f must be >= 1, got 0");
  EXPECT(rb_op_fc(k, 2, 8, 6, 0, in, w, b, 1, out), RB_ERR_INVALID_ARG, "groups must be >= 1, got 0");
  EXPECT(rb_op_fc(k, 2, 7, 6, 2, in, w, b, 1, out), RB_ERR_SHAPE, "in_f 7 not divisible by groups 2");
  EXPECT(rb_op_fc(k, 2, 8, 5, 2, in, w, b, 1, out), RB_ERR_SHAPE, "out_f 5 not divisible by groups 2");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, in, w, b, 1, in), RB_ERR_INVALID_ARG, "out and in must not overlap");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, in, w, b, 1, w + 4), RB_ERR_INVALID_ARG, "out and w must not overlap");
  EXPECT(rb_op_fc(k, 2, 8, 6, 2, in, w, out, 1, out), RB_ERR_INVALID_ARG, "out and bias must not overlap");
  rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(b), rb_aligned_free(out);
}
END_TEST

START_TEST(test_radix_softmax_errors) {
  const rb_kernels *k = ref();
  float *in = filled(12), *out = filled(12);
  EXPECT_OK(rb_op_radix_softmax(k, 1, 2, 2, 6, in, out));
  EXPECT_OK(rb_op_radix_softmax(k, 1, 3, 1, 6, in, out));
  EXPECT(rb_op_radix_softmax(NULL, 1, 2, 2, 6, in, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_radix_softmax(k, 1, 2, 2, 6, NULL, out), RB_ERR_NULL, "in is NULL");
  EXPECT(rb_op_radix_softmax(k, 1, 2, 2, 6, in, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_radix_softmax(k, 0, 2, 2, 6, in, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  EXPECT(rb_op_radix_softmax(k, 1, 0, 2, 6, in, out), RB_ERR_INVALID_ARG, "cardinality must be >= 1, got 0");
  EXPECT(rb_op_radix_softmax(k, 1, -1, 2, 6, in, out), RB_ERR_INVALID_ARG, "cardinality must be >= 1, got -1");
  EXPECT(rb_op_radix_softmax(k, 1, 2, 0, 6, in, out), RB_ERR_INVALID_ARG, "radix must be >= 1, got 0");
  EXPECT(rb_op_radix_softmax(k, 1, 2, -3, 6, in, out), RB_ERR_INVALID_ARG, "radix must be >= 1, got -3");
  EXPECT(rb_op_radix_softmax(k, 1, 2, 2, 0, in, out), RB_ERR_INVALID_ARG, "channels must be >= 1, got 0");
  EXPECT(rb_op_radix_softmax(k, 1, 4, 2, 6, in, out), RB_ERR_SHAPE, "channels 6 not divisible by cardinality 4");
  // The transpose moves elements: in place (or any overlap) is refused.
  EXPECT(rb_op_radix_softmax(k, 1, 2, 2, 6, in, in), RB_ERR_INVALID_ARG, "in and out must not overlap");
  EXPECT(rb_op_radix_softmax(k, 1, 1, 2, 3, in, in + 3), RB_ERR_INVALID_ARG, "in and out must not overlap");
  rb_aligned_free(in), rb_aligned_free(out);
}
END_TEST

START_TEST(test_split_sum_errors) {
  const rb_kernels *k = ref();
  float *x = filled(24), *att = filled(6), *out = filled(12);
  EXPECT_OK(rb_op_split_sum(k, 1, 4, 2, 3, x, att, out));
  EXPECT(rb_op_split_sum(NULL, 1, 4, 2, 3, x, att, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_split_sum(k, 1, 4, 2, 3, NULL, att, out), RB_ERR_NULL, "x is NULL");
  EXPECT(rb_op_split_sum(k, 1, 4, 2, 3, x, NULL, out), RB_ERR_NULL, "att is NULL");
  EXPECT(rb_op_split_sum(k, 1, 4, 2, 3, x, att, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_split_sum(k, 0, 4, 2, 3, x, att, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  EXPECT(rb_op_split_sum(k, 1, 0, 2, 3, x, att, out), RB_ERR_INVALID_ARG, "hw must be >= 1, got 0");
  EXPECT(rb_op_split_sum(k, 1, 4, 0, 3, x, att, out), RB_ERR_INVALID_ARG, "radix must be >= 1, got 0");
  EXPECT(rb_op_split_sum(k, 1, 4, 2, -2, x, att, out), RB_ERR_INVALID_ARG, "channels must be >= 1, got -2");
  EXPECT(rb_op_split_sum(k, 1, 4, 2, 3, x, att, x), RB_ERR_INVALID_ARG, "out and x must not overlap");
  EXPECT(rb_op_split_sum(k, 1, 1, 2, 3, x, att, att), RB_ERR_INVALID_ARG, "out and att must not overlap");
  rb_aligned_free(x), rb_aligned_free(att), rb_aligned_free(out);
}
END_TEST

START_TEST(test_sk_select_errors) {
  const rb_kernels *k = ref();
  float *b0 = filled(12), *b1 = filled(12), *logits = filled(6), *ws = filled(6), *out = filled(12);
  const float *br[2] = {b0, b1}, *br_null[2] = {b0, NULL};
  ck_assert_uint_eq(rb_sk_select_workspace_size(1, 2, 3), 6);
  ck_assert_uint_eq(rb_sk_select_workspace_size(2, 3, 5), 30);
  ck_assert_uint_eq(rb_sk_select_workspace_size(0, 2, 3), 0);
  ck_assert_uint_eq(rb_sk_select_workspace_size(1, -2, 3), 0);
  EXPECT_OK(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, ws, out));
  EXPECT(rb_op_sk_select(NULL, 1, 4, 2, 3, br, logits, ws, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, NULL, logits, ws, out), RB_ERR_NULL, "branches is NULL");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br_null, logits, ws, out), RB_ERR_NULL, "branches[1] is NULL");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, NULL, ws, out), RB_ERR_NULL, "logits is NULL");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, NULL, out), RB_ERR_NULL, "workspace is NULL");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, ws, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_sk_select(k, 0, 4, 2, 3, br, logits, ws, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  EXPECT(rb_op_sk_select(k, 1, -4, 2, 3, br, logits, ws, out), RB_ERR_INVALID_ARG, "hw must be >= 1, got -4");
  EXPECT(rb_op_sk_select(k, 1, 4, 0, 3, br, logits, ws, out), RB_ERR_INVALID_ARG, "paths must be >= 1, got 0");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 0, br, logits, ws, out), RB_ERR_INVALID_ARG, "channels must be >= 1, got 0");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, ws, b0), RB_ERR_INVALID_ARG, "out and branches[0] must not overlap");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, b1 + 6, out), RB_ERR_INVALID_ARG,
         "workspace and branches[1] must not overlap");
  EXPECT(rb_op_sk_select(k, 1, 4, 2, 3, br, logits, logits, out), RB_ERR_INVALID_ARG,
         "workspace and logits must not overlap");
  rb_aligned_free(b0), rb_aligned_free(b1), rb_aligned_free(logits), rb_aligned_free(ws), rb_aligned_free(out);
}
END_TEST

// n1 h2 w2, 2 splits of 4 channels, cardinality 2, attention 2: the sizes below follow from it.
START_TEST(test_split_attention_errors) {
  const rb_kernels *k = ref();
  const rb_split_attn_desc d = {1, 2, 2, 2, 4, 2, 2};
  // Four parts (means, gap, hidden, logits) of 8, 4, 2 and 8 floats, each rounded up to 16.
  ck_assert_uint_eq(rb_split_attention_workspace_size(&d), 64);
  float *x = filled(32), *pooled = filled(4), *w1 = filled(4), *b1 = filled(2), *w2 = filled(8), *b2 = filled(8);
  float *ws = filled(64), *out = filled(16), *big = filled(128);
  EXPECT_OK(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, ws, out));
  EXPECT_OK(rb_op_split_attention(k, &d, x, pooled, w1, b1, w2, b2, ws, out));
  EXPECT_OK(rb_op_split_attention(k, &d, x, NULL, w1, NULL, w2, NULL, ws, out));  // biases are optional

  EXPECT(rb_op_split_attention(NULL, &d, x, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_split_attention(k, NULL, x, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "d is NULL");
  EXPECT(rb_op_split_attention(k, &d, NULL, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "x is NULL");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, NULL, b1, w2, b2, ws, out), RB_ERR_NULL, "w1 is NULL");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, NULL, b2, ws, out), RB_ERR_NULL, "w2 is NULL");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, NULL, out), RB_ERR_NULL, "workspace is NULL");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, ws, NULL), RB_ERR_NULL, "out is NULL");

  static const struct {
    rb_split_attn_desc d;
    rb_status status;
    const char *msg;
    int no_size;  // the workspace size query gives 0 too
  } bad[] = {
      {{0, 2, 2, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "n must be >= 1, got 0", 1},
      {{1, -1, 2, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "h must be >= 1, got -1", 0},
      {{1, 2, 0, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "w must be >= 1, got 0", 0},
      {{1, 2, 2, 0, 4, 2, 2}, RB_ERR_INVALID_ARG, "radix must be >= 1, got 0", 1},
      {{1, 2, 2, 2, 0, 2, 2}, RB_ERR_INVALID_ARG, "channels must be >= 1, got 0", 1},
      {{1, 2, 2, 2, 4, 0, 2}, RB_ERR_INVALID_ARG, "cardinality must be >= 1, got 0", 0},
      {{1, 2, 2, 2, 4, 2, -2}, RB_ERR_INVALID_ARG, "reduced must be >= 1, got -2", 1},
      {{1, 2, 2, 2, 5, 2, 2}, RB_ERR_SHAPE, "channels 5 not divisible by cardinality 2", 0},
      {{1, 2, 2, 2, 4, 2, 3}, RB_ERR_SHAPE, "reduced 3 not divisible by cardinality 2", 0},
      {{1, 2, 2, 1 << 16, 1 << 16, 2, 2}, RB_ERR_INVALID_ARG, "radix*channels = 65536*65536 does not fit in int", 0},
      {{1, 1 << 16, 1 << 16, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "h*w = 65536*65536 does not fit in int", 0},
      {{1 << 30, 1 << 15, 1 << 15, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "the n*h*w*radix*channels input is too large", 0},
      {{1 << 30, 1, 1, 2, 4, 2, 2147483646}, RB_ERR_INVALID_ARG, "the workspace is too large to address", 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    o64_poison(out, 16);
    EXPECT(rb_op_split_attention(k, &bad[i].d, x, NULL, w1, b1, w2, b2, ws, out), bad[i].status, bad[i].msg);
    EXPECT(rb_split_attn_desc_check(&bad[i].d), bad[i].status, bad[i].msg);
    if (bad[i].no_size) ck_assert_uint_eq(rb_split_attention_workspace_size(&bad[i].d), 0);
    for (int j = 0; j < 16; j++) ck_assert(isnan(out[j]));  // a refused call writes nothing
  }
  EXPECT(rb_split_attn_desc_check(NULL), RB_ERR_NULL, "d is NULL");
  ck_assert_uint_eq(rb_split_attention_workspace_size(NULL), 0);

  // out must not overlap x or the workspace; the workspace nothing the op reads.
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, ws, x + 8), RB_ERR_INVALID_ARG,
         "out and x must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, x, out), RB_ERR_INVALID_ARG,
         "workspace and x must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, b2, big + 8, big), RB_ERR_INVALID_ARG,
         "workspace and out must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, ws + 60, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "pooled and workspace must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, out + 12, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "pooled and out must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, ws + 40, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "workspace and w1 must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, ws, b2, ws, out), RB_ERR_INVALID_ARG,
         "workspace and w2 must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, ws + 63, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "workspace and b1 must not overlap");
  EXPECT(rb_op_split_attention(k, &d, x, NULL, w1, b1, w2, ws + 1, ws, out), RB_ERR_INVALID_ARG,
         "workspace and b2 must not overlap");
  rb_aligned_free(x), rb_aligned_free(pooled), rb_aligned_free(w1), rb_aligned_free(b1), rb_aligned_free(w2);
  rb_aligned_free(b2), rb_aligned_free(ws), rb_aligned_free(out), rb_aligned_free(big);
}
END_TEST

// n1 h2 w2, 2 paths of 4 channels, attention 2, FCs in 2 groups.
START_TEST(test_sk_attention_errors) {
  const rb_kernels *k = ref();
  const rb_sk_attn_desc d = {1, 2, 2, 2, 4, 2, 2};
  ck_assert_uint_eq(rb_sk_attention_workspace_size(&d), 64);
  float *b0 = filled(16), *b1r = filled(16), *pooled = filled(4), *w1 = filled(4), *b1 = filled(2), *w2 = filled(8);
  float *b2 = filled(8), *ws = filled(64), *out = filled(16), *big = filled(128);
  const float *br[2] = {b0, b1r}, *br_null[2] = {b0, NULL};
  EXPECT_OK(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, ws, out));
  EXPECT_OK(rb_op_sk_attention(k, &d, br, pooled, w1, b1, w2, NULL, ws, out));
  EXPECT_OK(rb_op_sk_attention(k, &d, br, NULL, w1, NULL, w2, NULL, ws, out));

  EXPECT(rb_op_sk_attention(NULL, &d, br, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_sk_attention(k, NULL, br, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "d is NULL");
  EXPECT(rb_op_sk_attention(k, &d, NULL, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "branches is NULL");
  EXPECT(rb_op_sk_attention(k, &d, br_null, NULL, w1, b1, w2, b2, ws, out), RB_ERR_NULL, "branches[1] is NULL");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, NULL, b1, w2, b2, ws, out), RB_ERR_NULL, "w1 is NULL");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, NULL, b2, ws, out), RB_ERR_NULL, "w2 is NULL");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, NULL, out), RB_ERR_NULL, "workspace is NULL");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, ws, NULL), RB_ERR_NULL, "out is NULL");

  static const struct {
    rb_sk_attn_desc d;
    rb_status status;
    const char *msg;
    int no_size;  // the workspace size query gives 0 too
  } bad[] = {
      {{0, 2, 2, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "n must be >= 1, got 0", 1},
      {{1, 0, 2, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "h must be >= 1, got 0", 0},
      {{1, 2, -3, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "w must be >= 1, got -3", 0},
      {{1, 2, 2, 0, 4, 2, 2}, RB_ERR_INVALID_ARG, "paths must be >= 1, got 0", 1},
      {{1, 2, 2, RB_SK_MAX_PATHS + 1, 4, 2, 2}, RB_ERR_INVALID_ARG, "paths 17 is more than RB_SK_MAX_PATHS (16)", 1},
      {{1, 2, 2, 2, -4, 2, 2}, RB_ERR_INVALID_ARG, "channels must be >= 1, got -4", 1},
      {{1, 2, 2, 2, 4, 0, 2}, RB_ERR_INVALID_ARG, "reduced must be >= 1, got 0", 1},
      {{1, 2, 2, 2, 4, 2, 0}, RB_ERR_INVALID_ARG, "groups must be >= 1, got 0", 0},
      {{1, 2, 2, 2, 6, 2, 4}, RB_ERR_SHAPE, "channels 6 not divisible by groups 4", 0},
      {{1, 2, 2, 2, 4, 3, 2}, RB_ERR_SHAPE, "reduced 3 not divisible by groups 2", 0},
      {{1, 2, 2, 16, 1 << 28, 2, 2}, RB_ERR_INVALID_ARG, "paths*channels = 16*268435456 does not fit in int", 0},
      {{1, 1 << 16, 1 << 16, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "h*w = 65536*65536 does not fit in int", 0},
      {{1 << 30, 1 << 15, 1 << 15, 2, 4, 2, 2}, RB_ERR_INVALID_ARG, "one n*h*w*channels branch is too large", 0},
      {{1 << 30, 1, 1, 2, 4, 2147483646, 2}, RB_ERR_INVALID_ARG, "the workspace is too large to address", 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    o64_poison(out, 16);
    EXPECT(rb_op_sk_attention(k, &bad[i].d, br, NULL, w1, b1, w2, b2, ws, out), bad[i].status, bad[i].msg);
    EXPECT(rb_sk_attn_desc_check(&bad[i].d), bad[i].status, bad[i].msg);
    if (bad[i].no_size) ck_assert_uint_eq(rb_sk_attention_workspace_size(&bad[i].d), 0);
    for (int j = 0; j < 16; j++) ck_assert(isnan(out[j]));
  }
  EXPECT(rb_sk_attn_desc_check(NULL), RB_ERR_NULL, "d is NULL");
  ck_assert_uint_eq(rb_sk_attention_workspace_size(NULL), 0);

  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, ws, b0), RB_ERR_INVALID_ARG,
         "out and branches[0] must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, ws, b1r + 15), RB_ERR_INVALID_ARG,
         "out and branches[1] must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, b1r + 4, out), RB_ERR_INVALID_ARG,
         "workspace and branches[1] must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, b2, big + 8, big), RB_ERR_INVALID_ARG,
         "workspace and out must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, ws, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "pooled and workspace must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, out, w1, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "pooled and out must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, ws + 2, b1, w2, b2, ws, out), RB_ERR_INVALID_ARG,
         "workspace and w1 must not overlap");
  EXPECT(rb_op_sk_attention(k, &d, br, NULL, w1, b1, w2, ws + 60, ws, out), RB_ERR_INVALID_ARG,
         "workspace and b2 must not overlap");
  rb_aligned_free(b0), rb_aligned_free(b1r), rb_aligned_free(pooled), rb_aligned_free(w1), rb_aligned_free(b1);
  rb_aligned_free(w2), rb_aligned_free(b2), rb_aligned_free(ws), rb_aligned_free(out), rb_aligned_free(big);
}
END_TEST

START_TEST(test_global_avgpool_errors) {
  const rb_kernels *k = ref();
  float *in = filled(12), *out = filled(3);
  EXPECT_OK(rb_op_global_avgpool(k, 1, 4, 3, in, out));
  EXPECT(rb_op_global_avgpool(NULL, 1, 4, 3, in, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_global_avgpool(k, 1, 4, 3, NULL, out), RB_ERR_NULL, "in is NULL");
  EXPECT(rb_op_global_avgpool(k, 1, 4, 3, in, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_global_avgpool(k, -1, 4, 3, in, out), RB_ERR_INVALID_ARG, "n must be >= 1, got -1");
  EXPECT(rb_op_global_avgpool(k, 1, 0, 3, in, out), RB_ERR_INVALID_ARG, "hw must be >= 1, got 0");
  EXPECT(rb_op_global_avgpool(k, 1, 4, 0, in, out), RB_ERR_INVALID_ARG, "c must be >= 1, got 0");
  EXPECT(rb_op_global_avgpool(k, 1, 4, 3, in, in + 9), RB_ERR_INVALID_ARG, "in and out must not overlap");
  rb_aligned_free(in), rb_aligned_free(out);
}
END_TEST

START_TEST(test_pool_desc_errors) {
  // 5x5, 3x3 window, stride 2, padding 1: 3x3 outputs.
  const rb_pool_desc d = {1, 5, 5, 2, 3, 3, 2, 2, 1, 1, 0, 1};
  EXPECT_OK(rb_pool_desc_check(&d));
  EXPECT(rb_pool_desc_check(NULL), RB_ERR_NULL, "d is NULL");
  ck_assert_int_eq(rb_pool_out_h(NULL), 0);
  ck_assert_int_eq(rb_pool_out_w(NULL), 0);
  rb_pool_desc e = d;
  e.n = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  e = d, e.h = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "h must be >= 1, got 0");
  e = d, e.w = -5;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "w must be >= 1, got -5");
  e = d, e.c = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "c must be >= 1, got 0");
  e = d, e.kh = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "kh must be >= 1, got 0");
  e = d, e.kw = -1;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "kw must be >= 1, got -1");
  e = d, e.stride_h = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "stride_h must be >= 1, got 0");
  ck_assert_int_eq(rb_pool_out_h(&e), 0);  // no division by zero
  e = d, e.stride_w = -2;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "stride_w must be >= 1, got -2");
  ck_assert_int_eq(rb_pool_out_w(&e), 0);
  e = d, e.pad_h = -1;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "pad_h must be >= 0, got -1");
  e = d, e.pad_w = -1;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "pad_w must be >= 0, got -1");
  // PyTorch: pad should be at most half of the kernel size.
  e = d, e.pad_h = 2;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "pad_h 2 must be at most half of kh 3");
  e = d, e.kw = 2, e.pad_w = 2;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "pad_w 2 must be at most half of kw 2");
  // Windows larger than the padded input: no output.
  e = d, e.h = 1, e.pad_h = 0, e.stride_h = 1;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_SHAPE, "output height would be -1");
  e.stride_h = 2;  // floor(-2 / 2) + 1
  EXPECT(rb_pool_desc_check(&e), RB_ERR_SHAPE, "output height would be 0");
  e = d, e.w = 1, e.kw = 2, e.pad_w = 0;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_SHAPE, "output width would be 0");
  e = d, e.w = 2147483000, e.stride_w = 1000;
  EXPECT(rb_pool_desc_check(&e), RB_ERR_INVALID_ARG, "w 2147483000 + 2*pad_w 1 + stride_w 1000 overflows int");
  e = d, e.w = 1, e.kw = 2, e.pad_w = 0;
  e.ceil_mode = 1;  // ... but ceil mode keeps the partial window (PyTorch gives 1)
  EXPECT_OK(rb_pool_desc_check(&e));
  ck_assert_int_eq(rb_pool_out_w(&e), 1);
}
END_TEST

START_TEST(test_pool_op_errors) {
  const rb_kernels *k = ref();
  const rb_pool_desc d = {1, 5, 5, 2, 3, 3, 2, 2, 1, 1, 0, 1};
  float *in = filled(50), *out = filled(18);
  rb_status (*const ops[2])(const rb_kernels *, const rb_pool_desc *, const float *, float *) = {rb_op_maxpool,
                                                                                                 rb_op_avgpool};
  for (int i = 0; i < 2; i++) {
    EXPECT_OK(ops[i](k, &d, in, out));
    EXPECT(ops[i](NULL, &d, in, out), RB_ERR_NULL, "k (kernel table) is NULL");
    EXPECT(ops[i](k, NULL, in, out), RB_ERR_NULL, "d is NULL");
    EXPECT(ops[i](k, &d, NULL, out), RB_ERR_NULL, "in is NULL");
    EXPECT(ops[i](k, &d, in, NULL), RB_ERR_NULL, "out is NULL");
    rb_pool_desc e = d;
    e.stride_w = 0;
    o64_poison(out, 18);
    EXPECT(ops[i](k, &e, in, out), RB_ERR_INVALID_ARG, "stride_w must be >= 1, got 0");
    for (int j = 0; j < 18; j++) ck_assert(isnan(out[j]));  // a refused call writes nothing
    e = d, e.pad_w = 2;
    EXPECT(ops[i](k, &e, in, out), RB_ERR_INVALID_ARG, "pad_w 2 must be at most half of kw 3");
    EXPECT(ops[i](k, &d, in, in), RB_ERR_INVALID_ARG, "in and out must not overlap");
    EXPECT(ops[i](k, &d, in, in + 40), RB_ERR_INVALID_ARG, "in and out must not overlap");
  }
  rb_aligned_free(in), rb_aligned_free(out);
}
END_TEST

START_TEST(test_add_errors) {
  const rb_kernels *k = ref();
  float *a = filled(17), *b = filled(17), *out = filled(17);
  EXPECT_OK(rb_op_add(k, 16, a, b, 1, out));
  EXPECT_OK(rb_op_add(k, 16, a, b, 0, a));
  EXPECT_OK(rb_op_add(k, 16, a, b, 0, b));
  EXPECT(rb_op_add(NULL, 16, a, b, 1, out), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_add(k, 16, NULL, b, 1, out), RB_ERR_NULL, "a is NULL");
  EXPECT(rb_op_add(k, 16, a, NULL, 1, out), RB_ERR_NULL, "b is NULL");
  EXPECT(rb_op_add(k, 16, a, b, 1, NULL), RB_ERR_NULL, "out is NULL");
  EXPECT(rb_op_add(k, 0, a, b, 1, out), RB_ERR_INVALID_ARG, "count must be >= 1, got 0");
  EXPECT(rb_op_add(k, (size_t)-1, a, b, 1, out), RB_ERR_INVALID_ARG, "too large");
  // Equal is fine (element-wise); shifted by one element is not.
  EXPECT(rb_op_add(k, 16, a, b, 1, a + 1), RB_ERR_INVALID_ARG, "out overlaps a without being equal");
  EXPECT(rb_op_add(k, 16, a, b, 1, b + 1), RB_ERR_INVALID_ARG, "out overlaps b without being equal");
  rb_aligned_free(a), rb_aligned_free(b), rb_aligned_free(out);
}
END_TEST

START_TEST(test_se_fusion_errors) {
  const rb_kernels *k = ref();
  const rb_se_desc d = {1, 2, 3, 8, 4, 2};  // 48 floats of activation, workspace 12
  float *in = filled(48), *res = filled(48), *out = filled(48), *w1 = filled(16), *w2 = filled(16);
  float *ws = filled(12), *gate = filled(8);
  EXPECT_OK(rb_op_se_gate(k, &d, in, NULL, w1, NULL, w2, NULL, ws, gate));
  EXPECT(rb_op_se_gate(NULL, &d, in, NULL, w1, NULL, w2, NULL, ws, gate), RB_ERR_NULL, "k (kernel table) is NULL");
  EXPECT(rb_op_se_gate(k, &d, in, NULL, w1, NULL, w2, NULL, ws, NULL), RB_ERR_NULL, "gate is NULL");
  EXPECT(rb_op_se_gate(k, &d, in, NULL, NULL, NULL, w2, NULL, ws, gate), RB_ERR_NULL, "w1 is NULL");
  const rb_se_desc bad = {1, 2, 3, 7, 4, 2};
  EXPECT(rb_op_se_gate(k, &bad, in, NULL, w1, NULL, w2, NULL, ws, gate), RB_ERR_SHAPE, "c 7 not divisible by groups 2");
  EXPECT(rb_op_se_gate(k, &d, in, NULL, w1, NULL, w2, NULL, ws, in + 4), RB_ERR_INVALID_ARG, "gate and in must not overlap");
  EXPECT(rb_op_se_gate(k, &d, in, NULL, w1, NULL, w2, NULL, ws, ws + 4), RB_ERR_INVALID_ARG,
         "gate and workspace must not overlap");
  EXPECT_OK(rb_op_scale_add(k, 1, 6, 8, in, gate, res, 1, out));
  EXPECT_OK(rb_op_scale_add(k, 1, 6, 8, in, gate, NULL, 0, in));   // in place on x
  EXPECT_OK(rb_op_scale_add(k, 1, 6, 8, in, gate, res, 1, res));  // in place on the residual
  EXPECT(rb_op_scale_add(k, 1, 6, 8, NULL, gate, res, 1, out), RB_ERR_NULL, "x is NULL");
  EXPECT(rb_op_scale_add(k, 1, 6, 8, in, NULL, res, 1, out), RB_ERR_NULL, "gate is NULL");
  EXPECT(rb_op_scale_add(k, 0, 6, 8, in, gate, res, 1, out), RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  EXPECT(rb_op_scale_add(k, 1, 6, -8, in, gate, res, 1, out), RB_ERR_INVALID_ARG, "c must be >= 1, got -8");
  EXPECT(rb_op_scale_add(k, 1 << 30, 1 << 30, 1 << 30, in, gate, res, 1, out), RB_ERR_INVALID_ARG, "too large");
  EXPECT(rb_op_scale_add(k, 1, 6, 8, in, gate, res, 1, in + 1), RB_ERR_INVALID_ARG, "out overlaps x without being");
  EXPECT(rb_op_scale_add(k, 1, 6, 8, in, gate, res, 1, res + 1), RB_ERR_INVALID_ARG,
         "out overlaps residual without being");
  EXPECT(rb_op_scale_add(k, 1, 6, 8, in, out + 40, res, 1, out), RB_ERR_INVALID_ARG, "out and gate must not overlap");
  rb_kernels t = *k;
  t.scale_add = NULL, t.sigmoid = NULL;
  EXPECT(rb_op_scale_add(&t, 1, 6, 8, in, gate, res, 1, out), RB_ERR_UNSUPPORTED, "ISA 'ref' has no scale_add kernel");
  EXPECT(rb_op_se_gate(&t, &d, in, NULL, w1, NULL, w2, NULL, ws, gate), RB_ERR_UNSUPPORTED, "ISA 'ref' has no sigmoid kernel");
  rb_aligned_free(in), rb_aligned_free(res), rb_aligned_free(out), rb_aligned_free(w1), rb_aligned_free(w2);
  rb_aligned_free(ws), rb_aligned_free(gate);
}
END_TEST

// A table with an empty slot (a SIMD port in progress): RB_ERR_UNSUPPORTED naming ISA and kernel.
START_TEST(test_missing_kernels) {
  rb_kernels t = *ref();
  t.se = NULL, t.global_avgpool = NULL, t.fc = NULL, t.radix_softmax = NULL, t.split_sum = NULL;
  t.sk_select = NULL, t.maxpool = NULL, t.avgpool = NULL, t.add = NULL;
  const rb_kernels *k = &t;
  float *x = filled(64), *y = filled(64), *z = filled(64), *w = filled(64), *v = filled(64);
  const float *br[2] = {x, y};
  const rb_se_desc sd = {1, 2, 2, 4, 2, 1};
  const rb_pool_desc pd = {1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 0, 1};
  EXPECT(rb_op_se(k, &sd, x, y, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED, "ISA 'ref' has no se kernel");
  EXPECT(rb_op_global_avgpool(k, 1, 4, 4, x, y), RB_ERR_UNSUPPORTED, "ISA 'ref' has no global_avgpool kernel");
  EXPECT(rb_op_fc(k, 1, 4, 4, 1, x, y, NULL, 0, z), RB_ERR_UNSUPPORTED, "ISA 'ref' has no fc kernel");
  EXPECT(rb_op_radix_softmax(k, 1, 1, 2, 4, x, y), RB_ERR_UNSUPPORTED, "ISA 'ref' has no radix_softmax kernel");
  EXPECT(rb_op_split_sum(k, 1, 2, 2, 4, x, y, z), RB_ERR_UNSUPPORTED, "ISA 'ref' has no split_sum kernel");
  EXPECT(rb_op_sk_select(k, 1, 2, 2, 4, br, z, w, v), RB_ERR_UNSUPPORTED, "ISA 'ref' has no sk_select kernel");
  EXPECT(rb_op_maxpool(k, &pd, x, y), RB_ERR_UNSUPPORTED, "ISA 'ref' has no maxpool kernel");
  EXPECT(rb_op_avgpool(k, &pd, x, y), RB_ERR_UNSUPPORTED, "ISA 'ref' has no avgpool kernel");
  EXPECT(rb_op_add(k, 64, x, y, 0, z), RB_ERR_UNSUPPORTED, "ISA 'ref' has no add kernel");
  // The composites name the first kernel they lack; with pooled given they need no pool.
  const rb_split_attn_desc ad = {1, 1, 2, 2, 2, 1, 2};
  const rb_sk_attn_desc kd = {1, 1, 2, 2, 2, 2, 1};
  ck_assert_uint_le(rb_split_attention_workspace_size(&ad), 64);
  ck_assert_uint_le(rb_sk_attention_workspace_size(&kd), 64);
  EXPECT(rb_op_split_attention(k, &ad, x, NULL, y, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED,
         "ISA 'ref' has no global_avgpool kernel");
  EXPECT(rb_op_split_attention(k, &ad, x, y, y, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED, "ISA 'ref' has no fc kernel");
  EXPECT(rb_op_sk_attention(k, &kd, br, NULL, z, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED,
         "ISA 'ref' has no global_avgpool kernel");
  EXPECT(rb_op_sk_attention(k, &kd, br, z, z, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED, "ISA 'ref' has no fc kernel");
  rb_kernels one = *ref();  // one kernel missing at a time
  one.radix_softmax = NULL;
  EXPECT(rb_op_split_attention(&one, &ad, x, NULL, y, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED,
         "ISA 'ref' has no radix_softmax kernel");
  one = *ref(), one.split_sum = NULL;
  EXPECT(rb_op_split_attention(&one, &ad, x, NULL, y, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED,
         "ISA 'ref' has no split_sum kernel");
  one = *ref(), one.sk_select = NULL;
  EXPECT(rb_op_sk_attention(&one, &kd, br, NULL, z, NULL, z, NULL, w, v), RB_ERR_UNSUPPORTED,
         "ISA 'ref' has no sk_select kernel");
  one = *ref(), one.global_avgpool = NULL;
  EXPECT_OK(rb_op_split_attention(&one, &ad, x, y, y, NULL, z, NULL, w, v));
  EXPECT_OK(rb_op_sk_attention(&one, &kd, br, z, z, NULL, z, NULL, w, v));
  rb_aligned_free(x), rb_aligned_free(y), rb_aligned_free(z), rb_aligned_free(w), rb_aligned_free(v);
}
END_TEST

START_TEST(test_bn_fold_errors) {
  float *w = filled(12), *cb = filled(3), *g = filled(3), *be = filled(3), *m = filled(3), *wo = filled(12);
  float *bo = filled(3);
  float var[3] = {0.5f, 1.0f, 2.0f};
  const float eps = 1e-5f;
  EXPECT_OK(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, wo, bo));
  EXPECT_OK(rb_bn_fold(3, 4, w, NULL, g, be, m, var, eps, wo, bo));  // conv without bias
  EXPECT(rb_bn_fold(3, 4, NULL, cb, g, be, m, var, eps, wo, bo), RB_ERR_NULL, "w is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, NULL, be, m, var, eps, wo, bo), RB_ERR_NULL, "gamma is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, NULL, m, var, eps, wo, bo), RB_ERR_NULL, "beta is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, NULL, var, eps, wo, bo), RB_ERR_NULL, "mean is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, NULL, eps, wo, bo), RB_ERR_NULL, "var is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, NULL, bo), RB_ERR_NULL, "w_out is NULL");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, wo, NULL), RB_ERR_NULL, "bias_out is NULL");
  EXPECT(rb_bn_fold(0, 4, w, cb, g, be, m, var, eps, wo, bo), RB_ERR_INVALID_ARG, "cout must be >= 1, got 0");
  EXPECT(rb_bn_fold(-3, 4, w, cb, g, be, m, var, eps, wo, bo), RB_ERR_INVALID_ARG, "cout must be >= 1, got -3");
  EXPECT(rb_bn_fold(3, 0, w, cb, g, be, m, var, eps, wo, bo), RB_ERR_INVALID_ARG, "per_out must be >= 1, got 0");
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, NAN, wo, bo), RB_ERR_INVALID_ARG, "eps must be finite");
  // var + eps <= 0 (or NaN): named by index; nothing is written.
  var[2] = -1.0f;
  o64_poison(wo, 12);
  o64_poison(bo, 3);
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, wo, bo), RB_ERR_INVALID_ARG, "var[2] + eps");
  for (int i = 0; i < 12; i++) ck_assert(isnan(wo[i]));
  for (int i = 0; i < 3; i++) ck_assert(isnan(bo[i]));
  var[2] = 2.0f, var[1] = NAN;
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, wo, bo), RB_ERR_INVALID_ARG, "var[1] + eps");
  var[1] = 0.0f;
  EXPECT(rb_bn_fold(3, 4, w, cb, g, be, m, var, 0.0f, wo, bo), RB_ERR_INVALID_ARG, "must be > 0");
  EXPECT_OK(rb_bn_fold(3, 4, w, cb, g, be, m, var, eps, wo, bo));  // var 0 is fine with eps > 0
  rb_aligned_free(w), rb_aligned_free(cb), rb_aligned_free(g), rb_aligned_free(be), rb_aligned_free(m);
  rb_aligned_free(wo), rb_aligned_free(bo);
}
END_TEST

Suite *ops_errors_suite(void) {
  Suite *s = suite_create("ops_errors");
  TCase *tc = tcase_create("ops");
  tcase_add_test(tc, test_se_errors);
  tcase_add_test(tc, test_fc_errors);
  tcase_add_test(tc, test_radix_softmax_errors);
  tcase_add_test(tc, test_split_sum_errors);
  tcase_add_test(tc, test_sk_select_errors);
  tcase_add_test(tc, test_split_attention_errors);
  tcase_add_test(tc, test_sk_attention_errors);
  tcase_add_test(tc, test_global_avgpool_errors);
  tcase_add_test(tc, test_pool_desc_errors);
  tcase_add_test(tc, test_pool_op_errors);
  tcase_add_test(tc, test_add_errors);
  tcase_add_test(tc, test_se_fusion_errors);
  tcase_add_test(tc, test_missing_kernels);
  tcase_add_test(tc, test_bn_fold_errors);
  suite_add_tcase(s, tc);
  return s;
}
