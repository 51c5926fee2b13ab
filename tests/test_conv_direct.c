// Direct convolution (ref and every other available ISA) against the fp64 oracle.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oracle64.h"
#include "resbench/resbench.h"
#include "testutil.h"

typedef struct conv_case {
  rb_conv_desc d;
  int bias, residual, relu;
} conv_case;

// One case on table k through the harness `resbench check` uses too (suites/check.h): against
// fp64 within gamma_{K+2} * sum|terms| (the direct kernel sums K = cin/groups * kh * kw products
// plus bias and residual in float32, in any order), and a SIMD table also against ref.
static void assert_case(const rb_kernels *k, const conv_case *c, uint64_t seed) {
  rb_conv_case_result r;
  rb_check_conv_case(k, &c->d, c->bias, c->residual, c->relu, seed, &r);
  char shape[128];
  rb_conv_desc_format(&c->d, shape, sizeof shape);
  ck_assert_msg(r.status == RB_OK, "%s %s: %s", k->isa_name, shape, rb_last_error());
  const o64_cmp *cmp[2] = {&r.vs_fp64, &r.vs_ref};
  for (int i = 0; i < 1 + r.have_ref; i++)
    ck_assert_msg(cmp[i]->pass,
                  "%s %s %s (pads t%d l%d b%d r%d, bias %d residual %d relu %d) vs %s: max rel err %.3g (tol %.3g), "
                  "%zu NaN, worst element %zu",
                  k->isa_name, r.kernel, shape, c->d.pad_top, c->d.pad_left, c->d.pad_bottom, c->d.pad_right, c->bias,
                  c->residual, c->relu, i ? "ref" : "fp64", cmp[i]->max_rel_err, (i + 1) * r.tol, cmp[i]->nan_count,
                  cmp[i]->worst);
  ck_assert_int_eq(r.have_ref, k->isa != RB_ISA_REF);
}

// ResNet-family layers, scaled down in space so the fp64 oracle stays fast.
START_TEST(resnet_family_layers) {
  const conv_case cases[] = {
      {rb_conv_desc_make(1, 33, 33, 3, 64, 7, 2, 3, 1, 1), 1, 0, 1},        // stem 7x7 s2, odd size
      {rb_conv_desc_make(1, 14, 14, 64, 64, 3, 1, 1, 1, 1), 1, 0, 1},       // basic block 3x3
      {rb_conv_desc_make(2, 9, 9, 64, 256, 1, 1, 0, 1, 1), 1, 1, 1},        // bottleneck expand + residual
      {rb_conv_desc_make(1, 15, 15, 128, 128, 3, 2, 1, 1, 32), 1, 0, 1},    // ResNeXt 32x4d, stride 2
      {rb_conv_desc_make(1, 8, 8, 256, 256, 3, 1, 1, 1, 32), 1, 0, 0},      // ResNeXt 32x8 ch
      {rb_conv_desc_make(1, 11, 11, 48, 48, 3, 1, 1, 1, 48), 1, 0, 1},      // depthwise
      {rb_conv_desc_make(1, 13, 13, 40, 40, 3, 1, 2, 2, 1), 1, 0, 1},       // SK dilated 3x3 (5x5 field)
      {rb_conv_desc_make(1, 10, 10, 64, 128, 3, 1, 1, 1, 4), 1, 0, 1},      // ResNeSt radix 2 x card 2
      {rb_conv_desc_make(2, 15, 15, 64, 128, 1, 2, 0, 1, 1), 1, 0, 0},      // downsample 1x1 s2, odd size
  };
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (int t = 0; t < nt; t++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_case(tables[t], &cases[i], 100 + i);
}
END_TEST

// Random descriptors: odd sizes, strides 1-3, dilation 1-2, asymmetric padding, groups
// 1/2/4/32/depthwise, channels off any vector width, kh != kw.
START_TEST(random_shapes) {
  o64_rng r;
  o64_seed(&r, 7);
  static const int group_choices[] = {1, 1, 2, 4, 32, 0 /* depthwise */};
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  int ran = 0;
  while (ran < 120) {
    const int gsel = group_choices[o64_int(&r, 0, 5)];
    const int cpg_in = o64_int(&r, 1, gsel == 32 ? 4 : 19), cpg_out = o64_int(&r, 1, gsel == 32 ? 4 : 21);
    rb_conv_desc d = {
        .n = o64_int(&r, 1, 3), .h = o64_int(&r, 1, 15), .w = o64_int(&r, 1, 15),
        .kh = o64_int(&r, 1, 5), .kw = o64_int(&r, 1, 5),
        .stride_h = o64_int(&r, 1, 3), .stride_w = o64_int(&r, 1, 3),
        .pad_top = o64_int(&r, 0, 3), .pad_left = o64_int(&r, 0, 3),
        .pad_bottom = o64_int(&r, 0, 3), .pad_right = o64_int(&r, 0, 3),
        .dil_h = o64_int(&r, 1, 2), .dil_w = o64_int(&r, 1, 2),
    };
    if (gsel == 0) {  // depthwise: one input channel per group, channel multiplier 1 or 2
      d.groups = o64_int(&r, 1, 37);
      d.cin = d.groups;
      d.cout = d.groups * o64_int(&r, 1, 2);
    } else {
      d.groups = gsel;
      d.cin = gsel * cpg_in;
      d.cout = gsel * cpg_out;
    }
    if (rb_conv_desc_check(&d) != RB_OK) continue;  // e.g. kernel larger than the padded input
    const conv_case c = {d, o64_int(&r, 0, 1), o64_int(&r, 0, 1), o64_int(&r, 0, 1)};
    for (int t = 0; t < nt; t++) assert_case(tables[t], &c, 1000 + (uint64_t)ran);
    ran++;
  }
}
END_TEST

// The pack must be a pure relayout: swapping two weights of different output channels must
// change exactly those channels' outputs (catches a pack that mixes up o and i).
START_TEST(weights_are_not_mixed_across_channels) {
  const rb_conv_desc d = rb_conv_desc_make(1, 5, 5, 6, 4, 3, 1, 1, 1, 2);
  const rb_kernels *k;
  ck_assert_int_eq(rb_kernels_get(RB_ISA_REF, &k), RB_OK);
  float in[5 * 5 * 6], w[4 * 3 * 9], out[5 * 5 * 4];
  double exact[5 * 5 * 4], mag[5 * 5 * 4];
  o64_rng r;
  o64_seed(&r, 3);
  o64_fill(&r, in, sizeof in / 4, -1, 1);
  for (int i = 0; i < 4 * 3 * 9; i++) w[i] = 0.0f;
  w[(2 * 3 + 1) * 9 + 4] = 1.0f;  // output 2 copies (its group's) input channel 1 = global channel 4
  rb_conv_plan *p;
  ck_assert_int_eq(rb_conv_plan_create(k, &d, RB_CONV_DIRECT, 0, w, NULL, &p), RB_OK);
  o64_poison(out, sizeof out / 4);
  ck_assert_int_eq(rb_conv_plan_run(p, in, NULL, 0, out), RB_OK);
  o64_conv(&d, in, w, NULL, NULL, 0, exact, mag);
  for (int i = 0; i < 25; i++) {
    ck_assert_float_eq(out[i * 4 + 2], in[i * 6 + 4]);
    ck_assert_float_eq(out[i * 4 + 0], 0.0f);
    ck_assert_float_eq((double)out[i * 4 + 2], exact[i * 4 + 2]);
  }
  rb_conv_plan_destroy(p);
}
END_TEST

// rb_conv_plan_run_fused on every table and algorithm that runs the shape (the engine in its
// microkernels' store, ref and Winograd in a pass after): out = relu(scale x (conv + bias) +
// residual) and its channel sums, against fp64 with the scale applied to the oracle's sum; and a
// scale with the residual in place is refused, naming why.
START_TEST(fused_scale_every_algorithm) {
  const rb_conv_desc descs[] = {rb_conv_desc_make(2, 9, 7, 24, 40, 3, 1, 1, 1, 1),   // 3x3: direct and Winograd
                                rb_conv_desc_make(3, 5, 5, 64, 72, 1, 1, 0, 1, 1)};  // 1x1: tiles across images
  const rb_conv_algo algos[] = {RB_CONV_DIRECT, RB_CONV_WINOGRAD_F2, RB_CONV_WINOGRAD_F4};
  const rb_kernels *tables[RB_ISA_COUNT];
  const int nt = tu_available_tables(tables);
  for (size_t di = 0; di < sizeof descs / sizeof descs[0]; di++) {
    const rb_conv_desc *d = &descs[di];
    const size_t nin = rb_conv_in_count(d), nout = rb_conv_out_count(d), nw = rb_conv_weight_count(d);
    const size_t ns = (size_t)d->n * d->cout, image = nout / ns;
    float *in = rb_aligned_alloc(nin * 4), *w = rb_aligned_alloc(nw * 4), *bias = rb_aligned_alloc((size_t)d->cout * 4);
    float *res = rb_aligned_alloc(nout * 4), *out = rb_aligned_alloc(nout * 4), *scale = rb_aligned_alloc(ns * 4);
    float *sums = rb_aligned_alloc(ns * 4);
    double *exact = malloc(nout * 8), *mag = malloc(nout * 8);
    o64_rng r;
    o64_seed(&r, 31 + di);
    o64_fill(&r, in, nin, -1, 1), o64_fill(&r, w, nw, -1, 1), o64_fill(&r, bias, (size_t)d->cout, -1, 1);
    o64_fill(&r, res, nout, -1, 1), o64_fill(&r, scale, ns, 0.05f, 1.0f);
    o64_conv(d, in, w, bias, NULL, 0, exact, mag);
    for (size_t i = 0; i < nout; i++) {
      const double g = scale[i / (image * d->cout) * d->cout + i % d->cout], v = exact[i] * g + res[i];
      mag[i] = mag[i] * g + (res[i] < 0 ? -res[i] : res[i]);
      exact[i] = v < 0 ? 0 : v;
    }
    for (int t = 0; t < nt; t++)
      for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
        rb_conv_plan *p;
        if (rb_conv_plan_create(tables[t], d, algos[a], 1, w, bias, &p) != RB_OK) continue;  // not this shape / ISA
        const rb_conv_fusion f = {res, 1, scale, sums};
        o64_poison(out, nout), o64_poison(sums, ns);
        ck_assert_int_eq(rb_conv_plan_run_fused(p, in, &f, out), RB_OK);
        const double tol = rb_conv_algo_winograd_m(algos[a]) ? 1e-4 : o64_gamma((double)(d->cin * d->kh * d->kw + 3));
        const o64_cmp c = o64_compare(out, exact, mag, nout, tol);
        ck_assert_msg(c.pass, "%s %s (%s) desc %zu: max rel err %.3g (tol %.3g), %zu NaN", tables[t]->isa_name,
                      rb_conv_plan_kernel_name(p), rb_conv_algo_name(algos[a]), di, c.max_rel_err, tol, c.nan_count);
        for (size_t b = 0; b < (size_t)d->n; b++)  // the sums are of what was stored
          for (size_t ch = 0; ch < (size_t)d->cout; ch++) {
            double e = 0, m = 0;
            for (size_t q = 0; q < image; q++) {
              const double v = out[(b * image + q) * d->cout + ch];
              e += v, m += v < 0 ? -v : v;
            }
            const double got = sums[b * d->cout + ch];
            ck_assert_msg(got - e <= o64_gamma((double)image) * m && e - got <= o64_gamma((double)image) * m,
                          "%s %s: sums[%zu][%zu] = %.9g, exact %.9g", tables[t]->isa_name, rb_conv_algo_name(algos[a]),
                          b, ch, got, e);
          }
        const rb_conv_fusion in_place = {out, 1, scale, NULL};
        ASSERT_FAILS(rb_conv_plan_run_fused(p, in, &in_place, out), RB_ERR_INVALID_ARG,
                     "a scale needs the residual apart from the output");
        rb_conv_plan_destroy(p);
      }
    rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(bias), rb_aligned_free(res), rb_aligned_free(out);
    rb_aligned_free(scale), rb_aligned_free(sums), free(exact), free(mag);
  }
}
END_TEST

Suite *conv_direct_suite(void) {
  Suite *s = suite_create("conv_direct");
  TCase *tc = tcase_create("vs_fp64");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, resnet_family_layers);
  tcase_add_test(tc, random_shapes);
  tcase_add_test(tc, weights_are_not_mixed_across_channels);
  tcase_add_test(tc, fused_scale_every_algorithm);
  suite_add_tcase(s, tc);
  return s;
}
