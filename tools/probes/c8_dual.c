// Zen 4 probe (2026-12-04, kernels/README.md "c8 8x16dual"): the AVX-512 c8 loop hot in L1, the
// 16x16swap body (16 pixels, one vshuff32x4 a pixel and tap) against the dual one (8 pixels, two
// accumulators each, the lane swap once in the store). Zen 4: swap16 92-96, dual8 112-113 GFLOP/s.
//   gcc -O2 -mavx512f -mavx512vl -mavx512dq -mfma -o /tmp/c8_dual tools/probes/c8_dual.c && taskset -c 1 /tmp/c8_dual
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float in[16 * 9 * 256 + 64] __attribute__((aligned(64)));
static float wts[9 * 8 * 16] __attribute__((aligned(64)));
static float out[16 * 16] __attribute__((aligned(64)));
#define P16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define P8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
// current swap: 16 pixels, 1 acc each
__attribute__((noinline)) void swap16(const float *const *ap, const float *w, float *c) {
#define INIT(m) __m512 acc##m = _mm512_setzero_ps();
  P16(INIT)
  for (int t = 0; t < 9; t++, w += 128) {
    const float *const *a = ap + t * 16;
#define LD(m) const __m512 x##m = _mm512_loadu_ps(a[m]);
#define SW(m) const __m512 xs##m = _mm512_shuffle_f32x4(x##m, x##m, 0xB1);
#define F(m, v, imm) acc##m = _mm512_fmadd_ps(_mm512_permute_ps(v##m, imm), wj, acc##m);
#define R(j, v, imm, a_, b, c_, d) { const __m512 wj = _mm512_loadu_ps(w + j * 16); F(a_, v, imm) F(b, v, imm) F(c_, v, imm) F(d, v, imm) }
#define S8(a_, b, c_, d) { LD(a_) LD(b) LD(c_) LD(d) R(0, x, 0x00, a_, b, c_, d) R(1, x, 0x55, a_, b, c_, d) R(2, x, 0xAA, a_, b, c_, d) R(3, x, 0xFF, a_, b, c_, d) SW(a_) SW(b) SW(c_) SW(d) R(4, xs, 0x00, a_, b, c_, d) R(5, xs, 0x55, a_, b, c_, d) R(6, xs, 0xAA, a_, b, c_, d) R(7, xs, 0xFF, a_, b, c_, d) }
    S8(0, 1, 2, 3) S8(4, 5, 6, 7) S8(8, 9, 10, 11) S8(12, 13, 14, 15)
  }
#define ST(m) _mm512_storeu_ps(c + m * 16, acc##m);
  P16(ST)
}
// dual: 8 pixels, acc (diag) + bcc (off), one swap per pixel at the end
__attribute__((noinline)) void dual8(const float *const *ap, const float *w, float *c) {
#define INIT2(m) __m512 acc##m = _mm512_setzero_ps(), bcc##m = _mm512_setzero_ps();
  P8(INIT2)
  for (int t = 0; t < 9; t++, w += 128) {
    const float *const *a = ap + t * 8;
#define D(m, imm) { const __m512 b = _mm512_permute_ps(x##m, imm); acc##m = _mm512_fmadd_ps(b, wd, acc##m); bcc##m = _mm512_fmadd_ps(b, wo, bcc##m); }
#define DR(j, imm, a_, b_, c_, d) { const __m512 wd = _mm512_loadu_ps(w + j * 32), wo = _mm512_loadu_ps(w + j * 32 + 16); D(a_, imm) D(b_, imm) D(c_, imm) D(d, imm) }
#define D4(a_, b_, c_, d) { LD(a_) LD(b_) LD(c_) LD(d) DR(0, 0x00, a_, b_, c_, d) DR(1, 0x55, a_, b_, c_, d) DR(2, 0xAA, a_, b_, c_, d) DR(3, 0xFF, a_, b_, c_, d) }
    D4(0, 1, 2, 3) D4(4, 5, 6, 7)
  }
#define ST2(m) _mm512_storeu_ps(c + m * 16, _mm512_add_ps(acc##m, _mm512_shuffle_f32x4(bcc##m, bcc##m, 0xB1)));
  P8(ST2)
}
int main(void) {
  for (int i = 0; i < (int)(sizeof in / 4); i++) in[i] = (i % 7) * 1e-3f;
  for (int i = 0; i < (int)(sizeof wts / 4); i++) wts[i] = (i % 5) * 1e-3f;
  const float *ap16[9 * 16], *ap8[9 * 8];
  for (int t = 0; t < 9; t++) { for (int m = 0; m < 16; m++) ap16[t * 16 + m] = in + (t * 16 + m) * 64; for (int m = 0; m < 8; m++) ap8[t * 8 + m] = in + (t * 16 + m) * 64; }
  for (int rep = 0; rep < 5; rep++) {
    const long n = 2000000;
    double t0 = now();
    for (long i = 0; i < n; i++) { swap16(ap16, wts, out); __asm__ volatile("" ::: "memory"); }
    double t1 = now();
    for (long i = 0; i < 2 * n; i++) { dual8(ap8, wts, out); __asm__ volatile("" ::: "memory"); }
    double t2 = now();
    const double fl = (double)n * 16 * 9 * 8 * 32;
    printf("swap16 %.1f GFLOP/s  dual8 %.1f GFLOP/s\n", fl / (t1 - t0) * 1e-9, fl / (t2 - t1) * 1e-9);
  }
  return 0;
}
