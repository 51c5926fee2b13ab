// AVX-512 GEMM / indirect-GEMM microkernels, 14x32 and 8x32.
// 14x32: 28 zmm accumulators (14 rows x 2 vectors), two weight vectors and one broadcast: 31 of
// the 32 zmm registers. Per k: 2 weight loads and 14 broadcast loads (load ports only) feed 28
// FMAs, 0.57 loads per FMA; the two FMA ports stay busy while the loads sit on their own ports.
// 8x32: the same with 16 accumulators (0.63 loads per FMA, still 8 independent chains for two
// FMA ports of latency 4), for products with few rows: Winograd on small images (14x14 has 16
// tiles of 4x4, which 14 rows would pad to 28).
// Column tails use __mmask16 masked loads and stores; rows past mr read clamped pointers and are
// not stored.
#include <immintrin.h>

#include "../ukernel.h"

#define NR 32

#define ROWS14(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static inline __mmask16 lanes(size_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

// x scale (g: NULL or the two columns' scale vectors), + residual, then ReLU (max(0, x) returns x
// when x is NaN: keep the operand order), then store the lanes of m0 | m1; *v0, *v1 become what
// was stored (for the column sums).
static inline void store_row(float *c, const float *res, __m512 *v0, __m512 *v1, __mmask16 m0, __mmask16 m1,
                             int relu, const __m512 *g) {
  if (g) *v0 = _mm512_mul_ps(*v0, g[0]), *v1 = _mm512_mul_ps(*v1, g[1]);
  if (res) *v0 = _mm512_add_ps(*v0, _mm512_maskz_loadu_ps(m0, res)), *v1 = _mm512_add_ps(*v1, _mm512_maskz_loadu_ps(m1, res + 16));
  if (relu) *v0 = _mm512_max_ps(_mm512_setzero_ps(), *v0), *v1 = _mm512_max_ps(_mm512_setzero_ps(), *v1);
  _mm512_mask_storeu_ps(c, m0, *v0);
  _mm512_mask_storeu_ps(c + 16, m1, *v1);
}

#define INIT(m) __m512 c##m##0 = b0, c##m##1 = b1;
#define ROW(m) const float *a##m = ap[m] == zero ? zero : ap[m] + a_offset;
#define FMA(m)                                                 \
  {                                                            \
    const __m512 x = _mm512_set1_ps(a##m[k]);                  \
    c##m##0 = _mm512_fmadd_ps(x, w0, c##m##0);                 \
    c##m##1 = _mm512_fmadd_ps(x, w1, c##m##1);                 \
  }
// Only rows < mr are stored: a residual may be the output itself (in place).
#define STORE(m)                                                                                                \
  if (m < mr) {                                                                                                 \
    store_row(c + m * c_stride + n0, e->residual ? e->residual + m * e->residual_stride + n0 : NULL, &c##m##0, \
              &c##m##1, m0, m1, e->relu, g);                                                                    \
    if (e->col_sums) s0 = _mm512_add_ps(s0, c##m##0), s1 = _mm512_add_ps(s1, c##m##1);                         \
  }

#define DEFINE_IGEMM(NAME, MR, ROWS)                                                                           \
  static inline void NAME(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,   \
                          float *c, size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) { \
    for (size_t n0 = 0; n0 < nc; n0 += NR) {                                                                   \
      const __m512 b0 = _mm512_loadu_ps(w), b1 = _mm512_loadu_ps(w + 16);                                      \
      ROWS(INIT)                                                                                               \
      w += NR;                                                                                                 \
      const float *const *ap = a;                                                                              \
      for (size_t t = 0; t < ks; t++, ap += MR) {                                                              \
        ROWS(ROW)                                                                                              \
        for (size_t k = 0; k < kc; k++, w += NR) {                                                             \
          const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);                                  \
          ROWS(FMA)                                                                                            \
        }                                                                                                      \
      }                                                                                                        \
      const size_t n = nc - n0;                                                                                \
      const __mmask16 m0 = lanes(n), m1 = lanes(n > 16 ? n - 16 : 0);                                          \
      __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(); /* the stored rows' column sums */            \
      const __m512 gv[2] = {e->scale ? _mm512_maskz_loadu_ps(m0, e->scale + n0) : s0,                          \
                            e->scale ? _mm512_maskz_loadu_ps(m1, e->scale + n0 + 16) : s0};                    \
      const __m512 *g = e->scale ? gv : NULL;                                                                  \
      ROWS(STORE)                                                                                              \
      if (e->col_sums) {                                                                                       \
        float *cs = e->col_sums + n0;                                                                          \
        _mm512_mask_storeu_ps(cs, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cs), s0));                       \
        _mm512_mask_storeu_ps(cs + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, cs + 16), s1));             \
      }                                                                                                        \
    }                                                                                                          \
  }

DEFINE_IGEMM(igemm14, 14, ROWS14)
DEFINE_IGEMM(igemm8, 8, ROWS8)

void rb_f32_igemm_14x32__avx512(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                float *c, size_t c_stride, const float *zero, size_t a_offset,
                                const rb_uk_epilogue *e) {
  igemm14(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_14x32__avx512(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                               float *c, size_t c_stride, const rb_uk_epilogue *e) {
  const float *rows[14];
  rb_uk_gemm_rows(a, a_stride, mr, 14, rows);
  igemm14(mr, nc, kc, 1, rows, w, c, c_stride, NULL, 0, e);
}

void rb_f32_igemm_8x32__avx512(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                               float *c, size_t c_stride, const float *zero, size_t a_offset,
                               const rb_uk_epilogue *e) {
  igemm8(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_8x32__avx512(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                              float *c, size_t c_stride, const rb_uk_epilogue *e) {
  const float *rows[8];
  rb_uk_gemm_rows(a, a_stride, mr, 8, rows);
  igemm8(mr, nc, kc, 1, rows, w, c, c_stride, NULL, 0, e);
}

// 6x64: 24 accumulators (6 rows x 4 vectors), four weight vectors and one broadcast: 29 zmm.
// Per k: 4 weight loads and 6 broadcasts feed 24 FMAs, 0.42 loads per FMA, and the 6 row
// pointers stay in general registers (14 rows spill 3 of them, reloaded each k: 0.71 loads per
// FMA in 14x32's loop).
// 7x64: the same body on 7 rows, 28 accumulators: with four weight vectors and a broadcast that
// is 33 zmm, so GCC takes one weight vector from memory in each row's fourth FMA (7 more L1 loads
// per k, 0.61 loads per FMA). Every ResNet map is a multiple of 7 pixels (3136, 784, 196, 49):
// 7 rows pad none, where 6 compute 54 rows for a 7x7 map's 49. The driver picks it per layer
// (rb_engine_config.gemm_alt).
#define MR64 7  // the most rows of a 64-column tile (arrays)
// Rows of K (taps x kc) from which a column block's weights (>= 256 KiB) stream from L2 or beyond.
#define WEIGHTS_PREFETCH_MIN_K 1024
// The weight lines are prefetched WEIGHTS_AHEAD steps on into L1 (6 KiB ahead at 64 columns).
#define WEIGHTS_AHEAD 24

// With e->prefetch_next, a one-tap call's first column block (the one that reads all of this
// tile's A) prefetches the next tile's rows, a line of each of its rows every 16 k: the input
// then streams from beyond L2, and the hardware prefetchers do not run far enough ahead on six
// broadcast streams. ResNet-50's 1x1 layers whose input is 1.6-3.2 MB: 1.03-1.10x with it, in one
// process (SPR-class Xeon, 1 thread); on inputs in L2 it costs 3-7% (the driver's rule,
// kernels/conv_engine.c). Taps of 3x3 layers overlap the last tile's: no gain there.
// A tap where the tile's first or last row alone is padding (a row's first pixel at kw = 0, its
// last at the last kw) runs the other rows only; whole-padding taps are skipped before. Rows in
// between are never padding in a tile of one map row (7x64 on 7x7). A/B on Zen 5 (1 thread, 7
// rounds, results/vm-epyc-zen5/ab-padding-rows-avx512-1t.txt): 512@7 3x3 1.095x, 512@14 s2
// 1.041x, 256@14 1.012x, the others 0.99-1.01x.
// TMR (6 or 7 rows) and NV (4 or 2 vectors: 64 or 32 columns) are constants at each
// instantiation, so the accumulator arrays stay in registers; long_k and next_rows are constants
// at each call (RB_UK_PREFETCH_VARIANTS): four copies, each with only its own loops.
// One column block of the tile at columns n0 (its packed weights at w: TNR biases, then ks x kc
// rows of TNR weights), computing NV of its TNR / 16 vectors: the last block of a group narrower
// than the tile runs only the vectors it has (a 40-channel group: 3 of 6x64's 4; ResNeSt-50d
// 4s2x40d's first stage); rb_engine_gemm_for counts such columns by the tile's nr_step (16 for
// 6x64 and 7x32; 64 for 7x64, whose half blocks lost to 7x32: see config.c).
static inline __attribute__((always_inline)) void igemm_block(size_t mr, size_t nc, size_t n0, size_t kc, size_t ks,
                                                              const float *const *a, const float *w, float *c,
                                                              size_t c_stride, const float *zero, size_t a_offset,
                                                              const rb_uk_epilogue *e, const int long_k,
                                                              const int next_rows, const size_t TMR, const int NV,
                                                              const size_t TNR) {
  // 28 accumulators + 4 weights + x exceed the 32 zmm: the fourth weight vector as a memory
  // operand (the only case: 7 rows of 4 vectors).
  const int last_from_memory = TMR * NV + NV + 1 > 32;
  __m512 acc[MR64][4];
#pragma GCC unroll 8
  for (size_t m = 0; m < TMR; m++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[m][v] = _mm512_loadu_ps(w + 16 * v);
  w += TNR;
  const float *const *ap = a;
  for (size_t t = 0; t < ks; t++, ap += TMR) {
    const float *ar[MR64];
    int padding_tap = 1;
#pragma GCC unroll 8
    for (size_t m = 0; m < TMR; m++) ar[m] = ap[m] == zero ? zero : ap[m] + a_offset, padding_tap &= ap[m] == zero;
    if (padding_tap) {  // the whole tile in the padding at this tap (a 7-pixel tile is one row of
      w += kc * TNR;    // a 7x7 map: its first and last rows skip 3 of 9 taps, as oneDNN does)
      continue;
    }
#define STEP(F, L)                                                                                    \
  {                                                                                                   \
    if (long_k) {                                                                                     \
      const char *ahead = (const char *)(w + TNR * WEIGHTS_AHEAD);                                    \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) _mm_prefetch(ahead + 64 * v, _MM_HINT_T0); \
    }                                                                                                 \
    const __m512 w0 = _mm512_loadu_ps(w), w1 = NV > 1 ? _mm512_loadu_ps(w + 16) : w0;                \
    const __m512 w2 = NV > 2 ? _mm512_loadu_ps(w + 32) : w0;                                          \
    const __m512 w3 = NV > 3 && !last_from_memory ? _mm512_loadu_ps(w + 48) : w0;                     \
    _Pragma("GCC unroll 8") for (size_t m = F; m < TMR - L; m++) {                                    \
      const __m512 x = _mm512_set1_ps(ar[m][k]);                                                      \
      acc[m][0] = _mm512_fmadd_ps(x, w0, acc[m][0]);                                                  \
      if (NV > 1) acc[m][1] = _mm512_fmadd_ps(x, w1, acc[m][1]);                                      \
      if (NV > 2) acc[m][2] = _mm512_fmadd_ps(x, w2, acc[m][2]);                                      \
      if (NV > 3) {                                                                                   \
        if (!last_from_memory)                                                                        \
          acc[m][3] = _mm512_fmadd_ps(x, w3, acc[m][3]);                                              \
        else                                                                                          \
          __asm__("vfmadd231ps %[wm], %[x], %[acc]"                                                   \
                  : [acc] "+v"(acc[m][3])                                                             \
                  : [x] "v"(x), [wm] "m"(*(const __m512_u *)(w + 48)));                               \
      }                                                                                               \
    }                                                                                                 \
  }
    if (next_rows && n0 == 0) {  // one tap (RB_UK_PREFETCH_VARIANTS): the next tile's pointers follow
      const float *p[MR64];
#pragma GCC unroll 8
      for (size_t m = 0; m < TMR; m++) p[m] = a[TMR + m] == zero ? zero : a[TMR + m] + a_offset;
      for (size_t kb = 0; kb < kc; kb += 16) {
#pragma GCC unroll 8
        for (size_t m = 0; m < TMR; m++) _mm_prefetch((const char *)(p[m] + kb), _MM_HINT_T0);
        for (size_t k = kb, end = kb + 16 < kc ? kb + 16 : kc; k < end; k++, w += TNR) STEP(0, 0)
      }
    } else if (ap[0] == zero) {  // the first row is padding at this tap (a row's first pixel, kw = 0)
      for (size_t k = 0; k < kc; k++, w += TNR) STEP(1, 0)
    } else if (ap[TMR - 1] == zero) {  // the last (a row's last pixel, the last kw)
      for (size_t k = 0; k < kc; k++, w += TNR) STEP(0, 1)
    } else {
      for (size_t k = 0; k < kc; k++, w += TNR) STEP(0, 0)
    }
#undef STEP
  }
  const size_t n = nc - n0;
  __mmask16 mk[4];
  __m512 s[4], gv[4], spare = _mm512_setzero_ps();  // the stored rows' column sums; the columns' scale
#pragma GCC unroll 4
  for (int v = 0; v < 4; v++) {  // lanes past NV's vectors: none
    mk[v] = v < NV ? lanes(n > 16 * (size_t)v ? n - 16 * (size_t)v : 0) : 0;
    s[v] = _mm512_setzero_ps();
    gv[v] = e->scale ? _mm512_maskz_loadu_ps(mk[v], e->scale + n0 + 16 * v) : s[v];
  }
  // Only rows < mr are stored: a residual may be the output itself (in place).
#pragma GCC unroll 8
  for (size_t m = 0; m < TMR; m++)
    if (m < mr) {
      const float *res = e->residual ? e->residual + m * e->residual_stride + n0 : NULL;
#pragma GCC unroll 2
      for (int v = 0; v < NV; v += 2)  // an odd last vector pairs with `spare`, stored under mask 0
        store_row(c + m * c_stride + n0 + 16 * v, res ? res + 16 * v : NULL, &acc[m][v],
                  v + 1 < NV ? &acc[m][v + 1] : &spare, mk[v], mk[v + 1], e->relu, e->scale ? gv + v : NULL);
      if (e->col_sums)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) s[v] = _mm512_add_ps(s[v], acc[m][v]);
    }
  if (e->col_sums)
    for (int v = 0; v < NV; v++) {
      float *cs = e->col_sums + n0 + 16 * v;
      _mm512_mask_storeu_ps(cs, mk[v], _mm512_add_ps(_mm512_maskz_loadu_ps(mk[v], cs), s[v]));
    }
}

// A last, partial block of NV vectors of a TMR-row tile whose blocks are TNR columns wide: a
// function of its own, so that the whole-block loop of the tile keeps the register allocation it
// has alone (inlined beside it, the 7x64 loop spilled). Its prefetch variants come from the same
// rule as the tile's (RB_UK_PREFETCH_VARIANTS, through PARTIAL_WITH and the function's n0, tmr,
// nv and tnr).
#define PARTIAL_WITH(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e, long_k, next_rows) \
  igemm_block(mr, nc, n0, kc, ks, a, w, c, c_stride, zero, a_offset, e, long_k, next_rows, tmr, nv, tnr)
#define PARTIAL_BLOCK(TMR, NV, TNR)                                                                                \
  static __attribute__((noinline)) void partial_##TMR##_##NV##_##TNR(                                             \
      size_t mr, size_t nc, size_t n0, size_t kc, size_t ks, const float *const *a, const float *w, float *c,       \
      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {                               \
    const size_t tmr = TMR, tnr = TNR;                                                                            \
    const int nv = NV;                                                                                            \
    RB_UK_PREFETCH_VARIANTS(PARTIAL_WITH, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, \
                            e);                                                                                   \
  }
PARTIAL_BLOCK(6, 1, 64)
PARTIAL_BLOCK(6, 2, 64)
PARTIAL_BLOCK(6, 3, 64)
PARTIAL_BLOCK(7, 1, 64)
PARTIAL_BLOCK(7, 2, 64)
PARTIAL_BLOCK(7, 3, 64)
PARTIAL_BLOCK(7, 1, 32)

// The tile's column blocks: whole ones with all NV vectors (inlined), a last partial one with as
// many as its columns need (PARTIAL_BLOCK).
static inline __attribute__((always_inline)) void igemm_with(size_t mr, size_t nc, size_t kc, size_t ks,
                                                             const float *const *a, const float *w, float *c,
                                                             size_t c_stride, const float *zero, size_t a_offset,
                                                             const rb_uk_epilogue *e, const int long_k,
                                                             const int next_rows, const size_t TMR, const int NV) {
  const size_t TNR = 16 * (size_t)NV;
  for (size_t n0 = 0; n0 < nc; n0 += TNR, w += TNR * (1 + ks * kc)) {
    const size_t vectors = (nc - n0 + 15) / 16;
    if (vectors >= (size_t)NV) {
      igemm_block(mr, nc, n0, kc, ks, a, w, c, c_stride, zero, a_offset, e, long_k, next_rows, TMR, NV, TNR);
      continue;
    }
#define PARTIAL(f) f(mr, nc, n0, kc, ks, a, w, c, c_stride, zero, a_offset, e)
    if (TMR == 6 && vectors == 3) PARTIAL(partial_6_3_64);
    else if (TMR == 6 && vectors == 2) PARTIAL(partial_6_2_64);
    else if (TMR == 6) PARTIAL(partial_6_1_64);
    else if (NV == 4 && vectors == 3) PARTIAL(partial_7_3_64);
    else if (NV == 4 && vectors == 2) PARTIAL(partial_7_2_64);
    else if (NV == 4) PARTIAL(partial_7_1_64);
    else PARTIAL(partial_7_1_32);
#undef PARTIAL
  }
}

#define WITH6x64(...) igemm_with(__VA_ARGS__, 6, 4)
#define WITH7x64(...) igemm_with(__VA_ARGS__, 7, 4)
#define WITH7x32(...) igemm_with(__VA_ARGS__, 7, 2)

static void igemm6x64(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(WITH6x64, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

static void igemm7x64(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(WITH7x64, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

static void igemm7x32(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                      size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  RB_UK_PREFETCH_VARIANTS(WITH7x32, WEIGHTS_PREFETCH_MIN_K, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_igemm_6x64__avx512(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                               float *c, size_t c_stride, const float *zero, size_t a_offset,
                               const rb_uk_epilogue *e) {
  igemm6x64(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_6x64__avx512(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                              float *c, size_t c_stride, const rb_uk_epilogue *e) {
  RB_UK_GEMM_VIA_IGEMM(6, igemm6x64, mr, nc, kc, a, a_stride, w, c, c_stride, e);
}

void rb_f32_igemm_7x64__avx512(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                               float *c, size_t c_stride, const float *zero, size_t a_offset,
                               const rb_uk_epilogue *e) {
  igemm7x64(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_7x64__avx512(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                              float *c, size_t c_stride, const rb_uk_epilogue *e) {
  RB_UK_GEMM_VIA_IGEMM(7, igemm7x64, mr, nc, kc, a, a_stride, w, c, c_stride, e);
}

// 7x32: the same body at 32 columns, for groups of 32 output channels (ResNeXt-50's last stage:
// 1024 channels in 32 groups on 7x7), where a 64-column tile would compute as many columns
// again; 14 accumulators, and 9 loads per 14 FMAs (0.64).
void rb_f32_igemm_7x32__avx512(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                               float *c, size_t c_stride, const float *zero, size_t a_offset,
                               const rb_uk_epilogue *e) {
  igemm7x32(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_7x32__avx512(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                              float *c, size_t c_stride, const rb_uk_epilogue *e) {
  RB_UK_GEMM_VIA_IGEMM(7, igemm7x32, mr, nc, kc, a, a_stride, w, c, c_stride, e);
}
