// `resbench check` rows for direct convolution: ResNet-family layers at batch 1, full size.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oracle64.h"
#include "resbench/resbench.h"

typedef struct direct_case {
  rb_conv_desc d;
  int residual, relu;
} direct_case;

// Plans and runs d twice on k into out (poisoned before each run).
static rb_status run_plan(const rb_kernels *k, const rb_conv_desc *d, const float *in, const float *w,
                          const float *bias, const float *res, int relu, float *out, size_t nout, char *kernel,
                          size_t len) {
  rb_conv_plan *p = NULL;
  rb_status s = rb_conv_plan_create(k, d, RB_CONV_DIRECT, 0, w, bias, &p);
  if (s == RB_OK && kernel) snprintf(kernel, len, "%s", rb_conv_plan_kernel_name(p));
  for (int rep = 0; s == RB_OK && rep < 2; rep++) {  // a plan runs many times with the same result
    o64_poison(out, nout);
    s = rb_conv_plan_run(p, in, res, relu, out);
  }
  rb_conv_plan_destroy(p);
  return s;
}

void rb_check_conv_case(const rb_kernels *k, const rb_conv_desc *d, int with_bias, int with_residual, int relu,
                        uint64_t seed, rb_conv_case_result *r) {
  memset(r, 0, sizeof *r);
  const size_t nin = rb_conv_in_count(d), nout = rb_conv_out_count(d), nw = rb_conv_weight_count(d);
  float *in = rb_aligned_alloc(nin * 4), *w = rb_aligned_alloc(nw * 4);
  float *bias = with_bias ? rb_aligned_alloc((size_t)d->cout * 4) : NULL;
  float *res = with_residual ? rb_aligned_alloc(nout * 4) : NULL;
  float *out = rb_aligned_alloc(nout * 4), *ref_out = rb_aligned_alloc(nout * 4);
  double *exact = malloc(nout * 8), *mag = malloc(nout * 8);
  // Float accumulation of K terms (plus bias and residual): within gamma_{K+2} of exact.
  r->tol = o64_gamma((double)(d->cin / d->groups) * d->kh * d->kw + 2);
  if (!in || !w || (with_bias && !bias) || (with_residual && !res) || !out || !ref_out || !exact || !mag) {
    r->status = rb_fail(RB_ERR_NOMEM, "out of memory checking a convolution");
    goto done;
  }
  o64_rng g;
  o64_seed(&g, seed);
  o64_fill(&g, in, nin, -1, 1);
  o64_fill(&g, w, nw, -1, 1);
  if (bias) o64_fill(&g, bias, (size_t)d->cout, -1, 1);
  if (res) o64_fill(&g, res, nout, -1, 1);
  o64_conv(d, in, w, bias, res, relu, exact, mag);
  if ((r->status = run_plan(k, d, in, w, bias, res, relu, out, nout, r->kernel, sizeof r->kernel)) != RB_OK) goto done;
  r->vs_fp64 = o64_compare(out, exact, mag, nout, r->tol);
  if (k->isa != RB_ISA_REF) {  // the same layer against the ref kernel's float result
    if ((r->status = run_plan(&rb_kernels_ref, d, in, w, bias, res, relu, ref_out, nout, NULL, 0)) != RB_OK) goto done;
    for (size_t i = 0; i < nout; i++) exact[i] = ref_out[i];
    // Two float results, each within gamma of exact: within twice that of each other.
    r->vs_ref = o64_compare(out, exact, mag, nout, 2 * r->tol);
    r->have_ref = 1;
  }
done:
  rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(bias), rb_aligned_free(res);
  rb_aligned_free(out), rb_aligned_free(ref_out);
  free(exact), free(mag);
}

static void run_case(const rb_kernels *k, const direct_case *c, uint64_t seed, const rb_check_sink *s) {
  rb_conv_case_result r;
  rb_check_conv_case(k, &c->d, 1, c->residual, c->relu, seed, &r);
  rb_check_row row = {.kernel = rb_check_name(r.kernel[0] ? r.kernel : "(no plan)"), .isa = k->isa_name, .against = "fp64"};
  rb_conv_desc_format(&c->d, row.shape, sizeof row.shape);
  row.tol = r.tol;
  row.pass = r.status == RB_OK && r.vs_fp64.pass;
  row.max_abs_err = r.vs_fp64.max_abs_err, row.max_rel_err = r.vs_fp64.max_rel_err;
  row.mean_rel_err = r.vs_fp64.mean_rel_err;
  s->emit(s->ctx, &row);
  if (k->isa != RB_ISA_REF) {
    rb_check_row vs_ref = row;
    vs_ref.against = "ref";
    vs_ref.tol = 2 * r.tol;
    vs_ref.pass = r.status == RB_OK && r.have_ref && r.vs_ref.pass;
    vs_ref.max_abs_err = r.vs_ref.max_abs_err, vs_ref.max_rel_err = r.vs_ref.max_rel_err;
    vs_ref.mean_rel_err = r.vs_ref.mean_rel_err;
    s->emit(s->ctx, &vs_ref);
  }
}

void rb_check_conv_direct(const rb_kernels *k, const rb_check_sink *s) {
  if (!k->conv_direct && !k->engine) return;
  const direct_case cases[] = {
      {rb_conv_desc_make(1, 224, 224, 3, 64, 7, 2, 3, 1, 1), 0, 1},     // ResNet stem
      {rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1), 0, 1},      // ResNet-18/34 stage 1
      {rb_conv_desc_make(1, 56, 56, 256, 64, 1, 1, 0, 1, 1), 0, 1},     // ResNet-50 reduce 1x1
      {rb_conv_desc_make(1, 56, 56, 64, 256, 1, 1, 0, 1, 1), 1, 1},     // expand 1x1 + residual
      {rb_conv_desc_make(1, 56, 56, 128, 128, 3, 2, 1, 1, 1), 0, 1},    // stage 2 3x3 stride 2
      {rb_conv_desc_make(1, 56, 56, 256, 512, 1, 2, 0, 1, 1), 0, 0},    // downsample 1x1 s2
      {rb_conv_desc_make(1, 56, 56, 128, 128, 3, 1, 1, 1, 32), 0, 1},   // ResNeXt-50 32x4d
      {rb_conv_desc_make(1, 56, 56, 256, 256, 3, 2, 1, 1, 32), 0, 1},   // ResNeXt stage 2 (8 a group), s2
      {rb_conv_desc_make(1, 14, 14, 512, 512, 3, 1, 1, 1, 32), 0, 1},   // ResNeXt stage 3
      {rb_conv_desc_make(1, 28, 28, 128, 128, 3, 1, 2, 2, 32), 0, 1},   // SKNet dilated path
      {rb_conv_desc_make(1, 56, 56, 64, 128, 3, 1, 1, 1, 2), 0, 1},     // ResNeSt-50 radix 2
      {rb_conv_desc_make(1, 7, 7, 512, 512, 3, 1, 1, 1, 1), 0, 1},      // ResNet-18/34 stage 4
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(k, &cases[i], 42 + i, s);
}
