// AVX-512 narrow-group convolution microkernels, 16 pixels x 16 channels.
// c4: four 4-channel groups a zmm, one per 128-bit lane. The pixel's 16 input channels are loaded
//   once; vpermilps broadcasts input i within each lane (x[g*4+i] to the 4 outputs of group g),
//   so one FMA serves four groups at full width. 16 accumulators + 4 weight rows + 2 = 22 zmm.
//   Per pixel and tap: 1 load, 4 in-lane shuffles, 4 FMAs.
// c8: two 8-channel groups a zmm, one per 256-bit half. Input i must reach the 8 lanes of its
//   half, across 128-bit lanes, so vpermilps cannot do it: vpermps (_mm512_permutexvar_ps) with
//   8 index vectors kept in registers (16 accumulators + 8 indices + weight + input + 1 = 27 zmm).
//   One shuffle per FMA, the same as two half-masked broadcast FMAs would cost, and fewer loads
//   than merge-masked broadcasts (a load and a shuffle-port blend each on Intel).
// Both: the shuffles share port 5 with the second FMA unit, which bounds them near 1 FMA/cycle.
// Channels past nc are never read (masked loads): the last group may end the row.
#include <immintrin.h>

#include "../ukernel.h"

#define MR 16
#define WIDTH 16

static inline __mmask16 lanes(size_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

// Rows of one tap, offset to the block's first channel (the zero row is long enough for any).
static inline void tap_rows(const float *const *ap, const float *zero, size_t off, const float **r) {
  for (size_t m = 0; m < MR; m++) r[m] = (ap[m] == zero ? zero : ap[m] + off);
}

static inline void finish(size_t mr, size_t ch0, float *c, size_t c_stride, const rb_uk_epilogue *e, __mmask16 mask,
                          const __m512 acc[MR]) {
  for (size_t m = 0; m < mr; m++) {  // only rows < mr: a residual may be the output itself
    __m512 v = acc[m];
    if (e->residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, e->residual + m * e->residual_stride + ch0));
    if (e->relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);  // NaN passes: keep the operand order
    _mm512_mask_storeu_ps(c + m * c_stride + ch0, mask, v);
  }
}

void rb_f32_ngconv_c4_16x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __mmask16 mask = lanes(nc - ch0);
    __m512 acc[MR];
    acc[0] = _mm512_loadu_ps(w);
    for (size_t m = 1; m < MR; m++) acc[m] = acc[0];
    w += WIDTH;
    for (size_t t = 0; t < ks; t++, w += 4 * WIDTH) {
      const float *r[MR];
      tap_rows(a + t * MR, zero, a_offset + ch0, r);
      const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16), w2 = _mm512_loadu_ps(w + 32),
                   w3 = _mm512_loadu_ps(w + 48);
      for (size_t m = 0; m < MR; m++) {
        const __m512 x = _mm512_maskz_loadu_ps(mask, r[m]);
        acc[m] = _mm512_fmadd_ps(_mm512_permute_ps(x, 0x00), w0, acc[m]);
        acc[m] = _mm512_fmadd_ps(_mm512_permute_ps(x, 0x55), w1, acc[m]);
        acc[m] = _mm512_fmadd_ps(_mm512_permute_ps(x, 0xAA), w2, acc[m]);
        acc[m] = _mm512_fmadd_ps(_mm512_permute_ps(x, 0xFF), w3, acc[m]);
      }
    }
    finish(mr, ch0, c, c_stride, e, mask, acc);
  }
}

void rb_f32_ngconv_c8_16x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  __m512i idx[8];  // input i of each half: lanes 0-7 take x[i], lanes 8-15 x[8 + i]
  for (int i = 0; i < 8; i++)
    idx[i] = _mm512_set_epi32(8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, i, i, i, i, i, i, i, i);
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __mmask16 mask = lanes(nc - ch0);
    __m512 acc[MR];
    acc[0] = _mm512_loadu_ps(w);
    for (size_t m = 1; m < MR; m++) acc[m] = acc[0];
    w += WIDTH;
    for (size_t t = 0; t < ks; t++, w += 8 * WIDTH) {
      const float *r[MR];
      tap_rows(a + t * MR, zero, a_offset + ch0, r);
      for (size_t m = 0; m < MR; m++) {
        const __m512 x = _mm512_maskz_loadu_ps(mask, r[m]);
        for (size_t i = 0; i < 8; i++)
          acc[m] = _mm512_fmadd_ps(_mm512_permutexvar_ps(idx[i], x), _mm512_loadu_ps(w + i * WIDTH), acc[m]);
      }
    }
    finish(mr, ch0, c, c_stride, e, mask, acc);
  }
}
