// What the engine runs on AVX-512 (the ISA list, kernels/isa_list.c, points here). The scalar
// twin at this geometry is rb_engine_scalar_configs' "scalar_6x64".
#include "../pack.h"
#include "../ukernel_decls.h"

const rb_engine_config rb_engine_avx512 = {
    "avx512",
    RB_ISA_AVX512,
    {"rb_f32_igemm_6x64__avx512", RB_ISA_AVX512, 6, 64, rb_f32_igemm_6x64__avx512, rb_f32_gemm_6x64__avx512, 16},
    {"rb_f32_ngconv_c4_16x16__avx512", RB_ISA_AVX512, 16, 4, 16, rb_f32_ngconv_c4_16x16__avx512, NULL, NULL},
    // c8: two accumulators a pixel, no cross-lane shuffle in the loop (ngconv.c). Zen 4, A/B against
    // the 16x16swap: see kernels/README.md.
    {"rb_f32_ngconv_c8_8x16dual__avx512", RB_ISA_AVX512, 8, 8, 16, rb_f32_ngconv_c8_8x16dual__avx512,
     rb_ngconv_perm_c8_dual, rb_ngconv_perm_out_c8_dual},
    // c16: two groups a block, 14 FMA chains from 7 rows (14x16 keeps 7 in flight). Zen 5, 1 thread,
    // A/B against 14x16 (tools/ab_gemm.sh, 7 rounds): ResNeXt-50's 16-channel 3x3 stride 2 1.16x
    // (165 -> 192 GFLOP/s), stride 1 1.005x (202 -> 203); both are load-bound near 2 loads/cycle.
    {"rb_f32_ngconv_c16_7x32__avx512", RB_ISA_AVX512, 7, 16, 32, rb_f32_ngconv_c16_7x32__avx512, NULL, NULL},
    WINO3(RB_ISA_AVX512, 16, __avx512),
    // 7x64 for 7x7 and 14x14 maps (49 pixels: 49 rows, not 54; 196, not 198). Hot on Zen 5
    // (gbench ukernel/..., two alternated runs) it runs at 6x64's rate per FMA (igemm 238/235 vs
    // 241/236, gemm 231/235 vs 227/233 GFLOP/s). 1.005 keeps the main tile on 56x56 and 28x28
    // (0.1-0.3% fewer rows). On 14x14 every 7-row tile starts or ends a map row, so its padded
    // first or last row is skipped on 3 of 9 taps: 256@14 3x3 0.95x -> 1.00x oneDNN (1.02 chose
    // 6x64 there), its 1x1 layers 0.96-0.97x -> 0.98x (two runs each, Zen 5, 1 thread).
    {"rb_f32_igemm_7x64__avx512", RB_ISA_AVX512, 7, 64, rb_f32_igemm_7x64__avx512, rb_f32_gemm_7x64__avx512, 64},
    1.005f,
    // 7x32 for 32-channel groups (ResNeXt-50's 1024 channels in 32 groups on 7x7). Hot on Zen 5
    // (gbench, two runs) at 0.97-1.0 of 6x64's rate per FMA. 6x64 computes a last partial block
    // 16 columns at a time (nr_step), so it pads a group of 40 or 48 channels less than 7x32
    // does. 7x64 does too, but its rule counts whole blocks (nr_step 64): its half blocks ran
    // ResNeXt-50's 32-channel groups at 0.96x of 7x32 (Zen 4, A/B). 1.005, 7x64's cost: a tie
    // (a dense 7x7 layer) keeps 7x64, which the rule tries first.
    {"rb_f32_igemm_7x32__avx512", RB_ISA_AVX512, 7, 32, rb_f32_igemm_7x32__avx512, rb_f32_gemm_7x32__avx512, 16},
    1.005f,
    rb_f32_colsum__avx512,
};
