// Microkernel contracts of the SIMD engine: small, serial, trusted functions with a fixed tile,
// one function-pointer type per kind. The drivers (kernels/conv_engine.c) validate, pack, build
// the indirection buffers, tile and thread; every ISA's microkernels (kernels/<isa>/) and the
// portable scalar ones at each SIMD tile geometry (kernels/scalar/, the test vehicle) plug in.
#ifndef RESBENCH_KERNELS_UKERNEL_H
#define RESBENCH_KERNELS_UKERNEL_H

#include <stddef.h>

#include "resbench/isa.h"

// Applied in the store, per output element, after the sum (bias comes packed with the weights):
// x scale, + residual, then ReLU. ReLU passes NaN through (x > 0 ? x : 0 would not), as ref and PyTorch.
// Extensible: a fusion adds a field here (a per-channel scale, per-channel sums), not a new kind.
typedef struct rb_uk_epilogue {
  const float *residual;   // row m, column n at residual[m * residual_stride + n]; NULL: none
  size_t residual_stride;  // floats between rows
  int relu;
  // GEMM and IGEMM kernels: NULL, or col_sums[n] += the sum over the stored rows m < mr, in row
  // order, of what they store in column n < nc (a global pool fused into the store: the values are
  // still in registers). Narrow-group kernels take NULL (their driver sums the stored tile).
  float *col_sums;
  // GEMM and IGEMM kernels: NULL, or column n < nc is multiplied by scale[n] before the residual
  // (an SE gate whose pool was computed ahead: relu(gate * conv + shortcut) in the store).
  // Narrow-group kernels take NULL.
  const float *scale;
  // Not a store step, a hint that rides along: nonzero when the driver walks tiles in order over
  // an input that streams from beyond L2, so that a kernel which can prefetch the next tile's A
  // rows (the contracts below say where they are) should. Kernels may ignore it.
  int prefetch_next;
} rb_uk_epilogue;

// Packed weights of one group for a tile of NR columns (kernels/pack.c): for each block of NR
// output channels, NR biases, then ks x kc rows of NR weights (tap-major, then input channel);
// columns past the group's last channel are zero.

// Indirect GEMM: for rows m < mr and columns n < nc (all NR-blocks of the packed w),
//   c[m * c_stride + n] = epilogue(bias[n] + sum_{t < ks} sum_{k < kc} A(t, m)[k] * W(t, k, n))
// where A(t, m) = a[t * MR + m] + a_offset, or the zero row itself when a[t * MR + m] == zero (a
// padding tap). a has MR pointers per tap whatever mr is (the driver repeats the last row); rows
// m >= mr are computed but not stored (clamped row pointers). Columns past nc are masked.
// A tap whose MR pointers are all the zero row adds nothing: a kernel may skip it (and its
// weights), as ref skips padding taps; likewise the FMAs of any one row at a tap where its
// pointer is the zero row (AVX-512's igemm drops the tile's first or last row there).
// The next tile's ks x MR pointers follow (a[ks * MR ...], zero rows after the last tile): a
// kernel may prefetch the rows they point to (e->prefetch_next), and must not otherwise use them.
typedef void (*rb_f32_igemm_fn)(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                float *c, size_t c_stride, const float *zero, size_t a_offset,
                                const rb_uk_epilogue *e);

// GEMM: the same with one tap and a plain strided A: row m at a + m * a_stride (rows m >= mr
// read row mr - 1). 1x1 stride-1 convolutions (each group), FC layers. A kernel may prefetch the
// next tile's rows, a + (MR + m) * a_stride (e->prefetch_next): prefetches do not fault past the end.
typedef void (*rb_f32_gemm_fn)(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w,
                               float *c, size_t c_stride, const rb_uk_epilogue *e);

// A GEMM kernel run as its igemm with one tap: the tile_mr row pointers, row m at a + m * a_stride
// and rows m >= mr clamped to row mr - 1 (computed, not stored).
static inline void rb_uk_gemm_rows(const float *a, size_t a_stride, size_t mr, size_t tile_mr, const float **rows) {
  for (size_t m = 0; m < tile_mr; m++) rows[m] = a + (m < mr ? m : mr - 1) * a_stride;
}

// A GEMM kernel run as its one-tap igemm_fn (a TMR-row tile) on the tile's rows, then the next
// tile's (for a kernel that prefetches them, e->prefetch_next: past the end of A they are only
// prefetched, which does not fault).
#define RB_UK_GEMM_VIA_IGEMM(TMR, igemm_fn, mr, nc, kc, a, a_stride, w, c, c_stride, e)   \
  do {                                                                                  \
    const float *rows_[2 * (TMR)];                                                      \
    rb_uk_gemm_rows(a, a_stride, mr, TMR, rows_);                                       \
    for (size_t m_ = 0; m_ < (TMR); m_++) rows_[(TMR) + m_] = (a) + ((TMR) + m_) * (a_stride); \
    igemm_fn(mr, nc, kc, 1, rows_, w, c, c_stride, NULL, 0, e);                         \
  } while (0)

// A GEMM kernel's prefetch variants, one rule for every ISA: WITH(mr, ..., e, long_k, next_rows)
// called with constant flags (an always_inline WITH: each copy then has only its own loops; testing
// the flags per tap cost the 7x7 stem 4-10% in one-process A/B runs). long_k: K of at least min_k
// rows (taps x kc), whose weights stream from L2 or beyond; next_rows: a one-tap call with
// e->prefetch_next.
#define RB_UK_PREFETCH_VARIANTS(WITH, min_k, mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e)   \
  do {                                                                                              \
    const int long_k_ = (kc) * (ks) >= (min_k), next_rows_ = (ks) == 1 && (e)->prefetch_next;       \
    if (long_k_ && next_rows_) WITH(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e, 1, 1);    \
    else if (long_k_) WITH(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e, 1, 0);             \
    else if (next_rows_) WITH(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e, 0, 1);          \
    else WITH(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e, 0, 0);                          \
  } while (0)

// Narrow-group convolution: groups of cpg input and cpg output channels (ResNeXt's 4 and 8), a
// vector of `width` channels serving width / cpg groups at once (in-lane broadcasts). Over nc
// channels (a multiple of cpg, from the tile's first group) and ks taps, with the indirection of
// rb_f32_igemm_fn (a[t * MR + m] is the pixel's first channel; a_offset the tile's first one):
//   c[m * c_stride + ch] = epilogue(bias[ch] + sum_t sum_{i < cpg} A(t, m)[ch - ch % cpg + i] * W)
// Packed weights: per block of `width` channels, width biases, then ks x cpg rows of width weights:
// row (t, j), lane ch holds the weight from input channel perm[j][ch % cpg] of ch's group to
// output channel ch (perm NULL: input j, the plain in-lane broadcast). A kernel whose j-th input
// vector is not a broadcast (movsldup, a rotation...) names its perm: lane ch of its j-th vector
// then carries input perm[j][ch % cpg]. A kernel whose row j accumulates lane ch into another
// output of ch's group (a second accumulator, its lanes exchanged in the store) names perm_out
// too: row (t, j), lane ch then holds the weight from input perm[j][ch % cpg] to output channel
// ch - ch % cpg + perm_out[j][ch % cpg] (perm_out NULL: ch). The zero row holds at least a_offset + nc + 64 zeros, so a
// kernel may read it at a real row's offsets.
typedef void (*rb_f32_ngconv_fn)(size_t mr, size_t nc, size_t ks, const float *const *a, const float *w, float *c,
                                 size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e);

// Winograd F(m x m, 3x3) transforms of one tile (kernels/wino_transforms.h), over `channels`
// channels, vectorized across them; alpha = m + 2.
// Input: v[p * v_stride + c] = (BT d B)[p] for c < channels, where d(i, j) = x[i * alpha + j][c]
// (alpha^2 pixel pointers; the driver passes a zero row, channels long, for padding).
typedef void (*rb_f32_wino_input_fn)(size_t channels, const float *const *x, float *v, size_t v_stride);
// Output: for the m x m pixels q = i * m + j with y[q] != NULL,
//   y[q][c] = epilogue((AT M A)[q] + bias[c]),  M(p) = mm[p * m_stride + c],
// with + res[q][c] when res is not NULL, then ReLU (NaN passes). bias may be NULL. res[q] may
// equal y[q] (in place: each element is read before it is written).
typedef void (*rb_f32_wino_output_fn)(size_t channels, const float *mm, size_t m_stride, const float *bias,
                                      float *const *y, const float *const *res, int relu);

// Narrow groups (cpg = 4, 8, 16 input and output channels a group) in one pass: for each of the
// ntiles tiles (x + t * alpha^2 its input pixel pointers, y + t * m^2 and res + t * m^2 its
// output ones, as above), y = epilogue(AT M A + bias) with M(p) = U(p) V(p) per group, V = BT d B,
// over `channels` channels (a multiple of cpg); nothing but the output is written. u: the
// transformed weights packed per chunk of CH = max(cpg, vl) channels (NV = CH / vl vectors,
// KB = min(cpg, vl) inputs a vector): for each position p, output vector j < NV, input vector
// i < NV and k < KB, vl floats whose lane l holds U(p) from input channel (i * vl + k, or k when
// the group fits a vector) of output channel c0 + j * vl + l's group to that channel (zero past
// the last channel): a2 * cpg * CH floats a chunk (kernels/winograd_engine.c packs them).
typedef void (*rb_f32_wino_ng_fn)(size_t channels, size_t ntiles, const float *const *x, const float *u,
                                  const float *bias, float *const *y, const float *const *res, int relu);

typedef struct rb_wino_ukernel {
  const char *name;  // rb_f32_wino_f4__avx2 (its input and output transforms)
  rb_isa isa;
  int m;             // 2, 4 or 6; 0: the ISA has no transforms of this size
  int vl;            // floats per vector
  rb_f32_wino_input_fn input;
  rb_f32_wino_output_fn output;
  rb_f32_wino_ng_fn ng[3];  // groups of 4, 8, 16 channels in one pass
} rb_wino_ukernel;

typedef struct rb_gemm_ukernel {
  const char *name;   // rb_f32_igemm_6x16__avx2 (the gemm twin's name differs in "igemm")
  rb_isa isa;         // whose CPU test it needs (scalar ones: ref)
  int mr, nr;
  rb_f32_igemm_fn igemm;
  rb_f32_gemm_fn gemm;
  int nr_step;  // the columns of a last, partial column block are computed in steps of nr_step (nr:
                // the whole block); rb_engine_gemm_for counts them so
} rb_gemm_ukernel;

typedef struct rb_ngconv_ukernel {
  const char *name;   // rb_f32_ngconv_c4_4x8__avx2
  rb_isa isa;
  int mr, cpg, width;
  rb_f32_ngconv_fn fn;
  const signed char *perm;      // [cpg][cpg], or NULL: see rb_f32_ngconv_fn
  const signed char *perm_out;  // [cpg][cpg], or NULL: likewise
} rb_ngconv_ukernel;

// What the engine runs on one ISA: its GEMM tile and its narrow-group kernels (cpg 4, 8 and 16;
// fn NULL where the ISA has none: those layers take the per-group igemm). cpg 16 is one group a
// vector where the GEMM tile is wider than the group (AVX-512's 32 columns would be half empty).
typedef struct rb_engine_config {
  const char *name;  // "avx2", "scalar_6x16", ...
  rb_isa isa;
  rb_gemm_ukernel gemm;
  rb_ngconv_ukernel ngconv4, ngconv8, ngconv16;
  rb_wino_ukernel wino[3];  // F(2x2), F(4x4), F(6x6): the transforms; the products run on the above
  // A second GEMM tile of another MR, for row counts that gemm's MR pads (Winograd on small
  // images: 16 tiles pad to 28 rows of 14, not 16 of 8; a 7x7 map's 49 pixels to 54 rows of 6,
  // not 49 of 7); name NULL where the ISA has none. Same NR as gemm. Both drivers take it where
  // its padded rows times alt_row_cost (its measured time per row over gemm's) are fewer
  // (rb_engine_alt_tile_pays).
  rb_gemm_ukernel gemm_alt;
  float alt_row_cost;
  // A GEMM tile of fewer columns (NR below gemm's), for groups of fewer output channels than
  // gemm's NR, which would compute padding columns (ResNeXt-50's last stage: 32 channels a group,
  // 64 columns with a 64-wide tile); name NULL where the ISA has none. The direct driver takes the
  // tile of the least padded rows x padded columns x cost: narrow_cost is its measured time per
  // row and column over gemm's (rb_engine_gemm_for).
  rb_gemm_ukernel gemm_narrow;
  float narrow_cost;
  // dst[j] += sum over rows m < rows of src[m * stride + j], j < n, each column in row order: the
  // channel sums of a stored tile (rb_engine_plan_run's sums) at the ISA's vector width
  // (kernels/eltwise_template.h); every config has one (the driver has no fallback).
  void (*colsum)(float *dst, const float *src, size_t stride, size_t rows, int n);
} rb_engine_config;

// Each SIMD ISA's configuration (kernels/<isa>/config.c; only its architecture's build has it).
extern const rb_engine_config rb_engine_avx2, rb_engine_avx512, rb_engine_neon;

// Every microkernel of every ISA, expanded from the ISAs' lists (kernels/<isa>/ukernels.inc):
// for the testers and benchmarks, which skip those whose ISA the CPU lacks.
extern const rb_gemm_ukernel rb_gemm_ukernels[];
extern const size_t rb_gemm_ukernel_count;
extern const rb_ngconv_ukernel rb_ngconv_ukernels[];
extern const size_t rb_ngconv_ukernel_count;
extern const rb_wino_ukernel rb_wino_ukernels[];
extern const size_t rb_wino_ukernel_count;
// A transform pair's entry, and the three sizes of one ISA (for the configurations).
#define RB_WINO(isa, m, vl, suffix)                                                                        \
  {"rb_f32_wino_f" #m #suffix, isa, m, vl, rb_f32_wino_input_f##m##suffix, rb_f32_wino_output_f##m##suffix, \
   {rb_f32_wino_ng_f##m##_c4##suffix, rb_f32_wino_ng_f##m##_c8##suffix, rb_f32_wino_ng_f##m##_c16##suffix}}
#define WINO3(isa, vl, suffix) {RB_WINO(isa, 2, vl, suffix), RB_WINO(isa, 4, vl, suffix), RB_WINO(isa, 6, vl, suffix)}
// Engine configurations at the scalar microkernels' geometries (each SIMD ISA's tiles), for
// driver tests on any CPU.
extern const rb_engine_config rb_engine_scalar_configs[];
extern const size_t rb_engine_scalar_config_count;

#endif
