// Convolution descriptor and plans (plan once, run many times).
#ifndef RESBENCH_CONV_H
#define RESBENCH_CONV_H

#include <stddef.h>
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// Input NHWC [n, h, w, cin]; weights OIHW [cout, cin/groups, kh, kw] (PyTorch);
// output NHWC [n, out_h, out_w, cout].
typedef struct rb_conv_desc {
  int n, h, w, cin, cout, kh, kw;
  int stride_h, stride_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  int dil_h, dil_w;
  int groups;
} rb_conv_desc;

// Fills a descriptor with PyTorch Conv2d's symmetric arguments (stride s, padding p, dilation d).
rb_conv_desc rb_conv_desc_make(int n, int h, int w, int cin, int cout, int k, int s, int p, int d, int groups);

// RB_OK, or an error naming the bad field: sizes < 1, negative padding, channels not divisible
// by groups, an (effective, dilated) kernel larger than the padded input.
rb_status rb_conv_desc_check(const rb_conv_desc *d);
int rb_conv_out_h(const rb_conv_desc *d);
int rb_conv_out_w(const rb_conv_desc *d);
// Element counts of the input [n, h, w, cin], output [n, out_h, out_w, cout] and OIHW weights
// [cout, cin/groups, kh, kw]: the one place this arithmetic is written.
size_t rb_conv_in_count(const rb_conv_desc *d);
size_t rb_conv_out_count(const rb_conv_desc *d);
size_t rb_conv_weight_count(const rb_conv_desc *d);
// Dense multiply-adds: n * out_h * out_w * cout * (cin/groups) * kh * kw (padding taps included).
double rb_conv_macs(const rb_conv_desc *d);

// benchdnn's problem syntax, e.g. "g32mb1ic128ih56oc128oh56kh3ph1" (defaults left out; as in
// benchdnn, dh/dw are dilation - 1; asymmetric padding shows as oh/ow beside ph/pw).
void rb_conv_desc_format(const rb_conv_desc *d, char *buf, size_t len);
// Parses benchdnn's syntax (its defaults: g1, mb2, sh1, ph from oh or 0, oh from the rest; '_' ignored;
// n<name> ends the problem and is dropped). Each w field left out defaults to its h field (ow to oh when
// oh is given). Bottom/right padding is the symmetric one when it gives oh/ow, else the smallest that does,
// so parse(format(d)) == d for symmetric padding. Errors name the token: unknown or 3D tokens
// (RB_ERR_UNSUPPORTED), missing or negative numbers, overflow, ic/oc not divisible by g, inconsistent oh/ow.
rb_status rb_conv_desc_parse(const char *s, rb_conv_desc *d);

typedef enum rb_conv_algo {
  RB_CONV_AUTO = 0,  // a rule on the shape: direct, F(2x2,3x3) or F(4x4,3x3) (rb_conv_algo_choose)
  RB_CONV_DIRECT,
  RB_CONV_WINOGRAD_F2,  // F(2x2,3x3)
  RB_CONV_WINOGRAD_F4,  // F(4x4,3x3)
  RB_CONV_WINOGRAD_F6,  // F(6x6,3x3)
  // Direct convolution on one path of the SIMD engine, forced (experiments; DIRECT picks by a
  // rule on the shape): a GEMM (1x1 stride 1 unpadded), an indirect GEMM, the narrow-group kernel,
  // an indirect GEMM over kernel rows (a row's kw taps as one tap of kw x cin channels: the stems).
  RB_CONV_DIRECT_GEMM,
  RB_CONV_DIRECT_IGEMM,
  RB_CONV_DIRECT_NGCONV,
  RB_CONV_DIRECT_ROWS,
} rb_conv_algo;

// "direct", "winograd_f2", ...; rb_conv_algo_parse also takes "auto" and "winograd" (= F4).
const char *rb_conv_algo_name(rb_conv_algo a);
rb_status rb_conv_algo_parse(const char *s, rb_conv_algo *a);

struct rb_kernels;
struct rb_tensor;
typedef struct rb_conv_plan rb_conv_plan;

// The one decision of which algorithm runs d on table k (kernels/conv_choose.c). AUTO: a rule on
// the shape (channels a group, Winograd tiles an image, the error bound below); never F(6x6).
// Any other request is checked: Winograd where d is not 3x3 stride 1 dilation 1, or an algorithm
// or engine path the table lacks, is RB_ERR_UNSUPPORTED saying why.
rb_status rb_conv_algo_choose(const struct rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                              rb_conv_algo *chosen);
// The same for one layer of a network run with one algorithm for all: a Winograd request on a
// layer Winograd cannot compute (1x1, stride 2, 7x7) runs direct.
rb_status rb_conv_algo_for_layer(const struct rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                                 rb_conv_algo *chosen);
// rb_conv_algo_choose, with the reason in one line (for `bench conv --algo auto`).
rb_status rb_conv_algo_explain(const struct rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                               rb_conv_algo *chosen, char *why, size_t len);
// The one test of whether Winograd F(m x m, 3x3) computes d (any m, any ISA): a 3x3 kernel, stride
// 1, dilation 1; any padding, groups and sizes. RB_OK, or RB_ERR_UNSUPPORTED saying why.
rb_status rb_winograd_supports(const rb_conv_desc *d);
// 2, 4 or 6 for the Winograd algorithms, else 0.
int rb_conv_algo_winograd_m(rb_conv_algo a);
// The stated bound on F(m x m, 3x3)'s relative error (against each output's sum of |terms|) with
// cin_g input channels a group; INFINITY where none is claimed (fewer than 4 channels a group).
double rb_winograd_error_bound(int m, int cin_g);

// Packs weights (OIHW) and bias ([cout] or NULL) for the chosen kernel table and algorithm.
// Winograd needs 3x3, stride 1, dilation 1 (any padding, any groups): asking for it elsewhere
// is RB_ERR_UNSUPPORTED; so is a forced engine path that cannot run d, or on a table without
// the engine (ref). threads: what the plan runs with (0: OpenMP's default); results do not
// depend on it. The plan owns copies; the caller may free its arrays afterwards.
rb_status rb_conv_plan_create(const struct rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, int threads,
                              const float *weights_oihw, const float *bias, rb_conv_plan **plan);
// The bytes rb_conv_plan_create would allocate (packed weights, workspace, bias), without allocating.
rb_status rb_conv_plan_bytes(const struct rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, double *bytes);
// out = relu?(conv(in) + bias + residual?). residual (NHWC like out) may be NULL; out must not
// alias in. A plan owns one workspace: do not run one plan from two threads at once.
rb_status rb_conv_plan_run(rb_conv_plan *p, const float *in, const float *residual, int relu, float *out);
// The same, and sums[n][cout] = the sum over each image's output pixels of out (the global pool
// that SE, split attention and SK take of a convolution's output, without another pass over it):
// the engine computes it from each tile as it is stored, in an order independent of the thread
// count; other algorithms sum out after the run. sums must not overlap in, out or residual.
rb_status rb_conv_plan_run_sums(rb_conv_plan *p, const float *in, const float *residual, int relu, float *out,
                                float *sums);
// Everything a convolution's store can fuse, in this order: out = relu?(scale x (conv(in) + bias)
// + residual?), then sums as rb_conv_plan_run_sums. scale: NULL, or [n][cout], image b's channel c
// multiplied by scale[b * cout + c] (an SE gate known before the convolution runs); with a scale
// the residual must not be out itself. Zero-initialise and set what is used.
typedef struct rb_conv_fusion {
  const float *residual;
  int relu;
  const float *scale;
  float *sums;
} rb_conv_fusion;
// rb_conv_plan_run with f (NULL: nothing fused). The engine applies the scale in its microkernels'
// store; other algorithms in a pass over out after the run.
rb_status rb_conv_plan_run_fused(rb_conv_plan *p, const float *in, const rb_conv_fusion *f, float *out);
// The same on tensors, whose shapes must match the plan's: in [n, h, w, cin], out (already
// allocated) and residual (or NULL) [n, out_h, out_w, cout]; RB_ERR_SHAPE names both shapes.
rb_status rb_conv_plan_run_tensors(rb_conv_plan *p, const struct rb_tensor *in, const struct rb_tensor *residual,
                                   int relu, struct rb_tensor *out);
const rb_conv_desc *rb_conv_plan_desc(const rb_conv_plan *p);
rb_conv_algo rb_conv_plan_algo(const rb_conv_plan *p);  // never AUTO: what was chosen
const char *rb_conv_plan_kernel_name(const rb_conv_plan *p);  // rb_conv_direct__ref, rb_f32_igemm_6x16__avx2, ...
// How it runs: "ref" (the reference loops), "gemm", "igemm", "ngconv", "rows" (engine paths), "winograd".
const char *rb_conv_plan_path(const rb_conv_plan *p);
void rb_conv_plan_destroy(rb_conv_plan *p);

#ifdef __cplusplus
}
#endif
#endif
