// The element-wise kernels on every available table and test vehicle: the residual add (+ ReLU)
// against the fp64 oracle (one float addition per element is correctly rounded: |got - (a + b)|
// <= u |a + b| <= u (|a| + |b|), so tol = u); the SE scale fused with the add; exp and sigmoid
// over the whole float range against fp64, within the bounds kernels/vec_math.h states.
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "misc_testutil.h"
#include "oracle64_misc.h"

enum { OUT_OF_PLACE, INTO_A, INTO_B };

static void add_case(const rb_kernels *k, o64_rng *r, size_t count, int relu, int where, int via_op) {
  float *a = mt_floats(count), *b = mt_floats(count), *out = mt_floats(count + 16);
  double *exact = mt_doubles(count), *mag = mt_doubles(count);
  o64_fill(r, a, count, -1, 1);
  o64_fill(r, b, count, -1, 1);
  o64_add(count, a, b, relu, exact, mag);
  o64_poison(out, count + 16);
  float *dst = out;
  if (where == INTO_A) dst = a;
  if (where == INTO_B) dst = b;
  if (via_op) ck_assert_int_eq(rb_op_add(k, count, a, b, relu, dst), RB_OK);
  else k->add(count, a, b, relu, dst);
  char what[120];
  snprintf(what, sizeof what, "%s add count %zu relu %d %s", k->isa_name, count, relu,
           where == INTO_A ? "out = a" : where == INTO_B ? "out = b" : "out of place");
  mt_expect_close(what, dst, exact, mag, count, o64_add_tol());
  for (size_t i = 0; i < count; i++) {
    // ReLU: exactly 0 where the sum is negative (never -0.0 or a tiny negative), else the sum.
    if (relu && exact[i] == 0)
      ck_assert_msg(dst[i] == 0 && !signbit(dst[i]), "%s: element %zu = %g, want +0", what, i, (double)dst[i]);
  }
  for (int i = 0; i < 16; i++) ck_assert_msg(isnan(out[count + i]), "%s: wrote past the end", what);
  rb_aligned_free(a), rb_aligned_free(b), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_add_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, add);
    o64_rng r;
    o64_seed(&r, 701);
    // Every tail around 16 and 64 floats (one and four AVX-512 vectors), odd sizes, and one large
    // enough for the threaded path.
    static const size_t sizes[] = {1, 2, 3, 7, 15, 16, 17, 31, 63, 64, 65, 100, 1000, 4099, (1u << 17) + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
      for (int relu = 0; relu <= 1; relu++) add_case(k, &r, sizes[i], relu, OUT_OF_PLACE, (int)i % 2);
    for (int t = 0; t < 30; t++) add_case(k, &r, (size_t)o64_int(&r, 1, 5000), t % 2, OUT_OF_PLACE, t % 3 == 0);
  }
}
END_TEST

START_TEST(test_add_in_place) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, add);
    o64_rng r;
    o64_seed(&r, 702);
    for (int relu = 0; relu <= 1; relu++)
      for (int via_op = 0; via_op <= 1; via_op++) {
        add_case(k, &r, 1000 + 37 * relu, relu, INTO_A, via_op);
        add_case(k, &r, 77 + via_op, relu, INTO_B, via_op);
        add_case(k, &r, (1u << 17) + 5, relu, INTO_A, via_op);
      }
    // a == b == out: x + x = 2x exactly.
    float *x = mt_floats(333);
    o64_fill(&r, x, 333, -1, 1);
    float *want = mt_copy(x, 333);
    ck_assert_int_eq(rb_op_add(k, 333, x, x, 1, x), RB_OK);
    for (int i = 0; i < 333; i++)
      ck_assert_msg(x[i] == (want[i] > 0 ? 2 * want[i] : 0.0f), "%s: x + x at %d = %g", k->isa_name, i, (double)x[i]);
    rb_aligned_free(x), rb_aligned_free(want);
  }
}
END_TEST

// ReLU must not hide a NaN (fmaxf(NaN, 0) would return 0).
START_TEST(test_add_nan_propagates) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, add);
    float a[33], b[33], out[33];
    for (int i = 0; i < 33; i++) a[i] = b[i] = -1.0f;
    a[5] = NAN;
    a[32] = NAN;
    k->add(33, a, b, 1, out);
    ck_assert_msg(isnan(out[5]) && isnan(out[32]), "%s: NaN lost by relu", k->isa_name);
    ck_assert_msg(out[4] == 0 && out[31] == 0, "%s", k->isa_name);
  }
}
END_TEST

// ---- the SE scale fused with the residual add: out = relu?(x * gate[c] + residual) ------------

enum { SA_OUT, SA_INTO_X, SA_INTO_RES };

static void scale_add_case(const rb_kernels *k, o64_rng *r, int n, int hw, int c, int with_res, int relu, int where) {
  const size_t count = (size_t)n * hw * c;
  float *x = mt_floats(count), *res = mt_floats(count), *gate = mt_floats((size_t)n * c), *out = mt_floats(count + 16);
  o64_fill(r, x, count, -2, 2);
  o64_fill(r, res, count, -2, 2);
  o64_fill(r, gate, (size_t)n * c, 0, 1);  // a sigmoid's range
  double *exact = mt_doubles(count), *mag = mt_doubles(count);
  for (int i = 0; i < n; i++)
    for (size_t p = 0; p < (size_t)hw; p++)
      for (int ch = 0; ch < c; ch++) {
        const size_t o = ((size_t)i * hw + p) * c + ch;
        const double prod = (double)x[o] * gate[(size_t)i * c + ch], e = prod + (with_res ? res[o] : 0.0);
        exact[o] = relu && e < 0 ? 0 : e;
        mag[o] = fabs(prod) + (with_res ? fabs(res[o]) : 0.0);
      }
  o64_poison(out, count + 16);
  float *dst = where == SA_INTO_X ? x : where == SA_INTO_RES ? res : out;
  k->scale_add(n, hw, c, x, gate, with_res ? res : NULL, relu, dst);
  char what[160];
  snprintf(what, sizeof what, "%s scale_add n%d hw%d c%d residual %d relu %d into %s", k->isa_name, n, hw, c,
           with_res, relu, where == SA_INTO_X ? "x" : where == SA_INTO_RES ? "residual" : "out");
  // A product and a sum, each rounded once (or one FMA rounding): 2u of |x g| + |r|.
  mt_expect_close(what, dst, exact, mag, count, 2 * O64_U_F32);
  if (where == SA_OUT)
    for (int i = 0; i < 16; i++) ck_assert_msg(isnan(out[count + i]), "%s: wrote past the end", what);
  rb_aligned_free(x), rb_aligned_free(res), rb_aligned_free(gate), rb_aligned_free(out);
  free(exact), free(mag);
}

START_TEST(test_scale_add_random) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, scale_add);
    o64_rng r;
    o64_seed(&r, 703);
    // Channels around each vector width (tails of 4, 8, 16), SE-ResNet-50's widths, odd pixels.
    static const int cs[] = {1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 64, 100, 256};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
      for (int t = 0; t < 4; t++) scale_add_case(k, &r, 1 + t % 2, o64_int(&r, 1, 29), cs[i], t & 1, t >> 1, SA_OUT);
    for (int where = SA_INTO_X; where <= SA_INTO_RES; where++) scale_add_case(k, &r, 2, 13, 37, 1, 1, where);
    scale_add_case(k, &r, 1, 49, 2048, 1, 1, SA_OUT);  // layer4's size: the threaded path
    scale_add_case(k, &r, 1, 3136, 256, 1, 1, SA_INTO_X);
  }
}
END_TEST

START_TEST(test_scale_add_nan) {
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, scale_add);
    float x[2 * 19], gate[19], res[2 * 19], out[2 * 19];
    for (int i = 0; i < 2 * 19; i++) x[i] = 1.0f, res[i] = -2.0f;
    for (int i = 0; i < 19; i++) gate[i] = 0.5f;
    x[3] = NAN, res[18] = NAN, gate[7] = NAN;  // in x, in the residual (a tail lane), in the gate
    k->scale_add(1, 2, 19, x, gate, res, 1, out);
    for (int i = 0; i < 2 * 19; i++) {
      const int want_nan = i == 3 || i == 18 || i % 19 == 7;
      ck_assert_msg(want_nan ? isnan(out[i]) : out[i] == 0.0f, "%s: element %d = %g", k->isa_name, i, (double)out[i]);
    }
  }
}
END_TEST

// ---- exp and sigmoid over the float range -------------------------------------------------------

// Error of y against the exact e in ulps of e (normal results), or in subnormal steps (2^-149)
// when |e| < 2^-126; +Inf counts as 2^128 (one ulp past FLT_MAX).
static double ulp_error(float y, double e) {
  if (e >= 0x1.ffffffp127) return isinf(y) && y > 0 ? 0 : INFINITY;  // rounds to +Inf (e may be inf)
  const double yd = isinf(y) && y > 0 ? 0x1p128 : (double)y;
  if (fabs(e) < 0x1p-126) return fabs(yd - e) / 0x1p-149;
  int ex;
  frexp(e, &ex);  // e = f 2^ex, f in [0.5, 1): the float ulp is 2^(ex - 24)
  return fabs(yd - e) / ldexp(1.0, ex - 24);
}

static double exact_exp(float x) { return exp((double)x); }
static double exact_sigmoid(float x) {
  const double e = exp(-fabs((double)x));
  return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

typedef struct fn_case {
  const char *name;
  void (*(*get)(const rb_kernels *k))(size_t, const float *, float *);
  double (*exact)(float);
  double bound_ulp;
  float at_pinf, at_ninf;
} fn_case;

static void (*get_vexp(const rb_kernels *k))(size_t, const float *, float *) { return k->vexp; }
static void (*get_sigmoid(const rb_kernels *k))(size_t, const float *, float *) { return k->sigmoid; }

// Every 4099th bit pattern (both signs, subnormals, Inf and NaN patterns included; the step is
// prime, so the low mantissa bits vary) plus the special values.
static void range_case(const rb_kernels *k, const fn_case *f) {
  void (*fn)(size_t, const float *, float *) = f->get(k);
  enum { CHUNK = 1 << 16 };
  float *in = mt_floats(CHUNK), *out = mt_floats(CHUNK);
  double worst = 0;
  float worst_x = 0;
  uint64_t bits = 0;
  size_t nan_seen = 0;
  while (bits < (1ull << 32)) {
    size_t m = 0;
    for (; m < CHUNK && bits < (1ull << 32); m++, bits += 4099) {
      const uint32_t b = (uint32_t)bits;
      memcpy(&in[m], &b, sizeof b);
    }
    o64_poison(out, m);
    fn(m, in, out);
    for (size_t i = 0; i < m; i++) {
      if (isnan(in[i])) {
        ck_assert_msg(isnan(out[i]), "%s %s: NaN in gave %g", k->isa_name, f->name, (double)out[i]);
        nan_seen++;
        continue;
      }
      const double err = ulp_error(out[i], f->exact(in[i]));
      if (!(err <= worst)) worst = err, worst_x = in[i];
    }
  }
  float worst_y;
  fn(1, &worst_x, &worst_y);
  ck_assert_msg(worst <= f->bound_ulp, "%s %s: %.3g ulp at x = %a (got %a, exact %a), bound %.3g", k->isa_name,
                f->name, worst, (double)worst_x, (double)worst_y, f->exact(worst_x), f->bound_ulp);
  ck_assert_uint_gt(nan_seen, 100);
  fprintf(stderr, "note: %-6s %-7s max error %.2f ulp over 2^32/4099 floats (bound %.0f)\n", k->isa_name, f->name,
          worst, f->bound_ulp);
  // Specials, and every tail length (nothing written past count).
  const float sp[] = {INFINITY, -INFINITY, NAN, -NAN, 0.0f, -0.0f, FLT_MAX, -FLT_MAX, FLT_MIN, 0x1p-149f};
  const int nsp = (int)(sizeof sp / sizeof sp[0]);
  fn((size_t)nsp, sp, out);
  ck_assert_msg(out[0] == f->at_pinf && out[1] == f->at_ninf, "%s %s(+-Inf) = %g, %g", k->isa_name, f->name,
                (double)out[0], (double)out[1]);
  ck_assert_msg(isnan(out[2]) && isnan(out[3]), "%s %s(NaN)", k->isa_name, f->name);
  for (int i = 4; i < nsp; i++)
    ck_assert_msg(ulp_error(out[i], f->exact(sp[i])) <= f->bound_ulp, "%s %s(%a) = %a", k->isa_name, f->name,
                  (double)sp[i], (double)out[i]);
  for (int count = 1; count <= 2 * 16 + 1; count++) {
    for (int i = 0; i < 40; i++) in[i] = (float)(i - 20) * 0.37f;
    o64_poison(out, 40);
    fn((size_t)count, in, out);
    for (int i = 0; i < 40; i++)
      ck_assert_msg(i < count ? ulp_error(out[i], f->exact(in[i])) <= f->bound_ulp : isnan(out[i]),
                    "%s %s count %d: element %d = %g", k->isa_name, f->name, count, i, (double)out[i]);
  }
  // In place.
  for (int i = 0; i < 37; i++) in[i] = (float)i - 18.5f;
  fn(37, in, in);
  for (int i = 0; i < 37; i++)
    ck_assert_msg(ulp_error(in[i], f->exact((float)i - 18.5f)) <= f->bound_ulp, "%s %s in place", k->isa_name,
                  f->name);
  rb_aligned_free(in), rb_aligned_free(out);
}

START_TEST(test_exp_sigmoid_range) {
  const fn_case cases[] = {
      {"exp", get_vexp, exact_exp, RB_VEXP_MAX_ULP, INFINITY, 0.0f},
      {"sigmoid", get_sigmoid, exact_sigmoid, RB_SIGMOID_MAX_ULP, 1.0f, 0.0f},
  };
  MT_FOR_EACH_TABLE(k) {
    MT_SKIP_IF_MISSING(k, vexp);
    MT_SKIP_IF_MISSING(k, sigmoid);
    for (int c = 0; c < 2; c++) range_case(k, &cases[c]);
  }
}
END_TEST

Suite *eltwise_suite(void) {
  Suite *s = suite_create("eltwise");
  TCase *tc = tcase_create("add");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_add_random);
  tcase_add_test(tc, test_add_in_place);
  tcase_add_test(tc, test_add_nan_propagates);
  suite_add_tcase(s, tc);
  tc = tcase_create("scale_add");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_scale_add_random);
  tcase_add_test(tc, test_scale_add_nan);
  suite_add_tcase(s, tc);
  tc = tcase_create("exp_sigmoid");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_exp_sigmoid_range);
  suite_add_tcase(s, tc);
  return s;
}
