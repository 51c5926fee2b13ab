// What this CPU and OS run, read once (CPUID + XGETBV on x86-64, getauxval on aarch64). Internal
// to kernels/: the rest of resbench asks the ISA list (kernels/isa_list.c, resbench/kernels.h).
#ifndef RESBENCH_KERNELS_CPU_H
#define RESBENCH_KERNELS_CPU_H

typedef struct rb_cpu {
  int avx2_fma;  // AVX2 + FMA, and the OS saves ymm state
  int avx512;    // AVX-512 F + BW + VL + DQ, and the OS saves zmm state
  int neon;      // Advanced SIMD
  char names[512];  // the SIMD features by their /proc/cpuinfo names, space-separated
} rb_cpu;

const rb_cpu *rb_cpu_get(void);

#endif
