// Winograd F(2x2,3x3), F(4x4,3x3), F(6x6,3x3): the 1-D transforms against their matrices, the
// matrices against direct correlation, and whole convolutions against the fp64 oracle.
#include <check.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/engine.h"
#include "../kernels/winograd.h"
#include "check.h"  // suites/check.h (-iquote): rb_check_winograd
#include "oracle64.h"
#include "resbench/resbench.h"
#include "testutil.h"
#include "winograd_tol.h"

static const int tile_m[RB_WINO_COUNT] = {2, 4, 6};

// ---------------------------------------------------------------- 1-D transforms and matrices

// Every entry of AT is p_j^i for its point (the infinity column is e_{m-1}, up to sign), every
// row of G is proportional to [1, p, p^2] (infinity: [0, 0, c]), AT and BT are exact in float.
START_TEST(matrices_follow_their_points) {
  for (int i = 0; i < RB_WINO_COUNT; i++) {
    const int m = tile_m[i];
    const double *AT, *G, *BT, *pts;
    const int a = rb_winograd_matrices(m, &AT, &G, &BT);
    ck_assert_int_eq(a, m + 2);
    ck_assert_int_eq(rb_winograd_alpha(m), a);
    ck_assert_int_eq(rb_winograd_points(m, &pts), a);
    for (int j = 0; j < a; j++) {
      const double p = pts[j];
      if (isinf(p)) {
        ck_assert_int_eq(j, a - 1);
        for (int r = 0; r < m; r++) ck_assert(r == m - 1 ? fabs(AT[r * a + j]) == 1 : AT[r * a + j] == 0);
        ck_assert(G[j * 3] == 0 && G[j * 3 + 1] == 0 && G[j * 3 + 2] != 0);
      } else {
        for (int r = 0; r < m; r++) ck_assert_msg(AT[r * a + j] == pow(p, r), "F%d AT[%d][%d]", m, r, j);
        // points are 0, +-1, +-2, +-1/2: scaling by them is exact in double
        ck_assert_msg(G[j * 3] != 0 && G[j * 3 + 1] == p * G[j * 3] && G[j * 3 + 2] == p * p * G[j * 3],
                      "F%d G row %d", m, j);
        for (int l = 0; l < j; l++) ck_assert(pts[l] != p);
      }
    }
    for (int j = 0; j < a * a; j++) ck_assert(BT[j] == (double)(float)BT[j]);
    for (int j = 0; j < m * a; j++) ck_assert(AT[j] == (double)(float)AT[j]);
  }
  const double *AT, *G, *BT;
  ck_assert_int_eq(rb_winograd_matrices(3, &AT, &G, &BT), 0);
  ck_assert(AT == NULL && G == NULL && BT == NULL);
  ck_assert_int_eq(rb_winograd_alpha(8), 0);
}
END_TEST

// y = M x in double, with mag = |M| |x|.
static void matvec(const double *M, int rows, int cols, const double *x, double *y, double *mag) {
  for (int r = 0; r < rows; r++) {
    double s = 0, a = 0;
    for (int c = 0; c < cols; c++) {
      s += M[r * cols + c] * x[c];
      a += fabs(M[r * cols + c] * x[c]);
    }
    y[r] = s;
    mag[r] = a;
  }
}

// Each 1-D transform, on strided vectors, equals its explicit matrix-vector product: the float
// ones (BT, AT) within gamma_alpha |M| |x| (a float dot product of alpha exact coefficients),
// the double one (G) within gamma_3 in double. Elements between the strides stay untouched.
START_TEST(transforms_1d_match_matrices) {
  enum { S = 3, N = 8 * S };
  o64_rng r;
  o64_seed(&r, 11);
  for (int i = 0; i < RB_WINO_COUNT; i++) {
    const int m = tile_m[i];
    const double *AT, *G, *BT;
    const int a = rb_winograd_matrices(m, &AT, &G, &BT);
    for (int trial = 0; trial < 200; trial++) {
      float xf[N], yf[N];
      double x[8], xd[N], yd[N], exact[8], mag[8];
      o64_fill(&r, xf, N, -4, 4);
      for (int k = 0; k < a; k++) x[k] = xf[k * S];
      for (int k = 0; k < N; k++) yf[k] = 123.0f, yd[k] = 123.0;

      rb_winograd_input_1d(m, xf, S, yf, S);
      matvec(BT, a, a, x, exact, mag);
      for (int k = 0; k < N; k++) {
        if (k % S || k / S >= a) {
          ck_assert_float_eq(yf[k], 123.0f);
          continue;
        }
        ck_assert_msg(fabs(yf[k] - exact[k / S]) <= o64_gamma(a) * mag[k / S], "F%d BT row %d: %.9g vs %.17g", m,
                      k / S, yf[k], exact[k / S]);
      }

      for (int k = 0; k < N; k++) yf[k] = 123.0f;
      rb_winograd_output_1d(m, xf, S, yf, S);
      matvec(AT, m, a, x, exact, mag);
      for (int k = 0; k < N; k++) {
        if (k % S || k / S >= m) {
          ck_assert_float_eq(yf[k], 123.0f);
          continue;
        }
        ck_assert_msg(fabs(yf[k] - exact[k / S]) <= o64_gamma(a) * mag[k / S], "F%d AT row %d", m, k / S);
      }

      for (int k = 0; k < N; k++) xd[k] = xf[k] + xf[(k + 1) % N] * 0x1p-30;  // more than float bits
      double g[3] = {xd[0], xd[S], xd[2 * S]};
      rb_winograd_weight_1d(m, xd, S, yd, S);
      matvec(G, a, 3, g, exact, mag);
      for (int k = 0; k < N; k++) {
        if (k % S || k / S >= a) {
          ck_assert(yd[k] == 123.0);
          continue;
        }
        ck_assert_msg(fabs(yd[k] - exact[k / S]) <= 3 * DBL_EPSILON * mag[k / S], "F%d G row %d", m, k / S);
      }
    }
  }
}
END_TEST

// The defining property, in double: AT ((G g) .* (BT d)) is the correlation of d with g.
// Exact in rationals, so any wrong entry shows far above rounding (~1e-16).
START_TEST(winograd_1d_is_correlation) {
  o64_rng r;
  o64_seed(&r, 12);
  double worst = 0;
  for (int i = 0; i < RB_WINO_COUNT; i++) {
    const int m = tile_m[i];
    const double *AT, *G, *BT;
    const int a = rb_winograd_matrices(m, &AT, &G, &BT);
    for (int trial = 0; trial < 1000; trial++) {
      double d[8], g[3], bd[8], gg[8], prod[8], y[6], mag[8];
      for (int k = 0; k < a; k++) d[k] = (double)o64_uniform(&r, -1, 1) + (double)o64_uniform(&r, -1, 1) * 0x1p-25;
      for (int k = 0; k < 3; k++) g[k] = (double)o64_uniform(&r, -1, 1) + (double)o64_uniform(&r, -1, 1) * 0x1p-25;
      matvec(BT, a, a, d, bd, mag);
      matvec(G, a, 3, g, gg, mag);
      for (int k = 0; k < a; k++) prod[k] = gg[k] * bd[k];
      matvec(AT, m, a, prod, y, mag);
      for (int k = 0; k < m; k++) {
        double s = 0, sa = 0;
        for (int t = 0; t < 3; t++) {
          s += g[t] * d[k + t];
          sa += fabs(g[t] * d[k + t]);
        }
        const double rel = fabs(y[k] - s) / sa;
        if (rel > worst) worst = rel;
        ck_assert_msg(rel <= 1e-12, "F%d output %d: %.17g vs %.17g (rel %.3g)", m, k, y[k], s, rel);
      }
    }
  }
  printf("winograd 1-D vs correlation in double: max rel err %.3g\n", worst);
}
END_TEST

// ---------------------------------------------------------------- whole convolutions

typedef struct wcase {
  rb_conv_desc d;
  int bias, residual, relu;
} wcase;

typedef struct wdata {
  size_t nin, nout, nw;
  float *in, *w, *bias, *res, *out;
  double *exact, *mag, *wmag;  // mag: sum of |terms|; wmag: Winograd magnitude (wino_mag)
} wdata;

static void wdata_make(wdata *x, const wcase *c, uint64_t seed) {
  const rb_conv_desc *d = &c->d;
  o64_rng r;
  o64_seed(&r, seed);
  x->nin = rb_conv_in_count(d);
  x->nout = rb_conv_out_count(d);
  x->nw = (size_t)d->cout * (d->cin / d->groups) * 9;
  x->in = rb_aligned_alloc(x->nin * 4);
  x->w = rb_aligned_alloc(x->nw * 4);
  x->out = rb_aligned_alloc(x->nout * 4);
  x->bias = c->bias ? rb_aligned_alloc((size_t)d->cout * 4) : NULL;
  x->res = c->residual ? rb_aligned_alloc(x->nout * 4) : NULL;
  x->exact = malloc(x->nout * 8);
  x->mag = malloc(x->nout * 8);
  x->wmag = malloc(x->nout * 8);
  ck_assert(x->in && x->w && x->out && x->exact && x->mag && x->wmag);
  o64_fill(&r, x->in, x->nin, -1, 1);
  o64_fill(&r, x->w, x->nw, -1, 1);
  if (x->bias) o64_fill(&r, x->bias, d->cout, -1, 1);
  if (x->res) o64_fill(&r, x->res, x->nout, -1, 1);
  o64_conv(d, x->in, x->w, x->bias, x->res, c->relu, x->exact, x->mag);
}

static void wdata_free(wdata *x) {
  rb_aligned_free(x->in), rb_aligned_free(x->w), rb_aligned_free(x->out);
  rb_aligned_free(x->bias), rb_aligned_free(x->res);
  free(x->exact), free(x->mag), free(x->wmag);
}

static void describe(const wcase *c, char *buf, size_t len) {
  char shape[128];
  rb_conv_desc_format(&c->d, shape, sizeof shape);
  snprintf(buf, len, "%s (pads t%d l%d b%d r%d, bias %d residual %d relu %d)", shape, c->d.pad_top, c->d.pad_left,
           c->d.pad_bottom, c->d.pad_right, c->bias, c->residual, c->relu);
}

// Winograd magnitude of every output element of F(m x m, 3x3): |bias| + |residual| + sum over
// the input channels of its group of |AT| ((|G| |g| |GT|) .* (|BT| |d| |B|)) |A|, for the m x m
// tile holding the element (tiles start at output (0, 0), input tile alpha x alpha, zero outside
// the image). Rounding in the input transform, the per-position sums and the output transform
// is bounded by ~(cin/groups + 4 alpha) u times this, whatever the data. The arbitrary shapes
// below are judged against it rather than the sum of |terms| of the output's own 3x3 window:
// an output's Winograd error comes from its whole tile, so with 1-4 channels per group or at a
// border that sum can be tiny next to the tile and the error relative to it has a heavy tail
// (up to 4e-2 for F6 in 6000 random shapes; see winograd_tol.h). Against this magnitude the
// worst seen is ~3.6 u, so a 5x bound still fails a wrong matrix entry or a misplaced tile.
static void wino_mag(const rb_conv_desc *d, int m, const float *in, const float *w, const float *bias,
                     const float *res, double *mag) {
  const double *AT, *G, *BT;
  const int a = rb_winograd_matrices(m, &AT, &G, &BT), a2 = a * a;
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d), cig = d->cin / d->groups, cog = d->cout / d->groups;
  double aAT[6 * 8], aG[8 * 3], aBT[8 * 8];
  for (int i = 0; i < m * a; i++) aAT[i] = fabs(AT[i]);
  for (int i = 0; i < a * 3; i++) aG[i] = fabs(G[i]);
  for (int i = 0; i < a2; i++) aBT[i] = fabs(BT[i]);
  // |U| = |G| |g| |GT| for every (co, ci)
  double *U = malloc((size_t)d->cout * cig * a2 * sizeof *U), *V = malloc((size_t)d->cin * a2 * sizeof *V);
  for (size_t f = 0; f < (size_t)d->cout * cig; f++)
    for (int r = 0; r < a; r++)
      for (int s = 0; s < a; s++) {
        double acc = 0;
        for (int k = 0; k < 3; k++)
          for (int l = 0; l < 3; l++) acc += aG[r * 3 + k] * fabs(w[f * 9 + k * 3 + l]) * aG[s * 3 + l];
        U[f * a2 + r * a + s] = acc;
      }
  for (int n = 0; n < d->n; n++)
    for (int y0 = 0; y0 < oh; y0 += m)
      for (int x0 = 0; x0 < ow; x0 += m) {
        for (int c = 0; c < d->cin; c++) {  // |V| = |BT| |d| |B|
          double t[8 * 8];
          for (int r = 0; r < a; r++)
            for (int j = 0; j < a; j++) {
              double acc = 0;
              for (int k = 0; k < a; k++) {
                const int iy = y0 - d->pad_top + k, ix = x0 - d->pad_left + j;
                if (iy >= 0 && iy < d->h && ix >= 0 && ix < d->w)
                  acc += aBT[r * a + k] * fabs(in[(((size_t)n * d->h + iy) * d->w + ix) * d->cin + c]);
              }
              t[r * a + j] = acc;
            }
          for (int r = 0; r < a; r++)
            for (int s = 0; s < a; s++) {
              double acc = 0;
              for (int j = 0; j < a; j++) acc += t[r * a + j] * aBT[s * a + j];
              V[(size_t)c * a2 + r * a + s] = acc;
            }
        }
        for (int co = 0; co < d->cout; co++) {
          double M[8 * 8];
          const int g0 = co / cog * cig;
          for (int p = 0; p < a2; p++) {
            double acc = 0;
            for (int ci = 0; ci < cig; ci++) acc += U[((size_t)co * cig + ci) * a2 + p] * V[(size_t)(g0 + ci) * a2 + p];
            M[p] = acc;
          }
          for (int i = 0; i < m && y0 + i < oh; i++)
            for (int j = 0; j < m && x0 + j < ow; j++) {
              double acc = 0;
              for (int r = 0; r < a; r++)
                for (int s = 0; s < a; s++) acc += aAT[i * a + r] * M[r * a + s] * aAT[j * a + s];
              const size_t o = (((size_t)n * oh + y0 + i) * ow + x0 + j) * d->cout + co;
              mag[o] = acc + (bias ? fabs(bias[co]) : 0) + (res ? fabs(res[o]) : 0);
            }
        }
      }
  free(U), free(V);
}

// Plans algorithm i of table k, runs it (out poisoned) and compares with the oracle: *terms
// against the sum of |terms| (reported), the result against the Winograd magnitude (asserted).
static o64_cmp run_plan(const rb_kernels *k, int i, const wcase *c, wdata *x, o64_cmp *terms) {
  rb_conv_plan *p;
  const rb_status s = rb_conv_plan_create(k, &c->d, rb_wino_algo(i), 0, x->w, x->bias, &p);
  ck_assert_msg(s == RB_OK, "%s F%d plan: %s", k->isa_name, tile_m[i], rb_last_error());
  // ref's kernel, or the engine's transforms + product, or for groups of 4, 8 or 16 channels the
  // engine's one-pass kernel: rb_f32_wino_f4__avx2 becomes rb_f32_wino_ng_f4_c8__avx2
  const char *name = rb_kernels_winograd_name(k, tile_m[i]), *ran = rb_conv_plan_kernel_name(p);
  const int cpg = c->d.cin / c->d.groups;
  char one_pass[96];
  snprintf(one_pass, sizeof one_pass, "rb_f32_wino_ng_f%d_c%d%s", tile_m[i], cpg, name + strlen("rb_f32_wino_f0"));
  if (k->engine && c->d.groups > 1 && c->d.cout == c->d.cin && (cpg == 4 || cpg == 8 || cpg == 16))
    ck_assert_msg(strcmp(ran, one_pass) == 0, "%s runs %s", one_pass, ran);
  else
    ck_assert_msg(strncmp(ran, name, strlen(name)) == 0, "%s runs %s", name, ran);
  o64_poison(x->out, x->nout);
  ck_assert_int_eq(rb_conv_plan_run(p, x->in, x->res, c->relu, x->out), RB_OK);
  rb_conv_plan_destroy(p);
  if (terms) *terms = o64_compare(x->out, x->exact, x->mag, x->nout, rb_wino_tol(i));
  wino_mag(&c->d, tile_m[i], x->in, x->w, x->bias, x->res, x->wmag);
  return o64_compare(x->out, x->exact, x->wmag, x->nout, rb_wino_tol_wmag(i));
}

static void assert_cmp(const o64_cmp *cmp, const rb_kernels *k, int i, const wcase *c) {
  char what[256];
  describe(c, what, sizeof what);
  ck_assert_msg(cmp->pass, "%s F%d %s: max rel err %.3g (tol %.3g, vs the Winograd magnitude), %zu NaN, worst element %zu",
                k->isa_name, tile_m[i], what, cmp->max_rel_err, rb_wino_tol_wmag(i), cmp->nan_count, cmp->worst);
}

// Per tile size: the largest max_rel_err and the mean of mean_rel_err over the cases.
typedef struct err_stats {
  double max_rel, sum_mean;
  int count;
} err_stats;

static void stats_add(err_stats *s, const o64_cmp *c) {
  if (c->max_rel_err > s->max_rel) s->max_rel = c->max_rel_err;
  s->sum_mean += c->mean_rel_err;
  s->count++;
}

static void stats_print(const char *title, const char *isa, const err_stats *wm, const err_stats *terms) {
  for (int i = 0; i < RB_WINO_COUNT; i++)
    if (wm[i].count)
      printf("winograd %s %s F%d: %d cases; vs Winograd magnitude: max rel err %.3g, mean %.3g (tol %.3g); "
             "vs sum |terms|: max %.3g, mean %.3g\n",
             title, isa, tile_m[i], wm[i].count, wm[i].max_rel, wm[i].sum_mean / wm[i].count, rb_wino_tol_wmag(i),
             terms[i].max_rel, terms[i].sum_mean / terms[i].count);
}

// Random descriptors: batch 1-3, odd and tiny sizes (partial tiles at the right and bottom),
// asymmetric padding including 0, groups 1/2/4/32/depthwise, channels off any vector width,
// with and without bias, residual and ReLU. Every available table, every Winograd kernel.
START_TEST(random_shapes) {
  static const int group_choices[] = {1, 1, 2, 4, 32, 0 /* depthwise */};
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  o64_rng r;
  o64_seed(&r, 2024);
  err_stats st[RB_ISA_COUNT][RB_WINO_COUNT], st_terms[RB_ISA_COUNT][RB_WINO_COUNT];
  memset(st, 0, sizeof st);
  memset(st_terms, 0, sizeof st_terms);
  int ran = 0;
  while (ran < 80) {
    const int gsel = group_choices[o64_int(&r, 0, 5)];
    rb_conv_desc d = {
        .n = o64_int(&r, 1, 3), .h = o64_int(&r, 1, 17), .w = o64_int(&r, 1, 17), .kh = 3, .kw = 3,
        .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
        .pad_top = o64_int(&r, 0, 2), .pad_left = o64_int(&r, 0, 2),
        .pad_bottom = o64_int(&r, 0, 2), .pad_right = o64_int(&r, 0, 2),
    };
    if (gsel == 0) {  // depthwise, channel multiplier 1 or 2
      d.groups = o64_int(&r, 1, 40);
      d.cin = d.groups;
      d.cout = d.groups * o64_int(&r, 1, 2);
    } else {
      d.groups = gsel;
      d.cin = gsel * o64_int(&r, 1, gsel == 32 ? 5 : 37);
      d.cout = gsel * o64_int(&r, 1, gsel == 32 ? 5 : 37);
    }
    if (rb_conv_desc_check(&d) != RB_OK) continue;  // 3x3 larger than the padded input
    const wcase c = {d, o64_int(&r, 0, 1), o64_int(&r, 0, 1), o64_int(&r, 0, 1)};
    wdata x;
    wdata_make(&x, &c, 5000 + (uint64_t)ran);
    for (int t = 0; t < nt; t++)
      for (int i = 0; i < RB_WINO_COUNT; i++) {
        if (!rb_kernels_has_winograd(tables[t], tile_m[i])) continue;
        o64_cmp terms;
        const o64_cmp cmp = run_plan(tables[t], i, &c, &x, &terms);
        assert_cmp(&cmp, tables[t], i, &c);
        stats_add(&st[t][i], &cmp);
        stats_add(&st_terms[t][i], &terms);
      }
    wdata_free(&x);
    ran++;
  }
  for (int t = 0; t < nt; t++) stats_print("random shapes", tables[t]->isa_name, st[t], st_terms[t]);
}
END_TEST

// Fixed edge cases: 1x1 and 3x3 inputs, one partial tile, padding larger than 1, 1 channel,
// and shapes whose tiles do not fit one workspace block.
START_TEST(edge_shapes) {
  const wcase cases[] = {
      {rb_conv_desc_make(1, 1, 1, 5, 3, 3, 1, 1, 1, 1), 1, 0, 0},     // one output, 8 of 9 taps in the padding
      {rb_conv_desc_make(2, 3, 3, 7, 9, 3, 1, 0, 1, 1), 0, 1, 0},     // one output, no padding
      {rb_conv_desc_make(1, 2, 9, 3, 4, 3, 1, 3, 1, 1), 1, 0, 1},     // padding 3: outputs on pure padding
      {rb_conv_desc_make(3, 13, 7, 1, 1, 3, 1, 1, 1, 1), 0, 0, 0},    // one channel
      {{.n = 1, .h = 15, .w = 13, .cin = 6, .cout = 10, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
        .pad_top = 0, .pad_left = 2, .pad_bottom = 1, .pad_right = 0, .dil_h = 1, .dil_w = 1, .groups = 2},
       1, 1, 1},
      {rb_conv_desc_make(2, 15, 15, 1024, 1024, 3, 1, 1, 1, 1024), 1, 0, 1},  // depthwise, many blocks
      {rb_conv_desc_make(2, 21, 13, 512, 512, 3, 1, 1, 1, 32), 1, 1, 0},      // ResNeXt g32 x 16, blocks
  };
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    wdata x;
    wdata_make(&x, &cases[ci], 300 + ci);
    for (int t = 0; t < nt; t++)
      for (int i = 0; i < RB_WINO_COUNT; i++) {
        if (!rb_kernels_has_winograd(tables[t], tile_m[i])) continue;
        const o64_cmp cmp = run_plan(tables[t], i, &cases[ci], &x, NULL);
        assert_cmp(&cmp, tables[t], i, &cases[ci]);
      }
    wdata_free(&x);
  }
  // The last two really span several blocks in the ref kernels (workspace < all tiles' V and M).
  for (int i = 0; i < RB_WINO_COUNT; i++)
    for (size_t ci = 5; ci < 7; ci++) {
      const rb_conv_desc *d = &cases[ci].d;
      const int m = tile_m[i], a = m + 2;
      const size_t tiles = (size_t)d->n * ((rb_conv_out_h(d) + m - 1) / m) * ((rb_conv_out_w(d) + m - 1) / m);
      ck_assert_msg(rb_kernels_ref.conv_winograd[i]->workspace_size(d) < (size_t)a * a * tiles * (d->cin + d->cout),
                    "F%d case %zu fits one block", m, ci);
    }
}
END_TEST

// The kernel itself, called without a plan: it must not read workspace it did not write
// (workspace poisoned with NaN) and must write every output element.
START_TEST(kernel_uses_only_its_workspace) {
  const wcase c = {rb_conv_desc_make(2, 11, 9, 12, 20, 3, 1, 1, 1, 4), 1, 1, 1};
  wdata x;
  wdata_make(&x, &c, 77);
  for (int i = 0; i < RB_WINO_COUNT; i++) {
    const rb_conv_kernel *kern = rb_kernels_ref.conv_winograd[i];
    ck_assert_int_eq(kern->supports(&c.d), RB_OK);
    const size_t np = kern->packed_size(&c.d), nws = kern->workspace_size(&c.d);
    float *packed = rb_aligned_alloc(np * 4), *ws = rb_aligned_alloc(nws * 4);
    o64_poison(packed, np);
    kern->pack(&c.d, x.w, packed);
    for (size_t j = 0; j < np; j++) ck_assert_msg(isfinite(packed[j]), "F%d packed[%zu] not written", tile_m[i], j);
    o64_poison(ws, nws);
    o64_poison(x.out, x.nout);
    const rb_epilogue e = {.bias = x.bias, .residual = x.res, .relu = c.relu};
    kern->run(&c.d, x.in, packed, &e, ws, x.out);
    wino_mag(&c.d, tile_m[i], x.in, x.w, x.bias, x.res, x.wmag);
    const o64_cmp cmp = o64_compare(x.out, x.exact, x.wmag, x.nout, rb_wino_tol_wmag(i));
    assert_cmp(&cmp, &rb_kernels_ref, i, &c);
    rb_aligned_free(packed), rb_aligned_free(ws);
  }
  wdata_free(&x);
}
END_TEST

// Same result, bit for bit, with 1 thread and with several: no races, no order dependence.
START_TEST(threads_do_not_change_the_result) {
  const wcase cases[] = {
      {rb_conv_desc_make(1, 41, 39, 48, 40, 3, 1, 1, 1, 2), 1, 0, 1},  // several blocks on every engine
      {rb_conv_desc_make(1, 23, 29, 40, 40, 3, 1, 1, 1, 10), 1, 0, 1},  // groups of 4 in one pass, a tail
  };
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const wcase c = cases[ci];
    wdata x;
    wdata_make(&x, &c, 88);
    float *one = rb_aligned_alloc(x.nout * 4);
    const int saved = omp_get_max_threads();
    const rb_kernels *tables[RB_ISA_COUNT];
    const int nt = tu_available_tables(tables);
    for (int t = 0; t < nt; t++)
      for (int i = 0; i < RB_WINO_COUNT; i++) {
        if (!rb_kernels_has_winograd(tables[t], tile_m[i])) continue;
        rb_conv_plan *p, *p3;  // the engine sizes its workspaces by the plan's threads: a plan each
        ck_assert_int_eq(rb_conv_plan_create(tables[t], &c.d, rb_wino_algo(i), 1, x.w, x.bias, &p), RB_OK);
        ck_assert_int_eq(rb_conv_plan_create(tables[t], &c.d, rb_wino_algo(i), 3, x.w, x.bias, &p3), RB_OK);
        omp_set_num_threads(1);
        ck_assert_int_eq(rb_conv_plan_run(p, x.in, NULL, c.relu, one), RB_OK);
        omp_set_num_threads(3);
        o64_poison(x.out, x.nout);
        ck_assert_int_eq(rb_conv_plan_run(p3, x.in, NULL, c.relu, x.out), RB_OK);
        ck_assert_msg(memcmp(one, x.out, x.nout * 4) == 0, "%s F%d: 1 and 3 threads differ", tables[t]->isa_name,
                      tile_m[i]);
        rb_conv_plan_destroy(p);
        rb_conv_plan_destroy(p3);
      }
    omp_set_num_threads(saved);
    rb_aligned_free(one);
    wdata_free(&x);
  }
}
END_TEST

// ---------------------------------------------------------------- the engine's transforms

static int cpu_runs(rb_isa isa) { return isa == RB_ISA_REF || rb_isa_available(isa); }

// fp64 2-D transform of one channel: out = L x L^T for L [rows][a], x [a][a], with mag = |L| |x| |L|^T.
// Zero coefficients are structural (a NaN reaches only the outputs its nonzero paths lead to, as
// in the transforms, which never multiply by them).
static void transform2d(const double *L, int rows, int a, const double *x, double *out, double *mag) {
  double t[8 * 8], tm[8 * 8];
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < a; j++) {
      double s = 0, m = 0;
      for (int k = 0; k < a; k++)
        if (L[i * a + k] != 0) s += L[i * a + k] * x[k * a + j], m += fabs(L[i * a + k] * x[k * a + j]);
      t[i * a + j] = s, tm[i * a + j] = m;
    }
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < rows; j++) {
      double s = 0, m = 0;
      for (int k = 0; k < a; k++)
        if (L[j * a + k] != 0) s += t[i * a + k] * L[j * a + k], m += tm[i * a + k] * fabs(L[j * a + k]);
      out[i * rows + j] = s, mag[i * rows + j] = m;
    }
}

// Every ISA's input and output transforms (and the portable ones) against the explicit matrices in
// fp64: channel counts around the vector width (tails), padding pixels on the zero row, a
// transformed-tile stride wider than the channels (the gap untouched), output pixels outside the
// image (NULL: untouched), bias, residual (also in place) and ReLU with NaN passing.
START_TEST(transforms_match_matrices) {
  o64_rng r;
  o64_seed(&r, 2024);
  int tested = 0;
  for (size_t u = 0; u < rb_wino_ukernel_count; u++) {
    const rb_wino_ukernel *k = &rb_wino_ukernels[u];
    if (!cpu_runs(k->isa)) {
      printf("winograd transforms: %s skipped (the CPU lacks %s)\n", k->name, rb_isa_name(k->isa));
      continue;
    }
    const int m = k->m, a = m + 2, a2 = a * a;
    const double *AT, *G, *BT;
    ck_assert_int_eq(rb_winograd_matrices(m, &AT, &G, &BT), a);
    const int counts[] = {1, k->vl - 1, k->vl, k->vl + 1, 2 * k->vl + 3, 37};
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
      const size_t C = (size_t)(counts[ci] < 1 ? 1 : counts[ci]), stride = C + 5;
      float *pix = malloc((size_t)a2 * C * 4), *zero = calloc(C + 64, 4), *v = malloc((size_t)a2 * stride * 4);
      float *mm = malloc((size_t)a2 * stride * 4), *bias = malloc(C * 4), *y = malloc((size_t)m * m * C * 4);
      float *res = malloc((size_t)m * m * C * 4);
      const float *x[64];
      o64_fill(&r, pix, (size_t)a2 * C, -1, 1);
      for (int q = 0; q < a2; q++) x[q] = q % 7 == 3 ? zero : pix + (size_t)q * C;  // some padding pixels
      o64_poison(v, (size_t)a2 * stride);
      k->input(C, x, v, stride);
      for (size_t c = 0; c < C; c++) {
        double d[64], e[64], mag[64];
        for (int q = 0; q < a2; q++) d[q] = x[q][c];
        transform2d(BT, a, a, d, e, mag);
        for (int q = 0; q < a2; q++) {
          const double got = v[(size_t)q * stride + c];
          ck_assert_msg(fabs(got - e[q]) <= 4 * a * FLT_EPSILON * mag[q] + 1e-30, "%s input C=%zu c=%zu p=%d: %g vs %g",
                        k->name, C, c, q, got, e[q]);
        }
      }
      for (int q = 0; q < a2; q++)
        for (size_t c = C; c < stride; c++) ck_assert_msg(isnan(v[(size_t)q * stride + c]), "%s wrote the gap", k->name);

      for (int variant = 0; variant < 3; variant++) {  // 0: bias + ReLU, 1: residual, 2: in place + ReLU + NaN
        o64_fill(&r, mm, (size_t)a2 * stride, -1, 1);
        o64_fill(&r, bias, C, -1, 1);
        o64_fill(&r, res, (size_t)m * m * C, -1, 1);
        if (variant == 2) mm[C - 1] = NAN;  // position 0 feeds output pixel (0, 0)
        float *yp[36];
        const float *rp[36];
        for (int q = 0; q < m * m; q++) {
          const int outside = (q % m == m - 1 && variant != 1) || (variant == 1 && q / m == m - 1);
          yp[q] = outside ? NULL : (variant == 2 ? res : y) + (size_t)q * C;
          rp[q] = res + (size_t)q * C;
        }
        float *saved = malloc((size_t)m * m * C * 4);
        memcpy(saved, res, (size_t)m * m * C * 4);
        if (variant != 2) o64_poison(y, (size_t)m * m * C);
        const int relu = variant != 1;
        k->output(C, mm, stride, variant == 1 ? NULL : bias, yp, variant == 0 ? NULL : rp, relu);
        for (size_t c = 0; c < C; c++) {
          double t[64], e[36], mag[36];
          for (int q = 0; q < a2; q++) t[q] = mm[(size_t)q * stride + c];
          transform2d(AT, m, a, t, e, mag);
          for (int q = 0; q < m * m; q++) {
            const float *dst = (variant == 2 ? res : y) + (size_t)q * C + c;
            if (!yp[q]) {
              ck_assert_msg(variant == 2 ? *dst == saved[(size_t)q * C + c] : isnan(*dst), "%s stored outside", k->name);
              continue;
            }
            double want = e[q] + (variant == 1 ? 0 : bias[c]) + (variant == 0 ? 0 : saved[(size_t)q * C + c]);
            const double tol = 4 * a * FLT_EPSILON * (mag[q] + fabs(bias[c]) + fabs(saved[(size_t)q * C + c])) + 1e-30;
            if (relu && want < 0) want = 0;
            if (isnan(want)) {
              ck_assert_msg(isnan(*dst), "%s: NaN did not pass through ReLU", k->name);
              continue;
            }
            ck_assert_msg(fabs(*dst - want) <= tol, "%s output variant %d C=%zu c=%zu q=%d: %g vs %g", k->name,
                          variant, C, c, q, *dst, want);
          }
        }
        free(saved);
      }
      free(pix), free(zero), free(v), free(mm), free(bias), free(y), free(res);
    }
    tested++;
  }
  ck_assert_int_ge(tested, 9);  // the portable ones (__vec4, __vec8, __vec16) at least, on any CPU
}
END_TEST

// The engine's Winograd driver on every engine configuration: the scalar test vehicles at each SIMD
// ISA's geometry (any CPU) and the ISAs the CPU runs. Groups of 4, 8 and 16 channels take the
// narrow-group kernel for the products where the configuration has one; others the GEMM
// microkernel per group; odd sizes, asymmetric padding, batch 3, several tile blocks.
START_TEST(engine_configs_vs_fp64) {
  const rb_engine_config *cfgs[8];
  int nc = 0, one_pass = 0;
  for (size_t i = 0; i < rb_engine_scalar_config_count; i++) cfgs[nc++] = &rb_engine_scalar_configs[i];
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (int t = 0; t < nt; t++)
    if (tables[t]->engine) cfgs[nc++] = tables[t]->engine;
  const wcase cases[] = {
      {rb_conv_desc_make(1, 17, 15, 128, 128, 3, 1, 1, 1, 32), 1, 1, 1},  // 32 groups of 4
      {rb_conv_desc_make(2, 9, 11, 64, 64, 3, 1, 1, 1, 8), 1, 0, 1},      // 8 groups of 8
      {rb_conv_desc_make(1, 13, 13, 64, 64, 3, 1, 0, 1, 4), 0, 1, 0},     // 4 groups of 16, padding 0
      {rb_conv_desc_make(1, 30, 26, 19, 21, 3, 1, 1, 1, 1), 1, 1, 1},     // channels off every width, blocks
      {{.n = 3, .h = 10, .w = 7, .cin = 12, .cout = 20, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
        .pad_top = 2, .pad_left = 0, .pad_bottom = 1, .pad_right = 2, .dil_h = 1, .dil_w = 1, .groups = 2},
       1, 1, 0},
      {rb_conv_desc_make(1, 12, 12, 40, 40, 3, 1, 1, 1, 10), 1, 0, 0},  // groups of 4 and 40 channels
      // One pass: whole groups in part of a vector (24 = 16 + 8, 20 = 16 + 4 = 2 x 8 + 4), batch 2
      {rb_conv_desc_make(2, 7, 9, 24, 24, 3, 1, 1, 1, 3), 1, 1, 1},
      {{.n = 1, .h = 11, .w = 5, .cin = 20, .cout = 20, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
        .pad_top = 0, .pad_left = 1, .pad_bottom = 2, .pad_right = 0, .dil_h = 1, .dil_w = 1, .groups = 5},
       0, 1, 1},
      {rb_conv_desc_make(1, 6, 6, 48, 48, 3, 1, 1, 1, 3), 0, 0, 1},  // 3 groups of 16
  };
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    wdata x;
    wdata_make(&x, &cases[ci], 900 + ci);
    for (int c = 0; c < nc; c++)
      for (int i = 0; i < RB_WINO_COUNT; i++) {
        rb_wino_plan *p;
        ck_assert_msg(rb_wino_plan_create(cfgs[c], &cases[ci].d, tile_m[i], 2, x.w, x.bias, &p) == RB_OK, "%s: %s",
                      cfgs[c]->name, rb_last_error());
        o64_poison(x.out, x.nout);
        if (x.res) memcpy(x.out, x.res, x.nout * 4);  // in place: the residual is the output
        rb_wino_plan_run(p, x.in, x.res ? x.out : NULL, cases[ci].relu, x.out);
        wino_mag(&cases[ci].d, tile_m[i], x.in, x.w, x.bias, x.res, x.wmag);
        const o64_cmp cmp = o64_compare(x.out, x.exact, x.wmag, x.nout, rb_wino_tol_wmag(i));
        char what[256];
        describe(&cases[ci], what, sizeof what);
        ck_assert_msg(cmp.pass, "%s (%s) F%d %s: max rel err %.3g, %zu NaN, worst %zu", cfgs[c]->name,
                      rb_wino_plan_ukernel(p), tile_m[i], what, cmp.max_rel_err, cmp.nan_count, cmp.worst);
        const int cpg = cases[ci].d.cin / cases[ci].d.groups;
        const int narrow = cases[ci].d.groups > 1 && (cpg == 4 || cpg == 8 || cpg == 16);
        ck_assert_int_eq(rb_wino_engine_one_pass(cfgs[c], &cases[ci].d, tile_m[i]), narrow);
        ck_assert_msg(!narrow == !strstr(rb_wino_plan_ukernel(p), "wino_ng_"), "%s", rb_wino_plan_ukernel(p));
        one_pass += narrow;
        rb_wino_plan_destroy(p);
      }
    wdata_free(&x);
  }
  ck_assert_int_ge(one_pass, 6 * 3 * (int)rb_engine_scalar_config_count);
}
END_TEST

// The products take a configuration's second GEMM tile where its main one would pad the rows:
// scalar_14x32 (8x32 beside it): 256@14 under F4 has 16 tiles (14 rows pad to 28, 8 rows do not);
// 64@56 has 196 (14 divides it).
START_TEST(alt_gemm_tile_where_rows_pad) {
  const rb_engine_config *cfg = NULL;
  for (size_t i = 0; i < rb_engine_scalar_config_count; i++)
    if (!strcmp(rb_engine_scalar_configs[i].name, "scalar_14x32")) cfg = &rb_engine_scalar_configs[i];
  ck_assert_ptr_nonnull(cfg);
  ck_assert_int_eq(cfg->gemm_alt.mr, 8);
  const rb_conv_desc few = rb_conv_desc_make(1, 14, 14, 32, 32, 3, 1, 1, 1, 1);
  const rb_conv_desc many = rb_conv_desc_make(1, 56, 56, 32, 32, 3, 1, 1, 1, 1);
  static float w[32 * 32 * 9];
  rb_wino_plan *p;
  ck_assert_int_eq(rb_wino_plan_create(cfg, &few, 4, 1, w, NULL, &p), RB_OK);
  ck_assert_msg(strstr(rb_wino_plan_ukernel(p), cfg->gemm_alt.name + strlen("rb_f32_igemm_")), "%s",
                rb_wino_plan_ukernel(p));
  rb_wino_plan_destroy(p);
  ck_assert_int_eq(rb_wino_plan_create(cfg, &many, 4, 1, w, NULL, &p), RB_OK);
  ck_assert_msg(strstr(rb_wino_plan_ukernel(p), cfg->gemm.name), "%s", rb_wino_plan_ukernel(p));
  rb_wino_plan_destroy(p);
}
END_TEST

// ---------------------------------------------------------------- error study

typedef struct row_list {
  rb_check_row rows[64];
  int count;
} row_list;

static void collect(void *ctx, const rb_check_row *row) {
  row_list *l = ctx;
  ck_assert_int_lt(l->count, 64);
  l->rows[l->count++] = *row;
}

// The `resbench check` error study (suites/check_winograd.c) on the ref kernels: ResNet-50 3x3
// layers at full size and a ResNeXt 32x4d one, batch 1. Every row within its bound, and the
// error grows with the tile: F2 < F4 < F6.
START_TEST(error_study_resnet_layers) {
  row_list l = {.count = 0};
  const rb_check_sink sink = {collect, &l};
  rb_check_winograd(&rb_kernels_ref, &sink);
  ck_assert_int_eq(l.count % RB_WINO_COUNT, 0);
  ck_assert_int_ge(l.count, 5 * RB_WINO_COUNT);
  double worst[RB_WINO_COUNT] = {0}, mean[RB_WINO_COUNT] = {0};
  for (int j = 0; j < l.count; j++) {
    const rb_check_row *row = &l.rows[j];
    const int i = j % RB_WINO_COUNT;
    printf("winograd error study: %-26s %-34s max abs %.3g  max rel %.3g  mean rel %.3g  (tol %.3g)\n",
           row->kernel, row->shape, row->max_abs_err, row->max_rel_err, row->mean_rel_err, row->tol);
    ck_assert_str_eq(row->kernel, rb_kernels_ref.conv_winograd[i]->name);
    ck_assert_str_eq(row->against, "fp64");
    ck_assert_msg(row->pass, "%s %s: max rel err %.3g > tol %.3g", row->kernel, row->shape, row->max_rel_err,
                  row->tol);
    ck_assert(row->max_rel_err > 0 && row->mean_rel_err > 0);  // float cannot be exact here: a real comparison
    if (i > 0) {  // mean error: F2 < F4 < F6 on every layer (F6 ~2x F4 ~4x F2)
      const rb_check_row *prev = row - 1;
      ck_assert_msg(prev->mean_rel_err < row->mean_rel_err, "%s: mean rel err of %s (%.3g) not below %s (%.3g)",
                    row->shape, prev->kernel, prev->mean_rel_err, row->kernel, row->mean_rel_err);
    }
    if (i == RB_WINO_F4)  // max error: F2 < F4 on every layer (~20x apart)
      ck_assert_msg(row[-1].max_rel_err < row->max_rel_err, "%s: max rel err of F2 (%.3g) not below F4 (%.3g)",
                    row->shape, row[-1].max_rel_err, row->max_rel_err);
    if (row->max_rel_err > worst[i]) worst[i] = row->max_rel_err;
    mean[i] += row->mean_rel_err / (l.count / RB_WINO_COUNT);
  }
  for (int i = 0; i < RB_WINO_COUNT; i++)
    printf("winograd error study F%d: max rel err %.3g, mean rel err %.3g, tol %.3g\n", tile_m[i], worst[i],
           mean[i], rb_wino_tol(i));
  // F4 and F6 maxima are close on single layers (once in 60 seeds x layers F6's was lower):
  // compare their worst over the study.
  ck_assert_msg(worst[RB_WINO_F4] < worst[RB_WINO_F6], "worst max rel err: F4 %.3g not below F6 %.3g",
                worst[RB_WINO_F4], worst[RB_WINO_F6]);
}
END_TEST

// The same study on every SIMD table this CPU runs (Winograd on the engine): each layer and variant
// within the bound against fp64, and within twice it of ref's float result. Skipped under qemu's
// quick mode (RESBENCH_FORWARD_QUICK), where the engine's shapes above still run.
START_TEST(error_study_simd_tables) {
  if (getenv("RESBENCH_FORWARD_QUICK")) {
    printf("winograd error study on SIMD tables: skipped (RESBENCH_FORWARD_QUICK)\n");
    return;
  }
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (int t = 0; t < nt; t++) {
    if (!tables[t]->engine) continue;
    static row_list l;
    l.count = 0;
    const rb_check_sink sink = {collect, &l};
    rb_check_winograd(tables[t], &sink);
    ck_assert_int_eq(l.count, 7 * RB_WINO_COUNT * 2);  // fp64 and ref rows
    for (int j = 0; j < l.count; j++) {
      const rb_check_row *row = &l.rows[j];
      const int i = j / 2 % RB_WINO_COUNT;
      // What ran: the table's transforms + its GEMM tile, or on ResNeXt's narrow groups (4, 8 and
      // 16 channels) the one-pass kernel for that many channels.
      char want[96];
      int cpg = 0;
      if (sscanf(row->shape, "g32mb1ic%d", &cpg) == 1)
        snprintf(want, sizeof want, "rb_f32_wino_ng_f%d_c%d_", tile_m[i], cpg / 32);
      else
        snprintf(want, sizeof want, "%s+", rb_kernels_winograd_name(tables[t], tile_m[i]));
      ck_assert_msg(strncmp(row->kernel, want, strlen(want)) == 0, "%s: kernel %s, want %s...", row->shape,
                    row->kernel, want);
      ck_assert_str_eq(row->against, j % 2 ? "ref" : "fp64");
      ck_assert_msg(row->pass, "%s %s vs %s: max rel err %.3g > tol %.3g", row->kernel, row->shape, row->against,
                    row->max_rel_err, row->tol);
      if (j % 2 == 0)
        printf("winograd error study: %-26s %-34s max abs %.3g  max rel %.3g  mean rel %.3g  (tol %.3g)\n",
               row->kernel, row->shape, row->max_abs_err, row->max_rel_err, row->mean_rel_err, row->tol);
    }
  }
}
END_TEST

// The rows of a non-ref table: a copy of ref posing as another ISA, with F2 only. Each layer
// gives an fp64 row and a "ref" row (identical kernels: zero difference); F4 and F6 are skipped.
START_TEST(error_study_rows_of_other_isa) {
  rb_kernels fake = rb_kernels_ref;
  fake.isa = RB_ISA_AVX512;
  fake.isa_name = "fake";
  row_list l = {.count = 0};
  const rb_check_sink borrowed = {collect, &l};
  rb_check_winograd(&fake, &borrowed);  // ref's own kernel objects: borrowed, no rows
  ck_assert_int_eq(l.count, 0);
  static rb_conv_kernel f2;  // the same functions under another object: the table's own, to check
  f2 = *rb_kernels_ref.conv_winograd[RB_WINO_F2];
  fake.conv_winograd[RB_WINO_F2] = &f2;
  fake.conv_winograd[RB_WINO_F4] = fake.conv_winograd[RB_WINO_F6] = NULL;
  const rb_check_sink sink = {collect, &l};
  rb_check_winograd(&fake, &sink);
  ck_assert_int_ge(l.count, 10);
  ck_assert_int_eq(l.count % 2, 0);
  for (int j = 0; j < l.count; j += 2) {
    const rb_check_row *vs64 = &l.rows[j], *vsref = &l.rows[j + 1];
    ck_assert_str_eq(vs64->kernel, rb_kernels_ref.conv_winograd[RB_WINO_F2]->name);
    ck_assert_str_eq(vs64->isa, "fake");
    ck_assert_str_eq(vs64->against, "fp64");
    ck_assert_str_eq(vsref->against, "ref");
    ck_assert_str_eq(vsref->shape, vs64->shape);
    ck_assert(vs64->pass && vs64->max_rel_err > 0);
    ck_assert(vsref->pass && vsref->max_abs_err == 0 && vsref->max_rel_err == 0);
    ck_assert_double_eq(vsref->tol, rb_wino_tol_vs_ref(RB_WINO_F2));
  }
}
END_TEST

// ---------------------------------------------------------------- what Winograd does not do

static void assert_unsupported(rb_conv_desc d, const char *needle) {
  const float w[5 * 5 * 4 * 4] = {1};
  for (int i = 0; i < RB_WINO_COUNT; i++) {
    rb_conv_plan *p = NULL;
    ck_assert_int_eq(rb_conv_desc_check(&d), RB_OK);
    ck_assert_int_eq(rb_conv_plan_create(&rb_kernels_ref, &d, rb_wino_algo(i), 0, w, NULL, &p), RB_ERR_UNSUPPORTED);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(rb_last_error(), needle), "F%d: message '%s' lacks '%s'", tile_m[i], rb_last_error(),
                  needle);
  }
}

START_TEST(unsupported_shapes) {
  assert_unsupported(rb_conv_desc_make(1, 8, 8, 4, 4, 3, 2, 1, 1, 1), "stride_h=2");
  assert_unsupported(rb_conv_desc_make(1, 8, 8, 4, 4, 5, 1, 2, 1, 1), "kh=5");
  assert_unsupported(rb_conv_desc_make(1, 8, 8, 4, 4, 3, 1, 2, 2, 1), "dil_h=2");
  rb_conv_desc d = rb_conv_desc_make(1, 8, 8, 4, 4, 3, 1, 1, 1, 1);
  d.kw = 1;
  assert_unsupported(d, "kw=1");
  d = rb_conv_desc_make(1, 8, 8, 4, 4, 3, 1, 1, 1, 1);
  d.stride_w = 3;
  assert_unsupported(d, "stride_w=3");
  d = rb_conv_desc_make(1, 8, 8, 4, 4, 3, 1, 1, 1, 1);
  d.dil_w = 2;
  d.pad_left = d.pad_right = 2;
  assert_unsupported(d, "dil_w=2");
}
END_TEST

Suite *winograd_suite(void) {
  Suite *s = suite_create("winograd");
  TCase *tc = tcase_create("transforms");
  tcase_add_test(tc, matrices_follow_their_points);
  tcase_add_test(tc, transforms_1d_match_matrices);
  tcase_add_test(tc, winograd_1d_is_correlation);
  tcase_add_test(tc, transforms_match_matrices);
  suite_add_tcase(s, tc);

  tc = tcase_create("vs_fp64");
  tcase_set_timeout(tc, 300);  // the fp64 oracle is slow under ASan and qemu
  tcase_add_test(tc, random_shapes);
  tcase_add_test(tc, edge_shapes);
  tcase_add_test(tc, kernel_uses_only_its_workspace);
  tcase_add_test(tc, threads_do_not_change_the_result);
  tcase_add_test(tc, engine_configs_vs_fp64);
  tcase_add_test(tc, alt_gemm_tile_where_rows_pad);
  tcase_add_test(tc, error_study_resnet_layers);
  tcase_add_test(tc, error_study_simd_tables);
  tcase_add_test(tc, error_study_rows_of_other_isa);
  tcase_add_test(tc, unsupported_shapes);
  suite_add_tcase(s, tc);
  return s;
}
