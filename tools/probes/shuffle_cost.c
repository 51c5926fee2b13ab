// Zen 5 probe (2026-12-03, results/vm-epyc-zen5/NOTES.md): what a shuffle beside each FMA costs.
// 12 independent zmm FMA chains, each FMA after one shuffle of the kind named (vpermilps is
// in-lane; vpermps and vshuff32x4 cross 128-bit lanes). Inline asm: the compiler cannot merge
// chains or drop the shuffles. Build and run pinned, after ~1 s of load:
//   gcc -O2 -mavx512f -o /tmp/shuffle_cost tools/probes/shuffle_cost.c && taskset -c 1 /tmp/shuffle_cost
// GFLOP/s = 12 chains x 16 lanes x 2 flops per iteration / time.
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
// 12 independent FMA chains; each FMA preceded by a shuffle of kind K
#define BODY(SH) \
  for (long it = 0; it < n; it++) { \
    __asm__ volatile( \
      SH("%%zmm20","%%zmm0") SH("%%zmm20","%%zmm1") SH("%%zmm20","%%zmm2") SH("%%zmm20","%%zmm3") \
      SH("%%zmm20","%%zmm4") SH("%%zmm20","%%zmm5") SH("%%zmm20","%%zmm6") SH("%%zmm20","%%zmm7") \
      SH("%%zmm20","%%zmm8") SH("%%zmm20","%%zmm9") SH("%%zmm20","%%zmm10") SH("%%zmm20","%%zmm11") \
      ::: "memory"); }
#define PERMPS(src,acc) "vpermps " src ", %%zmm21, %%zmm22\n\t vfmadd231ps %%zmm22, %%zmm23, " acc "\n\t"
#define PERMILPS(src,acc) "vpermilps $0x55, " src ", %%zmm22\n\t vfmadd231ps %%zmm22, %%zmm23, " acc "\n\t"
#define SHUFF(src,acc) "vshuff32x4 $0x4e, " src "," src ", %%zmm22\n\t vfmadd231ps %%zmm22, %%zmm23, " acc "\n\t"
#define NONE(src,acc) "vfmadd231ps %%zmm20, %%zmm23, " acc "\n\t"
int main(void){
  long n = 20000000;
  for (int rep = 0; rep < 2; rep++) {
  double t; 
  t=now(); BODY(NONE) printf("fma only   %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(PERMILPS) printf("vpermilps  %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(PERMPS) printf("vpermps    %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  t=now(); BODY(SHUFF) printf("vshuff32x4 %.1f GF/s\n", n*12*32/(now()-t)*1e-9);
  }
  __asm__ volatile("vzeroupper");
}
