// Timing of repeated runs after warm-up: median, min, max, count (benchdnn style).
#ifndef RESBENCH_TIMING_H
#define RESBENCH_TIMING_H

#include "resbench/status.h"

typedef struct rb_timing {
  double median_ms, min_ms, max_ms, mean_ms;
  double q1_ms, q3_ms;  // quartiles: the interquartile range q3 - q1 is the spread beside the median
  int count;  // timed runs (warm-up runs excluded)
} rb_timing;

typedef struct rb_timing_opts {
  int warmup;          // untimed runs first (0: none); NULL opts mean rb_timing_defaults()
  double warmup_seconds;  // ... and untimed runs until this much time has passed: a run count alone
                          // leaves short kernels timed before the clock and caches have come up
  int min_runs;        // at least this many timed runs
  int max_runs;        // at most this many
  double min_seconds;  // keep running until this much timed time has passed (or max_runs)
  int rounds;          // comparisons (bench conv beside peers): alternate ours and each peer this many
                       // times, splitting min_seconds among them (0, 1: once)
} rb_timing_opts;

rb_timing_opts rb_timing_defaults(void);  // warmup 2 and 0.2 s, min_runs 5, max_runs 1000, min_seconds 0.5, rounds 5

// Runs fn(ctx) as opts say and fills t. fn's first error stops the run and is returned.
rb_status rb_time_runs(rb_status (*fn)(void *ctx), void *ctx, const rb_timing_opts *opts, rb_timing *t);

double rb_now_ms(void);  // CLOCK_MONOTONIC in ms

// The q-quantile (0 <= q <= 1) of n sorted values, linearly interpolated between the closest ranks
// (numpy's default): q = 0.5 is the median, 0.25 / 0.75 the quartiles.
double rb_quantile(const double *sorted, int n, double q);
// Sorts n values ascending, in place (for rb_quantile).
void rb_sort_doubles(double *v, int n);

#endif
