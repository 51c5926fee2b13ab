// ISAs: the kernel tables resbench has (ref, avx2, avx512, neon), which this build and CPU run,
// and the choice of one. A table is opaque here: plans and ops take one, and only kernels/ and
// its tests see inside (kernels/table.h).
#ifndef RESBENCH_ISA_H
#define RESBENCH_ISA_H

#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// In order of preference (kernels/isa_list.c is the list: names, CPU tests, probes, tables).
typedef enum rb_isa { RB_ISA_REF = 0, RB_ISA_AVX2, RB_ISA_AVX512, RB_ISA_NEON, RB_ISA_COUNT } rb_isa;

typedef struct rb_kernels rb_kernels;

// "ref", "avx2", "avx512", "neon" <-> rb_isa.
const char *rb_isa_name(rb_isa isa);
rb_status rb_isa_parse(const char *s, rb_isa *isa);
// "ref, avx2, avx512, neon": for messages.
const char *rb_isa_known_names(void);

// Whether this build has the ISA's kernels and the CPU runs them.
int rb_isa_available(rb_isa isa);
// Why not (the build's architecture, the CPU, or no kernels in this build), or NULL when available.
const char *rb_isa_unavailable_reason(rb_isa isa);
// The best available ISA (the default kernel table when RESBENCH_ISA is not set).
rb_isa rb_isa_best(void);

// The table for an ISA: RB_ERR_UNSUPPORTED (with the reason) when the build or the CPU lacks it.
rb_status rb_kernels_get(rb_isa isa, const rb_kernels **k);

// The ISA of a table.
rb_isa rb_kernels_isa(const rb_kernels *k);

// The best available table, unless the environment variable RESBENCH_ISA names one (then that
// one, or an error if it is unknown or unavailable: never a silent fallback).
rb_status rb_kernels_default(const rb_kernels **k);

#ifdef __cplusplus
}
#endif
#endif
