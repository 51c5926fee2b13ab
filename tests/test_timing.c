// rb_time_runs with fake work whose calls are counted and whose durations are set per call.
#include <check.h>
#include <time.h>

#include "testutil.h"
#include "timing.h"

typedef struct fake {
  int calls;
  int fail_at;        // call number (1-based) that returns an error; 0: never
  double sleep_ms[8]; // duration of call i (cycled)
} fake;

static rb_status fake_run(void *ctx) {
  fake *f = ctx;
  f->calls++;
  if (f->fail_at && f->calls == f->fail_at) return rb_fail(RB_ERR_INVALID_ARG, "fake failure at call %d", f->calls);
  const double ms = f->sleep_ms[(f->calls - 1) % 8];
  if (ms > 0) {
    const double t0 = rb_now_ms();
    while (rb_now_ms() - t0 < ms) {
    }
  }
  return RB_OK;
}

START_TEST(counts_and_order) {
  fake f = {.sleep_ms = {0.2, 0.2, 1.5, 0.2, 0.6, 0.2, 0.2, 0.2}};
  rb_timing_opts o = {.warmup = 3, .min_runs = 8, .max_runs = 8, .min_seconds = 10};
  rb_timing t;
  ck_assert_int_eq(rb_time_runs(fake_run, &f, &o, &t), RB_OK);
  ck_assert_int_eq(t.count, 8);           // capped by max_runs even though min_seconds is not reached
  ck_assert_int_eq(f.calls, 3 + 8);       // warm-up calls ran but are not counted
  ck_assert(t.min_ms <= t.median_ms && t.median_ms <= t.max_ms);
  ck_assert(t.min_ms <= t.mean_ms && t.mean_ms <= t.max_ms);
  // Timed calls are 4..11 -> durations index 3..7,0,1,2: one 1.5 ms and one 0.6 ms among 0.2 ms ones.
  ck_assert_msg(t.max_ms >= 1.5, "max %g", t.max_ms);
  ck_assert_msg(t.min_ms >= 0.2, "min %g", t.min_ms);
  ck_assert_msg(t.median_ms < 0.6, "median %g should ignore the two slow runs", t.median_ms);
}
END_TEST

START_TEST(min_seconds_and_min_runs) {
  fake f = {.sleep_ms = {1, 1, 1, 1, 1, 1, 1, 1}};
  rb_timing_opts o = {.warmup = 0, .min_runs = 2, .max_runs = 1000, .min_seconds = 0.02};
  rb_timing t;
  ck_assert_int_eq(rb_time_runs(fake_run, &f, &o, &t), RB_OK);
  ck_assert_int_eq(f.calls, t.count);
  // 1 ms calls until 20 ms have passed: exactly 20 unless the machine is slower (fewer, never more).
  ck_assert_msg(t.count >= 2 && t.count <= 20, "count %d", t.count);
  ck_assert(t.mean_ms * t.count >= 20);
  fake g = {0};
  o = (rb_timing_opts){.warmup = 1, .min_runs = 7, .max_runs = 50, .min_seconds = 0};
  ck_assert_int_eq(rb_time_runs(fake_run, &g, &o, &t), RB_OK);
  ck_assert_int_eq(t.count, 7);  // min_seconds 0: min_runs only
  ck_assert_int_eq(g.calls, 8);
}
END_TEST

// Warm-up by time: untimed calls go on until warmup_seconds have passed, whatever the count.
START_TEST(warmup_seconds) {
  fake f = {.sleep_ms = {1, 1, 1, 1, 1, 1, 1, 1}};
  rb_timing_opts o = {.warmup = 1, .warmup_seconds = 0.02, .min_runs = 3, .max_runs = 3, .min_seconds = 0};
  rb_timing t;
  const double t0 = rb_now_ms();
  ck_assert_int_eq(rb_time_runs(fake_run, &f, &o, &t), RB_OK);
  ck_assert_int_eq(t.count, 3);
  ck_assert_msg(f.calls - 3 >= 2 && f.calls - 3 <= 21, "warm-up calls %d", f.calls - 3);  // ~20 of 1 ms
  ck_assert(rb_now_ms() - t0 >= 20 + 3);
  o.warmup_seconds = -1;
  ASSERT_FAILS(rb_time_runs(fake_run, &f, &o, &t), RB_ERR_INVALID_ARG, "warmup_seconds");
}
END_TEST

START_TEST(defaults_and_errors) {
  const rb_timing_opts d = rb_timing_defaults();
  ck_assert_int_eq(d.warmup, 2);
  ck_assert_int_eq(d.min_runs, 5);
  ck_assert_int_eq(d.max_runs, 1000);
  fake f = {.fail_at = 2};
  rb_timing t = {0};
  ASSERT_FAILS(rb_time_runs(fake_run, &f, NULL, &t), RB_ERR_INVALID_ARG, "fake failure at call 2");  // in warm-up
  fake g = {.fail_at = 5};
  rb_timing_opts o = {.warmup = 1, .min_runs = 10, .max_runs = 10};
  ASSERT_FAILS(rb_time_runs(fake_run, &g, &o, &t), RB_ERR_INVALID_ARG, "fake failure at call 5");
  ck_assert_int_eq(g.calls, 5);  // the first error stops the run
  o = (rb_timing_opts){.warmup = 0, .min_runs = 5, .max_runs = 4};
  ASSERT_FAILS(rb_time_runs(fake_run, &g, &o, &t), RB_ERR_INVALID_ARG, "max_runs 4 is less than min_runs 5");
  o = (rb_timing_opts){.warmup = -1, .min_runs = 1, .max_runs = 4};
  ASSERT_FAILS(rb_time_runs(fake_run, &g, &o, &t), RB_ERR_INVALID_ARG, "warmup must be >= 0, got -1");
  o = (rb_timing_opts){.warmup = 0, .min_runs = 0, .max_runs = 4};
  ASSERT_FAILS(rb_time_runs(fake_run, &g, &o, &t), RB_ERR_INVALID_ARG, "min_runs must be >= 1, got 0");
  ASSERT_FAILS(rb_time_runs(NULL, &g, &o, &t), RB_ERR_NULL, "NULL");
}
END_TEST

// Quantiles by linear interpolation between closest ranks, worked by hand (numpy's default).
START_TEST(quantiles) {
  const double v[] = {1, 2, 3, 4, 10};
  ck_assert_double_eq_tol(rb_quantile(v, 5, 0.5), 3, 1e-12);
  ck_assert_double_eq_tol(rb_quantile(v, 5, 0.25), 2, 1e-12);
  ck_assert_double_eq_tol(rb_quantile(v, 5, 0.75), 4, 1e-12);
  ck_assert_double_eq_tol(rb_quantile(v, 4, 0.5), 2.5, 1e-12);   // 1 2 3 4: between 2 and 3
  ck_assert_double_eq_tol(rb_quantile(v, 4, 0.25), 1.75, 1e-12);  // pos 0.75
  ck_assert_double_eq_tol(rb_quantile(v, 4, 0.75), 3.25, 1e-12);  // pos 2.25
  ck_assert_double_eq_tol(rb_quantile(v, 1, 0.75), 1, 1e-12);
  ck_assert_double_eq_tol(rb_quantile(v, 5, 1), 10, 1e-12);
  // The timing record carries them: q1 <= median <= q3 within min..max.
  fake f = {.sleep_ms = {0.2, 0.2, 1.5, 0.2, 0.6, 0.2, 0.2, 0.2}};
  rb_timing_opts o = {.warmup = 0, .min_runs = 8, .max_runs = 8};
  rb_timing t;
  ck_assert_int_eq(rb_time_runs(fake_run, &f, &o, &t), RB_OK);
  // (Only the order: on a loaded machine any of these spins can be preempted.)
  ck_assert(t.min_ms <= t.q1_ms && t.q1_ms <= t.median_ms && t.median_ms <= t.q3_ms && t.q3_ms <= t.max_ms);
}
END_TEST

Suite *timing_suite(void) {
  Suite *s = suite_create("timing");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, counts_and_order);
  tcase_add_test(tc, warmup_seconds);
  tcase_add_test(tc, min_seconds_and_min_runs);
  tcase_add_test(tc, defaults_and_errors);
  tcase_add_test(tc, quantiles);
  suite_add_tcase(s, tc);
  return s;
}
