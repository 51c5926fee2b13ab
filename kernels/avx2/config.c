// What the engine runs on AVX2 (the ISA list, kernels/isa_list.c, points here).
#include "../pack.h"
#include "../ukernel_decls.h"

const rb_engine_config rb_engine_avx2 = {
    "avx2",
    RB_ISA_AVX2,
    {"rb_f32_igemm_6x16__avx2", RB_ISA_AVX2, 6, 16, rb_f32_igemm_6x16__avx2, rb_f32_gemm_6x16__avx2, 16},
    {"rb_f32_ngconv_c4_8x8__avx2", RB_ISA_AVX2, 8, 4, 8, rb_f32_ngconv_c4_8x8__avx2, rb_ngconv_perm_c4_dup,
     NULL},
    // c8: two accumulators a pixel (ngconv.c); against the 8x8: kernels/README.md.
    {"rb_f32_ngconv_c8_6x8dual__avx2", RB_ISA_AVX2, 6, 8, 8, rb_f32_ngconv_c8_6x8dual__avx2, rb_ngconv_perm_c8_dual,
     rb_ngconv_perm_out_c8_dual},
    {NULL, RB_ISA_AVX2, 0, 0, 0, NULL, NULL, NULL},  // 16 a group: the 6x16 igemm fills its vectors
    WINO3(RB_ISA_AVX2, 8, __avx2),
    // 5x16 for 7x7 maps (49 pixels: 50 rows, not 54). Hot on Zen 1 (gbench ukernel/..., three
    // alternated runs) it runs at 6x16's rate per FMA (igemm 34.4 vs 33.9, gemm 34.7 vs 34.7
    // GFLOP/s): 1.03 only keeps the big tile on ties.
    {"rb_f32_igemm_5x16__avx2", RB_ISA_AVX2, 5, 16, rb_f32_igemm_5x16__avx2, rb_f32_gemm_5x16__avx2, 16},
    1.03f,
    {NULL, RB_ISA_AVX2, 0, 0, NULL, NULL, 0},  // no narrower tile: 16 columns is the 6x16's NR
    0.0f,
    rb_f32_colsum__avx2,
};
