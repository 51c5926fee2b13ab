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

// Named accumulators, fully unrolled: an array indexed in loops ends up on the stack.
#define PIXELS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

// Row of pixel m at this tap, offset to the block's first channel (a padding tap: the zero row,
// which is long enough for any block).
#define ROW(m) (ap[m] == zero ? zero : ap[m] + off)

static inline __m512 epilogue(__m512 v, const float *res, __mmask16 mask, int relu) {
  if (res) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, res));
  return relu ? _mm512_max_ps(_mm512_setzero_ps(), v) : v;  // NaN passes: keep the operand order
}

// Only rows < mr are stored: a residual may be the output itself.
#define STORE(m)                                                                                                \
  if (m < mr)                                                                                                   \
    _mm512_mask_storeu_ps(c + m * c_stride + ch0, mask,                                                         \
                          epilogue(acc##m, e->residual ? e->residual + m * e->residual_stride + ch0 : NULL, mask, \
                                   e->relu));
#define INIT(m) __m512 acc##m = bias;

void rb_f32_ngconv_c4_16x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __mmask16 mask = lanes(nc - ch0);
    const __m512 bias = _mm512_loadu_ps(w);
    PIXELS(INIT)
    w += WIDTH;
    const size_t off = a_offset + ch0;
    for (size_t t = 0; t < ks; t++, w += 4 * WIDTH) {
      const float *const *ap = a + t * MR;
      const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16), w2 = _mm512_loadu_ps(w + 32),
                   w3 = _mm512_loadu_ps(w + 48);
#define C4(m)                                                               \
  {                                                                         \
    const float *row = ROW(m);                                              \
    _mm_prefetch((const char *)(row + WIDTH), _MM_HINT_T0);                 \
    const __m512 x = _mm512_maskz_loadu_ps(mask, row);                      \
    acc##m = _mm512_fmadd_ps(_mm512_permute_ps(x, 0x00), w0, acc##m);       \
    acc##m = _mm512_fmadd_ps(_mm512_permute_ps(x, 0x55), w1, acc##m);       \
    acc##m = _mm512_fmadd_ps(_mm512_permute_ps(x, 0xAA), w2, acc##m);       \
    acc##m = _mm512_fmadd_ps(_mm512_permute_ps(x, 0xFF), w3, acc##m);       \
  }
      PIXELS(C4)
    }
    PIXELS(STORE)
  }
}

void rb_f32_ngconv_c8_16x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  // Input i of each half: lanes 0-7 take x[i], lanes 8-15 x[8 + i].
#define IDX(i) const __m512i idx##i = _mm512_set_epi32(8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, 8 + i, \
                                                       i, i, i, i, i, i, i, i);
  IDX(0) IDX(1) IDX(2) IDX(3) IDX(4) IDX(5) IDX(6) IDX(7)
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __mmask16 mask = lanes(nc - ch0);
    const __m512 bias = _mm512_loadu_ps(w);
    PIXELS(INIT)
    w += WIDTH;
    const size_t off = a_offset + ch0;
    for (size_t t = 0; t < ks; t++, w += 8 * WIDTH) {
      const float *const *ap = a + t * MR;
#define C8I(m, i) acc##m = _mm512_fmadd_ps(_mm512_permutexvar_ps(idx##i, x), _mm512_loadu_ps(w + i * WIDTH), acc##m);
#define C8(m)                                                                                 \
  {                                                                                           \
    const float *row = ROW(m);                                                                \
    _mm_prefetch((const char *)(row + WIDTH), _MM_HINT_T0);                                   \
    const __m512 x = _mm512_maskz_loadu_ps(mask, row);                                        \
    C8I(m, 0) C8I(m, 1) C8I(m, 2) C8I(m, 3) C8I(m, 4) C8I(m, 5) C8I(m, 6) C8I(m, 7)           \
  }
      PIXELS(C8)
    }
    PIXELS(STORE)
  }
}
