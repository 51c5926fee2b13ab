// AVX-512 narrow-group convolution microkernels, 16 pixels x 16 channels.
// c4: four 4-channel groups a zmm, one per 128-bit lane. The pixel's 16 input channels are loaded
//   once; vpermilps broadcasts input i within each lane (x[g*4+i] to the 4 outputs of group g),
//   so one FMA serves four groups at full width. 16 accumulators + 4 weight rows + 2 = 22 zmm.
//   Per pixel and tap: 1 load, 4 in-lane shuffles, 4 FMAs.
// c8: two 8-channel groups a zmm, one per 256-bit half. Input i must reach the 8 lanes of its
//   half, across 128-bit lanes. c8 16x16: vpermps (_mm512_permutexvar_ps) with 8 index vectors
//   kept in registers (16 accumulators + 8 indices + weight + input + 1 = 27 zmm), one shuffle
//   per FMA. c8 16x16swap: one vshuff32x4 a pixel, then in-lane vpermilps only, with the weights
//   packed to match (below). c8 8x16dual (the config's): two accumulators a pixel and no
//   cross-lane shuffle in the loop (below).
// Shuffle cost, measured on Zen 5 (12 FMA chains, one shuffle per FMA): vpermilps beside each FMA
//   costs nothing (253 of 252 GFLOP/s), vpermps or vshuff32x4 a third of the FMA rate (168). On
//   Intel all of them share port 5 with the second FMA unit, near 1 FMA/cycle.
// c16 (14 pixels): one 16-channel group a zmm, where the 14x32 igemm would leave half of its
//   columns empty. The tap's 16 weight rows stay in registers (14 accumulators + 16 = 30 zmm);
//   each FMA takes its input as an embedded broadcast ({1to16}: a load, no shuffle), so per
//   pixel and tap 16 FMAs cost 16 loads and nothing on port 5.
// c16x2 (7 pixels, 32 channels): two 16-channel groups side by side, each pixel with one
//   accumulator per group. The 14x16 above keeps its 16 weights in registers, but then only 7
//   accumulators can be in flight (7 row pointers): 7 chains of 4-cycle FMAs fill 7 of the 8
//   slots two FMA units need, 84% of peak on the 14x14 layer (Zen 5). Here each input i loads
//   the two groups' weight vectors and serves 14 accumulators (14 chains, 7 row pointers):
//   per pixel, tap and group 16 FMAs, 16 embedded broadcasts, 16/7 weight loads. A tap whose 7
//   rows are all padding is skipped (ukernel.h): the top and bottom rows of a map; where only the
//   first or the last row is (a map row's first pixel at kw = 0, its last at the last kw), the
//   other 6 run, as the igemm does. On 14x14 maps that leaves no padding tap computed at stride 1:
//   Zen 4, 1 thread (A/B, 9 rounds): 1.04-1.06x on ResNeXt-50's 512@14, 1.01-1.03x on 512@28 s2.
// Channels past nc are never read (masked loads): the last group may end the row.
#include <immintrin.h>

#include "../ukernel.h"

#define MR 16  // c4, c8; c16 has its own
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

// Four pixels side by side: each pixel's FMAs form one dependent chain, so interleaving four
// keeps more independent FMAs in the scheduler's window.
// Each also prefetches the pixel's input `ahead` channel blocks on (see the c8 swap kernel).
#define LOADX_AHEAD(m, ahead)                                               \
  const float *row##m = ROW(m);                                             \
  _mm_prefetch((const char *)(row##m + (ahead) * WIDTH), _MM_HINT_T0);      \
  const __m512 x##m = _mm512_maskz_loadu_ps(mask, row##m);
#define LOADX(m) LOADX_AHEAD(m, 1)

// Row of pixel m in a block function's tap, its input vector and a prefetch `ahead` blocks on:
// `full` (constant at each inlining) says the block's 16 channels are all in the row, so the load
// is unmasked (masked zmm loads cost 6% of the c8 loop on Zen 4, in a probe hot in L1). A padding
// row is read at the block's offset too, with no select: the zero row is long enough
// (rb_f32_ngconv_fn).
#define LOAD_BLOCK_ROW(m, ahead)                                              \
  const float *row##m = ap[m] + off;                                          \
  _mm_prefetch((const char *)(row##m + (ahead) * WIDTH), _MM_HINT_T0);        \
  const __m512 x##m = full ? _mm512_loadu_ps(row##m) : _mm512_maskz_loadu_ps(mask, row##m);

// The blocks of a row: whole ones through BLOCK(1, ...), the last 1-3 groups through BLOCK(0, ...).
#define FOR_BLOCKS(BLOCK, rows_per_tap)                                                \
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH, w += WIDTH * (1 + (rows_per_tap) * ks)) { \
    if (nc - ch0 >= WIDTH)                                                             \
      BLOCK(1, 0xFFFF, mr, ks, a, w, c, c_stride, a_offset + ch0, ch0, e);             \
    else                                                                               \
      BLOCK(0, lanes(nc - ch0), mr, ks, a, w, c, c_stride, a_offset + ch0, ch0, e);    \
  }

// One block of 16 channels (LOAD_BLOCK_ROW's `full`).
static inline __attribute__((always_inline)) void c4_block(const int full, __mmask16 mask, size_t mr, size_t ks,
                                                           const float *const *a, const float *w, float *c,
                                                           size_t c_stride, size_t off, size_t ch0,
                                                           const rb_uk_epilogue *e) {
  const __m512 bias = _mm512_loadu_ps(w);
  PIXELS(INIT)
  w += WIDTH;
  for (size_t t = 0; t < ks; t++, w += 4 * WIDTH) {
    const float *const *ap = a + t * MR;
    const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16), w2 = _mm512_loadu_ps(w + 32),
                 w3 = _mm512_loadu_ps(w + 48);
#define LOAD4(m) LOAD_BLOCK_ROW(m, 1)
#define C4I(m, imm, wi) acc##m = _mm512_fmadd_ps(_mm512_permute_ps(x##m, imm), wi, acc##m);
#define C4(a, b, c_, d)                                                                        \
  {                                                                                            \
    LOAD4(a) LOAD4(b) LOAD4(c_) LOAD4(d)                                                       \
    C4I(a, 0x00, w0) C4I(b, 0x00, w0) C4I(c_, 0x00, w0) C4I(d, 0x00, w0)                       \
    C4I(a, 0x55, w1) C4I(b, 0x55, w1) C4I(c_, 0x55, w1) C4I(d, 0x55, w1)                       \
    C4I(a, 0xAA, w2) C4I(b, 0xAA, w2) C4I(c_, 0xAA, w2) C4I(d, 0xAA, w2)                       \
    C4I(a, 0xFF, w3) C4I(b, 0xFF, w3) C4I(c_, 0xFF, w3) C4I(d, 0xFF, w3)                       \
  }
    C4(0, 1, 2, 3) C4(4, 5, 6, 7) C4(8, 9, 10, 11) C4(12, 13, 14, 15)
  }
  PIXELS(STORE)
}

void rb_f32_ngconv_c4_16x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  (void)zero;  // read as any row (LOAD_BLOCK_ROW)
  FOR_BLOCKS(c4_block, 4)
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
#define C8I(m, i) acc##m = _mm512_fmadd_ps(_mm512_permutexvar_ps(idx##i, x##m), wi, acc##m);
#define C8R(i, a, b, c_, d)                                   \
  {                                                           \
    const __m512 wi = _mm512_loadu_ps(w + i * WIDTH);         \
    C8I(a, i) C8I(b, i) C8I(c_, i) C8I(d, i)                  \
  }
#define C8(a, b, c_, d)                                                                             \
  {                                                                                                 \
    LOADX(a) LOADX(b) LOADX(c_) LOADX(d)                                                            \
    C8R(0, a, b, c_, d) C8R(1, a, b, c_, d) C8R(2, a, b, c_, d) C8R(3, a, b, c_, d)                 \
    C8R(4, a, b, c_, d) C8R(5, a, b, c_, d) C8R(6, a, b, c_, d) C8R(7, a, b, c_, d)                 \
  }
      C8(0, 1, 2, 3) C8(4, 5, 6, 7) C8(8, 9, 10, 11) C8(12, 13, 14, 15)
    }
    PIXELS(STORE)
  }
}

// c8 without cross-lane shuffles: vpermps is a third of a cycle dearer than an FMA issue slot on
// Zen 5 (one per FMA: 168 of 252 GFLOP/s in a probe), vpermilps costs nothing (253). Each pixel's
// input x is swapped once across the 128-bit lanes of each 256-bit half (xs: inputs 4-7 of a
// group where x has 0-3), then vector j < 4 is x's in-lane broadcast of j and vector j >= 4 xs's
// of j - 4: lanes of outputs 0-3 see inputs j, lanes of outputs 4-7 inputs j ^ 4, which the
// packing follows (rb_ngconv_perm_c8_swap). Per pixel and tap: 1 load, 1 vshuff32x4, 8
// vpermilps, 8 FMAs, and the 8 weight rows are loaded once for 4 pixels.
// One block of 16 channels (LOAD_BLOCK_ROW's `full`).
static inline __attribute__((always_inline)) void c8swap_block(const int full, __mmask16 mask, size_t mr, size_t ks,
                                                               const float *const *a, const float *w, float *c,
                                                               size_t c_stride, size_t off, size_t ch0,
                                                               const rb_uk_epilogue *e) {
  const __m512 bias = _mm512_loadu_ps(w);
  PIXELS(INIT)
  w += WIDTH;
  for (size_t t = 0; t < ks; t++, w += 8 * WIDTH) {
    const float *const *ap = a + t * MR;
// Prefetch two blocks ahead, not one: stride 2 fills twice the lines per FMA of stride 1, and on
// Zen 5 (A/B, 7 rounds) ResNeXt-50's 8-channel stride-2 layer ran 1.15x old c8 with it against
// 1.07x with one block; stride 1 the same (1.15x), four blocks no better.
#define LOADP(m) LOAD_BLOCK_ROW(m, 2)
#define SWAPX(m) const __m512 xs##m = _mm512_shuffle_f32x4(x##m, x##m, 0xB1);  // lanes 1, 0, 3, 2
#define S8I(m, v, imm) acc##m = _mm512_fmadd_ps(_mm512_permute_ps(v##m, imm), wj, acc##m);
#define S8R(j, v, imm, a, b, c_, d)                      \
  {                                                      \
    const __m512 wj = _mm512_loadu_ps(w + j * WIDTH);    \
    S8I(a, v, imm) S8I(b, v, imm) S8I(c_, v, imm) S8I(d, v, imm) \
  }
#define S8(a, b, c_, d)                                                                                    \
  {                                                                                                        \
    LOADP(a) LOADP(b) LOADP(c_) LOADP(d)                                                                   \
    S8R(0, x, 0x00, a, b, c_, d) S8R(1, x, 0x55, a, b, c_, d) S8R(2, x, 0xAA, a, b, c_, d)                 \
    S8R(3, x, 0xFF, a, b, c_, d) SWAPX(a) SWAPX(b) SWAPX(c_) SWAPX(d)                                      \
    S8R(4, xs, 0x00, a, b, c_, d) S8R(5, xs, 0x55, a, b, c_, d)                                            \
    S8R(6, xs, 0xAA, a, b, c_, d) S8R(7, xs, 0xFF, a, b, c_, d)                                            \
  }
    S8(0, 1, 2, 3) S8(4, 5, 6, 7) S8(8, 9, 10, 11) S8(12, 13, 14, 15)
  }
  PIXELS(STORE)
}

void rb_f32_ngconv_c8_16x16swap__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w,
                                        float *c, size_t c_stride, const float *zero, size_t a_offset,
                                        const rb_uk_epilogue *e) {
  (void)zero;  // read as any row (LOAD_BLOCK_ROW)
  FOR_BLOCKS(c8swap_block, 8)
}

// c8 with no shuffle across lanes in the loop: each pixel has two accumulators. x's in-lane
// broadcast of j gives lanes of outputs 0-3 input j and lanes of outputs 4-7 input j + 4 (b); the
// first accumulator takes b times the weights to the lane's own outputs, the second b times the
// weights to the outputs 4 lanes across (rb_ngconv_perm_c8_dual). The store adds the second with
// its 128-bit lanes swapped within each 256-bit half. Per pixel and tap: 1 load, 4 vpermilps, 8
// FMAs, no vshuff32x4 (the swap kernel's: a quarter of an FMA slot on Zen 4, a third on Zen 5):
// in a probe hot in L1 (Zen 4) 112-113 GFLOP/s against the swap kernel's 92-96. 8 pixels: 16
// accumulators + 4 inputs + 2 weights + 1 broadcast = 23 zmm.
#define PIXELS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
static inline __attribute__((always_inline)) void c8dual_block(const int full, __mmask16 mask, size_t mr, size_t ks,
                                                               const float *const *a, const float *w, float *c,
                                                               size_t c_stride, size_t off, size_t ch0,
                                                               const rb_uk_epilogue *e) {
  const __m512 bias = _mm512_loadu_ps(w);
#define INIT_DUAL(m) __m512 acc##m = bias, bcc##m = _mm512_setzero_ps();
  PIXELS8(INIT_DUAL)
  w += WIDTH;
  for (size_t t = 0; t < ks; t++, w += 8 * WIDTH) {
    const float *const *ap = a + t * 8;
#define D8I(m, imm)                                               \
  {                                                               \
    const __m512 b = _mm512_permute_ps(x##m, imm);                \
    acc##m = _mm512_fmadd_ps(b, w_own, acc##m);                   \
    bcc##m = _mm512_fmadd_ps(b, w_across, bcc##m);                \
  }
#define D8R(j, imm, a_, b_, c_, d)                                                                         \
  {                                                                                                        \
    const __m512 w_own = _mm512_loadu_ps(w + 2 * j * WIDTH), w_across = _mm512_loadu_ps(w + (2 * j + 1) * WIDTH); \
    D8I(a_, imm) D8I(b_, imm) D8I(c_, imm) D8I(d, imm)                                                     \
  }
#define D8(a_, b_, c_, d)                                                                                      \
  {                                                                                                            \
    LOADP(a_) LOADP(b_) LOADP(c_) LOADP(d)                                                                     \
    D8R(0, 0x00, a_, b_, c_, d) D8R(1, 0x55, a_, b_, c_, d) D8R(2, 0xAA, a_, b_, c_, d) D8R(3, 0xFF, a_, b_, c_, d) \
  }
    D8(0, 1, 2, 3) D8(4, 5, 6, 7)
  }
#define FOLD(m) acc##m = _mm512_add_ps(acc##m, _mm512_shuffle_f32x4(bcc##m, bcc##m, 0xB1));  // lanes 1, 0, 3, 2
  PIXELS8(FOLD)
  PIXELS8(STORE)
}

void rb_f32_ngconv_c8_8x16dual__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w,
                                       float *c, size_t c_stride, const float *zero, size_t a_offset,
                                       const rb_uk_epilogue *e) {
  (void)zero;  // read as any row (LOAD_BLOCK_ROW)
  FOR_BLOCKS(c8dual_block, 8)
}

void rb_f32_ngconv_c16_14x16__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                     size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
#define MR16 14
#define PIXELS14(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
  const __mmask16 mask = 0xFFFF;  // nc is a multiple of the group, 16: no tail
  for (size_t ch0 = 0; ch0 < nc; ch0 += WIDTH) {
    const __m512 bias = _mm512_loadu_ps(w);
    PIXELS14(INIT)
    w += WIDTH;
    const size_t off = a_offset + ch0;
    for (size_t t = 0; t < ks; t++, w += 16 * WIDTH) {
      const float *const *ap = a + t * MR16;
#define W16(i) const __m512 w##i = _mm512_loadu_ps(w + i * WIDTH);
      W16(0) W16(1) W16(2) W16(3) W16(4) W16(5) W16(6) W16(7)
      W16(8) W16(9) W16(10) W16(11) W16(12) W16(13) W16(14) W16(15)
// Interleaved across 7 pixels: a pixel's 16 FMAs form one dependent chain (4 cycles each), so
// 7 chains side by side keep both FMA units fed; 7 row pointers fit the general registers.
#define C16I(m, i) acc##m = _mm512_fmadd_ps(_mm512_set1_ps(r##m[i]), w##i, acc##m);
#define C16(i, a, b, c_, d, e_, f, g) C16I(a, i) C16I(b, i) C16I(c_, i) C16I(d, i) C16I(e_, i) C16I(f, i) C16I(g, i)
#define C16ALL(a, b, c_, d, e_, f, g)                                                                             \
  {                                                                                                               \
    const float *r##a = ROW(a), *r##b = ROW(b), *r##c_ = ROW(c_), *r##d = ROW(d), *r##e_ = ROW(e_), *r##f = ROW(f), \
                *r##g = ROW(g);                                                                                   \
    C16(0, a, b, c_, d, e_, f, g) C16(1, a, b, c_, d, e_, f, g) C16(2, a, b, c_, d, e_, f, g)                     \
    C16(3, a, b, c_, d, e_, f, g) C16(4, a, b, c_, d, e_, f, g) C16(5, a, b, c_, d, e_, f, g)                     \
    C16(6, a, b, c_, d, e_, f, g) C16(7, a, b, c_, d, e_, f, g) C16(8, a, b, c_, d, e_, f, g)                     \
    C16(9, a, b, c_, d, e_, f, g) C16(10, a, b, c_, d, e_, f, g) C16(11, a, b, c_, d, e_, f, g)                   \
    C16(12, a, b, c_, d, e_, f, g) C16(13, a, b, c_, d, e_, f, g) C16(14, a, b, c_, d, e_, f, g)                  \
    C16(15, a, b, c_, d, e_, f, g)                                                                                \
  }
      C16ALL(0, 1, 2, 3, 4, 5, 6)
      C16ALL(7, 8, 9, 10, 11, 12, 13)
    }
    PIXELS14(STORE)
  }
}

// One block of 32 channels (two groups) or, at the end of the row, 16 (one: `two` is 0, and its
// second group's channels are not read). Inlined with `two` constant, so each is its own loop.
static inline __attribute__((always_inline)) void c16x2_block(int two, size_t mr, size_t ks, const float *const *a,
                                                              const float *w, float *c, size_t c_stride,
                                                              const float *zero, size_t off, size_t ch0,
                                                              const rb_uk_epilogue *e) {
#define PIXELS7(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6)
#define INIT2(m) __m512 acc##m = bias, bcc##m = bias_b;
  const __m512 bias = _mm512_loadu_ps(w), bias_b = _mm512_loadu_ps(w + 16);
  PIXELS7(INIT2)
  w += 32;
  for (size_t t = 0; t < ks; t++, w += 16 * 32) {
    const float *const *ap = a + t * 7;
    if (ap[0] == zero && ap[1] == zero && ap[2] == zero && ap[3] == zero && ap[4] == zero && ap[5] == zero &&
        ap[6] == zero)
      continue;  // a tap wholly in the padding adds nothing
#define ROW7(m) const float *r##m = ROW(m);
    PIXELS7(ROW7)
#define C2I(m, i)                                                      \
  acc##m = _mm512_fmadd_ps(_mm512_set1_ps(r##m[i]), wa, acc##m);        \
  if (two) bcc##m = _mm512_fmadd_ps(_mm512_set1_ps(r##m[16 + i]), wb, bcc##m);
// The pixels a tap runs: all 7, or all but the first or the last where that one alone is padding.
#define ALL7(X, i) X(0, i) X(1, i) X(2, i) X(3, i) X(4, i) X(5, i) X(6, i)
#define BUT_FIRST(X, i) X(1, i) X(2, i) X(3, i) X(4, i) X(5, i) X(6, i)
#define BUT_LAST(X, i) X(0, i) X(1, i) X(2, i) X(3, i) X(4, i) X(5, i)
#define C2(i, P)                                                                       \
  {                                                                                    \
    const __m512 wa = _mm512_loadu_ps(w + i * 32);                                     \
    const __m512 wb = two ? _mm512_loadu_ps(w + i * 32 + 16) : _mm512_setzero_ps();    \
    P(C2I, i)                                                                          \
  }
// The empty asm keeps GCC from hoisting the three branches' common weight loads above the branch
// (16 vectors, then spilled).
#define TAP(P)                                                                                            \
  __asm__ volatile("" ::: "memory");                                                                      \
  C2(0, P) C2(1, P) C2(2, P) C2(3, P) C2(4, P) C2(5, P) C2(6, P) C2(7, P) C2(8, P) C2(9, P) C2(10, P) \
  C2(11, P) C2(12, P) C2(13, P) C2(14, P) C2(15, P)
    // A row's first pixel at kw = 0 or its last at the last kw: one row of the tile is padding.
    if (ap[0] == zero) {
      TAP(BUT_FIRST)
    } else if (ap[6] == zero) {
      TAP(BUT_LAST)
    } else {
      TAP(ALL7)
    }
  }
  const __mmask16 mask = 0xFFFF;
  PIXELS7(STORE)
  if (two) {
    ch0 += 16;
#define STORE_B(m)                                                                                            \
  if (m < mr)                                                                                                 \
    _mm512_storeu_ps(c + m * c_stride + ch0,                                                                  \
                     epilogue(bcc##m, e->residual ? e->residual + m * e->residual_stride + ch0 : NULL, mask,  \
                              e->relu));
    PIXELS7(STORE_B)
  }
}

void rb_f32_ngconv_c16_7x32__avx512(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                    size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  // nc is a multiple of the group, 16: a block is two groups, or the last group alone.
  for (size_t ch0 = 0; ch0 < nc; ch0 += 32, w += 32 * (1 + 16 * ks)) {
    if (nc - ch0 >= 32)
      c16x2_block(1, mr, ks, a, w, c, c_stride, zero, a_offset + ch0, ch0, e);
    else
      c16x2_block(0, mr, ks, a, w, c, c_stride, zero, a_offset + ch0, ch0, e);
  }
}

