// ResNeSt split attention (ref): rSoftMax over the radix splits, then the weighted split sum.
#include <math.h>

#include "ref_kernels.h"

void rb_radix_softmax__ref(int n, int cardinality, int radix, int channels, const float *in, float *out) {
  const int rest = channels / cardinality;
  const size_t row = (size_t)radix * channels;
  for (int i = 0; i < n; i++) {
    const float *x = in + i * row;
    float *y = out + i * row;
    if (radix == 1) {  // rSoftMax skips the view: a plain sigmoid, same order
      for (int j = 0; j < channels; j++) y[j] = rb_sigmoid1__ref(x[j]);
      continue;
    }
    // x.view(card, radix, rest).transpose(0, 1): element (g, r, j) moves to (r, g, j).
    for (int g = 0; g < cardinality; g++)
      for (int j = 0; j < rest; j++) {
        const float *xs = x + (size_t)g * radix * rest + j;  // stride rest over r
        float *ys = y + (size_t)g * rest + j;                // stride channels over r
        float m = xs[0];
        for (int r = 1; r < radix; r++) m = fmaxf(m, xs[(size_t)r * rest]);
        float s = 0.0f;
        for (int r = 0; r < radix; r++) {
          const float e = expf(xs[(size_t)r * rest] - m);  // <= 1: no overflow
          ys[(size_t)r * channels] = e;
          s += e;
        }
        for (int r = 0; r < radix; r++) ys[(size_t)r * channels] /= s;
      }
  }
}

void rb_split_sum__ref(int n, int hw, int radix, int channels, const float *x, const float *att, float *out) {
  const size_t row = (size_t)radix * channels;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * row >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int p = 0; p < hw; p++) {
      const float *xp = x + ((size_t)i * hw + p) * row;
      const float *a = att + (size_t)i * row;
      float *o = out + ((size_t)i * hw + p) * channels;
      for (int c = 0; c < channels; c++) {
        float s = 0.0f;
        for (int r = 0; r < radix; r++) s += a[(size_t)r * channels + c] * xp[(size_t)r * channels + c];
        o[c] = s;
      }
    }
}
