// The reference kernels: portable C, the ground truth every SIMD kernel is tested against.
// One family per file in kernels/ref/; the table is kernels/ref/table.c.
#ifndef RESBENCH_REF_KERNELS_H
#define RESBENCH_REF_KERNELS_H

#include <math.h>

#include "../table.h"

extern const rb_conv_kernel rb_conv_direct__ref;       // conv_direct.c
extern const rb_conv_kernel rb_conv_winograd_f2__ref;  // conv_winograd.c
extern const rb_conv_kernel rb_conv_winograd_f4__ref;
extern const rb_conv_kernel rb_conv_winograd_f6__ref;

// se.c: squeeze-and-excitation (channel attention) and the grouped FC it is made of.
void rb_se__ref(const rb_se_desc *d, const float *in, const float *w1, const float *b1,
                const float *w2, const float *b2, float *workspace, float *out);
void rb_fc__ref(int n, int in_f, int out_f, int groups, const float *in, const float *w,
                const float *bias, int relu, float *out);
// radix_softmax.c: ResNeSt rSoftMax and the weighted split sum.
void rb_radix_softmax__ref(int n, int cardinality, int radix, int channels, const float *in, float *out);
void rb_split_sum__ref(int n, int hw, int radix, int channels, const float *x, const float *att, float *out);
// sk_select.c
void rb_sk_select__ref(int n, int hw, int paths, int channels, const float *const *branches,
                       const float *logits, float *workspace, float *out);
// pool.c
void rb_global_avgpool__ref(int n, int hw, int c, const float *in, float *out);
void rb_maxpool__ref(const rb_pool_desc *d, const float *in, float *out);
void rb_avgpool__ref(const rb_pool_desc *d, const float *in, float *out);
// eltwise.c
void rb_add__ref(size_t count, const float *a, const float *b, int relu, float *out);
void rb_scale_add__ref(int n, int hw, int c, const float *x, const float *gate, const float *residual, int relu,
                       float *out);
void rb_vexp__ref(size_t count, const float *in, float *out);
void rb_sigmoid__ref(size_t count, const float *in, float *out);

// Stable for any x: exp never overflows, and sigmoid(-x) keeps its relative accuracy.
static inline float rb_sigmoid1__ref(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

#endif
