// Planning a model graph (see resbench/forward.h): weights fetched and BN folded, conv plans
// packed, attention and FC weights copied, activation buffers and the attention workspace
// allocated; rb_model_plan_bytes sizes the same without allocating.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "resbench/ops.h"
#include "resbench/tensor.h"

#define BN_EPS 1e-5f

static float *copy_floats(const float *src, size_t n) {
  float *d = rb_aligned_alloc(n * sizeof *d);
  if (d) memcpy(d, src, n * sizeof *d);
  return d;
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
    rb_conv_algo a = RB_CONV_DIRECT;
    s = rb_conv_algo_for_layer(m->k, d, algo, &a);
    if (s == RB_OK) s = rb_conv_plan_create(m->k, d, a, 0, wf, bias, &rt->plan);
    if (s == RB_OK && rt->se_ahead) {  // kept for the SE gate's product ahead of this convolution
      rt->w_fold = wf, rt->b_fold = bias;
      return RB_OK;
    }
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

static rb_status attention_check(const rb_layer *l) {
  rb_status s;
  if (l->kind == RB_LAYER_SE) {
    const rb_se_desc d = fwd_se_desc(l);
    s = rb_se_desc_check(&d);
  } else if (l->kind == RB_LAYER_SK_SELECT) {
    const rb_sk_attn_desc d = fwd_sk_desc(l);
    s = rb_sk_attn_desc_check(&d);
  } else {
    const rb_split_attn_desc d = fwd_split_desc(l);
    s = rb_split_attn_desc_check(&d);
  }
  if (s != RB_OK) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s", rb_last_error());
    s = rb_fail(s, "planning %s: %s", l->name, msg);
  }
  return s;
}

static rb_status plan_attention(const rb_layer *l, layer_rt *rt, const float *const *w) {
  rb_status s = attention_check(l);  // before any size below is computed from the layer
  if (s != RB_OK) return s;
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
    s = rb_bn_fold(r, n1 / r, rt->w1, b1, bn[0], bn[1], bn[2], bn[3], BN_EPS, rt->w1, rt->b1);
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

// The attention workspace a layer needs, in floats (0 for other kinds, or a descriptor its op's
// check refuses: plan_attention reports that).
static size_t attention_work(const rb_layer *l) {
  switch (l->kind) {
    case RB_LAYER_SE: {
      const rb_se_desc d = fwd_se_desc(l);
      return rb_se_workspace_size(&d);
    }
    case RB_LAYER_SK_SELECT: {
      const rb_sk_attn_desc d = fwd_sk_desc(l);
      return rb_sk_attention_workspace_size(&d);
    }
    case RB_LAYER_SPLIT_ATTN: {
      const rb_split_attn_desc d = fwd_split_desc(l);
      return rb_split_attention_workspace_size(&d);
    }
    default: return 0;
  }
}

// The graph's layers with the default fusions applied (fwd_fuse), for sizing the plan as
// rb_model_plan builds it: *fused (malloc'd, g->count), its *output and the bytes of the SE gates
// and of what the gates ahead keep (pooled means, the convolution's folded weights, sums).
static rb_status fused_layers(const rb_graph *g, rb_layer **fused, int *output, double *gate_bytes) {
  const size_t n = (size_t)g->count;
  rb_layer *l = malloc(n * sizeof *l);
  int *add = malloc(n * sizeof *add), *x = malloc(n * sizeof *x), *folded = malloc(n * sizeof *folded);
  int *ahead = malloc(n * sizeof *ahead);
  if (!l || !add || !x || !folded || !ahead) {
    free(l), free(add), free(x), free(folded), free(ahead);
    return rb_fail(RB_ERR_NOMEM, "out of memory sizing the plan");
  }
  memcpy(l, g->layers, n * sizeof *l);
  fwd_fuse(g, l, output, 1, add, x, folded, ahead);
  *gate_bytes = 0;
  for (int i = 0; i < g->count; i++) {
    if (add[i] >= 0) *gate_bytes += (double)l[i].out.n * l[i].channels * sizeof(float);
    if (ahead[i] < 0) continue;
    const rb_conv_desc *d = &l[ahead[i]].conv;
    *gate_bytes += ((double)d->n * (2.0 * d->cout + 2.0 * d->cin) + (double)d->cin * d->cout + d->cout) * sizeof(float);
  }
  free(add), free(x), free(folded), free(ahead);
  *fused = l;
  return RB_OK;
}

rb_status rb_model_plan_bytes(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, double *bytes) {
  if (!g || !k || !bytes) return rb_fail(RB_ERR_NULL, "rb_model_plan_bytes: NULL argument");
  double total, fold = 0, work = 0, gates = 0;  // fold: the largest BN-folded copy, alive while its conv is packed
  rb_layer *fl = NULL;
  int output = g->output;
  rb_status sa = fused_layers(g, &fl, &output, &gates);
  if (sa == RB_OK) {
    rb_graph fg = *g;
    fg.layers = fl;
    fg.output = output;
    sa = fwd_activation_bytes(&fg, &total);
    free(fl);
  }
  if (sa != RB_OK) return sa;
  total += gates;
  for (int li = 0; li < g->count; li++) {
    const rb_layer *l = &g->layers[li];
    if (l->kind == RB_LAYER_CONV) {
      const rb_conv_desc *d = &l->conv;
      double pb;
      rb_conv_algo a = RB_CONV_DIRECT;
      rb_status s = rb_conv_algo_for_layer(k, d, algo, &a);
      if (s == RB_OK) s = rb_conv_plan_bytes(k, d, a, &pb);
      if (s != RB_OK) return s;
      total += pb;
      const double f = ((double)d->cout * (d->cin / d->groups) * d->kh * d->kw + d->cout) * sizeof(float);
      if (f > fold) fold = f;
    } else {
      total += l->params * sizeof(float);
      const double w = (double)attention_work(l);
      if (w > work) work = w;
    }
  }
  *bytes = total + fold + work * sizeof(float);
  return RB_OK;
}

rb_status rb_model_plan(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, rb_weight_fn get, void *ctx,
                        rb_model **out) {
  return rb_model_plan_opts(g, k, algo, NULL, get, ctx, out);
}

// An SE gate ahead of convolution c3 (fwd_fuse's ahead): the gate, the pooled means of c3's
// output and of its input, and its input's producer's channel sums. plan_conv keeps c3's folded
// weights (se_ahead set).
static rb_status plan_ahead(rb_model *m, int se, int c3) {
  const rb_layer *l = &m->layers[se], *c = &m->layers[c3];
  layer_rt *srt = &m->rt[se], *crt = &m->rt[c3], *c2rt = &m->rt[m->producer[c->src[0]]];
  const size_t n = (size_t)l->out.n, cin = (size_t)c->conv.cin;
  srt->ahead_conv = c3 + 1, crt->se_ahead = se + 1;
  srt->gate = rb_aligned_alloc(n * l->channels * sizeof(float));
  srt->pooled = rb_aligned_alloc(n * l->channels * sizeof(float));
  crt->mean_in = rb_aligned_alloc(n * cin * sizeof(float));
  if (!c2rt->sums) c2rt->sums = rb_aligned_alloc(n * cin * sizeof(float));
  if (!srt->gate || !srt->pooled || !crt->mean_in || !c2rt->sums)
    return rb_fail(RB_ERR_NOMEM, "out of memory planning %s", l->name);
  return RB_OK;
}

// The default fusions (fwd_fuse): the SE layers fused with their adds get gate buffers, the adds
// learn where the gate and their x operand are; the residual adds folded into convolutions are
// marked; the SE gates ahead get theirs (pools: the pool fusions are on).
static rb_status plan_fusion(rb_model *m, int pools) {
  const size_t n = (size_t)m->g.count;
  int *add = malloc(n * sizeof *add), *x = malloc(n * sizeof *x), *folded = malloc(n * sizeof *folded);
  int *ahead = malloc(n * sizeof *ahead);
  if (!add || !x || !folded || !ahead) {
    free(add), free(x), free(folded), free(ahead);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning the model");
  }
  fwd_fuse(&m->g, m->layers, &m->g.output, pools, add, x, folded, ahead);
  rb_status s = RB_OK;
  for (int li = 0; li < m->g.count && s == RB_OK; li++) {
    m->rt[li].add_folded = folded[li];
    if (ahead[li] >= 0) {
      s = plan_ahead(m, li, ahead[li]);
      continue;
    }
    if (add[li] < 0) continue;
    const rb_layer *l = &m->layers[li];
    if (!(m->rt[li].gate = rb_aligned_alloc((size_t)l->out.n * l->channels * sizeof(float))))
      s = rb_fail(RB_ERR_NOMEM, "out of memory planning %s", l->name);
    m->rt[add[li]].gate_layer = li + 1;
    m->rt[add[li]].x_src = x[add[li]];
  }
  free(add), free(x), free(folded), free(ahead);
  return s;
}

// The tensors an attention layer pools: [*first, *last] (SK pools its consecutive paths).
static int pooled_tensors(const rb_layer *l, const layer_rt *rt, int *first, int *last) {
  // An unfused SE pools in its kernel; an SE gate ahead has its pool planned (plan_ahead).
  if (l->kind == RB_LAYER_SPLIT_ATTN || (l->kind == RB_LAYER_SE && rt->gate && !rt->ahead_conv)) {
    *first = *last = l->src[0];
    return 1;
  }
  if (l->kind == RB_LAYER_SK_SELECT) {
    *first = l->src[0], *last = l->src[1];
    return 1;
  }
  return 0;
}

// Attention layers whose pooled tensors all come straight from convolutions get their pool fused
// into those convolutions' stores: no pass over the tensor for the pool.
static rb_status plan_pool_fusion(rb_model *m) {
  for (int li = 0; li < m->g.count; li++) {
    const rb_layer *l = &m->layers[li];
    int t0, t1, ok = 1;
    if (!pooled_tensors(l, &m->rt[li], &t0, &t1)) continue;
    for (int t = t0; t <= t1 && ok; t++) ok = m->producer[t] >= 0 && m->layers[m->producer[t]].kind == RB_LAYER_CONV;
    if (!ok) continue;
    for (int t = t0; t <= t1; t++) {
      const rb_layer *c = &m->layers[m->producer[t]];
      layer_rt *crt = &m->rt[m->producer[t]];
      if (!crt->sums && !(crt->sums = rb_aligned_alloc((size_t)c->out.n * c->out.c * sizeof(float))))
        return rb_fail(RB_ERR_NOMEM, "out of memory planning %s", c->name);
    }
    if (!(m->rt[li].pooled = rb_aligned_alloc((size_t)l->out.n * l->channels * sizeof(float))))
      return rb_fail(RB_ERR_NOMEM, "out of memory planning %s", l->name);
  }
  return RB_OK;
}

rb_status rb_model_plan_opts(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, const rb_plan_options *opt,
                             rb_weight_fn get, void *ctx, rb_model **out) {
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
  m->producer = malloc((size_t)g->tensor_count * sizeof *m->producer);
  if (!m->layers || !m->shapes || !m->rt || !m->act || !m->producer) {
    s = rb_fail(RB_ERR_NOMEM, "out of memory planning the model");
    goto fail;
  }
  memcpy(m->layers, g->layers, (size_t)g->count * sizeof *m->layers);
  memcpy(m->shapes, g->tensors, (size_t)g->tensor_count * sizeof *m->shapes);
  m->g.layers = m->layers;
  m->g.tensors = m->shapes;
  for (int t = 0; t < g->tensor_count; t++) m->producer[t] = -1;
  for (int li = 0; li < g->count; li++) m->producer[g->layers[li].dst] = li;
  const int pools = !(opt && opt->no_pool_fusion);
  if (!(opt && opt->no_fusion) && (s = plan_fusion(m, pools)) != RB_OK) goto fail;  // before liveness: it moves reads
  if (!(opt && (opt->no_fusion || opt->no_pool_fusion)) && (s = plan_pool_fusion(m)) != RB_OK) goto fail;
  if ((s = fwd_assign_buffers(m)) != RB_OK) goto fail;
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

int rb_model_fused_count(const rb_model *m) {
  int n = 0;
  for (int i = 0; m && i < m->g.count; i++) n += m->rt[i].gate_layer != 0;
  return n;
}

int rb_model_residual_fused_count(const rb_model *m) {
  int n = 0;
  for (int i = 0; m && i < m->g.count; i++) n += m->rt[i].add_folded;
  return n;
}

int rb_model_gate_ahead_count(const rb_model *m) {
  int n = 0;
  for (int i = 0; m && i < m->g.count; i++) n += m->rt[i].ahead_conv != 0;
  return n;
}

static double shape_elems(rb_shape s) { return (double)s.n * s.h * s.w * s.c; }

double rb_model_layer_bytes(const rb_model *m, int layer) {
  if (!m || layer < 0 || layer >= m->g.count) return 0;
  const rb_layer *l = &m->layers[layer];  // the fused copy: a convolution that folds an add has src[1]
  const layer_rt *rt = &m->rt[layer];
  const double out = shape_elems(l->out);
  double in = 0;
  if (l->kind == RB_LAYER_SK_SELECT)  // the paths: tensors src[0] .. src[1]
    for (int t = l->src[0]; t <= l->src[1]; t++) in += shape_elems(m->shapes[t]);
  else if (l->kind == RB_LAYER_CHANNEL_SLICE)  // reads only the slice it copies
    in = out;
  else
    for (int i = 0; i < 2; i++)
      if (l->src[i] >= 0) in += shape_elems(m->shapes[l->src[i]]);
  switch (l->kind) {
    case RB_LAYER_ADD_RELU: return rt->add_folded ? 0 : sizeof(float) * (in + out);
    case RB_LAYER_SE:
      if (rt->ahead_conv) return 0;         // its gate from the sums, applied by the convolution's store
      if (rt->gate) return rt->pooled ? 0 : sizeof(float) * in;  // its add scales; it pools, or not even
      return sizeof(float) * (2 * in + out);  // pool, then scale into its output
    case RB_LAYER_SPLIT_ATTN:
    case RB_LAYER_SK_SELECT:  // the weighted sum, after its own pool unless the convolutions summed
      return sizeof(float) * ((rt->pooled ? 1 : 2) * in + out);
    default: return sizeof(float) * (in + out);
  }
}

int rb_model_pool_fused_count(const rb_model *m) {
  int n = 0;
  for (int i = 0; m && i < m->g.count; i++) n += m->rt[i].pooled != NULL;
  return n;
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
      rb_aligned_free(m->rt[i].gate);
      rb_aligned_free(m->rt[i].sums);
      rb_aligned_free(m->rt[i].pooled);
      rb_aligned_free(m->rt[i].w_fold);
      rb_aligned_free(m->rt[i].b_fold);
      rb_aligned_free(m->rt[i].mean_in);
    }
  if (m->bufs)
    for (int b = 0; b < m->nbufs; b++) rb_aligned_free(m->bufs[b]);
  free(m->bufs);
  rb_aligned_free(m->work);
  free(m->act);
  free(m->producer);
  free(m->rt);
  free(m->layers);
  free(m->shapes);
  free(m);
}
