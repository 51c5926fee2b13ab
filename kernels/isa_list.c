// The ISA list: the one place outside kernels/<isa>/ that knows which ISAs exist. Each entry has
// its name, the build architecture it needs, the CPU test and the reason when the CPU fails it,
// its FMA peak probe and its kernel table. Order is preference: the last available entry is the
// default (ref < avx2 < avx512; neon on aarch64).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "engine.h"
#include "table.h"
#include "resbench/probe.h"
#include "ukernel.h"

#if defined(__x86_64__)
#define ON_X86 1
#define ON_ARM 0
#elif defined(__aarch64__)
#define ON_X86 0
#define ON_ARM 1
#else
#define ON_X86 0
#define ON_ARM 0
#endif

typedef struct isa_entry {
  const char *name;
  const char *needs_build;  // "AVX2 needs an x86-64 build"; NULL: every build has it
  int built;                // this build's architecture has the ISA (its probe, maybe kernels)
  int (*cpu_runs)(const rb_cpu *c);
  const char *cpu_lacks;    // why, when cpu_runs says no
  rb_fma_probe probe;       // .run NULL when not built
  const rb_kernels *table;  // ref's own; NULL for the others, whose tables are made from engine
  const rb_engine_config *engine;  // kernels/<isa>/config.c; NULL: no kernels of this ISA in this build yet
  void (*eltwise_fill)(rb_kernels *);  // kernels/<isa>/eltwise.c: the memory-bound family
  const char *no_table;     // why, when there is no table on a CPU that runs the ISA
} isa_entry;

static int runs_any(const rb_cpu *c) { return (void)c, 1; }
static int runs_avx2(const rb_cpu *c) { return c->avx2_fma; }
static int runs_avx512(const rb_cpu *c) { return c->avx512; }
static int runs_neon(const rb_cpu *c) { return c->neon; }

// Probe and kernel functions and engine configurations exist only in their architecture's build.
#if ON_X86
#define X86_ONLY(f) f
#define X86_ENGINE(e) &e
#else
#define X86_ONLY(f) NULL
#define X86_ENGINE(e) NULL
#endif
#if ON_ARM
#define ARM_ONLY(f) f
#define ARM_ENGINE(e) &e
#else
#define ARM_ONLY(f) NULL
#define ARM_ENGINE(e) NULL
#endif

static const isa_entry isas[RB_ISA_COUNT] = {
    [RB_ISA_REF] = {"ref", NULL, 1, runs_any, NULL,
                    {RB_ISA_REF, "rb_fma_probe__ref", "48 float multiply-add chains (compiler's baseline vectors)", 48,
                     RB_FMA_MULADD, rb_fma_probe__ref},
                    &rb_kernels_ref, NULL, NULL, NULL},
    [RB_ISA_AVX2] = {"avx2", "AVX2 needs an x86-64 build", ON_X86, runs_avx2,
                     "this CPU lacks AVX2 + FMA (or the OS does not enable ymm state)",
                     {RB_ISA_AVX2, "rb_fma_probe__avx2", "12 ymm FMA chains", 12 * 8, RB_FMA_MULADD,
                      X86_ONLY(rb_fma_probe__avx2)},
                     NULL, X86_ENGINE(rb_engine_avx2), X86_ONLY(rb_eltwise_fill__avx2), "this build has no AVX2 kernels yet"},
    [RB_ISA_AVX512] = {"avx512", "AVX-512 needs an x86-64 build", ON_X86, runs_avx512,
                       "this CPU lacks AVX-512 F/BW/VL/DQ (or the OS does not enable zmm state)",
                       {RB_ISA_AVX512, "rb_fma_probe__avx512", "24 zmm FMA chains", 24 * 16, RB_FMA_MULADD,
                        X86_ONLY(rb_fma_probe__avx512)},
                       NULL, X86_ENGINE(rb_engine_avx512), X86_ONLY(rb_eltwise_fill__avx512),
                       "this build has no AVX-512 kernels yet"},
    [RB_ISA_NEON] = {"neon", "NEON needs an aarch64 build", ON_ARM, runs_neon, "this CPU lacks Advanced SIMD (NEON)",
                     {RB_ISA_NEON, "rb_fma_probe__neon", "24 q-register FMA chains", 24 * 4, RB_FMA_ACCUMULATE,
                      ARM_ONLY(rb_fma_probe__neon)},
                     NULL, ARM_ENGINE(rb_engine_neon), ARM_ONLY(rb_eltwise_fill__neon), "this build has no NEON kernels yet"},
};

static const isa_entry *entry(rb_isa isa) { return (unsigned)isa < RB_ISA_COUNT ? &isas[isa] : NULL; }

// A SIMD ISA's table: ref's kernels for every family the ISA has no microkernels of yet, direct
// and Winograd convolution on the engine with the ISA's microkernels, and its element-wise
// family. Made once, for the ISAs the CPU runs only: the fill is code of the ISA's own file, and
// GCC may store the table's pointers with that ISA's vectors (zmm on avx512, SIGILL on Zen 1).
static rb_kernels simd_tables[RB_ISA_COUNT];

static const char *cpu_reason(const isa_entry *e);

static void simd_tables_init(void) {
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    if (!isas[i].engine || cpu_reason(&isas[i])) continue;
    simd_tables[i] = rb_kernels_ref;
    simd_tables[i].isa = (rb_isa)i;
    simd_tables[i].isa_name = isas[i].name;
    simd_tables[i].engine = isas[i].engine;
    for (int w = 0; w < RB_WINO_COUNT; w++)  // Winograd on the engine, with the ISA's transforms
      if (rb_wino_engine_has(isas[i].engine, 2 * w + 2)) simd_tables[i].conv_winograd[w] = NULL;
    if (isas[i].eltwise_fill) isas[i].eltwise_fill(&simd_tables[i]);
  }
}

static const rb_kernels *table_of(const isa_entry *e) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (e->table || !e->engine) return e->table;
  pthread_once(&once, simd_tables_init);
  return &simd_tables[e - isas];
}

const char *rb_isa_name(rb_isa isa) { return entry(isa) ? entry(isa)->name : "unknown"; }

static char known_names[128];

static void known_names_init(void) {
  for (int i = 0; i < RB_ISA_COUNT; i++)
    snprintf(known_names + strlen(known_names), sizeof known_names - strlen(known_names), "%s%s", i ? ", " : "",
             isas[i].name);
}

const char *rb_isa_known_names(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, known_names_init);
  return known_names;
}

rb_status rb_isa_parse(const char *s, rb_isa *isa) {
  if (!s || !isa) return rb_fail(RB_ERR_NULL, "rb_isa_parse: NULL argument");
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (strcmp(s, isas[i].name) == 0) {
      *isa = (rb_isa)i;
      return RB_OK;
    }
  return rb_fail(RB_ERR_NOT_FOUND, "unknown ISA '%s' (known: %s)", s, rb_isa_known_names());
}

// RESBENCH_MAX_ISA=avx2 treats the CPU as if it ran nothing past avx2 (as oneDNN's
// ONEDNN_MAX_CPU_ISA does), so an AVX-512 machine can test what an AVX2-only one runs. It caps
// the ISAs of its own architecture only; a name this build lacks or does not know caps nothing.
static char cap_reason[96];
static int cap = RB_ISA_COUNT;

static void cap_init(void) {
  const char *env = getenv("RESBENCH_MAX_ISA");
  if (!env || !*env) return;
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (strcmp(env, isas[i].name) == 0 && isas[i].built) cap = i;
  snprintf(cap_reason, sizeof cap_reason, "capped by RESBENCH_MAX_ISA=%.32s", env);
}

static int capped(const isa_entry *e) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, cap_init);
  return e - isas > cap;
}

// Why the CPU (or this build's architecture, or the cap) cannot run the ISA, or NULL.
static const char *cpu_reason(const isa_entry *e) {
  if (!e->built) return e->needs_build;
  if (!e->cpu_runs(rb_cpu_get())) return e->cpu_lacks;
  return capped(e) ? cap_reason : NULL;
}

int rb_cpu_supports(rb_isa isa) {
  const isa_entry *e = entry(isa);
  return e && !cpu_reason(e);
}

const char *rb_isa_unavailable_reason(rb_isa isa) {
  const isa_entry *e = entry(isa);
  if (!e) return "unknown ISA";
  const char *why = cpu_reason(e);
  return why ? why : e->table || e->engine ? NULL : e->no_table;
}

int rb_isa_available(rb_isa isa) { return entry(isa) && rb_isa_unavailable_reason(isa) == NULL; }

rb_status rb_kernels_get(rb_isa isa, const rb_kernels **k) {
  if (!k) return rb_fail(RB_ERR_NULL, "rb_kernels_get: k is NULL");
  *k = NULL;
  if (!entry(isa)) return rb_fail(RB_ERR_INVALID_ARG, "ISA %d out of range", (int)isa);
  const char *why = rb_isa_unavailable_reason(isa);
  if (why) return rb_fail(RB_ERR_UNSUPPORTED, "ISA '%s' is not available: %s", rb_isa_name(isa), why);
  *k = table_of(&isas[isa]);
  return RB_OK;
}

rb_isa rb_isa_best(void) {
  for (int i = RB_ISA_COUNT - 1; i > 0; i--)
    if (rb_isa_available((rb_isa)i)) return (rb_isa)i;
  return RB_ISA_REF;
}

rb_status rb_kernels_default(const rb_kernels **k) {
  if (!k) return rb_fail(RB_ERR_NULL, "rb_kernels_default: k is NULL");
  const char *env = getenv("RESBENCH_ISA");
  if (env && *env) {
    rb_isa isa;
    rb_status s = rb_isa_parse(env, &isa);
    if (s != RB_OK) return rb_fail(s, "RESBENCH_ISA: unknown ISA '%s' (known: %s)", env, rb_isa_known_names());
    return rb_kernels_get(isa, k);
  }
  return rb_kernels_get(rb_isa_best(), k);
}

rb_status rb_fma_probe_get(rb_isa isa, const rb_fma_probe **p) {
  if (!p) return rb_fail(RB_ERR_NULL, "rb_fma_probe_get: p is NULL");
  *p = NULL;
  const isa_entry *e = entry(isa);
  if (!e) return rb_fail(RB_ERR_INVALID_ARG, "ISA %d out of range", (int)isa);
  if (!e->built || !e->probe.run)
    return rb_fail(RB_ERR_UNSUPPORTED, "no '%s' FMA probe in this build (%s)", e->name, e->needs_build);
  const char *why = cpu_reason(e);
  if (why) return rb_fail(RB_ERR_UNSUPPORTED, "the '%s' FMA probe cannot run: %s", e->name, why);
  *p = &e->probe;
  return RB_OK;
}

const rb_fma_probe *rb_fma_probe_best(void) {
  for (int i = RB_ISA_COUNT - 1; i > 0; i--)
    if (isas[i].probe.run && !cpu_reason(&isas[i])) return &isas[i].probe;
  return &isas[RB_ISA_REF].probe;
}

rb_isa rb_kernels_isa(const rb_kernels *k) { return k ? k->isa : RB_ISA_COUNT; }
