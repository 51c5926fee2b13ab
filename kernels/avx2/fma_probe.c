// FP32 FMA peak probe, AVX2: 12 independent ymm FMA chains (vfmadd132ps in place). Two FMA
// units x latency 4 need 8 in flight; 12 leaves headroom and, with the two broadcast operands,
// fits x86-64's 16 ymm registers (more chains would spill and read low).
#include <immintrin.h>

#include "resbench/probe.h"

#define WIDTH 8
// Named accumulators, not an array, so no compiler keeps them in memory.
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

double rb_fma_probe__avx2(long iters, float mul, float add) {
  // Accumulator i = c * 8 + l starts at i: equal chains would be merged by the compiler.
  const __m256 lane = _mm256_set_ps(7, 6, 5, 4, 3, 2, 1, 0);
#define DECLARE(c) __m256 acc##c = _mm256_add_ps(lane, _mm256_set1_ps((c) * WIDTH));
  CHAINS(DECLARE)
  const __m256 m = _mm256_set1_ps(mul), a = _mm256_set1_ps(add);
  for (long it = 0; it < iters; it++) {
#define STEP(c) acc##c = _mm256_fmadd_ps(acc##c, m, a);
    CHAINS(STEP)
  }
  double sum = 0;
  float v[WIDTH];
#define SUM(c)                  \
  _mm256_storeu_ps(v, acc##c);  \
  for (int l = 0; l < WIDTH; l++) sum += v[l];
  CHAINS(SUM)
  return sum;
}
