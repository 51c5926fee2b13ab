// Direct convolution, reference: any kernel size, stride, asymmetric padding, dilation, groups.
// Weights are packed per group as [kh][kw][cin/g][cout/g] so the innermost loop runs over
// contiguous output channels, matching NHWC output (and vectorizing without intrinsics).
#include <string.h>

#include "ref_kernels.h"

static rb_status direct_supports(const rb_conv_desc *d) {
  (void)d;
  return RB_OK;  // every valid descriptor
}

static size_t direct_packed_size(const rb_conv_desc *d) {
  return rb_conv_weight_count(d);
}

static void direct_pack(const rb_conv_desc *d, const float *w_oihw, float *packed) {
  const int cig = d->cin / d->groups, cog = d->cout / d->groups;
  for (int g = 0; g < d->groups; g++)
    for (int co = 0; co < cog; co++)
      for (int ci = 0; ci < cig; ci++)
        for (int ky = 0; ky < d->kh; ky++)
          for (int kx = 0; kx < d->kw; kx++) {
            const size_t src = (((size_t)(g * cog + co) * cig + ci) * d->kh + ky) * d->kw + kx;
            const size_t dst = ((((size_t)g * d->kh + ky) * d->kw + kx) * cig + ci) * cog + co;
            packed[dst] = w_oihw[src];
          }
}

static size_t direct_workspace_size(const rb_conv_desc *d) {
  (void)d;
  return 0;  // the output row is the accumulator
}

static void direct_run(const rb_conv_desc *d, const float *in, const float *packed, const rb_epilogue *e,
                       float *workspace, float *out) {
  (void)workspace;
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d);
  const int cig = d->cin / d->groups, cog = d->cout / d->groups;
#pragma omp parallel for collapse(2) schedule(static)
  for (int n = 0; n < d->n; n++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        float *o = out + (((size_t)n * oh + y) * ow + x) * d->cout;
        memset(o, 0, (size_t)d->cout * sizeof(float));
        for (int g = 0; g < d->groups; g++) {
          float *og = o + (size_t)g * cog;
          for (int ky = 0; ky < d->kh; ky++) {
            const int iy = y * d->stride_h - d->pad_top + ky * d->dil_h;
            if (iy < 0 || iy >= d->h) continue;  // padding taps contribute zero
            for (int kx = 0; kx < d->kw; kx++) {
              const int ix = x * d->stride_w - d->pad_left + kx * d->dil_w;
              if (ix < 0 || ix >= d->w) continue;
              const float *src = in + (((size_t)n * d->h + iy) * d->w + ix) * d->cin + (size_t)g * cig;
              const float *wk = packed + (((size_t)g * d->kh + ky) * d->kw + kx) * cig * cog;
              for (int ci = 0; ci < cig; ci++) {
                const float a = src[ci];
                const float *wr = wk + (size_t)ci * cog;
                for (int co = 0; co < cog; co++) og[co] += a * wr[co];
              }
            }
          }
        }
        const float *res = e->residual ? e->residual + (o - out) : NULL;
        for (int c = 0; c < d->cout; c++) {
          float v = o[c];
          if (e->bias) v += e->bias[c];
          if (res) v += res[c];
          if (e->relu && v < 0) v = 0;
          o[c] = v;
        }
      }
}

const rb_conv_kernel rb_conv_direct__ref = {
    .name = "rb_conv_direct__ref",
    .supports = direct_supports,
    .packed_size = direct_packed_size,
    .pack = direct_pack,
    .workspace_size = direct_workspace_size,
    .run = direct_run,
};
