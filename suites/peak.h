// Peak probes per measurement domain: FP32 FMA throughput and streaming memory bandwidth, with
// the domain's threads pinned (suites/topology.h). The FMA loops are kernels (kernels/<isa>/
// fma_probe.c, one per ISA, chosen like the kernel tables); this file times them.
#ifndef RESBENCH_PEAK_H
#define RESBENCH_PEAK_H

#include "resbench/status.h"
#include "topology.h"

#include "resbench/kernels.h"

typedef struct rb_peak {
  rb_domain_kind domain;
  int threads;
  int measured;         // 0 after rb_peak_skip (--no-peak): every figure is 0, reports say "not measured"
  // The widest FMA the CPU runs ("avx512" zmm, "avx2" ymm, "neon", "ref" compiler's): the physical
  // limit, which peak_pct is against whatever kernel table is measured. FP32, 2 FLOP per FMA.
  const char *fma_isa;
  double fma_gflops;    // best of the timed runs
  double fma_min_gflops, fma_median_gflops;  // their spread
  int fma_runs;
  double warmup_seconds;  // sustained FMA load before the timed runs (this VM needs ~1 s)
  // Each asked ISA's own probe, best run (0 where not asked or the CPU lacks it): the "% of the
  // kernel ISA's own peak", labelled as such. isa_gflops[fma_isa's ISA] == fma_gflops.
  double isa_gflops[RB_ISA_COUNT];
  double stream_gbs;    // STREAM triad a[i] = b[i] + s * c[i], 3 x 4 bytes per element, best run
  double seconds;       // time the probes took
  size_t stream_array_bytes;  // size of each of the three triad arrays
} rb_peak;

// Measures one domain: binds its threads (rb_domain_bind), warms up for >= 1 s, times the widest
// FMA probe, then the probe of each ISA in isa_mask (bit 1 << rb_isa; 0 for none), then the triad.
// quick = 1 shortens every run (for tests): the numbers are then rough.
rb_status rb_peak_measure(const rb_topology *t, const rb_domain *d, int quick, unsigned isa_mask, rb_peak *p);
// The record of a domain whose peak is not measured (--no-peak).
void rb_peak_skip(const rb_domain *d, rb_peak *p);
// 100 x gflops / the widest peak, or of the ISA's own probe (rb_peak_isa_pct); NAN when not measured.
double rb_peak_pct(const rb_peak *p, double gflops);
double rb_peak_isa_pct(const rb_peak *p, rb_isa isa, double gflops);

#endif
