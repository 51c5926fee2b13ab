// Zen 4 probe (2026-12-04, results/vm-epyc-zen4/NOTES.md): what one cross-lane operation costs beside
// the c8 swap kernel's in-lane work (kernels/avx512/ngconv.c: per pixel one vshuff32x4, then 8
// vpermilps + FMA). 16 zmm FMA chains, inline asm: per 8 FMAs nothing, vshuff32x4, vpermpd,
// vpermq or vshufi32x4. Accumulators zeroed first (no denormal or NaN inputs).
//   gcc -O2 -mavx512f -o /tmp/cross_lane_mix tools/probes/cross_lane_mix.c && taskset -c 1 /tmp/cross_lane_mix
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
// 16 FMA chains, 2 "pixels" x 8 rows: per pixel the cross-lane op X, then 8 vpermilps + FMA
#define PIX(X, a0,a1,a2,a3,a4,a5,a6,a7) \
  X \
  "vpermilps $0x00, %%zmm20, %%zmm22\n\t vfmadd231ps %%zmm22, %%zmm23, " a0 "\n\t" \
  "vpermilps $0x55, %%zmm20, %%zmm24\n\t vfmadd231ps %%zmm24, %%zmm23, " a1 "\n\t" \
  "vpermilps $0xaa, %%zmm20, %%zmm25\n\t vfmadd231ps %%zmm25, %%zmm23, " a2 "\n\t" \
  "vpermilps $0xff, %%zmm20, %%zmm26\n\t vfmadd231ps %%zmm26, %%zmm23, " a3 "\n\t" \
  "vpermilps $0x00, %%zmm21, %%zmm27\n\t vfmadd231ps %%zmm27, %%zmm23, " a4 "\n\t" \
  "vpermilps $0x55, %%zmm21, %%zmm28\n\t vfmadd231ps %%zmm28, %%zmm23, " a5 "\n\t" \
  "vpermilps $0xaa, %%zmm21, %%zmm29\n\t vfmadd231ps %%zmm29, %%zmm23, " a6 "\n\t" \
  "vpermilps $0xff, %%zmm21, %%zmm30\n\t vfmadd231ps %%zmm30, %%zmm23, " a7 "\n\t"
#define BODY(X) for (long it = 0; it < n; it++) { __asm__ volatile( \
  PIX(X, "%%zmm0","%%zmm1","%%zmm2","%%zmm3","%%zmm4","%%zmm5","%%zmm6","%%zmm7") \
  PIX(X, "%%zmm8","%%zmm9","%%zmm10","%%zmm11","%%zmm12","%%zmm13","%%zmm14","%%zmm15") \
  ::: "memory"); }
#define NONE ""
#define SHUFF "vshuff32x4 $0xb1, %%zmm19, %%zmm19, %%zmm21\n\t"
#define PERMPD "vpermpd $0x4e, %%zmm19, %%zmm21\n\t"
#define PERMQ "vpermq $0x4e, %%zmm19, %%zmm21\n\t"
#define SHUFI "vshufi32x4 $0xb1, %%zmm19, %%zmm19, %%zmm21\n\t"
int main(void){
  long n = 30000000;
  __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\t vmovaps %%zmm0, %%zmm1\n\t vmovaps %%zmm0, %%zmm2\n\t"
                   "vmovaps %%zmm0, %%zmm3\n\t vmovaps %%zmm0, %%zmm4\n\t vmovaps %%zmm0, %%zmm5\n\t"
                   "vmovaps %%zmm0, %%zmm6\n\t vmovaps %%zmm0, %%zmm7\n\t vmovaps %%zmm0, %%zmm8\n\t"
                   "vmovaps %%zmm0, %%zmm9\n\t vmovaps %%zmm0, %%zmm10\n\t vmovaps %%zmm0, %%zmm11\n\t"
                   "vmovaps %%zmm0, %%zmm12\n\t vmovaps %%zmm0, %%zmm13\n\t vmovaps %%zmm0, %%zmm14\n\t"
                   "vmovaps %%zmm0, %%zmm15\n\t vmovaps %%zmm0, %%zmm19\n\t vmovaps %%zmm0, %%zmm20\n\t"
                   "vmovaps %%zmm0, %%zmm21\n\t vmovaps %%zmm0, %%zmm23" ::: "memory");
  for (int rep = 0; rep < 3; rep++) {
  double t;
  t=now(); BODY(NONE) printf("none       %.1f GF/s\n", n*16*32/(now()-t)*1e-9);
  t=now(); BODY(SHUFF) printf("vshuff32x4 %.1f GF/s\n", n*16*32/(now()-t)*1e-9);
  t=now(); BODY(PERMPD) printf("vpermpd    %.1f GF/s\n", n*16*32/(now()-t)*1e-9);
  t=now(); BODY(PERMQ) printf("vpermq     %.1f GF/s\n", n*16*32/(now()-t)*1e-9);
  t=now(); BODY(SHUFI) printf("vshufi32x4 %.1f GF/s\n", n*16*32/(now()-t)*1e-9);
  }
  __asm__ volatile("vzeroupper");
}
