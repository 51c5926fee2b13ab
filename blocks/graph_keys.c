// The PyTorch state_dict a graph's layers stand for: key names, shapes, order.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "resbench/model.h"

typedef struct key_list {
  rb_param_key *keys;
  int count, cap;
  int layer;
} key_list;

static int push(key_list *k, int trainable, int rank, const int *shape, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int push(key_list *k, int trainable, int rank, const int *shape, const char *fmt, ...) {
  if (k->count == k->cap) {
    const int cap = k->cap ? 2 * k->cap : 256;
    rb_param_key *n = realloc(k->keys, (size_t)cap * sizeof *n);
    if (!n) return 0;
    k->keys = n, k->cap = cap;
  }
  rb_param_key *p = &k->keys[k->count++];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->name, sizeof p->name, fmt, ap);
  va_end(ap);
  p->rank = rank;
  for (int i = 0; i < 4; i++) p->shape[i] = i < rank ? shape[i] : 0;
  p->layer = k->layer;
  p->trainable = trainable;
  return 1;
}

static int conv_weight(key_list *k, const char *name, int cout, int cin_per_group, int kh, int kw) {
  const int shape[4] = {cout, cin_per_group, kh, kw};
  return push(k, 1, 4, shape, "%s.weight", name);
}

static int vector(key_list *k, int trainable, int n, const char *name, const char *field) {
  return push(k, trainable, 1, &n, "%s.%s", name, field);
}

static int batch_norm(key_list *k, const char *name, int c) {
  return vector(k, 1, c, name, "weight") && vector(k, 1, c, name, "bias") &&
         vector(k, 0, c, name, "running_mean") && vector(k, 0, c, name, "running_var");
}

static int layer_keys(key_list *k, const rb_layer *l) {
  switch (l->kind) {
    case RB_LAYER_CONV: {
      const rb_conv_desc *d = &l->conv;
      return conv_weight(k, l->name, d->cout, d->cin / d->groups, d->kh, d->kw) && batch_norm(k, l->bn, d->cout);
    }
    case RB_LAYER_SE:
    case RB_LAYER_SK_SELECT:
    case RB_LAYER_SPLIT_ATTN: {
      // fc1: channels -> reduced; [bn]; fc2: reduced -> radix * channels (grouped 1x1 convs).
      const int c = l->channels, r = l->reduced, g = l->attn_groups, out2 = l->radix * c;
      if (!conv_weight(k, l->fc1, r, c / g, 1, 1)) return 0;
      if (l->fc_bias && !vector(k, 1, r, l->fc1, "bias")) return 0;
      if (l->attn_bn[0] && !batch_norm(k, l->attn_bn, r)) return 0;
      if (!conv_weight(k, l->fc2, out2, r / g, 1, 1)) return 0;
      return !l->fc_bias || vector(k, 1, out2, l->fc2, "bias");
    }
    case RB_LAYER_FC: {
      const int shape[2] = {l->out_features, l->in_features};
      return push(k, 1, 2, shape, "%s.weight", l->name) && vector(k, 1, l->out_features, l->name, "bias");
    }
    default: return 1;  // no parameters
  }
}

rb_status rb_graph_param_keys(const rb_graph *g, rb_param_key **keys, int *count) {
  if (!g || !keys || !count) return rb_fail(RB_ERR_NULL, "rb_graph_param_keys: NULL argument");
  key_list k = {0};
  for (int i = 0; i < g->count; i++) {
    k.layer = i;
    if (!layer_keys(&k, &g->layers[i])) {
      free(k.keys);
      return rb_fail(RB_ERR_NOMEM, "out of memory listing the model's keys");
    }
  }
  *keys = k.keys;
  *count = k.count;
  return RB_OK;
}
