// libxsmm 1.17 as two peers: "libxsmm", its DNN direct convolution on its blocked layout (LIBXSMM format,
// zero-padded input buffer, OpenMP threads each running libxsmm_dnn_execute_st with its tid), and
// "libxsmm_gemm", its JIT SGEMM on 1x1 stride-1 unpadded convolutions (NHWC makes them one GEMM,
// [N*H*W x Cin] x [Cin x Cout], tiled and the tiles split over threads). 1.17's DNN layer has no groups,
// no dilation, no fused bias (a bias is added by a separate pass inside the timed call) and no Winograd.
#include <libxsmm.h>
#include <libxsmm_dnn.h>
#include <libxsmm_dnn_convolution.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers/peer.h"
#include "resbench/tensor.h"

static const char *libxsmm_version(void) {
  static char buf[128];
  libxsmm_init();
  snprintf(buf, sizeof buf, "libxsmm %s (Debian libxsmm-dev, static; target %s)", LIBXSMM_CONFIG_VERSION,
           libxsmm_get_target_arch());
  return buf;
}

static rb_status common_checks(const char *peer, const rb_conv_desc *d, rb_conv_algo algo, int threads,
                               const float *weights, const float *src, rb_peer_conv **c) {
  if (!d || !weights || !src || !c) return rb_fail(RB_ERR_NULL, "%s conv_create: NULL argument", peer);
  *c = NULL;
  rb_status st = rb_conv_desc_check(d);
  if (st != RB_OK) return st;
  if (threads < 1) return rb_fail(RB_ERR_INVALID_ARG, "%s: threads must be >= 1, got %d", peer, threads);
  char shape[160];
  rb_conv_desc_format(d, shape, sizeof shape);
  if (algo != RB_CONV_DIRECT && algo != RB_CONV_AUTO)
    return rb_fail(RB_ERR_UNSUPPORTED, "%s: no %s convolution (libxsmm 1.17 has direct convolution only) for %s",
                   peer, rb_conv_algo_name(algo), shape);
  if (d->groups != 1)
    return rb_fail(RB_ERR_UNSUPPORTED, "%s: groups %d are not supported (libxsmm 1.17's DNN layer has no groups) "
                   "for %s", peer, d->groups, shape);
  if (d->dil_h != 1 || d->dil_w != 1)
    return rb_fail(RB_ERR_UNSUPPORTED, "%s: dilation %dx%d is not supported for %s", peer, d->dil_h, d->dil_w, shape);
  if (d->pad_top != d->pad_bottom || d->pad_left != d->pad_right)
    return rb_fail(RB_ERR_UNSUPPORTED, "%s: asymmetric padding (t%d b%d l%d r%d) is not supported for %s", peer,
                   d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, shape);
  libxsmm_init();
  return RB_OK;
}

struct rb_peer_conv {
  rb_conv_desc d;
  int threads, oh, ow;
  float *bias;  // cout floats or NULL
  // DNN
  libxsmm_dnn_layer *layer;
  libxsmm_dnn_tensor *tin, *tfil, *tout;
  float *in, *fil, *out;  // blocked buffers
  void *scratch;
  int ifmb, bifm, ofmb, bofm, hp, wp;
  // GEMM
  float *wt;  // [cin][cout]: the column-major A (cout x cin)
  const float *gin;
  float *gout;
  int mb, nb;  // tile sizes
  libxsmm_smmfunction kern[2][2];  // [m remainder][n remainder]
};

static void conv_free(rb_peer_conv *c) {
  if (!c) return;
  if (c->layer) {
    libxsmm_dnn_release_scratch(c->layer, LIBXSMM_DNN_COMPUTE_KIND_ALL);
    libxsmm_dnn_release_tensor(c->layer, LIBXSMM_DNN_REGULAR_INPUT);
    libxsmm_dnn_release_tensor(c->layer, LIBXSMM_DNN_REGULAR_FILTER);
    libxsmm_dnn_release_tensor(c->layer, LIBXSMM_DNN_REGULAR_OUTPUT);
  }
  if (c->tin) libxsmm_dnn_destroy_tensor(c->tin);
  if (c->tfil) libxsmm_dnn_destroy_tensor(c->tfil);
  if (c->tout) libxsmm_dnn_destroy_tensor(c->tout);
  if (c->layer) libxsmm_dnn_destroy_conv_layer(c->layer);
  rb_aligned_free(c->in), rb_aligned_free(c->fil), rb_aligned_free(c->out), rb_aligned_free(c->scratch);
  rb_aligned_free(c->wt), rb_aligned_free((void *)c->gin), rb_aligned_free(c->gout), free(c->bias);
  free(c);
}

static rb_peer_conv *conv_alloc(const rb_conv_desc *d, int threads, const float *bias) {
  rb_peer_conv *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->d = *d;
  c->threads = threads;
  c->oh = rb_conv_out_h(d);
  c->ow = rb_conv_out_w(d);
  if (bias) {
    c->bias = malloc((size_t)d->cout * sizeof(float));
    if (!c->bias) {
      free(c);
      return NULL;
    }
    memcpy(c->bias, bias, (size_t)d->cout * sizeof(float));
  }
  return c;
}

static const char *xerr(libxsmm_dnn_err_t e) { return libxsmm_dnn_get_error(e); }

// A layout's dims (innermost first) for checking the blocking: libxsmm's f32 buffers are
// [N][C/b][H][W][b] and filters [K/bk][C/bc][R][S][bc][bk].
static rb_status layout_dims(libxsmm_dnn_layer *l, libxsmm_dnn_tensor_type t, int dims[7], int *nd,
                             libxsmm_dnn_tensor **tensor, float **buf) {
  libxsmm_dnn_err_t e;
  libxsmm_dnn_tensor_datalayout *lay = libxsmm_dnn_create_tensor_datalayout(l, t, &e);
  if (!lay) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: tensor layout: %s", xerr(e));
  *nd = (int)lay->num_dims;
  for (int i = 0; i < *nd && i < 7; i++) dims[i] = (int)lay->dim_size[i];
  const size_t bytes = libxsmm_dnn_get_tensor_size(lay, &e);
  *buf = rb_aligned_alloc(bytes);
  if (!*buf) {
    libxsmm_dnn_destroy_tensor_datalayout(lay);
    return rb_fail(RB_ERR_NOMEM, "libxsmm: cannot allocate %zu bytes", bytes);
  }
  memset(*buf, 0, bytes);  // the input's zero rim is the padding
  *tensor = libxsmm_dnn_link_tensor(lay, *buf, &e);
  libxsmm_dnn_destroy_tensor_datalayout(lay);
  if (!*tensor) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: link tensor: %s", xerr(e));
  e = libxsmm_dnn_bind_tensor(l, *tensor, t);
  if (e != LIBXSMM_DNN_SUCCESS) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: bind tensor: %s", xerr(e));
  return RB_OK;
}

static rb_status dnn_create_in(rb_peer_conv *c, const float *weights, const float *src) {
  const rb_conv_desc *d = &c->d;
  char shape[160];
  rb_conv_desc_format(d, shape, sizeof shape);
  libxsmm_dnn_conv_desc cd = {0};
  cd.N = d->n, cd.C = d->cin, cd.H = d->h, cd.W = d->w, cd.K = d->cout, cd.R = d->kh, cd.S = d->kw;
  cd.u = d->stride_h, cd.v = d->stride_w, cd.pad_h = d->pad_top, cd.pad_w = d->pad_left;
  cd.pad_h_in = d->pad_top, cd.pad_w_in = d->pad_left, cd.pad_h_out = 0, cd.pad_w_out = 0;
  cd.threads = c->threads;
  cd.datatype_in = cd.datatype_out = LIBXSMM_DNN_DATATYPE_F32;
  cd.buffer_format = cd.filter_format = LIBXSMM_DNN_TENSOR_FORMAT_LIBXSMM;
  cd.algo = LIBXSMM_DNN_CONV_ALGO_DIRECT;
  cd.options = LIBXSMM_DNN_CONV_OPTION_OVERWRITE;
  cd.fuse_ops = LIBXSMM_DNN_CONV_FUSE_NONE;
  libxsmm_dnn_err_t e;
  c->layer = libxsmm_dnn_create_conv_layer(cd, &e);
  if (!c->layer) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: no convolution layer for %s: %s", shape, xerr(e));
  int di[7], df[7], dout[7], ni, nf, no;
  rb_status st = layout_dims(c->layer, LIBXSMM_DNN_REGULAR_INPUT, di, &ni, &c->tin, &c->in);
  if (st == RB_OK) st = layout_dims(c->layer, LIBXSMM_DNN_REGULAR_FILTER, df, &nf, &c->tfil, &c->fil);
  if (st == RB_OK) st = layout_dims(c->layer, LIBXSMM_DNN_REGULAR_OUTPUT, dout, &no, &c->tout, &c->out);
  if (st != RB_OK) return st;
  // f32: input {bifm, Wp, Hp, ifmb, N}, filter {bofm, bifm, S, R, ifmb, ofmb}, output {bofm, Q, P, ofmb, N}.
  if (ni != 5 || nf != 6 || no != 5 || di[0] * di[3] != d->cin || dout[0] * dout[3] != d->cout ||
      di[2] != d->h + 2 * d->pad_top || di[1] != d->w + 2 * d->pad_left || dout[2] != c->oh || dout[1] != c->ow)
    return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: unexpected blocked layout for %s (%d/%d/%d dims)", shape, ni, nf, no);
  c->bifm = di[0], c->wp = di[1], c->hp = di[2], c->ifmb = di[3];
  c->bofm = dout[0], c->ofmb = dout[3];
  e = libxsmm_dnn_copyin_tensor(c->tfil, weights, LIBXSMM_DNN_TENSOR_FORMAT_KCRS);  // KCRS is OIHW
  if (e != LIBXSMM_DNN_SUCCESS) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: filter copy-in: %s", xerr(e));
  // NHWC -> [N][C/b][Hp][Wp][b] inside the zero rim.
  for (int n = 0; n < d->n; n++)
    for (int y = 0; y < d->h; y++)
      for (int x = 0; x < d->w; x++)
        for (int ch = 0; ch < d->cin; ch++)
          c->in[((((size_t)n * c->ifmb + ch / c->bifm) * c->hp + y + d->pad_top) * c->wp + x + d->pad_left) *
                    c->bifm + ch % c->bifm] = src[(((size_t)n * d->h + y) * d->w + x) * d->cin + ch];
  const size_t scratch = libxsmm_dnn_get_scratch_size(c->layer, LIBXSMM_DNN_COMPUTE_KIND_ALL, &e);
  if (scratch) {
    c->scratch = rb_aligned_alloc(scratch);
    if (!c->scratch) return rb_fail(RB_ERR_NOMEM, "libxsmm: cannot allocate %zu bytes of scratch", scratch);
    e = libxsmm_dnn_bind_scratch(c->layer, LIBXSMM_DNN_COMPUTE_KIND_ALL, c->scratch);
    if (e != LIBXSMM_DNN_SUCCESS) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: bind scratch: %s", xerr(e));
  }
  return RB_OK;
}

static rb_status dnn_create(const rb_conv_desc *d, rb_conv_algo algo, int threads, const float *weights,
                            const float *bias, const float *src, rb_peer_conv **out) {
  rb_status st = common_checks("libxsmm", d, algo, threads, weights, src, out);
  if (st != RB_OK) return st;
  rb_peer_conv *c = conv_alloc(d, threads, bias);
  if (!c) return rb_fail(RB_ERR_NOMEM, "libxsmm: out of memory");
  st = dnn_create_in(c, weights, src);
  if (st != RB_OK) {
    conv_free(c);
    return st;
  }
  *out = c;
  return RB_OK;
}

static rb_status dnn_run(rb_peer_conv *c) {
  if (!c) return rb_fail(RB_ERR_NULL, "libxsmm conv_run: NULL conv");
  int failed = 0;
#pragma omp parallel num_threads(c->threads) reduction(| : failed)
  {
    const int tid = omp_get_thread_num();
    failed |= libxsmm_dnn_execute_st(c->layer, LIBXSMM_DNN_COMPUTE_KIND_FWD, 0, tid) != LIBXSMM_DNN_SUCCESS;
    if (c->bias) {  // not fusable in 1.17: one pass over [N][K/b][P][Q][b]
      const size_t planes = (size_t)c->d.n * c->ofmb, pq = (size_t)c->oh * c->ow;
#pragma omp barrier
#pragma omp for
      for (size_t p = 0; p < planes; p++) {
        const float *b = c->bias + (p % c->ofmb) * c->bofm;
        float *o = c->out + p * pq * c->bofm;
        for (size_t i = 0; i < pq; i++)
          for (int k = 0; k < c->bofm; k++) o[i * c->bofm + k] += b[k];
      }
    }
    // libxsmm 1.17's JIT code returns with dirty upper zmm state; without this, every non-VEX SSE
    // instruction that runs later on this thread (our ref kernels: -O2 baseline x86-64) pays for
    // it: measured 4-5x slower ref convolutions after a libxsmm run on this Zen CPU.
    __asm__ volatile("vzeroupper");
  }
  if (failed) return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm: libxsmm_dnn_execute_st failed");
  return RB_OK;
}

static rb_status dnn_output(rb_peer_conv *c, float *dst) {
  if (!c || !dst) return rb_fail(RB_ERR_NULL, "libxsmm conv_output: NULL argument");
  const rb_conv_desc *d = &c->d;
  for (int n = 0; n < d->n; n++)
    for (int y = 0; y < c->oh; y++)
      for (int x = 0; x < c->ow; x++)
        for (int k = 0; k < d->cout; k++)
          dst[(((size_t)n * c->oh + y) * c->ow + x) * d->cout + k] =
              c->out[((((size_t)n * c->ofmb + k / c->bofm) * c->oh + y) * c->ow + x) * c->bofm + k % c->bofm];
  return RB_OK;
}

static const char *dnn_impl(const rb_peer_conv *c) {
  static _Thread_local char buf[96];
  snprintf(buf, sizeof buf, "libxsmm_dnn_direct:blocked_c%d_k%d", c ? c->bifm : 0, c ? c->bofm : 0);
  return buf;
}

// ---- JIT GEMM on 1x1 convolutions ------------------------------------------------------------

#define GEMM_MB 64  // Cout per tile (the A block stays in cache across pixel tiles)
#define GEMM_NB 24  // pixels per tile

static rb_status gemm_create(const rb_conv_desc *d, rb_conv_algo algo, int threads, const float *weights,
                             const float *bias, const float *src, rb_peer_conv **out) {
  rb_status st = common_checks("libxsmm_gemm", d, algo, threads, weights, src, out);
  if (st != RB_OK) return st;
  if (d->kh != 1 || d->kw != 1 || d->stride_h != 1 || d->stride_w != 1 || d->pad_top || d->pad_left) {
    char shape[160];
    rb_conv_desc_format(d, shape, sizeof shape);
    return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm_gemm: only 1x1 stride-1 unpadded convolutions are one GEMM, not %s",
                   shape);
  }
  rb_peer_conv *c = conv_alloc(d, threads, bias);
  if (!c) return rb_fail(RB_ERR_NOMEM, "libxsmm_gemm: out of memory");
  const size_t rows = (size_t)d->n * d->h * d->w;
  c->wt = rb_aligned_alloc((size_t)d->cin * d->cout * sizeof(float));
  float *in = rb_aligned_alloc(rows * d->cin * sizeof(float));
  c->gin = in;
  c->gout = rb_aligned_alloc(rows * d->cout * sizeof(float));
  if (!c->wt || !in || !c->gout) {
    conv_free(c);
    return rb_fail(RB_ERR_NOMEM, "libxsmm_gemm: out of memory");
  }
  memcpy(in, src, rows * d->cin * sizeof(float));
  for (int o = 0; o < d->cout; o++)
    for (int i = 0; i < d->cin; i++) c->wt[(size_t)i * d->cout + o] = weights[(size_t)o * d->cin + i];
  c->mb = d->cout < GEMM_MB ? d->cout : GEMM_MB;
  c->nb = rows < GEMM_NB ? (int)rows : GEMM_NB;
  // Column-major C (cout x pixels, ldc cout) = A (cout x cin, lda cout) * B (cin x pixels, ldb cin).
  const libxsmm_blasint lda = d->cout, ldb = d->cin, ldc = d->cout;
  const float alpha = 1, beta = bias ? 1 : 0;  // with a bias, C starts as the bias
  const int m_sz[2] = {c->mb, d->cout % c->mb}, n_sz[2] = {c->nb, (int)(rows % (size_t)c->nb)};
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      if (!m_sz[i] || !n_sz[j]) continue;
      c->kern[i][j] = libxsmm_smmdispatch(m_sz[i], n_sz[j], d->cin, &lda, &ldb, &ldc, &alpha, &beta, NULL, NULL);
      if (!c->kern[i][j]) {
        conv_free(c);
        return rb_fail(RB_ERR_UNSUPPORTED, "libxsmm_gemm: no JIT kernel for m %d n %d k %d", m_sz[i], n_sz[j],
                       d->cin);
      }
    }
  *out = c;
  return RB_OK;
}

static rb_status gemm_run(rb_peer_conv *c) {
  if (!c) return rb_fail(RB_ERR_NULL, "libxsmm_gemm conv_run: NULL conv");
  const int cout = c->d.cout, cin = c->d.cin;
  const long rows = (long)c->d.n * c->d.h * c->d.w;
  const long mt = (cout + c->mb - 1) / c->mb, nt = (rows + c->nb - 1) / c->nb;
#pragma omp parallel num_threads(c->threads)
  {
#pragma omp for collapse(2) schedule(static)
    for (long j = 0; j < nt; j++)
      for (long i = 0; i < mt; i++) {
        const int mr = (i + 1) * c->mb > cout, nr = (j + 1) * c->nb > rows;
        float *o = c->gout + (size_t)j * c->nb * cout + (size_t)i * c->mb;
        if (c->bias) {
          const int m = mr ? cout - (int)i * c->mb : c->mb, n = nr ? (int)(rows - j * c->nb) : c->nb;
          for (int p = 0; p < n; p++) memcpy(o + (size_t)p * cout, c->bias + i * c->mb, (size_t)m * sizeof(float));
        }
        c->kern[mr][nr](c->wt + (size_t)i * c->mb, c->gin + (size_t)j * c->nb * cin, o);
      }
    __asm__ volatile("vzeroupper");  // dirty upper state from the JIT kernels: see dnn_run
  }
  return RB_OK;
}

static rb_status gemm_output(rb_peer_conv *c, float *dst) {
  if (!c || !dst) return rb_fail(RB_ERR_NULL, "libxsmm_gemm conv_output: NULL argument");
  memcpy(dst, c->gout, (size_t)c->d.n * c->d.h * c->d.w * c->d.cout * sizeof(float));
  return RB_OK;
}

static const char *gemm_impl(const rb_peer_conv *c) {
  static _Thread_local char buf[96];
  snprintf(buf, sizeof buf, "libxsmm_smmdispatch:%dx%dx%d_tiles", c ? c->mb : 0, c ? c->nb : 0, c ? c->d.cin : 0);
  return buf;
}

const rb_peer rb_peer_libxsmm = {
    .name = "libxsmm",
    .version = libxsmm_version,
    .conv_create = dnn_create,
    .conv_run = dnn_run,
    .conv_output = dnn_output,
    .conv_impl = dnn_impl,
    .conv_destroy = conv_free,
};

const rb_peer rb_peer_libxsmm_gemm = {
    .name = "libxsmm_gemm",
    .version = libxsmm_version,
    .conv_create = gemm_create,
    .conv_run = gemm_run,
    .conv_output = gemm_output,
    .conv_impl = gemm_impl,
    .conv_destroy = conv_free,
};
