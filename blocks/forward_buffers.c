// Activation buffers planned by liveness: which tensors of a graph share a buffer, and how large
// each buffer is (for rb_model_plan, and for rb_model_plan_bytes without allocating); and the
// default fusions (fwd_fuse), which both run first since they move reads.
#include <stdlib.h>

#include "forward_internal.h"
#include "resbench/tensor.h"

// Activation memory by liveness, as inference engines do: a tensor's buffer returns to the pool
// after the last layer that reads it, and the next tensor takes the smallest free buffer that
// fits (or the largest one, grown). The input (tensor 0) and the output stay live throughout.
// A layer's output never shares a buffer with its inputs: kernels do not run in place.
// owner[t]: tensor t's buffer; cap[b]: buffer b's floats; *nbufs of them (both arrays tensor_count long).
static void plan_buffers(const rb_graph *g, int *last, int *owner, int *free_list, size_t *cap, int *nbufs) {
  const int nt = g->tensor_count;
  for (int t = 0; t < nt; t++) last[t] = t == 0 || t == g->output ? g->count : -1;
  for (int li = 0; li < g->count; li++) {
    const rb_layer *l = &g->layers[li];
    // SK_SELECT reads the consecutive path tensors src[0] .. src[1]; others read src[0] and src[1].
    const int hi = l->kind == RB_LAYER_SK_SELECT ? l->src[1] : l->src[0];
    for (int t = l->src[0]; t >= 0 && t <= hi; t++)
      if (last[t] < li) last[t] = li;
    if (l->kind != RB_LAYER_SK_SELECT && l->src[1] >= 0 && last[l->src[1]] < li) last[l->src[1]] = li;
  }
  int nfree = 0;
  *nbufs = 0;
  owner[0] = (*nbufs)++, cap[0] = shape_count(g->tensors[0]);
  for (int li = 0; li < g->count; li++) {
    const int t = g->layers[li].dst;
    const size_t need = shape_count(g->tensors[t]);
    int pick = -1;  // smallest free buffer that fits, else the largest free one
    for (int i = 0; i < nfree; i++) {
      const size_t c = cap[free_list[i]], best = pick < 0 ? 0 : cap[free_list[pick]];
      if (pick < 0 || (best >= need ? c >= need && c < best : c > best)) pick = i;
    }
    if (pick >= 0) {
      owner[t] = free_list[pick];
      free_list[pick] = free_list[--nfree];
    } else {
      owner[t] = (*nbufs)++;
    }
    if (cap[owner[t]] < need) cap[owner[t]] = need;
    for (int u = 0; u < nt; u++)  // tensors read for the last time by this layer
      if (last[u] == li) free_list[nfree++] = owner[u];
    if (last[t] < 0) free_list[nfree++] = owner[t];  // written, never read (cannot happen in these graphs)
  }
}

// plan_buffers with its scratch: *owner and *cap (tensor_count long each, malloc'd, the caller
// frees them) and *nbufs. 0 when out of memory (nothing left to free).
static int buffer_plan(const rb_graph *g, int **owner, size_t **cap, int *nbufs) {
  const int nt = g->tensor_count;
  int *last = malloc((size_t)nt * sizeof *last), *free_list = malloc((size_t)nt * sizeof *free_list);
  *owner = malloc((size_t)nt * sizeof **owner);
  *cap = calloc((size_t)nt, sizeof **cap);
  const int ok = last && free_list && *owner && *cap;
  if (ok) plan_buffers(g, last, *owner, free_list, *cap, nbufs);
  free(last), free(free_list);
  if (!ok) free(*owner), free(*cap), *owner = NULL, *cap = NULL;
  return ok;
}

rb_status fwd_assign_buffers(rb_model *m) {
  const int nt = m->g.tensor_count;
  int *owner;
  size_t *cap;
  m->bufs = calloc((size_t)nt, sizeof *m->bufs);
  if (!buffer_plan(&m->g, &owner, &cap, &m->nbufs) || !m->bufs) {
    free(owner), free(cap);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning activation buffers");
  }
  rb_status s = RB_OK;
  for (int b = 0; b < m->nbufs && s == RB_OK; b++)
    if (!(m->bufs[b] = rb_aligned_alloc(cap[b] * sizeof(float))))
      s = rb_fail(RB_ERR_NOMEM, "out of memory allocating %zu activation floats", cap[b]);
  for (int t = 0; s == RB_OK && t < nt; t++) m->act[t] = m->bufs[owner[t]];
  free(owner), free(cap);
  return s;
}

rb_status fwd_activation_bytes(const rb_graph *g, double *bytes) {
  int *owner, nbufs = 0;
  size_t *cap;
  if (!buffer_plan(g, &owner, &cap, &nbufs)) return rb_fail(RB_ERR_NOMEM, "out of memory estimating the plan");
  double total = 0;
  for (int b = 0; b < nbufs; b++) total += (double)cap[b] * sizeof(float);
  free(owner), free(cap);
  *bytes = total;
  return RB_OK;
}

// Whether layer li reads tensor t (SK_SELECT reads the consecutive paths src[0] .. src[1]).
static int reads(const rb_layer *l, int t) {
  if (l->kind == RB_LAYER_SK_SELECT) return t >= l->src[0] && t <= l->src[1];
  return l->src[0] == t || l->src[1] == t;
}

// How many layers read tensor t.
static int readers_of(const rb_graph *g, const rb_layer *layers, int t) {
  int n = 0;
  for (int li = 0; li < g->count; li++) n += reads(&layers[li], t);
  return n;
}

// The SE + residual add fusion: for each SE layer whose output only a residual add reads,
// points that add's operand at the SE's input instead (so liveness keeps the input to the add)
// and sets fused_add[se] to the add's index, and which operand it was in x_src[add]; else -1.
static void fuse_se(const rb_graph *g, rb_layer *layers, int *fused_add, int *x_src) {
  for (int li = 0; li < g->count; li++) fused_add[li] = x_src[li] = -1;
  for (int li = 0; li < g->count; li++) {
    const rb_layer *se = &layers[li];
    if (se->kind != RB_LAYER_SE || se->dst == g->output) continue;
    // Its one reader (a downsample shortcut may run in between): an add that reads it once.
    int reader = -1, readers = 0;
    for (int lj = li + 1; lj < g->count; lj++)
      if (reads(&layers[lj], se->dst)) readers++, reader = lj;
    if (readers != 1 || layers[reader].kind != RB_LAYER_ADD_RELU) continue;
    rb_layer *add = &layers[reader];
    const int op = add->src[0] == se->dst ? 0 : 1;
    if (add->src[1 - op] == se->dst) continue;
    add->src[op] = se->src[0];
    fused_add[li] = reader;
    x_src[reader] = op;
  }
}

// Folds add ai into convolution ci's store: ci takes the shortcut r as its residual, with ReLU;
// later readers of the add's output (and *output) read ci's output t instead; the add reads nothing.
static void fold_add(const rb_graph *g, rb_layer *layers, int ai, int ci, int t, int r, int *output, int *folded) {
  rb_layer *add = &layers[ai];
  layers[ci].src[1] = r;
  layers[ci].relu = 1;
  for (int lj = ai + 1; lj < g->count; lj++) {
    rb_layer *l = &layers[lj];
    if (l->kind == RB_LAYER_SK_SELECT) continue;  // reads a range of branch tensors, never an add's output
    for (int k = 0; k < 2; k++)
      if (l->src[k] == add->dst) l->src[k] = t;
  }
  if (*output == add->dst) *output = t;
  add->src[0] = add->src[1] = -1;
  folded[ai] = 1;
}

// The residual add fused into a convolution's store: an add (skip[add] < 0 in, not an SE fusion)
// one of whose operands only it reads and a convolution without ReLU writes, the other (the
// shortcut) written before that convolution. The convolution then takes the shortcut as its
// residual (src[1]) with ReLU, later readers of the add's output read the convolution's instead
// (*output too), and the add reads nothing: folded[add] = 1. Returns how many.
static int fuse_residual(const rb_graph *g, rb_layer *layers, int *output, const int *skip, int *folded) {
  int count = 0;
  for (int ai = 0; ai < g->count; ai++) {
    folded[ai] = 0;
    rb_layer *add = &layers[ai];
    if (add->kind != RB_LAYER_ADD_RELU || skip[ai] >= 0) continue;
    for (int op = 0; op < 2 && !folded[ai]; op++) {
      const int t = add->src[op], r = add->src[1 - op];
      int ci = -1, readers = 0, ri = -1;  // the producers of t and r, and t's readers
      for (int li = 0; li < g->count; li++) {
        if (layers[li].dst == t) ci = li;
        if (layers[li].dst == r) ri = li;
        readers += reads(&layers[li], t);
      }
      if (ci < 0 || layers[ci].kind != RB_LAYER_CONV || layers[ci].relu || layers[ci].src[1] >= 0 || readers != 1 ||
          ri >= ci || t == r)
        continue;
      fold_add(g, layers, ai, ci, t, r, output, folded);
      count++;
    }
  }
  return count;
}

// The index of the layer that writes tensor t (-1: the input).
static int producer_of(const rb_graph *g, const rb_layer *layers, int t) {
  for (int li = 0; li < g->count; li++)
    if (layers[li].dst == t) return li;
  return -1;
}

// The SE gate computed ahead of the convolution it scales: an SE fused with its add (se_add[se] =
// the add) whose input x comes from a 1x1 stride-1 ungrouped convolution c3 (no ReLU, no
// residual) reading the output of another convolution c2, with x read only by the SE and the add.
// Since c3 is linear, the mean of its output is c3 applied to the mean of its input (c2's channel
// sums, fused into c2's store): the gate is known before c3 runs, and c3's store applies it. The
// add is then folded as fuse_residual folds one:
// - an identity shortcut (written before c3): into c3's store, relu(gate x c3 + shortcut);
// - a downsample shortcut, a convolution cd after c3 (no ReLU, no residual, read only by the add):
//   c3's store writes gate x c3, and cd's store adds it, relu(cd + gate x c3).
// Only where c3's weights (cin x cout) are no larger than x (pixels x cout): the gate's product
// reads them once, the pass it saves reads x and the shortcut and writes the block's output.
// ahead[se] = c3; that SE is then no longer in se_add. Returns how many.
static int fuse_se_ahead(const rb_graph *g, rb_layer *layers, int *output, int *se_add, int *x_src, int *folded,
                         int *ahead) {
  int count = 0;
  for (int li = 0; li < g->count; li++) {
    ahead[li] = -1;
    if (se_add[li] < 0) continue;
    const int ai = se_add[li], op = x_src[ai];
    rb_layer *add = &layers[ai];
    const int t3 = add->src[op], r = add->src[1 - op], c3 = producer_of(g, layers, t3);
    if (c3 < 0 || layers[c3].kind != RB_LAYER_CONV) continue;
    rb_layer *c = &layers[c3];
    const rb_conv_desc *d = &c->conv;
    if (d->kh != 1 || d->kw != 1 || d->stride_h != 1 || d->stride_w != 1 || d->pad_top || d->pad_left ||
        d->pad_bottom || d->pad_right || d->groups != 1 || c->relu || c->src[1] >= 0 || c->src[0] < 0)
      continue;
    const int c2 = producer_of(g, layers, c->src[0]);
    if (c2 < 0 || layers[c2].kind != RB_LAYER_CONV || readers_of(g, layers, t3) != 2 ||
        (double)d->cin > (double)d->h * d->w)
      continue;
    const int cd = producer_of(g, layers, r);
    if (cd < c3) {
      fold_add(g, layers, ai, c3, t3, r, output, folded);
    } else {
      const rb_layer *ds = &layers[cd];
      if (ds->kind != RB_LAYER_CONV || ds->relu || ds->src[1] >= 0 || readers_of(g, layers, r) != 1 || cd > ai)
        continue;
      fold_add(g, layers, ai, cd, r, t3, output, folded);
    }
    ahead[li] = c3;
    se_add[li] = x_src[ai] = -1;
    count++;
  }
  return count;
}

int fwd_fuse(const rb_graph *g, rb_layer *layers, int *output, int pools, int *se_add, int *x_src, int *folded,
             int *ahead) {
  fuse_se(g, layers, se_add, x_src);
  int count = 0;
  for (int li = 0; li < g->count; li++) count += se_add[li] >= 0;
  // Then the residual adds left: each into the convolution before it (skip: the SE-fused ones,
  // which x_src marks with their x operand); then, with the pools fused, the SE gates ahead.
  count += fuse_residual(g, layers, output, x_src, folded);
  if (pools) fuse_se_ahead(g, layers, output, se_add, x_src, folded, ahead);
  else
    for (int li = 0; li < g->count; li++) ahead[li] = -1;
  return count;
}
