// AVX2 narrow-group convolution microkernels, 8 pixels x 8 channels.
// c4: two 4-channel groups a ymm, one per 128-bit lane; one FMA serves both groups at full width.
//   Each lane needs all 4 inputs of its group over 4 FMAs: in-lane broadcasts would take 4
//   shuffles (one port: 1 FMA/cycle at best). Instead the weights are packed so that lane co of
//   the 4 vectors may carry inputs (0,0,2,2), (1,1,3,3), (2,3,0,1), (3,2,1,0): movsldup and
//   movshdup loads (done by the load ports) and two vpermilps. Per pixel and tap: 3 loads, 2
//   shuffles, 4 FMAs. 8 accumulators + 4 weight rows + 3 = 15 ymm.
// c8 8x8: one 8-channel group a ymm: for each input i, one weight row and 8 broadcast loads feed 8
//   FMAs (the igemm pattern with NR = 8): 8 accumulators + 1 weight row + 1 broadcast.
// c8 6x8dual: one group a ymm, two accumulators a pixel, as AVX-512's c8 8x16dual (below).
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

// movsldup / movshdup from memory: the load ports duplicate, the shuffle port stays free. Written
// as asm because a compiler merges the intrinsics' loads into one and shuffles in registers.
static inline __m256 dup_even(const float *p) {
  __m256 v;
  __asm__("vmovsldup %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p));
  return v;
}
static inline __m256 dup_odd(const float *p) {
  __m256 v;
  __asm__("vmovshdup %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p));
  return v;
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
// Lane co of the four input vectors carries inputs (0,0,2,2), (1,1,3,3), (2,3,0,1), (3,2,1,0) of its
// group (rb_ngconv_perm_c4_dup): the first two are movsldup/movshdup loads, shuffled by the load
// ports; only the last two take the shuffle port. The tail (one group) reads 4 channels only.
#define STEP4(m)                                                                               \
  {                                                                                            \
    __m256 x0, x1, x = tail ? _mm256_maskload_ps(r##m, out_mask) : _mm256_loadu_ps(r##m);       \
    if (tail)                                                                                  \
      x0 = _mm256_moveldup_ps(x), x1 = _mm256_movehdup_ps(x);                                  \
    else                                                                                       \
      x0 = dup_even(r##m), x1 = dup_odd(r##m);                                                 \
    acc##m = _mm256_fmadd_ps(x0, w0, acc##m);                                                  \
    acc##m = _mm256_fmadd_ps(x1, w1, acc##m);                                                  \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0x4E), w2, acc##m);                          \
    acc##m = _mm256_fmadd_ps(_mm256_permute_ps(x, 0x1B), w3, acc##m);                          \
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

// c8 with two accumulators a pixel (the layout of AVX-512's c8 8x16dual, rb_ngconv_perm_c8_dual):
// the in-lane broadcast of j (outputs 0-3 see input j, outputs 4-7 input j + 4) times the
// weights to the lane's own outputs, and times those to the outputs 4 lanes across, whose
// accumulator the store adds with its 128-bit halves swapped. The broadcast is a vpermilps from
// memory (a load and a shuffle, no input register), so 6 pixels fit: 12 accumulators + 2 weights
// + 1 broadcast = 15 ymm. Per pixel and tap: 4 vpermilps loads and 8 FMAs, and 8 weight rows for
// the 6 pixels: 0.67 loads per FMA, where the 8x8's broadcasts are 1.125 (its bound: Zen 4's
// two loads a cycle). Zen 4 probe hot in L1: 104-112 GFLOP/s against the 8x8's 90-93.
#define PIXELS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
// vpermilps from memory: written as asm because the compiler would load the row once into a
// register for the four broadcasts, and 6 rows of it do not fit beside the accumulators.
#define PERMUTE_LOAD(p, imm)                                                           \
  __extension__({                                                                      \
    __m256 v_;                                                                         \
    __asm__("vpermilps $" #imm ", %1, %0" : "=x"(v_) : "m"(*(const float(*)[8])(p))); \
    v_;                                                                                \
  })

void rb_f32_ngconv_c8_6x8dual__avx2(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w,
                                    float *c, size_t c_stride, const float *zero, size_t a_offset,
                                    const rb_uk_epilogue *e) {
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __m256i out_mask = lanes(WIDTH);  // nc is a multiple of 8: whole groups only
    const __m256 bias = _mm256_loadu_ps(w);
#define INIT_DUAL(m) __m256 acc##m = bias, bcc##m = _mm256_setzero_ps();
    PIXELS6(INIT_DUAL)
    w += WIDTH;
    for (size_t t = 0; t < ks; t++, w += 8 * WIDTH) {
      const float *const *ap = a + t * 6;
      const size_t off = a_offset + ch0;
      PIXELS6(ROW)
#define DUAL(m, imm)                                          \
  {                                                           \
    const __m256 b = PERMUTE_LOAD(r##m, imm);                 \
    acc##m = _mm256_fmadd_ps(b, w_own, acc##m);               \
    bcc##m = _mm256_fmadd_ps(b, w_across, bcc##m);            \
  }
#define DUAL_ROW(j, imm)                                                                                     \
  {                                                                                                          \
    const __m256 w_own = _mm256_loadu_ps(w + 2 * j * WIDTH), w_across = _mm256_loadu_ps(w + (2 * j + 1) * WIDTH); \
    DUAL(0, imm) DUAL(1, imm) DUAL(2, imm) DUAL(3, imm) DUAL(4, imm) DUAL(5, imm)                            \
  }
      DUAL_ROW(0, 0x00) DUAL_ROW(1, 0x55) DUAL_ROW(2, 0xAA) DUAL_ROW(3, 0xFF)
    }
#define FOLD(m) acc##m = _mm256_add_ps(acc##m, _mm256_permute2f128_ps(bcc##m, bcc##m, 0x01));  // halves swapped
    PIXELS6(FOLD)
    PIXELS6(STORE)
  }
}
