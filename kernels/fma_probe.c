// The FMA peak probes per ISA and what the CPU runs: like dispatch.c, one of the few places
// outside kernels/<isa>/ that knows which ISAs exist. Only the CPU is asked here, not the kernel
// tables: the probe of an ISA works before (or without) that ISA's kernels.
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

static const rb_fma_probe probes[RB_ISA_COUNT] = {
    [RB_ISA_REF] = {RB_ISA_REF, "rb_fma_probe__ref", "48 float multiply-add chains (compiler's baseline vectors)",
                    48, RB_FMA_MULADD, rb_fma_probe__ref},
#if defined(__x86_64__)
    [RB_ISA_AVX512] = {RB_ISA_AVX512, "rb_fma_probe__avx512", "24 zmm FMA chains", 24 * 16, RB_FMA_MULADD,
                       rb_fma_probe__avx512},
#elif defined(__aarch64__)
    [RB_ISA_NEON] = {RB_ISA_NEON, "rb_fma_probe__neon", "24 q-register FMA chains", 24 * 4, RB_FMA_ACCUMULATE,
                     rb_fma_probe__neon},
#endif
};

#if defined(__x86_64__)
typedef struct x86_regs {
  unsigned leaf1_c, leaf7_b, leaf7_c, leaf7_d, leaf7_1_a, xcr0;
} x86_regs;

static x86_regs x86_read(void) {
  x86_regs r = {0};
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) r.leaf1_c = c;
  if (r.leaf1_c & bit_OSXSAVE) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    r.xcr0 = lo;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    r.leaf7_b = b, r.leaf7_c = c, r.leaf7_d = d;
    if (a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) r.leaf7_1_a = a;
  }
  return r;
}

// The OS saves ymm (XCR0 bits 1, 2) / zmm state (also bits 5, 6, 7): without it the
// instructions fault even when CPUID lists them.
static int os_ymm(const x86_regs *r) { return (r->xcr0 & 0x6) == 0x6; }
static int os_zmm(const x86_regs *r) { return (r->xcr0 & 0xE6) == 0xE6; }

// Same test as dispatch.c: the "avx512" ISA means F + BW + VL + DQ.
static int x86_avx512(const x86_regs *r) {
  const unsigned need = bit_AVX512F | bit_AVX512BW | bit_AVX512VL | bit_AVX512DQ;
  return os_zmm(r) && (r->leaf7_b & need) == need;
}
#endif

int rb_cpu_supports(rb_isa isa) {
  switch (isa) {
    case RB_ISA_REF: return 1;
    case RB_ISA_AVX512: {
#if defined(__x86_64__)
      const x86_regs r = x86_read();
      return x86_avx512(&r);
#else
      return 0;
#endif
    }
    case RB_ISA_NEON:
#if defined(__aarch64__)
      return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#else
      return 0;
#endif
    case RB_ISA_COUNT: break;
  }
  return 0;
}

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

static char features[512];

static void features_init(void) {
  char *buf = features;
#if defined(__x86_64__)
  const x86_regs r = x86_read();
  const int y = os_ymm(&r), z = os_zmm(&r);
  const unsigned b = r.leaf7_b, c = r.leaf7_c, d = r.leaf7_d;
  // Linux /proc/cpuinfo names; CPUID leaf 7 bits from the Intel SDM.
  const feature f[] = {
      {"avx", y && (r.leaf1_c & bit_AVX)},
      {"fma", y && (r.leaf1_c & bit_FMA)},
      {"avx2", y && (b & bit_AVX2)},
      {"avx_vnni", y && (r.leaf7_1_a & (1u << 4))},
      {"avx512f", z && (b & bit_AVX512F)},
      {"avx512cd", z && (b & bit_AVX512CD)},
      {"avx512bw", z && (b & bit_AVX512BW)},
      {"avx512dq", z && (b & bit_AVX512DQ)},
      {"avx512vl", z && (b & bit_AVX512VL)},
      {"avx512ifma", z && (b & (1u << 21))},
      {"avx512vbmi", z && (c & (1u << 1))},
      {"avx512_vbmi2", z && (c & (1u << 6))},
      {"avx512_vnni", z && (c & (1u << 11))},
      {"avx512_bitalg", z && (c & (1u << 12))},
      {"avx512_vpopcntdq", z && (c & (1u << 14))},
      {"avx512_bf16", z && (r.leaf7_1_a & (1u << 5))},
      {"avx512_fp16", z && (d & (1u << 23))},
      {"avx512_vp2intersect", z && (d & (1u << 8))},
  };
  join(buf, sizeof features, f, sizeof f / sizeof f[0]);
#elif defined(__aarch64__)
  const unsigned long h = getauxval(AT_HWCAP), h2 = getauxval(AT_HWCAP2);
  // Linux /proc/cpuinfo names.
  const feature f[] = {
      {"asimd", (h & HWCAP_ASIMD) != 0},     {"fphp", (h & HWCAP_FPHP) != 0},
      {"asimdhp", (h & HWCAP_ASIMDHP) != 0}, {"asimddp", (h & HWCAP_ASIMDDP) != 0},
      {"asimdfhm", (h & HWCAP_ASIMDFHM) != 0}, {"sve", (h & HWCAP_SVE) != 0},
      {"sve2", (h2 & HWCAP2_SVE2) != 0},     {"i8mm", (h2 & HWCAP2_I8MM) != 0},
      {"bf16", (h2 & HWCAP2_BF16) != 0},
  };
  join(buf, sizeof features, f, sizeof f / sizeof f[0]);
#endif
  (void)buf;
}

const char *rb_cpu_simd_features(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, features_init);
  return features;
}

rb_status rb_fma_probe_get(rb_isa isa, const rb_fma_probe **p) {
  if (!p) return rb_fail(RB_ERR_NULL, "rb_fma_probe_get: p is NULL");
  *p = NULL;
  if ((unsigned)isa >= RB_ISA_COUNT) return rb_fail(RB_ERR_INVALID_ARG, "ISA %d out of range", (int)isa);
  if (!probes[isa].run)
    return rb_fail(RB_ERR_UNSUPPORTED, "no '%s' FMA probe in this build (%s)", rb_isa_name(isa),
                   isa == RB_ISA_AVX512 ? "AVX-512 needs an x86-64 build" : "NEON needs an aarch64 build");
  if (!rb_cpu_supports(isa))
    return rb_fail(RB_ERR_UNSUPPORTED, "the '%s' FMA probe cannot run: %s", rb_isa_name(isa),
                   isa == RB_ISA_AVX512 ? "this CPU lacks AVX-512 F/BW/VL/DQ (or the OS does not enable zmm state)"
                                        : "this CPU lacks Advanced SIMD (NEON)");
  *p = &probes[isa];
  return RB_OK;
}

const rb_fma_probe *rb_fma_probe_best(void) {
  static const rb_isa order[] = {RB_ISA_AVX512, RB_ISA_NEON, RB_ISA_REF};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (probes[order[i]].run && rb_cpu_supports(order[i])) return &probes[order[i]];
  return &probes[RB_ISA_REF];
}
