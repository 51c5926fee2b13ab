// Convolution descriptor: validation, output size, cost, benchdnn-style names.
#include <stdio.h>
#include <string.h>

#include "resbench/conv.h"

rb_conv_desc rb_conv_desc_make(int n, int h, int w, int cin, int cout, int k, int s, int p, int d, int groups) {
  return (rb_conv_desc){.n = n, .h = h, .w = w, .cin = cin, .cout = cout, .kh = k, .kw = k,
                        .stride_h = s, .stride_w = s, .pad_top = p, .pad_left = p, .pad_bottom = p,
                        .pad_right = p, .dil_h = d, .dil_w = d, .groups = groups};
}

int rb_conv_out_h(const rb_conv_desc *d) {
  return (d->h + d->pad_top + d->pad_bottom - d->dil_h * (d->kh - 1) - 1) / d->stride_h + 1;
}

int rb_conv_out_w(const rb_conv_desc *d) {
  return (d->w + d->pad_left + d->pad_right - d->dil_w * (d->kw - 1) - 1) / d->stride_w + 1;
}

double rb_conv_macs(const rb_conv_desc *d) {
  return (double)d->n * rb_conv_out_h(d) * rb_conv_out_w(d) * d->cout * (d->cin / d->groups) * d->kh * d->kw;
}

// Larger sizes would overflow int index arithmetic long before memory runs out.
#define RB_CONV_MAX_DIM (1 << 20)

rb_status rb_conv_desc_check(const rb_conv_desc *d) {
  if (!d) return rb_fail(RB_ERR_NULL, "conv descriptor is NULL");
  const struct {
    const char *name;
    int value, min;
  } fields[] = {
      {"n", d->n, 1},          {"h", d->h, 1},
      {"w", d->w, 1},          {"cin", d->cin, 1},
      {"cout", d->cout, 1},    {"kh", d->kh, 1},
      {"kw", d->kw, 1},        {"stride_h", d->stride_h, 1},
      {"stride_w", d->stride_w, 1}, {"pad_top", d->pad_top, 0},
      {"pad_left", d->pad_left, 0}, {"pad_bottom", d->pad_bottom, 0},
      {"pad_right", d->pad_right, 0}, {"dil_h", d->dil_h, 1},
      {"dil_w", d->dil_w, 1},  {"groups", d->groups, 1},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    if (fields[i].value < fields[i].min)
      return rb_fail(RB_ERR_INVALID_ARG, "conv: %s must be >= %d, got %d", fields[i].name, fields[i].min,
                     fields[i].value);
    if (fields[i].value > RB_CONV_MAX_DIM)
      return rb_fail(RB_ERR_INVALID_ARG, "conv: %s = %d is larger than %d", fields[i].name, fields[i].value,
                     RB_CONV_MAX_DIM);
  }
  if (d->cin % d->groups)
    return rb_fail(RB_ERR_SHAPE, "conv: cin %d is not divisible by groups %d", d->cin, d->groups);
  if (d->cout % d->groups)
    return rb_fail(RB_ERR_SHAPE, "conv: cout %d is not divisible by groups %d", d->cout, d->groups);
  const long ekh = (long)d->dil_h * (d->kh - 1) + 1, ekw = (long)d->dil_w * (d->kw - 1) + 1;
  const long ph = (long)d->h + d->pad_top + d->pad_bottom, pw = (long)d->w + d->pad_left + d->pad_right;
  if (ekh > ph)
    return rb_fail(RB_ERR_SHAPE, "conv: kernel height %ld (kh=%d, dil_h=%d) is larger than the padded input height %ld",
                   ekh, d->kh, d->dil_h, ph);
  if (ekw > pw)
    return rb_fail(RB_ERR_SHAPE, "conv: kernel width %ld (kw=%d, dil_w=%d) is larger than the padded input width %ld",
                   ekw, d->kw, d->dil_w, pw);
  const double elems_in = (double)d->n * d->h * d->w * d->cin;
  const double elems_out = (double)d->n * rb_conv_out_h(d) * rb_conv_out_w(d) * d->cout;
  const double elems_w = (double)d->cout * (d->cin / d->groups) * d->kh * d->kw;
  if (elems_in > 0x1p40 || elems_out > 0x1p40 || elems_w > 0x1p40)
    return rb_fail(RB_ERR_INVALID_ARG, "conv: tensors of %.3g / %.3g / %.3g elements are too large", elems_in,
                   elems_out, elems_w);
  return RB_OK;
}

void rb_conv_desc_format(const rb_conv_desc *d, char *buf, size_t len) {
  if (!buf || len == 0) return;
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d);
  size_t o = 0;
#define PUT(...)                                                \
  do {                                                          \
    if (o < len) o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); \
  } while (0)
  if (d->groups != 1) PUT("g%d", d->groups);
  PUT("mb%dic%dih%d", d->n, d->cin, d->h);
  if (d->w != d->h) PUT("iw%d", d->w);
  PUT("oc%doh%d", d->cout, oh);
  if (ow != oh) PUT("ow%d", ow);
  PUT("kh%d", d->kh);
  if (d->kw != d->kh) PUT("kw%d", d->kw);
  if (d->stride_h != 1) PUT("sh%d", d->stride_h);
  if (d->stride_w != d->stride_h) PUT("sw%d", d->stride_w);
  if (d->pad_top) PUT("ph%d", d->pad_top);
  if (d->pad_left != d->pad_top) PUT("pw%d", d->pad_left);
  if (d->dil_h != 1) PUT("dh%d", d->dil_h - 1);  // benchdnn counts dilation from 0
  if (d->dil_w != d->dil_h) PUT("dw%d", d->dil_w - 1);
#undef PUT
}

static const char *const algo_names[] = {"auto", "direct", "winograd_f2", "winograd_f4", "winograd_f6"};

const char *rb_conv_algo_name(rb_conv_algo a) {
  return (unsigned)a < sizeof algo_names / sizeof algo_names[0] ? algo_names[a] : "unknown";
}

rb_status rb_conv_algo_parse(const char *s, rb_conv_algo *a) {
  if (!s || !a) return rb_fail(RB_ERR_NULL, "rb_conv_algo_parse: NULL argument");
  if (strcmp(s, "winograd") == 0) {
    *a = RB_CONV_WINOGRAD_F4;
    return RB_OK;
  }
  for (unsigned i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
    if (strcmp(s, algo_names[i]) == 0) {
      *a = (rb_conv_algo)i;
      return RB_OK;
    }
  return rb_fail(RB_ERR_NOT_FOUND,
                 "unknown convolution algorithm '%s' (known: auto, direct, winograd, winograd_f2, winograd_f4, "
                 "winograd_f6)", s);
}
