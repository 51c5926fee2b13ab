// Running a planned model (see resbench/forward.h): NCHW in, each layer on its kernels in graph
// order over the liveness-shared NHWC buffers, NCHW out.
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../kernels/ops_internal.h"
#include "forward_internal.h"
#include "resbench/ops.h"

// rt->pooled for an attention layer fused with its convolutions: the sum over its pooled tensors
// (SK's paths, ResNeSt's radix splits of one tensor) of their means, from the producers' sums.
static void pooled_from_sums(const rb_model *m, const rb_layer *l, const layer_rt *rt) {
  const int t0 = l->src[0], t1 = l->kind == RB_LAYER_SK_SELECT ? l->src[1] : l->src[0];
  const float *sums[RB_SK_MAX_PATHS];  // SK: its paths, checked against RB_SK_MAX_PATHS before
  for (int t = t0; t <= t1; t++) sums[t - t0] = m->rt[m->producer[t]].sums;
  rb_sum_parts(l->out.n, l->channels, t1 - t0 + 1, sums, l->kind == RB_LAYER_SPLIT_ATTN ? l->radix : 1,
               (float)(l->out.h * l->out.w), rt->pooled);
}

// The SE gate ahead of convolution layer ci (rt: its runtime): the mean of its input from the
// input's producer's sums, the convolution applied to it (the mean of its output: it is linear),
// then the SE's FCs and sigmoid into the SE's gate.
static rb_status gate_ahead(rb_model *m, const rb_layer *c, const layer_rt *rt) {
  const int si = rt->se_ahead - 1;
  const rb_layer *se = &m->layers[si];
  const layer_rt *srt = &m->rt[si];
  const rb_conv_desc *d = &c->conv;
  const float *sums = m->rt[m->producer[c->src[0]]].sums;
  rb_sum_parts(d->n, d->cin, 1, &sums, 1, (float)(d->h * d->w), rt->mean_in);
  rb_status s = rb_op_fc(m->k, d->n, d->cin, d->cout, 1, rt->mean_in, rt->w_fold, rt->b_fold, 0, srt->pooled);
  const rb_se_desc sd = fwd_se_desc(se);
  if (s == RB_OK) s = rb_op_se_gate(m->k, &sd, NULL, srt->pooled, srt->w1, srt->b1, srt->w2, srt->b2, m->work, srt->gate);
  return s;
}

static rb_status run_layer(rb_model *m, int li) {
  const rb_layer *l = &m->layers[li];
  const layer_rt *rt = &m->rt[li];
  const rb_kernels *k = m->k;
  float *dst = m->act[l->dst];
  const float *src = l->src[0] >= 0 ? m->act[l->src[0]] : NULL;
  const rb_shape in = l->src[0] >= 0 ? m->shapes[l->src[0]] : l->out;
  const int n = l->out.n;
  switch (l->kind) {
    case RB_LAYER_CONV: {  // src[1]: the shortcut when the block's residual add is fused into this store
      // and the SE's scale when its gate is computed ahead (forward runs gate_ahead first)
      const rb_conv_fusion f = {l->src[1] >= 0 ? m->act[l->src[1]] : NULL, l->relu,
                                rt->se_ahead ? m->rt[rt->se_ahead - 1].gate : NULL, rt->sums};
      return rb_conv_plan_run_fused(rt->plan, src, &f, dst);
    }
    case RB_LAYER_MAXPOOL: return rb_op_maxpool(k, &l->pool, src, dst);
    case RB_LAYER_AVGPOOL: return rb_op_avgpool(k, &l->pool, src, dst);
    case RB_LAYER_CHANNEL_SLICE: {
      const size_t pix = (size_t)in.n * in.h * in.w;
      for (size_t p = 0; p < pix; p++)
        memcpy(dst + p * l->out.c, src + p * in.c + l->slice_offset, (size_t)l->out.c * sizeof(float));
      return RB_OK;
    }
    case RB_LAYER_SE: {
      if (rt->ahead_conv) return RB_OK;  // run ahead of the convolution that applies it (gate_ahead)
      const rb_se_desc d = fwd_se_desc(l);
      if (rt->pooled) pooled_from_sums(m, l, rt);
      if (rt->gate)  // fused: the add that follows applies the gate
        return rb_op_se_gate(k, &d, src, rt->pooled, rt->w1, rt->b1, rt->w2, rt->b2, m->work, rt->gate);
      return rb_op_se(k, &d, src, rt->w1, rt->b1, rt->w2, rt->b2, m->work, dst);
    }
    case RB_LAYER_SK_SELECT: {
      const rb_sk_attn_desc d = fwd_sk_desc(l);
      rb_status s = rb_sk_attn_desc_check(&d);  // paths <= RB_SK_MAX_PATHS before br is filled
      if (s != RB_OK) return s;
      const float *br[RB_SK_MAX_PATHS];
      for (int p = 0; p < d.paths; p++) br[p] = m->act[l->src[0] + p];  // the paths: tensors src[0] .. src[1]
      if (rt->pooled) pooled_from_sums(m, l, rt);
      return rb_op_sk_attention(k, &d, br, rt->pooled, rt->w1, rt->b1, rt->w2, rt->b2, m->work, dst);
    }
    case RB_LAYER_SPLIT_ATTN: {
      const rb_split_attn_desc d = fwd_split_desc(l);
      if (rt->pooled) pooled_from_sums(m, l, rt);
      return rb_op_split_attention(k, &d, src, rt->pooled, rt->w1, rt->b1, rt->w2, rt->b2, m->work, dst);
    }
    case RB_LAYER_ADD_RELU:
      if (rt->add_folded) return RB_OK;  // done by the convolution's store
      if (rt->gate_layer)  // relu(x * SE gate + shortcut): the SE's scale in this pass
        return rb_op_scale_add(k, n, l->out.h * l->out.w, l->out.c, m->act[l->src[rt->x_src]],
                               m->rt[rt->gate_layer - 1].gate, m->act[l->src[1 - rt->x_src]], 1, dst);
      return rb_op_add(k, shape_count(l->out), src, m->act[l->src[1]], 1, dst);
    case RB_LAYER_GLOBAL_POOL: return rb_op_global_avgpool(k, in.n, in.h * in.w, in.c, src, dst);
    case RB_LAYER_FC:
      return rb_op_fc(k, n, l->in_features, l->out_features, 1, src, rt->w1, rt->b1, 0, dst);
  }
  return rb_fail(RB_ERR_INVALID_ARG, "layer %s: unknown kind %d", l->name, (int)l->kind);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// layer_seconds: NULL, or the wall time of each layer.
static rb_status forward(rb_model *m, const float *input, float *output, double *layer_seconds) {
  const rb_shape s0 = m->shapes[0];
  float *x = m->act[0];
  for (int i = 0; i < s0.n; i++)
    for (int c = 0; c < s0.c; c++)
      for (int p = 0; p < s0.h * s0.w; p++)
        x[((size_t)i * s0.h * s0.w + p) * s0.c + c] = input[((size_t)i * s0.c + c) * s0.h * s0.w + p];
  for (int li = 0; li < m->g.count; li++) {
    double t0 = layer_seconds ? now_seconds() : 0;
    const int se = m->rt[li].se_ahead - 1;
    rb_status s = se >= 0 ? gate_ahead(m, &m->layers[li], &m->rt[li]) : RB_OK;
    if (se >= 0 && layer_seconds) {  // the gate's time is the SE's, whose own turn is then a no-op
      const double t1 = now_seconds();
      layer_seconds[se] = t1 - t0, t0 = t1;
    }
    if (s == RB_OK) s = run_layer(m, li);
    if (layer_seconds && !m->rt[li].ahead_conv) layer_seconds[li] = now_seconds() - t0;
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

rb_status rb_model_forward(rb_model *m, const float *input, float *output) {
  if (!m || !input || !output) return rb_fail(RB_ERR_NULL, "rb_model_forward: NULL argument");
  return forward(m, input, output, NULL);
}

rb_status rb_model_forward_profile(rb_model *m, const float *input, float *output, double *layer_seconds) {
  if (!m || !input || !output || !layer_seconds) return rb_fail(RB_ERR_NULL, "rb_model_forward_profile: NULL argument");
  return forward(m, input, output, layer_seconds);
}

const rb_graph *rb_model_graph(const rb_model *m) { return m ? &m->g : NULL; }

rb_conv_algo rb_model_layer_algo(const rb_model *m, int layer) {
  if (!m || layer < 0 || layer >= m->g.count || !m->rt[layer].plan) return RB_CONV_AUTO;
  return rb_conv_plan_algo(m->rt[layer].plan);
}
