// Zen 5 probe (2026-12-03, results/vm-epyc-zen5/NOTES.md): a 128-bit broadcast load (or a vshuff32x4)
// + 4 in-lane vpermilps per 4 FMAs against embedded {1to16} broadcasts, the ways to feed the c16
// kernels (kernels/avx512/ngconv.c) an input channel per FMA. 12 zmm FMA chains, inline asm.
//   gcc -O2 -mavx512f -o /tmp/load_cost tools/probes/load_cost.c && taskset -c 1 /tmp/load_cost
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float buf[4096] __attribute__((aligned(64)));
// 12 independent FMA chains, 12 FMAs an iteration
#define BODY(G) \
  for (long it = 0; it < n; it++) { \
    __asm__ volatile( G("%%zmm0","%%zmm1","%%zmm2","%%zmm3") G("%%zmm4","%%zmm5","%%zmm6","%%zmm7") \
                      G("%%zmm8","%%zmm9","%%zmm10","%%zmm11") :: "S"(buf) : "memory"); }
#define F(src, acc) "vfmadd231ps " src ", %%zmm23, " acc "\n\t"
// per 4 FMAs: nothing else
#define NONE(a,b,c,d) F("%%zmm20",a) F("%%zmm20",b) F("%%zmm20",c) F("%%zmm20",d)
// embedded broadcast per FMA (c16 kernels today)
#define EMB(a,b,c,d) F("4(%%rsi)%{1to16%}",a) F("8(%%rsi)%{1to16%}",b) F("12(%%rsi)%{1to16%}",c) F("16(%%rsi)%{1to16%}",d)
// per 4 FMAs: 1 vbroadcastf32x4 from memory + 4 vpermilps
#define P(i) "vpermilps $" #i ", %%zmm24, %%zmm22\n\t"
#define B4(a,b,c,d) "vbroadcastf32x4 64(%%rsi), %%zmm24\n\t" P(0) F("%%zmm22",a) P(0x55) F("%%zmm22",b) P(0xaa) F("%%zmm22",c) P(0xff) F("%%zmm22",d)
// same plus one zmm weight load per 4 FMAs (worse than the kernel's 2 per 14 + ...)
#define B4W(a,b,c,d) "vmovups 128(%%rsi), %%zmm23\n\t" B4(a,b,c,d)
// per 4 FMAs: 1 vshuff32x4 from register + 4 vpermilps
#define S4(a,b,c,d) "vshuff32x4 $0, %%zmm20, %%zmm20, %%zmm24\n\t" P(0) F("%%zmm22",a) P(0x55) F("%%zmm22",b) P(0xaa) F("%%zmm22",c) P(0xff) F("%%zmm22",d)
int main(void){
  long n = 30000000;
  for (int i = 0; i < 4096; i++) buf[i] = 1e-3f;
  for (int rep = 0; rep < 3; rep++) {
  double t;
  t=now(); BODY(NONE) printf("fma only          %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(EMB) printf("embedded bcast    %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(B4) printf("bcastf32x4+4perm  %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(B4W) printf("  + weight load   %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(S4) printf("vshuff+4perm      %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  }
  __asm__ volatile("vzeroupper");
}
