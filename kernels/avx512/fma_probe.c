// FP32 FMA peak probe, AVX-512: 24 independent zmm FMA chains (vfmadd132ps in place). Zen 4 /
// Zen 5 need latency (4) x zmm FMAs per cycle in flight; 24 leaves headroom and fits the 32 zmm
// registers beside the two broadcast operands (ANCHORS.md: ~117 GFLOP/s per core with 24).
#include <immintrin.h>

#include "resbench/probe.h"

#define WIDTH 16
// Named accumulators, not an array, so no compiler keeps them in memory.
#define CHAINS(X)                                                                                 \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17) \
  X(18) X(19) X(20) X(21) X(22) X(23)

double rb_fma_probe__avx512(long iters, float mul, float add) {
  // Accumulator i = c * 16 + l starts at i: equal chains would be merged by the compiler.
  const __m512 lane = _mm512_set_ps(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
#define DECLARE(c) __m512 acc##c = _mm512_add_ps(lane, _mm512_set1_ps((c) * WIDTH));
  CHAINS(DECLARE)
  const __m512 m = _mm512_set1_ps(mul), a = _mm512_set1_ps(add);
  for (long it = 0; it < iters; it++) {
#define STEP(c) acc##c = _mm512_fmadd_ps(acc##c, m, a);
    CHAINS(STEP)
  }
  double sum = 0;
  float v[WIDTH];
#define SUM(c)                  \
  _mm512_storeu_ps(v, acc##c);  \
  for (int l = 0; l < WIDTH; l++) sum += v[l];
  CHAINS(SUM)
  return sum;
}
