// FP32 FMA peak probe, portable C: what the compiler makes of independent multiply-add chains
// at its baseline (SSE2 mul + add on x86-64, fmla on aarch64). 48 lanes = 12 SSE / NEON
// registers, which leaves room for the two operands in x86-64's 16.
#include "resbench/probe.h"

#define LANES 48

double rb_fma_probe__ref(long iters, float mul, float add) {
  float acc[LANES];
  for (int i = 0; i < LANES; i++) acc[i] = (float)i;  // distinct, so no chains are merged
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 48
    for (int i = 0; i < LANES; i++) acc[i] = acc[i] * mul + add;
  }
  double sum = 0;
  for (int i = 0; i < LANES; i++) sum += acc[i];
  return sum;
}
