// Independent fp64 oracles for the non-convolution families (SE, FC, radix softmax, split sum,
// SK select, the split-attention and SK-attention composites, pooling, add) and for BatchNorm
// folding, with the tolerance each float32 kernel must meet. Nothing here calls kernels/ or ops.c:
// each oracle restates PyTorch's definition.
//
// Every oracle returns exact[i] and mag[i] such that a correct float32 implementation has
// |got[i] - exact[i]| <= tol * mag[i] with tol from the matching o64_*_tol() (compare with
// o64_compare(got, exact, mag, count, tol)). For a plain sum, mag is the sum of |terms| (as in
// o64_conv); where an exp or a chain of sums intervenes, mag is the first-order error scale
// (condition-aware magnitude) described at each oracle.
#ifndef RESBENCH_ORACLE64_MISC_H
#define RESBENCH_ORACLE64_MISC_H

#include <stddef.h>

#include "oracle64.h"
#include "../kernels/table.h"

// Squeeze-and-excitation, timm SEModule with grouped FCs (ResNeSt style):
// y = x * sigmoid(b2 + W2 relu(b1 + W1 mean_hw(x))). exact, mag: n*h*w*c.
// mag = |x| s ((1 - s) Z + 1), s the gate, Z the logit's magnitude |b2| + sum |w2| A,
// A = |b1| + sum |w1| mean_hw|x|: the error of every sum upstream reaches y through s' = s(1-s).
void o64_se(const rb_se_desc *d, const float *in, const float *w1, const float *b1, const float *w2,
            const float *b2, double *exact, double *mag);
double o64_se_tol(const rb_se_desc *d);

// Grouped FC (1x1 conv on a 1x1 map): exact, mag [n][out_f]; mag = |bias| + sum |w x|.
void o64_fc(int n, int in_f, int out_f, int groups, const float *in, const float *w, const float *bias,
            int relu, double *exact, double *mag);
double o64_fc_tol(int in_f, int groups);

// ResNeSt rSoftMax: x.view(n, card, radix, -1).transpose(1, 2), softmax(dim=1), reshape(n, -1);
// sigmoid when radix == 1. exact, mag: n*radix*channels.
// mag = a (1 + |x - max| + sum_j a_j |x_j - max|) + 2^-102: float rounding of x - max is an
// absolute error in exp's argument, i.e. a relative error in exp, of size u |x - max|; the
// constant lets probabilities below FLT_MIN be subnormal or 0.
void o64_radix_softmax(int n, int cardinality, int radix, int channels, const float *in, double *exact,
                       double *mag);
// k = radix (or paths): the softmax of k terms.
double o64_softmax_tol(int k);

// out[n][p][c] = sum_r att[n][r][c] * x[n][p][r][c]. exact, mag: n*hw*channels; mag = sum |a x|.
void o64_split_sum(int n, int hw, int radix, int channels, const float *x, const float *att, double *exact,
                   double *mag);
double o64_split_sum_tol(int radix);

// timm SelectiveKernel: a = softmax over paths of logits.view(n, paths, channels);
// out = sum_m a_m * branch_m. exact, mag: n*hw*channels;
// mag = sum_m |b_m| (|a_m| (1 + |l_m - max| + sum_j a_j |l_j - max|) + 2^-102).
void o64_sk_select(int n, int hw, int paths, int channels, const float *const *branches, const float *logits,
                   double *exact, double *mag);
double o64_sk_select_tol(int paths);

// The composites (rb_op_split_attention, rb_op_sk_attention) end to end. gap = the sum over the k
// splits / paths of their spatial means, or pooled when not NULL (taken as exact);
// z = fc2(relu(fc1(gap))) with magnitudes Z = |b2| + sum |w2| H, H = |b1| + sum |w1| G,
// G = sum_k mean_hw |x_k| (or |pooled|); a = softmax over k (sigmoid for a radix of 1; 1 for a
// single SK path); out = sum_k a_k x_k. exact, mag: n*h*w*channels;
// mag = sum_k |x_k| (am_k + a_k (Z_k + sum_j a_j Z_j)): am_k is the softmax's own error scale (as in
// o64_radix_softmax), and a logit error dz moves a_k by a_k (dz_k - sum_j a_j dz_j) (sigmoid:
// a (1 - a) dz).
void o64_split_attention(const rb_split_attn_desc *d, const float *x, const float *pooled, const float *w1,
                         const float *b1, const float *w2, const float *b2, double *exact, double *mag);
double o64_split_attention_tol(const rb_split_attn_desc *d);
void o64_sk_attention(const rb_sk_attn_desc *d, const float *const *branches, const float *pooled, const float *w1,
                      const float *b1, const float *w2, const float *b2, double *exact, double *mag);
double o64_sk_attention_tol(const rb_sk_attn_desc *d);

// Mean over hw: exact, mag [n][c]; mag = sum |x| / hw.
void o64_global_avgpool(int n, int hw, int c, const float *in, double *exact, double *mag);
double o64_global_avgpool_tol(int hw);

// PyTorch's pooled output size, counted window by window: floor mode keeps the windows that fit
// in the padded input; ceil mode also keeps a partial last window if it starts inside the
// input or the leading padding. Returns 0 when no window fits.
int o64_pool_out(int size, int k, int stride, int pad, int ceil_mode);
// Max over the taps inside the input (padding is -inf): exact, mag = |exact|; tol 0 (exact).
void o64_maxpool(const rb_pool_desc *d, const float *in, double *exact, double *mag);
// Sum of the taps inside the input over the divisor: the taps inside the padded input
// (count_include_pad) or inside the input. exact, mag = sum |x| / divisor.
void o64_avgpool(const rb_pool_desc *d, const float *in, double *exact, double *mag);
double o64_avgpool_tol(const rb_pool_desc *d);

// relu?(a + b): exact, mag = |a| + |b| (count doubles each).
void o64_add(size_t count, const float *a, const float *b, int relu, double *exact, double *mag);
double o64_add_tol(void);

// Conv (PyTorch, + conv_bias) then inference BatchNorm, in fp64: what conv with folded weights
// must equal. exact, mag: n*out_h*out_w*cout;
// mag = |scale| (sum |w x| + |conv_bias| + |mean|) + |beta|, scale = gamma / sqrt(var + eps).
void o64_conv_bn(const rb_conv_desc *d, const float *in, const float *w_oihw, const float *conv_bias,
                 const float *gamma, const float *beta, const float *mean, const float *var, float eps,
                 double *exact, double *mag);
double o64_conv_bn_tol(const rb_conv_desc *d);

#endif
