// Google Benchmark 1.7.1 behind the C API of shim.h.
#include "shim.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

benchmark::State &S(rb_gb_state *st) { return *reinterpret_cast<benchmark::State *>(st); }

// Hands each run to a C callback; prints nothing.
class CollectReporter : public benchmark::BenchmarkReporter {
 public:
  CollectReporter(rb_gb_result_fn fn, void *ctx) : fn_(fn), ctx_(ctx) {}
  bool ReportContext(const Context &) override { return true; }
  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      std::string name = run.benchmark_name();
      std::vector<rb_gb_counter> counters;
      for (const auto &kv : run.counters) counters.push_back({kv.first.c_str(), kv.second.value});
      rb_gb_result r{};
      r.name = name.c_str();
      r.label = run.report_label.c_str();
      r.skipped = run.error_occurred;
      r.message = run.error_message.c_str();
      r.iterations = static_cast<long long>(run.iterations);
      r.real_time_s = run.real_accumulated_time;
      r.cpu_time_s = run.cpu_accumulated_time;
      r.counters = counters.data();
      r.counter_count = static_cast<int>(counters.size());
      fn_(&r, ctx_);
    }
  }

 private:
  rb_gb_result_fn fn_;
  void *ctx_;
};

}  // namespace

extern "C" {

rb_status rb_gb_register(const char *name, rb_gb_fn fn, void *ctx, const rb_gb_options *opt) {
  if (!name || !fn) return rb_fail(RB_ERR_NULL, "rb_gb_register: %s is NULL", !name ? "name" : "fn");
  rb_gb_options o{};
  if (opt) o = *opt;
  if (o.min_time < 0 || o.iterations < 0)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_gb_register %s: min_time %g and iterations %lld must be >= 0", name,
                   o.min_time, o.iterations);
  if (o.min_time > 0 && o.iterations > 0)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_gb_register %s: give min_time (%g) or iterations (%lld), not both", name,
                   o.min_time, o.iterations);
  auto *b = benchmark::RegisterBenchmark(
      name, [fn, ctx](benchmark::State &st) { fn(reinterpret_cast<rb_gb_state *>(&st), ctx); });
  if (o.use_real_time) b->UseRealTime();
  if (o.min_time > 0) b->MinTime(o.min_time);
  if (o.iterations > 0) b->Iterations(o.iterations);
  return RB_OK;
}

void rb_gb_clear(void) { benchmark::ClearRegisteredBenchmarks(); }

int rb_gb_keep_running(rb_gb_state *st) { return S(st).KeepRunning(); }
void rb_gb_pause(rb_gb_state *st) { S(st).PauseTiming(); }
void rb_gb_resume(rb_gb_state *st) { S(st).ResumeTiming(); }

void rb_gb_set_counter(rb_gb_state *st, const char *name, double value, int rate) {
  S(st).counters[name] =
      benchmark::Counter(value, rate ? benchmark::Counter::kIsIterationInvariantRate : benchmark::Counter::kDefaults);
}

void rb_gb_set_flops(rb_gb_state *st, double flop_per_iter) { rb_gb_set_counter(st, "FLOPS", flop_per_iter, 1); }

void rb_gb_set_bytes(rb_gb_state *st, double bytes_per_iter) {
  // kIs1024 as SetBytesProcessed: the console shows MiB/s, the JSON the plain value.
  S(st).counters["bytes_per_second"] = benchmark::Counter(
      bytes_per_iter, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::OneK::kIs1024);
}

void rb_gb_set_label(rb_gb_state *st, const char *label) { S(st).SetLabel(label ? label : ""); }
void rb_gb_skip(rb_gb_state *st, const char *msg) { S(st).SkipWithError(msg ? msg : "skipped"); }
long long rb_gb_max_iterations(const rb_gb_state *st) {
  return static_cast<long long>(reinterpret_cast<const benchmark::State *>(st)->max_iterations);
}

rb_status rb_gb_init(int *argc, char **argv) {
  if (!argc || !argv) return rb_fail(RB_ERR_NULL, "rb_gb_init: %s is NULL", !argc ? "argc" : "argv");
  benchmark::Initialize(argc, argv);
  if (*argc > 1) return rb_fail(RB_ERR_INVALID_ARG, "unknown argument '%s' (Google Benchmark flags only: --help)", argv[1]);
  return RB_OK;
}

void rb_gb_add_context(const char *key, const char *value) {
  benchmark::AddCustomContext(key ? key : "", value ? value : "");
}

size_t rb_gb_run(const char *filter) {
  return filter ? benchmark::RunSpecifiedBenchmarks(std::string(filter)) : benchmark::RunSpecifiedBenchmarks();
}

size_t rb_gb_run_collect(const char *filter, rb_gb_result_fn fn, void *ctx) {
  if (!fn) return 0;
  CollectReporter rep(fn, ctx);
  return benchmark::RunSpecifiedBenchmarks(&rep, std::string(filter ? filter : "."));
}

double rb_gb_result_counter(const rb_gb_result *r, const char *name) {
  for (int i = 0; r && name && i < r->counter_count; i++)
    if (std::strcmp(r->counters[i].name, name) == 0) return r->counters[i].value;
  return NAN;
}

void rb_gb_shutdown(void) { benchmark::Shutdown(); }

}  // extern "C"
