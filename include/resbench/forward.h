// The forward pass of a model graph on one kernel table: plan once (weights fetched through a
// callback, BN folded, conv plans packed, activations allocated), then run many times.
#ifndef RESBENCH_FORWARD_H
#define RESBENCH_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include "resbench/conv.h"
#include "resbench/isa.h"
#include "resbench/model.h"
#include "resbench/safetensors.h"
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// Returns the data of one state_dict tensor, exactly key->shape (row-major, float32). The pointer
// must stay valid for at least the next 15 calls (one layer has at most 10 keys): rb_model_plan
// fetches all keys of a layer, then builds it.
typedef rb_status (*rb_weight_fn)(void *ctx, const rb_param_key *key, const float **data);

typedef struct rb_model rb_model;

// algo: RB_CONV_DIRECT, RB_CONV_AUTO, or a Winograd variant; Winograd is used only on 3x3 stride 1
// dilation 1 convolutions (others run direct). BN (eps 1e-5) is folded into the convolutions and
// into the attention FCs that have one (SK fc_reduce + bn, SplitAttn fc1 + bn1).
rb_status rb_model_plan(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, rb_weight_fn get, void *ctx,
                        rb_model **m);
// What rb_model_plan_opts may change; NULL or zeroed: the defaults.
typedef struct rb_plan_options {
  // 1: no fusion, every layer its own pass. By default an SE whose output only the block's residual
  // add reads computes just its gate, and the add applies it: out = relu(x * gate + shortcut), one
  // pass over the tensor instead of two (SE's scale, then the add). The other residual adds whose
  // shortcut is ready before the block's last convolution (identity shortcuts) run in that
  // convolution's store: out = relu(conv + bias + shortcut), no pass of their own.
  int no_fusion;
  // 1: no pool fusion (the others stay). By default the global pool of an SE, split attention or SK
  // selection is summed by the convolutions that write its input, in their microkernels' store
  // from the registers (rb_conv_plan_run_sums), instead of in a pass of its own.
  int no_pool_fusion;
} rb_plan_options;
rb_status rb_model_plan_opts(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, const rb_plan_options *opt,
                             rb_weight_fn get, void *ctx, rb_model **m);
// How many SE + residual add pairs the plan runs as one pass, and how many attention layers (SE,
// split attention, SK) take their global pool from the convolutions' stores (0 with no_fusion).
int rb_model_fused_count(const rb_model *m);
int rb_model_pool_fused_count(const rb_model *m);
// How many residual adds + ReLU run in the store of the convolution before them (0 with no_fusion),
// the adds of the SE gates ahead (below) included.
int rb_model_residual_fused_count(const rb_model *m);
// How many SE gates are computed ahead of their block's last convolution (a 1x1 whose weights are no
// larger than its output: the mean of its output is it applied to the mean of its input, which the
// convolution before it sums in its store), which then applies gate, residual add and ReLU in its
// own store: the SE's scale pass is gone (0 with no_fusion or no_pool_fusion). These SE layers are
// not in rb_model_fused_count; they are in rb_model_pool_fused_count.
int rb_model_gate_ahead_count(const rb_model *m);
// The float32 activation bytes layer `layer` (of rb_model_graph(m)) moves in a forward pass with the
// plan's fusions, each of its passes over a tensor counted: an unfused SE pools its input, then
// scales it into its output (2 x in + out); a split attention or SK selection reads its input once
// more for its pool unless the convolutions before it summed their stores. A layer another does
// counts 0: a residual add folded into a convolution's store (that convolution counts the shortcut
// it reads), an SE whose gate comes from those sums. Weights and per-channel vectors are not counted;
// 0 for a layer out of range.
double rb_model_layer_bytes(const rb_model *m, int layer);
// The bytes rb_model_plan would allocate (packed weights, activation buffers, workspaces), computed
// without allocating: to refuse a plan that cannot fit before any of it is built.
rb_status rb_model_plan_bytes(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, double *bytes);
// NCHW float32 as PyTorch: input [batch, 3, H, W] -> logits [batch, num_classes] for a network;
// for a block graph, the block's input [batch, C, H, W] -> its output [batch, C', H', W'].
rb_status rb_model_forward(rb_model *m, const float *input_nchw, float *output_nchw);
// rb_model_forward with each layer timed: layer_seconds[i] = the wall time of graph layer i in this
// run (rb_model_graph(m)->layers[i]; its kernels are OpenMP parallel regions, so the wall time is the
// layer's). The NCHW <-> NHWC transposes of input and output belong to no layer.
rb_status rb_model_forward_profile(rb_model *m, const float *input_nchw, float *output_nchw, double *layer_seconds);
// The graph m was planned from (layer names, kinds, shapes and costs); valid while m is.
const rb_graph *rb_model_graph(const rb_model *m);
// What convolution layer i runs (never AUTO); RB_CONV_AUTO for a layer that is no convolution or out of range.
rb_conv_algo rb_model_layer_algo(const rb_model *m, int layer);
void rb_model_destroy(rb_model *m);

// ---- Weight sources --------------------------------------------------------------------------

// ctx = (rb_st_file *): rb_st_get_f32 with the key's shape (missing key, wrong dtype or shape:
// an error naming the key and both shapes).
rb_status rb_weights_safetensors(void *ctx, const rb_param_key *key, const float **data);
// Tensors in the file that the graph does not use ("num_batches_tracked" keys ignored): *count
// of them, and their names comma separated into names (truncated to len; names may be NULL).
rb_status rb_weights_safetensors_unused(const rb_graph *g, const rb_st_file *f, int *count, char *names,
                                        size_t len);

// Deterministic pseudo-random weights, the same formula as tools/golden_forward.py:
//   h = FNV-1a 64 of the key name (UTF-8 bytes; offset 0xcbf29ce484222325, prime 0x100000001b3)
//   element i: x = splitmix64(h + (i + 1) * 0x9E3779B97F4A7C15) with the finalizer
//     z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31
//   u = (x >> 40) * 2^-24 in [0, 1) (all arithmetic mod 2^64)
//   "*.weight" of rank >= 2 (conv / FC): (2u - 1) * sqrt(3 / fan_in), fan_in = prod(shape[1:])
//   "*.weight" of rank 1 (BatchNorm gamma): 0.5 + u
//   "*.bias" (conv, FC or BN beta): 0.1 * (2u - 1)
//   "*.running_mean": 0.1 * (2u - 1);  "*.running_var": 0.5 + u
// ctx = (rb_random_weights *), zero-initialized; release its buffers with rb_random_weights_release.
typedef struct rb_random_weights {
  float *buf[16];
  size_t cap[16];
  int next;
} rb_random_weights;
rb_status rb_weights_random(void *ctx, const rb_param_key *key, const float **data);
void rb_random_weights_release(rb_random_weights *r);
// Element i of the formula above for a key name and shape (for tests and tools).
float rb_random_weight_value(const char *name, int rank, const int *shape, size_t i);

#ifdef __cplusplus
}
#endif
#endif
