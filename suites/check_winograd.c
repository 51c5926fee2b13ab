// `resbench check` rows for Winograd convolution: the error study F(2x2,3x3), F(4x4,3x3),
// F(6x6,3x3) against fp64 on the 3x3 stride-1 layers of the ResNet family, batch 1, full size.
#include <stdlib.h>

#include "check.h"
#include "oracle64.h"
#include "resbench/resbench.h"
#include "winograd_tol.h"

// Runs algorithm i of table k on d; out poisoned first. RB_OK or the plan's error; *kernel: what
// ran (the engine's transforms and GEMM, or its one-pass narrow-group kernel), when not NULL.
static rb_status run_wino(const rb_kernels *k, int i, const rb_conv_desc *d, const float *in, const float *w,
                          const float *bias, size_t nout, float *out, const char **kernel) {
  rb_conv_plan *p = NULL;
  o64_poison(out, nout);
  rb_status s = rb_conv_plan_create(k, d, rb_wino_algo(i), 0, w, bias, &p);
  if (s == RB_OK && kernel) *kernel = rb_check_name(rb_conv_plan_kernel_name(p));
  if (s == RB_OK) s = rb_conv_plan_run(p, in, NULL, 0, out);
  rb_conv_plan_destroy(p);
  return s;
}

static void fill_row(rb_check_row *row, const o64_cmp *c) {
  row->max_abs_err = c->max_abs_err;
  row->max_rel_err = c->max_rel_err;
  row->mean_rel_err = c->mean_rel_err;
  row->pass = c->pass;
}

// A table's own Winograd kernel of variant i: a SIMD table that borrows ref's gets no rows (they
// would compare ref with itself under the SIMD ISA's name).
static int own(const rb_kernels *k, int i) {
  const char *name = rb_kernels_winograd_name(k, 2 * i + 2);
  return name && (k == &rb_kernels_ref || k->conv_winograd[i] != rb_kernels_ref.conv_winograd[i]);
}

static void run_shape(const rb_kernels *k, const rb_conv_desc *d, uint64_t seed, const rb_check_sink *s) {
  const size_t nin = rb_conv_in_count(d);
  const size_t nout = rb_conv_out_count(d);
  const size_t nw = (size_t)d->cout * (d->cin / d->groups) * 9;
  float *in = rb_aligned_alloc(nin * 4), *w = rb_aligned_alloc(nw * 4), *bias = rb_aligned_alloc(d->cout * 4u);
  float *out = rb_aligned_alloc(nout * 4), *ref_out = rb_aligned_alloc(nout * 4);
  double *exact = malloc(nout * 8), *mag = malloc(nout * 8), *ref_exact = malloc(nout * 8);
  o64_rng r;
  o64_seed(&r, seed);
  o64_fill(&r, in, nin, -1, 1);
  o64_fill(&r, w, nw, -1, 1);
  o64_fill(&r, bias, d->cout, -1, 1);  // a folded batch norm; no ReLU, so no error is hidden at 0
  o64_conv(d, in, w, bias, NULL, 0, exact, mag);

  for (int i = 0; i < RB_WINO_COUNT; i++) {
    if (!own(k, i)) continue;
    rb_check_row row = {.kernel = rb_kernels_winograd_name(k, 2 * i + 2), .isa = k->isa_name, .against = "fp64"};
    rb_conv_desc_format(d, row.shape, sizeof row.shape);
    row.tol = rb_wino_tol(i);
    if (run_wino(k, i, d, in, w, bias, nout, out, &row.kernel) == RB_OK) {
      const o64_cmp c = o64_compare(out, exact, mag, nout, row.tol);
      fill_row(&row, &c);
    }
    s->emit(s->ctx, &row);

    if (k->isa != RB_ISA_REF && rb_kernels_ref.conv_winograd[i]) {  // the same layer against ref's float result
      rb_check_row vs_ref = row;
      vs_ref.against = "ref";
      vs_ref.tol = rb_wino_tol_vs_ref(i);
      vs_ref.max_abs_err = vs_ref.max_rel_err = vs_ref.mean_rel_err = 0;
      vs_ref.pass = 0;
      if (run_wino(&rb_kernels_ref, i, d, in, w, bias, nout, ref_out, NULL) == RB_OK) {
        for (size_t j = 0; j < nout; j++) ref_exact[j] = ref_out[j];
        const o64_cmp c = o64_compare(out, ref_exact, mag, nout, vs_ref.tol);
        fill_row(&vs_ref, &c);
      }
      s->emit(s->ctx, &vs_ref);
    }
  }
  rb_aligned_free(in), rb_aligned_free(w), rb_aligned_free(bias);
  rb_aligned_free(out), rb_aligned_free(ref_out);
  free(exact), free(mag), free(ref_exact);
}

void rb_check_winograd(const rb_kernels *k, const rb_check_sink *s) {
  int any = 0;
  for (int i = 0; i < RB_WINO_COUNT; i++) any |= own(k, i);
  if (!any) return;  // no oracle work for a table with no Winograd of its own
  const rb_conv_desc shapes[] = {
      rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1),     // ResNet-50 stage 1 (conv2_x) 3x3
      rb_conv_desc_make(1, 28, 28, 128, 128, 3, 1, 1, 1, 1),   // stage 2
      rb_conv_desc_make(1, 14, 14, 256, 256, 3, 1, 1, 1, 1),   // stage 3
      rb_conv_desc_make(1, 7, 7, 512, 512, 3, 1, 1, 1, 1),     // stage 4
      rb_conv_desc_make(1, 28, 28, 128, 128, 3, 1, 1, 1, 32),  // ResNeXt 32x4d: 4 channels a group
      rb_conv_desc_make(1, 28, 28, 256, 256, 3, 1, 1, 1, 32),  // its stage 2: 8 channels a group
      rb_conv_desc_make(1, 14, 14, 512, 512, 3, 1, 1, 1, 32),  // its stage 3: 16 channels a group
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_shape(k, &shapes[i], 7000 + i, s);
}
