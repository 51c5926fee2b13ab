// The kernel table: one struct of function pointers per ISA, filled once, chosen at start-up.
// Kernels in the table trust their arguments (they are the hot path); validated entry points
// are rb_conv_plan_* (conv.h) and rb_op_* (ops.h).
#ifndef RESBENCH_KERNELS_H
#define RESBENCH_KERNELS_H

#include <stddef.h>
#include "resbench/conv.h"
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// In order of preference (kernels/isa_list.c is the list: names, CPU tests, probes, tables).
typedef enum rb_isa { RB_ISA_REF = 0, RB_ISA_AVX2, RB_ISA_AVX512, RB_ISA_NEON, RB_ISA_COUNT } rb_isa;

// Applied in this order after the convolution sum: + bias[co], + residual, ReLU.
typedef struct rb_epilogue {
  const float *bias;      // [cout] or NULL
  const float *residual;  // NHWC, the output's shape, or NULL
  int relu;
} rb_epilogue;

// One convolution algorithm of one ISA. All sizes are in floats.
typedef struct rb_conv_kernel {
  const char *name;  // rb_conv_<variant>__<isa>
  // RB_OK when this kernel computes d, else RB_ERR_UNSUPPORTED with a message saying why.
  rb_status (*supports)(const rb_conv_desc *d);
  size_t (*packed_size)(const rb_conv_desc *d);
  // Plan time: OIHW weights -> this kernel's layout (blocked, Winograd-transformed, ...).
  void (*pack)(const rb_conv_desc *d, const float *w_oihw, float *packed);
  // A function of the descriptor only (never of the thread count): plans size it once.
  size_t (*workspace_size)(const rb_conv_desc *d);
  void (*run)(const rb_conv_desc *d, const float *in, const float *packed, const rb_epilogue *e,
              float *workspace, float *out);
} rb_conv_kernel;

enum { RB_WINO_F2 = 0, RB_WINO_F4, RB_WINO_F6, RB_WINO_COUNT };

// Squeeze-and-excitation: out = in * sigmoid(fc2(relu(fc1(mean_hw(in))))), FCs grouped.
// w1 [reduced][c/groups], b1 [reduced]; w2 [c][reduced/groups], b2 [c] (PyTorch 1x1 conv
// weights; a BN between the FCs is folded into w1/b1 with rb_bn_fold). Biases may be NULL.
typedef struct rb_se_desc {
  int n, h, w, c, reduced, groups;
} rb_se_desc;

// PyTorch MaxPool2d / AvgPool2d (symmetric padding; dilation 1).
typedef struct rb_pool_desc {
  int n, h, w, c;
  int kh, kw, stride_h, stride_w, pad_h, pad_w;
  int ceil_mode;          // output size rounds up, but no window may start in the right/bottom padding
  int count_include_pad;  // avg: divide by the window clipped to the padded input (1) or the valid taps (0)
} rb_pool_desc;

struct rb_engine_config;

typedef struct rb_kernels {
  rb_isa isa;
  const char *isa_name;  // "ref", "avx2", "avx512", "neon"

  // The SIMD engine's microkernels (kernels/ukernel.h): direct convolution then runs on the
  // engine's drivers (kernels/engine.h) instead of conv_direct. NULL for ref.
  const struct rb_engine_config *engine;
  const rb_conv_kernel *conv_direct;
  const rb_conv_kernel *conv_winograd[RB_WINO_COUNT];  // F2, F4, F6; NULL where the ISA has none

  // in may equal out. workspace: n * (c + reduced) floats.
  void (*se)(const rb_se_desc *d, const float *in, const float *w1, const float *b1,
             const float *w2, const float *b2, float *workspace, float *out);
  // out[n][c] = mean over hw of in[n][hw][c].
  void (*global_avgpool)(int n, int hw, int c, const float *in, float *out);
  // Grouped fully connected layer: out[n][o] = relu?(bias[o] + sum_i w[o][i] * in[n][g*(in_f/groups) + i]),
  // g = o / (out_f/groups). w [out_f][in_f/groups]; bias may be NULL.
  void (*fc)(int n, int in_f, int out_f, int groups, const float *in, const float *w,
             const float *bias, int relu, float *out);
  // ResNeSt rSoftMax. in [n][cardinality][radix][channels/cardinality] (the FC output order);
  // out [n][radix][channels] (radix-major, x.view(n, card, radix, -1).transpose(1, 2)),
  // softmax over radix; radix == 1: out = sigmoid(in). channels = width of one split. out != in.
  void (*radix_softmax)(int n, int cardinality, int radix, int channels, const float *in, float *out);
  // out[n][p][c] = sum_r att[n][r*channels + c] * x[n][p][r*channels + c]: x NHWC with radix*channels
  // channels (split r = channels [r*channels, (r+1)*channels)), att from radix_softmax, p < hw.
  void (*split_sum)(int n, int hw, int radix, int channels, const float *x, const float *att, float *out);
  // SK selection: softmax over paths of logits[n][m*channels + c], then
  // out[n][p][c] = sum_m a[n][m][c] * branches[m][n][p][c]. workspace: n*paths*channels floats.
  // out must not overlap a branch.
  void (*sk_select)(int n, int hw, int paths, int channels, const float *const *branches,
                    const float *logits, float *workspace, float *out);
  void (*maxpool)(const rb_pool_desc *d, const float *in, float *out);
  void (*avgpool)(const rb_pool_desc *d, const float *in, float *out);
  // out[i] = relu?(a[i] + b[i]); out may equal a or b. ReLU passes NaN through (as PyTorch):
  // a plain max(x, 0) in a SIMD port would not.
  void (*add)(size_t count, const float *a, const float *b, int relu, float *out);
} rb_kernels;

// "ref", "avx2", "avx512", "neon" <-> rb_isa.
const char *rb_isa_name(rb_isa isa);
rb_status rb_isa_parse(const char *s, rb_isa *isa);
// "ref, avx2, avx512, neon": for messages.
const char *rb_isa_known_names(void);

// Whether this build has the ISA's kernels and the CPU runs them.
int rb_isa_available(rb_isa isa);
// Why not (the build's architecture, the CPU, or no kernels in this build), or NULL when available.
const char *rb_isa_unavailable_reason(rb_isa isa);
// The best available ISA (the default kernel table when RESBENCH_ISA is not set).
rb_isa rb_isa_best(void);

// The table for an ISA: RB_ERR_UNSUPPORTED (with the reason) when the build or the CPU lacks it.
rb_status rb_kernels_get(rb_isa isa, const rb_kernels **k);

// The best available table, unless the environment variable RESBENCH_ISA names one (then that
// one, or an error if it is unknown or unavailable: never a silent fallback).
rb_status rb_kernels_default(const rb_kernels **k);

// The reference table (kernels/ref/table.c): always available.
extern const rb_kernels rb_kernels_ref;

#ifdef __cplusplus
}
#endif
#endif
