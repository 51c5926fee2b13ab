// Element-wise kernels (ref): the residual add of every ResNet block, the SE scale fused with it,
// exp and sigmoid.
#include "ref_kernels.h"

void rb_add__ref(size_t count, const float *a, const float *b, int relu, float *out) {
  // Each element is read before it is written, so out may alias a or b.
#pragma omp parallel for schedule(static) if (count >= (1u << 16))
  for (size_t i = 0; i < count; i++) {
    const float s = a[i] + b[i];
    out[i] = relu && s < 0.0f ? 0.0f : s;  // not fmaxf: a NaN must stay visible
  }
}

void rb_scale_add__ref(int n, int hw, int c, const float *x, const float *gate, const float *residual, int relu,
                       float *out) {
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * c >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int p = 0; p < hw; p++) {
      const size_t o = ((size_t)i * hw + p) * c;
      for (int ch = 0; ch < c; ch++) {
        const float s = x[o + ch] * gate[(size_t)i * c + ch] + (residual ? residual[o + ch] : 0.0f);
        out[o + ch] = relu && s < 0.0f ? 0.0f : s;
      }
    }
}

void rb_vexp__ref(size_t count, const float *in, float *out) {
  for (size_t i = 0; i < count; i++) out[i] = expf(in[i]);
}

void rb_sigmoid__ref(size_t count, const float *in, float *out) {
  for (size_t i = 0; i < count; i++) out[i] = rb_sigmoid1__ref(in[i]);
}
