// The forward pass of a model graph on one kernel table (see resbench/forward.h).
#include "resbench/forward.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resbench/ops.h"
#include "resbench/tensor.h"

#define BN_EPS 1e-5f

typedef struct layer_rt {
  rb_conv_plan *plan;
  float *w1, *b1, *w2, *b2;  // attention / FC weights (BN folded into w1/b1)
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
};

static size_t shape_count(rb_shape s) { return (size_t)s.n * s.h * s.w * s.c; }

static float *copy_floats(const float *src, size_t n) {
  float *d = rb_aligned_alloc(n * sizeof *d);
  if (d) memcpy(d, src, n * sizeof *d);
  return d;
}

// ---- planning ---------------------------------------------------------------------------------

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

static rb_status assign_buffers(rb_model *m) {
  const rb_graph *g = &m->g;
  const int nt = g->tensor_count;
  int *last = malloc((size_t)nt * sizeof *last), *owner = malloc((size_t)nt * sizeof *owner);
  int *free_list = malloc((size_t)nt * sizeof *free_list);
  size_t *cap = calloc((size_t)nt, sizeof *cap);
  m->bufs = calloc((size_t)nt, sizeof *m->bufs);
  if (!last || !owner || !free_list || !cap || !m->bufs) {
    free(last), free(owner), free(free_list), free(cap);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning activation buffers");
  }
  plan_buffers(g, last, owner, free_list, cap, &m->nbufs);
  rb_status s = RB_OK;
  for (int b = 0; b < m->nbufs && s == RB_OK; b++)
    if (!(m->bufs[b] = rb_aligned_alloc(cap[b] * sizeof(float))))
      s = rb_fail(RB_ERR_NOMEM, "out of memory allocating %zu activation floats", cap[b]);
  for (int t = 0; s == RB_OK && t < nt; t++) m->act[t] = m->bufs[owner[t]];
  free(last), free(owner), free(free_list), free(cap);
  return s;
}

static rb_status plan_conv(rb_model *m, const rb_layer *l, layer_rt *rt, rb_conv_algo algo, const float *const *w) {
  const rb_conv_desc *d = &l->conv;
  const size_t per_out = (size_t)(d->cin / d->groups) * d->kh * d->kw;
  float *wf = rb_aligned_alloc((size_t)d->cout * per_out * sizeof *wf);
  float *bias = rb_aligned_alloc((size_t)d->cout * sizeof *bias);
  rb_status s = RB_ERR_NOMEM;
  if (!wf || !bias) {
    s = rb_fail(RB_ERR_NOMEM, "out of memory folding BN into %s", l->name);
  } else if ((s = rb_bn_fold(d->cout, per_out, w[0], NULL, w[1], w[2], w[3], w[4], BN_EPS, wf, bias)) != RB_OK) {
    char msg[400];  // name the tensors: var[i] means <bn>.running_var
    snprintf(msg, sizeof msg, "%s", rb_last_error());
    s = rb_fail(s, "folding BN %s into %s: %s (var = %s.running_var)", l->bn, l->name, msg, l->bn);
  } else {
    rb_conv_algo a = algo;
    const int wino = algo == RB_CONV_WINOGRAD_F2 || algo == RB_CONV_WINOGRAD_F4 || algo == RB_CONV_WINOGRAD_F6;
    if (wino && !(d->kh == 3 && d->kw == 3 && d->stride_h == 1 && d->stride_w == 1 && d->dil_h == 1 && d->dil_w == 1))
      a = RB_CONV_DIRECT;
    s = rb_conv_plan_create(m->k, d, a, 0, wf, bias, &rt->plan);
    if (s != RB_OK) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", rb_last_error());
      s = rb_fail(s, "planning %s: %s", l->name, msg);
    }
  }
  rb_aligned_free(wf);
  rb_aligned_free(bias);
  return s;
}

static rb_status plan_attention(const rb_layer *l, layer_rt *rt, const float *const *w) {
  const int c = l->channels, r = l->reduced, g = l->attn_groups, out2 = l->radix * c;
  const size_t n1 = (size_t)r * (c / g), n2 = (size_t)out2 * (r / g);
  int i = 0;
  const float *w1 = w[i++], *b1 = l->fc_bias ? w[i++] : NULL;
  const float *bn[4] = {0};
  if (l->attn_bn[0])
    for (int j = 0; j < 4; j++) bn[j] = w[i++];
  const float *w2 = w[i++], *b2 = l->fc_bias ? w[i++] : NULL;
  rt->w1 = copy_floats(w1, n1);
  rt->b1 = rb_aligned_alloc((size_t)r * sizeof(float));
  rt->w2 = copy_floats(w2, n2);
  if (b2) rt->b2 = copy_floats(b2, (size_t)out2);
  if (!rt->w1 || !rt->b1 || !rt->w2 || (b2 && !rt->b2))
    return rb_fail(RB_ERR_NOMEM, "out of memory planning %s", l->name);
  if (l->attn_bn[0]) {
    rb_status s = rb_bn_fold(r, n1 / r, rt->w1, b1, bn[0], bn[1], bn[2], bn[3], BN_EPS, rt->w1, rt->b1);
    if (s != RB_OK) {
      char msg[400];
      snprintf(msg, sizeof msg, "%s", rb_last_error());
      return rb_fail(s, "folding BN %s into %s: %s (var = %s.running_var)", l->attn_bn, l->name, msg, l->attn_bn);
    }
  } else if (b1) {
    memcpy(rt->b1, b1, (size_t)r * sizeof(float));
  } else {
    memset(rt->b1, 0, (size_t)r * sizeof(float));
  }
  return RB_OK;
}

static size_t attention_work(const rb_layer *l) {
  const size_t n = (size_t)l->out.n, c = (size_t)l->channels, rc = (size_t)l->radix * c;
  // pooled (n*radix*c) + summed (n*c) + hidden (n*reduced) + logits (n*radix*c) + att/softmax (n*radix*c)
  return n * rc * 3 + n * c + n * (size_t)l->reduced + 64;
}

rb_status rb_model_plan_bytes(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, double *bytes) {
  if (!g || !k || !bytes) return rb_fail(RB_ERR_NULL, "rb_model_plan_bytes: NULL argument");
  const int nt = g->tensor_count;
  int *last = malloc((size_t)nt * sizeof *last), *owner = malloc((size_t)nt * sizeof *owner);
  int *free_list = malloc((size_t)nt * sizeof *free_list), nbufs = 0;
  size_t *cap = calloc((size_t)nt, sizeof *cap);
  if (!last || !owner || !free_list || !cap) {
    free(last), free(owner), free(free_list), free(cap);
    return rb_fail(RB_ERR_NOMEM, "out of memory estimating the plan");
  }
  plan_buffers(g, last, owner, free_list, cap, &nbufs);
  double total = 0, fold = 0, work = 0;  // fold: the largest BN-folded copy, alive while its conv is packed
  for (int b = 0; b < nbufs; b++) total += (double)cap[b] * sizeof(float);
  free(last), free(owner), free(free_list), free(cap);
  for (int li = 0; li < g->count; li++) {
    const rb_layer *l = &g->layers[li];
    if (l->kind == RB_LAYER_CONV) {
      const rb_conv_desc *d = &l->conv;
      rb_conv_algo a = algo;
      const int wino = algo == RB_CONV_WINOGRAD_F2 || algo == RB_CONV_WINOGRAD_F4 || algo == RB_CONV_WINOGRAD_F6;
      if (wino && !(d->kh == 3 && d->kw == 3 && d->stride_h == 1 && d->stride_w == 1 && d->dil_h == 1 && d->dil_w == 1))
        a = RB_CONV_DIRECT;
      double pb;
      const rb_status s = rb_conv_plan_bytes(k, d, a, &pb);
      if (s != RB_OK) return s;
      total += pb;
      const double f = ((double)d->cout * (d->cin / d->groups) * d->kh * d->kw + d->cout) * sizeof(float);
      if (f > fold) fold = f;
    } else {
      total += l->params * sizeof(float);
      if (l->kind == RB_LAYER_SE || l->kind == RB_LAYER_SK_SELECT || l->kind == RB_LAYER_SPLIT_ATTN) {
        double w = (double)attention_work(l);
        if (l->kind == RB_LAYER_SE) {
          rb_se_desc sd = {l->out.n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
          if ((double)rb_se_workspace_size(&sd) > w) w = (double)rb_se_workspace_size(&sd);
        }
        if (w > work) work = w;
      }
    }
  }
  *bytes = total + fold + work * sizeof(float);
  return RB_OK;
}

rb_status rb_model_plan(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, rb_weight_fn get, void *ctx,
                        rb_model **out) {
  if (!g || !k || !get || !out) return rb_fail(RB_ERR_NULL, "rb_model_plan: NULL argument");
  *out = NULL;
  rb_param_key *keys = NULL;
  int nkeys = 0;
  rb_status s = rb_graph_param_keys(g, &keys, &nkeys);
  if (s != RB_OK) return s;
  rb_model *m = calloc(1, sizeof *m);
  if (!m) {
    free(keys);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning the model");
  }
  m->k = k;
  m->g = *g;
  m->layers = malloc((size_t)g->count * sizeof *m->layers);
  m->shapes = malloc((size_t)g->tensor_count * sizeof *m->shapes);
  m->rt = calloc((size_t)g->count, sizeof *m->rt);
  m->act = calloc((size_t)g->tensor_count, sizeof *m->act);
  if (!m->layers || !m->shapes || !m->rt || !m->act) {
    s = rb_fail(RB_ERR_NOMEM, "out of memory planning the model");
    goto fail;
  }
  memcpy(m->layers, g->layers, (size_t)g->count * sizeof *m->layers);
  memcpy(m->shapes, g->tensors, (size_t)g->tensor_count * sizeof *m->shapes);
  m->g.layers = m->layers;
  m->g.tensors = m->shapes;
  if ((s = assign_buffers(m)) != RB_OK) goto fail;
  int ki = 0;
  for (int li = 0; li < g->count; li++) {
    const rb_layer *l = &g->layers[li];
    const float *w[12];
    int nw = 0;
    for (; ki < nkeys && keys[ki].layer == li; ki++) {
      if (nw == 12) {
        s = rb_fail(RB_ERR_INVALID_ARG, "layer %s has more than 12 parameter tensors", l->name);
        goto fail;
      }
      w[nw] = NULL;
      s = get(ctx, &keys[ki], &w[nw]);
      if (s != RB_OK) goto fail;
      if (!w[nw]) {
        s = rb_fail(RB_ERR_NULL, "weight source returned no data for %s", keys[ki].name);
        goto fail;
      }
      nw++;
    }
    layer_rt *rt = &m->rt[li];
    switch (l->kind) {
      case RB_LAYER_CONV: s = plan_conv(m, l, rt, algo, w); break;
      case RB_LAYER_SE:
      case RB_LAYER_SK_SELECT:
      case RB_LAYER_SPLIT_ATTN: {
        s = plan_attention(l, rt, w);
        const size_t ws = attention_work(l);
        if (ws > m->work_size) m->work_size = ws;
        if (l->kind == RB_LAYER_SE) {
          rb_se_desc d = {l->out.n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
          const size_t se = rb_se_workspace_size(&d);
          if (se > m->work_size) m->work_size = se;
        }
        break;
      }
      case RB_LAYER_FC:
        rt->w1 = copy_floats(w[0], (size_t)l->out_features * l->in_features);
        rt->b1 = copy_floats(w[1], (size_t)l->out_features);
        if (!rt->w1 || !rt->b1) s = rb_fail(RB_ERR_NOMEM, "out of memory planning %s", l->name);
        break;
      default: break;
    }
    if (s != RB_OK) goto fail;
  }
  if (m->work_size) {
    m->work = rb_aligned_alloc(m->work_size * sizeof(float));
    if (!m->work) {
      s = rb_fail(RB_ERR_NOMEM, "out of memory allocating the attention workspace");
      goto fail;
    }
  }
  free(keys);
  *out = m;
  return RB_OK;
fail:
  free(keys);
  rb_model_destroy(m);
  return s;
}

void rb_model_destroy(rb_model *m) {
  if (!m) return;
  if (m->rt)
    for (int i = 0; i < m->g.count; i++) {
      rb_conv_plan_destroy(m->rt[i].plan);
      rb_aligned_free(m->rt[i].w1);
      rb_aligned_free(m->rt[i].b1);
      rb_aligned_free(m->rt[i].w2);
      rb_aligned_free(m->rt[i].b2);
    }
  if (m->act)
  if (m->bufs)
    for (int b = 0; b < m->nbufs; b++) rb_aligned_free(m->bufs[b]);
  free(m->bufs);
  rb_aligned_free(m->work);
  free(m->act);
  free(m->rt);
  free(m->layers);
  free(m->shapes);
  free(m);
}

// ---- running ----------------------------------------------------------------------------------

// Pooled mean of a tensor with `parts` consecutive channel blocks of c, summed over the blocks.
static rb_status pooled_sum(const rb_kernels *k, int n, int hw, int parts, int c, const float *in, float *pooled,
                            float *sum) {
  rb_status s = rb_op_global_avgpool(k, n, hw, parts * c, in, pooled);
  if (s != RB_OK) return s;
  for (int i = 0; i < n; i++)
    for (int ch = 0; ch < c; ch++) {
      float acc = 0;
      for (int p = 0; p < parts; p++) acc += pooled[((size_t)i * parts + p) * c + ch];
      sum[(size_t)i * c + ch] = acc;
    }
  return RB_OK;
}

static rb_status run_layer(rb_model *m, int li) {
  const rb_layer *l = &m->layers[li];
  const layer_rt *rt = &m->rt[li];
  const rb_kernels *k = m->k;
  float *dst = m->act[l->dst];
  const float *src = l->src[0] >= 0 ? m->act[l->src[0]] : NULL;
  const rb_shape in = l->src[0] >= 0 ? m->shapes[l->src[0]] : l->out;
  const int n = l->out.n, hw = l->out.h * l->out.w;
  switch (l->kind) {
    case RB_LAYER_CONV: return rb_conv_plan_run(rt->plan, src, NULL, l->relu, dst);
    case RB_LAYER_MAXPOOL: return rb_op_maxpool(k, &l->pool, src, dst);
    case RB_LAYER_AVGPOOL: return rb_op_avgpool(k, &l->pool, src, dst);
    case RB_LAYER_CHANNEL_SLICE: {
      const size_t pix = (size_t)in.n * in.h * in.w;
      for (size_t p = 0; p < pix; p++)
        memcpy(dst + p * l->out.c, src + p * in.c + l->slice_offset, (size_t)l->out.c * sizeof(float));
      return RB_OK;
    }
    case RB_LAYER_SE: {
      const rb_se_desc d = {n, l->out.h, l->out.w, l->channels, l->reduced, l->attn_groups};
      return rb_op_se(k, &d, src, rt->w1, rt->b1, rt->w2, rt->b2, m->work, dst);
    }
    case RB_LAYER_SK_SELECT: {
      const int paths = l->radix, c = l->channels;
      float *pooled = m->work, *sum = pooled + (size_t)n * paths * c, *hid = sum + (size_t)n * c;
      float *logit = hid + (size_t)n * l->reduced, *ws = logit + (size_t)n * paths * c;
      const float *br[8];
      if (paths > 8) return rb_fail(RB_ERR_UNSUPPORTED, "%s: more than 8 SK paths", l->name);
      for (int p = 0; p < paths; p++) {  // the paths are tensors src[0], src[0] + 1, ..., src[1]
        br[p] = m->act[l->src[0] + p];
        rb_status s = rb_op_global_avgpool(k, n, hw, c, br[p], pooled + (size_t)p * n * c);
        if (s != RB_OK) return s;
      }
      for (size_t i = 0; i < (size_t)n * c; i++) {
        float acc = 0;
        for (int p = 0; p < paths; p++) acc += pooled[(size_t)p * n * c + i];
        sum[i] = acc;
      }
      rb_status s = rb_op_fc(k, n, c, l->reduced, l->attn_groups, sum, rt->w1, rt->b1, 1, hid);
      if (s == RB_OK) s = rb_op_fc(k, n, l->reduced, paths * c, l->attn_groups, hid, rt->w2, rt->b2, 0, logit);
      if (s == RB_OK) s = rb_op_sk_select(k, n, hw, paths, c, br, logit, ws, dst);
      return s;
    }
    case RB_LAYER_SPLIT_ATTN: {
      const int r = l->radix, c = l->channels, card = l->attn_groups;
      float *pooled = m->work, *sum = pooled + (size_t)n * r * c, *hid = sum + (size_t)n * c;
      float *logit = hid + (size_t)n * l->reduced, *att = logit + (size_t)n * r * c;
      rb_status s = pooled_sum(k, n, hw, r, c, src, pooled, sum);
      if (s == RB_OK) s = rb_op_fc(k, n, c, l->reduced, card, sum, rt->w1, rt->b1, 1, hid);
      if (s == RB_OK) s = rb_op_fc(k, n, l->reduced, r * c, card, hid, rt->w2, rt->b2, 0, logit);
      if (s == RB_OK) s = rb_op_radix_softmax(k, n, card, r, c, logit, att);
      if (s == RB_OK) s = rb_op_split_sum(k, n, hw, r, c, src, att, dst);
      return s;
    }
    case RB_LAYER_ADD_RELU: return rb_op_add(k, shape_count(l->out), src, m->act[l->src[1]], 1, dst);
    case RB_LAYER_GLOBAL_POOL: return rb_op_global_avgpool(k, in.n, in.h * in.w, in.c, src, dst);
    case RB_LAYER_FC:
      return rb_op_fc(k, n, l->in_features, l->out_features, 1, src, rt->w1, rt->b1, 0, dst);
  }
  return rb_fail(RB_ERR_INVALID_ARG, "layer %s: unknown kind %d", l->name, (int)l->kind);
}

rb_status rb_model_forward(rb_model *m, const float *input, float *output) {
  if (!m || !input || !output) return rb_fail(RB_ERR_NULL, "rb_model_forward: NULL argument");
  const rb_shape s0 = m->shapes[0];
  float *x = m->act[0];
  for (int i = 0; i < s0.n; i++)
    for (int c = 0; c < s0.c; c++)
      for (int p = 0; p < s0.h * s0.w; p++)
        x[((size_t)i * s0.h * s0.w + p) * s0.c + c] = input[((size_t)i * s0.c + c) * s0.h * s0.w + p];
  for (int li = 0; li < m->g.count; li++) {
    rb_status s = run_layer(m, li);
    if (s != RB_OK) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", rb_last_error());
      return rb_fail(s, "forward, layer %s: %s", m->layers[li].name, msg);
    }
  }
  // NHWC -> NCHW; for logits ([n, 1, 1, classes]) this is a plain copy.
  const rb_shape so = m->shapes[m->g.output];
  const float *y = m->act[m->g.output];
  const size_t hw = (size_t)so.h * so.w;
  for (int i = 0; i < so.n; i++)
    for (size_t p = 0; p < hw; p++)
      for (int c = 0; c < so.c; c++) output[((size_t)i * so.c + c) * hw + p] = y[((size_t)i * hw + p) * so.c + c];
  return RB_OK;
}

// ---- weight sources ---------------------------------------------------------------------------

rb_status rb_weights_safetensors(void *ctx, const rb_param_key *key, const float **data) {
  if (!ctx || !key || !data) return rb_fail(RB_ERR_NULL, "rb_weights_safetensors: NULL argument");
  int64_t shape[4];
  for (int i = 0; i < key->rank; i++) shape[i] = key->shape[i];
  return rb_st_get_f32((const rb_st_file *)ctx, key->name, key->rank, shape, data);
}

rb_status rb_weights_safetensors_unused(const rb_graph *g, const rb_st_file *f, int *count, char *names,
                                        size_t len) {
  if (!g || !f || !count) return rb_fail(RB_ERR_NULL, "rb_weights_safetensors_unused: NULL argument");
  rb_param_key *keys;
  int nkeys;
  rb_status s = rb_graph_param_keys(g, &keys, &nkeys);
  if (s != RB_OK) return s;
  *count = 0;
  size_t used = 0;
  if (names && len) names[0] = 0;
  for (size_t i = 0; i < rb_st_count(f); i++) {
    const char *nm = rb_st_at(f, i)->name;
    const size_t nl = strlen(nm), suf = strlen("num_batches_tracked");
    if (nl >= suf && strcmp(nm + nl - suf, "num_batches_tracked") == 0) continue;
    int found = 0;
    for (int j = 0; j < nkeys && !found; j++) found = strcmp(keys[j].name, nm) == 0;
    if (found) continue;
    if (names && len) {
      int w = snprintf(names + used, len - used, "%s%s", *count ? ", " : "", nm);
      if (w > 0) used = used + (size_t)w < len ? used + (size_t)w : len - 1;
    }
    (*count)++;
  }
  free(keys);
  return RB_OK;
}

static uint64_t fnv1a64(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= 0x100000001b3ull;
  }
  return h;
}

static uint64_t splitmix64(uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z;
}

static int ends_with(const char *s, const char *suffix) {
  const size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void fill_random(const char *name, int rank, const int *shape, float *out, size_t count) {
  const uint64_t h = fnv1a64(name);
  double scale = 0;
  int kind;  // 0: (2u - 1) * scale, 1: 0.5 + u
  if (ends_with(name, ".weight") && rank >= 2) {
    double fan_in = 1;
    for (int i = 1; i < rank; i++) fan_in *= shape[i];
    kind = 0, scale = sqrt(3.0 / fan_in);
  } else if (ends_with(name, ".weight") || ends_with(name, ".running_var")) {
    kind = 1;
  } else {  // bias, running_mean
    kind = 0, scale = 0.1;
  }
  for (size_t i = 0; i < count; i++) {
    const uint64_t x = splitmix64(h + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
    const double u = (double)(x >> 40) * (1.0 / 16777216.0);
    out[i] = kind ? (float)(0.5 + u) : (float)((2 * u - 1) * scale);
  }
}

float rb_random_weight_value(const char *name, int rank, const int *shape, size_t i) {
  // Element i only: fill a one-element window by shifting the index.
  const uint64_t h = fnv1a64(name);
  const uint64_t x = splitmix64(h + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
  const double u = (double)(x >> 40) * (1.0 / 16777216.0);
  if (ends_with(name, ".weight") && rank >= 2) {
    double fan_in = 1;
    for (int j = 1; j < rank; j++) fan_in *= shape[j];
    return (float)((2 * u - 1) * sqrt(3.0 / fan_in));
  }
  if (ends_with(name, ".weight") || ends_with(name, ".running_var")) return (float)(0.5 + u);
  return (float)((2 * u - 1) * 0.1);
}

rb_status rb_weights_random(void *ctx, const rb_param_key *key, const float **data) {
  if (!ctx || !key || !data) return rb_fail(RB_ERR_NULL, "rb_weights_random: NULL argument");
  rb_random_weights *r = ctx;
  size_t count = 1;
  for (int i = 0; i < key->rank; i++) {
    if (key->shape[i] < 1) return rb_fail(RB_ERR_SHAPE, "%s: dimension %d is %d", key->name, i, key->shape[i]);
    count *= (size_t)key->shape[i];
  }
  const int slot = r->next;
  r->next = (r->next + 1) % 16;
  if (r->cap[slot] < count) {
    rb_aligned_free(r->buf[slot]);
    r->buf[slot] = rb_aligned_alloc(count * sizeof(float));
    r->cap[slot] = r->buf[slot] ? count : 0;
    if (!r->buf[slot]) return rb_fail(RB_ERR_NOMEM, "out of memory generating %s", key->name);
  }
  fill_random(key->name, key->rank, key->shape, r->buf[slot], count);
  *data = r->buf[slot];
  return RB_OK;
}

void rb_random_weights_release(rb_random_weights *r) {
  if (!r) return;
  for (int i = 0; i < 16; i++) {
    rb_aligned_free(r->buf[i]);
    r->buf[i] = NULL;
    r->cap[i] = 0;
  }
  r->next = 0;
}
