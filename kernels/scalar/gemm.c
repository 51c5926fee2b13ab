// Portable scalar GEMM / indirect-GEMM microkernels at each SIMD ISA's tile geometry. A test
// vehicle, not a tier: they run the engine's drivers at the AVX2 (6x16), AVX-512 (14x32) and
// NEON (8x8) geometries on any CPU, qemu included. Float accumulation in the order the SIMD
// kernels use (taps, then input channels), so results match theirs up to FMA contraction.
#include <math.h>

#include "../ukernel.h"

static inline float epilogue(float v, const rb_uk_epilogue *e, size_t m, size_t n) {
  if (e->scale) v *= e->scale[n];
  if (e->residual) v += e->residual[m * e->residual_stride + n];
  return e->relu && v < 0 ? 0.0f : v;  // NaN < 0 is false: NaN passes
}

// One NR-block at a time over nc columns; rows m >= mr computed from clamped pointers, not stored.
static inline void igemm(size_t MR, size_t NR, size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a,
                         const float *w, float *c, size_t c_stride, const float *zero, size_t a_offset,
                         const rb_uk_epilogue *e) {
  float acc[16][64];
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    for (size_t m = 0; m < MR; m++)
      for (size_t n = 0; n < NR; n++) acc[m][n] = w[n];
    w += NR;
    for (size_t t = 0; t < ks; t++) {
      const float *rows[16];
      for (size_t m = 0; m < MR; m++) rows[m] = a[t * MR + m] == zero ? zero : a[t * MR + m] + a_offset;
      for (size_t k = 0; k < kc; k++, w += NR)
        for (size_t m = 0; m < MR; m++)
          for (size_t n = 0; n < NR; n++) acc[m][n] = fmaf(rows[m][k], w[n], acc[m][n]);
    }
    const size_t cols = nc - n0 < NR ? nc - n0 : NR;
    for (size_t m = 0; m < mr; m++)
      for (size_t n = 0; n < cols; n++) acc[m][n] = c[m * c_stride + n0 + n] = epilogue(acc[m][n], e, m, n0 + n);
    if (e->col_sums)  // the stored rows' column sums, in row order
      for (size_t n = 0; n < cols; n++) {
        float s = 0.0f;
        for (size_t m = 0; m < mr; m++) s += acc[m][n];
        e->col_sums[n0 + n] += s;
      }
  }
}

static inline void gemm(size_t MR, size_t NR, size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                        const float *w, float *c, size_t c_stride, const rb_uk_epilogue *e) {
  const float *rows[16];
  rb_uk_gemm_rows(a, a_stride, mr, MR, rows);
  // The same sum as the indirect kernel with one tap: a is the pointer table, zero never matches.
  igemm(MR, NR, mr, nc, kc, 1, rows, w, c, c_stride, NULL, 0, e);
}

#define SCALAR_GEMM(MR, NR)                                                                                      \
  void rb_f32_igemm_##MR##x##NR##__scalar(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a,     \
                                          const float *w, float *c, size_t c_stride, const float *zero,          \
                                          size_t a_offset, const rb_uk_epilogue *e) {                            \
    igemm(MR, NR, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);                                         \
  }                                                                                                              \
  void rb_f32_gemm_##MR##x##NR##__scalar(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,       \
                                         const float *w, float *c, size_t c_stride, const rb_uk_epilogue *e) {   \
    gemm(MR, NR, mr, nc, kc, a, a_stride, w, c, c_stride, e);                                                    \
  }

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn) SCALAR_GEMM(mr, nr)
#define RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn)
#define RB_NGCONV_PERM_UKERNEL(isa, mr, cpg, width, perm, perm_out, fn)
#define RB_WINO_UKERNEL(isa, m, vl, suffix)
#include "ukernels.inc"
#undef RB_WINO_UKERNEL
