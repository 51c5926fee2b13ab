// The SIMD engine's convolution driver (ISA-independent): it chooses a path per layer by a rule
// on the shape, packs the weights for that path's microkernel tile, builds the indirection
// buffer (padding taps point at a shared zero row), tiles the output and runs OpenMP over
// groups x channel blocks x pixel tiles. Each output is computed by one microkernel call, in a
// fixed order: results are bit-identical for any thread count.
#ifndef RESBENCH_KERNELS_ENGINE_H
#define RESBENCH_KERNELS_ENGINE_H

#include "resbench/conv.h"
#include "ukernel.h"

typedef enum rb_engine_path {
  RB_PATH_AUTO = 0,  // by the rule below
  RB_PATH_GEMM,      // 1x1, stride 1, no padding: a plain strided GEMM per group
  RB_PATH_IGEMM,     // anything else: indirect GEMM per group (3x3, dilation, stride 2, the stems, 1x1 stride 2)
  RB_PATH_NGCONV,    // groups of 4 or 8 channels in and out: the narrow-group kernel, several groups a vector
  RB_PATH_ROWS,      // few input channels (the stems): an indirect GEMM whose taps are kernel rows, each
                     // reading kw x cin contiguous floats of a copy of the input padded in width
} rb_engine_path;

const char *rb_engine_path_name(rb_engine_path p);

typedef struct rb_engine_plan rb_engine_plan;

#define RB_ROWS_MAX_CIN 8

// The rule: NGCONV when cin/groups == cout/groups is 4 or 8 and the ISA has that kernel; else
// GEMM for 1x1 stride-1 unpadded; else ROWS when ungrouped with kw > 1, dilation_w 1 and fewer
// than RB_ROWS_MAX_CIN input channels (a tap of cin steps would be mostly the microkernel's
// per-tap overhead); else IGEMM. A forced path that cannot run d is
// RB_ERR_UNSUPPORTED saying why. threads: what the plan runs with (0: OpenMP's default).
rb_status rb_engine_plan_create(const rb_engine_config *cfg, const rb_conv_desc *d, rb_engine_path path, int threads,
                                const float *w_oihw, const float *bias, rb_engine_plan **plan);
// out = relu?(scale x (conv(in) + bias) + residual?), f as rb_conv_plan_run_fused says (f NULL:
// nothing fused; the caller has checked it). One run at a time per plan (it caches the
// indirection buffer for the last input pointer). f->sums: each tile's rows are summed while in
// L1, into partials per fixed chunk of tiles, then the chunks in order (thread-count independent).
// f->scale: in the microkernels' store, except on tiles across two images and narrow-group
// tiles, whose stored rows are scaled after (then a residual must not be out itself).
void rb_engine_plan_run(rb_engine_plan *p, const float *in, const rb_conv_fusion *f, float *out);
rb_engine_path rb_engine_plan_path(const rb_engine_plan *p);
const char *rb_engine_plan_ukernel(const rb_engine_plan *p);  // the microkernel's name
int rb_engine_plan_nc_block(const rb_engine_plan *p);          // GEMM paths: output channels a task
const char *rb_engine_plan_path_name(const rb_engine_plan *p);
void rb_engine_plan_destroy(rb_engine_plan *p);

// Shared by the drivers: cfg's narrow-group kernel for cpg channels a group (NULL: none), and the
// output channels of a weight block for GEMM tile u (a multiple of its NR; kc_taps = rows of K).
const rb_ngconv_ukernel *rb_engine_ngconv_for(const rb_engine_config *cfg, int cpg);
int rb_engine_nc_block(const rb_gemm_ukernel *u, int cout_g, int kc_taps);
// Whether cfg's second GEMM tile (gemm_alt) is the faster for a product of rows_main rows padded
// to gemm's MR (rows_alt to gemm_alt's): rows_alt x cfg->alt_row_cost < rows_main.
int rb_engine_alt_tile_pays(const rb_engine_config *cfg, size_t rows_main, size_t rows_alt);
// The direct driver's GEMM tile for a layer of `pixels` output pixels (rows) and cout_g output
// channels a group: of cfg's gemm, gemm_alt and gemm_narrow, the one of the least padded rows x
// padded columns x cost (7x7 maps: 49 pixels, 54 rows of 6 against 49 of 7 on AVX-512; 32
// channels a group: 32 columns of 7x32 against 64 of 6x64); ties keep gemm. The shape alone
// decides, so the thread count cannot change the results.
const rb_gemm_ukernel *rb_engine_gemm_for(const rb_engine_config *cfg, size_t pixels, int cout_g);

// ---- Winograd F(m x m, 3x3) on the engine (kernels/winograd_engine.c) -------------------------

typedef struct rb_wino_plan rb_wino_plan;

// 1 when cfg has the transforms of F(m x m, 3x3).
int rb_wino_engine_has(const rb_engine_config *cfg, int m);
// Whether its F(m) plan for d runs narrow groups in one pass (rb_f32_wino_ng_fn: 4, 8 or 16
// channels a group in and out), with no transformed tiles in memory.
int rb_wino_engine_one_pass(const rb_engine_config *cfg, const rb_conv_desc *d, int m);
// d must pass rb_winograd_supports (winograd.h); m is 2, 4 or 6. Groups of 4, 8 or 16 channels in
// and out take cfg's narrow-group kernel for the products, others its GEMM microkernel per group.
rb_status rb_wino_plan_create(const rb_engine_config *cfg, const rb_conv_desc *d, int m, int threads,
                              const float *w_oihw, const float *bias, rb_wino_plan **plan);
// The bytes rb_wino_plan_create allocates for d (transformed weights, per-thread workspaces).
double rb_wino_plan_bytes(const rb_engine_config *cfg, const rb_conv_desc *d, int m, int threads);
// out = relu?(conv(in) + bias + residual?); residual may be out itself. One run at a time per plan.
void rb_wino_plan_run(rb_wino_plan *p, const float *in, const float *residual, int relu, float *out);
// "<transforms>+<product microkernel>", or the one-pass kernel of narrow groups (rb_f32_wino_ng_f4_c4__avx2)
const char *rb_wino_plan_ukernel(const rb_wino_plan *p);
int rb_wino_plan_m(const rb_wino_plan *p);
void rb_wino_plan_destroy(rb_wino_plan *p);

#endif
