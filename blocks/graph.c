// The layer graph of a model: stem, four stages of blocks, head; every layer with its PyTorch
// key names, output shape and cost.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_build.h"
#include "resbench/ops.h"

static const char *const kind_names[] = {"conv", "maxpool", "avgpool", "slice", "se", "sk_select",
                                         "split_attn", "add_relu", "global_pool", "fc"};

const char *rb_layer_kind_name(rb_layer_kind k) {
  return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "unknown";
}

int gb_make_divisible(double v, int divisor, int min_value, double round_limit) {
  int r = (int)(v + divisor / 2.0) / divisor * divisor;
  if (r < min_value) r = min_value;
  if (r < round_limit * v) r += divisor;
  return r;
}

static double elems(rb_shape s) { return (double)s.n * s.h * s.w * s.c; }

static int new_tensor(gb *b, rb_shape s) {
  rb_graph *g = b->g;
  rb_shape *t = realloc(g->tensors, (size_t)(g->tensor_count + 1) * sizeof *t);
  if (!t) {
    b->status = rb_fail(RB_ERR_NOMEM, "out of memory building the model graph");
    return -1;
  }
  g->tensors = t;
  t[g->tensor_count] = s;
  return g->tensor_count++;
}

// Appends a layer writing a new tensor of shape out; NULL after an error.
static rb_layer *add_layer(gb *b, rb_layer_kind kind, const char *name, int src0, int src1, rb_shape out) {
  if (b->status != RB_OK) return NULL;
  rb_graph *g = b->g;
  rb_layer *l = realloc(g->layers, (size_t)(g->count + 1) * sizeof *l);
  if (!l) {
    b->status = rb_fail(RB_ERR_NOMEM, "out of memory building the model graph");
    return NULL;
  }
  g->layers = l;
  const int dst = new_tensor(b, out);
  if (dst < 0) return NULL;
  l += g->count++;
  memset(l, 0, sizeof *l);
  l->kind = kind;
  snprintf(l->name, sizeof l->name, "%s", name);
  l->src[0] = src0, l->src[1] = src1, l->dst = dst, l->out = out;
  return l;
}

// A layer's descriptor check failed with status s: RB_ERR_SHAPE means the feature map is smaller than
// the window; anything else (sizes beyond the kernels' limits) means the input is too large.
static rb_status layer_fail(const gb *b, rb_status s, const char *name, rb_shape in) {
  if (s == RB_ERR_SHAPE)
    return rb_fail(RB_ERR_SHAPE, "model input %dx%d is too small: layer %s gets %dx%d (%s)", b->g->res_h, b->g->res_w,
                   name, in.h, in.w, rb_last_error());
  return rb_fail(RB_ERR_INVALID_ARG, "model input %dx%d at batch %d is too large: layer %s gets %dx%dx%d (%s)",
                 b->g->res_h, b->g->res_w, in.n, name, in.h, in.w, in.c, rb_last_error());
}

int gb_conv(gb *b, int src, int cout, int k, int stride, int pad, int dil, int groups, int relu, const char *bn,
            const char *name_fmt, ...) {
  if (b->status != RB_OK) return -1;
  char name[RB_KEY_LEN];
  va_list ap;
  va_start(ap, name_fmt);
  vsnprintf(name, sizeof name, name_fmt, ap);
  va_end(ap);
  const rb_shape in = b->g->tensors[src];
  const rb_conv_desc d = rb_conv_desc_make(in.n, in.h, in.w, in.c, cout, k, stride, pad, dil, groups);
  const rb_status cs = rb_conv_desc_check(&d);
  if (cs != RB_OK) {
    b->status = layer_fail(b, cs, name, in);
    return -1;
  }
  rb_layer *l = add_layer(b, RB_LAYER_CONV, name, src, -1,
                          (rb_shape){in.n, rb_conv_out_h(&d), rb_conv_out_w(&d), cout});
  if (!l) return -1;
  l->conv = d;
  snprintf(l->bn, sizeof l->bn, "%s", bn);
  l->relu = relu;
  l->params = (double)cout * (in.c / groups) * k * k + 2.0 * cout;  // weight + BN weight, bias
  l->macs = rb_conv_macs(&d);
  l->bn_elements = elems(l->out);
  l->elem_ops = relu ? elems(l->out) : 0;
  return l->dst;
}

int gb_pool(gb *b, rb_layer_kind kind, int src, int k, int stride, int pad, int ceil_mode, int count_include_pad,
            const char *name) {
  if (b->status != RB_OK) return -1;
  const rb_shape in = b->g->tensors[src];
  const rb_pool_desc p = {.n = in.n, .h = in.h, .w = in.w, .c = in.c, .kh = k, .kw = k, .stride_h = stride,
                          .stride_w = stride, .pad_h = pad, .pad_w = pad, .ceil_mode = ceil_mode,
                          .count_include_pad = count_include_pad};
  const rb_status ps = rb_pool_desc_check(&p);
  if (ps != RB_OK) {
    b->status = layer_fail(b, ps, name, in);
    return -1;
  }
  rb_layer *l = add_layer(b, kind, name, src, -1, (rb_shape){in.n, rb_pool_out_h(&p), rb_pool_out_w(&p), in.c});
  if (!l) return -1;
  l->pool = p;
  l->elem_ops = elems(l->out) * k * k;  // one compare or add per tap
  return l->dst;
}

int gb_slice(gb *b, int src, int offset, int c, const char *name) {
  if (b->status != RB_OK) return -1;
  rb_shape s = b->g->tensors[src];
  s.c = c;
  rb_layer *l = add_layer(b, RB_LAYER_CHANNEL_SLICE, name, src, -1, s);
  if (!l) return -1;
  l->slice_offset = offset;
  return l->dst;
}

int gb_attention(gb *b, rb_layer_kind kind, const int src[2], int channels, int reduced, int groups, int radix,
                 int fc_bias, const char *prefix, const char *fc1, const char *bn, const char *fc2) {
  if (b->status != RB_OK) return -1;
  const rb_shape in = b->g->tensors[src[0]];
  rb_shape out = in;
  out.c = channels;
  rb_layer *l = add_layer(b, kind, prefix, src[0], src[1], out);
  if (!l) return -1;
  snprintf(l->fc1, sizeof l->fc1, "%s.%s", prefix, fc1);
  if (bn) snprintf(l->attn_bn, sizeof l->attn_bn, "%s.%s", prefix, bn);
  snprintf(l->fc2, sizeof l->fc2, "%s.%s", prefix, fc2);
  l->channels = channels, l->reduced = reduced, l->attn_groups = groups, l->radix = radix, l->fc_bias = fc_bias;
  // fc1: channels -> reduced, fc2: reduced -> radix * channels (SE: radix 1), both grouped.
  const double w1 = (double)reduced * (channels / groups), w2 = (double)radix * channels * (reduced / groups);
  l->params = w1 + w2 + (fc_bias ? reduced + (double)radix * channels : 0) + (bn ? 2.0 * reduced : 0);
  l->macs = in.n * (w1 + w2);
  l->bn_elements = bn ? (double)in.n * reduced : 0;
  // Sum of splits/paths, global mean, ReLU, softmax/sigmoid, weighted sum or scale.
  const double hw = (double)in.n * in.h * in.w * channels;
  l->elem_ops = (radix - 1) * hw + hw + (double)in.n * reduced + (double)in.n * radix * channels + radix * hw;
  return l->dst;
}

int gb_add_relu(gb *b, int a, int c, const char *name) {
  if (b->status != RB_OK) return -1;
  rb_layer *l = add_layer(b, RB_LAYER_ADD_RELU, name, a, c, b->g->tensors[a]);
  if (!l) return -1;
  l->elem_ops = 2 * elems(l->out);
  return l->dst;
}

int gb_shortcut(gb *b, const rb_model_spec *s, int x, int outplanes, int stride, const char *prefix) {
  if (stride == 1 && gb_channels(b, x) == outplanes) return x;
  char name[RB_KEY_LEN], bn[RB_KEY_LEN];
  if (s->avg_down) {  // timm: Sequential(pool or Identity, conv, bn)
    if (stride > 1) {
      snprintf(name, sizeof name, "%s.downsample.0", prefix);
      x = gb_pool(b, RB_LAYER_AVGPOOL, x, stride, stride, 0, 1, 0, name);
    }
    snprintf(bn, sizeof bn, "%s.downsample.2", prefix);
    return gb_conv(b, x, outplanes, 1, 1, 0, 1, 1, 0, bn, "%s.downsample.1", prefix);
  }
  snprintf(bn, sizeof bn, "%s.downsample.1", prefix);
  return gb_conv(b, x, outplanes, 1, stride, 0, 1, 1, 0, bn, "%s.downsample.0", prefix);
}

void rb_graph_destroy(rb_graph *g) {
  if (!g) return;
  free(g->layers);
  free(g->tensors);
  free(g);
}

static rb_status check_build_args(const rb_model_spec *spec, int batch, int res_h, int res_w, rb_graph **out) {
  if (!out) return rb_fail(RB_ERR_NULL, "rb_graph_build: graph is NULL");
  *out = NULL;
  rb_status st = rb_model_spec_check(spec);
  if (st != RB_OK) return st;
  if (batch < 1 || batch > 1 << 16) return rb_fail(RB_ERR_INVALID_ARG, "batch must be in 1..65536, got %d", batch);
  if (res_h < 1 || res_w < 1 || res_h > 1 << 14 || res_w > 1 << 14)
    return rb_fail(RB_ERR_INVALID_ARG, "input resolution must be in 1..16384, got %dx%d", res_h, res_w);
  // Below 32 the stride-32 network's last stage would convolve padding only.
  if (res_h < RB_MODEL_MIN_RES || res_w < RB_MODEL_MIN_RES)
    return rb_fail(RB_ERR_SHAPE, "input %dx%d is too small: ResNet-family models take at least %dx%d", res_h, res_w,
                   RB_MODEL_MIN_RES, RB_MODEL_MIN_RES);
  return RB_OK;
}

static rb_graph *graph_new(const rb_model_spec *spec, int batch, int res_h, int res_w) {
  rb_graph *g = calloc(1, sizeof *g);
  if (!g) {
    rb_fail(RB_ERR_NOMEM, "out of memory building the model graph");
    return NULL;
  }
  g->spec = *spec, g->batch = batch, g->res_h = res_h, g->res_w = res_w;
  return g;
}

// Block `index` of stage `stage` (0-based) with input x.
static int build_block(gb *b, const rb_model_spec *spec, int x, int stage, int index) {
  char prefix[RB_KEY_LEN];
  snprintf(prefix, sizeof prefix, "layer%d.%d", stage + 1, index);
  const int planes = 64 << stage, stride = stage > 0 && index == 0 ? 2 : 1;
  switch (spec->family) {
    case RB_FAMILY_SK: return gb_block_sk(b, spec, x, planes, stride, prefix);
    case RB_FAMILY_RESNEST: return gb_block_resnest(b, spec, x, planes, stride, prefix);
    default: return gb_block_resnet(b, spec, x, planes, stride, prefix);
  }
}

// Sums the layer costs into the graph's totals, or frees the graph after an error.
static rb_status finish(gb *b, rb_graph **out) {
  rb_graph *g = b->g;
  if (b->status != RB_OK) {
    rb_graph_destroy(g);
    return b->status;
  }
  for (int i = 0; i < g->count; i++) {
    g->params += g->layers[i].params;
    g->macs += g->layers[i].macs;
    g->bn_elements += g->layers[i].bn_elements;
    g->elem_ops += g->layers[i].elem_ops;
  }
  *out = g;
  return RB_OK;
}

rb_status rb_graph_build(const rb_model_spec *spec, int batch, int res_h, int res_w, rb_graph **out) {
  rb_status st = check_build_args(spec, batch, res_h, res_w, out);
  if (st != RB_OK) return st;
  rb_graph *g = graph_new(spec, batch, res_h, res_w);
  if (!g) return RB_ERR_NOMEM;
  gb b = {g, RB_OK};
  int x = new_tensor(&b, (rb_shape){batch, res_h, res_w, 3});

  if (spec->stem == RB_STEM_DEEP) {  // timm: conv1 = Sequential(conv, bn, act, conv, bn, act, conv); bn1; act1
    const int sw = spec->stem_width;
    x = gb_conv(&b, x, sw, 3, 2, 1, 1, 1, 1, "conv1.1", "conv1.0");
    x = gb_conv(&b, x, sw, 3, 1, 1, 1, 1, 1, "conv1.4", "conv1.3");
    x = gb_conv(&b, x, 2 * sw, 3, 1, 1, 1, 1, 1, "bn1", "conv1.6");
  } else {
    x = gb_conv(&b, x, spec->stem_width, 7, 2, 3, 1, 1, 1, "bn1", "conv1");
  }
  x = gb_pool(&b, RB_LAYER_MAXPOOL, x, 3, 2, 1, 0, 0, "maxpool");

  for (int stage = 0; stage < 4; stage++)
    for (int i = 0; i < spec->layers[stage]; i++) x = build_block(&b, spec, x, stage, i);

  if (b.status == RB_OK) {
    const rb_shape in = g->tensors[x];
    rb_layer *l = add_layer(&b, RB_LAYER_GLOBAL_POOL, "global_pool", x, -1, (rb_shape){in.n, 1, 1, in.c});
    if (l) {
      l->elem_ops = elems(in);
      x = l->dst;
      l = add_layer(&b, RB_LAYER_FC, "fc", x, -1, (rb_shape){in.n, 1, 1, spec->num_classes});
    }
    if (l) {
      l->in_features = in.c, l->out_features = spec->num_classes;
      l->params = (double)in.c * spec->num_classes + spec->num_classes;
      l->macs = (double)in.n * in.c * spec->num_classes;
      g->output = l->dst;
    }
  }
  return finish(&b, out);
}

rb_status rb_graph_block_parse(const rb_model_spec *spec, const char *block, int *stage, int *index) {
  if (!spec || !block || !stage || !index) return rb_fail(RB_ERR_NULL, "rb_graph_block_parse: NULL argument");
  // Digits only: sscanf's %d would also take "layer 1.0", "layer+1.0" and overflow silently.
  const char *dot = strncmp(block, "layer", 5) == 0 ? strchr(block, '.') : NULL;
  const size_t nd = dot ? strspn(block + 5, "0123456789") : 0, ni = dot ? strspn(dot + 1, "0123456789") : 0;
  const int ok = dot && nd == 1 && block + 5 + nd == dot && ni >= 1 && ni <= 6 && dot[1 + ni] == 0;
  const int s = ok ? block[5] - '0' : 0, i = ok ? atoi(dot + 1) : 0;
  if (!ok || s < 1 || s > 4)
    return rb_fail(RB_ERR_INVALID_ARG, "block '%s': give it as layerS.I (stage S in 1..4, block I from 0)", block);
  if (i >= spec->layers[s - 1])
    return rb_fail(RB_ERR_INVALID_ARG, "block '%s': stage %d of this model has blocks layer%d.0 .. layer%d.%d", block,
                   s, s, s, spec->layers[s - 1] - 1);
  *stage = s - 1, *index = i;
  return RB_OK;
}

rb_status rb_graph_build_block(const rb_model_spec *spec, const char *block, int batch, int res_h, int res_w,
                               rb_graph **out) {
  rb_status st = check_build_args(spec, batch, res_h, res_w, out);
  int stage, index;
  if (st == RB_OK) st = rb_graph_block_parse(spec, block, &stage, &index);
  if (st != RB_OK) return st;
  // The block's input shape is where the whole network has it: the source of its first layer.
  rb_graph *net;
  if ((st = rb_graph_build(spec, batch, res_h, res_w, &net)) != RB_OK) return st;
  char prefix[RB_KEY_LEN + 2];
  snprintf(prefix, sizeof prefix, "%s.", block);
  rb_shape in = {0};
  for (int i = 0; i < net->count; i++)
    if (strncmp(net->layers[i].name, prefix, strlen(prefix)) == 0) {
      in = net->tensors[net->layers[i].src[0]];
      break;
    }
  rb_graph_destroy(net);
  if (in.n == 0) return rb_fail(RB_ERR_NOT_FOUND, "block '%s' has no layers", block);  // unreachable after parse

  rb_graph *g = graph_new(spec, batch, res_h, res_w);
  if (!g) return RB_ERR_NOMEM;
  snprintf(g->block, sizeof g->block, "%s", block);
  gb b = {g, RB_OK};
  const int x = new_tensor(&b, in);
  g->output = build_block(&b, spec, x, stage, index);
  return finish(&b, out);
}
