// oneDNN (libdnnl, C API) as a peer: forward-inference convolution with src/weights/dst in format
// `any` (oneDNN picks its blocked layouts, as benchdnn does); our NHWC input and OIHW weights are
// reordered into them once at create, and the timed call runs the convolution primitive only.
#include <dnnl.h>
#include <dnnl_debug.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers/peer.h"

struct rb_peer_conv {
  rb_conv_desc d;
  int threads;
  dnnl_engine_t eng;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t conv;
  dnnl_memory_t src, wei, bias, dst;  // in the primitive's layouts
};

static const char *onednn_version(void) {
  static char buf[160];
  const dnnl_version_t *v = dnnl_version();
  const char *rt = v->cpu_runtime == DNNL_RUNTIME_OMP ? "OMP" : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                   : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "SEQ" : v->cpu_runtime == DNNL_RUNTIME_THREADPOOL
                       ? "THREADPOOL" : "other";
  snprintf(buf, sizeof buf, "oneDNN %d.%d.%d (runtime %s, isa %s)", v->major, v->minor, v->patch, rt,
           dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
  return buf;
}

static rb_status dnnl_err(dnnl_status_t s, const char *what) {
  return rb_fail(s == dnnl_out_of_memory ? RB_ERR_NOMEM : RB_ERR_INVALID_ARG, "oneDNN: %s failed: %s", what,
                 dnnl_status2str(s));
}
#define DNNL_TRY(call)                                   \
  do {                                                   \
    dnnl_status_t s_ = (call);                           \
    if (s_ != dnnl_success) return dnnl_err(s_, #call); \
  } while (0)

// The Debian build's CPU runtime is OpenMP (checked in create): its pool size is the calling thread's
// omp max threads, so set it around every oneDNN call and restore it for our kernels.
typedef struct omp_scope {
  int saved;
} omp_scope;
static omp_scope omp_enter(int threads) {
  omp_scope s = {omp_get_max_threads()};
  omp_set_num_threads(threads);
  return s;
}
static void omp_leave(omp_scope s) { omp_set_num_threads(s.saved); }

static rb_status exec_wait(rb_peer_conv *c, dnnl_primitive_t p, int nargs, const dnnl_exec_arg_t *args) {
  DNNL_TRY(dnnl_primitive_execute(p, c->stream, nargs, args));
  DNNL_TRY(dnnl_stream_wait(c->stream));
  return RB_OK;
}

// One-off reorder from `from` to `to` (both memories on c->eng).
static rb_status reorder(rb_peer_conv *c, dnnl_memory_t from, dnnl_memory_t to) {
  const dnnl_memory_desc_t *fmd, *tmd;
  DNNL_TRY(dnnl_memory_get_memory_desc(from, &fmd));
  DNNL_TRY(dnnl_memory_get_memory_desc(to, &tmd));
  dnnl_primitive_desc_t rpd;
  DNNL_TRY(dnnl_reorder_primitive_desc_create(&rpd, fmd, c->eng, tmd, c->eng, NULL));
  dnnl_primitive_t r;
  dnnl_status_t s = dnnl_primitive_create(&r, rpd);
  dnnl_primitive_desc_destroy(rpd);
  if (s != dnnl_success) return dnnl_err(s, "reorder primitive create");
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  rb_status st = exec_wait(c, r, 2, args);
  dnnl_primitive_destroy(r);
  return st;
}

// A memory of our layout (tag) holding a copy of data, reordered into `to`.
static rb_status load(rb_peer_conv *c, int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag, const float *data,
                      size_t count, dnnl_memory_t to) {
  dnnl_memory_desc_t md;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&md, ndims, dims, dnnl_f32, tag));
  dnnl_memory_t m;
  DNNL_TRY(dnnl_memory_create(&m, &md, c->eng, DNNL_MEMORY_ALLOCATE));
  void *h;
  dnnl_memory_get_data_handle(m, &h);
  memcpy(h, data, count * sizeof(float));
  rb_status s = reorder(c, m, to);
  dnnl_memory_destroy(m);
  return s;
}

static void onednn_destroy(rb_peer_conv *c) {
  if (!c) return;
  if (c->src) dnnl_memory_destroy(c->src);
  if (c->wei) dnnl_memory_destroy(c->wei);
  if (c->bias) dnnl_memory_destroy(c->bias);
  if (c->dst) dnnl_memory_destroy(c->dst);
  if (c->conv) dnnl_primitive_destroy(c->conv);
  if (c->pd) dnnl_primitive_desc_destroy(c->pd);
  if (c->stream) dnnl_stream_destroy(c->stream);
  if (c->eng) dnnl_engine_destroy(c->eng);
  free(c);
}

static rb_status create_in(rb_peer_conv *c, rb_conv_algo algo, const float *weights, const float *bias,
                           const float *src) {
  const rb_conv_desc *d = &c->d;
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d), g = d->groups;
  DNNL_TRY(dnnl_engine_create(&c->eng, dnnl_cpu, 0));
  DNNL_TRY(dnnl_stream_create(&c->stream, c->eng, dnnl_stream_default_flags));
  const dnnl_dims_t src_dims = {d->n, d->cin, d->h, d->w}, dst_dims = {d->n, d->cout, oh, ow};
  const dnnl_dims_t wei_dims_g = {g, d->cout / g, d->cin / g, d->kh, d->kw};
  const dnnl_dims_t wei_dims = {d->cout, d->cin, d->kh, d->kw}, bias_dims = {d->cout};
  dnnl_memory_desc_t src_any, wei_any, dst_any, bias_md;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any));
  if (g > 1)
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any, 5, wei_dims_g, dnnl_f32, dnnl_format_tag_any));
  else
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any, 4, wei_dims, dnnl_f32, dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_a));
  const dnnl_dims_t strides = {d->stride_h, d->stride_w}, dil = {d->dil_h - 1, d->dil_w - 1};
  const dnnl_dims_t pad_l = {d->pad_top, d->pad_left}, pad_r = {d->pad_bottom, d->pad_right};
  const dnnl_alg_kind_t alg = algo == RB_CONV_DIRECT ? dnnl_convolution_direct
                              : algo == RB_CONV_AUTO ? dnnl_convolution_auto : dnnl_convolution_winograd;
  dnnl_convolution_desc_t cd;
  DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, alg, &src_any, &wei_any,
                                                      bias ? &bias_md : NULL, &dst_any, strides, dil, pad_l, pad_r));
  dnnl_status_t s = dnnl_primitive_desc_create(&c->pd, &cd, NULL, c->eng, NULL);
  if (s == dnnl_unimplemented) {
    char shape[160];
    rb_conv_desc_format(d, shape, sizeof shape);
    return rb_fail(RB_ERR_UNSUPPORTED,
                   "oneDNN has no %s implementation for %s (primitive descriptor: unimplemented%s)",
                   alg == dnnl_convolution_winograd ? "Winograd" : "convolution", shape,
                   alg == dnnl_convolution_winograd
                       ? "; its f32 Winograd needs 3x3, stride 1, no dilation, groups 1 and AVX-512"
                       : "");
  }
  if (s != dnnl_success) return dnnl_err(s, "convolution primitive descriptor");
  DNNL_TRY(dnnl_primitive_create(&c->conv, c->pd));
  DNNL_TRY(dnnl_memory_create(&c->src, dnnl_primitive_desc_query_md(c->pd, dnnl_query_src_md, 0), c->eng,
                              DNNL_MEMORY_ALLOCATE));
  DNNL_TRY(dnnl_memory_create(&c->wei, dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 0), c->eng,
                              DNNL_MEMORY_ALLOCATE));
  DNNL_TRY(dnnl_memory_create(&c->dst, dnnl_primitive_desc_query_md(c->pd, dnnl_query_dst_md, 0), c->eng,
                              DNNL_MEMORY_ALLOCATE));
  rb_status st = load(c, 4, src_dims, dnnl_nhwc, src, rb_conv_in_count(d), c->src);
  if (st != RB_OK) return st;
  const size_t nw = (size_t)d->cout * (d->cin / g) * d->kh * d->kw;
  st = g > 1 ? load(c, 5, wei_dims_g, dnnl_goihw, weights, nw, c->wei) : load(c, 4, wei_dims, dnnl_oihw, weights, nw,
                                                                                c->wei);
  if (st != RB_OK) return st;
  if (bias) {
    DNNL_TRY(dnnl_memory_create(&c->bias, dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 1), c->eng,
                                DNNL_MEMORY_ALLOCATE));
    st = load(c, 1, bias_dims, dnnl_a, bias, (size_t)d->cout, c->bias);
  }
  return st;
}

static rb_status onednn_create(const rb_conv_desc *d, rb_conv_algo algo, int threads, const float *weights,
                               const float *bias, const float *src, rb_peer_conv **out) {
  if (!d || !weights || !src || !out) return rb_fail(RB_ERR_NULL, "onednn conv_create: NULL argument");
  *out = NULL;
  rb_status st = rb_conv_desc_check(d);
  if (st != RB_OK) return st;
  if (threads < 1) return rb_fail(RB_ERR_INVALID_ARG, "onednn: threads must be >= 1, got %d", threads);
  if (algo < RB_CONV_AUTO || algo > RB_CONV_WINOGRAD_F6)
    return rb_fail(RB_ERR_INVALID_ARG, "onednn: unknown algorithm %d", (int)algo);
  if (dnnl_version()->cpu_runtime != DNNL_RUNTIME_OMP)
    return rb_fail(RB_ERR_UNSUPPORTED, "onednn: %s: only an OpenMP CPU runtime can be limited to %d threads here",
                   onednn_version(), threads);
  rb_peer_conv *c = calloc(1, sizeof *c);
  if (!c) return rb_fail(RB_ERR_NOMEM, "onednn: out of memory");
  c->d = *d;
  c->threads = threads;
  const omp_scope sc = omp_enter(threads);
  st = create_in(c, algo, weights, bias, src);
  omp_leave(sc);
  if (st != RB_OK) {
    onednn_destroy(c);
    return st;
  }
  *out = c;
  return RB_OK;
}

static rb_status onednn_run(rb_peer_conv *c) {
  if (!c) return rb_fail(RB_ERR_NULL, "onednn conv_run: NULL conv");
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, c->wei}, {DNNL_ARG_DST, c->dst},
                                  {DNNL_ARG_BIAS, c->bias}};
  const omp_scope sc = omp_enter(c->threads);
  const rb_status st = exec_wait(c, c->conv, c->bias ? 4 : 3, args);
  omp_leave(sc);
  return st;
}

static rb_status onednn_output(rb_peer_conv *c, float *dst) {
  if (!c || !dst) return rb_fail(RB_ERR_NULL, "onednn conv_output: NULL argument");
  const dnnl_dims_t dims = {c->d.n, c->d.cout, rb_conv_out_h(&c->d), rb_conv_out_w(&c->d)};
  dnnl_memory_desc_t md;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&md, 4, dims, dnnl_f32, dnnl_nhwc));
  dnnl_memory_t m;
  DNNL_TRY(dnnl_memory_create(&m, &md, c->eng, dst));
  const omp_scope sc = omp_enter(c->threads);
  const rb_status st = reorder(c, c->dst, m);
  omp_leave(sc);
  dnnl_memory_destroy(m);
  return st;
}

static const char *onednn_impl(const rb_peer_conv *c) {
  const char *s = NULL;
  if (!c || dnnl_primitive_desc_query(c->pd, dnnl_query_impl_info_str, 0, &s) != dnnl_success || !s) return "?";
  return s;
}

const rb_peer rb_peer_onednn = {
    .name = "onednn",
    .version = onednn_version,
    .conv_create = onednn_create,
    .conv_run = onednn_run,
    .conv_output = onednn_output,
    .conv_impl = onednn_impl,
    .conv_destroy = onednn_destroy,
};
