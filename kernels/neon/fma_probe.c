// FP32 FMA peak probe, NEON: 24 independent q-register FMA chains (Neoverse V1/V2: 4 cycles
// latency x up to 4 FMA pipes = 16 in flight; 24 leaves headroom and fits the 32 v registers).
// fmla accumulates into its destination, so the step is x = x + mul * add (probe.h): the other
// form, x * mul + add, would need a register copy of add before every fmla.
#include <arm_neon.h>

#include "resbench/probe.h"

#define WIDTH 4
// Named accumulators, not an array: GCC kept an array of 24 q registers in memory.
#define CHAINS(X)                                                                                 \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17) \
  X(18) X(19) X(20) X(21) X(22) X(23)

double rb_fma_probe__neon(long iters, float mul, float add) {
  // Accumulator i = c * 4 + l starts at i: equal chains would be merged by the compiler.
  const float lane_init[WIDTH] = {0, 1, 2, 3};
  const float32x4_t lane = vld1q_f32(lane_init);
#define DECLARE(c) float32x4_t acc##c = vaddq_f32(lane, vdupq_n_f32((c) * WIDTH));
  CHAINS(DECLARE)
  const float32x4_t m = vdupq_n_f32(mul), a = vdupq_n_f32(add);
  for (long it = 0; it < iters; it++) {
#define STEP(c) acc##c = vfmaq_f32(acc##c, m, a);
    CHAINS(STEP)
  }
  double sum = 0;
  float v[WIDTH];
#define SUM(c)             \
  vst1q_f32(v, acc##c);    \
  for (int l = 0; l < WIDTH; l++) sum += v[l];
  CHAINS(SUM)
  return sum;
}
