// The registry of every microkernel this build has, expanded from each ISA's list
// (kernels/<isa>/ukernels.inc), and the engine configurations at the scalar geometries.
#include "pack.h"
#include "ukernel_decls.h"

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn) {#igemm_fn, isa, mr, nr, igemm_fn, gemm_fn, nr},
#define RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn)
#define RB_NGCONV_PERM_UKERNEL(isa, mr, cpg, width, perm, perm_out, fn)
#define RB_WINO_UKERNEL(isa, m, vl, suffix)
const rb_gemm_ukernel rb_gemm_ukernels[] = {
#include "scalar/ukernels.inc"
#if defined(__x86_64__)
#include "avx2/ukernels.inc"
#include "avx512/ukernels.inc"
#elif defined(__aarch64__)
#include "neon/ukernels.inc"
#endif
};
const size_t rb_gemm_ukernel_count = sizeof rb_gemm_ukernels / sizeof rb_gemm_ukernels[0];
#undef RB_GEMM_UKERNEL
#undef RB_NGCONV_UKERNEL
#undef RB_NGCONV_PERM_UKERNEL

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn)
#define RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn) {#fn, isa, mr, cpg, width, fn, NULL, NULL},
#define RB_NGCONV_PERM_UKERNEL(isa, mr, cpg, width, perm, perm_out, fn) {#fn, isa, mr, cpg, width, fn, perm, perm_out},
#define RB_WINO_UKERNEL(isa, m, vl, suffix)
const rb_ngconv_ukernel rb_ngconv_ukernels[] = {
#include "scalar/ukernels.inc"
#if defined(__x86_64__)
#include "avx2/ukernels.inc"
#include "avx512/ukernels.inc"
#elif defined(__aarch64__)
#include "neon/ukernels.inc"
#endif
};
const size_t rb_ngconv_ukernel_count = sizeof rb_ngconv_ukernels / sizeof rb_ngconv_ukernels[0];
#undef RB_GEMM_UKERNEL
#undef RB_NGCONV_UKERNEL
#undef RB_NGCONV_PERM_UKERNEL
#undef RB_WINO_UKERNEL

#define RB_GEMM_UKERNEL(isa, mr, nr, igemm_fn, gemm_fn)
#define RB_NGCONV_UKERNEL(isa, mr, cpg, width, fn)
#define RB_NGCONV_PERM_UKERNEL(isa, mr, cpg, width, perm, perm_out, fn)
#define RB_WINO_UKERNEL(isa, m, vl, suffix) RB_WINO(isa, m, vl, suffix),
const rb_wino_ukernel rb_wino_ukernels[] = {
#include "scalar/ukernels.inc"
#if defined(__x86_64__)
#include "avx2/ukernels.inc"
#include "avx512/ukernels.inc"
#elif defined(__aarch64__)
#include "neon/ukernels.inc"
#endif
};
const size_t rb_wino_ukernel_count = sizeof rb_wino_ukernels / sizeof rb_wino_ukernels[0];
#undef RB_GEMM_UKERNEL
#undef RB_NGCONV_UKERNEL
#undef RB_NGCONV_PERM_UKERNEL
#undef RB_WINO_UKERNEL

#define GEMM_STEP(mr, nr, step) {"rb_f32_igemm_" #mr "x" #nr "__scalar", RB_ISA_REF, mr, nr, \
                                 rb_f32_igemm_##mr##x##nr##__scalar, rb_f32_gemm_##mr##x##nr##__scalar, step}
#define GEMM(mr, nr) GEMM_STEP(mr, nr, nr)
#define NG(mr, cpg, width) {"rb_f32_ngconv_c" #cpg "_" #mr "x" #width "__scalar", RB_ISA_REF, mr, cpg, width, \
                            rb_f32_ngconv_c##cpg##_##mr##x##width##__scalar, NULL, NULL}
// AVX2's c4 layout (rb_ngconv_perm_c4_dup), so the driver is tested with it on every CPU.
#define NG_DUP(mr, width) {"rb_f32_ngconv_c4_" #mr "x" #width "dup__scalar", RB_ISA_REF, mr, 4, width, \
                           rb_f32_ngconv_c4_##mr##x##width##dup__scalar, rb_ngconv_perm_c4_dup, NULL}
// AVX-512's c8 layout (rb_ngconv_perm_c8_swap), likewise.
#define NG_SWAP(mr, width) {"rb_f32_ngconv_c8_" #mr "x" #width "swap__scalar", RB_ISA_REF, mr, 8, width, \
                            rb_f32_ngconv_c8_##mr##x##width##swap__scalar, rb_ngconv_perm_c8_swap, NULL}
// AVX-512's c8 dual layout (two accumulators a pixel), likewise.
#define NG_DUAL(mr, width) {"rb_f32_ngconv_c8_" #mr "x" #width "dual__scalar", RB_ISA_REF, mr, 8, width, \
                            rb_f32_ngconv_c8_##mr##x##width##dual__scalar, rb_ngconv_perm_c8_dual,        \
                            rb_ngconv_perm_out_c8_dual}
#define NO_NG {NULL, RB_ISA_REF, 0, 0, 0, NULL, NULL, NULL}
#define NO_GEMM {NULL, RB_ISA_REF, 0, 0, NULL, NULL, 0}
// Each SIMD ISA's geometry, with transforms of its vector width: AVX2 (6x16 with its second tile
// 5x16), AVX-512 (6x64 with 7x64; 14x32 with 8x32, AVX-512's earlier geometry), NEON: the
// drivers' second-tile rule is tested at three geometries on every CPU.
// Channel sums: the template at each geometry's vector width (4, 8 and 16 floats).
void rb_f32_colsum__vec4(float *dst, const float *src, size_t stride, size_t rows, int n);
void rb_f32_colsum__vec8(float *dst, const float *src, size_t stride, size_t rows, int n);
void rb_f32_colsum__vec16(float *dst, const float *src, size_t stride, size_t rows, int n);
const rb_engine_config rb_engine_scalar_configs[] = {
    {"scalar_6x16", RB_ISA_REF, GEMM(6, 16), NG_DUP(8, 8), NG_DUAL(6, 8), NO_NG, WINO3(RB_ISA_REF, 8, __vec8), GEMM(5, 16),
     1.03f, NO_GEMM, 0.0f, rb_f32_colsum__vec8},
    {"scalar_14x32", RB_ISA_REF, GEMM(14, 32), NG(16, 4, 16), NG(16, 8, 16), NG(14, 16, 16),
     WINO3(RB_ISA_REF, 16, __vec16), GEMM(8, 32), 1.15f,  // AVX-512's 8x32 ran at 14x32's rate hot
     NO_GEMM, 0.0f, rb_f32_colsum__vec16},                                // (SPR-class Xeon); 1.15 kept it for >15 %
    {"scalar_6x64", RB_ISA_REF, GEMM_STEP(6, 64, 16), NG(16, 4, 16), NG_DUAL(8, 16), NG(7, 16, 32),
     WINO3(RB_ISA_REF, 16, __vec16), GEMM_STEP(7, 64, 64), 1.005f, GEMM_STEP(7, 32, 16), 1.005f,
     rb_f32_colsum__vec16},
    {"scalar_8x8", RB_ISA_REF, GEMM(8, 8), NG(16, 4, 4), NG(8, 8, 8), NO_NG, WINO3(RB_ISA_REF, 4, __vec4), NO_GEMM,
     0.0f, NO_GEMM, 0.0f, rb_f32_colsum__vec4},
};
const size_t rb_engine_scalar_config_count = sizeof rb_engine_scalar_configs / sizeof rb_engine_scalar_configs[0];
