// The residual add (+ ReLU) on every available table against the fp64 oracle. One float addition
// per element is correctly rounded: |got - (a + b)| <= u |a + b| <= u (|a| + |b|), so tol = u.
#include <check.h>
#include <math.h>
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

Suite *eltwise_suite(void) {
  Suite *s = suite_create("eltwise");
  TCase *tc = tcase_create("add");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_add_random);
  tcase_add_test(tc, test_add_in_place);
  tcase_add_test(tc, test_add_nan_propagates);
  suite_add_tcase(s, tc);
  return s;
}
