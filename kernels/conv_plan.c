// Convolution plans: validate once, choose the kernel, pack weights once, run many times.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "resbench/conv.h"
#include "resbench/ops.h"
#include "table.h"
#include "winograd.h"
#include "resbench/tensor.h"

struct rb_conv_plan {
  const rb_kernels *k;  // the table: its scale_add applies a fused scale after ref and Winograd runs
  rb_conv_desc d;
  rb_conv_algo algo;
  rb_engine_plan *engine;  // direct convolution on the SIMD engine; else wino or kern
  rb_wino_plan *wino;      // Winograd on the SIMD engine
  const rb_conv_kernel *kern;
  float *packed;
  float *bias;  // NULL when the plan has none
  float *workspace;
  size_t in_count, out_count;
};

void rb_conv_plan_destroy(rb_conv_plan *p) {
  if (!p) return;
  rb_engine_plan_destroy(p->engine);
  rb_wino_plan_destroy(p->wino);
  rb_aligned_free(p->packed);
  rb_aligned_free(p->bias);
  rb_aligned_free(p->workspace);
  free(p);
}

static rb_engine_path engine_path(rb_conv_algo algo) {
  switch (algo) {
    case RB_CONV_DIRECT_GEMM: return RB_PATH_GEMM;
    case RB_CONV_DIRECT_IGEMM: return RB_PATH_IGEMM;
    case RB_CONV_DIRECT_NGCONV: return RB_PATH_NGCONV;
    case RB_CONV_DIRECT_ROWS: return RB_PATH_ROWS;
    default: return RB_PATH_AUTO;
  }
}

rb_status rb_conv_plan_create(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, int threads,
                              const float *weights_oihw, const float *bias, rb_conv_plan **plan) {
  if (!plan) return rb_fail(RB_ERR_NULL, "rb_conv_plan_create: plan is NULL");
  *plan = NULL;
  if (!k) return rb_fail(RB_ERR_NULL, "rb_conv_plan_create: kernel table is NULL");
  if (!weights_oihw) return rb_fail(RB_ERR_NULL, "rb_conv_plan_create: weights are NULL");
  if (threads < 0) return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_create: threads must be >= 0, got %d", threads);
  rb_status s = rb_conv_algo_choose(k, d, algo, &algo);
  if (s != RB_OK) return s;

  rb_conv_plan *p = calloc(1, sizeof *p);
  if (!p) return rb_fail(RB_ERR_NOMEM, "out of memory for a conv plan");
  p->k = k;
  p->d = *d;
  p->algo = algo;
  p->in_count = rb_conv_in_count(d);
  p->out_count = rb_conv_out_count(d);
  const int m = rb_conv_algo_winograd_m(algo);
  if (m && k->engine && rb_wino_engine_has(k->engine, m)) {
    s = rb_wino_plan_create(k->engine, d, m, threads, weights_oihw, bias, &p->wino);
  } else if (!m && k->engine) {
    s = rb_engine_plan_create(k->engine, d, engine_path(algo), threads, weights_oihw, bias, &p->engine);
  } else {
    p->kern = m ? k->conv_winograd[m / 2 - 1] : k->conv_direct;
    const size_t packed = p->kern->packed_size(d), ws = p->kern->workspace_size(d);
    p->packed = rb_aligned_alloc(packed * sizeof(float));
    if (ws) p->workspace = rb_aligned_alloc(ws * sizeof(float));
    if (bias) p->bias = rb_aligned_alloc((size_t)d->cout * sizeof(float));
    if (!p->packed || (ws && !p->workspace) || (bias && !p->bias)) {
      s = rb_fail(RB_ERR_NOMEM, "out of memory packing %s weights (%zu + %zu floats)", p->kern->name, packed, ws);
    } else {
      p->kern->pack(d, weights_oihw, p->packed);
      if (bias) memcpy(p->bias, bias, (size_t)d->cout * sizeof(float));
    }
  }
  if (s != RB_OK) {
    rb_conv_plan_destroy(p);
    return s;
  }
  *plan = p;
  return RB_OK;
}

rb_status rb_conv_plan_bytes(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, double *bytes) {
  if (!k || !bytes) return rb_fail(RB_ERR_NULL, "rb_conv_plan_bytes: NULL argument");
  rb_status s = rb_conv_algo_choose(k, d, algo, &algo);
  if (s != RB_OK) return s;
  const int m = rb_conv_algo_winograd_m(algo);
  if (m && k->engine && rb_wino_engine_has(k->engine, m)) {
    *bytes = rb_wino_plan_bytes(k->engine, d, m, 0);
    return RB_OK;
  }
  const rb_conv_kernel *kern = m ? k->conv_winograd[m / 2 - 1] : k->conv_direct;
  *bytes = ((double)kern->packed_size(d) + (double)kern->workspace_size(d) + d->cout) * sizeof(float);
  return RB_OK;
}

static int overlaps(const float *a, size_t na, const float *b, size_t nb) {
  return (uintptr_t)a < (uintptr_t)(b + nb) && (uintptr_t)b < (uintptr_t)(a + na);
}

rb_status rb_conv_plan_run(rb_conv_plan *p, const float *in, const float *residual, int relu, float *out) {
  const rb_conv_fusion f = {residual, relu, NULL, NULL};
  return rb_conv_plan_run_fused(p, in, &f, out);
}

rb_status rb_conv_plan_run_sums(rb_conv_plan *p, const float *in, const float *residual, int relu, float *out,
                                float *sums) {
  const rb_conv_fusion f = {residual, relu, NULL, sums};
  return rb_conv_plan_run_fused(p, in, &f, out);
}

rb_status rb_conv_plan_run_fused(rb_conv_plan *p, const float *in, const rb_conv_fusion *f, float *out) {
  const rb_conv_fusion none = {0};
  if (!f) f = &none;
  const float *residual = f->residual, *scale = f->scale;
  float *sums = f->sums;
  if (!p) return rb_fail(RB_ERR_NULL, "rb_conv_plan_run: plan is NULL");
  if (!in) return rb_fail(RB_ERR_NULL, "rb_conv_plan_run: input is NULL");
  if (!out) return rb_fail(RB_ERR_NULL, "rb_conv_plan_run: output is NULL");
  if (overlaps(in, p->in_count, out, p->out_count))
    return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_run: output overlaps the input");
  if (residual && overlaps(residual, p->out_count, out, p->out_count) && residual != out)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_run: the residual partly overlaps the output");
  const size_t nsums = (size_t)p->d.n * p->d.cout;
  if (sums && (overlaps(sums, nsums, out, p->out_count) || overlaps(sums, nsums, in, p->in_count) ||
               (residual && overlaps(sums, nsums, residual, p->out_count))))
    return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_run_sums: sums overlap the input, output or residual");
  if (scale && residual == out)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_run_fused: a scale needs the residual apart from the output");
  if (scale && (overlaps(scale, nsums, out, p->out_count) || (sums && overlaps(scale, nsums, sums, nsums))))
    return rb_fail(RB_ERR_INVALID_ARG, "rb_conv_plan_run_fused: the scale overlaps the output or the sums");
  if (p->engine) {  // all of it fused into the driver's store
    rb_engine_plan_run(p->engine, in, f, out);
    return RB_OK;
  }
  const size_t image = p->out_count / (size_t)p->d.n / (size_t)p->d.cout, cout = (size_t)p->d.cout;
  // Elsewhere the scale comes after the run, with the residual and ReLU: the run takes neither.
  if (p->wino) {
    rb_wino_plan_run(p->wino, in, scale ? NULL : residual, !scale && f->relu, out);
  } else {
    const rb_epilogue e = {.bias = p->bias, .residual = scale ? NULL : residual, .relu = !scale && f->relu};
    p->kern->run(&p->d, in, p->packed, &e, p->workspace, out);
  }
  rb_status s = RB_OK;
  if (scale)  // the SE scale + add pass the engine fuses, in place on out
    s = rb_op_scale_add(p->k, p->d.n, (int)image, (int)cout, out, scale, residual, f->relu, out);
  if (s != RB_OK) return s;
  if (sums) {  // elsewhere a pass over the output, in pixel order
    for (int b = 0; b < p->d.n; b++) {
      float *dst = sums + (size_t)b * cout;
      memset(dst, 0, cout * sizeof(float));
      for (size_t q = 0; q < image; q++) {
        const float *row = out + ((size_t)b * image + q) * cout;
        for (size_t j = 0; j < cout; j++) dst[j] += row[j];
      }
    }
  }
  return RB_OK;
}

static rb_status expect_shape(const char *what, const rb_tensor *t, int n, int h, int w, int c) {
  if (!t->data) return rb_fail(RB_ERR_NULL, "rb_conv_plan_run_tensors: %s tensor has no data", what);
  if (t->n != n || t->h != h || t->w != w || t->c != c)
    return rb_fail(RB_ERR_SHAPE, "rb_conv_plan_run_tensors: %s tensor is %dx%dx%dx%d (NHWC), the plan needs %dx%dx%dx%d",
                   what, t->n, t->h, t->w, t->c, n, h, w, c);
  return RB_OK;
}

rb_status rb_conv_plan_run_tensors(rb_conv_plan *p, const rb_tensor *in, const rb_tensor *residual, int relu,
                                   rb_tensor *out) {
  if (!p || !in || !out) return rb_fail(RB_ERR_NULL, "rb_conv_plan_run_tensors: plan, input or output is NULL");
  const rb_conv_desc *d = &p->d;
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d);
  rb_status s = expect_shape("input", in, d->n, d->h, d->w, d->cin);
  if (s == RB_OK) s = expect_shape("output", out, d->n, oh, ow, d->cout);
  if (s == RB_OK && residual) s = expect_shape("residual", residual, d->n, oh, ow, d->cout);
  if (s != RB_OK) return s;
  return rb_conv_plan_run(p, in->data, residual ? residual->data : NULL, relu, out->data);
}

const rb_conv_desc *rb_conv_plan_desc(const rb_conv_plan *p) { return p ? &p->d : NULL; }
rb_conv_algo rb_conv_plan_algo(const rb_conv_plan *p) { return p ? p->algo : RB_CONV_AUTO; }
const char *rb_conv_plan_kernel_name(const rb_conv_plan *p) {
  return !p ? NULL : p->engine ? rb_engine_plan_ukernel(p->engine) : p->wino ? rb_wino_plan_ukernel(p->wino) : p->kern->name;
}

const char *rb_conv_plan_path(const rb_conv_plan *p) {
  if (!p) return NULL;
  if (p->engine) return rb_engine_plan_path_name(p->engine);
  return p->algo == RB_CONV_DIRECT ? "ref" : "winograd";
}
