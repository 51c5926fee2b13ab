// FP32 FMA throughput probes, one per ISA (kernels/<isa>/fma_probe.c), and what the CPU itself
// runs (independent of which kernel tables this build has). suites/peak.c times the probes.
#ifndef RESBENCH_PROBE_H
#define RESBENCH_PROBE_H

#include <stddef.h>

#include "resbench/kernels.h"
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// What one step does to each accumulator x.
typedef enum rb_fma_step {
  RB_FMA_MULADD = 0,  // x = x * mul + add (x86 vfmadd132ps in place; the ref's plain C)
  RB_FMA_ACCUMULATE,  // x = x + mul * add (NEON fmla accumulates into its destination)
} rb_fma_step;

// Runs iters steps on each of the probe's `lanes` independent float accumulators (the SIMD
// lanes of its chains); accumulator i starts at (float)i. Returns the sum of the final
// accumulators (in double), so the loop cannot be dropped and a test can check the arithmetic:
// with mul = 1 and add = 2^-k both step forms give exactly lanes * (lanes - 1) / 2 +
// lanes * iters * add while the values stay below 2^(24-k). FLOPs done: 2 * lanes * iters.
typedef double (*rb_fma_probe_fn)(long iters, float mul, float add);

typedef struct rb_fma_probe {
  rb_isa isa;
  const char *name;    // rb_fma_probe__<isa>
  const char *chains;  // for reports: "24 zmm FMA chains"
  int lanes;           // independent accumulators (chains x SIMD width)
  rb_fma_step step;
  rb_fma_probe_fn run;
} rb_fma_probe;

// The probes themselves (kernels/<isa>/fma_probe.c; a build has the ref one and its
// architecture's). Call them through rb_fma_probe_get, which checks that the CPU runs them.
double rb_fma_probe__ref(long iters, float mul, float add);
double rb_fma_probe__avx2(long iters, float mul, float add);
double rb_fma_probe__avx512(long iters, float mul, float add);
double rb_fma_probe__neon(long iters, float mul, float add);

// The probe of an ISA: RB_ERR_UNSUPPORTED (saying why) when this build or this CPU lacks it.
// Unlike rb_kernels_get, it needs only the probe, not the ISA's whole kernel table.
rb_status rb_fma_probe_get(rb_isa isa, const rb_fma_probe **p);
// The widest probe this CPU runs (avx512, else avx2, else neon, else ref): the physical FMA limit,
// whichever kernel table is measured.
const rb_fma_probe *rb_fma_probe_best(void);

// Whether the CPU and OS run the ISA's instructions (AVX2 + FMA with ymm state enabled; AVX-512
// F/BW/VL/DQ with zmm state enabled; Advanced SIMD), whatever kernels this build has.
// RESBENCH_MAX_ISA=avx2 (say) caps it: the ISAs past avx2 then read as absent, as on an AVX2-only CPU.
int rb_cpu_supports(rb_isa isa);
// The CPU's SIMD feature names, space-separated, as the kernel-side detection sees them
// ("avx2 fma avx512f avx512cd avx512bw ..." on x86-64; "asimd fphp asimdhp asimddp sve ..." on
// aarch64); "" when none are known.
const char *rb_cpu_simd_features(void);

#ifdef __cplusplus
}
#endif
#endif
