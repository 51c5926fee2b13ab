// Zen 4 probe (2026-12-04): the AVX2 c8 loop hot in L1: the 8x8 kernel's body (8 pixels, a broadcast
// load per FMA) against the dual layout on ymm (one group a ymm, two accumulators a pixel): 6
// pixels with vpermilps from memory (12 accumulators), and 4 pixels with x in registers. Zen 4:
// bc8 90-93, dual6 104-112, dual4 98-102 GFLOP/s.
//   gcc -O2 -mavx2 -mfma -o /tmp/c8_dual_avx2 tools/probes/c8_dual_avx2.c && taskset -c 1 /tmp/c8_dual_avx2
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float in[16 * 9 * 256 + 64] __attribute__((aligned(64)));
static float wts[9 * 8 * 16] __attribute__((aligned(64)));
static float out[16 * 16] __attribute__((aligned(64)));
#define P8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define P6(X) X(0) X(1) X(2) X(3) X(4) X(5)
// current: 8 pixels, 8 broadcasts per weight row
__attribute__((noinline)) void bc8(const float *const *ap, const float *w, float *c) {
#define INIT(m) __m256 acc##m = _mm256_setzero_ps();
  P8(INIT)
  for (int t = 0; t < 9; t++) {
    const float *const *a = ap + t * 8;
#define RW(m) const float *r##m = a[m];
    P8(RW)
    for (int i = 0; i < 8; i++, w += 8) {
      const __m256 wi = _mm256_loadu_ps(w);
#define S(m) acc##m = _mm256_fmadd_ps(_mm256_broadcast_ss(r##m + i), wi, acc##m);
      P8(S)
    }
  }
  w -= 9 * 64;
#define ST(m) _mm256_storeu_ps(c + m * 8, acc##m);
  P8(ST)
}
// dual, 6 pixels: vpermilps from memory (asm so the load is not hoisted), 12 accumulators
static inline __m256 permld(const float *p, const int imm) {
  __m256 v;
  switch (imm) {
    case 0: __asm__("vpermilps $0x00, %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p)); break;
    case 1: __asm__("vpermilps $0x55, %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p)); break;
    case 2: __asm__("vpermilps $0xAA, %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p)); break;
    default: __asm__("vpermilps $0xFF, %1, %0" : "=x"(v) : "m"(*(const float(*)[8])p)); break;
  }
  return v;
}
__attribute__((noinline)) void dual6(const float *const *ap, const float *w, float *c) {
#define INIT2(m) __m256 acc##m = _mm256_setzero_ps(), bcc##m = _mm256_setzero_ps();
  P6(INIT2)
  for (int t = 0; t < 9; t++, w += 64) {
    const float *const *a = ap + t * 6;
    P6(RW)
#define D(m, j) { const __m256 b = permld(r##m, j); acc##m = _mm256_fmadd_ps(b, wo, acc##m); bcc##m = _mm256_fmadd_ps(b, wa, bcc##m); }
#define DJ(j) { const __m256 wo = _mm256_loadu_ps(w + 16 * j), wa = _mm256_loadu_ps(w + 16 * j + 8); D(0, j) D(1, j) D(2, j) D(3, j) D(4, j) D(5, j) }
    DJ(0) DJ(1) DJ(2) DJ(3)
  }
#define ST2(m) _mm256_storeu_ps(c + m * 8, _mm256_add_ps(acc##m, _mm256_permute2f128_ps(bcc##m, bcc##m, 1)));
  P6(ST2)
}
// dual, 4 pixels, x in registers
__attribute__((noinline)) void dual4(const float *const *ap, const float *w, float *c) {
#define P4(X) X(0) X(1) X(2) X(3)
  P4(INIT2)
  for (int t = 0; t < 9; t++, w += 64) {
    const float *const *a = ap + t * 4;
#define LX(m) const __m256 x##m = _mm256_loadu_ps(a[m]);
    P4(LX)
#define E(m, imm) { const __m256 b = _mm256_permute_ps(x##m, imm); acc##m = _mm256_fmadd_ps(b, wo, acc##m); bcc##m = _mm256_fmadd_ps(b, wa, bcc##m); }
#define EJ(j, imm) { const __m256 wo = _mm256_loadu_ps(w + 16 * j), wa = _mm256_loadu_ps(w + 16 * j + 8); E(0, imm) E(1, imm) E(2, imm) E(3, imm) }
    EJ(0, 0x00) EJ(1, 0x55) EJ(2, 0xAA) EJ(3, 0xFF)
  }
  P4(ST2)
}
int main(void) {
  for (int i = 0; i < (int)(sizeof in / 4); i++) in[i] = (i % 7) * 1e-3f;
  for (int i = 0; i < (int)(sizeof wts / 4); i++) wts[i] = (i % 5) * 1e-3f;
  const float *ap8[9 * 8], *ap6[9 * 6], *ap4[9 * 4];
  for (int t = 0; t < 9; t++) { for (int m = 0; m < 8; m++) ap8[t * 8 + m] = in + (t * 8 + m) * 64; for (int m = 0; m < 6; m++) ap6[t * 6 + m] = in + (t * 8 + m) * 64; for (int m = 0; m < 4; m++) ap4[t * 4 + m] = in + (t * 8 + m) * 64; }
  for (int rep = 0; rep < 5; rep++) {
    const long n = 3000000;
    double t0 = now();
    for (long i = 0; i < n; i++) { bc8(ap8, wts, out); __asm__ volatile("" ::: "memory"); }
    double t1 = now();
    for (long i = 0; i < n * 4 / 3; i++) { dual6(ap6, wts, out); __asm__ volatile("" ::: "memory"); }
    double t2 = now();
    for (long i = 0; i < n * 2; i++) { dual4(ap4, wts, out); __asm__ volatile("" ::: "memory"); }
    double t3 = now();
    const double fl = (double)n * 8 * 9 * 8 * 16;
    printf("bc8 %.1f  dual6 %.1f  dual4 %.1f GFLOP/s\n", fl / (t1 - t0) * 1e-9, fl / (t2 - t1) * 1e-9, fl / (t3 - t2) * 1e-9);
  }
  return 0;
}
