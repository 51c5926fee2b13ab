// The one decision of which convolution algorithm runs a layer (kernels/conv_choose.c): AUTO's
// rule on the shapes it was measured on, its stated error bound, requests that cannot run, and the
// forward pass's per-layer fallback. On every table this CPU runs.
#include <check.h>
#include <math.h>
#include <string.h>

#include "../kernels/table.h"
#include "resbench/resbench.h"
#include "testutil.h"

static rb_conv_desc parse(const char *s) {
  rb_conv_desc d;
  ck_assert_msg(rb_conv_desc_parse(s, &d) == RB_OK, "%s: %s", s, rb_last_error());
  return d;
}

static rb_conv_algo auto_of(const rb_kernels *k, const char *problem, char *why, size_t len) {
  const rb_conv_desc d = parse(problem);
  rb_conv_algo a = RB_CONV_AUTO;
  ck_assert_int_eq(rb_conv_algo_explain(k, &d, RB_CONV_AUTO, &a, why, len), RB_OK);
  rb_conv_algo b = RB_CONV_AUTO;  // the same decision without the explanation
  ck_assert_int_eq(rb_conv_algo_choose(k, &d, RB_CONV_AUTO, &b), RB_OK);
  ck_assert_int_eq(a, b);
  return a;
}

// The layers behind the rule (results/vm-xeon/winograd-*-1t.md) get what was measured fastest
// enough to be worth it; the reason names what decided.
START_TEST(auto_on_the_measured_layers) {
  static const struct {
    const char *problem;
    rb_conv_algo want;
    const char *reason;
  } cases[] = {
      {"mb1ic64ih56oc64oh56kh3ph1", RB_CONV_WINOGRAD_F4, "196 tiles"},
      {"mb1ic128ih28oc128oh28kh3ph1", RB_CONV_WINOGRAD_F4, "49 tiles"},
      {"mb1ic256ih14oc256oh14kh3ph1", RB_CONV_WINOGRAD_F2, "4.2 MB"},  // F4: 9.4 MB for 16 tiles
      {"mb1ic512ih7oc512oh7kh3ph1", RB_CONV_DIRECT, "F4: too few tiles for its weights (4 tiles, 37.7 MB)"},
      // ResNeXt's narrow groups: F4 in one pass on the engine tables for 4 and 8 channels a group
      // (the rows below, kept for the ref table, say direct), direct for 16 on all.
      {"g32mb1ic128ih56oc128oh56kh3ph1", RB_CONV_DIRECT, "4 channels a group (< 32"},
      {"g32mb1ic256ih28oc256oh28kh3ph1", RB_CONV_DIRECT, "8 channels a group (< 32"},
      {"g32mb1ic512ih14oc512oh14kh3ph1", RB_CONV_DIRECT, "16 channels a group"},
      {"g64mb1ic256ih14oc128oh14kh3ph1", RB_CONV_DIRECT, "4 channels a group"},  // 4 in, 2 out: no one pass
      {"g2mb1ic64ih56oc128oh56kh3ph1", RB_CONV_WINOGRAD_F4, "32 channels a group"},
      {"g2mb1ic512ih7oc1024oh7kh3ph1", RB_CONV_DIRECT, "too few tiles"},
      {"mb1ic64ih56oc64oh56kh1", RB_CONV_DIRECT, "3x3 stride 1"},
      {"mb1ic128ih56oc128oh28kh3sh2ph1", RB_CONV_DIRECT, "3x3 stride 1"},
      {"mb1ic64ih56oc64oh56kh3ph2dh1", RB_CONV_DIRECT, "dilation 1"},
      // A batch reuses the transformed weights: 8 images of 7x7 give F4 32 tiles.
      {"mb8ic512ih7oc512oh7kh3ph1", RB_CONV_WINOGRAD_F4, "32 tiles"},
  };
  static const struct {
    const char *problem;
    const char *reason;
  } one_pass[] = {
      {"g32mb1ic128ih56oc128oh56kh3ph1", "winograd_f4: 4 channels a group in one pass, 196 tiles"},
      {"g32mb1ic256ih28oc256oh28kh3ph1", "winograd_f4: 8 channels a group in one pass, 49 tiles"},
  };
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (int t = 0; t < nt; t++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      char why[256];
      const rb_conv_algo a = auto_of(tables[t], cases[i].problem, why, sizeof why);
      int engine_row = 0;
      for (size_t j = 0; j < sizeof one_pass / sizeof one_pass[0]; j++)
        if (tables[t]->engine && strcmp(cases[i].problem, one_pass[j].problem) == 0) {
          ck_assert_msg(a == RB_CONV_WINOGRAD_F4 && strstr(why, one_pass[j].reason), "%s %s: auto chose %s (%s)",
                        tables[t]->isa_name, cases[i].problem, rb_conv_algo_name(a), why);
          engine_row = 1;
        }
      if (engine_row) continue;
      ck_assert_msg(a == cases[i].want, "%s %s: auto chose %s (%s), want %s", tables[t]->isa_name, cases[i].problem,
                    rb_conv_algo_name(a), why, rb_conv_algo_name(cases[i].want));
      ck_assert_msg(strstr(why, cases[i].reason), "%s %s: reason '%s' lacks '%s'", tables[t]->isa_name,
                    cases[i].problem, why, cases[i].reason);
      ck_assert_msg(strncmp(why, rb_conv_algo_name(a), strlen(rb_conv_algo_name(a))) == 0, "reason '%s'", why);
    }
}
END_TEST

// AUTO never picks F6, nor a variant whose stated bound is above 1e-4, on any 3x3 stride-1 shape:
// a sweep over channels, groups, sizes and batch.
START_TEST(auto_obeys_the_error_bound) {
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  static const int groups[] = {1, 2, 4, 32, 64};
  static const int widths[] = {1, 2, 3, 4, 8, 16, 31, 32, 64, 200, 512, 2048, 4096};
  static const int sizes[] = {3, 7, 14, 28, 56, 112};
  int winograd = 0;
  for (int t = 0; t < nt; t++)
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
      for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
          for (int n = 1; n <= 4; n += 3) {
            const int c = groups[g] * widths[w];
            if (c > 8192) continue;
            const rb_conv_desc d = rb_conv_desc_make(n, sizes[z], sizes[z], c, c, 3, 1, 1, 1, groups[g]);
            rb_conv_algo a;
            ck_assert_int_eq(rb_conv_algo_choose(tables[t], &d, RB_CONV_AUTO, &a), RB_OK);
            ck_assert(a == RB_CONV_DIRECT || a == RB_CONV_WINOGRAD_F2 || a == RB_CONV_WINOGRAD_F4);
            const int m = rb_conv_algo_winograd_m(a);
            if (m) {
              winograd++;
              ck_assert_msg(rb_winograd_error_bound(m, widths[w]) <= 1e-4, "F%d on %d channels a group", m, widths[w]);
            }
          }
  ck_assert_int_gt(winograd, 0);
  // The bound itself: none claimed below 4 channels a group, growth past the study's 512.
  ck_assert(isinf(rb_winograd_error_bound(4, 3)));
  ck_assert(isinf(rb_winograd_error_bound(3, 64)));
  ck_assert_double_eq(rb_winograd_error_bound(4, 64), rb_winograd_error_bound(4, 512));
  ck_assert(rb_winograd_error_bound(4, 2048) > rb_winograd_error_bound(4, 512));
  ck_assert(rb_winograd_error_bound(2, 64) < rb_winograd_error_bound(4, 64));
  ck_assert(rb_winograd_error_bound(4, 64) < rb_winograd_error_bound(6, 64));
  // F4 at 4096 channels a group is past 1e-4: AUTO takes F2 or direct there.
  ck_assert(rb_winograd_error_bound(4, 4096) > 1e-4);
}
END_TEST

// Requests: checked, never silently changed; the per-layer form falls back to direct only for a
// Winograd request on a layer Winograd cannot compute.
START_TEST(requests_and_layer_fallback) {
  const rb_conv_desc s2 = parse("mb1ic16ih8oc16oh4kh3sh2ph1"), s1 = parse("mb1ic16ih8oc16oh8kh3ph1");
  rb_conv_algo a;
  ASSERT_FAILS(rb_conv_algo_choose(&rb_kernels_ref, &s2, RB_CONV_WINOGRAD_F4, &a), RB_ERR_UNSUPPORTED,
               "winograd needs stride 1");
  ck_assert_int_eq(rb_conv_algo_for_layer(&rb_kernels_ref, &s2, RB_CONV_WINOGRAD_F4, &a), RB_OK);
  ck_assert_int_eq(a, RB_CONV_DIRECT);
  ck_assert_int_eq(rb_conv_algo_for_layer(&rb_kernels_ref, &s1, RB_CONV_WINOGRAD_F6, &a), RB_OK);
  ck_assert_int_eq(a, RB_CONV_WINOGRAD_F6);  // asked for: F6 is an option, only never automatic
  ASSERT_FAILS(rb_conv_algo_choose(&rb_kernels_ref, &s1, RB_CONV_DIRECT_GEMM, &a), RB_ERR_UNSUPPORTED, "SIMD engine");
  ASSERT_FAILS(rb_conv_algo_choose(&rb_kernels_ref, &s1, (rb_conv_algo)99, &a), RB_ERR_INVALID_ARG, "out of range");
  ASSERT_FAILS(rb_conv_algo_choose(&rb_kernels_ref, NULL, RB_CONV_AUTO, &a), RB_ERR_NULL, "descriptor");
  ASSERT_FAILS(rb_conv_algo_choose(NULL, &s1, RB_CONV_AUTO, &a), RB_ERR_NULL, "NULL");
  char small[4];
  ASSERT_FAILS(rb_conv_algo_explain(&rb_kernels_ref, &s1, RB_CONV_AUTO, &a, NULL, 0), RB_ERR_NULL, "buffer");
  ck_assert_int_eq(rb_conv_algo_explain(&rb_kernels_ref, &s1, RB_CONV_AUTO, &a, small, sizeof small), RB_OK);
  ck_assert_int_eq(strlen(small), 3);  // truncated, terminated
  // A table without Winograd: the request fails naming the ISA; AUTO takes direct.
  rb_kernels none = rb_kernels_ref;
  none.isa_name = "nowino";
  for (int i = 0; i < RB_WINO_COUNT; i++) none.conv_winograd[i] = NULL;
  ASSERT_FAILS(rb_conv_algo_choose(&none, &s1, RB_CONV_WINOGRAD_F2, &a), RB_ERR_UNSUPPORTED,
               "ISA 'nowino' has no winograd_f2");
  const rb_conv_desc big = parse("mb1ic64ih56oc64oh56kh3ph1");
  ck_assert_int_eq(rb_conv_algo_choose(&none, &big, RB_CONV_AUTO, &a), RB_OK);
  ck_assert_int_eq(a, RB_CONV_DIRECT);
  ck_assert_int_eq(rb_conv_algo_winograd_m(RB_CONV_WINOGRAD_F2), 2);
  ck_assert_int_eq(rb_conv_algo_winograd_m(RB_CONV_DIRECT_IGEMM), 0);
}
END_TEST

Suite *conv_choose_suite(void) {
  Suite *s = suite_create("conv_choose");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, auto_on_the_measured_layers);
  tcase_add_test(tc, auto_obeys_the_error_bound);
  tcase_add_test(tc, requests_and_layer_fallback);
  suite_add_tcase(s, tc);
  return s;
}
