// Validated entry points for the non-convolution kernel families: each checks its pointers and
// sizes (RB_ERR_NULL / RB_ERR_INVALID_ARG / RB_ERR_SHAPE naming the bad value), then calls the
// table's kernel. Convolutions go through plans (conv.h).
#ifndef RESBENCH_OPS_H
#define RESBENCH_OPS_H

#include <stddef.h>
#include "resbench/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

// Squeeze-and-excitation: out = in * sigmoid(fc2(relu(fc1(mean_hw(in))))), FCs grouped.
// w1 [reduced][c/groups], b1 [reduced]; w2 [c][reduced/groups], b2 [c] (PyTorch 1x1 conv
// weights; a BN between the FCs is folded into w1/b1 with rb_bn_fold). Biases may be NULL.
typedef struct rb_se_desc {
  int n, h, w, c, reduced, groups;
} rb_se_desc;

// ResNeSt SplitAttn after its grouped conv (+ BN + ReLU): x NHWC [n][h][w][radix*channels], split r =
// channels [r*channels, (r+1)*channels). gap[n][c] = sum_r mean_hw(x_r); att = rSoftMax(fc2(relu(fc1(gap))))
// over the radix (sigmoid when radix = 1), cardinality groups; out NHWC [n][h][w][channels] = sum_r att_r * x_r.
// w1 [reduced][channels/cardinality], b1 [reduced] (bn1 folded in with rb_bn_fold);
// w2 [radix*channels][reduced/cardinality], b2 [radix*channels]. Biases may be NULL.
typedef struct rb_split_attn_desc {
  int n, h, w, radix, channels, cardinality, reduced;
} rb_split_attn_desc;

// The most SK paths rb_op_sk_attention takes: callers hold the branch pointers in arrays this long.
#define RB_SK_MAX_PATHS 16

// timm SelectiveKernelAttn and the selection: branches[m] NHWC [n][h][w][channels], m < paths.
// gap[n][c] = sum_m mean_hw(branch_m); logits = fc2(relu(fc1(gap))) viewed [n][paths][channels], FCs
// grouped by groups (1 in timm); out = sum_m softmax_m(logits) * branch_m, the branches' shape.
// w1 [reduced][channels/groups], b1 [reduced] (the BN after fc_reduce folded in);
// w2 [paths*channels][reduced/groups], b2 [paths*channels] (timm's fc_select has none). Biases may be NULL.
typedef struct rb_sk_attn_desc {
  int n, h, w, paths, channels, reduced, groups;
} rb_sk_attn_desc;

// PyTorch MaxPool2d / AvgPool2d (symmetric padding; dilation 1).
typedef struct rb_pool_desc {
  int n, h, w, c;
  int kh, kw, stride_h, stride_w, pad_h, pad_w;
  int ceil_mode;          // output size rounds up, but no window may start in the right/bottom padding
  int count_include_pad;  // avg: divide by the window clipped to the padded input (1) or the valid taps (0)
} rb_pool_desc;

rb_status rb_se_desc_check(const rb_se_desc *d);
rb_status rb_pool_desc_check(const rb_pool_desc *d);
rb_status rb_split_attn_desc_check(const rb_split_attn_desc *d);
rb_status rb_sk_attn_desc_check(const rb_sk_attn_desc *d);  // also paths <= RB_SK_MAX_PATHS
// Output size with PyTorch's rule (floor or ceil, and no window starting in the trailing padding).
int rb_pool_out_h(const rb_pool_desc *d);
int rb_pool_out_w(const rb_pool_desc *d);
// Sizes for the workspace arguments below, in floats.
size_t rb_se_workspace_size(const rb_se_desc *d);
size_t rb_sk_select_workspace_size(int n, int paths, int channels);
// The same size with or without `pooled` below; 0 when n, radix / paths, channels or reduced is < 1 (or
// paths > RB_SK_MAX_PATHS), or when it is too large to address. The other fields are the check's.
size_t rb_split_attention_workspace_size(const rb_split_attn_desc *d);
size_t rb_sk_attention_workspace_size(const rb_sk_attn_desc *d);

rb_status rb_op_se(const rb_kernels *k, const rb_se_desc *d, const float *in, const float *w1,
                   const float *b1, const float *w2, const float *b2, float *workspace, float *out);
// pooled: the fc1 input [n][channels] (the sum over splits / paths of their spatial means) when
// the caller already has it, else NULL: the op pools x / the branches itself. out must not overlap
// x, the branches, pooled or the workspace; the workspace must not overlap anything.
rb_status rb_op_split_attention(const rb_kernels *k, const rb_split_attn_desc *d, const float *x,
                                const float *pooled, const float *w1, const float *b1, const float *w2,
                                const float *b2, float *workspace, float *out);
rb_status rb_op_sk_attention(const rb_kernels *k, const rb_sk_attn_desc *d, const float *const *branches,
                             const float *pooled, const float *w1, const float *b1, const float *w2,
                             const float *b2, float *workspace, float *out);
rb_status rb_op_global_avgpool(const rb_kernels *k, int n, int hw, int c, const float *in, float *out);
rb_status rb_op_fc(const rb_kernels *k, int n, int in_f, int out_f, int groups, const float *in,
                   const float *w, const float *bias, int relu, float *out);
rb_status rb_op_radix_softmax(const rb_kernels *k, int n, int cardinality, int radix, int channels,
                              const float *in, float *out);
rb_status rb_op_split_sum(const rb_kernels *k, int n, int hw, int radix, int channels, const float *x,
                          const float *att, float *out);
rb_status rb_op_sk_select(const rb_kernels *k, int n, int hw, int paths, int channels,
                          const float *const *branches, const float *logits, float *workspace, float *out);
rb_status rb_op_maxpool(const rb_kernels *k, const rb_pool_desc *d, const float *in, float *out);
rb_status rb_op_avgpool(const rb_kernels *k, const rb_pool_desc *d, const float *in, float *out);
rb_status rb_op_add(const rb_kernels *k, size_t count, const float *a, const float *b, int relu, float *out);
// SE in two steps, for fusing its channel scale into the block's residual add and ReLU: the gate
// gate[n][c] = sigmoid(fc2(relu(fc1(mean_hw(in))))) (workspace: rb_se_workspace_size floats),
// then out = relu?(x * gate[n][c] + residual) in one pass (residual may be NULL; out may equal x
// or residual). rb_op_se(in, out) is rb_op_se_gate then rb_op_scale_add(in, gate, NULL, 0, out).
// pooled: optional [n][c] spatial means of in (a pool fused into the producing convolution,
// rb_conv_plan_run_sums); in is then not read and may be NULL.
rb_status rb_op_se_gate(const rb_kernels *k, const rb_se_desc *d, const float *in, const float *pooled,
                        const float *w1, const float *b1, const float *w2, const float *b2, float *workspace,
                        float *gate);
rb_status rb_op_scale_add(const rb_kernels *k, int n, int hw, int c, const float *x, const float *gate,
                          const float *residual, int relu, float *out);

// Folds inference BatchNorm into the preceding convolution or FC:
// scale = gamma / sqrt(var + eps); w_out[o][...] = w[o][...] * scale[o];
// bias_out[o] = beta[o] + (conv_bias[o] - mean[o]) * scale[o]. conv_bias may be NULL (= 0);
// w_out may equal w. per_out = number of weights per output channel. var + eps must be > 0.
rb_status rb_bn_fold(int cout, size_t per_out, const float *w, const float *conv_bias,
                     const float *gamma, const float *beta, const float *mean, const float *var,
                     float eps, float *w_out, float *bias_out);

#ifdef __cplusplus
}
#endif
#endif
