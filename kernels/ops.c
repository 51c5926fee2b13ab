// Validated entry points for the non-convolution kernels (ops.h), pooling output sizes and
// BatchNorm folding. The kernels themselves trust their arguments: every check lives here.
#include "ops_internal.h"
#include "table.h"
#include "resbench/ops.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>

// The largest tensor we index: its byte size must fit in ptrdiff_t.
#define MAX_FLOATS ((size_t)PTRDIFF_MAX / sizeof(float))

#define NEED(fn, p)                                                     \
  do {                                                                  \
    if (!(p)) return rb_fail(RB_ERR_NULL, "%s: %s is NULL", fn, #p);    \
  } while (0)

#define NEED_TABLE(fn, k)                                                          \
  do {                                                                             \
    if (!(k)) return rb_fail(RB_ERR_NULL, "%s: k (kernel table) is NULL", fn);    \
  } while (0)

#define POSITIVE(fn, name, v)                                                                   \
  do {                                                                                          \
    if ((v) < 1) return rb_fail(RB_ERR_INVALID_ARG, "%s: %s must be >= 1, got %d", fn, name, (v)); \
  } while (0)

#define DIVISIBLE(fn, what, a, by, b)                                                      \
  do {                                                                                     \
    if ((a) % (b) != 0)                                                                    \
      return rb_fail(RB_ERR_SHAPE, "%s: %s %d not divisible by %s %d", fn, what, (a), by, (b)); \
  } while (0)

// A table that lacks one kernel (a SIMD port in progress) is an error, never a fallback.
#define HAS_KERNEL(fn, k, member)                                                              \
  do {                                                                                         \
    if (!(k)->member)                                                                          \
      return rb_fail(RB_ERR_UNSUPPORTED, "%s: ISA '%s' has no %s kernel (rb_%s__%s is NULL)", fn, \
                     (k)->isa_name ? (k)->isa_name : "?", #member, #member,                     \
                     (k)->isa_name ? (k)->isa_name : "?");                                     \
  } while (0)

// Product of sizes (each >= 1) in floats; RB_ERR_INVALID_ARG when it does not fit.
static rb_status count_floats(const char *fn, const char *what, size_t *out, int na, const int *v) {
  size_t c = 1;
  for (int i = 0; i < na; i++)
    if (__builtin_mul_overflow(c, (size_t)v[i], &c) || c > MAX_FLOATS)
      return rb_fail(RB_ERR_INVALID_ARG, "%s: %s is too large to address", fn, what);
  *out = c;
  return RB_OK;
}

#define COUNT(fn, what, out, ...)                                                                \
  do {                                                                                           \
    const int dims_[] = {__VA_ARGS__};                                                           \
    rb_status st_ = count_floats(fn, what, out, (int)(sizeof dims_ / sizeof dims_[0]), dims_);  \
    if (st_ != RB_OK) return st_;                                                                \
  } while (0)

// Whether two float ranges share any byte (pointer comparison through uintptr_t: the ranges may
// come from different allocations).
static int overlap(const float *a, size_t na, const float *b, size_t nb) {
  const uintptr_t a0 = (uintptr_t)a, a1 = a0 + na * sizeof(float);
  const uintptr_t b0 = (uintptr_t)b, b1 = b0 + nb * sizeof(float);
  return a0 < b1 && b0 < a1;
}

#define NO_OVERLAP(fn, pa, na, pb, nb)                                                             \
  do {                                                                                             \
    if (overlap(pa, na, pb, nb))                                                                   \
      return rb_fail(RB_ERR_INVALID_ARG, "%s: %s and %s must not overlap%s", fn, #pa, #pb,          \
                     (const void *)(pa) == (const void *)(pb) ? " (they are the same pointer)" : ""); \
  } while (0)

// ---- descriptors ---------------------------------------------------------------------------

rb_status rb_se_desc_check(const rb_se_desc *d) {
  static const char fn[] = "rb_se_desc_check";
  NEED(fn, d);
  POSITIVE(fn, "n", d->n);
  POSITIVE(fn, "h", d->h);
  POSITIVE(fn, "w", d->w);
  POSITIVE(fn, "c", d->c);
  POSITIVE(fn, "reduced", d->reduced);
  POSITIVE(fn, "groups", d->groups);
  DIVISIBLE(fn, "c", d->c, "groups", d->groups);
  DIVISIBLE(fn, "reduced", d->reduced, "groups", d->groups);
  size_t cnt = 0;
  COUNT(fn, "the n*h*w*c input", &cnt, d->n, d->h, d->w, d->c);
  if ((long long)d->h * d->w > INT_MAX)  // the squeeze is a global pool over int hw
    return rb_fail(RB_ERR_INVALID_ARG, "%s: h*w = %d*%d does not fit in int", fn, d->h, d->w);
  COUNT(fn, "the workspace n*(c + reduced)", &cnt, d->n, d->c);
  if ((size_t)d->c + (size_t)d->reduced > MAX_FLOATS / (size_t)d->n)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: the workspace n*(c + reduced) is too large to address", fn);
  return RB_OK;
}

// PyTorch's pooling_output_shape: floor (or ceil) of (size + 2 pad - k) / s, plus 1; in ceil
// mode a last window starting at or beyond size + pad is dropped. Floor division, not C's
// truncation: a negative numerator must give a size < 1, which the check then rejects.
static long long pool_out(long long size, long long k, long long s, long long pad, int ceil_mode) {
  const long long num = size + 2 * pad - k + (ceil_mode ? s - 1 : 0);
  long long o = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
  if (ceil_mode && (o - 1) * s >= size + pad) o--;
  return o;
}

static int clamp_int(long long v) { return v < 0 ? 0 : v > INT_MAX ? INT_MAX : (int)v; }

int rb_pool_out_h(const rb_pool_desc *d) {
  if (!d || d->stride_h < 1) return 0;
  return clamp_int(pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode != 0));
}

int rb_pool_out_w(const rb_pool_desc *d) {
  if (!d || d->stride_w < 1) return 0;
  return clamp_int(pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode != 0));
}

rb_status rb_pool_desc_check(const rb_pool_desc *d) {
  static const char fn[] = "rb_pool_desc_check";
  NEED(fn, d);
  POSITIVE(fn, "n", d->n);
  POSITIVE(fn, "h", d->h);
  POSITIVE(fn, "w", d->w);
  POSITIVE(fn, "c", d->c);
  POSITIVE(fn, "kh", d->kh);
  POSITIVE(fn, "kw", d->kw);
  POSITIVE(fn, "stride_h", d->stride_h);
  POSITIVE(fn, "stride_w", d->stride_w);
  if (d->pad_h < 0) return rb_fail(RB_ERR_INVALID_ARG, "%s: pad_h must be >= 0, got %d", fn, d->pad_h);
  if (d->pad_w < 0) return rb_fail(RB_ERR_INVALID_ARG, "%s: pad_w must be >= 0, got %d", fn, d->pad_w);
  // PyTorch: "pad should be at most half of effective kernel size".
  if (d->pad_h > d->kh / 2)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: pad_h %d must be at most half of kh %d", fn, d->pad_h, d->kh);
  if (d->pad_w > d->kw / 2)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: pad_w %d must be at most half of kw %d", fn, d->pad_w, d->kw);
  // Window starts and ends are computed in int.
  if ((long long)d->h + 2LL * d->pad_h + d->stride_h > INT_MAX)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: h %d + 2*pad_h %d + stride_h %d overflows int", fn, d->h, d->pad_h,
                   d->stride_h);
  if ((long long)d->w + 2LL * d->pad_w + d->stride_w > INT_MAX)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: w %d + 2*pad_w %d + stride_w %d overflows int", fn, d->w, d->pad_w,
                   d->stride_w);
  const long long oh = pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode != 0);
  const long long ow = pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode != 0);
  if (oh < 1)
    return rb_fail(RB_ERR_SHAPE, "%s: output height would be %lld (h %d, kh %d, stride_h %d, pad_h %d): must be >= 1",
                   fn, oh, d->h, d->kh, d->stride_h, d->pad_h);
  if (ow < 1)
    return rb_fail(RB_ERR_SHAPE, "%s: output width would be %lld (w %d, kw %d, stride_w %d, pad_w %d): must be >= 1",
                   fn, ow, d->w, d->kw, d->stride_w, d->pad_w);
  size_t cnt = 0;
  COUNT(fn, "the n*h*w*c input", &cnt, d->n, d->h, d->w, d->c);
  COUNT(fn, "the output", &cnt, d->n, (int)oh, (int)ow, d->c);  // oh <= h + pad: fits in int
  return RB_OK;
}

// ---- split attention and SK attention: shared workspace layout ---------------------------

// Offsets (floats) of the attention ops' workspace parts. Each part is rounded up to 16 floats so
// that it starts on a 64-byte line when the workspace does.
//   means:  the per-split / per-path spatial means [.. k ..][c], n*k*c; dead once summed, then the
//           rSoftMax output (split attention) or sk_select's workspace (SK), both n*k*c
//   gap:    their sum over k, the fc1 input, n*c (unused when the caller passes pooled)
//   hid:    fc1 + ReLU, n*reduced
//   logits: fc2, n*k*c
typedef struct attn_ws {
  size_t means, gap, hid, logits, total;
} attn_ws;

static int add_part(size_t *at, size_t floats) {
  const size_t padded = (floats + 15) / 16 * 16;
  return padded >= floats && !__builtin_add_overflow(*at, padded, at) && *at <= MAX_FLOATS;
}

// 0 when a size does not fit (the arguments are >= 1).
static int attn_layout(int n, int k, int c, int reduced, attn_ws *l) {
  size_t nc, nkc, nr;
  if (__builtin_mul_overflow((size_t)n, (size_t)c, &nc) || __builtin_mul_overflow(nc, (size_t)k, &nkc) ||
      __builtin_mul_overflow((size_t)n, (size_t)reduced, &nr))
    return 0;
  size_t at = 0;
  l->means = at;
  if (!add_part(&at, nkc)) return 0;
  l->gap = at;
  if (!add_part(&at, nc)) return 0;
  l->hid = at;
  if (!add_part(&at, nr)) return 0;
  l->logits = at;
  if (!add_part(&at, nkc)) return 0;
  l->total = at;
  return 1;
}

// What both attention descriptors share: k splits or paths of `channels`, FCs grouped by `groups`.
static rb_status attn_check(const char *fn, int n, int h, int w, const char *k_name, int k, int channels,
                            int reduced, const char *g_name, int groups, const char *in_what, int in_k) {
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "h", h);
  POSITIVE(fn, "w", w);
  POSITIVE(fn, k_name, k);
  POSITIVE(fn, "channels", channels);
  POSITIVE(fn, "reduced", reduced);
  POSITIVE(fn, g_name, groups);
  DIVISIBLE(fn, "channels", channels, g_name, groups);
  DIVISIBLE(fn, "reduced", reduced, g_name, groups);
  if ((long long)k * channels > INT_MAX)  // fc2's output width is an int
    return rb_fail(RB_ERR_INVALID_ARG, "%s: %s*channels = %d*%d does not fit in int", fn, k_name, k, channels);
  if ((long long)h * w > INT_MAX)  // the pool is over int hw
    return rb_fail(RB_ERR_INVALID_ARG, "%s: h*w = %d*%d does not fit in int", fn, h, w);
  size_t cnt = 0;
  COUNT(fn, in_what, &cnt, n, h, w, in_k, channels);
  attn_ws l;
  if (!attn_layout(n, k, channels, reduced, &l))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: the workspace is too large to address", fn);
  return RB_OK;
}

rb_status rb_split_attn_desc_check(const rb_split_attn_desc *d) {
  static const char fn[] = "rb_split_attn_desc_check";
  NEED(fn, d);
  return attn_check(fn, d->n, d->h, d->w, "radix", d->radix, d->channels, d->reduced, "cardinality", d->cardinality,
                    "the n*h*w*radix*channels input", d->radix);
}

rb_status rb_sk_attn_desc_check(const rb_sk_attn_desc *d) {
  static const char fn[] = "rb_sk_attn_desc_check";
  NEED(fn, d);
  if (d->paths > RB_SK_MAX_PATHS)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: paths %d is more than RB_SK_MAX_PATHS (%d)", fn, d->paths,
                   RB_SK_MAX_PATHS);
  return attn_check(fn, d->n, d->h, d->w, "paths", d->paths, d->channels, d->reduced, "groups", d->groups,
                    "one n*h*w*channels branch", 1);
}

size_t rb_split_attention_workspace_size(const rb_split_attn_desc *d) {
  attn_ws l;
  if (!d || d->n < 1 || d->radix < 1 || d->channels < 1 || d->reduced < 1) return 0;
  return attn_layout(d->n, d->radix, d->channels, d->reduced, &l) ? l.total : 0;
}

size_t rb_sk_attention_workspace_size(const rb_sk_attn_desc *d) {
  attn_ws l;
  if (!d || d->n < 1 || d->paths < 1 || d->paths > RB_SK_MAX_PATHS || d->channels < 1 || d->reduced < 1) return 0;
  return attn_layout(d->n, d->paths, d->channels, d->reduced, &l) ? l.total : 0;
}

size_t rb_se_workspace_size(const rb_se_desc *d) {
  if (!d || d->n < 1 || d->c < 1 || d->reduced < 1) return 0;
  return (size_t)d->n * ((size_t)d->c + (size_t)d->reduced);
}

size_t rb_sk_select_workspace_size(int n, int paths, int channels) {
  if (n < 1 || paths < 1 || channels < 1) return 0;
  return (size_t)n * (size_t)paths * (size_t)channels;
}

// ---- validated kernel calls ----------------------------------------------------------------

rb_status rb_op_se(const rb_kernels *k, const rb_se_desc *d, const float *in, const float *w1,
                   const float *b1, const float *w2, const float *b2, float *workspace, float *out) {
  static const char fn[] = "rb_op_se";
  NEED_TABLE(fn, k);
  NEED(fn, d);
  NEED(fn, in);
  NEED(fn, w1);
  NEED(fn, w2);
  NEED(fn, workspace);
  NEED(fn, out);
  rb_status st = rb_se_desc_check(d);  // its message names the bad field
  if (st != RB_OK) return st;
  const size_t act = (size_t)d->n * d->h * d->w * d->c, ws = rb_se_workspace_size(d);
  // in == out is the one aliasing the kernel allows.
  if (in != out && overlap(in, act, out, act))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: in and out overlap without being equal", fn);
  NO_OVERLAP(fn, workspace, ws, in, act);
  NO_OVERLAP(fn, workspace, ws, out, act);
  HAS_KERNEL(fn, k, se);
  k->se(d, in, w1, b1, w2, b2, workspace, out);
  return RB_OK;
}

void rb_sum_parts(int n, int c, int tensors, const float *const *part, int splits, float div, float *pooled) {
  for (int i = 0; i < n; i++)
    for (int ch = 0; ch < c; ch++) {
      float s = 0;
      for (int t = 0; t < tensors; t++)
        for (int r = 0; r < splits; r++) s += part[t][((size_t)i * splits + r) * c + ch];
      pooled[(size_t)i * c + ch] = s / div;
    }
}

// The FC weights: the workspace is written before they are read.
static rb_status attn_weights_apart(const char *fn, const float *workspace, size_t nws, const float *w1,
                                    const float *b1, const float *w2, const float *b2, int k, int channels,
                                    int reduced, int groups) {
  const size_t nw1 = (size_t)reduced * (size_t)(channels / groups);
  const size_t nw2 = (size_t)k * channels * (size_t)(reduced / groups);
  NO_OVERLAP(fn, workspace, nws, w1, nw1);
  NO_OVERLAP(fn, workspace, nws, w2, nw2);
  if (b1) NO_OVERLAP(fn, workspace, nws, b1, (size_t)reduced);
  if (b2) NO_OVERLAP(fn, workspace, nws, b2, (size_t)k * channels);
  return RB_OK;
}

rb_status rb_op_split_attention(const rb_kernels *k, const rb_split_attn_desc *d, const float *x,
                                const float *pooled, const float *w1, const float *b1, const float *w2,
                                const float *b2, float *workspace, float *out) {
  static const char fn[] = "rb_op_split_attention";
  NEED_TABLE(fn, k);
  NEED(fn, d);
  NEED(fn, x);
  NEED(fn, w1);
  NEED(fn, w2);
  NEED(fn, workspace);
  NEED(fn, out);
  rb_status st = rb_split_attn_desc_check(d);  // its message names the bad field
  if (st != RB_OK) return st;
  const int n = d->n, hw = d->h * d->w, r = d->radix, c = d->channels, card = d->cardinality;
  attn_ws l;
  attn_layout(n, r, c, d->reduced, &l);  // the check has sized it
  const size_t nx = (size_t)n * hw * r * c, nout = (size_t)n * hw * c, ngap = (size_t)n * c;
  NO_OVERLAP(fn, out, nout, x, nx);
  NO_OVERLAP(fn, workspace, l.total, x, nx);
  NO_OVERLAP(fn, workspace, l.total, out, nout);
  if (pooled) {
    NO_OVERLAP(fn, pooled, ngap, workspace, l.total);
    NO_OVERLAP(fn, pooled, ngap, out, nout);
  }
  st = attn_weights_apart(fn, workspace, l.total, w1, b1, w2, b2, r, c, d->reduced, card);
  if (st != RB_OK) return st;
  if (!pooled) HAS_KERNEL(fn, k, global_avgpool);
  HAS_KERNEL(fn, k, fc);
  HAS_KERNEL(fn, k, radix_softmax);
  HAS_KERNEL(fn, k, split_sum);
  float *means = workspace + l.means, *gap = workspace + l.gap, *hid = workspace + l.hid;
  float *logits = workspace + l.logits, *att = means;
  if (!pooled) {
    k->global_avgpool(n, hw, r * c, x, means);  // [n][radix][channels]
    rb_sum_parts(n, c, 1, (const float *const[]){means}, r, 1.0f, gap);
    pooled = gap;
  }
  k->fc(n, c, d->reduced, card, pooled, w1, b1, 1, hid);
  k->fc(n, d->reduced, r * c, card, hid, w2, b2, 0, logits);
  k->radix_softmax(n, card, r, c, logits, att);
  k->split_sum(n, hw, r, c, x, att, out);
  return RB_OK;
}

rb_status rb_op_sk_attention(const rb_kernels *k, const rb_sk_attn_desc *d, const float *const *branches,
                             const float *pooled, const float *w1, const float *b1, const float *w2,
                             const float *b2, float *workspace, float *out) {
  static const char fn[] = "rb_op_sk_attention";
  NEED_TABLE(fn, k);
  NEED(fn, d);
  NEED(fn, branches);
  NEED(fn, w1);
  NEED(fn, w2);
  NEED(fn, workspace);
  NEED(fn, out);
  rb_status st = rb_sk_attn_desc_check(d);  // its message names the bad field; paths <= RB_SK_MAX_PATHS
  if (st != RB_OK) return st;
  const int n = d->n, hw = d->h * d->w, paths = d->paths, c = d->channels;
  attn_ws l;
  attn_layout(n, paths, c, d->reduced, &l);
  const size_t nb = (size_t)n * hw * c, ngap = (size_t)n * c;
  for (int p = 0; p < paths; p++) {
    if (!branches[p]) return rb_fail(RB_ERR_NULL, "%s: branches[%d] is NULL", fn, p);
    if (overlap(out, nb, branches[p], nb))
      return rb_fail(RB_ERR_INVALID_ARG, "%s: out and branches[%d] must not overlap", fn, p);
    if (overlap(workspace, l.total, branches[p], nb))
      return rb_fail(RB_ERR_INVALID_ARG, "%s: workspace and branches[%d] must not overlap", fn, p);
  }
  NO_OVERLAP(fn, workspace, l.total, out, nb);
  if (pooled) {
    NO_OVERLAP(fn, pooled, ngap, workspace, l.total);
    NO_OVERLAP(fn, pooled, ngap, out, nb);
  }
  st = attn_weights_apart(fn, workspace, l.total, w1, b1, w2, b2, paths, c, d->reduced, d->groups);
  if (st != RB_OK) return st;
  if (!pooled) HAS_KERNEL(fn, k, global_avgpool);
  HAS_KERNEL(fn, k, fc);
  HAS_KERNEL(fn, k, sk_select);
  float *means = workspace + l.means, *gap = workspace + l.gap, *hid = workspace + l.hid;
  float *logits = workspace + l.logits, *select_ws = means;
  if (!pooled) {
    const float *part[RB_SK_MAX_PATHS];
    for (int p = 0; p < paths; p++) {
      part[p] = means + (size_t)p * ngap;  // [path][n][c]
      k->global_avgpool(n, hw, c, branches[p], means + (size_t)p * ngap);
    }
    rb_sum_parts(n, c, paths, part, 1, 1.0f, gap);
    pooled = gap;
  }
  k->fc(n, c, d->reduced, d->groups, pooled, w1, b1, 1, hid);
  k->fc(n, d->reduced, paths * c, d->groups, hid, w2, b2, 0, logits);
  k->sk_select(n, hw, paths, c, branches, logits, select_ws, out);
  return RB_OK;
}

rb_status rb_op_global_avgpool(const rb_kernels *k, int n, int hw, int c, const float *in, float *out) {
  static const char fn[] = "rb_op_global_avgpool";
  NEED_TABLE(fn, k);
  NEED(fn, in);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "hw", hw);
  POSITIVE(fn, "c", c);
  size_t cnt = 0;
  COUNT(fn, "the n*hw*c input", &cnt, n, hw, c);
  NO_OVERLAP(fn, in, cnt, out, (size_t)n * c);
  HAS_KERNEL(fn, k, global_avgpool);
  k->global_avgpool(n, hw, c, in, out);
  return RB_OK;
}

rb_status rb_op_fc(const rb_kernels *k, int n, int in_f, int out_f, int groups, const float *in,
                   const float *w, const float *bias, int relu, float *out) {
  static const char fn[] = "rb_op_fc";
  NEED_TABLE(fn, k);
  NEED(fn, in);
  NEED(fn, w);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "in_f", in_f);
  POSITIVE(fn, "out_f", out_f);
  POSITIVE(fn, "groups", groups);
  DIVISIBLE(fn, "in_f", in_f, "groups", groups);
  DIVISIBLE(fn, "out_f", out_f, "groups", groups);
  size_t nin = 0, nout = 0, nw = 0;
  COUNT(fn, "the n*in_f input", &nin, n, in_f);
  COUNT(fn, "the n*out_f output", &nout, n, out_f);
  COUNT(fn, "the out_f*(in_f/groups) weights", &nw, out_f, in_f / groups);
  NO_OVERLAP(fn, out, nout, in, nin);
  NO_OVERLAP(fn, out, nout, w, nw);
  if (bias) NO_OVERLAP(fn, out, nout, bias, (size_t)out_f);
  HAS_KERNEL(fn, k, fc);
  k->fc(n, in_f, out_f, groups, in, w, bias, relu, out);
  return RB_OK;
}

rb_status rb_op_radix_softmax(const rb_kernels *k, int n, int cardinality, int radix, int channels,
                              const float *in, float *out) {
  static const char fn[] = "rb_op_radix_softmax";
  NEED_TABLE(fn, k);
  NEED(fn, in);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "cardinality", cardinality);
  POSITIVE(fn, "radix", radix);
  POSITIVE(fn, "channels", channels);
  DIVISIBLE(fn, "channels", channels, "cardinality", cardinality);
  size_t cnt = 0;
  COUNT(fn, "the n*radix*channels attention", &cnt, n, radix, channels);
  NO_OVERLAP(fn, in, cnt, out, cnt);  // the transpose moves elements: not in place
  HAS_KERNEL(fn, k, radix_softmax);
  k->radix_softmax(n, cardinality, radix, channels, in, out);
  return RB_OK;
}

rb_status rb_op_split_sum(const rb_kernels *k, int n, int hw, int radix, int channels, const float *x,
                          const float *att, float *out) {
  static const char fn[] = "rb_op_split_sum";
  NEED_TABLE(fn, k);
  NEED(fn, x);
  NEED(fn, att);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "hw", hw);
  POSITIVE(fn, "radix", radix);
  POSITIVE(fn, "channels", channels);
  size_t nx = 0, na = 0, nout = 0;
  COUNT(fn, "the n*hw*radix*channels input", &nx, n, hw, radix, channels);
  COUNT(fn, "the n*radix*channels attention", &na, n, radix, channels);
  COUNT(fn, "the n*hw*channels output", &nout, n, hw, channels);
  NO_OVERLAP(fn, out, nout, x, nx);
  NO_OVERLAP(fn, out, nout, att, na);
  HAS_KERNEL(fn, k, split_sum);
  k->split_sum(n, hw, radix, channels, x, att, out);
  return RB_OK;
}

rb_status rb_op_sk_select(const rb_kernels *k, int n, int hw, int paths, int channels,
                          const float *const *branches, const float *logits, float *workspace, float *out) {
  static const char fn[] = "rb_op_sk_select";
  NEED_TABLE(fn, k);
  NEED(fn, branches);
  NEED(fn, logits);
  NEED(fn, workspace);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "hw", hw);
  POSITIVE(fn, "paths", paths);
  POSITIVE(fn, "channels", channels);
  size_t nb = 0, nl = 0;
  COUNT(fn, "one n*hw*channels branch", &nb, n, hw, channels);
  COUNT(fn, "the n*paths*channels logits", &nl, n, paths, channels);
  for (int p = 0; p < paths; p++) {
    if (!branches[p]) return rb_fail(RB_ERR_NULL, "%s: branches[%d] is NULL", fn, p);
    if (overlap(out, nb, branches[p], nb))
      return rb_fail(RB_ERR_INVALID_ARG, "%s: out and branches[%d] must not overlap", fn, p);
    if (overlap(workspace, nl, branches[p], nb))
      return rb_fail(RB_ERR_INVALID_ARG, "%s: workspace and branches[%d] must not overlap", fn, p);
  }
  NO_OVERLAP(fn, out, nb, logits, nl);
  NO_OVERLAP(fn, workspace, nl, logits, nl);
  NO_OVERLAP(fn, workspace, nl, out, nb);
  HAS_KERNEL(fn, k, sk_select);
  k->sk_select(n, hw, paths, channels, branches, logits, workspace, out);
  return RB_OK;
}

static rb_status pool_op(const char *fn, const rb_kernels *k, const rb_pool_desc *d, const float *in,
                         const float *out) {
  NEED_TABLE(fn, k);
  NEED(fn, d);
  NEED(fn, in);
  NEED(fn, out);
  rb_status st = rb_pool_desc_check(d);  // its message names the bad field
  if (st != RB_OK) return st;
  const size_t nin = (size_t)d->n * d->h * d->w * d->c;
  const size_t nout = (size_t)d->n * rb_pool_out_h(d) * rb_pool_out_w(d) * d->c;
  NO_OVERLAP(fn, in, nin, out, nout);
  return RB_OK;
}

rb_status rb_op_maxpool(const rb_kernels *k, const rb_pool_desc *d, const float *in, float *out) {
  static const char fn[] = "rb_op_maxpool";
  rb_status st = pool_op(fn, k, d, in, out);
  if (st != RB_OK) return st;
  HAS_KERNEL(fn, k, maxpool);
  k->maxpool(d, in, out);
  return RB_OK;
}

rb_status rb_op_avgpool(const rb_kernels *k, const rb_pool_desc *d, const float *in, float *out) {
  static const char fn[] = "rb_op_avgpool";
  rb_status st = pool_op(fn, k, d, in, out);
  if (st != RB_OK) return st;
  HAS_KERNEL(fn, k, avgpool);
  k->avgpool(d, in, out);
  return RB_OK;
}

rb_status rb_op_add(const rb_kernels *k, size_t count, const float *a, const float *b, int relu, float *out) {
  static const char fn[] = "rb_op_add";
  NEED_TABLE(fn, k);
  NEED(fn, a);
  NEED(fn, b);
  NEED(fn, out);
  if (count < 1) return rb_fail(RB_ERR_INVALID_ARG, "%s: count must be >= 1, got 0", fn);
  if (count > MAX_FLOATS) return rb_fail(RB_ERR_INVALID_ARG, "%s: count %zu is too large to address", fn, count);
  // Element-wise: out may be a or b exactly, but a shifted overlap would read written results.
  if (out != a && overlap(out, count, a, count))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: out overlaps a without being equal to it", fn);
  if (out != b && overlap(out, count, b, count))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: out overlaps b without being equal to it", fn);
  HAS_KERNEL(fn, k, add);
  k->add(count, a, b, relu, out);
  return RB_OK;
}

rb_status rb_op_se_gate(const rb_kernels *k, const rb_se_desc *d, const float *in, const float *pooled,
                        const float *w1, const float *b1, const float *w2, const float *b2, float *workspace,
                        float *gate) {
  static const char fn[] = "rb_op_se_gate";
  NEED_TABLE(fn, k);
  NEED(fn, d);
  if (!pooled) NEED(fn, in);
  NEED(fn, w1);
  NEED(fn, w2);
  NEED(fn, workspace);
  NEED(fn, gate);
  rb_status st = rb_se_desc_check(d);
  if (st != RB_OK) return st;
  const size_t act = (size_t)d->n * d->h * d->w * d->c, ws = rb_se_workspace_size(d), ng = (size_t)d->n * d->c;
  if (in) NO_OVERLAP(fn, workspace, ws, in, act);
  if (in) NO_OVERLAP(fn, gate, ng, in, act);
  NO_OVERLAP(fn, gate, ng, workspace, ws);
  if (pooled) NO_OVERLAP(fn, pooled, ng, workspace, ws);
  if (pooled) NO_OVERLAP(fn, pooled, ng, gate, ng);
  if (!pooled) HAS_KERNEL(fn, k, global_avgpool);
  HAS_KERNEL(fn, k, fc);
  HAS_KERNEL(fn, k, sigmoid);
  // The table's se kernels in three steps: squeeze (unless given), excite through hidden, sigmoid.
  float *hidden = workspace + ng;
  if (!pooled) {
    k->global_avgpool(d->n, d->h * d->w, d->c, in, workspace);
    pooled = workspace;
  }
  k->fc(d->n, d->c, d->reduced, d->groups, pooled, w1, b1, 1, hidden);
  k->fc(d->n, d->reduced, d->c, d->groups, hidden, w2, b2, 0, gate);
  k->sigmoid(ng, gate, gate);
  return RB_OK;
}

rb_status rb_op_scale_add(const rb_kernels *k, int n, int hw, int c, const float *x, const float *gate,
                          const float *residual, int relu, float *out) {
  static const char fn[] = "rb_op_scale_add";
  NEED_TABLE(fn, k);
  NEED(fn, x);
  NEED(fn, gate);
  NEED(fn, out);
  POSITIVE(fn, "n", n);
  POSITIVE(fn, "hw", hw);
  POSITIVE(fn, "c", c);
  size_t count = 0, ng = 0;
  COUNT(fn, "the n*hw*c tensor", &count, n, hw, c);
  COUNT(fn, "the n*c gate", &ng, n, c);
  if (out != x && overlap(out, count, x, count))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: out overlaps x without being equal to it", fn);
  if (residual && out != residual && overlap(out, count, residual, count))
    return rb_fail(RB_ERR_INVALID_ARG, "%s: out overlaps residual without being equal to it", fn);
  NO_OVERLAP(fn, out, count, gate, ng);
  HAS_KERNEL(fn, k, scale_add);
  k->scale_add(n, hw, c, x, gate, residual, relu, out);
  return RB_OK;
}

// ---- BatchNorm folding ---------------------------------------------------------------------

rb_status rb_bn_fold(int cout, size_t per_out, const float *w, const float *conv_bias,
                     const float *gamma, const float *beta, const float *mean, const float *var,
                     float eps, float *w_out, float *bias_out) {
  static const char fn[] = "rb_bn_fold";
  NEED(fn, w);
  NEED(fn, gamma);
  NEED(fn, beta);
  NEED(fn, mean);
  NEED(fn, var);
  NEED(fn, w_out);
  NEED(fn, bias_out);
  POSITIVE(fn, "cout", cout);
  if (per_out < 1) return rb_fail(RB_ERR_INVALID_ARG, "%s: per_out must be >= 1, got 0", fn);
  if (per_out > MAX_FLOATS / (size_t)cout)
    return rb_fail(RB_ERR_INVALID_ARG, "%s: cout %d * per_out %zu weights is too large to address", fn, cout, per_out);
  if (!isfinite(eps)) return rb_fail(RB_ERR_INVALID_ARG, "%s: eps must be finite, got %g", fn, (double)eps);
  // Validate everything before writing: a failed fold leaves w_out and bias_out untouched.
  for (int o = 0; o < cout; o++) {
    const double v = (double)var[o] + (double)eps;
    if (!(v > 0))  // also catches NaN
      return rb_fail(RB_ERR_INVALID_ARG, "%s: var[%d] + eps = %g + %g must be > 0", fn, o, (double)var[o],
                     (double)eps);
  }
  // fp64 arithmetic, one rounding per result: the folded weights are as close to
  // w * gamma / sqrt(var + eps) as float allows. Per channel, all reads happen before the
  // writes, so w_out may equal w (and bias_out may equal conv_bias or beta).
  for (int o = 0; o < cout; o++) {
    const double scale = (double)gamma[o] / sqrt((double)var[o] + (double)eps);
    const double cb = conv_bias ? (double)conv_bias[o] : 0.0;
    const double b = (double)beta[o] + (cb - (double)mean[o]) * scale;
    const float *wo = w + (size_t)o * per_out;
    float *wr = w_out + (size_t)o * per_out;
    for (size_t j = 0; j < per_out; j++) wr[j] = (float)((double)wo[j] * scale);
    bias_out[o] = (float)b;
  }
  return RB_OK;
}
