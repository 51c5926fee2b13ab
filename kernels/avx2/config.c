// What the engine runs on AVX2 (the ISA list, kernels/isa_list.c, points here).
#include "../pack.h"
#include "../ukernel_decls.h"

const rb_engine_config rb_engine_avx2 = {
    "avx2",
    RB_ISA_AVX2,
    {"rb_f32_igemm_6x16__avx2", RB_ISA_AVX2, 6, 16, rb_f32_igemm_6x16__avx2, rb_f32_gemm_6x16__avx2},
    {"rb_f32_ngconv_c4_8x8__avx2", RB_ISA_AVX2, 8, 4, 8, rb_f32_ngconv_c4_8x8__avx2, rb_ngconv_perm_c4_dup},
    {"rb_f32_ngconv_c8_8x8__avx2", RB_ISA_AVX2, 8, 8, 8, rb_f32_ngconv_c8_8x8__avx2, NULL},
    {NULL, RB_ISA_AVX2, 0, 0, 0, NULL, NULL},  // 16 a group: the 6x16 igemm fills its vectors
    WINO3(RB_ISA_AVX2, 8, __avx2),
    {NULL, RB_ISA_AVX2, 0, 0, NULL, NULL},  // no small tile: 6 rows pad little
    rb_f32_colsum__avx2,
};
