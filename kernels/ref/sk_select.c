// SKNet branch selection (ref): timm SelectiveKernelAttn's softmax over paths, then the weighted sum.
#include <math.h>

#include "ref_kernels.h"

void rb_sk_select__ref(int n, int hw, int paths, int channels, const float *const *branches,
                       const float *logits, float *workspace, float *out) {
  // fc_select output [n][paths*channels] viewed as [n][paths][channels]; softmax over paths.
  const size_t row = (size_t)paths * channels;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < channels; c++) {
      const float *l = logits + i * row + c;
      float *a = workspace + i * row + c;
      float m = l[0];
      for (int p = 1; p < paths; p++) m = fmaxf(m, l[(size_t)p * channels]);
      float s = 0.0f;
      for (int p = 0; p < paths; p++) {
        a[(size_t)p * channels] = expf(l[(size_t)p * channels] - m);  // <= 1: no overflow
        s += a[(size_t)p * channels];
      }
      for (int p = 0; p < paths; p++) a[(size_t)p * channels] /= s;
    }

#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * row >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int q = 0; q < hw; q++) {
      const size_t o = ((size_t)i * hw + q) * channels;
      const float *a = workspace + i * row;
      for (int c = 0; c < channels; c++) {
        float s = 0.0f;
        for (int p = 0; p < paths; p++) s += a[(size_t)p * channels + c] * branches[p][o + c];
        out[o + c] = s;
      }
    }
}
