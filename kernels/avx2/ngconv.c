// AVX2 narrow-group convolution microkernels, 8 pixels x 8 channels.
// c4: two 4-channel groups a ymm, one per 128-bit lane. The pixel's 8 input channels are loaded
//   once; vpermilps broadcasts input i within each lane (x[g*4+i] to the 4 outputs of group g),
//   so one FMA serves both groups at full width. 8 accumulators + 4 weight rows + 2 = 14 ymm.
//   Per pixel and tap: 1 load, 4 shuffles, 4 FMAs (the shuffle port bounds it at 1 FMA/cycle).
// c8: one 8-channel group a ymm: for each input i, one weight row and 8 broadcast loads feed 8
//   FMAs (the igemm pattern with NR = 8): 8 accumulators + 1 weight row + 1 broadcast.
// Accumulators are named, not an array, so they stay in registers.
#include <immintrin.h>

#include "../ukernel.h"

#define MR 8
#define WIDTH 8
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static inline __m256i lanes(size_t n) {
  static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

// + residual, ReLU (max(0, x) returns x when x is NaN: NaN passes), store n of 8 channels.
static inline void store(float *c, const float *res, __m256 v, size_t n, __m256i mask, int relu) {
  if (n >= WIDTH) {
    if (res) v = _mm256_add_ps(v, _mm256_loadu_ps(res));
    if (relu) v = _mm256_max_ps(_mm256_setzero_ps(), v);
    _mm256_storeu_ps(c, v);
  } else {
    if (res) v = _mm256_add_ps(v, _mm256_maskload_ps(res, mask));
    if (relu) v = _mm256_max_ps(_mm256_setzero_ps(), v);
    _mm256_maskstore_ps(c, mask, v);
  }
}

// Row m of a tap, at the block's first channel (the zero row is long enough for any offset).
#define ROW(m) const float *r##m = (ap[m] == zero ? zero : ap[m] + off);
#define INIT(m) __m256 acc##m = bias;
// Only rows < mr are stored: a residual may be the output itself.
#define STORE(m)                                                                                            \
  if (m < mr)                                                                                              \
    store(c + m * c_stride + ch0, e->residual ? e->residual + m * e->residual_stride + ch0 : NULL, acc##m, \
          nc - ch0, out_mask, e->relu);

void rb_f32_ngconv_c4_8x8__avx2(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const int tail = nc - ch0 < WIDTH;  // one group left: read only its 4 channels
    const __m256i out_mask = lanes(tail ? nc - ch0 : WIDTH);
    const __m256 bias = _mm256_loadu_ps(w);
    ROWS(INIT)
    w += WIDTH;
    for (size_t t = 0; t < ks; t++, w += 4 * WIDTH) {
      const float *const *ap = a + t * MR;
      const size_t off = a_offset + ch0;
      ROWS(ROW)
      const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), w2 = _mm256_loadu_ps(w + 16),
                   w3 = _mm256_loadu_ps(w + 24);
#define STEP4(m)                                                                       \
  {                                                                                    \
    const __m256 x = tail ? _mm256_maskload_ps(r##m, out_mask) : _mm256_loadu_ps(r##m); \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0x00), w0, acc##m);                  \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0x55), w1, acc##m);                  \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0xAA), w2, acc##m);                  \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0xFF), w3, acc##m);                  \
  }
      ROWS(STEP4)
    }
    ROWS(STORE)
  }
}

void rb_f32_ngconv_c8_8x8__avx2(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __m256i out_mask = lanes(WIDTH);  // nc is a multiple of 8: whole groups only
    const __m256 bias = _mm256_loadu_ps(w);
    ROWS(INIT)
    w += WIDTH;
    for (size_t t = 0; t < ks; t++) {
      const float *const *ap = a + t * MR;
      const size_t off = a_offset + ch0;
      ROWS(ROW)
      for (size_t i = 0; i < 8; i++, w += WIDTH) {
        const __m256 wi = _mm256_loadu_ps(w);
#define STEP8(m) acc##m = _mm256_fmadd_ps(_mm256_broadcast_ss(r##m + i), wi, acc##m);
        ROWS(STEP8)
      }
    }
    ROWS(STORE)
  }
}
