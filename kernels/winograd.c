// Winograd F(m x m, 3x3), m = 2, 4, 6: the transform matrices, their interpolation points and the
// 1-D transforms, shared by ref's kernels (kernels/ref/conv_winograd.c), the engine's Winograd
// driver and its per-ISA transforms (kernels/winograd_engine.c, kernels/wino_transforms.h), and
// the tests. See winograd.h.
#include <math.h>

#include "resbench/conv.h"
#include "winograd.h"
#include "winograd_matrices.h"

int rb_winograd_alpha(int m) { return m == 2 || m == 4 || m == 6 ? m + 2 : 0; }

int rb_winograd_matrices(int m, const double **AT, const double **G, const double **BT) {
  const double *at = NULL, *g = NULL, *bt = NULL;
  switch (m) {
    case 2: at = rb_wm_f2_AT, g = rb_wm_f2_G, bt = rb_wm_f2_BT; break;
    case 4: at = rb_wm_f4_AT, g = rb_wm_f4_G, bt = rb_wm_f4_BT; break;
    case 6: at = rb_wm_f6_AT, g = rb_wm_f6_G, bt = rb_wm_f6_BT; break;
  }
  if (AT) *AT = at;
  if (G) *G = g;
  if (BT) *BT = bt;
  return at ? m + 2 : 0;
}

int rb_winograd_points(int m, const double **points) {
  const double *p = m == 2 ? rb_wm_f2_points : m == 4 ? rb_wm_f4_points : m == 6 ? rb_wm_f6_points : NULL;
  if (points) *points = p;
  return p ? m + 2 : 0;
}

// BT and AT entries are small dyadic rationals, exact in float: (float) loses nothing.
void rb_winograd_input_1d(int m, const float *d, ptrdiff_t ds, float *v, ptrdiff_t vs) {
  const double *BT;
  const int a = rb_winograd_matrices(m, NULL, NULL, &BT);
  for (int j = 0; j < a; j++) {
    float s = 0;
    for (int k = 0; k < a; k++) s += (float)BT[j * a + k] * d[k * ds];
    v[j * vs] = s;
  }
}

void rb_winograd_weight_1d(int m, const double *g, ptrdiff_t gs, double *u, ptrdiff_t us) {
  const double *G;
  const int a = rb_winograd_matrices(m, NULL, &G, NULL);
  for (int j = 0; j < a; j++) u[j * us] = G[j * 3 + 0] * g[0] + G[j * 3 + 1] * g[gs] + G[j * 3 + 2] * g[2 * gs];
}

void rb_winograd_output_1d(int m, const float *t, ptrdiff_t ts, float *y, ptrdiff_t ys) {
  const double *AT;
  const int a = rb_winograd_matrices(m, &AT, NULL, NULL);
  for (int i = 0; i < m; i++) {
    float s = 0;
    for (int j = 0; j < a; j++) s += (float)AT[i * a + j] * t[j * ts];
    y[i * ys] = s;
  }
}


rb_status rb_winograd_supports(const rb_conv_desc *d) {
  if (d->kh != 3 || d->kw != 3)
    return rb_fail(RB_ERR_UNSUPPORTED, "winograd needs a 3x3 kernel, got kh=%d kw=%d", d->kh, d->kw);
  if (d->stride_h != 1 || d->stride_w != 1)
    return rb_fail(RB_ERR_UNSUPPORTED, "winograd needs stride 1, got stride_h=%d stride_w=%d", d->stride_h,
                   d->stride_w);
  if (d->dil_h != 1 || d->dil_w != 1)
    return rb_fail(RB_ERR_UNSUPPORTED, "winograd needs dilation 1, got dil_h=%d dil_w=%d", d->dil_h, d->dil_w);
  return RB_OK;
}
