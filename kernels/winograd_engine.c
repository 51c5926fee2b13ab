// Winograd F(m x m, 3x3) on the SIMD engine (see engine.h): the ISA's transforms
// (kernels/wino_transforms.h) around transform-domain products on its GEMM microkernel; groups of
// 4, 8 or 16 channels in one pass instead.
//   plan: U = G g GT per (output channel, input channel of its group) in double, rounded once to
//         float (as ref), packed per position p < alpha^2 for the product's microkernel (no bias:
//         it is added in the output transform), or per chunk of channels for the one-pass kernel;
//   run:  the tiles are cut in blocks (a multiple of the microkernel's rows); a block is one
//         thread's task, in a workspace of its own: V = BT d B for its tiles ([p][tile][cin],
//         read through pixel pointers: no padded copy), M[p] = V[p] U[p] for each position and
//         group, then Y = AT M A + bias, + residual, ReLU stored straight to the output.
//   narrow groups: a block is a thread's share of the tiles; the one-pass kernel
//         (rb_f32_wino_ng_fn) takes two tiles at a time (the next two prefetched) and keeps V
//         and M in registers: with 4-8 multiply-adds a transformed element, writing and reading
//         them cost more than the products (measured: F4 0.63-0.80x the direct kernel that way,
//         1.2-1.6x in one pass on ResNeXt-50's 4 and 8 channels a group).
// A block's arithmetic does not depend on which thread runs it or how many there are, so results
// are bit-identical for any thread count.
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pack.h"
#include "resbench/tensor.h"
#include "winograd.h"

// V and M of one block: L2-sized (the smallest L2 seen here is 512 KiB a core), so the output
// transform reads M where the products left it; larger when the transformed weights are larger
// still (deep layers on small images: 256@14 has 9.4 MB of F4 weights for 16 tiles), since every
// block streams all of them: fewer blocks then cost less than blocks that stay in L2.
#define BLOCK_BYTES (512 * 1024)
// Tiles a narrow-group one-pass call takes at most (its pointers: 24-100 a tile).
#define FUSED_BLOCK 256
// Tiles a one-pass call takes: each chunk's weights (a2 x cpg x chunk floats) serve them from
// L1. 1, 2 and 4 measured alike; 2 with the next two prefetched was best (AVX-512, 4 and 8 channels
// a group).
#define FUSED_SWEEP 2

struct rb_wino_plan {
  const rb_engine_config *cfg;
  const rb_wino_ukernel *wt;
  rb_f32_wino_ng_fn fused;      // narrow groups in one pass (no V, M); NULL: the GEMM per group
  const rb_gemm_ukernel *gemm;  // the GEMM tile of the products: cfg's, or its second one
  rb_conv_desc d;
  int m, a, a2, oh, ow, th, tw, cin_g, cout_g, mr, threads, nc_block;
  size_t tiles, block;     // tiles in all; tiles per block (a multiple of mr unless it is all of them)
  size_t u_stride_p;       // packed floats per position
  size_t u_stride_g;       // GEMM: packed floats per group within a position
  float *U, *bias, *zero;  // bias: cout floats or NULL; zero: cin + 64 zeros (the padding pixel)
  float *ws;               // per thread: V [a2][block][cin], M [a2][block][cout]
  const float **rows;      // per thread, narrow groups: block x (a2 + 2 m^2) pixel pointers
  size_t ws_floats;        // per thread
  char name[96];
};

static const rb_wino_ukernel *transforms_for(const rb_engine_config *cfg, int m) {
  const int i = m / 2 - 1;
  return m % 2 == 0 && i >= 0 && i < 3 && cfg->wino[i].input && cfg->wino[i].m == m ? &cfg->wino[i] : NULL;
}

int rb_wino_engine_has(const rb_engine_config *cfg, int m) { return cfg && transforms_for(cfg, m) != NULL; }

// The one-pass kernel of d's narrow groups (4, 8 or 16 input and output channels a group), or NULL.
static rb_f32_wino_ng_fn one_pass_for(const rb_wino_ukernel *wt, const rb_conv_desc *d) {
  const int cig = d->cin / d->groups;
  if (!wt || d->groups < 2 || d->cout != d->cin || (cig != 4 && cig != 8 && cig != 16)) return NULL;
  return wt->ng[cig == 4 ? 0 : cig == 8 ? 1 : 2];
}

int rb_wino_engine_one_pass(const rb_engine_config *cfg, const rb_conv_desc *d, int m) {
  return cfg && d && one_pass_for(transforms_for(cfg, m), d) != NULL;
}

// Tiles per block: V and M within max(BLOCK_BYTES, the transformed weights), a multiple of mr, at
// least mr, at most all tiles, and at most a thread's share (every thread gets a block). Any
// blocking gives the same result: each row of a product, each tile's transforms, is computed alone.
static size_t block_tiles(int a2, int cin, int cout, size_t u_bytes, size_t tiles, int mr, int threads) {
  const size_t per_tile = (size_t)a2 * (size_t)(cin + cout) * sizeof(float);
  const size_t budget = u_bytes > BLOCK_BYTES ? u_bytes : BLOCK_BYTES;
  size_t b = budget / per_tile / (size_t)mr * (size_t)mr;
  if (b < (size_t)mr) b = (size_t)mr;
  const size_t share = ((tiles + (size_t)threads - 1) / (size_t)threads + (size_t)mr - 1) / (size_t)mr * (size_t)mr;
  if (b > share) b = share;
  return b < tiles ? b : tiles;
}

// Rows the products compute for all tiles, blocks of `block` padded to multiples of mr.
static size_t padded_rows(size_t tiles, size_t block, size_t mr) {
  const size_t rem = tiles % block;
  return tiles / block * ((block + mr - 1) / mr * mr) + (rem ? (rem + mr - 1) / mr * mr : 0);
}

// cfg's GEMM tile, or its second one where that pads the products' rows less by more than it
// costs (rb_engine_alt_tile_pays; ResNet-50's 256@14 under F4: 16 tiles, 28 rows with 14, 16
// with 8).
static const rb_gemm_ukernel *gemm_for(const rb_engine_config *cfg, const rb_wino_plan *p) {
  const rb_gemm_ukernel *main_tile = &cfg->gemm, *alt = &cfg->gemm_alt;
  if (!alt->gemm || alt->nr != main_tile->nr) return main_tile;
  const size_t u_bytes = (size_t)p->a2 * p->cin_g * p->d.cout * sizeof(float);
  const size_t bm = block_tiles(p->a2, p->d.cin, p->d.cout, u_bytes, p->tiles, main_tile->mr, p->threads);
  const size_t ba = block_tiles(p->a2, p->d.cin, p->d.cout, u_bytes, p->tiles, alt->mr, p->threads);
  return rb_engine_alt_tile_pays(cfg, padded_rows(p->tiles, bm, (size_t)main_tile->mr),
                                 padded_rows(p->tiles, ba, (size_t)alt->mr))
             ? alt
             : main_tile;
}

void rb_wino_plan_destroy(rb_wino_plan *p) {
  if (!p) return;
  rb_aligned_free(p->U);
  rb_aligned_free(p->bias);
  rb_aligned_free(p->zero);
  rb_aligned_free(p->ws);
  free(p->rows);
  free(p);
}

// Pixel pointers a thread's task needs (narrow groups in one pass).
static size_t rows_per_thread(const rb_wino_plan *p) {
  return p->fused ? p->block * (size_t)(p->a2 + 2 * p->m * p->m) : 0;
}

// Sizes of a plan for d, without allocating (rb_wino_plan_bytes) or to allocate.
static void plan_geometry(const rb_engine_config *cfg, const rb_conv_desc *d, int m, int threads, rb_wino_plan *p) {
  p->cfg = cfg;
  p->d = *d;
  p->m = m, p->a = m + 2, p->a2 = p->a * p->a;
  p->threads = threads ? threads : omp_get_max_threads();
  p->oh = rb_conv_out_h(d), p->ow = rb_conv_out_w(d);
  p->th = (p->oh + m - 1) / m, p->tw = (p->ow + m - 1) / m;
  p->tiles = (size_t)d->n * p->th * p->tw;
  p->cin_g = d->cin / d->groups, p->cout_g = d->cout / d->groups;
  p->wt = transforms_for(cfg, m);
  p->fused = one_pass_for(p->wt, d);
  if (p->fused) {  // a thread's share of the tiles, in blocks of at most FUSED_BLOCK
    const size_t ch = (size_t)(p->cin_g > p->wt->vl ? p->cin_g : p->wt->vl);
    p->mr = 1;
    p->u_stride_p = (size_t)p->cin_g * (((size_t)d->cout + ch - 1) / ch * ch);  // cpg x the padded channels
    const size_t t = (size_t)p->threads, per = (p->tiles + t - 1) / t;
    const size_t nb = t * ((per + FUSED_BLOCK - 1) / FUSED_BLOCK);
    p->block = (p->tiles + nb - 1) / nb;
    p->ws_floats = 0;
    return;
  }
  const rb_gemm_ukernel *u = p->gemm = gemm_for(cfg, p);
  p->mr = u->mr;
  p->u_stride_g = rb_pack_gemm_size(u->nr, p->cout_g, p->cin_g, 1);
  p->u_stride_p = p->u_stride_g * d->groups;
  p->nc_block = rb_engine_nc_block(u, p->cout_g, p->cin_g);
  p->block = block_tiles(p->a2, d->cin, d->cout, p->u_stride_p * p->a2 * sizeof(float), p->tiles, p->mr, p->threads);
  p->ws_floats = (size_t)p->a2 * p->block * (size_t)(d->cin + d->cout);
}

static rb_status check_supported(const rb_engine_config *cfg, const rb_conv_desc *d, int m) {
  rb_status s = rb_winograd_supports(d);
  if (s != RB_OK) return s;
  if (!transforms_for(cfg, m))
    return rb_fail(RB_ERR_UNSUPPORTED, "engine '%s' has no F(%dx%d,3x3) transforms", cfg->name, m, m);
  return RB_OK;
}

double rb_wino_plan_bytes(const rb_engine_config *cfg, const rb_conv_desc *d, int m, int threads) {
  rb_wino_plan p;
  memset(&p, 0, sizeof p);
  plan_geometry(cfg, d, m, threads, &p);
  return ((double)p.u_stride_p * p.a2 + (double)p.ws_floats * p.threads + 2.0 * d->cout + d->cin + 64) *
             sizeof(float) +
         (double)p.threads * (double)rows_per_thread(&p) * sizeof(float *);
}

// The one-pass kernel's weights (rb_f32_wino_ng_fn): per chunk of ch channels, position q, output
// vector j, input vector i and broadcast k, vl lanes; u[q][co][ci] as plan_create computes it.
static void pack_fused(rb_wino_plan *p, const float *u) {
  const int vl = p->wt->vl, cpg = p->cin_g, cout = p->d.cout;
  const int ch = cpg > vl ? cpg : vl, nv = ch / vl, kb = cpg < vl ? cpg : vl;
  float *dst = p->U;
  for (int c0 = 0; c0 < cout; c0 += ch)
    for (int q = 0; q < p->a2; q++)
      for (int j = 0; j < nv; j++)
        for (int i = 0; i < nv; i++)
          for (int k = 0; k < kb; k++)
            for (int l = 0; l < vl; l++) {
              const int co = c0 + j * vl + l, ci = i * vl + k;  // ci: within co's group (i = 0 when it fits a vector)
              *dst++ = co < cout ? u[((size_t)q * cout + co) * cpg + ci] : 0.0f;
            }
}

rb_status rb_wino_plan_create(const rb_engine_config *cfg, const rb_conv_desc *d, int m, int threads,
                              const float *w, const float *bias, rb_wino_plan **plan) {
  if (!plan) return rb_fail(RB_ERR_NULL, "rb_wino_plan_create: plan is NULL");
  *plan = NULL;
  if (!cfg || !d || !w) return rb_fail(RB_ERR_NULL, "rb_wino_plan_create: NULL argument");
  rb_status s = rb_conv_desc_check(d);
  if (s != RB_OK) return s;
  if (threads < 0) return rb_fail(RB_ERR_INVALID_ARG, "rb_wino_plan_create: threads must be >= 0, got %d", threads);
  if ((s = check_supported(cfg, d, m)) != RB_OK) return s;
  rb_wino_plan *p = calloc(1, sizeof *p);
  if (!p) return rb_fail(RB_ERR_NOMEM, "out of memory for a Winograd plan");
  plan_geometry(cfg, d, m, threads, p);
  if (p->fused)  // rb_f32_wino_ng_f4_c4__avx2: the transforms' name with the group width
    snprintf(p->name, sizeof p->name, "rb_f32_wino_ng_f%d_c%d%s", m, p->cin_g, p->wt->name + strlen("rb_f32_wino_f0"));
  else
    snprintf(p->name, sizeof p->name, "%s+%s", p->wt->name, p->gemm->name);
  const size_t cig = (size_t)p->cin_g, cog = (size_t)p->cout_g;
  p->U = rb_aligned_alloc(p->u_stride_p * p->a2 * sizeof(float));
  p->zero = rb_aligned_alloc(((size_t)d->cin + 64) * sizeof(float));
  p->ws = p->ws_floats ? rb_aligned_alloc(p->ws_floats * p->threads * sizeof(float)) : NULL;
  p->rows = p->fused ? malloc(rows_per_thread(p) * p->threads * sizeof *p->rows) : NULL;
  if (bias) p->bias = rb_aligned_alloc((size_t)d->cout * sizeof(float));
  // U of one position for every (co, ci): OIHW with a 1x1 kernel, the packers' input.
  float *u = malloc((size_t)d->cout * cig * p->a2 * sizeof *u);
  if (!p->U || !p->zero || (p->ws_floats && !p->ws) || (p->fused && !p->rows) || (bias && !p->bias) || !u) {
    free(u);
    rb_wino_plan_destroy(p);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning a Winograd F(%dx%d) convolution", m, m);
  }
  memset(p->zero, 0, ((size_t)d->cin + 64) * sizeof(float));
  if (bias) memcpy(p->bias, bias, (size_t)d->cout * sizeof(float));
  const int a = p->a, a2 = p->a2;
  for (size_t f = 0; f < (size_t)d->cout * cig; f++) {  // u[p][co][ci] = (G g GT)[p]
    double k[9], t[8 * 3], v[8 * 8];
    for (int i = 0; i < 9; i++) k[i] = w[f * 9 + i];
    for (int c = 0; c < 3; c++) rb_winograd_weight_1d(m, k + c, 3, t + c, 3);
    for (int r = 0; r < a; r++) rb_winograd_weight_1d(m, t + r * 3, 1, v + r * a, 1);
    for (int q = 0; q < a2; q++) u[(size_t)q * d->cout * cig + f] = (float)v[q];
  }
  if (p->fused) pack_fused(p, u);
  for (int q = 0; q < a2 && !p->fused; q++) {
    const float *uq = u + (size_t)q * d->cout * cig;
    float *dst = p->U + (size_t)q * p->u_stride_p;
    for (int g = 0; g < d->groups; g++)
      rb_pack_gemm(p->gemm->nr, p->cout_g, p->cin_g, 1, uq + (size_t)g * cog * cig, NULL, dst + g * p->u_stride_g);
  }
  free(u);
  *plan = p;
  return RB_OK;
}

// Input pixel pointers of tile t (zero row outside the image) and its output pixel pointers
// (NULL outside the output), residual likewise.
static void tile_pointers(const rb_wino_plan *p, size_t t, const float *in, const float *residual, float *out,
                          const float **x, float **y, const float **res) {
  const rb_conv_desc *d = &p->d;
  const size_t per_img = (size_t)p->th * p->tw;
  const int img = (int)(t / per_img), r = (int)(t % per_img);
  const int oy0 = (r / p->tw) * p->m, ox0 = (r % p->tw) * p->m;
  const int iy0 = oy0 - d->pad_top, ix0 = ox0 - d->pad_left;
  for (int i = 0; i < p->a; i++)
    for (int j = 0; j < p->a; j++) {
      const int iy = iy0 + i, ix = ix0 + j;
      x[i * p->a + j] = iy >= 0 && iy < d->h && ix >= 0 && ix < d->w
                            ? in + (((size_t)img * d->h + iy) * d->w + ix) * d->cin
                            : p->zero;
    }
  for (int i = 0; i < p->m; i++)
    for (int j = 0; j < p->m; j++) {
      const int oy = oy0 + i, ox = ox0 + j;
      const int inside = oy < p->oh && ox < p->ow;
      const size_t o = (((size_t)img * p->oh + oy) * p->ow + ox) * d->cout;
      y[i * p->m + j] = inside ? out + o : NULL;
      res[i * p->m + j] = inside && residual ? residual + o : NULL;
    }
}

// M[q] = V[q] U[q] for the nt tiles of a block, every position q and group.
static void block_products(const rb_wino_plan *p, size_t nt, const float *V, float *M) {
  const rb_conv_desc *d = &p->d;
  const size_t cin = (size_t)d->cin, cout = (size_t)d->cout, blk = p->block, mr = (size_t)p->mr;
  const rb_uk_epilogue none = {NULL, 0, 0, NULL, NULL, 0};
  for (int q = 0; q < p->a2; q++) {
    const float *Vq = V + (size_t)q * blk * cin;
    float *Mq = M + (size_t)q * blk * cout;
    const float *Uq = p->U + (size_t)q * p->u_stride_p;
    const rb_gemm_ukernel *u = p->gemm;
    const size_t block_floats = (size_t)p->nc_block * (1 + (size_t)p->cin_g);
    for (int g = 0; g < d->groups; g++)
      for (int first = 0; first < p->cout_g; first += p->nc_block) {
        const int ncols = p->cout_g - first < p->nc_block ? p->cout_g - first : p->nc_block;
        const float *w = Uq + g * p->u_stride_g + (size_t)(first / p->nc_block) * block_floats;
        const size_t col0 = (size_t)g * p->cout_g + (size_t)first;
        for (size_t r0 = 0; r0 < nt; r0 += mr)
          u->gemm(nt - r0 < mr ? nt - r0 : mr, (size_t)ncols, (size_t)p->cin_g, Vq + r0 * cin + (size_t)g * p->cin_g,
                  cin, w, Mq + r0 * cout + col0, cout, &none);
      }
  }
}

// Narrow groups in one pass: each block of tiles, its pixel pointers, then one call.
static void run_fused(rb_wino_plan *p, const float *in, const float *residual, int relu, float *out) {
  const size_t blk = p->block, nblocks = (p->tiles + blk - 1) / blk, a2 = (size_t)p->a2, m2 = (size_t)p->m * p->m;
#pragma omp parallel for schedule(static) num_threads(p->threads) if (p->threads > 1 && nblocks > 1)
  for (size_t b = 0; b < nblocks; b++) {
    const float **x = p->rows + (size_t)omp_get_thread_num() * rows_per_thread(p), **res = x + blk * a2;
    float **y = (float **)(res + blk * m2);
    const size_t t0 = b * blk, nt = p->tiles - t0 < blk ? p->tiles - t0 : blk;
    for (size_t s = 0; s < nt; s++)
      tile_pointers(p, t0 + s, in, residual, out, x + s * a2, y + s * m2, res + s * m2);
    const size_t lines = ((size_t)p->d.cin * sizeof(float) + 63) / 64;
    for (size_t s = 0; s < nt; s += FUSED_SWEEP) {
      const size_t n = nt - s < FUSED_SWEEP ? nt - s : FUSED_SWEEP;
      if (s + n < nt)  // the next tiles' pixels, while these compute
        for (size_t q = (s + n) * a2; q < (s + 2 * n < nt ? s + 2 * n : nt) * a2; q++)
          for (size_t l = 0; l < lines; l++) __builtin_prefetch((const char *)x[q] + 64 * l);
      p->fused((size_t)p->d.cout, n, x + s * a2, p->U, p->bias, y + s * m2, residual ? res + s * m2 : NULL, relu);
    }
  }
}

void rb_wino_plan_run(rb_wino_plan *p, const float *in, const float *residual, int relu, float *out) {
  if (p->fused) {
    run_fused(p, in, residual, relu, out);
    return;
  }
  const rb_conv_desc *d = &p->d;
  const size_t blk = p->block, nblocks = (p->tiles + blk - 1) / blk, cin = (size_t)d->cin, cout = (size_t)d->cout;
#pragma omp parallel for schedule(static) num_threads(p->threads) if (p->threads > 1 && nblocks > 1)
  for (size_t b = 0; b < nblocks; b++) {
    const int tid = omp_get_thread_num();
    float *V = p->ws + (size_t)tid * p->ws_floats, *M = V + (size_t)p->a2 * blk * cin;
    const size_t t0 = b * blk, nt = p->tiles - t0 < blk ? p->tiles - t0 : blk;
    const float *x[64], *res[36];
    float *y[36];
    for (size_t s = 0; s < nt; s++) {
      tile_pointers(p, t0 + s, in, residual, out, x, y, res);
      p->wt->input(cin, x, V + s * cin, blk * cin);
    }
    block_products(p, nt, V, M);
    for (size_t s = 0; s < nt; s++) {
      tile_pointers(p, t0 + s, in, residual, out, x, y, res);
      p->wt->output(cout, M + s * cout, blk * cout, p->bias, y, residual ? res : NULL, relu);
    }
  }
}

const char *rb_wino_plan_ukernel(const rb_wino_plan *p) { return p->name; }
int rb_wino_plan_m(const rb_wino_plan *p) { return p->m; }
