// The Google Benchmark shim: benchmarks registered from C run, report their counters as rates,
// skips carry their message, and paused time is left out.
#include <math.h>
#include <string.h>
#include <time.h>

#include "../testutil.h"
#include "gbench/shim.h"

enum { MAX_SEEN = 4 };

typedef struct seen {
  int count;
  char name[MAX_SEEN][128], message[MAX_SEEN][128], label[MAX_SEEN][64];
  int skipped[MAX_SEEN];
  long long iterations[MAX_SEEN];
  double real_s[MAX_SEEN], flops[MAX_SEEN], bytes[MAX_SEEN];
} seen;

static void collect(const rb_gb_result *r, void *ctx) {
  seen *s = ctx;
  if (s->count == MAX_SEEN) return;
  int i = s->count++;
  snprintf(s->name[i], sizeof s->name[i], "%s", r->name);
  snprintf(s->message[i], sizeof s->message[i], "%s", r->message);
  snprintf(s->label[i], sizeof s->label[i], "%s", r->label);
  s->skipped[i] = r->skipped;
  s->iterations[i] = r->iterations;
  s->real_s[i] = r->real_time_s;
  s->flops[i] = rb_gb_result_counter(r, "FLOPS");
  s->bytes[i] = rb_gb_result_counter(r, "bytes_per_second");
}

enum { SAXPY_N = 4096 };
static float xs[SAXPY_N], ys[SAXPY_N];

// 2 FLOP per element per iteration; the result is kept live through ys.
static void bm_saxpy(rb_gb_state *st, void *ctx) {
  int *calls = ctx;
  ++*calls;
  rb_gb_set_flops(st, 2.0 * SAXPY_N);
  rb_gb_set_bytes(st, 3.0 * sizeof(float) * SAXPY_N);
  rb_gb_set_label(st, "saxpy");
  while (rb_gb_keep_running(st))
    for (int i = 0; i < SAXPY_N; i++) ys[i] = 0.5f * xs[i] + ys[i];
}

START_TEST(test_rate_counter) {
  rb_gb_clear();
  int calls = 0;
  for (int i = 0; i < SAXPY_N; i++) xs[i] = (float)i;
  ck_assert_int_eq(rb_gb_register("shim/saxpy/4096", bm_saxpy, &calls, &(rb_gb_options){.use_real_time = 1,
                                                                                         .iterations = 200}),
                   RB_OK);
  seen s = {0};
  ck_assert_uint_eq(rb_gb_run_collect("^shim/saxpy", collect, &s), 1);
  ck_assert_int_eq(s.count, 1);
  ck_assert_int_ge(calls, 1);
  ck_assert_str_eq(s.name[0], "shim/saxpy/4096/iterations:200/real_time");
  ck_assert_str_eq(s.label[0], "saxpy");
  ck_assert_int_eq(s.skipped[0], 0);
  ck_assert_int_eq(s.iterations[0], 200);
  ck_assert(s.real_s[0] > 0);
  // The rate is per-iteration work times iterations over the (real) time, to rounding.
  double want = 2.0 * SAXPY_N * 200 / s.real_s[0];
  ck_assert_msg(fabs(s.flops[0] - want) <= 1e-9 * want, "FLOPS %g, want %g", s.flops[0], want);
  double want_b = 3.0 * sizeof(float) * SAXPY_N * 200 / s.real_s[0];
  ck_assert_msg(fabs(s.bytes[0] - want_b) <= 1e-9 * want_b, "bytes/s %g, want %g", s.bytes[0], want_b);
}
END_TEST

static void bm_skip(rb_gb_state *st, void *ctx) {
  (void)ctx;
  rb_gb_skip(st, "avx512: this CPU lacks it");
  while (rb_gb_keep_running(st)) ck_abort_msg("a skipped benchmark ran its loop");
}

START_TEST(test_skip_message) {
  rb_gb_clear();
  int calls = 0;
  ck_assert_int_eq(rb_gb_register("shim/skip", bm_skip, NULL, NULL), RB_OK);
  ck_assert_int_eq(rb_gb_register("shim/other", bm_saxpy, &calls, &(rb_gb_options){.iterations = 3}), RB_OK);
  seen s = {0};
  // The filter selects the skipped one only.
  ck_assert_uint_eq(rb_gb_run_collect("^shim/skip$", collect, &s), 1);
  ck_assert_int_eq(s.count, 1);
  ck_assert_int_eq(calls, 0);
  ck_assert_str_eq(s.name[0], "shim/skip");
  ck_assert_int_eq(s.skipped[0], 1);
  ck_assert_str_eq(s.message[0], "avx512: this CPU lacks it");
}
END_TEST

static void bm_paused_sleep(rb_gb_state *st, void *ctx) {
  (void)ctx;
  struct timespec ts = {0, 20 * 1000 * 1000};  // 20 ms, paused
  while (rb_gb_keep_running(st)) {
    rb_gb_pause(st);
    nanosleep(&ts, NULL);
    rb_gb_resume(st);
  }
}

START_TEST(test_pause_excludes) {
  rb_gb_clear();
  ck_assert_int_eq(rb_gb_register("shim/paused", bm_paused_sleep, NULL,
                                  &(rb_gb_options){.use_real_time = 1, .iterations = 5}),
                   RB_OK);
  seen s = {0};
  ck_assert_uint_eq(rb_gb_run_collect(NULL, collect, &s), 1);
  ck_assert_int_eq(s.iterations[0], 5);
  // 100 ms were slept in total; what is left (timer calls) is far below even one sleep.
  ck_assert_msg(s.real_s[0] < 0.010, "real time %g s includes the paused sleep", s.real_s[0]);
  ck_assert(isnan(s.flops[0]));
}
END_TEST

START_TEST(test_register_errors) {
  ASSERT_FAILS(rb_gb_register(NULL, bm_skip, NULL, NULL), RB_ERR_NULL, "name");
  ASSERT_FAILS(rb_gb_register("x", NULL, NULL, NULL), RB_ERR_NULL, "fn");
  ASSERT_FAILS(rb_gb_register("x", bm_skip, NULL, &(rb_gb_options){.iterations = -1}), RB_ERR_INVALID_ARG,
               "iterations -1");
  ASSERT_FAILS(rb_gb_register("x", bm_skip, NULL, &(rb_gb_options){.min_time = 0.1, .iterations = 2}),
               RB_ERR_INVALID_ARG, "not both");
  char a0[] = "prog", a1[] = "--no-such-flag";
  char *argv[] = {a0, a1, NULL};
  int argc = 2;
  ASSERT_FAILS(rb_gb_init(&argc, argv), RB_ERR_INVALID_ARG, "--no-such-flag");
}
END_TEST

Suite *gbench_suite(void) {
  Suite *s = suite_create("gbench");
  TCase *tc = tcase_create("shim");
  tcase_add_test(tc, test_rate_counter);
  tcase_add_test(tc, test_skip_message);
  tcase_add_test(tc, test_pause_excludes);
  tcase_add_test(tc, test_register_errors);
  suite_add_tcase(s, tc);
  return s;
}
