// Peak probes of a measurement domain, its threads pinned: FP32 FMA throughput (the widest FMA
// probe, kernels/<isa>/fma_probe.c, on every thread at once) and STREAM triad bandwidth.
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "peak.h"
#include "resbench/probe.h"
#include "timing.h"

#define MIB ((size_t)1 << 20)

static double now_s(void) { return rb_now_ms() * 1e-3; }

// Written so the probe sums are used; never read.
static volatile double probe_sink;

// One timed run of the probe on every thread at once: FLOP/s of the whole domain. The clock
// runs from a barrier all threads have passed to a barrier all threads have reached.
static double fma_run(const rb_fma_probe *probe, int threads, long iters) {
  double t0 = 0, t1 = 0, sum = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sum)
  {
#pragma omp barrier
#pragma omp master
    t0 = now_s();
#pragma omp barrier
    sum += probe->run(iters, 1.0f, 0x1p-20f);  // any values: the timing does not depend on them
#pragma omp barrier
#pragma omp master
    t1 = now_s();
  }
  probe_sink = sum;
  return 2.0 * probe->lanes * (double)iters * threads / (t1 - t0);
}

// Runs of ~target seconds; the first (untimed) run sizes them. Returns the best in GFLOP/s;
// min, median and count (the spread) where not NULL.
static double fma_peak(const rb_fma_probe *probe, int threads, int quick, double *min, double *median, int *count) {
  enum { RUNS = 5 };
  const double target = quick ? 0.01 : 0.2;
  const int runs = quick ? 2 : RUNS;
  long iters = quick ? 2000 : 20000;
  const double rate = fma_run(probe, threads, iters);  // FLOP/s
  // iters per run so that one run takes ~target seconds at the calibration rate.
  const double want = target * rate / (2.0 * probe->lanes * threads);
  iters = want < 1000 ? 1000 : want > 1e10 ? (long)1e10 : (long)want;
  double f[RUNS];
  for (int r = 0; r < runs; r++) f[r] = fma_run(probe, threads, iters) * 1e-9;
  rb_sort_doubles(f, runs);
  if (min) *min = f[0];
  if (median) *median = rb_quantile(f, runs, 0.5);
  if (count) *count = runs;
  return f[runs - 1];
}

// Sustained FMA load until `seconds` have passed: this VM runs slow for about its first second.
static double fma_warmup(const rb_fma_probe *probe, int threads, double seconds) {
  const double t0 = now_s();
  long iters = 1000;
  while (now_s() - t0 < seconds) {
    const double t = now_s();
    fma_run(probe, threads, iters);
    if (now_s() - t < 0.05) iters *= 2;  // slices of ~0.05-0.1 s keep the check cheap
  }
  return now_s() - t0;
}

// Each triad array: 4x the machine's L3 (at least 64 MiB) so no cache holds them, but at most
// 1 GiB and 1/16 of the memory (the three arrays stay under 1/5 of it). Quick: 8 MiB, rough.
static size_t stream_array_bytes(const rb_topology *t, int quick) {
  if (quick) return 8 * MIB;
  const rb_topology_counts c = rb_topology_get_counts(t);
  size_t want = 4 * c.l3_bytes * (size_t)(c.l3_domains > 0 ? c.l3_domains : 1);
  if (want < 64 * MIB) want = 64 * MIB;
  size_t cap = 1024 * MIB;
  const size_t mem = rb_topology_memory_bytes(t);
  if (mem / 16 >= 64 * MIB && mem / 16 < cap) cap = mem / 16;
  const size_t bytes = want < cap ? want : cap;
  return bytes / (2 * MIB) * (2 * MIB);
}

// STREAM triad a = b + s * c, best pass. GB/s = 3 x 4 bytes x n / time: the write-allocate read
// of a is not counted (as STREAM counts), so the memory actually moves up to 4 x 4 bytes x n.
static rb_status stream_peak(int threads, size_t bytes, int quick, double *gbs) {
  const size_t n = bytes / sizeof(float);
  float *a = aligned_alloc(2 * MIB, bytes), *b = aligned_alloc(2 * MIB, bytes), *c = aligned_alloc(2 * MIB, bytes);
  if (!a || !b || !c) {
    free(a), free(b), free(c);
    return rb_fail(RB_ERR_NOMEM, "stream probe: cannot allocate 3 x %zu MiB", bytes / MIB);
  }
  // Huge pages where the kernel grants them (THP "madvise" mode): 512x fewer first-touch faults,
  // which dominated the probe's time on a VM, and fewer TLB misses while streaming.
  madvise(a, bytes, MADV_HUGEPAGE), madvise(b, bytes, MADV_HUGEPAGE), madvise(c, bytes, MADV_HUGEPAGE);
  // First touch by the pinned threads, with the triad's own static schedule: each thread's
  // pages are then on its NUMA node and it streams its own part.
#pragma omp parallel for schedule(static) num_threads(threads)
  for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = 2, c[i] = 0.5f;
  const float s = 3;
  const int passes = quick ? 3 : 10;
  double best = 0;
  for (int r = 0; r < passes; r++) {
    double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp barrier
#pragma omp master
      t0 = now_s();
#pragma omp barrier
#pragma omp for simd schedule(static)
      for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
#pragma omp master
      t1 = now_s();
    }
    const double rate = 3.0 * sizeof(float) * (double)n / (t1 - t0) * 1e-9;
    if (r > 0 && rate > best) best = rate;  // the first pass is a warm-up, as in STREAM
  }
  // The triad really ran: 2 + 3 x 0.5 everywhere (exact in float); check a spread of elements.
  rb_status st = RB_OK;
  for (size_t k = 0; k <= 96 && st == RB_OK; k++) {
    const size_t i = k * (n - 1) / 96;  // first, last and 95 between
    if (a[i] != 3.5f) st = rb_fail(RB_ERR_INVALID_ARG, "stream probe: a[%zu] = %g, want 3.5", i, (double)a[i]);
  }
  free(a), free(b), free(c);
  *gbs = best;
  return st;
}

void rb_peak_skip(const rb_domain *d, rb_peak *p) {
  memset(p, 0, sizeof *p);
  p->domain = d->kind;
  p->threads = d->threads;
}

double rb_peak_pct(const rb_peak *p, double gflops) {
  return p->measured && p->fma_gflops > 0 ? 100 * gflops / p->fma_gflops : NAN;
}

double rb_peak_isa_pct(const rb_peak *p, rb_isa isa, double gflops) {
  return p->measured && (unsigned)isa < RB_ISA_COUNT && p->isa_gflops[isa] > 0 ? 100 * gflops / p->isa_gflops[isa]
                                                                              : NAN;
}

rb_status rb_peak_measure(const rb_topology *t, const rb_domain *d, int quick, unsigned isa_mask, rb_peak *p) {
  if (!t || !d || !p) return rb_fail(RB_ERR_NULL, "rb_peak_measure: NULL argument");
  const double start = now_s();
  rb_peak_skip(d, p);
  rb_status s = rb_domain_bind(t, d);
  if (s != RB_OK) return s;
  const rb_fma_probe *probe = rb_fma_probe_best();
  p->fma_isa = rb_isa_name(probe->isa);
  p->warmup_seconds = fma_warmup(probe, d->threads, quick ? 0.05 : 1.0);
  p->fma_gflops = fma_peak(probe, d->threads, quick, &p->fma_min_gflops, &p->fma_median_gflops, &p->fma_runs);
  p->isa_gflops[probe->isa] = p->fma_gflops;
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_fma_probe *own;
    if (!(isa_mask & (1u << i)) || i == (int)probe->isa || !rb_cpu_supports((rb_isa)i) ||
        rb_fma_probe_get((rb_isa)i, &own) != RB_OK) continue;
    p->isa_gflops[i] = fma_peak(own, d->threads, quick, NULL, NULL, NULL);
  }
  p->measured = 1;
  p->stream_array_bytes = stream_array_bytes(t, quick);
  s = stream_peak(d->threads, p->stream_array_bytes, quick, &p->stream_gbs);
  p->seconds = now_s() - start;
  if (s == RB_OK && !(isfinite(p->fma_gflops) && p->fma_gflops > 0 && isfinite(p->stream_gbs) && p->stream_gbs > 0))
    s = rb_fail(RB_ERR_INVALID_ARG, "peak of domain '%s': FMA %g GFLOP/s, triad %g GB/s (clock trouble?)", d->name,
                p->fma_gflops, p->stream_gbs);
  return s;
}
