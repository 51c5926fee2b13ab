// Winograd F(m x m, 3x3) input and output transforms, vectorized over channels: a template that
// each ISA's kernels/<isa>/winograd.c includes once, after defining
//   WT_VL      floats per vector (1 for the portable scalar vehicle),
//   WT_VEC     a vector of WT_VL floats (GCC vector extension, one lane for the scalar vehicle),
//   WT_IVEC    the int32 vector of the same size,
//   WT_SUFFIX  the ISA suffix of the function names (__avx2, __scalar, ...).
// It defines rb_f32_wino_{input,output}_f{2,4,6}<WT_SUFFIX> (the contracts are in ukernel.h).
// Compiled with the ISA's flags, the vectors become its registers (ymm, zmm, q); the matrices are
// compile-time constants (winograd_matrices.h), so with the loops unrolled the compiler drops the
// zero coefficients, turns +-1 into adds and subtracts and the rest into FMAs: the code is that of
// a hand-written transform, derived from the one copy of the matrices. Channels past the last
// whole vector go through a small on-stack copy, so no access passes the last channel.
#include <string.h>

#include "ukernel.h"
#include "winograd_matrices.h"

// Loads, stores and the NaN-passing ReLU: kernels/vec_math.h's, over the includer's vector.
#define VM_VL WT_VL
#define VM_VEC WT_VEC
#define VM_IVEC WT_IVEC
#include "vec_math.h"

#define WT_CAT2(a, b) a##b
#define WT_CAT(a, b) WT_CAT2(a, b)
#define WT_UNROLL _Pragma("GCC unroll 8")

// sum_k coef[k] * x[k * xs] over the nonzero coefficients, in order (ref's order, less its +0
// terms); coef is a constant row, so after inlining each test and product is resolved at compile
// time.
VM_INLINE WT_VEC wt_dot(const double *coef, int n, const WT_VEC *x, int xs) {
  WT_VEC s = {0};  // replaced by the first term (no matrix has an all-zero row)
  int first = 1;
  WT_UNROLL
  for (int k = 0; k < n; k++) {
    const double c = coef[k];
    if (c == 0) continue;
    const WT_VEC t = c == 1 ? x[k * xs] : c == -1 ? -x[k * xs] : x[k * xs] * (float)c;
    s = first ? t : s + t;
    first = 0;
  }
  return s;
}

// One vector of channels of one tile. x[i * A + j]: the input pixel (i, j) of the tile, offset
// xoff (the zero row for padding); v + p * v_stride: transformed position p = r * A + s.
VM_INLINE void wt_input_chunk(int m, const double *BT, const float *const *x, size_t xoff, float *v,
                              size_t v_stride) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC d[MAXA * MAXA], t[MAXA * MAXA];
  WT_UNROLL
  for (int p = 0; p < A * A; p++) d[p] = vm_load(x[p] + xoff);
  WT_UNROLL
  for (int r = 0; r < A; r++) {  // columns: t = BT d
    WT_UNROLL
    for (int j = 0; j < A; j++) t[r * A + j] = wt_dot(BT + r * A, A, d + j, A);
  }
  WT_UNROLL
  for (int r = 0; r < A; r++) {  // rows: v = t B
    WT_UNROLL
    for (int s = 0; s < A; s++) vm_store(v + (size_t)(r * A + s) * v_stride, wt_dot(BT + s * A, A, t + r * A, 1));
  }
}

// One vector of channels of one tile: y = AT mm A, + bias, + residual, ReLU; pixel (i, j) stored
// to y[i * m + j] + yoff unless that pointer is NULL (outside the output).
VM_INLINE void wt_output_chunk(int m, const double *AT, const float *mm, size_t m_stride, const float *bias,
                               float *const *y, const float *const *res, size_t yoff, int relu) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC x[MAXA * MAXA], t[MAXA * MAXA];
  WT_UNROLL
  for (int p = 0; p < A * A; p++) x[p] = vm_load(mm + (size_t)p * m_stride);
  WT_UNROLL
  for (int i = 0; i < m; i++) {  // columns: t = AT x
    WT_UNROLL
    for (int j = 0; j < A; j++) t[i * A + j] = wt_dot(AT + i * A, A, x + j, A);
  }
  const WT_VEC zero = {0}, b = bias ? vm_load(bias) : zero;
  WT_UNROLL
  for (int i = 0; i < m; i++) {  // rows: y = t A
    WT_UNROLL
    for (int k = 0; k < m; k++) {
      if (!y[i * m + k]) continue;
      WT_VEC r = wt_dot(AT + k * A, A, t + i * A, 1);
      if (bias) r += b;
      if (res) r += vm_load(res[i * m + k] + yoff);
      if (relu) r = vm_relu(r);
      vm_store(y[i * m + k] + yoff, r);
    }
  }
}

// The whole channel range: full vectors in place, the tail through copies of WT_VL floats.
#define WT_DEFINE(M, BT, AT)                                                                              \
  void WT_CAT(rb_f32_wino_input_f##M, WT_SUFFIX)(size_t channels, const float *const *x, float *v,         \
                                                 size_t v_stride) {                                       \
    enum { A = M + 2 };                                                                                   \
    size_t c = 0;                                                                                         \
    for (; c + WT_VL <= channels; c += WT_VL) wt_input_chunk(M, BT, x, c, v + c, v_stride);               \
    if (c < channels) {                                                                                   \
      const size_t rest = channels - c;                                                                   \
      float xin[A * A][WT_VL], vout[A * A][WT_VL];                                                        \
      const float *xp[A * A];                                                                             \
      for (int p = 0; p < A * A; p++) {                                                                   \
        memset(xin[p], 0, sizeof xin[p]);                                                                 \
        memcpy(xin[p], x[p] + c, rest * sizeof(float));                                                   \
        xp[p] = xin[p];                                                                                   \
      }                                                                                                   \
      wt_input_chunk(M, BT, xp, 0, vout[0], WT_VL);                                                       \
      for (int p = 0; p < A * A; p++) memcpy(v + (size_t)p * v_stride + c, vout[p], rest * sizeof(float)); \
    }                                                                                                     \
  }                                                                                                       \
  void WT_CAT(rb_f32_wino_output_f##M, WT_SUFFIX)(size_t channels, const float *mm, size_t m_stride,       \
                                                  const float *bias, float *const *y, const float *const *res, \
                                                  int relu) {                                             \
    enum { A = M + 2 };                                                                                   \
    size_t c = 0;                                                                                         \
    for (; c + WT_VL <= channels; c += WT_VL)                                                             \
      wt_output_chunk(M, AT, mm + c, m_stride, bias ? bias + c : NULL, y, res, c, relu);                  \
    if (c < channels) {                                                                                   \
      const size_t rest = channels - c;                                                                   \
      float min[A * A][WT_VL], bin[WT_VL], rin[M * M][WT_VL], yout[M * M][WT_VL];                         \
      float *yp[M * M];                                                                                   \
      const float *rp[M * M];                                                                             \
      for (int p = 0; p < A * A; p++) {                                                                   \
        memset(min[p], 0, sizeof min[p]);                                                                 \
        memcpy(min[p], mm + (size_t)p * m_stride + c, rest * sizeof(float));                              \
      }                                                                                                   \
      memset(bin, 0, sizeof bin);                                                                         \
      if (bias) memcpy(bin, bias + c, rest * sizeof(float));                                              \
      for (int q = 0; q < M * M; q++) {                                                                   \
        memset(rin[q], 0, sizeof rin[q]);                                                                 \
        if (res && y[q]) memcpy(rin[q], res[q] + c, rest * sizeof(float));                               \
        yp[q] = y[q] ? yout[q] : NULL;                                                                    \
        rp[q] = rin[q];                                                                                   \
      }                                                                                                   \
      wt_output_chunk(M, AT, min[0], WT_VL, bias ? bin : NULL, yp, res ? rp : NULL, 0, relu);             \
      for (int q = 0; q < M * M; q++)                                                                     \
        if (y[q]) memcpy(y[q] + c, yout[q], rest * sizeof(float));                                        \
    }                                                                                                     \
  }

WT_DEFINE(2, rb_wm_f2_BT, rb_wm_f2_AT)
WT_DEFINE(4, rb_wm_f4_BT, rb_wm_f4_AT)
WT_DEFINE(6, rb_wm_f6_BT, rb_wm_f6_AT)
