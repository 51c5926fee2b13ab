// Pooling (ref) with PyTorch's semantics: MaxPool2d, AvgPool2d (count_include_pad, ceil_mode)
// and the global average pool in front of SE and the classifier.
#include <math.h>

#include "../pool_window.h"
#include "ref_kernels.h"
#include "resbench/ops.h"

enum { CBLK = 64 };  // channels summed together: the rows of one NHWC pixel stream through cache

void rb_global_avgpool__ref(int n, int hw, int c, const float *in, float *out) {
  const int nblk = (c + CBLK - 1) / CBLK;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * c >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int b = 0; b < nblk; b++) {
      const int c0 = b * CBLK, cn = c - c0 < CBLK ? c - c0 : CBLK;
      float acc[CBLK] = {0};
      for (int p = 0; p < hw; p++) {
        const float *x = in + ((size_t)i * hw + p) * c + c0;
        for (int j = 0; j < cn; j++) acc[j] += x[j];
      }
      // Divide, not multiply by 1/hw: one rounding instead of two.
      for (int j = 0; j < cn; j++) out[(size_t)i * c + c0 + j] = acc[j] / (float)hw;
    }
}

void rb_maxpool__ref(const rb_pool_desc *d, const float *in, float *out) {
  const int oh = rb_pool_out_h(d), ow = rb_pool_out_w(d), c = d->c;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)d->n * oh * ow * c >= (1u << 14))
  for (int i = 0; i < d->n; i++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int y0, y1, x0, x1;
        rb_pool_window(y, d->kh, d->stride_h, d->pad_h, d->h, &y0, &y1);
        rb_pool_window(x, d->kw, d->stride_w, d->pad_w, d->w, &x0, &x1);
        float *o = out + (((size_t)i * oh + y) * ow + x) * c;
        for (int ch = 0; ch < c; ch++) o[ch] = -INFINITY;  // padding never wins
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            const float *v = in + (((size_t)i * d->h + iy) * d->w + ix) * c;
            for (int ch = 0; ch < c; ch++)
              if (v[ch] > o[ch] || isnan(v[ch])) o[ch] = v[ch];  // NaN propagates, as in PyTorch
          }
      }
}

void rb_avgpool__ref(const rb_pool_desc *d, const float *in, float *out) {
  const int oh = rb_pool_out_h(d), ow = rb_pool_out_w(d), c = d->c;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)d->n * oh * ow * c >= (1u << 14))
  for (int i = 0; i < d->n; i++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int y0, y1, x0, x1;
        const int ph = rb_pool_window(y, d->kh, d->stride_h, d->pad_h, d->h, &y0, &y1);
        const int pw = rb_pool_window(x, d->kw, d->stride_w, d->pad_w, d->w, &x0, &x1);
        float *o = out + (((size_t)i * oh + y) * ow + x) * c;
        for (int ch = 0; ch < c; ch++) o[ch] = 0.0f;
        // Empty windows cannot pass rb_pool_desc_check (pad <= k/2, and ceil mode never starts
        // a window in the trailing padding); PyTorch writes 0 for them.
        if (y0 >= y1 || x0 >= x1) continue;
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            const float *v = in + (((size_t)i * d->h + iy) * d->w + ix) * c;
            for (int ch = 0; ch < c; ch++) o[ch] += v[ch];
          }
        const float div = (float)(d->count_include_pad ? ph * pw : (y1 - y0) * (x1 - x0));
        for (int ch = 0; ch < c; ch++) o[ch] /= div;
      }
}
