// AVX2 GEMM / indirect-GEMM microkernels, 6x16: 12 ymm accumulators (6 rows x 2 vectors), two
// weight vectors and one broadcast fill 15 of the 16 ymm registers. Per k: 2 weight loads and
// 6 broadcast loads feed 12 FMAs. 5x16 is the same body on 5 rows (10 FMAs per 7 loads). Column
// tails are masked; rows past mr read clamped pointers and are not stored.
#include <immintrin.h>

#include "../ukernel.h"

#define MR 6  // the most rows of a tile (arrays)
#define NR 16

// Lanes 0 .. n-1 of a ymm mask (n <= 8).
static inline __m256i lanes(size_t n) {
  static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

// x scale (g: NULL or the columns' two scale vectors), + residual, then ReLU (max(0, x) returns x
// when x is NaN: NaN passes), then store n of 16; with sums (s[0], s[1]), add what was stored to them.
static inline void store_row(float *c, const float *res, __m256 v0, __m256 v1, size_t n, int relu, __m256 *s,
                             const __m256 *g) {
  if (g) v0 = _mm256_mul_ps(v0, g[0]), v1 = _mm256_mul_ps(v1, g[1]);
  if (n >= NR) {
    if (res) v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res)), v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
    if (relu) v0 = _mm256_max_ps(_mm256_setzero_ps(), v0), v1 = _mm256_max_ps(_mm256_setzero_ps(), v1);
    _mm256_storeu_ps(c, v0), _mm256_storeu_ps(c + 8, v1);
  } else {
    const __m256i m0 = lanes(n < 8 ? n : 8), m1 = lanes(n > 8 ? n - 8 : 0);
    if (res) v0 = _mm256_add_ps(v0, _mm256_maskload_ps(res, m0)), v1 = _mm256_add_ps(v1, _mm256_maskload_ps(res + 8, m1));
    if (relu) v0 = _mm256_max_ps(_mm256_setzero_ps(), v0), v1 = _mm256_max_ps(_mm256_setzero_ps(), v1);
    _mm256_maskstore_ps(c, m0, v0), _mm256_maskstore_ps(c + 8, m1, v1);
  }
  if (s) s[0] = _mm256_add_ps(s[0], v0), s[1] = _mm256_add_ps(s[1], v1);
}

// col_sums[0 .. n) += s (n of 16).
static inline void add_sums(float *cs, const __m256 *s, size_t n) {
  const __m256i m0 = lanes(n < 8 ? n : 8), m1 = lanes(n > 8 ? n - 8 : 0);
  _mm256_maskstore_ps(cs, m0, _mm256_add_ps(_mm256_maskload_ps(cs, m0), s[0]));
  _mm256_maskstore_ps(cs + 8, m1, _mm256_add_ps(_mm256_maskload_ps(cs + 8, m1), s[1]));
}

// K rows (taps x kc) from which a column block's weights (>= 64 KiB) are prefetched WEIGHTS_AHEAD
// k-steps on (4 KiB, a line a step): they stream from L2 or beyond, as in the avx512 6x64.
#define WEIGHTS_PREFETCH_MIN_K 1024
#define WEIGHTS_AHEAD 64

// One body for both tiles: TMR (6 or 5) rows, a constant at each instantiation, so that GCC keeps
// the accumulator arrays in registers (checked in the disassembly: no spills in the k loop).
// long_k and next_rows are constants at each call too (RB_UK_PREFETCH_VARIANTS).
static inline __attribute__((always_inline)) void igemm_with(size_t mr, size_t nc, size_t kc, size_t ks,
                                                             const float *const *a, const float *w, float *c,
                                                             size_t c_stride, const float *zero, size_t a_offset,
                                                             const rb_uk_epilogue *e, const int long_k,
                                                             const int next_rows, const size_t TMR) {
  float *cr[MR];
  const float *rr[MR];
#pragma GCC unroll 8
  for (size_t m = 0; m < TMR; m++) {
    const size_t row = m < mr ? m : mr - 1;  // clamped: rows past mr are computed, never stored
    cr[m] = c + row * c_stride;
    rr[m] = e->residual ? e->residual + row * e->residual_stride : NULL;
  }
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    __m256 acc0[MR], acc1[MR];  // row m's columns 0-7 and 8-15
#pragma GCC unroll 8
    for (size_t m = 0; m < TMR; m++) acc0[m] = _mm256_loadu_ps(w), acc1[m] = _mm256_loadu_ps(w + 8);
    w += NR;
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += TMR) {
      const float *ar[MR];
      int padding_tap = 1;
#pragma GCC unroll 8
      for (size_t m = 0; m < TMR; m++) ar[m] = ap[m] == zero ? zero : ap[m] + a_offset, padding_tap &= ap[m] == zero;
      if (padding_tap) {  // the whole tile in the padding at this tap (tiles within a map's first or
        w += kc * NR;     // last row, at its first or last kernel row), as oneDNN skips them
        continue;
      }
#define STEP                                                                      \
  {                                                                               \
    if (long_k) _mm_prefetch((const char *)(w + NR * WEIGHTS_AHEAD), _MM_HINT_T0); \
    const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);            \
    _Pragma("GCC unroll 8") for (size_t m = 0; m < TMR; m++) {                    \
      const __m256 x = _mm256_broadcast_ss(ar[m] + k);                            \
      acc0[m] = _mm256_fmadd_ps(x, w0, acc0[m]), acc1[m] = _mm256_fmadd_ps(x, w1, acc1[m]); \
    }                                                                             \
  }
      if (next_rows && n0 == 0) {
        // The next tile's rows (the contract: its pointers follow), a line of each every 16 k, as
        // the avx512 6x64 does: the driver asks when the layer's input streams from beyond L2.
        const float *p[MR];
#pragma GCC unroll 8
        for (size_t m = 0; m < TMR; m++) p[m] = ap[TMR + m] == zero ? zero : ap[TMR + m] + a_offset;
        for (size_t kb = 0; kb < kc; kb += 16) {
#pragma GCC unroll 8
          for (size_t m = 0; m < TMR; m++) _mm_prefetch((const char *)(p[m] + kb), _MM_HINT_T0);
          for (size_t k = kb, end = kb + 16 < kc ? kb + 16 : kc; k < end; k++, w += NR) STEP
        }
      } else {
        if (ks == 1) {  // one tap (1x1): its k loop is the whole K, unrolled
          _Pragma("GCC unroll 4") for (size_t k = 0; k < kc; k++, w += NR) STEP
        } else {
          for (size_t k = 0; k < kc; k++, w += NR) STEP
        }
      }
#undef STEP
    }
    const size_t n = nc - n0;
    // Only rows < mr are stored: a residual may be the output itself (in place).
    __m256 sums[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, *s = e->col_sums ? sums : NULL;
    __m256 gv[2] = {sums[0], sums[0]};  // the columns' scale: lanes past n are 0 (not stored)
    if (e->scale) {
      const __m256i g0 = lanes(n < 8 ? n : 8), g1 = lanes(n > 8 ? (n > 16 ? 8 : n - 8) : 0);
      gv[0] = _mm256_maskload_ps(e->scale + n0, g0), gv[1] = _mm256_maskload_ps(e->scale + n0 + 8, g1);
    }
    const __m256 *g = e->scale ? gv : NULL;
#pragma GCC unroll 8
    for (size_t m = 0; m < TMR; m++)
      if (m < mr) store_row(cr[m] + n0, rr[m] ? rr[m] + n0 : NULL, acc0[m], acc1[m], n, e->relu, s, g);
    if (s) add_sums(e->col_sums + n0, sums, n < NR ? n : NR);
  }
}

#define WITH6(...) igemm_with(__VA_ARGS__, 6)
#define WITH5(...) igemm_with(__VA_ARGS__, 5)

static void igemm6(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                   size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(WITH6, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

static void igemm5(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                   size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(WITH5, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_igemm_6x16__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                             float *c, size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  igemm6(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_6x16__avx2(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                            size_t c_stride, const rb_uk_epilogue *e) {
  RB_UK_GEMM_VIA_IGEMM(6, igemm6, mr, nc, kc, a, a_stride, w, c, c_stride, e);
}

// 5x16: 10 accumulators. For maps whose pixels a 6-row tile pads (7x7 = 49 pixels: 54 rows with 6,
// 50 with 5); the driver picks it by the rows it saves (rb_engine_config.gemm_alt).
void rb_f32_igemm_5x16__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                             float *c, size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  igemm5(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_5x16__avx2(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                            size_t c_stride, const rb_uk_epilogue *e) {
  RB_UK_GEMM_VIA_IGEMM(5, igemm5, mr, nc, kc, a, a_stride, w, c, c_stride, e);
}
