// Convolution descriptor: validation, output size, cost, benchdnn-style names.
#include <limits.h>
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

size_t rb_conv_in_count(const rb_conv_desc *d) { return (size_t)d->n * d->h * d->w * d->cin; }
size_t rb_conv_out_count(const rb_conv_desc *d) { return (size_t)d->n * rb_conv_out_h(d) * rb_conv_out_w(d) * d->cout; }
size_t rb_conv_weight_count(const rb_conv_desc *d) { return (size_t)d->cout * (d->cin / d->groups) * d->kh * d->kw; }

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
  // The output size is a field of the benchdnn name (oh, ow), so it obeys the same limit: a name
  // formatted from a valid descriptor always parses back.
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d);
  if (oh > RB_CONV_MAX_DIM || ow > RB_CONV_MAX_DIM)
    return rb_fail(RB_ERR_INVALID_ARG, "conv: output %d x %d is larger than %d (padding too large)", oh, ow,
                   RB_CONV_MAX_DIM);
  const double elems_in = (double)d->n * d->h * d->w * d->cin;
  const double elems_out = (double)d->n * rb_conv_out_h(d) * rb_conv_out_w(d) * d->cout;
  const double elems_w = (double)d->cout * (d->cin / d->groups) * d->kh * d->kw;
  if (elems_in > 0x1p40 || elems_out > 0x1p40 || elems_w > 0x1p40)
    return rb_fail(RB_ERR_INVALID_ARG, "conv: tensors of %.3g / %.3g / %.3g elements are too large", elems_in,
                   elems_out, elems_w);
  return RB_OK;
}

// The padding benchdnn infers when ph is left out but oh is given (C division truncates, as benchdnn's).
static long infer_pad(long o, long i, long k, long s, long dil) { return ((o - 1) * s - i + (k - 1) * dil + 1) / 2; }

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
  // ph0 is left out unless the parser would infer another padding from oh (stride >= 3, asymmetric pads).
  if (d->pad_top || infer_pad(oh, d->h, d->kh, d->stride_h, d->dil_h)) PUT("ph%d", d->pad_top);
  if (d->pad_left != d->pad_top) PUT("pw%d", d->pad_left);
  if (d->dil_h != 1) PUT("dh%d", d->dil_h - 1);  // benchdnn counts dilation from 0
  if (d->dil_w != d->dil_h) PUT("dw%d", d->dil_w - 1);
#undef PUT
}

static const char *const algo_names[] = {"auto",          "direct",       "winograd_f2",  "winograd_f4",
                                         "winograd_f6",   "direct_gemm",  "direct_igemm", "direct_ngconv",
                                         "direct_rows"};

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
                 "winograd_f6, direct_gemm, direct_igemm, direct_ngconv, direct_rows)", s);
}

// ---- benchdnn problem parser ----------------------------------------------------------------

enum { F_G, F_MB, F_IC, F_IH, F_IW, F_OC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW, F_PH, F_PW, F_DH, F_DW, F_COUNT };
static const char *const field_tokens[F_COUNT] = {"g",  "mb", "ic", "ih", "iw", "oc", "oh", "ow",
                                                  "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw"};
static const char *const tokens_3d[] = {"id", "od", "kd", "sd", "pd", "dd"};

// One spatial dimension ('h' or 'w'): output size and padding at both ends, benchdnn's rules.
// o_from: 0 computed here, 1 given, 2 defaulted to oh (ow only). *pe: bottom/right padding, the one that
// gives o: symmetric (PyTorch) when that fits, else the smallest non-negative one.
static rb_status resolve_dim(const char *str, char dim, long i, long k, long s, long dil, long *p, int p_given,
                             long *o, int o_from, long *pe) {
  const long ek = (k - 1) * dil + 1;
  if (o_from == 0) {
    if (!p_given) *p = 0;
    if (i + 2 * *p < ek)
      return rb_fail(RB_ERR_SHAPE, "conv problem '%s': k%c %ld (dilated %ld) is larger than i%c %ld padded by p%c %ld",
                     str, dim, k, ek, dim, i, dim, *p);
    *o = (i + 2 * *p - ek) / s + 1;
    *pe = *p;
    return RB_OK;
  }
  const char *why = o_from == 2 ? " (ow defaults to oh)" : "";
  if (!p_given) {
    *p = infer_pad(*o, i, k, s, dil);
    if (*p < 0)
      return rb_fail(RB_ERR_SHAPE,
                     "conv problem '%s': o%c %ld%s is inconsistent with i%c %ld, k%c %ld, s%c %ld, d%c %ld: "
                     "it is larger than the input allows without padding (%ld)",
                     str, dim, *o, why, dim, i, dim, k, dim, s, dim, dil - 1, i >= ek ? (i - ek) / s + 1 : 0);
  }
  const long pe_min = (*o - 1) * s - i + ek - *p, pe_max = pe_min + s - 1;  // every pe in range gives o
  long e = *p >= pe_min && *p <= pe_max ? *p : pe_min > 0 ? pe_min : 0;
  if (e > pe_max || e > (*p > ek - 1 ? *p : ek - 1)) {
    const long sym = i + 2 * *p >= ek ? (i + 2 * *p - ek) / s + 1 : 0;
    return rb_fail(RB_ERR_SHAPE,
                   "conv problem '%s': o%c %ld%s is inconsistent with i%c %ld, k%c %ld, s%c %ld, p%c %ld, d%c %ld "
                   "(expected o%c %ld; it would need %s padding %ld)",
                   str, dim, *o, why, dim, i, dim, k, dim, s, dim, *p, dim, dil - 1, dim, sym,
                   dim == 'h' ? "bottom" : "right", e > pe_max ? pe_max : e);
  }
  *pe = e;
  return RB_OK;
}

rb_status rb_conv_desc_parse(const char *str, rb_conv_desc *out) {
  if (!str || !out) return rb_fail(RB_ERR_NULL, "rb_conv_desc_parse: NULL argument");
  long v[F_COUNT] = {0};
  int given[F_COUNT] = {0};
  const char *s = str;
  while (*s && *s != 'n') {  // 'n' starts the name, the rest of the string
    if (*s == '_') {
      s++;
      continue;
    }
    const char *t = s;
    while (*s >= 'a' && *s <= 'z') s++;
    const int tl = (int)(s - t);
    if (tl == 0)
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': unexpected '%c' at position %d (expected a letter token "
                     "such as mb, ic, ih, oc, oh, kh, sh, ph, dh)", str, *s, (int)(s - str));
    int f = -1;
    for (int j = 0; j < F_COUNT; j++)
      if ((int)strlen(field_tokens[j]) == tl && strncmp(t, field_tokens[j], (size_t)tl) == 0) f = j;
    if (f < 0) {
      for (size_t j = 0; j < sizeof tokens_3d / sizeof tokens_3d[0]; j++)
        if (tl == 2 && strncmp(t, tokens_3d[j], 2) == 0)
          return rb_fail(RB_ERR_UNSUPPORTED, "conv problem '%s': token '%.*s' is 3D; only 2D convolutions are supported",
                         str, tl, t);
      for (int j = 0; j < F_COUNT; j++) {  // "mbic64": a known token without its number
        const int kl = (int)strlen(field_tokens[j]);
        if (kl < tl && strncmp(t, field_tokens[j], (size_t)kl) == 0 && (kl == 2 || t[1] < 'a' || t[1] > 'z' ||
                                                                          j == F_G))
          return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%s' needs a number at position %d", str,
                         field_tokens[j], (int)(t - str) + kl);
      }
      return rb_fail(RB_ERR_INVALID_ARG,
                     "conv problem '%s': unknown token '%.*s' (known: g mb ic ih iw oc oh ow kh kw sh sw ph pw dh dw, "
                     "n<name>)", str, tl, t);
    }
    if (*s == '-' || *s == '+')
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%.*s' needs a non-negative number, got '%c' at position %d",
                     str, tl, t, *s, (int)(s - str));
    if (!(*s >= '0' && *s <= '9'))
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%.*s' needs a number at position %d", str, tl, t,
                     (int)(s - str));
    long val = 0;
    int overflow = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
      val = val * 10 + (*s - '0');
      if (val > INT_MAX) overflow = 1, val = INT_MAX;
    }
    if (overflow)
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%.*s' is out of range (at most %d)", str, (int)(s - t), t,
                     INT_MAX);
    if (given[f])
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%s' is given twice", str, field_tokens[f]);
    given[f] = 1;
    v[f] = val;
  }
  // Every value within the descriptor's limits before any arithmetic, so a later error (or an int
  // conversion) never blames a field derived from it.
  for (int f = 0; f < F_COUNT; f++)
    if (given[f] && v[f] > RB_CONV_MAX_DIM)
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%s%ld' is out of range (at most %d)", str,
                     field_tokens[f], v[f], RB_CONV_MAX_DIM);
  static const int required[] = {F_IC, F_IH, F_OC, F_KH};
  for (size_t j = 0; j < sizeof required / sizeof required[0]; j++)
    if (!given[required[j]])
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%s' is missing (ic, ih, oc and kh are required)", str,
                     field_tokens[required[j]]);
  // benchdnn's defaults; each w field defaults to its h field.
  if (!given[F_G]) v[F_G] = 1;
  if (!given[F_MB]) v[F_MB] = 2;
  if (!given[F_SH]) v[F_SH] = 1;
  const int w_of_h[][2] = {{F_IW, F_IH}, {F_KW, F_KH}, {F_SW, F_SH}, {F_DW, F_DH}};
  for (size_t j = 0; j < sizeof w_of_h / sizeof w_of_h[0]; j++)
    if (!given[w_of_h[j][0]]) v[w_of_h[j][0]] = v[w_of_h[j][1]];
  static const int positive[] = {F_G, F_MB, F_IC, F_IH, F_IW, F_OC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW};
  for (size_t j = 0; j < sizeof positive / sizeof positive[0]; j++) {
    const int f = positive[j];
    if ((given[f] || f == F_IW || f == F_KW || f == F_SW) && v[f] < 1)
      return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': '%s%ld': %s must be >= 1", str, field_tokens[f], v[f],
                     field_tokens[f]);
  }
  if (v[F_IC] % v[F_G])
    return rb_fail(RB_ERR_SHAPE, "conv problem '%s': ic %ld is not divisible by g %ld", str, v[F_IC], v[F_G]);
  if (v[F_OC] % v[F_G])
    return rb_fail(RB_ERR_SHAPE, "conv problem '%s': oc %ld is not divisible by g %ld", str, v[F_OC], v[F_G]);

  long pb, pr;
  rb_status st = resolve_dim(str, 'h', v[F_IH], v[F_KH], v[F_SH], v[F_DH] + 1, &v[F_PH], given[F_PH], &v[F_OH],
                             given[F_OH], &pb);
  if (st != RB_OK) return st;
  if (!given[F_PW]) v[F_PW] = v[F_PH];
  const int ow_from = given[F_OW] ? 1 : given[F_OH] ? 2 : 0;
  if (ow_from == 2) v[F_OW] = v[F_OH];
  st = resolve_dim(str, 'w', v[F_IW], v[F_KW], v[F_SW], v[F_DW] + 1, &v[F_PW], 1, &v[F_OW], ow_from, &pr);
  if (st != RB_OK) return st;

  rb_conv_desc d = {.n = (int)v[F_MB], .h = (int)v[F_IH], .w = (int)v[F_IW], .cin = (int)v[F_IC],
                    .cout = (int)v[F_OC], .kh = (int)v[F_KH], .kw = (int)v[F_KW], .stride_h = (int)v[F_SH],
                    .stride_w = (int)v[F_SW], .pad_top = (int)v[F_PH], .pad_left = (int)v[F_PW],
                    .pad_bottom = (int)pb, .pad_right = (int)pr, .groups = (int)v[F_G]};
  // dh/dw count from 0 (benchdnn); INT_MAX + 1 cannot be stored.
  if (v[F_DH] >= INT_MAX || v[F_DW] >= INT_MAX)
    return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': dilation '%s%ld' is out of range", str,
                   v[F_DH] >= INT_MAX ? "dh" : "dw", v[F_DH] >= INT_MAX ? v[F_DH] : v[F_DW]);
  d.dil_h = (int)v[F_DH] + 1;
  d.dil_w = (int)v[F_DW] + 1;
  if (rb_conv_desc_check(&d) != RB_OK) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s", rb_last_error());
    return rb_fail(RB_ERR_INVALID_ARG, "conv problem '%s': %s", str, msg);
  }
  *out = d;
  return RB_OK;
}
