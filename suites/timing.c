// Repeated runs after warm-up, benchdnn style: the median is the figure, min/max show the noise.
#include "timing.h"

#include <stdlib.h>
#include <time.h>

rb_timing_opts rb_timing_defaults(void) {
  return (rb_timing_opts){.warmup = 2, .warmup_seconds = 0.2, .min_runs = 5, .max_runs = 1000, .min_seconds = 0.5, .rounds = 5};
}

double rb_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double rb_quantile(const double *sorted, int n, double q) {
  if (n <= 0) return 0;
  const double pos = q * (n - 1);
  const int lo = (int)pos, hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void rb_sort_doubles(double *v, int n) {
  if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_double);
}

rb_status rb_time_runs(rb_status (*fn)(void *ctx), void *ctx, const rb_timing_opts *opts, rb_timing *t) {
  if (!fn || !t) return rb_fail(RB_ERR_NULL, "rb_time_runs: NULL function or result");
  const rb_timing_opts o = opts ? *opts : rb_timing_defaults();
  if (o.warmup < 0) return rb_fail(RB_ERR_INVALID_ARG, "timing: warmup must be >= 0, got %d", o.warmup);
  if (o.min_runs < 1) return rb_fail(RB_ERR_INVALID_ARG, "timing: min_runs must be >= 1, got %d", o.min_runs);
  if (o.max_runs < o.min_runs)
    return rb_fail(RB_ERR_INVALID_ARG, "timing: max_runs %d is less than min_runs %d", o.max_runs, o.min_runs);
  if (!(o.min_seconds >= 0) || o.min_seconds > 1e6)
    return rb_fail(RB_ERR_INVALID_ARG, "timing: min_seconds must be in [0, 1e6], got %g", o.min_seconds);
  if (!(o.warmup_seconds >= 0) || o.warmup_seconds > 1e6)
    return rb_fail(RB_ERR_INVALID_ARG, "timing: warmup_seconds must be in [0, 1e6], got %g", o.warmup_seconds);
  const double w0 = rb_now_ms();
  for (int i = 0; i < o.warmup || rb_now_ms() - w0 < o.warmup_seconds * 1e3; i++) {
    const rb_status s = fn(ctx);
    if (s != RB_OK) return s;
  }
  double *ms = malloc((size_t)o.max_runs * sizeof *ms);
  if (!ms) return rb_fail(RB_ERR_NOMEM, "timing: cannot allocate %d run times", o.max_runs);
  double total = 0;
  int n = 0;
  while (n < o.max_runs && (n < o.min_runs || total < o.min_seconds * 1e3)) {
    const double t0 = rb_now_ms();
    const rb_status s = fn(ctx);
    const double dt = rb_now_ms() - t0;
    if (s != RB_OK) {
      free(ms);
      return s;
    }
    ms[n++] = dt;
    total += dt;
  }
  rb_sort_doubles(ms, n);
  t->count = n;
  t->min_ms = ms[0];
  t->max_ms = ms[n - 1];
  t->median_ms = rb_quantile(ms, n, 0.5);
  t->q1_ms = rb_quantile(ms, n, 0.25);
  t->q3_ms = rb_quantile(ms, n, 0.75);
  t->mean_ms = total / n;
  free(ms);
  return RB_OK;
}
