// CPU feature detection, done once. The ISA list (isa_list.c) turns these bits into ISAs.
#include "cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "resbench/probe.h"

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

typedef struct feature {
  const char *name;
  int present;
} feature;

static void join(char *buf, size_t len, const feature *f, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  for (size_t i = 0; i < n && used < len; i++)
    if (f[i].present) used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", f[i].name);
}

static rb_cpu cpu;

static void cpu_init(void) {
#if defined(__x86_64__)
  unsigned a, b, c, d, leaf1_c = 0, xcr0 = 0, l7b = 0, l7c = 0, l7d = 0, l7_1a = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) leaf1_c = c;
  if (leaf1_c & bit_OSXSAVE) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = lo;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    l7b = b, l7c = c, l7d = d;
    if (a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) l7_1a = a;
  }
  // The OS saves ymm (XCR0 bits 1, 2) / zmm state (also bits 5, 6, 7): without it the
  // instructions fault even when CPUID lists them.
  const int y = (xcr0 & 0x6) == 0x6, z = (xcr0 & 0xE6) == 0xE6;
  const unsigned need512 = bit_AVX512F | bit_AVX512BW | bit_AVX512VL | bit_AVX512DQ;
  cpu.avx2_fma = y && (l7b & bit_AVX2) && (leaf1_c & bit_FMA);
  cpu.avx512 = z && (l7b & need512) == need512;
  // Linux /proc/cpuinfo names; CPUID leaf 7 bits from the Intel SDM.
  const feature f[] = {
      {"avx", y && (leaf1_c & bit_AVX)},
      {"fma", y && (leaf1_c & bit_FMA)},
      {"avx2", y && (l7b & bit_AVX2)},
      {"avx_vnni", y && (l7_1a & (1u << 4))},
      {"avx512f", z && (l7b & bit_AVX512F)},
      {"avx512cd", z && (l7b & bit_AVX512CD)},
      {"avx512bw", z && (l7b & bit_AVX512BW)},
      {"avx512dq", z && (l7b & bit_AVX512DQ)},
      {"avx512vl", z && (l7b & bit_AVX512VL)},
      {"avx512ifma", z && (l7b & (1u << 21))},
      {"avx512vbmi", z && (l7c & (1u << 1))},
      {"avx512_vbmi2", z && (l7c & (1u << 6))},
      {"avx512_vnni", z && (l7c & (1u << 11))},
      {"avx512_bitalg", z && (l7c & (1u << 12))},
      {"avx512_vpopcntdq", z && (l7c & (1u << 14))},
      {"avx512_bf16", z && (l7_1a & (1u << 5))},
      {"avx512_fp16", z && (l7d & (1u << 23))},
      {"avx512_vp2intersect", z && (l7d & (1u << 8))},
  };
  join(cpu.names, sizeof cpu.names, f, sizeof f / sizeof f[0]);
#elif defined(__aarch64__)
  const unsigned long h = getauxval(AT_HWCAP), h2 = getauxval(AT_HWCAP2);
  cpu.neon = (h & HWCAP_ASIMD) != 0;
  // Linux /proc/cpuinfo names.
  const feature f[] = {
      {"asimd", (h & HWCAP_ASIMD) != 0},     {"fphp", (h & HWCAP_FPHP) != 0},
      {"asimdhp", (h & HWCAP_ASIMDHP) != 0}, {"asimddp", (h & HWCAP_ASIMDDP) != 0},
      {"asimdfhm", (h & HWCAP_ASIMDFHM) != 0}, {"sve", (h & HWCAP_SVE) != 0},
      {"sve2", (h2 & HWCAP2_SVE2) != 0},     {"i8mm", (h2 & HWCAP2_I8MM) != 0},
      {"bf16", (h2 & HWCAP2_BF16) != 0},
  };
  join(cpu.names, sizeof cpu.names, f, sizeof f / sizeof f[0]);
#endif
}

const rb_cpu *rb_cpu_get(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, cpu_init);
  return &cpu;
}

const char *rb_cpu_simd_features(void) { return rb_cpu_get()->names; }
