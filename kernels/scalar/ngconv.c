// Portable scalar narrow-group convolution microkernels at each SIMD ISA's geometry (the test
// vehicle for the engine's narrow-group driver on any CPU). Same sum order as the SIMD kernels:
// taps, then the group's input channels (the dual layouts' SIMD kernels sum into two accumulators
// and add them in the store; their twins sum into one).
#include <math.h>

#include "../pack.h"
#include "../ukernel.h"

// perm, perm_out: the layout's input and output orders (ukernel.h), NULL for the plain broadcast one.
static inline void ngconv(size_t MR, size_t CPG, size_t WIDTH, const signed char *perm, const signed char *perm_out,
                          size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                          size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  float acc[16][32];
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const size_t lanes = nc - ch0 < WIDTH ? nc - ch0 : WIDTH;  // no input channel past nc is read
    for (size_t m = 0; m < MR; m++)
      for (size_t l = 0; l < WIDTH; l++) acc[m][l] = w[l];
    w += WIDTH;
    for (size_t t = 0; t < ks; t++) {
      for (size_t i = 0; i < CPG; i++, w += WIDTH)
        for (size_t m = 0; m < MR; m++) {
          const float *row = (a[t * MR + m] == zero ? zero : a[t * MR + m] + a_offset) + ch0;
          for (size_t l = 0; l < lanes; l++) {
            const size_t o = l % CPG, in = perm ? (size_t)perm[i * CPG + o] : i;
            const size_t out = l - o + (perm_out ? (size_t)perm_out[i * CPG + o] : o);
            acc[m][out] = fmaf(row[l - o + in], w[l], acc[m][out]);
          }
        }
    }
    for (size_t m = 0; m < mr; m++)
      for (size_t l = 0; l < lanes; l++) {
        float v = acc[m][l];
        if (e->residual) v += e->residual[m * e->residual_stride + ch0 + l];
        c[m * c_stride + ch0 + l] = e->relu && v < 0 ? 0.0f : v;
      }
  }
}

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn)
#define RB_NGCONV_PERM_UKERNEL(isa, MR, CPG, WIDTH, perm, perm_out, fn)                                          \
  void fn(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c, size_t c_stride,     \
          const float *zero, size_t a_offset, const rb_uk_epilogue *e) {                                         \
    ngconv(MR, CPG, WIDTH, perm, perm_out, mr, nc, ks, a, w, c, c_stride, zero, a_offset, e);                    \
  }
#define RB_NGCONV_UKERNEL(isa, MR, CPG, WIDTH, fn) RB_NGCONV_PERM_UKERNEL(isa, MR, CPG, WIDTH, NULL, NULL, fn)
#define RB_WINO_UKERNEL(isa, m, vl, suffix)
#include "ukernels.inc"
#undef RB_WINO_UKERNEL
