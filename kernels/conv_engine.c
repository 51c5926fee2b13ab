// The engine's convolution driver (see engine.h). The microkernels trust their arguments: every
// check is here, at plan time.
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pack.h"
#include "resbench/tensor.h"

// Weights of one channel block: L2-resident while a thread's pixel tiles stream by, each tile's A
// rows staying in L1 across the block (an L1-sized block re-reads A per block: slower on 1x1s).
#define WEIGHT_BLOCK_BYTES (192 * 1024)

// As many NR-column panels as fit, then evened out over the blocks that takes: 8 panels that fit
// 5 at a time are 4 + 4, not 5 + 3 (two threads splitting the tasks in halves then do equal work:
// resnet50's 1x1 128 -> 512 at 28x28 ran at 0.75x oneDNN on 2 threads with 5 + 3).
int rb_engine_nc_block(const rb_gemm_ukernel *u, int cout_g, int kc_taps) {
  const size_t column_bytes = ((size_t)kc_taps + 1) * sizeof(float);
  const int fit = (int)(WEIGHT_BLOCK_BYTES / (column_bytes * (size_t)u->nr));
  const int panels = (cout_g + u->nr - 1) / u->nr, per_block = fit < 1 ? 1 : fit > panels ? panels : fit;
  const int blocks = (panels + per_block - 1) / per_block;
  return u->nr * ((panels + blocks - 1) / blocks);
}

struct rb_engine_plan {
  const rb_engine_config *cfg;
  const rb_gemm_ukernel *gemm;  // GEMM paths: cfg's tile, its second or its narrow one (rb_engine_gemm_for)
  rb_conv_desc d;
  rb_engine_path path;
  int threads, oh, ow, cin_g, cout_g, ks, mr;
  size_t pixels, tiles;
  int kc, taps;           // K of one tap, taps: cin_g and kh x kw; ROWS: kw x cin and kh
  int nc_block;           // GEMM paths: output channels of a group per task (a multiple of nr)
  const rb_ngconv_ukernel *ng;  // NGCONV: its kernel (a task is then a pixel tile over all channels)
  float *packed;          // GEMM paths: groups x group_stride; NGCONV: one layout over all channels
  size_t group_stride;
  float *zero;            // the padding row: max(cin, kc) + 64 zeros
  size_t *claim;          // run: per thread's range, how many of its pieces are taken (a cache line each)
  const float **ind;      // tiles x taps x MR row pointers, for the input ind_input (ROWS: into rowpad),
                          // then one tile of zero-row pointers (the last tile's next, for prefetches)
  float *rowpad;          // ROWS: the input padded in width, n x h x (pad_left + w + pad_right) x cin
  int wp;                 // ROWS: that padded width
  const float *ind_input;
  // Channel sums (rb_engine_plan_run's sums): the tiles in chunks of chunk_tiles, each summed into
  // its own rows of part[chunk][image - the chunk's first image][cout], span images a chunk at most.
  size_t chunk_tiles, chunks, span;
  float *part;
  int prefetch_next;      // rb_uk_epilogue.prefetch_next for every tile (PREFETCH_MIN_A_BYTES)
  char ukernel[64];
};

// Threads take contiguous ranges of (channel block, pixel tile) tasks, so with two channel blocks
// each thread reads all of A for its own half of the weights. Where A is the larger and all the
// weights fit SHARED_WEIGHT_BYTES, one block instead: each thread reads the weights and half of A.
// Zen 4, 2 threads (in-process A/B, 7 rounds): resnet50's 1x1 128 -> 512 at 28x28 1.33x, 512 -> 128
// 1.17x, its 21 other layers 0.98-1.01x; one block for 1 MB of weights (256 -> 1024 at 14x14)
// ran 0.90x, hence the bound.
#define SHARED_WEIGHT_BYTES (512 * 1024)

// Pieces of a thread's range of tasks (see rb_engine_plan_run), and the claim counters' spacing (a
// cache line).
#define STEAL_PIECES 8
#define CLAIM_STRIDE (64 / sizeof(size_t))
static int one_block_for_threads(const rb_engine_plan *p) {
  const rb_conv_desc *d = &p->d;
  const double weight_bytes = (double)p->cout_g * ((double)p->taps * p->kc + 1) * sizeof(float);
  const double a_bytes = (double)d->n * d->h * d->w * d->cin * sizeof(float);
  return p->threads > 1 && d->groups == 1 && p->nc_block < p->cout_g && weight_bytes <= SHARED_WEIGHT_BYTES &&
         a_bytes > weight_bytes;
}

// Pixels a chunk of channel sums covers: a few hundred rows, summed while each tile is in L1.
#define SUM_CHUNK_PIXELS 224

// One-tap layers (1x1) whose A rows add up to this many bytes ask the microkernels to prefetch
// the next tile's rows (rb_uk_epilogue.prefetch_next): such an input streams from beyond L2.
// Measured on ResNet-50's 1x1 layers (SPR-class Xeon, 2 MiB L2): A of 1.6-3.2 MB gained 3-10%,
// A of 0.2-0.8 MB lost 3-7% (the prefetches then only add L1 traffic).
#define PREFETCH_MIN_A_BYTES (1024 * 1024)

const char *rb_engine_path_name(rb_engine_path p) {
  switch (p) {
    case RB_PATH_AUTO: return "auto";
    case RB_PATH_GEMM: return "gemm";
    case RB_PATH_IGEMM: return "igemm";
    case RB_PATH_NGCONV: return "ngconv";
    case RB_PATH_ROWS: return "rows";
  }
  return "unknown";
}

int rb_engine_alt_tile_pays(const rb_engine_config *cfg, size_t rows_main, size_t rows_alt) {
  return cfg->gemm_alt.gemm && cfg->gemm_alt.nr == cfg->gemm.nr &&
         (double)rows_alt * cfg->alt_row_cost < (double)rows_main;
}

// What tile u computes for `pixels` rows and cout_g columns a group: padded rows x padded
// columns (whole blocks of nr, then the rest in steps of nr_step) x its cost (per row and column,
// relative to cfg->gemm's).
static double tile_work(const rb_gemm_ukernel *u, double cost, size_t pixels, int cout_g) {
  const size_t mr = (size_t)u->mr, nr = (size_t)u->nr, step = u->nr_step > 0 ? (size_t)u->nr_step : nr;
  const size_t cols = (size_t)cout_g / nr * nr + ((size_t)cout_g % nr + step - 1) / step * step;
  return (double)((pixels + mr - 1) / mr * mr) * (double)cols * cost;
}

const rb_gemm_ukernel *rb_engine_gemm_for(const rb_engine_config *cfg, size_t pixels, int cout_g) {
  const rb_gemm_ukernel *best = &cfg->gemm;
  double least = tile_work(best, 1.0, pixels, cout_g);
  const rb_gemm_ukernel *other[2] = {&cfg->gemm_alt, &cfg->gemm_narrow};
  const double cost[2] = {cfg->alt_row_cost, cfg->narrow_cost};
  for (int i = 0; i < 2; i++) {
    const double work = other[i]->gemm ? tile_work(other[i], cost[i], pixels, cout_g) : least;
    if (work < least) best = other[i], least = work;
  }
  return best;
}

const rb_ngconv_ukernel *rb_engine_ngconv_for(const rb_engine_config *cfg, int cpg) {
  const rb_ngconv_ukernel *u = cpg == 4 ? &cfg->ngconv4 : cpg == 8 ? &cfg->ngconv8 : cpg == 16 ? &cfg->ngconv16 : NULL;
  return u && u->fn ? u : NULL;
}
static int is_plain_1x1(const rb_conv_desc *d) {
  return d->kh == 1 && d->kw == 1 && d->stride_h == 1 && d->stride_w == 1 && !d->pad_top && !d->pad_left &&
         !d->pad_bottom && !d->pad_right;
}

static rb_status check_path(const rb_engine_config *cfg, const rb_conv_desc *d, rb_engine_path path) {
  const int cin_g = d->cin / d->groups, cout_g = d->cout / d->groups;
  char shape[160];
  rb_conv_desc_format(d, shape, sizeof shape);
  if (path == RB_PATH_GEMM && !is_plain_1x1(d))
    return rb_fail(RB_ERR_UNSUPPORTED, "the gemm path needs a 1x1 stride-1 unpadded convolution, not %s", shape);
  if (path == RB_PATH_NGCONV && (cin_g != cout_g || !rb_engine_ngconv_for(cfg, cin_g)))
    return rb_fail(RB_ERR_UNSUPPORTED,
                   "the ngconv path needs groups of 4, 8 or 16 channels in and out with a %s kernel for them, not %s "
                   "(%d in, %d out a group)",
                   cfg->name, shape, cin_g, cout_g);
  if (path == RB_PATH_ROWS && (d->groups != 1 || d->dil_w != 1))
    return rb_fail(RB_ERR_UNSUPPORTED, "the rows path needs an ungrouped convolution without width dilation, not %s",
                   shape);
  return RB_OK;
}

static rb_engine_path choose_path(const rb_engine_config *cfg, const rb_conv_desc *d) {
  const int cin_g = d->cin / d->groups, cout_g = d->cout / d->groups;
  if (d->groups > 1 && cin_g == cout_g && rb_engine_ngconv_for(cfg, cin_g)) return RB_PATH_NGCONV;
  if (is_plain_1x1(d)) return RB_PATH_GEMM;
  if (d->groups == 1 && d->kw > 1 && d->dil_w == 1 && d->cin < RB_ROWS_MAX_CIN) return RB_PATH_ROWS;
  return RB_PATH_IGEMM;
}

void rb_engine_plan_destroy(rb_engine_plan *p) {
  if (!p) return;
  rb_aligned_free(p->packed);
  rb_aligned_free(p->zero);
  rb_aligned_free(p->part);
  rb_aligned_free(p->rowpad);
  rb_aligned_free(p->claim);
  free(p->ind);
  free(p);
}

// ROWS: the weights as those of a convolution whose kh taps each have kw x cin input channels
// (channel kx * cin + c of tap ky is input channel c at kx), packed for the GEMM tile.
static rb_status pack_rows(rb_engine_plan *p, const float *w, const float *bias) {
  const rb_conv_desc *d = &p->d;
  float *wr = malloc((size_t)d->cout * p->kc * p->taps * sizeof *wr);
  if (!wr) return rb_fail(RB_ERR_NOMEM, "out of memory packing a rows convolution");
  for (int o = 0; o < d->cout; o++)
    for (int c = 0; c < d->cin; c++)
      for (int ky = 0; ky < d->kh; ky++)
        for (int kx = 0; kx < d->kw; kx++)
          wr[((size_t)o * p->kc + (size_t)kx * d->cin + c) * p->taps + ky] =
              w[(((size_t)o * d->cin + c) * d->kh + ky) * d->kw + kx];
  rb_pack_gemm(p->gemm->nr, d->cout, p->kc, p->taps, wr, bias, p->packed);
  free(wr);
  return RB_OK;
}

// The output pixel (image b, row oy, column ox) of row m of a tile; rows past the last pixel
// repeat it (the microkernel computes them from clamped pointers and stores nothing).
static void tile_pixel(const rb_engine_plan *p, size_t tile, size_t m, int *b, int *oy, int *ox) {
  size_t px = tile * (size_t)p->mr + m;
  if (px >= p->pixels) px = p->pixels - 1;
  const size_t image = (size_t)p->oh * p->ow, rem = px % image;
  *b = (int)(px / image), *oy = (int)(rem / (size_t)p->ow), *ox = (int)(rem % (size_t)p->ow);
}

// ROWS: tap ky of output pixel (b, oy, ox) reads kw x cin floats from row iy of the padded copy,
// from padded column ox * stride_w; rows outside the input read the zero row. Built once: the
// pointers are into the plan's own copy.
static void build_row_indirection(rb_engine_plan *p) {
  const rb_conv_desc *d = &p->d;
  const size_t mr = (size_t)p->mr;
  for (size_t tile = 0; tile < p->tiles; tile++)
    for (size_t m = 0; m < mr; m++) {
      int b, oy, ox;
      tile_pixel(p, tile, m, &b, &oy, &ox);
      for (int ky = 0; ky < d->kh; ky++) {
        const int iy = oy * d->stride_h - d->pad_top + ky * d->dil_h;
        p->ind[(tile * p->taps + (size_t)ky) * mr + m] =
            iy >= 0 && iy < d->h ? p->rowpad + (((size_t)b * d->h + iy) * p->wp + (size_t)ox * d->stride_w) * d->cin
                                 : p->zero;
      }
    }
}

// ROWS: the input's rows into the padded copy, between its zero side columns.
static void fill_rowpad(const rb_engine_plan *p, const float *in) {
  const rb_conv_desc *d = &p->d;
  const long rows = (long)d->n * d->h;
  const size_t row = (size_t)d->w * d->cin;
#pragma omp parallel for schedule(static) num_threads(p->threads) if (p->threads > 1 && rows > 64)
  for (long r = 0; r < rows; r++)
    memcpy(p->rowpad + ((size_t)r * p->wp + (size_t)d->pad_left) * d->cin, in + (size_t)r * row, row * sizeof(float));
}

rb_status rb_engine_plan_create(const rb_engine_config *cfg, const rb_conv_desc *d, rb_engine_path path, int threads,
                                const float *w, const float *bias, rb_engine_plan **plan) {
  if (!plan) return rb_fail(RB_ERR_NULL, "rb_engine_plan_create: plan is NULL");
  *plan = NULL;
  if (!cfg || !d || !w) return rb_fail(RB_ERR_NULL, "rb_engine_plan_create: NULL argument");
  rb_status s = rb_conv_desc_check(d);
  if (s != RB_OK) return s;
  if (threads < 0) return rb_fail(RB_ERR_INVALID_ARG, "rb_engine_plan_create: threads must be >= 0, got %d", threads);
  if ((unsigned)path > RB_PATH_ROWS)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_engine_plan_create: path %d out of range", (int)path);
  if (path == RB_PATH_AUTO) path = choose_path(cfg, d);
  if ((s = check_path(cfg, d, path)) != RB_OK) return s;

  rb_engine_plan *p = calloc(1, sizeof *p);
  if (!p) return rb_fail(RB_ERR_NOMEM, "out of memory for an engine plan");
  p->cfg = cfg;
  p->d = *d;
  p->path = path;
  p->threads = threads ? threads : omp_get_max_threads();
  p->oh = rb_conv_out_h(d), p->ow = rb_conv_out_w(d);
  p->cin_g = d->cin / d->groups, p->cout_g = d->cout / d->groups;
  p->ks = d->kh * d->kw;
  p->kc = path == RB_PATH_ROWS ? d->kw * p->cin_g : p->cin_g;
  p->taps = path == RB_PATH_ROWS ? d->kh : p->ks;
  p->pixels = (size_t)d->n * p->oh * p->ow;
  size_t packed_floats;
  if (path == RB_PATH_NGCONV) {
    const rb_ngconv_ukernel *u = p->ng = rb_engine_ngconv_for(cfg, p->cin_g);
    p->mr = u->mr;
    packed_floats = rb_pack_ngconv_size(u->width, u->cpg, d->cout, p->ks);
    snprintf(p->ukernel, sizeof p->ukernel, "%s", u->name);
  } else {
    const rb_gemm_ukernel *u = p->gemm = rb_engine_gemm_for(cfg, p->pixels, p->cout_g);
    p->mr = u->mr;
    p->nc_block = rb_engine_nc_block(u, p->cout_g, p->taps * p->kc);
    if (one_block_for_threads(p)) p->nc_block = (p->cout_g + u->nr - 1) / u->nr * u->nr;
    p->group_stride = rb_pack_gemm_size(u->nr, p->cout_g, p->kc, p->taps);
    packed_floats = p->group_stride * d->groups;
    snprintf(p->ukernel, sizeof p->ukernel, "%s", u->name);
    if (path == RB_PATH_GEMM) {  // rb_f32_igemm_... -> rb_f32_gemm_...
      const char *i = strstr(u->name, "igemm");
      if (i) snprintf(p->ukernel, sizeof p->ukernel, "%.*s%s", (int)(i - u->name), u->name, i + 1);
    }
  }
  p->tiles = (p->pixels + p->mr - 1) / p->mr;
  p->prefetch_next = path != RB_PATH_NGCONV && p->taps == 1 &&
                     (double)p->pixels * d->cin * sizeof(float) >= PREFETCH_MIN_A_BYTES;
  const size_t image = (size_t)p->oh * p->ow;
  p->chunk_tiles = (SUM_CHUNK_PIXELS + (size_t)p->mr - 1) / (size_t)p->mr;
  p->chunks = (p->tiles + p->chunk_tiles - 1) / p->chunk_tiles;
  p->span = (p->chunk_tiles * (size_t)p->mr + image - 1) / image + 1;
  if (p->span > (size_t)d->n) p->span = (size_t)d->n;
  p->part = rb_aligned_alloc(p->chunks * p->span * (size_t)d->cout * sizeof(float));
  p->packed = rb_aligned_alloc(packed_floats * sizeof(float));
  const size_t zeros = (size_t)(d->cin > p->kc ? d->cin : p->kc) + 64;
  p->zero = rb_aligned_alloc(zeros * sizeof(float));
  p->claim = rb_aligned_alloc((size_t)p->threads * CLAIM_STRIDE * sizeof(size_t));
  // One tile more than there are: the last tile's "next tile" (read by microkernels that prefetch
  // it), all padding.
  if (path != RB_PATH_GEMM) p->ind = malloc((p->tiles + 1) * p->taps * p->mr * sizeof *p->ind);
  p->wp = d->pad_left + d->w + d->pad_right;
  const size_t rowpad_floats = path == RB_PATH_ROWS ? (size_t)d->n * d->h * p->wp * d->cin : 0;
  if (rowpad_floats) p->rowpad = rb_aligned_alloc(rowpad_floats * sizeof(float));
  if (!p->packed || !p->zero || !p->claim || !p->part || (path != RB_PATH_GEMM && !p->ind) ||
      (rowpad_floats && !p->rowpad)) {
    rb_engine_plan_destroy(p);
    return rb_fail(RB_ERR_NOMEM, "out of memory planning a %s convolution (%zu packed floats)",
                   rb_engine_path_name(path), packed_floats);
  }
  memset(p->zero, 0, zeros * sizeof(float));
  if (p->ind)
    for (size_t j = 0; j < (size_t)p->taps * p->mr; j++) p->ind[p->tiles * p->taps * p->mr + j] = p->zero;
  if (path == RB_PATH_NGCONV) {
    rb_pack_ngconv(p->ng->width, p->ng->cpg, p->ng->perm, p->ng->perm_out, d->cout, p->ks, w, bias, p->packed);
  } else if (path == RB_PATH_ROWS) {
    if ((s = pack_rows(p, w, bias)) != RB_OK) {
      rb_engine_plan_destroy(p);
      return s;
    }
    memset(p->rowpad, 0, rowpad_floats * sizeof(float));  // the side columns stay zero: runs fill the rest
    build_row_indirection(p);
  } else {
    const size_t wg = (size_t)p->cout_g * p->cin_g * p->ks;
    for (int g = 0; g < d->groups; g++)
      rb_pack_gemm(p->gemm->nr, p->cout_g, p->cin_g, p->ks, w + g * wg, bias ? bias + g * p->cout_g : NULL,
                   p->packed + g * p->group_stride);
  }
  *plan = p;
  return RB_OK;
}

// Row pointers of every tile, tap-major within a tile; rows past the last pixel repeat it.
static void build_indirection(rb_engine_plan *p, const float *in) {
  const rb_conv_desc *d = &p->d;
  const size_t mr = (size_t)p->mr;
  for (size_t tile = 0; tile < p->tiles; tile++)
    for (size_t m = 0; m < mr; m++) {
      int b, oy, ox;
      tile_pixel(p, tile, m, &b, &oy, &ox);
      for (int ky = 0; ky < d->kh; ky++)
        for (int kx = 0; kx < d->kw; kx++) {
          const int iy = oy * d->stride_h - d->pad_top + ky * d->dil_h;
          const int ix = ox * d->stride_w - d->pad_left + kx * d->dil_w;
          const int inside = iy >= 0 && iy < d->h && ix >= 0 && ix < d->w;
          p->ind[(tile * p->ks + (size_t)(ky * d->kw + kx)) * mr + m] =
              inside ? in + (((size_t)b * d->h + iy) * d->w + ix) * d->cin : p->zero;
        }
    }
  p->ind_input = in;
}

// What one run computes: out = relu?(scale[b] x conv(in) + bias + residual), scale per image.
typedef struct run_args {
  const float *in, *residual, *scale;
  int relu;
  float *out;
} run_args;

// scale, residual and ReLU on a stored tile's rows, each row by its own image's scale: for tiles
// whose microkernel cannot take the scale (a tile across two images, or a narrow-group kernel).
static void fix_rows(const rb_engine_plan *p, size_t px0, size_t rows, size_t col0, int ncols, const run_args *r) {
  const size_t cout = (size_t)p->d.cout, image = (size_t)p->oh * p->ow;
  for (size_t m = 0; m < rows; m++) {
    float *row = r->out + (px0 + m) * cout + col0;
    const float *sc = r->scale + (px0 + m) / image * cout + col0;
    const float *res = r->residual ? r->residual + (px0 + m) * cout + col0 : NULL;
    for (int j = 0; j < ncols; j++) {
      float v = row[j] * sc[j];
      if (res) v += res[j];
      row[j] = r->relu && v < 0 ? 0.0f : v;  // NaN passes
    }
  }
}

// One tile: the microkernel on columns [col0, col0 + ncols) of group g's weight block w (GEMM
// paths) or on every channel (NGCONV, w NULL). col_sums (GEMM-path tiles within one image only):
// NULL, or += the tile's stored column sums, from the microkernel. With a scale it cannot take
// (a tile across two images, a narrow-group kernel), fix_rows applies scale, residual and ReLU.
static void run_tile(const rb_engine_plan *p, size_t tile, int g, size_t col0, int ncols, const float *w,
                    const run_args *r, float *col_sums) {
  const rb_conv_desc *d = &p->d;
  const size_t mr = (size_t)p->mr, cout = (size_t)d->cout, image = (size_t)p->oh * p->ow;
  const size_t px0 = tile * mr, rows = p->pixels - px0 < mr ? p->pixels - px0 : mr;
  const int whole = !r->scale || (p->path != RB_PATH_NGCONV && (px0 + rows - 1) / image == px0 / image);
  float *c = r->out + px0 * cout + col0;
  rb_uk_epilogue e = {NULL, cout, 0, NULL, NULL, p->prefetch_next};
  if (whole)
    e.residual = r->residual ? r->residual + px0 * cout + col0 : NULL, e.relu = r->relu,
    e.col_sums = p->path == RB_PATH_NGCONV ? NULL : col_sums, e.scale = r->scale ? r->scale + px0 / image * cout + col0 : NULL;
  if (p->path == RB_PATH_NGCONV)
    p->ng->fn(rows, cout, (size_t)p->ks, p->ind + tile * p->ks * mr, p->packed, c, cout, p->zero, 0, &e);
  else if (p->path == RB_PATH_GEMM)
    p->gemm->gemm(rows, (size_t)ncols, (size_t)p->cin_g, r->in + px0 * d->cin + (size_t)g * p->cin_g,
                      (size_t)d->cin, w, c, cout, &e);
  else  // IGEMM and ROWS (one group: a_offset 0)
    p->gemm->igemm(rows, (size_t)ncols, (size_t)p->kc, (size_t)p->taps, p->ind + tile * p->taps * mr, w, c, cout,
                       p->zero, (size_t)g * p->cin_g, &e);
  if (!whole) fix_rows(p, px0, rows, col0, ncols, r);
}

// The tiles of one chunk on columns [col0, col0 + ncols), their stored rows summed into the chunk's
// partial sums, image by image, in pixel order: by the GEMM microkernels' epilogue, or (narrow
// groups, a tile across two images) from the stored tile while it is in L1.
static void run_chunk_sums(const rb_engine_plan *p, size_t chunk, int g, size_t col0, int ncols, const float *w,
                           const run_args *r) {
  const size_t cout = (size_t)p->d.cout, mr = (size_t)p->mr, image = (size_t)p->oh * p->ow;
  const size_t t0 = chunk * p->chunk_tiles, t1 = t0 + p->chunk_tiles < p->tiles ? t0 + p->chunk_tiles : p->tiles;
  const size_t first_image = t0 * mr / image;
  float *part = p->part + chunk * p->span * cout + col0;
  for (size_t s = 0; s < p->span; s++) memset(part + s * cout, 0, (size_t)ncols * sizeof(float));
  for (size_t tile = t0; tile < t1; tile++) {
    const size_t px0 = tile * mr, rows = p->pixels - px0 < mr ? p->pixels - px0 : mr;
    const size_t first = px0 / image;
    // A GEMM-path tile within one image sums in its microkernel's store, from the registers.
    if (p->path != RB_PATH_NGCONV && (px0 + rows - 1) / image == first) {
      run_tile(p, tile, g, col0, ncols, w, r, part + (first - first_image) * cout);
      continue;
    }
    run_tile(p, tile, g, col0, ncols, w, r, NULL);
    for (size_t m = 0; m < rows;) {  // else the stored rows, image by image
      const size_t img = (px0 + m) / image, end = (img + 1) * image - px0, seg = (end < rows ? end : rows) - m;
      float *dst = part + (img - first_image) * cout;
      const float *src = r->out + (px0 + m) * cout + col0;
      p->cfg->colsum(dst, src, cout, seg, ncols);
      m += seg;
    }
  }
}

// Tasks [begin, end) of the run (group, channel block, unit order), walked without the three
// 64-bit divisions a task would cost (a 1x1 tile with K = 64 is ~800 cycles of FMAs; the gain was
// within the noise). NGCONV: one block of every channel, its kernel's own layout (w unused).
static void run_tasks(const rb_engine_plan *p, size_t begin, size_t end, size_t units, size_t nblocks, int sums,
                      const run_args *r) {
  const int ngconv = p->path == RB_PATH_NGCONV, cols = ngconv ? p->d.cout : p->cout_g;
  const int nc_block = ngconv ? cols : p->nc_block;
  const size_t block_floats = (size_t)nc_block * (1 + (size_t)p->taps * p->kc);
  size_t u = begin % units, nb = begin / units % nblocks, g = begin / units / nblocks;
  for (size_t task = begin; task < end;) {
    const int first = (int)nb * nc_block, ncols = cols - first < nc_block ? cols - first : nc_block;
    const size_t col0 = g * (size_t)cols + (size_t)first;
    const float *w = ngconv ? NULL : p->packed + g * p->group_stride + nb * block_floats;
    for (; u < units && task < end; u++, task++) {
      if (sums) run_chunk_sums(p, u, (int)g, col0, ncols, w, r);
      else run_tile(p, u, (int)g, col0, ncols, w, r, NULL);
    }
    u = 0;
    if (++nb == nblocks) nb = 0, g++;
  }
}

void rb_engine_plan_run(rb_engine_plan *p, const float *in, const rb_conv_fusion *f, float *out) {
  const rb_conv_desc *d = &p->d;
  const rb_conv_fusion none = {0};
  if (!f) f = &none;
  const run_args r = {in, f->residual, f->scale, f->relu != 0, out};
  float *sums = f->sums;
  if (p->path == RB_PATH_ROWS) fill_rowpad(p, in);
  else if (p->path != RB_PATH_GEMM && p->ind_input != in) build_indirection(p, in);
  const size_t tiles = p->tiles, cout = (size_t)d->cout;
  // With sums, a task is a chunk of tiles (fixed, whatever the thread count) instead of one tile.
  const size_t units = sums ? p->chunks : tiles;
  // The narrow-group kernels take every group in one layout: one "group" of all channels, one block.
  const int ngconv = p->path == RB_PATH_NGCONV;
  const size_t nblocks = ngconv ? 1 : (size_t)((p->cout_g + p->nc_block - 1) / p->nc_block);
  const size_t tasks = (ngconv ? 1 : (size_t)d->groups) * nblocks * units;
  // Tasks ordered group, channel block, pixel tile (or chunk): a thread's consecutive tiles share
  // weights. The tasks are cut into one contiguous range a thread, each range into STEAL_PIECES
  // pieces: a thread takes its own range's pieces in order, then what is left of the others'
  // (one fetch-add on that range's counter a piece), so that a thread slowed down (a shared
  // machine's other tenants, cheaper padding tiles elsewhere) does not leave the others waiting
  // at the region's end. Which thread runs a task never changes what it computes.
  for (int t = 0; t < p->threads; t++) p->claim[(size_t)t * CLAIM_STRIDE] = 0;
#pragma omp parallel num_threads(p->threads) if (p->threads > 1 && tasks > 1)
  {
    const size_t nthr = (size_t)omp_get_num_threads(), tid = (size_t)omp_get_thread_num();
    for (size_t v = 0; v < nthr; v++) {
      const size_t owner = (tid + v) % nthr, r0 = tasks * owner / nthr, r1 = tasks * (owner + 1) / nthr;
      for (;;) {
        const size_t k = __atomic_fetch_add(&p->claim[owner * CLAIM_STRIDE], 1, __ATOMIC_RELAXED);
        if (k >= STEAL_PIECES) break;
        run_tasks(p, r0 + (r1 - r0) * k / STEAL_PIECES, r0 + (r1 - r0) * (k + 1) / STEAL_PIECES, units, nblocks,
                  sums != NULL, &r);
      }
    }
  }
  if (!sums) return;
  // Each image's sums: its chunks' partials in chunk order.
  const size_t image = (size_t)p->oh * p->ow, chunk_px = p->chunk_tiles * (size_t)p->mr;
  for (int b = 0; b < d->n; b++) {
    const size_t c0 = (size_t)b * image / chunk_px, c1 = ((size_t)b * image + image - 1) / chunk_px;
    float *dst = sums + (size_t)b * cout;
    memset(dst, 0, cout * sizeof(float));
    for (size_t ch = c0; ch <= c1; ch++) {
      const float *src = p->part + (ch * p->span + ((size_t)b - ch * chunk_px / image)) * cout;
      for (size_t j = 0; j < cout; j++) dst[j] += src[j];
    }
  }
}

rb_engine_path rb_engine_plan_path(const rb_engine_plan *p) { return p->path; }
int rb_engine_plan_nc_block(const rb_engine_plan *p) { return p->nc_block; }
const char *rb_engine_plan_ukernel(const rb_engine_plan *p) { return p->ukernel; }
const char *rb_engine_plan_path_name(const rb_engine_plan *p) { return rb_engine_path_name(p->path); }
