// fp64 oracles for the non-convolution families (see oracle64_misc.h). Plain loops written from
// the PyTorch / timm / ResNeSt definitions, not from kernels/ref.
#include "oracle64_misc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

// Relative error allowed for one float32 exp: 2 ulp (4u), room for a SIMD polynomial exp.
#define EXP_U 4.0

// Probabilities below FLT_MIN (2^-126) have no relative accuracy in float (subnormal, or flushed
// to 0 by a SIMD exp): mag gets this floor, so tol * mag allows an absolute error of a few FLT_MIN.
#define PROB_FLOOR 0x1p-102  // 2^-126 / O64_U_F32

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "oracle64_misc: out of memory (%zu bytes)\n", bytes);
    abort();
  }
  return p;
}

static double sigmoid64(double x) { return 1.0 / (1.0 + exp(-x)); }

// ---- SE and FC -----------------------------------------------------------------------------

// 1x1 grouped conv on a vector: y[o] = b[o] + sum_i w[o][i] x[g*ig + i]; also
// ymag[o] = |b[o]| + sum |w[o][i]| xmag[g*ig + i] (xmag bounds |x| and the error scale of x).
static void fc64(int in_f, int out_f, int groups, const double *x, const double *xmag, const float *w,
                 const float *b, double *y, double *ymag) {
  const int ig = in_f / groups, og = out_f / groups;
  for (int o = 0; o < out_f; o++) {
    const int g = o / og;
    double s = b ? b[o] : 0.0, m = b ? fabs(b[o]) : 0.0;
    for (int i = 0; i < ig; i++) {
      s += (double)w[(size_t)o * ig + i] * x[g * ig + i];
      m += fabs((double)w[(size_t)o * ig + i]) * xmag[g * ig + i];
    }
    y[o] = s;
    ymag[o] = m;
  }
}

void o64_se(const rb_se_desc *d, const float *in, const float *w1, const float *b1, const float *w2,
            const float *b2, double *exact, double *mag) {
  const size_t hw = (size_t)d->h * d->w;
  double *mean = xmalloc(sizeof(double) * d->c), *mean_abs = xmalloc(sizeof(double) * d->c);
  double *hid = xmalloc(sizeof(double) * d->reduced), *hid_mag = xmalloc(sizeof(double) * d->reduced);
  double *z = xmalloc(sizeof(double) * d->c), *z_mag = xmalloc(sizeof(double) * d->c);
  for (int n = 0; n < d->n; n++) {
    const float *x = in + (size_t)n * hw * d->c;
    for (int c = 0; c < d->c; c++) {
      double s = 0, a = 0;
      for (size_t p = 0; p < hw; p++) {
        s += x[p * d->c + c];
        a += fabs((double)x[p * d->c + c]);
      }
      mean[c] = s / (double)hw;
      mean_abs[c] = a / (double)hw;
    }
    fc64(d->c, d->reduced, d->groups, mean, mean_abs, w1, b1, hid, hid_mag);
    for (int r = 0; r < d->reduced; r++) hid[r] = hid[r] > 0 ? hid[r] : 0;  // ReLU
    fc64(d->reduced, d->c, d->groups, hid, hid_mag, w2, b2, z, z_mag);
    for (size_t p = 0; p < hw; p++)
      for (int c = 0; c < d->c; c++) {
        const size_t i = ((size_t)n * hw + p) * d->c + c;
        const double s = sigmoid64(z[c]);
        exact[i] = (double)in[i] * s;
        mag[i] = fabs((double)in[i]) * s * ((1.0 - s) * z_mag[c] + 1.0);
      }
  }
  free(mean), free(mean_abs), free(hid), free(hid_mag), free(z), free(z_mag);
}

double o64_se_tol(const rb_se_desc *d) {
  // Logit error <= (mean: hw terms + a division or reciprocal) + (fc1: c/g + bias) + (fc2: r/g + bias),
  // each times the magnitude built into mag; then the sigmoid (exp, add, divide) and the scale.
  return o64_gamma((double)d->h * d->w + 2) + o64_gamma(d->c / d->groups + 1) +
         o64_gamma(d->reduced / d->groups + 1) + (EXP_U + 4) * O64_U_F32;
}

void o64_fc(int n, int in_f, int out_f, int groups, const float *in, const float *w, const float *bias,
            int relu, double *exact, double *mag) {
  double *x = xmalloc(sizeof(double) * in_f), *xa = xmalloc(sizeof(double) * in_f);
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < in_f; j++) {
      x[j] = in[(size_t)i * in_f + j];
      xa[j] = fabs(x[j]);
    }
    fc64(in_f, out_f, groups, x, xa, w, bias, exact + (size_t)i * out_f, mag + (size_t)i * out_f);
    if (relu)
      for (int o = 0; o < out_f; o++)
        if (exact[(size_t)i * out_f + o] < 0) exact[(size_t)i * out_f + o] = 0;
  }
  free(x), free(xa);
}

double o64_fc_tol(int in_f, int groups) { return o64_gamma(in_f / groups + 1); }

// ---- ResNeSt split attention ---------------------------------------------------------------

// softmax of v[0..k) (stride 1) into a[], with the error scale of each a_r (see the header).
static void softmax64(int k, const double *v, double *a, double *amag) {
  double m = v[0];
  for (int r = 1; r < k; r++) m = v[r] > m ? v[r] : m;
  double s = 0;
  for (int r = 0; r < k; r++) s += exp(v[r] - m);
  double spread = 0;
  for (int r = 0; r < k; r++) {
    a[r] = exp(v[r] - m) / s;
    spread += a[r] * fabs(v[r] - m);
  }
  for (int r = 0; r < k; r++) amag[r] = a[r] * (1.0 + fabs(v[r] - m) + spread) + PROB_FLOOR;
}

void o64_radix_softmax(int n, int cardinality, int radix, int channels, const float *in, double *exact,
                       double *mag) {
  const size_t row = (size_t)radix * channels;
  if (radix == 1) {  // rSoftMax: torch.sigmoid(x), no view
    for (size_t i = 0; i < (size_t)n * row; i++) {
      exact[i] = sigmoid64(in[i]);
      mag[i] = exact[i] + PROB_FLOOR;
    }
    return;
  }
  // Literally: V = x.view(n, card, radix, rest); T = V.transpose(1, 2) as a contiguous
  // [n][radix][card][rest] tensor; A = softmax(T, dim=1); out = A.reshape(n, -1).
  const int card = cardinality, rest = channels / cardinality;
#define V(i, g, r, j) in[(((size_t)(i) * card + (g)) * radix + (r)) * rest + (j)]
#define T4(t, i, r, g, j) t[(((size_t)(i) * radix + (r)) * card + (g)) * rest + (j)]
  double *t = xmalloc(sizeof(double) * n * row), *a = xmalloc(sizeof(double) * n * row);
  double *am = xmalloc(sizeof(double) * n * row);
  for (int i = 0; i < n; i++)
    for (int r = 0; r < radix; r++)
      for (int g = 0; g < card; g++)
        for (int j = 0; j < rest; j++) T4(t, i, r, g, j) = V(i, g, r, j);
  double *v = xmalloc(sizeof(double) * radix), *s = xmalloc(sizeof(double) * radix);
  double *sm = xmalloc(sizeof(double) * radix);
  for (int i = 0; i < n; i++)
    for (int g = 0; g < card; g++)
      for (int j = 0; j < rest; j++) {  // dim 1 of T is r
        for (int r = 0; r < radix; r++) v[r] = T4(t, i, r, g, j);
        softmax64(radix, v, s, sm);
        for (int r = 0; r < radix; r++) {
          T4(a, i, r, g, j) = s[r];
          T4(am, i, r, g, j) = sm[r];
        }
      }
  // reshape(n, -1) of the contiguous T-shaped result is its flat order.
  for (size_t e = 0; e < (size_t)n * row; e++) {
    exact[e] = a[e];
    mag[e] = am[e];
  }
#undef V
#undef T4
  free(t), free(a), free(am), free(v), free(s), free(sm);
}

double o64_softmax_tol(int k) {
  // Per output: its own exp and the others' (EXP_U each, weighted by a_j <= 1), k - 1 additions,
  // the division (or reciprocal and multiply: 2). The argument rounding u |x - max| is in mag.
  return (2 * EXP_U + k + 2) * O64_U_F32;
}

void o64_split_sum(int n, int hw, int radix, int channels, const float *x, const float *att, double *exact,
                   double *mag) {
  for (int i = 0; i < n; i++)
    for (int p = 0; p < hw; p++)
      for (int c = 0; c < channels; c++) {
        double s = 0, m = 0;
        for (int r = 0; r < radix; r++) {
          // torch.split(x, channels, dim=1)[r] and torch.split(att, channels, dim=1)[r]
          const double a = att[(size_t)i * radix * channels + (size_t)r * channels + c];
          const double v = x[(((size_t)i * hw + p) * radix + r) * channels + c];
          s += a * v;
          m += fabs(a * v);
        }
        exact[((size_t)i * hw + p) * channels + c] = s;
        mag[((size_t)i * hw + p) * channels + c] = m;
      }
}

double o64_split_sum_tol(int radix) { return o64_gamma(radix); }

// ---- SKNet selection -----------------------------------------------------------------------

void o64_sk_select(int n, int hw, int paths, int channels, const float *const *branches, const float *logits,
                   double *exact, double *mag) {
  double *v = xmalloc(sizeof(double) * paths), *a = xmalloc(sizeof(double) * paths);
  double *am = xmalloc(sizeof(double) * paths);
  for (int i = 0; i < n; i++)
    for (int c = 0; c < channels; c++) {
      // logits.view(n, paths, channels): path m of channel c is element m*channels + c.
      for (int m = 0; m < paths; m++) v[m] = logits[(size_t)i * paths * channels + (size_t)m * channels + c];
      softmax64(paths, v, a, am);
      for (int p = 0; p < hw; p++) {
        const size_t o = ((size_t)i * hw + p) * channels + c;
        double s = 0, mg = 0;
        for (int m = 0; m < paths; m++) {
          const double b = branches[m][o];
          s += a[m] * b;
          mg += am[m] * fabs(b);
        }
        exact[o] = s;
        mag[o] = mg;
      }
    }
  free(v), free(a), free(am);
}

double o64_sk_select_tol(int paths) {
  // The softmax's error (o64_softmax_tol) plus the weighted sum of paths products.
  return o64_softmax_tol(paths) + o64_gamma(paths);
}

// ---- the attention composites --------------------------------------------------------------

// One image of a composite: k inputs (splits or paths) of `channels`, pixel p of input m at
// x[m] + p * stride; the FCs; the attention a[m][c] with its own rounding scale am and its propagated
// one zp = a_m (Z_m + sum_j a_j Z_j); the weighted sum.
typedef struct composite {
  int hw, k, channels, reduced, groups;
  int radix_order;  // 1: fc2 outputs in [card][radix][rest] order (rSoftMax); 0: [path][channels] (SK)
} composite;

// Where fc2 puts the logit of input m, channel c.
static size_t fc2_index(const composite *q, int m, int c) {
  if (!q->radix_order) return (size_t)m * q->channels + c;
  const int rest = q->channels / q->groups, g = c / rest, j = c % rest;
  return ((size_t)g * q->k + m) * rest + j;
}

// Zeroed: gcc cannot see that every element is written before the fc and softmax read it.
static double *dzeros(size_t count) {
  double *p = calloc(count ? count : 1, sizeof(double));
  if (!p) {
    fprintf(stderr, "oracle64_misc: out of memory (%zu doubles)\n", count);
    abort();
  }
  return p;
}

static void composite64(const composite *q, const float *const *x, size_t stride, const float *pooled,
                        const float *w1, const float *b1, const float *w2, const float *b2, double *exact,
                        double *mag) {
  const int c = q->channels, k = q->k;
  double *gap = dzeros(c), *gmag = dzeros(c);
  double *hid = dzeros(q->reduced), *hmag = dzeros(q->reduced);
  double *z = dzeros((size_t)k * c), *zmag = dzeros((size_t)k * c);
  double *a = dzeros((size_t)k * c), *am = dzeros((size_t)k * c);
  double *zp = dzeros((size_t)k * c);
  double *v = dzeros(k), *s = dzeros(k), *sm = dzeros(k);
  for (int ch = 0; ch < c; ch++) {
    double g = 0, gm = 0;
    if (pooled) {
      g = pooled[ch], gm = fabs(g);
    } else {
      for (int m = 0; m < k; m++) {
        double t = 0, tm = 0;
        for (int p = 0; p < q->hw; p++) {
          const double e = x[m][(size_t)p * stride + ch];
          t += e, tm += fabs(e);
        }
        g += t / q->hw, gm += tm / q->hw;
      }
    }
    gap[ch] = g, gmag[ch] = gm;
  }
  fc64(c, q->reduced, q->groups, gap, gmag, w1, b1, hid, hmag);
  for (int r = 0; r < q->reduced; r++) hid[r] = hid[r] > 0 ? hid[r] : 0;
  fc64(q->reduced, k * c, q->groups, hid, hmag, w2, b2, z, zmag);
  for (int ch = 0; ch < c; ch++) {
    for (int m = 0; m < k; m++) v[m] = z[fc2_index(q, m, ch)];
    const int sigmoid = q->radix_order && k == 1;  // rSoftMax with radix 1 (SK: a softmax over one path, 1)
    if (sigmoid) {
      s[0] = sigmoid64(v[0]), sm[0] = s[0] + PROB_FLOOR;
    } else {
      softmax64(k, v, s, sm);
    }
    double spread = 0;
    for (int m = 0; m < k; m++) spread += s[m] * zmag[fc2_index(q, m, ch)];
    for (int m = 0; m < k; m++) {
      const size_t i = (size_t)m * c + ch;
      const double zm = zmag[fc2_index(q, m, ch)];
      a[i] = s[m], am[i] = sm[m];
      zp[i] = sigmoid ? s[0] * (1 - s[0]) * zm : s[m] * (zm + spread);
    }
  }
  for (int p = 0; p < q->hw; p++)
    for (int ch = 0; ch < c; ch++) {
      double t = 0, tm = 0;
      for (int m = 0; m < k; m++) {
        const size_t i = (size_t)m * c + ch;
        const double e = x[m][(size_t)p * stride + ch];
        t += a[i] * e;
        tm += fabs(e) * (am[i] + zp[i]);
      }
      exact[(size_t)p * c + ch] = t;
      mag[(size_t)p * c + ch] = tm;
    }
  free(gap), free(gmag), free(hid), free(hmag), free(z), free(zmag), free(a), free(am), free(zp);
  free(v), free(s), free(sm);
}

void o64_split_attention(const rb_split_attn_desc *d, const float *x, const float *pooled, const float *w1,
                         const float *b1, const float *w2, const float *b2, double *exact, double *mag) {
  const composite q = {d->h * d->w, d->radix, d->channels, d->reduced, d->cardinality, 1};
  const size_t stride = (size_t)d->radix * d->channels, img = (size_t)q.hw * stride;
  const float **splits = xmalloc(sizeof(float *) * d->radix);
  for (int i = 0; i < d->n; i++) {
    // torch.split(x, channels, dim=1): split r is channels [r*channels, (r+1)*channels).
    for (int r = 0; r < d->radix; r++) splits[r] = x + i * img + (size_t)r * d->channels;
    const size_t o = (size_t)i * q.hw * d->channels;
    composite64(&q, splits, stride, pooled ? pooled + (size_t)i * d->channels : NULL, w1, b1, w2, b2, exact + o,
                mag + o);
  }
  free(splits);
}

void o64_sk_attention(const rb_sk_attn_desc *d, const float *const *branches, const float *pooled, const float *w1,
                      const float *b1, const float *w2, const float *b2, double *exact, double *mag) {
  const composite q = {d->h * d->w, d->paths, d->channels, d->reduced, d->groups, 0};
  const size_t img = (size_t)q.hw * d->channels;
  const float **br = xmalloc(sizeof(float *) * d->paths);
  for (int i = 0; i < d->n; i++) {
    for (int m = 0; m < d->paths; m++) br[m] = branches[m] + i * img;
    composite64(&q, br, (size_t)d->channels, pooled ? pooled + (size_t)i * d->channels : NULL, w1, b1, w2, b2,
                exact + i * img, mag + i * img);
  }
  free(br);
}

// The logits' error relative to Z: the means (hw terms and a division) and their sum over k, fc1
// (its inputs and bias), fc2; then the softmax (or sigmoid) and the k-term weighted sum.
static double composite_tol(int hw, int k, int channels, int reduced, int groups) {
  return o64_gamma((double)hw + 2) + o64_gamma(k) + o64_gamma(channels / groups + 1) +
         o64_gamma(reduced / groups + 1) + o64_softmax_tol(k) + o64_gamma(k);
}

double o64_split_attention_tol(const rb_split_attn_desc *d) {
  return composite_tol(d->h * d->w, d->radix, d->channels, d->reduced, d->cardinality);
}

double o64_sk_attention_tol(const rb_sk_attn_desc *d) {
  return composite_tol(d->h * d->w, d->paths, d->channels, d->reduced, d->groups);
}

// ---- pooling -------------------------------------------------------------------------------

void o64_global_avgpool(int n, int hw, int c, const float *in, double *exact, double *mag) {
  for (int i = 0; i < n; i++)
    for (int ch = 0; ch < c; ch++) {
      double s = 0, m = 0;
      for (int p = 0; p < hw; p++) {
        const double v = in[((size_t)i * hw + p) * c + ch];
        s += v;
        m += fabs(v);
      }
      exact[(size_t)i * c + ch] = s / hw;
      mag[(size_t)i * c + ch] = m / hw;
    }
}

// hw - 1 additions, then a division, or a reciprocal and a multiply.
double o64_global_avgpool_tol(int hw) { return o64_gamma((double)hw + 2); }

int o64_pool_out(int size, int k, int stride, int pad, int ceil_mode) {
  // Window o covers padded positions [o*stride, o*stride + k) of the size + 2 pad positions.
  int count = 0;
  for (long long o = 0;; o++) {
    const long long start = o * stride, end = start + k;
    if (!ceil_mode) {
      if (end > (long long)size + 2 * pad) break;
    } else {
      // ceil((size + 2 pad - k) / stride) + 1 windows, but none starting in the trailing padding.
      if (start > (long long)size + 2 * pad - k + stride - 1) break;
      if (start >= (long long)size + pad) break;
    }
    count++;
  }
  return count;
}

void o64_maxpool(const rb_pool_desc *d, const float *in, double *exact, double *mag) {
  const int oh = o64_pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode);
  const int ow = o64_pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode);
  for (int i = 0; i < d->n; i++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++)
        for (int c = 0; c < d->c; c++) {
          double m = -INFINITY;
          for (int ky = 0; ky < d->kh; ky++)
            for (int kx = 0; kx < d->kw; kx++) {
              const int iy = y * d->stride_h - d->pad_h + ky, ix = x * d->stride_w - d->pad_w + kx;
              if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w) continue;  // padding: -inf
              const double v = in[(((size_t)i * d->h + iy) * d->w + ix) * d->c + c];
              if (v > m) m = v;
            }
          const size_t o = (((size_t)i * oh + y) * ow + x) * d->c + c;
          exact[o] = m;
          mag[o] = fabs(m);
        }
}

void o64_avgpool(const rb_pool_desc *d, const float *in, double *exact, double *mag) {
  const int oh = o64_pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode);
  const int ow = o64_pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode);
  for (int i = 0; i < d->n; i++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++)
        for (int c = 0; c < d->c; c++) {
          double s = 0, m = 0;
          int valid = 0, padded = 0;
          for (int ky = 0; ky < d->kh; ky++)
            for (int kx = 0; kx < d->kw; kx++) {
              const int iy = y * d->stride_h - d->pad_h + ky, ix = x * d->stride_w - d->pad_w + kx;
              // Taps beyond the padded input (ceil mode's partial window) count for nothing.
              if (iy >= -d->pad_h && iy < d->h + d->pad_h && ix >= -d->pad_w && ix < d->w + d->pad_w) padded++;
              if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w) continue;
              const double v = in[(((size_t)i * d->h + iy) * d->w + ix) * d->c + c];
              s += v;
              m += fabs(v);
              valid++;
            }
          const int div = d->count_include_pad ? padded : valid;
          const size_t o = (((size_t)i * oh + y) * ow + x) * d->c + c;
          exact[o] = valid ? s / div : 0.0;
          mag[o] = valid ? m / div : 0.0;
        }
}

double o64_avgpool_tol(const rb_pool_desc *d) { return o64_gamma((double)d->kh * d->kw + 2); }

// ---- element-wise --------------------------------------------------------------------------

void o64_add(size_t count, const float *a, const float *b, int relu, double *exact, double *mag) {
  for (size_t i = 0; i < count; i++) {
    const double s = (double)a[i] + (double)b[i];
    exact[i] = relu && s < 0 ? 0.0 : s;
    mag[i] = fabs((double)a[i]) + fabs((double)b[i]);
  }
}

// One rounding of the sum (ReLU keeps the sign of the rounded sum).
double o64_add_tol(void) { return O64_U_F32; }

// ---- BatchNorm folding ---------------------------------------------------------------------

void o64_conv_bn(const rb_conv_desc *d, const float *in, const float *w_oihw, const float *conv_bias,
                 const float *gamma, const float *beta, const float *mean, const float *var, float eps,
                 double *exact, double *mag) {
  const int oh = (d->h + d->pad_top + d->pad_bottom - d->dil_h * (d->kh - 1) - 1) / d->stride_h + 1;
  const int ow = (d->w + d->pad_left + d->pad_right - d->dil_w * (d->kw - 1) - 1) / d->stride_w + 1;
  const size_t count = (size_t)d->n * oh * ow * d->cout;
  // The convolution with its own bias, unfolded (o64_conv), then y = (z - mean) * scale + beta.
  double *z = xmalloc(sizeof(double) * count), *zm = xmalloc(sizeof(double) * count);
  o64_conv(d, in, w_oihw, conv_bias, NULL, 0, z, zm);
  for (size_t o = 0; o < count; o++) {
    const int co = (int)(o % (size_t)d->cout);
    const double scale = (double)gamma[co] / sqrt((double)var[co] + (double)eps);
    exact[o] = (z[o] - mean[co]) * scale + beta[co];
    mag[o] = fabs(scale) * (zm[o] + fabs((double)mean[co])) + fabs((double)beta[co]);
  }
  free(z), free(zm);
}

double o64_conv_bn_tol(const rb_conv_desc *d) {
  // The float conv of cin/g*kh*kw products plus the bias, and one rounding each of the folded
  // weights and the folded bias.
  return o64_gamma((double)(d->cin / d->groups) * d->kh * d->kw + 3);
}
