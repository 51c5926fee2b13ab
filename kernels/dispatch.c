// CPU feature detection and the choice of kernel table. The only place besides kernels/<isa>/
// that knows which ISAs exist.
#include <stdlib.h>
#include <string.h>

#include "resbench/kernels.h"
#include "resbench/probe.h"  // rb_cpu_supports: the CPU feature tests (kernels/fma_probe.c)

static const char *const isa_names[RB_ISA_COUNT] = {"ref", "avx512", "neon"};

const char *rb_isa_name(rb_isa isa) {
  return (unsigned)isa < RB_ISA_COUNT ? isa_names[isa] : "unknown";
}

rb_status rb_isa_parse(const char *s, rb_isa *isa) {
  if (!s || !isa) return rb_fail(RB_ERR_NULL, "rb_isa_parse: NULL argument");
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (strcmp(s, isa_names[i]) == 0) {
      *isa = (rb_isa)i;
      return RB_OK;
    }
  return rb_fail(RB_ERR_NOT_FOUND, "unknown ISA '%s' (known: ref, avx512, neon)", s);
}

// Why an ISA cannot be used here, or NULL when it can.
static const char *isa_unavailable_reason(rb_isa isa) {
  switch (isa) {
    case RB_ISA_REF: return NULL;
    case RB_ISA_AVX512:
#if defined(__x86_64__)
      if (!rb_cpu_supports(RB_ISA_AVX512))
        return "this CPU lacks AVX-512 F/BW/VL/DQ (or the OS does not enable zmm state)";
      return "this build has no AVX-512 kernels yet";
#else
      return "AVX-512 needs an x86-64 build";
#endif
    case RB_ISA_NEON:
#if defined(__aarch64__)
      if (!rb_cpu_supports(RB_ISA_NEON)) return "this CPU lacks Advanced SIMD (NEON)";
      return "this build has no NEON kernels yet";
#else
      return "NEON needs an aarch64 build";
#endif
    case RB_ISA_COUNT: break;
  }
  return "unknown ISA";
}

static const rb_kernels *isa_table(rb_isa isa) {
  return isa == RB_ISA_REF ? &rb_kernels_ref : NULL;
}

int rb_isa_available(rb_isa isa) {
  return (unsigned)isa < RB_ISA_COUNT && isa_unavailable_reason(isa) == NULL && isa_table(isa) != NULL;
}

rb_status rb_kernels_get(rb_isa isa, const rb_kernels **k) {
  if (!k) return rb_fail(RB_ERR_NULL, "rb_kernels_get: k is NULL");
  *k = NULL;
  if ((unsigned)isa >= RB_ISA_COUNT) return rb_fail(RB_ERR_INVALID_ARG, "ISA %d out of range", (int)isa);
  const char *why = isa_unavailable_reason(isa);
  if (why) return rb_fail(RB_ERR_UNSUPPORTED, "ISA '%s' is not available: %s", rb_isa_name(isa), why);
  *k = isa_table(isa);
  return RB_OK;
}

rb_status rb_kernels_default(const rb_kernels **k) {
  if (!k) return rb_fail(RB_ERR_NULL, "rb_kernels_default: k is NULL");
  const char *env = getenv("RESBENCH_ISA");
  if (env && *env) {
    rb_isa isa;
    rb_status s = rb_isa_parse(env, &isa);
    if (s != RB_OK) return rb_fail(s, "RESBENCH_ISA: unknown ISA '%s' (known: ref, avx512, neon)", env);
    return rb_kernels_get(isa, k);
  }
  // Best first.
  static const rb_isa order[] = {RB_ISA_AVX512, RB_ISA_NEON, RB_ISA_REF};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (rb_isa_available(order[i])) return rb_kernels_get(order[i], k);
  return rb_kernels_get(RB_ISA_REF, k);
}
