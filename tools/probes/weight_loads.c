// Zen 5 probe (2026-12-03, results/vm-epyc-zen5/NOTES.md): embedded-broadcast FMAs with one zmm
// weight load per 7 (c16 7x32: 7 pixels x 2 groups), 14 or 28 FMAs: what the pixels per weight
// load are worth when every FMA loads its input. 14 or 28 zmm FMA chains, inline asm.
//   gcc -O2 -mavx512f -o /tmp/weight_loads tools/probes/weight_loads.c && taskset -c 1 /tmp/weight_loads
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float buf[4096] __attribute__((aligned(64)));
#define F(src, w, acc) "vfmadd231ps " src ", " w ", %%zmm" #acc "\n\t"
#define E(o, w, acc) F(#o "(%%rsi)%{1to16%}", w, acc)
// 7x32-like: per input: 2 weight loads, 14 embedded-broadcast FMAs (7 pixels x 2 groups)
#define G7x2 "vmovups 256(%%rsi), %%zmm28\n\t vmovups 320(%%rsi), %%zmm29\n\t" \
  E(0,"%%zmm28",0) E(4,"%%zmm28",1) E(8,"%%zmm28",2) E(12,"%%zmm28",3) E(16,"%%zmm28",4) E(20,"%%zmm28",5) E(24,"%%zmm28",6) \
  E(64,"%%zmm29",7) E(68,"%%zmm29",8) E(72,"%%zmm29",9) E(76,"%%zmm29",10) E(80,"%%zmm29",11) E(84,"%%zmm29",12) E(88,"%%zmm29",13)
// 14x16-like with weights loaded: per input: 1 weight load, 14 FMAs
#define G14 "vmovups 256(%%rsi), %%zmm28\n\t" \
  E(0,"%%zmm28",0) E(4,"%%zmm28",1) E(8,"%%zmm28",2) E(12,"%%zmm28",3) E(16,"%%zmm28",4) E(20,"%%zmm28",5) E(24,"%%zmm28",6) \
  E(64,"%%zmm28",7) E(68,"%%zmm28",8) E(72,"%%zmm28",9) E(76,"%%zmm28",10) E(80,"%%zmm28",11) E(84,"%%zmm28",12) E(88,"%%zmm28",13)
// 28 accumulators, 1 weight load per 28 FMAs
#define G28 "vmovups 256(%%rsi), %%zmm28\n\t" \
  E(0,"%%zmm28",0) E(4,"%%zmm28",1) E(8,"%%zmm28",2) E(12,"%%zmm28",3) E(16,"%%zmm28",4) E(20,"%%zmm28",5) E(24,"%%zmm28",6) \
  E(64,"%%zmm28",7) E(68,"%%zmm28",8) E(72,"%%zmm28",9) E(76,"%%zmm28",10) E(80,"%%zmm28",11) E(84,"%%zmm28",12) E(88,"%%zmm28",13) \
  E(128,"%%zmm28",14) E(132,"%%zmm28",15) E(136,"%%zmm28",16) E(140,"%%zmm28",17) E(144,"%%zmm28",18) E(148,"%%zmm28",19) E(152,"%%zmm28",20) \
  E(160,"%%zmm28",21) E(164,"%%zmm28",22) E(168,"%%zmm28",23) E(172,"%%zmm28",24) E(176,"%%zmm28",25) E(180,"%%zmm28",26) E(184,"%%zmm28",27)
int main(void){
  long n = 20000000;
  for (int i = 0; i < 4096; i++) buf[i] = 1e-3f;
  for (int rep = 0; rep < 3; rep++) {
  double t;
  t=now(); for (long it=0; it<n; it++) __asm__ volatile(G7x2 G7x2 :: "S"(buf) : "memory"); printf("7x2 (16 loads/14 FMA)  %.1f GF/s\n", n*28*32/(now()-t)*1e-9);
  t=now(); for (long it=0; it<n; it++) __asm__ volatile(G14 G14 :: "S"(buf) : "memory"); printf("14 (15 loads/14 FMA)   %.1f GF/s\n", n*28*32/(now()-t)*1e-9);
  t=now(); for (long it=0; it<n; it++) __asm__ volatile(G28 :: "S"(buf) : "memory"); printf("28 (29 loads/28 FMA)   %.1f GF/s\n", n*28*32/(now()-t)*1e-9);
  }
  __asm__ volatile("vzeroupper");
}
