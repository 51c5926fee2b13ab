// A C API over Google Benchmark 1.7.1 (the C++ stays in shim.cc). Typical use:
//
//   static void bm(rb_gb_state *st, void *ctx) {
//     rb_gb_set_flops(st, 2.0 * macs);          // per iteration; reported as a rate (FLOPS)
//     while (rb_gb_keep_running(st)) work(ctx);
//   }
//   rb_gb_register("conv/ref/...", bm, ctx, &(rb_gb_options){.use_real_time = 1});
//   rb_gb_init(&argc, argv); rb_gb_run(NULL); rb_gb_shutdown();
//
// Registration and running are single-threaded (call them from one thread).
#ifndef RESBENCH_GBENCH_SHIM_H
#define RESBENCH_GBENCH_SHIM_H

#include <stddef.h>
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rb_gb_state rb_gb_state;  // a benchmark::State, valid during one call of the function
typedef void (*rb_gb_fn)(rb_gb_state *st, void *ctx);

// Per-benchmark settings; zero fields keep Google Benchmark's defaults (and its command-line flags).
typedef struct rb_gb_options {
  int use_real_time;     // time by the wall clock (needed when the work runs on other threads: OpenMP)
  double min_time;       // seconds (> 0); overrides --benchmark_min_time for this benchmark
  long long iterations;  // a fixed count (> 0) instead of the adaptive one; excludes min_time
} rb_gb_options;

// Registers fn(st, ctx) under name (copied). ctx must outlive the run. opt may be NULL.
// RB_ERR_NULL for a missing name or fn; RB_ERR_INVALID_ARG for negative options or both
// min_time and iterations.
rb_status rb_gb_register(const char *name, rb_gb_fn fn, void *ctx, const rb_gb_options *opt);
// Forgets every registered benchmark.
void rb_gb_clear(void);

// ---- Inside a benchmark function ------------------------------------------------------------

// The loop condition: nonzero while another iteration should run (0 after rb_gb_skip).
int rb_gb_keep_running(rb_gb_state *st);
// Stop / restart the timer inside the loop (setup work that must not be measured).
void rb_gb_pause(rb_gb_state *st);
void rb_gb_resume(rb_gb_state *st);
// Rate counters from per-iteration amounts: the reported value is amount * iterations / time
// (Google Benchmark's kIsIterationInvariantRate). Time is the wall clock with use_real_time,
// else the CPU time of the calling thread. Counter names: "FLOPS" and "bytes_per_second"
// (the latter as Google Benchmark's own SetBytesProcessed).
void rb_gb_set_flops(rb_gb_state *st, double flop_per_iter);
void rb_gb_set_bytes(rb_gb_state *st, double bytes_per_iter);
// Any other counter: rate != 0 makes it a per-iteration rate as above, else a plain value.
void rb_gb_set_counter(rb_gb_state *st, const char *name, double value, int rate);
void rb_gb_set_label(rb_gb_state *st, const char *label);
// Reports the benchmark as skipped with msg (SkipWithError in 1.7.1); the loop then ends at once.
// Call it before the loop (or break out of the loop yourself).
void rb_gb_skip(rb_gb_state *st, const char *msg);
long long rb_gb_max_iterations(const rb_gb_state *st);

// ---- Running ---------------------------------------------------------------------------------

// Parses and removes Google Benchmark's --benchmark_* flags from argv. RB_ERR_INVALID_ARG naming
// the first argument left over (an unknown flag).
rb_status rb_gb_init(int *argc, char **argv);
// A key: value line in the context (the header of the console output and "context" in JSON).
void rb_gb_add_context(const char *key, const char *value);
// Runs the benchmarks matching filter (a regex; NULL = --benchmark_filter) with the reporters the
// flags choose (console or --benchmark_format, --benchmark_out). Returns how many ran.
size_t rb_gb_run(const char *filter);

// One result as rb_gb_run_collect hands it over; pointers valid during the callback only.
typedef struct rb_gb_counter {
  const char *name;
  double value;  // rates already divided by the time
} rb_gb_counter;

typedef struct rb_gb_result {
  const char *name;
  const char *label;     // "" when none
  int skipped;           // rb_gb_skip was called
  const char *message;   // its message ("" when not skipped)
  long long iterations;
  double real_time_s;    // accumulated over all iterations (seconds)
  double cpu_time_s;
  const rb_gb_counter *counters;
  int counter_count;
} rb_gb_result;

typedef void (*rb_gb_result_fn)(const rb_gb_result *r, void *ctx);

// Runs the benchmarks matching filter (NULL = all) with no console output and calls fn once per
// run (aggregates left out). Returns how many ran.
size_t rb_gb_run_collect(const char *filter, rb_gb_result_fn fn, void *ctx);
// The counter's value, or NAN when r has none of that name.
double rb_gb_result_counter(const rb_gb_result *r, const char *name);

void rb_gb_shutdown(void);

#ifdef __cplusplus
}
#endif
#endif
