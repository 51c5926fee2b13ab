// What the engine runs on NEON (the ISA list, kernels/isa_list.c, points here). The same
// geometry as the scalar_8x8 test configuration (kernels/ukernel_list.c).
#include "../ukernel_decls.h"

const rb_engine_config rb_engine_neon = {
    "neon",
    RB_ISA_NEON,
    {"rb_f32_igemm_8x8__neon", RB_ISA_NEON, 8, 8, rb_f32_igemm_8x8__neon, rb_f32_gemm_8x8__neon, 8},
    {"rb_f32_ngconv_c4_16x4__neon", RB_ISA_NEON, 16, 4, 4, rb_f32_ngconv_c4_16x4__neon, NULL, NULL},
    {"rb_f32_ngconv_c8_8x8__neon", RB_ISA_NEON, 8, 8, 8, rb_f32_ngconv_c8_8x8__neon, NULL, NULL},
    {NULL, RB_ISA_NEON, 0, 0, 0, NULL, NULL, NULL},  // 16 a group: the 8x8 igemm fills its vectors
    WINO3(RB_ISA_NEON, 4, __neon),
    {NULL, RB_ISA_NEON, 0, 0, NULL, NULL, 0},  // no second tile: 8 rows pad little
    0.0f,
    {NULL, RB_ISA_NEON, 0, 0, NULL, NULL, 0},  // no narrower tile: 8 columns is the 8x8's NR
    0.0f,
    rb_f32_colsum__neon,
};
