// Internal: the planned model shared by forward_plan.c (builds and frees it), forward_buffers.c
// (its activation buffers) and forward_run.c (runs it). Not a public header.
#ifndef RESBENCH_FORWARD_INTERNAL_H
#define RESBENCH_FORWARD_INTERNAL_H

#include <stddef.h>

#include "resbench/forward.h"
#include "resbench/ops.h"

typedef struct layer_rt {
  rb_conv_plan *plan;
  float *w1, *b1, *w2, *b2;  // attention / FC weights (BN folded into w1/b1)
  // SE fused with the residual add (fwd_fuse): the SE layer computes only its gate, n x c
  // floats here; the add layer (gate_layer = the SE's index + 1, 0 when unfused) then runs
  // out = relu(x * gate + residual) in one pass, x being its source src[x_src] (the SE's input).
  float *gate;
  int gate_layer, x_src;
  // A global pool fused into convolutions (plan_pool_fusion): a convolution whose output an
  // attention layer pools keeps its channel sums (n x cout, rb_conv_plan_run_sums); the attention
  // layer turns its producers' sums into the means its op takes (pooled, n x channels).
  float *sums, *pooled;
  // The SE gate ahead (fwd_fuse's ahead): on the SE layer, ahead_conv = the convolution's index + 1
  // (the SE then runs there, not at its own turn; gate and pooled as above); on the convolution,
  // se_ahead = the SE's index + 1, its BN-folded weights (w_fold, b_fold: the gate's product
  // c3(mean of its input)) and mean_in (n x cin, from its input's producer's sums).
  int ahead_conv, se_ahead;
  float *w_fold, *b_fold, *mean_in;
  // The residual add fused into the convolution before it (fwd_fuse): the add is then
  // a no-op whose output tensor is the convolution's.
  int add_folded;
} layer_rt;

struct rb_model {
  const rb_kernels *k;
  rb_graph g;  // shallow copy: layers and tensors copied below
  rb_layer *layers;
  rb_shape *shapes;
  layer_rt *rt;
  float **act;   // per tensor id: its buffer (tensors whose lifetimes do not overlap share one)
  float **bufs;  // the distinct buffers
  int nbufs;
  float *work;   // attention scratch
  size_t work_size;
  int *producer;  // per tensor id: the layer that writes it (-1: the input)
};

static inline size_t shape_count(rb_shape s) { return (size_t)s.n * s.h * s.w * s.c; }

// The default fusions (forward_buffers.c), in the one order rb_model_plan applies them and
// rb_model_plan_bytes sizes them: SE + residual add (se_add[se] = the add's index, x_src[add] =
// which operand was the SE's output, else -1), then the residual adds left, each into the
// convolution before it (folded[add] = 1, else 0); then, with pools (the pool fusions on), the
// SE gates computed ahead of their block's last convolution, which applies them in its store
// (ahead[se] = that convolution, the SE's add folded and no longer in se_add; else -1). layers
// (g->count) and *output are rewritten in place; the arrays have g->count entries. Returns how many
// adds were fused by the first two.
int fwd_fuse(const rb_graph *g, rb_layer *layers, int *output, int pools, int *se_add, int *x_src, int *folded,
             int *ahead);

// The attention ops' descriptors of a layer, for planning (workspace sizes) and running alike.
static inline rb_se_desc fwd_se_desc(const rb_layer *l) {
  return (rb_se_desc){l->out.n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
}
static inline rb_sk_attn_desc fwd_sk_desc(const rb_layer *l) {
  return (rb_sk_attn_desc){l->out.n, l->out.h, l->out.w, l->radix, l->channels, l->reduced, l->attn_groups};
}
static inline rb_split_attn_desc fwd_split_desc(const rb_layer *l) {
  return (rb_split_attn_desc){l->out.n, l->out.h, l->out.w, l->radix, l->channels, l->attn_groups, l->reduced};
}

// forward_buffers.c. Allocates m->bufs and points m->act (already allocated, tensor_count long)
// at them; m->g must be set. On failure the buffers made so far stay for rb_model_destroy.
rb_status fwd_assign_buffers(rb_model *m);
// The bytes fwd_assign_buffers would allocate for g, without allocating them.
rb_status fwd_activation_bytes(const rb_graph *g, double *bytes);

#endif
