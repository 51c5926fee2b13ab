// Status messages, tensors, ISA dispatch, conv descriptors and plans: the error paths.
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle64.h"
#include "resbench/probe.h"
#include "resbench/resbench.h"
#include "testutil.h"

START_TEST(status_messages) {
  ck_assert_str_eq(rb_status_name(RB_ERR_SHAPE), "RB_ERR_SHAPE");
  ck_assert_int_eq(rb_fail(RB_ERR_IO, "file %s: %d", "x.safetensors", 7), RB_ERR_IO);
  ck_assert_str_eq(rb_last_error(), "file x.safetensors: 7");
}
END_TEST

START_TEST(tensor_alloc) {
  rb_tensor t;
  ck_assert_int_eq(rb_tensor_alloc(&t, 2, 3, 5, 7), RB_OK);
  ck_assert_uint_eq((uintptr_t)t.data % RB_ALIGN, 0);
  ck_assert_uint_eq(rb_tensor_count(&t), 210);
  t.data[209] = 1.0f;  // the whole extent is usable (ASan checks this)
  rb_tensor_free(&t);
  ck_assert_ptr_null(t.data);
  ASSERT_FAILS(rb_tensor_alloc(&t, 1, 0, 4, 4), RB_ERR_INVALID_ARG, "h=0");
  ASSERT_FAILS(rb_tensor_alloc(&t, -1, 4, 4, 4), RB_ERR_INVALID_ARG, "n=-1");
  ASSERT_FAILS(rb_tensor_alloc(NULL, 1, 1, 1, 1), RB_ERR_NULL, "NULL");
  ck_assert_ptr_null(rb_aligned_alloc(0));
}
END_TEST

START_TEST(isa_dispatch) {
  rb_isa isa;
  const rb_kernels *k;
  // Every name round-trips, and an unknown one lists them all.
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    ck_assert_int_eq(rb_isa_parse(rb_isa_name((rb_isa)i), &isa), RB_OK);
    ck_assert_int_eq(isa, i);
  }
  ck_assert_int_eq(rb_isa_parse("avx2", &isa), RB_OK);
  ck_assert_int_eq(isa, RB_ISA_AVX2);
  ck_assert_int_eq(rb_isa_parse("avx512", &isa), RB_OK);
  ck_assert_int_eq(isa, RB_ISA_AVX512);
  ASSERT_FAILS(rb_isa_parse("sse9", &isa), RB_ERR_NOT_FOUND, "'sse9' (known: ref, avx2, avx512, neon)");
  ck_assert_str_eq(rb_isa_name(RB_ISA_COUNT), "unknown");
  ck_assert_int_eq(rb_kernels_get(RB_ISA_REF, &k), RB_OK);
  ck_assert_ptr_eq(k, &rb_kernels_ref);
  ck_assert_str_eq(k->isa_name, "ref");
  ck_assert(rb_isa_available(RB_ISA_REF));
  // An ISA that is not available is an error with the reason, never another table.
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    if (rb_isa_available((rb_isa)i)) continue;
    k = &rb_kernels_ref;
    ASSERT_FAILS(rb_kernels_get((rb_isa)i, &k), RB_ERR_UNSUPPORTED, rb_isa_name((rb_isa)i));
    ck_assert_ptr_null(k);
    // The message is the list's reason, and the reason is the right one of the three.
    const char *why = rb_isa_unavailable_reason((rb_isa)i);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(rb_last_error(), why), "'%s' lacks '%s'", rb_last_error(), why);
    if (!rb_cpu_supports((rb_isa)i))
      ck_assert_msg(strstr(why, "CPU lacks") || strstr(why, "needs an") || strstr(why, "capped by RESBENCH_MAX_ISA"), "%s: %s", rb_isa_name((rb_isa)i), why);
    else
      ck_assert_msg(strstr(why, "this build has no"), "%s: %s", rb_isa_name((rb_isa)i), why);
  }
  ck_assert_ptr_null(rb_isa_unavailable_reason(RB_ISA_REF));
  ck_assert_str_eq(rb_isa_unavailable_reason(RB_ISA_COUNT), "unknown ISA");
  ASSERT_FAILS(rb_kernels_get(RB_ISA_COUNT, &k), RB_ERR_INVALID_ARG, "out of range");
  // The best is available, and no later (preferred) ISA is.
  const rb_isa best = rb_isa_best();
  ck_assert(rb_isa_available(best));
  for (int i = best + 1; i < RB_ISA_COUNT; i++) ck_assert(!rb_isa_available((rb_isa)i));
#if defined(__x86_64__)
  ck_assert(!rb_isa_available(RB_ISA_NEON));
  ck_assert_str_eq(rb_isa_unavailable_reason(RB_ISA_NEON), "NEON needs an aarch64 build");
#elif defined(__aarch64__)
  ck_assert(!rb_isa_available(RB_ISA_AVX512));
  ck_assert(!rb_isa_available(RB_ISA_AVX2));
  ck_assert_str_eq(rb_isa_unavailable_reason(RB_ISA_AVX2), "AVX2 needs an x86-64 build");
#endif
}
END_TEST

START_TEST(isa_environment_override) {
  const rb_kernels *k;
  setenv("RESBENCH_ISA", "ref", 1);
  ck_assert_int_eq(rb_kernels_default(&k), RB_OK);
  ck_assert_ptr_eq(k, &rb_kernels_ref);
  setenv("RESBENCH_ISA", "bogus", 1);
  ASSERT_FAILS(rb_kernels_default(&k), RB_ERR_NOT_FOUND, "RESBENCH_ISA: unknown ISA 'bogus'");
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    if (rb_isa_available((rb_isa)i)) continue;
    setenv("RESBENCH_ISA", rb_isa_name((rb_isa)i), 1);
    ASSERT_FAILS(rb_kernels_default(&k), RB_ERR_UNSUPPORTED, "not available");
  }
  unsetenv("RESBENCH_ISA");
  ck_assert_int_eq(rb_kernels_default(&k), RB_OK);
  ck_assert(rb_isa_available(k->isa));
  ck_assert_int_eq(k->isa, rb_isa_best());
}
END_TEST

START_TEST(conv_desc_errors) {
  const rb_conv_desc good = rb_conv_desc_make(1, 8, 8, 16, 32, 3, 1, 1, 1, 4);
  ck_assert_int_eq(rb_conv_desc_check(&good), RB_OK);
  rb_conv_desc d;
#define BAD(field, value, status, needle) \
  d = good;                               \
  d.field = (value);                      \
  ASSERT_FAILS(rb_conv_desc_check(&d), status, needle)
  BAD(n, 0, RB_ERR_INVALID_ARG, "n must be >= 1, got 0");
  BAD(h, -3, RB_ERR_INVALID_ARG, "h must be >= 1, got -3");
  BAD(cin, 0, RB_ERR_INVALID_ARG, "cin must be >= 1, got 0");
  BAD(kw, 0, RB_ERR_INVALID_ARG, "kw must be >= 1");
  BAD(stride_w, 0, RB_ERR_INVALID_ARG, "stride_w must be >= 1");
  BAD(pad_bottom, -1, RB_ERR_INVALID_ARG, "pad_bottom must be >= 0, got -1");
  BAD(dil_h, 0, RB_ERR_INVALID_ARG, "dil_h must be >= 1");
  BAD(groups, 0, RB_ERR_INVALID_ARG, "groups must be >= 1");
  BAD(cin, 18, RB_ERR_SHAPE, "cin 18 is not divisible by groups 4");
  BAD(cout, 30, RB_ERR_SHAPE, "cout 30 is not divisible by groups 4");
  BAD(kh, 11, RB_ERR_SHAPE, "kernel height 11");
  BAD(h, 1 << 21, RB_ERR_INVALID_ARG, "larger than");
#undef BAD
  d = good;
  d.dil_w = 5;  // effective 11 > 8 + 2
  ASSERT_FAILS(rb_conv_desc_check(&d), RB_ERR_SHAPE, "padded input width 10");
  ASSERT_FAILS(rb_conv_desc_check(NULL), RB_ERR_NULL, "NULL");
}
END_TEST

START_TEST(conv_desc_sizes_and_names) {
  char buf[128];
  rb_conv_desc d = rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1);
  rb_conv_desc_format(&d, buf, sizeof buf);
  ck_assert_str_eq(buf, "mb1ic64ih56oc64oh56kh3ph1");
  d = rb_conv_desc_make(1, 56, 56, 128, 128, 3, 1, 1, 1, 32);
  rb_conv_desc_format(&d, buf, sizeof buf);
  ck_assert_str_eq(buf, "g32mb1ic128ih56oc128oh56kh3ph1");
  d = rb_conv_desc_make(2, 224, 224, 3, 64, 7, 2, 3, 1, 1);
  ck_assert_int_eq(rb_conv_out_h(&d), 112);  // PyTorch: floor((224 + 6 - 7) / 2) + 1
  rb_conv_desc_format(&d, buf, sizeof buf);
  ck_assert_str_eq(buf, "mb2ic3ih224oc64oh112kh7sh2ph3");
  ck_assert_double_eq(rb_conv_macs(&d), 2.0 * 112 * 112 * 64 * 3 * 49);
  d = rb_conv_desc_make(1, 13, 13, 8, 8, 3, 1, 2, 2, 1);
  rb_conv_desc_format(&d, buf, sizeof buf);
  ck_assert_str_eq(buf, "mb1ic8ih13oc8oh13kh3ph2dh1");
  rb_conv_desc_format(&d, buf, 6);  // truncates, stays terminated
  ck_assert_str_eq(buf, "mb1ic");
  d.pad_bottom = 0, d.w = 9;
  ck_assert_int_eq(rb_conv_out_h(&d), 11);
  ck_assert_int_eq(rb_conv_out_w(&d), 9);

  rb_conv_algo a;
  ck_assert_int_eq(rb_conv_algo_parse("winograd", &a), RB_OK);
  ck_assert_int_eq(a, RB_CONV_WINOGRAD_F4);
  ck_assert_int_eq(rb_conv_algo_parse("winograd_f6", &a), RB_OK);
  ck_assert_int_eq(a, RB_CONV_WINOGRAD_F6);
  ck_assert_str_eq(rb_conv_algo_name(RB_CONV_DIRECT), "direct");
  ASSERT_FAILS(rb_conv_algo_parse("fft", &a), RB_ERR_NOT_FOUND, "'fft'");
}
END_TEST

START_TEST(conv_plan_errors) {
  const rb_kernels *k = &rb_kernels_ref;
  const rb_conv_desc d = rb_conv_desc_make(1, 6, 6, 4, 4, 3, 1, 1, 1, 1);
  float w[4 * 4 * 9], in[6 * 6 * 4], out[6 * 6 * 4];
  o64_rng r;
  o64_seed(&r, 1);
  o64_fill(&r, w, sizeof w / 4, -1, 1);
  o64_fill(&r, in, sizeof in / 4, -1, 1);
  rb_conv_plan *p = (rb_conv_plan *)1;
  ASSERT_FAILS(rb_conv_plan_create(k, &d, RB_CONV_DIRECT, 0, NULL, NULL, &p), RB_ERR_NULL, "weights");
  ck_assert_ptr_null(p);
  ASSERT_FAILS(rb_conv_plan_create(NULL, &d, RB_CONV_DIRECT, 0, w, NULL, &p), RB_ERR_NULL, "kernel table");
  ASSERT_FAILS(rb_conv_plan_create(k, NULL, RB_CONV_DIRECT, 0, w, NULL, &p), RB_ERR_NULL, "descriptor");
  ASSERT_FAILS(rb_conv_plan_create(k, &d, RB_CONV_DIRECT, 0, w, NULL, NULL), RB_ERR_NULL, "plan");
  ASSERT_FAILS(rb_conv_plan_create(k, &d, (rb_conv_algo)42, 0, w, NULL, &p), RB_ERR_INVALID_ARG, "42");
  rb_conv_desc bad = d;
  bad.groups = 3;
  ASSERT_FAILS(rb_conv_plan_create(k, &bad, RB_CONV_DIRECT, 0, w, NULL, &p), RB_ERR_SHAPE, "groups 3");
  // Winograd is only for 3x3 stride 1 dilation 1; a 5x5 is unsupported, not silently direct.
  bad = rb_conv_desc_make(1, 9, 9, 4, 4, 5, 1, 2, 1, 1);
  float w5[4 * 4 * 25];
  o64_fill(&r, w5, sizeof w5 / 4, -1, 1);
  ASSERT_FAILS(rb_conv_plan_create(k, &bad, RB_CONV_WINOGRAD_F4, 0, w5, NULL, &p), RB_ERR_UNSUPPORTED, "5");
  // AUTO picks direct there; elsewhere what the one decision says (its rule: tests/test_conv_choose.c).
  ck_assert_int_eq(rb_conv_plan_create(k, &bad, RB_CONV_AUTO, 0, w5, NULL, &p), RB_OK);
  ck_assert_int_eq(rb_conv_plan_algo(p), RB_CONV_DIRECT);
  rb_conv_plan_destroy(p);
  rb_conv_algo want;
  ck_assert_int_eq(rb_conv_algo_choose(k, &d, RB_CONV_AUTO, &want), RB_OK);
  ck_assert_int_eq(rb_conv_plan_create(k, &d, RB_CONV_AUTO, 0, w, NULL, &p), RB_OK);
  ck_assert_int_eq(rb_conv_plan_algo(p), want);
  rb_conv_plan_destroy(p);

  ck_assert_int_eq(rb_conv_plan_create(k, &d, RB_CONV_DIRECT, 0, w, NULL, &p), RB_OK);
  ck_assert_str_eq(rb_conv_plan_kernel_name(p), "rb_conv_direct__ref");
  ASSERT_FAILS(rb_conv_plan_run(p, NULL, NULL, 0, out), RB_ERR_NULL, "input");
  ASSERT_FAILS(rb_conv_plan_run(p, in, NULL, 0, NULL), RB_ERR_NULL, "output");
  ASSERT_FAILS(rb_conv_plan_run(NULL, in, NULL, 0, out), RB_ERR_NULL, "plan");
  ASSERT_FAILS(rb_conv_plan_run(p, in, NULL, 0, in + 5), RB_ERR_INVALID_ARG, "overlaps");
  // The plan owns its weights: clobbering the caller's copy changes nothing.
  o64_poison(out, sizeof out / 4);
  ck_assert_int_eq(rb_conv_plan_run(p, in, NULL, 0, out), RB_OK);
  float first = out[17];
  for (size_t i = 0; i < sizeof w / 4; i++) w[i] = NAN;
  ck_assert_int_eq(rb_conv_plan_run(p, in, NULL, 0, out), RB_OK);
  ck_assert_float_eq(out[17], first);
  rb_conv_plan_destroy(p);
  rb_conv_plan_destroy(NULL);
}
END_TEST

START_TEST(conv_plan_tensor_shapes) {
  const rb_conv_desc d = rb_conv_desc_make(2, 9, 7, 8, 16, 3, 2, 1, 1, 2);  // out 2x5x4x16
  float w[16 * 4 * 9];
  o64_rng r;
  o64_seed(&r, 2);
  o64_fill(&r, w, sizeof w / 4, -1, 1);
  rb_conv_plan *p;
  ck_assert_int_eq(rb_conv_plan_create(&rb_kernels_ref, &d, RB_CONV_DIRECT, 0, w, NULL, &p), RB_OK);
  rb_tensor in, out, res, wrong;
  ck_assert_int_eq(rb_tensor_alloc(&in, 2, 9, 7, 8), RB_OK);
  ck_assert_int_eq(rb_tensor_alloc(&out, 2, 5, 4, 16), RB_OK);
  ck_assert_int_eq(rb_tensor_alloc(&res, 2, 5, 4, 16), RB_OK);
  ck_assert_int_eq(rb_tensor_alloc(&wrong, 2, 9, 7, 7), RB_OK);
  o64_fill(&r, in.data, rb_tensor_count(&in), -1, 1);
  o64_fill(&r, res.data, rb_tensor_count(&res), -1, 1);
  ck_assert_int_eq(rb_conv_plan_run_tensors(p, &in, &res, 1, &out), RB_OK);
  ASSERT_FAILS(rb_conv_plan_run_tensors(p, &wrong, NULL, 0, &out), RB_ERR_SHAPE,
               "input tensor is 2x9x7x7 (NHWC), the plan needs 2x9x7x8");
  ASSERT_FAILS(rb_conv_plan_run_tensors(p, &in, &wrong, 0, &out), RB_ERR_SHAPE, "residual tensor is 2x9x7x7");
  ASSERT_FAILS(rb_conv_plan_run_tensors(p, &in, NULL, 0, &wrong), RB_ERR_SHAPE, "needs 2x5x4x16");
  ASSERT_FAILS(rb_conv_plan_run_tensors(p, NULL, NULL, 0, &out), RB_ERR_NULL, "NULL");
  rb_tensor empty = {0};
  ASSERT_FAILS(rb_conv_plan_run_tensors(p, &in, NULL, 0, &empty), RB_ERR_NULL, "output tensor has no data");
  rb_tensor_free(&in), rb_tensor_free(&out), rb_tensor_free(&res), rb_tensor_free(&wrong);
  rb_conv_plan_destroy(p);
}
END_TEST

// The comparison the numeric tests rely on must catch what they are meant to catch.
START_TEST(compare_catches_errors) {
  const double exact[4] = {1.0, -2.0, 0.5, 0.0}, mag[4] = {3.0, 2.0, 1.0, 0.0};
  float got[4] = {1.0f, -2.0f, 0.5f, 0.0f};
  o64_cmp c = o64_compare(got, exact, mag, 4, 1e-6);
  ck_assert(c.pass);
  ck_assert_double_eq(c.max_rel_err, 0.0);
  got[2] = 0.5f + 1e-4f;  // 1e-4 relative to mag 1: fails a 1e-6 bound
  c = o64_compare(got, exact, mag, 4, 1e-6);
  ck_assert(!c.pass);
  ck_assert_uint_eq(c.worst, 2);
  got[2] = 0.5f;
  got[1] = NAN;  // an unwritten (poisoned) element
  c = o64_compare(got, exact, mag, 4, 1.0);
  ck_assert(!c.pass);
  ck_assert_uint_eq(c.nan_count, 1);
  got[1] = -2.0f;
  got[3] = 1e-30f;  // a term-less exact zero must stay exactly zero
  ck_assert(!o64_compare(got, exact, mag, 4, 1.0).pass);
  ck_assert_double_eq_tol(o64_gamma(1000), 1000 * O64_U_F32, 1e-8);  // ku / (1 - ku)
}
END_TEST

Suite *core_suite(void) {
  Suite *s = suite_create("core");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, status_messages);
  tcase_add_test(tc, tensor_alloc);
  tcase_add_test(tc, isa_dispatch);
  tcase_add_test(tc, isa_environment_override);
  tcase_add_test(tc, conv_desc_errors);
  tcase_add_test(tc, conv_desc_sizes_and_names);
  tcase_add_test(tc, conv_plan_errors);
  tcase_add_test(tc, conv_plan_tensor_shapes);
  tcase_add_test(tc, compare_catches_errors);
  suite_add_tcase(s, tc);
  return s;
}
