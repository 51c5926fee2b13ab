// NEON narrow-group convolution microkernels. One group fills whole q registers (width == cpg),
// so nc, a multiple of cpg, is a multiple of the width: no column tails, and no lane ever reads
// an input channel past the group's own (the last pixel's row may end at the tensor's end).
// c4, 16 pixels x 4 channels: one group per q register. For each pixel and tap, one load of its
//   4 input channels x and 4 FMAs acc += w_i * x[i] (fmla by element: the lane broadcast is
//   free). 16 accumulators + 4 weight rows + 4 x = 24 v registers. Per tap: 4 weight loads,
//   16 row pointers and 16 x loads feed 64 FMAs.
// c8, 8 pixels x 8 channels: one group in two q registers. The 8 inputs are taken 4 at a time:
//   4 weight rows of 2 vectors (8 registers) and, per pixel, one x load and 8 FMAs. 16
//   accumulators + 8 weights + 2 x = 26 v registers. Per tap: 16 weight loads, 8 row pointers
//   and 16 x loads feed 128 FMAs.
// Both are specialised for a_offset == 0 (what the driver passes): the row pointer is then used
// as it is (a padding tap's zero row plus 0 is the zero row), with no compare and select.
#include <arm_neon.h>

#include "../ukernel.h"

// As in gemm.c: GCC's pre-allocation scheduler would add register copies to the tap loops.
#if defined(__GNUC__) && !defined(__clang__)
#define NO_PRE_RA_SCHEDULE __attribute__((optimize("no-schedule-insns")))
#else
#define NO_PRE_RA_SCHEDULE
#endif
#define INLINE static inline __attribute__((always_inline))

// + residual, then ReLU (lanes < 0 cleared: NaN passes). Four whole channels.
INLINE void store4(float *c, const float *res, float32x4_t v, int relu) {
  if (res) v = vaddq_f32(v, vld1q_f32(res));
  if (relu) v = vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), vcltzq_f32(v)));
  vst1q_f32(c, v);
}

// Pixel m's row at one tap, at the block's first channel ch0 (the zero row is long enough).
INLINE const float *row(const float *p, const float *zero, size_t a_offset, size_t ch0) {
  return (p == zero ? zero : p + a_offset) + ch0;
}

#define MR4 16

// 4 pixels (m0..m3) of one tap, pixel by pixel: 4 independent chains, which the post-allocation
// scheduler interleaves (lane by lane, GCC 12 left 5 register copies in the tap loop).
#define C4_PIXELS(m0, m1, m2, m3)                                                                             \
  do {                                                                                                        \
    const float32x4_t x0 = vld1q_f32(row(ap[m0], zero, a_offset, ch0));                                       \
    const float32x4_t x1 = vld1q_f32(row(ap[m1], zero, a_offset, ch0));                                       \
    const float32x4_t x2 = vld1q_f32(row(ap[m2], zero, a_offset, ch0));                                       \
    const float32x4_t x3 = vld1q_f32(row(ap[m3], zero, a_offset, ch0));                                       \
    acc##m0 = vfmaq_laneq_f32(acc##m0, w0, x0, 0), acc##m0 = vfmaq_laneq_f32(acc##m0, w1, x0, 1);             \
    acc##m0 = vfmaq_laneq_f32(acc##m0, w2, x0, 2), acc##m0 = vfmaq_laneq_f32(acc##m0, w3, x0, 3);             \
    acc##m1 = vfmaq_laneq_f32(acc##m1, w0, x1, 0), acc##m1 = vfmaq_laneq_f32(acc##m1, w1, x1, 1);             \
    acc##m1 = vfmaq_laneq_f32(acc##m1, w2, x1, 2), acc##m1 = vfmaq_laneq_f32(acc##m1, w3, x1, 3);             \
    acc##m2 = vfmaq_laneq_f32(acc##m2, w0, x2, 0), acc##m2 = vfmaq_laneq_f32(acc##m2, w1, x2, 1);             \
    acc##m2 = vfmaq_laneq_f32(acc##m2, w2, x2, 2), acc##m2 = vfmaq_laneq_f32(acc##m2, w3, x2, 3);             \
    acc##m3 = vfmaq_laneq_f32(acc##m3, w0, x3, 0), acc##m3 = vfmaq_laneq_f32(acc##m3, w1, x3, 1);             \
    acc##m3 = vfmaq_laneq_f32(acc##m3, w2, x3, 2), acc##m3 = vfmaq_laneq_f32(acc##m3, w3, x3, 3);             \
  } while (0)

// Row m of the block; cm, rm: row m's output and residual (rm NULL: none), then the next row's.
#define C4_STORE(m)                                                                                           \
  if (mr > m) {                                                                                               \
    store4(cm, rm, acc##m, relu);                                                                             \
    cm += c_stride;                                                                                           \
    if (rm) rm += rs;                                                                                         \
  }

INLINE void ngconv_c4(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  // In locals: the stores (may-alias) would otherwise reload them for every row.
  const float *const res = e->residual;
  const size_t rs = e->residual_stride;
  const int relu = e->relu;
  for (size_t ch0 = 0; ch0 < nc; ch0 += 4) {
    float32x4_t acc0 = vld1q_f32(w), acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0;
    float32x4_t acc6 = acc0, acc7 = acc0, acc8 = acc0, acc9 = acc0, acc10 = acc0, acc11 = acc0;
    float32x4_t acc12 = acc0, acc13 = acc0, acc14 = acc0, acc15 = acc0;
    w += 4;
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += MR4, w += 16) {
      const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
      C4_PIXELS(0, 1, 2, 3);
      C4_PIXELS(4, 5, 6, 7);
      C4_PIXELS(8, 9, 10, 11);
      C4_PIXELS(12, 13, 14, 15);
    }
    // Only rows < mr are stored: a residual may be the output itself (in place).
    float *cm = c + ch0;
    const float *rm = res ? res + ch0 : NULL;
    C4_STORE(0);
    C4_STORE(1);
    C4_STORE(2);
    C4_STORE(3);
    C4_STORE(4);
    C4_STORE(5);
    C4_STORE(6);
    C4_STORE(7);
    C4_STORE(8);
    C4_STORE(9);
    C4_STORE(10);
    C4_STORE(11);
    C4_STORE(12);
    C4_STORE(13);
    C4_STORE(14);
    C4_STORE(15);
  }
}

NO_PRE_RA_SCHEDULE void rb_f32_ngconv_c4_16x4__neon(size_t mr, size_t nc, size_t ks, const float *const *a,
                                                    const float *w, float *c, size_t c_stride, const float *zero,
                                                    size_t a_offset, const rb_uk_epilogue *e) {
  if (a_offset == 0)
    ngconv_c4(mr, nc, ks, a, w, c, c_stride, zero, 0, e);
  else
    ngconv_c4(mr, nc, ks, a, w, c, c_stride, zero, a_offset, e);
}

#define MR8 8

// Inputs 4h .. 4h+3 of the group for every pixel (in the order given): weight rows i = 4h + l,
// lanes l of x.
#define C8_HALF(h, p0, p1, p2, p3, p4, p5, p6, p7)                                                            \
  do {                                                                                                        \
    const float *wh = w + (h) * 4 * 8;                                                                        \
    const float32x4_t w00 = vld1q_f32(wh), w01 = vld1q_f32(wh + 4), w10 = vld1q_f32(wh + 8);                  \
    const float32x4_t w11 = vld1q_f32(wh + 12), w20 = vld1q_f32(wh + 16), w21 = vld1q_f32(wh + 20);           \
    const float32x4_t w30 = vld1q_f32(wh + 24), w31 = vld1q_f32(wh + 28);                                     \
    C8_PIXEL(p0, h);                                                                                          \
    C8_PIXEL(p1, h);                                                                                          \
    C8_PIXEL(p2, h);                                                                                          \
    C8_PIXEL(p3, h);                                                                                          \
    C8_PIXEL(p4, h);                                                                                          \
    C8_PIXEL(p5, h);                                                                                          \
    C8_PIXEL(p6, h);                                                                                          \
    C8_PIXEL(p7, h);                                                                                          \
  } while (0)

#define C8_PIXEL(m, h)                                                                                        \
  do {                                                                                                        \
    const float32x4_t x = vld1q_f32(r##m + (h) * 4);                                                          \
    acc##m##0 = vfmaq_laneq_f32(acc##m##0, w00, x, 0), acc##m##1 = vfmaq_laneq_f32(acc##m##1, w01, x, 0);     \
    acc##m##0 = vfmaq_laneq_f32(acc##m##0, w10, x, 1), acc##m##1 = vfmaq_laneq_f32(acc##m##1, w11, x, 1);     \
    acc##m##0 = vfmaq_laneq_f32(acc##m##0, w20, x, 2), acc##m##1 = vfmaq_laneq_f32(acc##m##1, w21, x, 2);     \
    acc##m##0 = vfmaq_laneq_f32(acc##m##0, w30, x, 3), acc##m##1 = vfmaq_laneq_f32(acc##m##1, w31, x, 3);     \
  } while (0)

#define C8_STORE(m)                                                                                           \
  if (mr > m) {                                                                                               \
    store4(cm, rm, acc##m##0, relu);                                                                          \
    store4(cm + 4, rm ? rm + 4 : NULL, acc##m##1, relu);                                                      \
    cm += c_stride;                                                                                           \
    if (rm) rm += rs;                                                                                         \
  }

INLINE void ngconv_c8(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  const float *const res = e->residual;
  const size_t rs = e->residual_stride;
  const int relu = e->relu;
  for (size_t ch0 = 0; ch0 < nc; ch0 += 8) {
    float32x4_t acc00 = vld1q_f32(w), acc01 = vld1q_f32(w + 4);
    float32x4_t acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00, acc31 = acc01;
    float32x4_t acc40 = acc00, acc41 = acc01, acc50 = acc00, acc51 = acc01, acc60 = acc00, acc61 = acc01;
    float32x4_t acc70 = acc00, acc71 = acc01;
    w += 8;
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += MR8, w += 8 * 8) {
      const float *r0 = row(ap[0], zero, a_offset, ch0), *r1 = row(ap[1], zero, a_offset, ch0);
      const float *r2 = row(ap[2], zero, a_offset, ch0), *r3 = row(ap[3], zero, a_offset, ch0);
      const float *r4 = row(ap[4], zero, a_offset, ch0), *r5 = row(ap[5], zero, a_offset, ch0);
      const float *r6 = row(ap[6], zero, a_offset, ch0), *r7 = row(ap[7], zero, a_offset, ch0);
      // The second half in reverse pixel order: in order, GCC 12 moves one accumulator between two
      // registers (2 mov v.16b a tap); reversed, the loop has none.
      C8_HALF(0, 0, 1, 2, 3, 4, 5, 6, 7);
      C8_HALF(1, 7, 6, 5, 4, 3, 2, 1, 0);
    }
    float *cm = c + ch0;
    const float *rm = res ? res + ch0 : NULL;
    C8_STORE(0);
    C8_STORE(1);
    C8_STORE(2);
    C8_STORE(3);
    C8_STORE(4);
    C8_STORE(5);
    C8_STORE(6);
    C8_STORE(7);
  }
}

NO_PRE_RA_SCHEDULE void rb_f32_ngconv_c8_8x8__neon(size_t mr, size_t nc, size_t ks, const float *const *a,
                                                   const float *w, float *c, size_t c_stride, const float *zero,
                                                   size_t a_offset, const rb_uk_epilogue *e) {
  if (a_offset == 0)
    ngconv_c8(mr, nc, ks, a, w, c, c_stride, zero, 0, e);
  else
    ngconv_c8(mr, nc, ks, a, w, c, c_stride, zero, a_offset, e);
}
