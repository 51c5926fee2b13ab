// Peak probes per measurement domain: FP32 FMA throughput and streaming memory bandwidth, with
// the domain's threads pinned (suites/topology.h). The FMA loops are kernels (kernels/<isa>/
// fma_probe.c, one per ISA, chosen like the kernel tables); this file times them.
#ifndef RESBENCH_PEAK_H
#define RESBENCH_PEAK_H

#include "resbench/status.h"
#include "topology.h"

typedef struct rb_peak {
  rb_domain_kind domain;
  int threads;
  double fma_gflops;    // FP32, 2 FLOP per FMA, best of the repeated runs
  const char *fma_isa;  // the widest FMA the CPU runs: "avx512" (zmm), "neon", "ref" (compiler's)
  double stream_gbs;    // STREAM triad a[i] = b[i] + s * c[i], 3 x 4 bytes per element, best run
  double seconds;       // time the probes took
  size_t stream_array_bytes;  // size of each of the three triad arrays
} rb_peak;

// Measures one domain: binds its threads (rb_domain_bind), runs the probes. quick = 1 shortens
// the runs (for tests): the numbers are then rough.
rb_status rb_peak_measure(const rb_topology *t, const rb_domain *d, int quick, rb_peak *p);

#endif
