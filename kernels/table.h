// The kernel table (internal to resbench: the public API names ISAs, resbench/isa.h): one struct
// of function pointers per ISA, filled once, chosen at start-up. Kernels in the table trust their
// arguments (they are the hot path); validated entry points are rb_conv_plan_* (conv.h) and
// rb_op_* (ops.h). Tests, checks and benchmarks of the kernels include it.
#ifndef RESBENCH_KERNELS_TABLE_H
#define RESBENCH_KERNELS_TABLE_H

#include <stddef.h>
#include "resbench/conv.h"
#include "resbench/isa.h"
#include "resbench/ops.h"
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// Applied in this order after the convolution sum: + bias[co], + residual, ReLU.
typedef struct rb_epilogue {
  const float *bias;      // [cout] or NULL
  const float *residual;  // NHWC, the output's shape, or NULL
  int relu;
} rb_epilogue;

// Maximum errors of the table's vexp and sigmoid against the exact function, in ulps of the
// result (in subnormal steps of 2^-149 where the result is subnormal), for every float argument;
// tests/test_eltwise.c checks them on every table.
#define RB_VEXP_MAX_ULP 2
#define RB_SIGMOID_MAX_ULP 4

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
  // out[n][p][c] = relu?(x[n][p][c] * gate[n][c] + residual[n][p][c]) (residual NULL: + 0): the SE
  // channel scale fused with the block's residual add and ReLU. out may equal x or residual.
  void (*scale_add)(int n, int hw, int c, const float *x, const float *gate, const float *residual, int relu,
                    float *out);
  // out[i] = e^in[i], and the logistic sigmoid 1 / (1 + e^-in[i]), within RB_VEXP_MAX_ULP and
  // RB_SIGMOID_MAX_ULP below (ref with libm; SIMD: kernels/vec_math.h). NaN in, NaN out; exp
  // overflows to +Inf and underflows through the subnormals to 0. out may equal in.
  void (*vexp)(size_t count, const float *in, float *out);
  void (*sigmoid)(size_t count, const float *in, float *out);
} rb_kernels;

// The SIMD element-wise family (kernels/eltwise_template.h at one vector width): points the
// members above from se to sigmoid at it. One per SIMD ISA, and portable ones at 4, 8 and 16
// floats a vector for the tests (rb_eltwise_vehicles).
void rb_eltwise_fill__avx2(rb_kernels *t);
void rb_eltwise_fill__avx512(rb_kernels *t);
void rb_eltwise_fill__neon(rb_kernels *t);
// Tables for testing the template on any CPU: ref's, with the element-wise family of the portable
// vector widths 4, 8 and 16 ("vec4", ...). Returns how many (at most max) were stored in t.
int rb_eltwise_vehicles(const rb_kernels **t, int max);

// Whether k computes Winograd F(m x m, 3x3): on its engine (conv_winograd[] is then NULL) or
// with a kernel of its own (kernels/conv_choose.c); and the name of what computes it (the
// engine's transforms, rb_f32_wino_f4__avx2, or rb_conv_winograd_f4__ref), NULL when none.
int rb_kernels_has_winograd(const rb_kernels *k, int m);
const char *rb_kernels_winograd_name(const rb_kernels *k, int m);

// The reference table (kernels/ref/table.c): always available.
extern const rb_kernels rb_kernels_ref;

#ifdef __cplusplus
}
#endif
#endif
