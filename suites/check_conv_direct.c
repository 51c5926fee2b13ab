// `resbench check` rows for direct convolution: ResNet-family layers at batch 1, full size.
#include <stdlib.h>

#include "check.h"
#include "oracle64.h"
#include "resbench/resbench.h"

typedef struct direct_case {
  rb_conv_desc d;
  int residual, relu;
} direct_case;

static void run_case(const rb_kernels *k, const direct_case *c, uint64_t seed, const rb_check_sink *s) {
  const rb_conv_desc *d = &c->d;
  const size_t nin = (size_t)d->n * d->h * d->w * d->cin;
  const size_t nout = (size_t)d->n * rb_conv_out_h(d) * rb_conv_out_w(d) * d->cout;
  const size_t nw = (size_t)d->cout * (d->cin / d->groups) * d->kh * d->kw;
  float *in = rb_aligned_alloc(nin * 4), *w = rb_aligned_alloc(nw * 4), *bias = rb_aligned_alloc(d->cout * 4u);
  float *res = c->residual ? rb_aligned_alloc(nout * 4) : NULL;
  float *out = rb_aligned_alloc(nout * 4), *ref_out = rb_aligned_alloc(nout * 4);
  double *exact = malloc(nout * 8), *mag = malloc(nout * 8);
  o64_rng r;
  o64_seed(&r, seed);
  o64_fill(&r, in, nin, -1, 1);
  o64_fill(&r, w, nw, -1, 1);
  o64_fill(&r, bias, d->cout, -1, 1);
  if (res) o64_fill(&r, res, nout, -1, 1);
  o64_conv(d, in, w, bias, res, c->relu, exact, mag);

  rb_check_row row = {.kernel = k->conv_direct->name, .isa = k->isa_name, .against = "fp64"};
  rb_conv_desc_format(d, row.shape, sizeof row.shape);
  // Float accumulation of K terms (plus bias and residual): within gamma_{K+2} of exact.
  row.tol = o64_gamma((double)(d->cin / d->groups) * d->kh * d->kw + 2);
  rb_conv_plan *p = NULL;
  o64_poison(out, nout);
  if (rb_conv_plan_create(k, d, RB_CONV_DIRECT, 0, w, bias, &p) == RB_OK &&
      rb_conv_plan_run(p, in, res, c->relu, out) == RB_OK) {
    const o64_cmp cmp = o64_compare(out, exact, mag, nout, row.tol);
    row.max_abs_err = cmp.max_abs_err, row.max_rel_err = cmp.max_rel_err, row.mean_rel_err = cmp.mean_rel_err;
    row.pass = cmp.pass;
  }
  s->emit(s->ctx, &row);
  rb_conv_plan_destroy(p);

  if (k->isa != RB_ISA_REF) {  // the same layer against the ref kernel's float result
    rb_check_row vs_ref = row;
    vs_ref.against = "ref";
    vs_ref.pass = 0;
    o64_poison(ref_out, nout);
    if (rb_conv_plan_create(&rb_kernels_ref, d, RB_CONV_DIRECT, 0, w, bias, &p) == RB_OK &&
        rb_conv_plan_run(p, in, res, c->relu, ref_out) == RB_OK) {
      for (size_t i = 0; i < nout; i++) exact[i] = ref_out[i];
      // Two float results, each within gamma of exact: within twice that of each other.
      vs_ref.tol = 2 * row.tol;
      const o64_cmp cmp = o64_compare(out, exact, mag, nout, vs_ref.tol);
      vs_ref.max_abs_err = cmp.max_abs_err, vs_ref.max_rel_err = cmp.max_rel_err;
      vs_ref.mean_rel_err = cmp.mean_rel_err, vs_ref.pass = cmp.pass;
    }
    s->emit(s->ctx, &vs_ref);
    rb_conv_plan_destroy(p);
  }
  rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(bias), rb_aligned_free(res);
  rb_aligned_free(out), rb_aligned_free(ref_out);
  free(exact), free(mag);
}

void rb_check_conv_direct(const rb_kernels *k, const rb_check_sink *s) {
  if (!k->conv_direct) return;
  const direct_case cases[] = {
      {rb_conv_desc_make(1, 224, 224, 3, 64, 7, 2, 3, 1, 1), 0, 1},     // ResNet stem
      {rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1), 0, 1},      // ResNet-18/34 stage 1
      {rb_conv_desc_make(1, 56, 56, 256, 64, 1, 1, 0, 1, 1), 0, 1},     // ResNet-50 reduce 1x1
      {rb_conv_desc_make(1, 56, 56, 64, 256, 1, 1, 0, 1, 1), 1, 1},     // expand 1x1 + residual
      {rb_conv_desc_make(1, 56, 56, 128, 128, 3, 2, 1, 1, 1), 0, 1},    // stage 2 3x3 stride 2
      {rb_conv_desc_make(1, 56, 56, 256, 512, 1, 2, 0, 1, 1), 0, 0},    // downsample 1x1 s2
      {rb_conv_desc_make(1, 56, 56, 128, 128, 3, 1, 1, 1, 32), 0, 1},   // ResNeXt-50 32x4d
      {rb_conv_desc_make(1, 14, 14, 512, 512, 3, 1, 1, 1, 32), 0, 1},   // ResNeXt stage 3
      {rb_conv_desc_make(1, 28, 28, 128, 128, 3, 1, 2, 2, 32), 0, 1},   // SKNet dilated path
      {rb_conv_desc_make(1, 56, 56, 64, 128, 3, 1, 1, 1, 2), 0, 1},     // ResNeSt-50 radix 2
      {rb_conv_desc_make(1, 7, 7, 512, 512, 3, 1, 1, 1, 1), 0, 1},      // ResNet-18/34 stage 4
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(k, &cases[i], 42 + i, s);
}
