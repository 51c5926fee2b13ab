// Winograd convolution F(m x m, 3x3), m = 2, 4, 6 (Lavin & Gray 2016): 3x3 kernel, stride 1,
// dilation 1, any padding, any groups. Per output tile of m x m (input tile alpha x alpha,
// alpha = m + 2):  Y = AT [ (G g GT) .* (BT d B) ] A.
//   plan time: U = G g GT for every (output channel, input channel of its group), in double,
//              rounded once to float, stored [alpha*alpha][group][cin/groups][cout/groups];
//   run:       V = BT d B per tile and input channel (float);
//              M[p] = V[p] U[p] for every position p < alpha*alpha and group: alpha^2 small
//              GEMMs over the group's input channels (float accumulation);
//              Y = AT M A, then bias, residual, ReLU.
// Tiles are processed in blocks so the workspace (V and M of one block) stays bounded.
#include <math.h>

#include "ref_kernels.h"
#include "../winograd.h"

enum { MAX_ALPHA = 8 };

// Workspace budget in floats (4 MiB): bounds V and M of one block of tiles.
#define WS_BUDGET ((size_t)1 << 20)

typedef struct geom {
  int m, a;           // output tile, input tile
  int oh, ow;         // output size
  int th, tw;         // tiles per image in y and x
  size_t tiles;       // n * th * tw
  size_t block;       // tiles per block
  int cig, cog;       // channels per group
} geom;

static geom make_geom(const rb_conv_desc *d, int m) {
  geom g;
  g.m = m;
  g.a = m + 2;
  g.oh = d->h + d->pad_top + d->pad_bottom - 2;
  g.ow = d->w + d->pad_left + d->pad_right - 2;
  g.th = (g.oh + m - 1) / m;
  g.tw = (g.ow + m - 1) / m;
  g.tiles = (size_t)d->n * g.th * g.tw;
  const size_t per_tile = (size_t)g.a * g.a * (size_t)(d->cin + d->cout);
  g.block = WS_BUDGET / per_tile;
  if (g.block < 1) g.block = 1;
  if (g.block > g.tiles) g.block = g.tiles;
  g.cig = d->cin / d->groups;
  g.cog = d->cout / d->groups;
  return g;
}

static size_t wino_packed_size(const rb_conv_desc *d, int m) {
  return (size_t)(m + 2) * (m + 2) * d->cout * (d->cin / d->groups);
}

static size_t wino_workspace_size(const rb_conv_desc *d, int m) {
  const geom g = make_geom(d, m);
  return (size_t)g.a * g.a * g.block * (size_t)(d->cin + d->cout);
}

// U = G g GT per (co, ci), in double; packed[p][group][ci][co % cog].
static void wino_pack(const rb_conv_desc *d, const float *w, float *packed, int m) {
  const geom g = make_geom(d, m);
  const int a = g.a;
#pragma omp parallel for schedule(static)
  for (int co = 0; co < d->cout; co++) {
    const int grp = co / g.cog, o = co % g.cog;
    for (int ci = 0; ci < g.cig; ci++) {
      double k[9], t[MAX_ALPHA * 3], u[MAX_ALPHA * MAX_ALPHA];
      const float *src = w + ((size_t)co * g.cig + ci) * 9;
      for (int i = 0; i < 9; i++) k[i] = src[i];
      for (int c = 0; c < 3; c++) rb_winograd_weight_1d(m, k + c, 3, t + c, 3);      // t = G k: [a][3]
      for (int r = 0; r < a; r++) rb_winograd_weight_1d(m, t + r * 3, 1, u + r * a, 1);  // u = t GT: [a][a]
      for (int p = 0; p < a * a; p++)
        packed[(((size_t)p * d->groups + grp) * g.cig + ci) * g.cog + o] = (float)u[p];
    }
  }
}

// Tile t of the whole batch -> image, first input row and column (may be in the padding).
static void tile_origin(const rb_conv_desc *d, const geom *g, size_t t, int *img, int *y0, int *x0) {
  const size_t per_img = (size_t)g->th * g->tw;
  *img = (int)(t / per_img);
  const int r = (int)(t % per_img);
  *y0 = (r / g->tw) * g->m - d->pad_top;
  *x0 = (r % g->tw) * g->m - d->pad_left;
}

// V[p][tb][cin] (tb = block stride) for tile t of the block: BT d B per input channel.
// Reads outside the image are the zero padding (also past the last partial tile).
static void input_tile(const rb_conv_desc *d, const geom *g, const float *in, size_t tile, size_t slot,
                       float *V) {
  const int a = g->a;
  int img, y0, x0;
  tile_origin(d, g, tile, &img, &y0, &x0);
  for (int c = 0; c < d->cin; c++) {
    float x[MAX_ALPHA * MAX_ALPHA], t[MAX_ALPHA * MAX_ALPHA], v[MAX_ALPHA * MAX_ALPHA];
    for (int i = 0; i < a; i++)
      for (int j = 0; j < a; j++) {
        const int iy = y0 + i, ix = x0 + j;
        x[i * a + j] = iy >= 0 && iy < d->h && ix >= 0 && ix < d->w
                           ? in[(((size_t)img * d->h + iy) * d->w + ix) * d->cin + c]
                           : 0.0f;
      }
    for (int j = 0; j < a; j++) rb_winograd_input_1d(g->m, x + j, a, t + j, a);      // columns: t = BT x
    for (int i = 0; i < a; i++) rb_winograd_input_1d(g->m, t + i * a, 1, v + i * a, 1);  // rows: v = t B
    for (int p = 0; p < a * a; p++) V[((size_t)p * g->block + slot) * d->cin + c] = v[p];
  }
}

// M[p][slot][group*cog + o] = sum_ci V[p][slot][group*cig + ci] U[p][group][ci][o].
static void position_gemm(const rb_conv_desc *d, const geom *g, size_t ntiles, int p, int grp,
                          const float *V, const float *packed, float *M) {
  const float *U = packed + ((size_t)p * d->groups + grp) * g->cig * g->cog;
  for (size_t s = 0; s < ntiles; s++) {
    const float *v = V + ((size_t)p * g->block + s) * d->cin + (size_t)grp * g->cig;
    float *out = M + ((size_t)p * g->block + s) * d->cout + (size_t)grp * g->cog;
    for (int o = 0; o < g->cog; o++) out[o] = 0;
    for (int ci = 0; ci < g->cig; ci++) {
      const float vc = v[ci];
      const float *u = U + (size_t)ci * g->cog;
      for (int o = 0; o < g->cog; o++) out[o] += vc * u[o];
    }
  }
}

// AT M A per output channel, then the epilogue; only the part of the tile inside the output is written.
static void output_tile(const rb_conv_desc *d, const geom *g, const float *M, const rb_epilogue *e,
                        size_t tile, size_t slot, float *out) {
  const int a = g->a, m = g->m;
  int img, y0, x0;
  tile_origin(d, g, tile, &img, &y0, &x0);
  const int oy0 = y0 + d->pad_top, ox0 = x0 + d->pad_left;
  const int ny = g->oh - oy0 < m ? g->oh - oy0 : m, nx = g->ow - ox0 < m ? g->ow - ox0 : m;
  for (int co = 0; co < d->cout; co++) {
    float x[MAX_ALPHA * MAX_ALPHA], t[MAX_ALPHA * MAX_ALPHA], y[MAX_ALPHA * MAX_ALPHA];
    for (int p = 0; p < a * a; p++) x[p] = M[((size_t)p * g->block + slot) * d->cout + co];
    for (int j = 0; j < a; j++) rb_winograd_output_1d(m, x + j, a, t + j, a);      // columns: t = AT x: [m][a]
    for (int i = 0; i < m; i++) rb_winograd_output_1d(m, t + i * a, 1, y + i * m, 1);  // rows: y = t A: [m][m]
    for (int i = 0; i < ny; i++)
      for (int j = 0; j < nx; j++) {
        const size_t o = (((size_t)img * g->oh + oy0 + i) * g->ow + ox0 + j) * d->cout + co;
        float r = y[i * m + j];
        if (e && e->bias) r += e->bias[co];
        if (e && e->residual) r += e->residual[o];
        if (e && e->relu && r < 0) r = 0;
        out[o] = r;
      }
  }
}

static void wino_run(const rb_conv_desc *d, const float *in, const float *packed, const rb_epilogue *e,
                     float *workspace, float *out, int m) {
  const geom g = make_geom(d, m);
  const int a2 = g.a * g.a;
  float *V = workspace;                                     // [a*a][block][cin]
  float *M = workspace + (size_t)a2 * g.block * d->cin;     // [a*a][block][cout]
  for (size_t t0 = 0; t0 < g.tiles; t0 += g.block) {
    const size_t nt = g.tiles - t0 < g.block ? g.tiles - t0 : g.block;
#pragma omp parallel for schedule(static)
    for (size_t s = 0; s < nt; s++) input_tile(d, &g, in, t0 + s, s, V);
#pragma omp parallel for collapse(2) schedule(static)
    for (int p = 0; p < a2; p++)
      for (int grp = 0; grp < d->groups; grp++) position_gemm(d, &g, nt, p, grp, V, packed, M);
#pragma omp parallel for schedule(static)
    for (size_t s = 0; s < nt; s++) output_tile(d, &g, M, e, t0 + s, s, out);
  }
}

#define WINO_KERNEL(M)                                                                                   \
  static size_t f##M##_packed_size(const rb_conv_desc *d) { return wino_packed_size(d, M); }            \
  static size_t f##M##_workspace_size(const rb_conv_desc *d) { return wino_workspace_size(d, M); }      \
  static void f##M##_pack(const rb_conv_desc *d, const float *w, float *packed) { wino_pack(d, w, packed, M); } \
  static void f##M##_run(const rb_conv_desc *d, const float *in, const float *packed, const rb_epilogue *e, \
                         float *ws, float *out) {                                                         \
    wino_run(d, in, packed, e, ws, out, M);                                                              \
  }                                                                                                      \
  const rb_conv_kernel rb_conv_winograd_f##M##__ref = {                                                  \
      .name = "rb_conv_winograd_f" #M "__ref",                                                           \
      .supports = rb_winograd_supports,                                                                         \
      .packed_size = f##M##_packed_size,                                                                 \
      .pack = f##M##_pack,                                                                               \
      .workspace_size = f##M##_workspace_size,                                                           \
      .run = f##M##_run,                                                                                 \
  };

WINO_KERNEL(2)
WINO_KERNEL(4)
WINO_KERNEL(6)
