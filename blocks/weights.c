// The weight sources of rb_model_plan (see resbench/forward.h): tensors of a safetensors file,
// and deterministic pseudo-random weights (the formula of tools/golden_forward.py).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resbench/forward.h"
#include "resbench/tensor.h"

static int ends_with(const char *s, const char *suffix) {
  const size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

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
    if (ends_with(nm, "num_batches_tracked")) continue;
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

// The per-name part of the formula, worked out once per tensor.
typedef struct random_law {
  uint64_t h;    // FNV-1a 64 of the name
  int kind;      // 0: (2u - 1) * scale, 1: 0.5 + u
  double scale;
} random_law;

static random_law random_law_of(const char *name, int rank, const int *shape) {
  random_law r = {fnv1a64(name), 0, 0};
  if (ends_with(name, ".weight") && rank >= 2) {
    double fan_in = 1;
    for (int i = 1; i < rank; i++) fan_in *= shape[i];
    r.scale = sqrt(3.0 / fan_in);
  } else if (ends_with(name, ".weight") || ends_with(name, ".running_var")) {
    r.kind = 1;
  } else {  // bias, running_mean
    r.scale = 0.1;
  }
  return r;
}

static inline float random_at(const random_law *r, size_t i) {
  const uint64_t x = splitmix64(r->h + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
  const double u = (double)(x >> 40) * (1.0 / 16777216.0);
  return r->kind ? (float)(0.5 + u) : (float)((2 * u - 1) * r->scale);
}

static void fill_random(const char *name, int rank, const int *shape, float *out, size_t count) {
  const random_law r = random_law_of(name, rank, shape);
  for (size_t i = 0; i < count; i++) out[i] = random_at(&r, i);
}

float rb_random_weight_value(const char *name, int rank, const int *shape, size_t i) {
  const random_law r = random_law_of(name, rank, shape);
  return random_at(&r, i);
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
