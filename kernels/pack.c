// Weight packers of the engine (layouts in ukernel.h). Columns past the last channel are zero,
// so a microkernel's masked tail never reads garbage into a stored lane.
#include "pack.h"

#include <string.h>

static size_t blocks(int n, int b) { return (size_t)((n + b - 1) / b); }

size_t rb_pack_gemm_size(int nr, int cout_g, int kc, int ks) {
  return blocks(cout_g, nr) * (size_t)nr * (1 + (size_t)ks * kc);
}

void rb_pack_gemm(int nr, int cout_g, int kc, int ks, const float *w, const float *bias, float *packed) {
  memset(packed, 0, rb_pack_gemm_size(nr, cout_g, kc, ks) * sizeof *packed);
  for (int n0 = 0; n0 < cout_g; n0 += nr) {
    const int cols = cout_g - n0 < nr ? cout_g - n0 : nr;
    for (int n = 0; n < cols; n++) packed[n] = bias ? bias[n0 + n] : 0.0f;
    packed += nr;
    for (int t = 0; t < ks; t++)
      for (int k = 0; k < kc; k++, packed += nr)
        for (int n = 0; n < cols; n++) packed[n] = w[((size_t)(n0 + n) * kc + k) * ks + t];
  }
}

size_t rb_pack_ngconv_size(int width, int cpg, int cout, int ks) {
  return blocks(cout, width) * (size_t)width * (1 + (size_t)ks * cpg);
}

const signed char rb_ngconv_perm_c4_dup[16] = {0, 0, 2, 2, 1, 1, 3, 3, 2, 3, 0, 1, 3, 2, 1, 0};
// c8 from in-lane broadcasts of x and of x with its 128-bit lanes swapped (AVX-512's c8 swap):
// vector j gives outputs 0-3 of a group input j and outputs 4-7 input j ^ 4.
const signed char rb_ngconv_perm_c8_swap[64] = {0, 0, 0, 0, 4, 4, 4, 4, 1, 1, 1, 1, 5, 5, 5, 5,
                                                 2, 2, 2, 2, 6, 6, 6, 6, 3, 3, 3, 3, 7, 7, 7, 7,
                                                 4, 4, 4, 4, 0, 0, 0, 0, 5, 5, 5, 5, 1, 1, 1, 1,
                                                 6, 6, 6, 6, 2, 2, 2, 2, 7, 7, 7, 7, 3, 3, 3, 3};

const signed char rb_ngconv_perm_c8_dual[64] = {0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 4, 4,
                                                 1, 1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 5, 5, 5, 5,
                                                 2, 2, 2, 2, 6, 6, 6, 6, 2, 2, 2, 2, 6, 6, 6, 6,
                                                 3, 3, 3, 3, 7, 7, 7, 7, 3, 3, 3, 3, 7, 7, 7, 7};
const signed char rb_ngconv_perm_out_c8_dual[64] = {0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3,
                                                     0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3,
                                                     0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3,
                                                     0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3};

void rb_pack_ngconv(int width, int cpg, const signed char *perm, const signed char *perm_out, int cout, int ks,
                    const float *w, const float *bias, float *packed) {
  memset(packed, 0, rb_pack_ngconv_size(width, cpg, cout, ks) * sizeof *packed);
  for (int c0 = 0; c0 < cout; c0 += width) {
    const int lanes = cout - c0 < width ? cout - c0 : width;
    for (int l = 0; l < lanes; l++) packed[l] = bias ? bias[c0 + l] : 0.0f;
    packed += width;
    for (int t = 0; t < ks; t++)
      for (int j = 0; j < cpg; j++, packed += width)
        for (int l = 0; l < lanes; l++) {
          const int o = (c0 + l) % cpg;
          const int i = perm ? perm[j * cpg + o] : j;  // the input lane l's vector j carries
          const int out = c0 + l - o + (perm_out ? perm_out[j * cpg + o] : o);  // the output it feeds
          packed[l] = w[((size_t)out * cpg + i) * ks + t];
        }
  }
}
