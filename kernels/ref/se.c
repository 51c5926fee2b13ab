// Squeeze-and-excitation (ref) and the grouped FC it is made of.
#include <math.h>

#include "ref_kernels.h"

void rb_fc__ref(int n, int in_f, int out_f, int groups, const float *in, const float *w,
                const float *bias, int relu, float *out) {
  const int ig = in_f / groups, og = out_f / groups;
  // One output per iteration, summed in a fixed order: deterministic for any thread count.
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * out_f * ig >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int o = 0; o < out_f; o++) {
      const float *x = in + (size_t)i * in_f + (size_t)(o / og) * ig;
      const float *wo = w + (size_t)o * ig;
      float s = 0.0f;
      for (int j = 0; j < ig; j++) s += wo[j] * x[j];
      if (bias) s += bias[o];
      out[(size_t)i * out_f + o] = relu && s < 0.0f ? 0.0f : s;
    }
}

void rb_se__ref(const rb_se_desc *d, const float *in, const float *w1, const float *b1,
                const float *w2, const float *b2, float *workspace, float *out) {
  const int n = d->n, c = d->c;
  const size_t hw = (size_t)d->h * d->w;
  float *pooled = workspace;                    // [n][c]: the squeeze, later the gate
  float *hidden = workspace + (size_t)n * c;    // [n][reduced]

  rb_global_avgpool__ref(n, (int)hw, c, in, pooled);
  rb_fc__ref(n, c, d->reduced, d->groups, pooled, w1, b1, 1, hidden);
  rb_fc__ref(n, d->reduced, c, d->groups, hidden, w2, b2, 0, pooled);
  for (size_t i = 0; i < (size_t)n * c; i++) pooled[i] = rb_sigmoid1__ref(pooled[i]);

  // The whole squeeze is done before the first write, so in may equal out.
  for (int i = 0; i < n; i++) {
    const float *gate = pooled + (size_t)i * c;
#pragma omp parallel for schedule(static) if (hw * c >= (1u << 16))
    for (size_t p = 0; p < hw; p++) {
      const size_t o = ((size_t)i * hw + p) * c;
      for (int ch = 0; ch < c; ch++) out[o + ch] = in[o + ch] * gate[ch];
    }
  }
}
