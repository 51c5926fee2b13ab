// fp64 oracles and numeric-check helpers (see oracle64.h). Plain loops, written for clarity.
#include "oracle64.h"

#include <math.h>
#include <string.h>

void o64_seed(o64_rng *r, uint64_t seed) {
  r->s = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  if (r->s == 0) r->s = 1;  // xorshift state must be non-zero
}

uint64_t o64_next(o64_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

int o64_int(o64_rng *r, int lo, int hi) {
  return lo + (int)(o64_next(r) % (uint64_t)(hi - lo + 1));
}

float o64_uniform(o64_rng *r, float lo, float hi) {
  for (;;) {
    double u = (double)(o64_next(r) >> 11) * 0x1.0p-53;
    float v = (float)(lo + (hi - lo) * u);
    if (v != 0.0f) return v;
  }
}

void o64_fill(o64_rng *r, float *p, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) p[i] = o64_uniform(r, lo, hi);
}

void o64_poison(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = NAN;
}

double o64_gamma(double k) {
  double ku = k * O64_U_F32;
  return ku / (1.0 - ku);
}

o64_cmp o64_compare(const float *got, const double *exact, const double *mag, size_t n, double tol) {
  o64_cmp c;
  memset(&c, 0, sizeof c);
  double sum_rel = 0, worst_rel = -1;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(got[i])) {
      if (c.nan_count++ == 0) c.worst = i;
      continue;
    }
    double err = fabs((double)got[i] - exact[i]);
    double m = mag ? mag[i] : fabs(exact[i]);
    // An exact zero with no terms (e.g. relu of nothing) must be reproduced exactly.
    double rel = m > 0 ? err / m : (err > 0 ? INFINITY : 0);
    if (err > c.max_abs_err) c.max_abs_err = err;
    if (rel > worst_rel && c.nan_count == 0) {
      worst_rel = rel;
      c.worst = i;
    }
    if (rel > c.max_rel_err) c.max_rel_err = rel;
    sum_rel += rel;
  }
  c.mean_rel_err = n ? sum_rel / (double)n : 0;
  c.pass = c.nan_count == 0 && c.max_rel_err <= tol;
  return c;
}

static int conv_oh(const rb_conv_desc *d) {
  return (d->h + d->pad_top + d->pad_bottom - d->dil_h * (d->kh - 1) - 1) / d->stride_h + 1;
}

static int conv_ow(const rb_conv_desc *d) {
  return (d->w + d->pad_left + d->pad_right - d->dil_w * (d->kw - 1) - 1) / d->stride_w + 1;
}

void o64_conv(const rb_conv_desc *d, const float *in, const float *w_oihw, const float *bias,
              const float *residual, int relu, double *exact, double *mag) {
  const int oh = conv_oh(d), ow = conv_ow(d);
  const int cig = d->cin / d->groups, cog = d->cout / d->groups;
  // Each element is its own sum: threads change the speed, not the result.
#pragma omp parallel for collapse(2) schedule(static)
  for (int n = 0; n < d->n; n++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++)
        for (int co = 0; co < d->cout; co++) {
          const int g = co / cog;
          double s = 0, m = 0;
          for (int ci = 0; ci < cig; ci++)
            for (int ky = 0; ky < d->kh; ky++)
              for (int kx = 0; kx < d->kw; kx++) {
                const int iy = y * d->stride_h - d->pad_top + ky * d->dil_h;
                const int ix = x * d->stride_w - d->pad_left + kx * d->dil_w;
                if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w) continue;
                const double a = in[(((size_t)n * d->h + iy) * d->w + ix) * d->cin + g * cig + ci];
                const double b = w_oihw[(((size_t)co * cig + ci) * d->kh + ky) * d->kw + kx];
                s += a * b;
                m += fabs(a * b);
              }
          const size_t o = (((size_t)n * oh + y) * ow + x) * d->cout + co;
          if (bias) {
            s += bias[co];
            m += fabs(bias[co]);
          }
          if (residual) {
            s += residual[o];
            m += fabs(residual[o]);
          }
          exact[o] = relu && s < 0 ? 0 : s;
          mag[o] = m;
        }
}
