// Declarations of every listed microkernel (kernels/<isa>/ukernels.inc), for the registry and
// the ISA configurations. A function exists only in its own architecture's build.
#ifndef RESBENCH_KERNELS_UKERNEL_DECLS_H
#define RESBENCH_KERNELS_UKERNEL_DECLS_H

#include "ukernel.h"

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn)                                                         \
  void igemm_fn(size_t, size_t, size_t, size_t, const float *const *, const float *, float *, size_t,          \
                const float *, size_t, const rb_uk_epilogue *);                                                \
  void gemm_fn(size_t, size_t, size_t, const float *, size_t, const float *, float *, size_t, const rb_uk_epilogue *);
#define RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn)                                                              \
  void fn(size_t, size_t, size_t, const float *const *, const float *, float *, size_t, const float *, size_t,  \
          const rb_uk_epilogue *);
#define RB_NGCONV_PERM_UKERNEL(isa, mr, cpg, width, perm, perm_out, fn) RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn)
#define RB_WINO_NG_DECL(m, cpg, suffix)                                                                        \
  void rb_f32_wino_ng_f##m##_c##cpg##suffix(size_t, size_t, const float *const *, const float *, const float *, \
                                            float *const *, const float *const *, int);
#define RB_WINO_UKERNEL(isa, m, vl, suffix)                                                                    \
  void rb_f32_wino_input_f##m##suffix(size_t, const float *const *, float *, size_t);                          \
  void rb_f32_wino_output_f##m##suffix(size_t, const float *, size_t, const float *, float *const *,           \
                                       const float *const *, int);                                             \
  RB_WINO_NG_DECL(m, 4, suffix) RB_WINO_NG_DECL(m, 8, suffix) RB_WINO_NG_DECL(m, 16, suffix)
#include "scalar/ukernels.inc"
#include "avx2/ukernels.inc"
#include "avx512/ukernels.inc"
#include "neon/ukernels.inc"
#undef RB_GEMM_UKERNEL
#undef RB_NGCONV_UKERNEL
#undef RB_NGCONV_PERM_UKERNEL
#undef RB_WINO_UKERNEL
#undef RB_WINO_NG_DECL

// The channel sums of a stored tile (rb_engine_config.colsum), from kernels/<isa>/eltwise.c.
void rb_f32_colsum__avx2(float *dst, const float *src, size_t stride, size_t rows, int n);
void rb_f32_colsum__avx512(float *dst, const float *src, size_t stride, size_t rows, int n);
void rb_f32_colsum__neon(float *dst, const float *src, size_t stride, size_t rows, int n);

#endif
