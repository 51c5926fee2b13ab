// Weight packing for the engine's microkernels (one packer per layout, parameterised by the tile).
#ifndef RESBENCH_KERNELS_PACK_H
#define RESBENCH_KERNELS_PACK_H

#include <stddef.h>

// GEMM / indirect-GEMM layout (ukernel.h) of one group: ceil(cout_g / nr) blocks of nr biases,
// then ks x kc rows of nr weights. w: the group's OIHW weights [cout_g][kc][ks] (ks = kh * kw).
size_t rb_pack_gemm_size(int nr, int cout_g, int kc, int ks);
void rb_pack_gemm(int nr, int cout_g, int kc, int ks, const float *w, const float *bias, float *packed);

// Narrow-group layout over all cout channels (cin_g == cout_g == cpg): ceil(cout / width) blocks
// of width biases, then ks x cpg rows of width weights, row j in perm's input order and perm_out's
// output order (ukernel.h; NULL: row j is input j, lane ch output ch). w: OIHW [cout][cpg][ks].
size_t rb_pack_ngconv_size(int width, int cpg, int cout, int ks);
void rb_pack_ngconv(int width, int cpg, const signed char *perm, const signed char *perm_out, int cout, int ks,
                    const float *w, const float *bias, float *packed);

// For 4-channel groups: vectors movsldup(x), movshdup(x) (shuffled by the load ports), and x
// rotated by 2 and reversed within each group (two shuffles): every lane sees inputs 0..3 once.
extern const signed char rb_ngconv_perm_c4_dup[16];
// For 8-channel groups on AVX-512: vectors 0-3 in-lane broadcasts of x, 4-7 of x with the 128-bit
// lanes of each 256-bit half swapped: lanes of outputs 0-3 see input j, of outputs 4-7 input j ^ 4.
extern const signed char rb_ngconv_perm_c8_swap[64];
// For 8-channel groups with two accumulators a pixel (AVX-512's c8 8x16dual, AVX2's 6x8dual): rows
// 2j and 2j + 1 both take x's in-lane broadcast of j (lanes of outputs 0-3 input j, of outputs 4-7
// input j + 4); row 2j feeds the lane's own output, row 2j + 1 the output 4 lanes across (ch ^ 4),
// whose accumulator the store adds with the two 128-bit halves of each group swapped.
extern const signed char rb_ngconv_perm_c8_dual[64], rb_ngconv_perm_out_c8_dual[64];

#endif
