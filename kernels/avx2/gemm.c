// AVX2 GEMM / indirect-GEMM microkernels, 6x16: 12 ymm accumulators (6 rows x 2 vectors), two
// weight vectors and one broadcast fill 15 of the 16 ymm registers. Per k: 2 weight loads and
// 6 broadcast loads feed 12 FMAs. Column tails are masked; rows past mr read clamped pointers
// and are not stored.
#include <immintrin.h>

#include "../ukernel.h"

#define MR 6
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

// long_k and next_rows are constants at each call in igemm() (RB_UK_PREFETCH_VARIANTS).
static inline __attribute__((always_inline)) void igemm_with(size_t mr, size_t nc, size_t kc, size_t ks,
                                                             const float *const *a, const float *w, float *c,
                                                             size_t c_stride, const float *zero, size_t a_offset,
                                                             const rb_uk_epilogue *e, const int long_k,
                                                             const int next_rows) {
  float *cr[MR];
  const float *rr[MR];
  for (size_t m = 0; m < MR; m++) {
    const size_t row = m < mr ? m : mr - 1;  // clamped: rows past mr are computed, never stored
    cr[m] = c + row * c_stride;
    rr[m] = e->residual ? e->residual + row * e->residual_stride : NULL;
  }
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    __m256 c00 = _mm256_loadu_ps(w), c01 = _mm256_loadu_ps(w + 8);
    __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01, c50 = c00,
           c51 = c01;
    w += NR;
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += MR) {
      const float *a0 = ap[0] == zero ? zero : ap[0] + a_offset, *a1 = ap[1] == zero ? zero : ap[1] + a_offset;
      const float *a2 = ap[2] == zero ? zero : ap[2] + a_offset, *a3 = ap[3] == zero ? zero : ap[3] + a_offset;
      const float *a4 = ap[4] == zero ? zero : ap[4] + a_offset, *a5 = ap[5] == zero ? zero : ap[5] + a_offset;
#define STEP                                                                      \
  {                                                                               \
    if (long_k) _mm_prefetch((const char *)(w + NR * WEIGHTS_AHEAD), _MM_HINT_T0); \
    const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);            \
    __m256 x = _mm256_broadcast_ss(a0 + k);                                       \
    c00 = _mm256_fmadd_ps(x, w0, c00), c01 = _mm256_fmadd_ps(x, w1, c01);         \
    x = _mm256_broadcast_ss(a1 + k);                                              \
    c10 = _mm256_fmadd_ps(x, w0, c10), c11 = _mm256_fmadd_ps(x, w1, c11);         \
    x = _mm256_broadcast_ss(a2 + k);                                              \
    c20 = _mm256_fmadd_ps(x, w0, c20), c21 = _mm256_fmadd_ps(x, w1, c21);         \
    x = _mm256_broadcast_ss(a3 + k);                                              \
    c30 = _mm256_fmadd_ps(x, w0, c30), c31 = _mm256_fmadd_ps(x, w1, c31);         \
    x = _mm256_broadcast_ss(a4 + k);                                              \
    c40 = _mm256_fmadd_ps(x, w0, c40), c41 = _mm256_fmadd_ps(x, w1, c41);         \
    x = _mm256_broadcast_ss(a5 + k);                                              \
    c50 = _mm256_fmadd_ps(x, w0, c50), c51 = _mm256_fmadd_ps(x, w1, c51);         \
  }
      if (next_rows && n0 == 0) {
        // The next tile's rows (the contract: its pointers follow), a line of each every 16 k, as
        // the avx512 6x64 does: the driver asks when the layer's input streams from beyond L2.
        const float *p[MR];
        for (size_t m = 0; m < MR; m++) p[m] = ap[MR + m] == zero ? zero : ap[MR + m] + a_offset;
        for (size_t kb = 0; kb < kc; kb += 16) {
          for (size_t m = 0; m < MR; m++) _mm_prefetch((const char *)(p[m] + kb), _MM_HINT_T0);
          for (size_t k = kb, end = kb + 16 < kc ? kb + 16 : kc; k < end; k++, w += NR) STEP
        }
      } else {
        for (size_t k = 0; k < kc; k++, w += NR) STEP
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
    store_row(cr[0] + n0, rr[0] ? rr[0] + n0 : NULL, c00, c01, n, e->relu, s, g);
    if (mr > 1) store_row(cr[1] + n0, rr[1] ? rr[1] + n0 : NULL, c10, c11, n, e->relu, s, g);
    if (mr > 2) store_row(cr[2] + n0, rr[2] ? rr[2] + n0 : NULL, c20, c21, n, e->relu, s, g);
    if (mr > 3) store_row(cr[3] + n0, rr[3] ? rr[3] + n0 : NULL, c30, c31, n, e->relu, s, g);
    if (mr > 4) store_row(cr[4] + n0, rr[4] ? rr[4] + n0 : NULL, c40, c41, n, e->relu, s, g);
    if (mr > 5) store_row(cr[5] + n0, rr[5] ? rr[5] + n0 : NULL, c50, c51, n, e->relu, s, g);
    if (s) add_sums(e->col_sums + n0, sums, n < NR ? n : NR);
  }
}

static void igemm(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                  size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(igemm_with, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_igemm_6x16__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                             float *c, size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  igemm(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_6x16__avx2(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                            size_t c_stride, const rb_uk_epilogue *e) {
  const float *rows[2 * MR];  // this tile's rows, then the next tile's (to prefetch: past the end does not fault)
  rb_uk_gemm_rows(a, a_stride, mr, MR, rows);
  for (size_t m = 0; m < MR; m++) rows[MR + m] = a + (MR + m) * a_stride;
  igemm(mr, nc, kc, 1, rows, w, c, c_stride, NULL, 0, e);
}
