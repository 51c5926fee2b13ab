// Winograd F(m x m, 3x3) input and output transforms, vectorized over channels: a template that
// each ISA's kernels/<isa>/winograd.c includes once, after defining
//   WT_VL      floats per vector (4, 8 or 16),
//   WT_VEC     a vector of WT_VL floats (GCC vector extension, one lane for the scalar vehicle),
//   WT_IVEC    the int32 vector of the same size,
//   WT_SUFFIX  the ISA suffix of the function names (__avx2, __vec8, ...).
// It defines rb_f32_wino_{input,output}_f{2,4,6}<WT_SUFFIX> and the narrow-group passes
// rb_f32_wino_ng_f{2,4,6}_c{4,8,16}<WT_SUFFIX> (the contracts are in ukernel.h).
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
// Loops over all alpha^2 positions: unrolled whole, so d, t, v and M stay values the register
// allocator places (partly unrolled, they were arrays in memory: a store and a load per value).
// The portable vehicles (kernels/scalar/winograd_vec*.c) unroll them by 8 instead: GCC vectors
// wider than the baseline ISA's registers made whole unrolling take minutes to compile (16-float
// vectors on SSE2: 7 minutes), for code that only tests.
#ifndef WT_UNROLL_ALL
#define WT_UNROLL_ALL _Pragma("GCC unroll 64")
#endif

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

// The 1-D transforms: y[r * ys] = sum_k L[r][k] x[k * xs] for the A rows of BT (input) or the m
// rows of AT (output). F(4x4,3x3)'s share their common terms, as a hand-written transform would
// (BT: 14 operations for 6 outputs instead of wt_dot's 16; AT: 10 for 4 instead of 14): the same
// sums in another order, whose rounding the tests bound as they bound the others'. Written for
// rb_wm_f4's points (0, +-1, +-2, inf): tests/test_winograd.c's transforms_match_matrices fails if
// the matrices change and this does not.
VM_INLINE void wt_input_1d(int m, const double *BT, const WT_VEC *x, int xs, WT_VEC *y, int ys) {
  if (m == 4) {
    const WT_VEC d0 = x[0], d1 = x[xs], d2 = x[2 * xs], d3 = x[3 * xs], d4 = x[4 * xs], d5 = x[5 * xs];
    const WT_VEC a = d4 - d2, b = d3 - d1;
    y[0] = d0 * 4.0f + (d4 - d2 * 5.0f);
    y[ys] = (d3 + d4) - (d1 + d2) * 4.0f;
    y[2 * ys] = (d4 - d3) + (d1 - d2) * 4.0f;
    y[3 * ys] = a + b * 2.0f;
    y[4 * ys] = a - b * 2.0f;
    y[5 * ys] = d1 * 4.0f + (d5 - d3 * 5.0f);
    return;
  }
  const int A = m + 2;
  WT_UNROLL
  for (int r = 0; r < A; r++) y[r * ys] = wt_dot(BT + r * A, A, x, xs);
}

VM_INLINE void wt_output_1d(int m, const double *AT, const WT_VEC *x, int xs, WT_VEC *y, int ys) {
  if (m == 4) {
    const WT_VEC s12 = x[xs] + x[2 * xs], d12 = x[xs] - x[2 * xs];
    const WT_VEC s34 = x[3 * xs] + x[4 * xs], d34 = x[3 * xs] - x[4 * xs];
    y[0] = (x[0] + s12) + s34;
    y[ys] = d12 + d34 * 2.0f;
    y[2 * ys] = s12 + s34 * 4.0f;
    y[3 * ys] = (d12 + x[5 * xs]) + d34 * 8.0f;
    return;
  }
  const int A = m + 2;
  WT_UNROLL
  for (int i = 0; i < m; i++) y[i * ys] = wt_dot(AT + i * A, A, x, xs);
}

// v = BT d B of one vector of channels of one tile. x[i * A + j]: the input pixel (i, j) of the
// tile, offset xoff (the zero row for padding); v[p]: transformed position p = r * A + s.
VM_INLINE void wt_input_vecs(int m, const double *BT, const float *const *x, size_t xoff, WT_VEC *v) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC d[MAXA * MAXA], t[MAXA * MAXA];
  WT_UNROLL_ALL
  for (int p = 0; p < A * A; p++) d[p] = vm_load(x[p] + xoff);
  WT_UNROLL
  for (int j = 0; j < A; j++) wt_input_1d(m, BT, d + j, A, t + j, A);  // columns: t = BT d
  WT_UNROLL
  for (int r = 0; r < A; r++) wt_input_1d(m, BT, t + r * A, 1, v + r * A, 1);  // rows: v = t B
}

// The same, stored: position p at v + p * v_stride.
VM_INLINE void wt_input_chunk(int m, const double *BT, const float *const *x, size_t xoff, float *v,
                              size_t v_stride) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC t[MAXA * MAXA];
  wt_input_vecs(m, BT, x, xoff, t);
  WT_UNROLL_ALL
  for (int p = 0; p < A * A; p++) vm_store(v + (size_t)p * v_stride, t[p]);
}

// y = AT x A of one vector of channels of one tile (x[p]: position p), + bias, + residual, ReLU;
// pixel (i, j) stored to y[i * m + j] + yoff unless that pointer is NULL (outside the output).
VM_INLINE void wt_output_vecs(int m, const double *AT, const WT_VEC *x, const float *bias, float *const *y,
                              const float *const *res, size_t yoff, int relu) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC t[MAXA * MAXA], row[MAXA];
  WT_UNROLL
  for (int j = 0; j < A; j++) wt_output_1d(m, AT, x + j, A, t + j, A);  // columns: t = AT x
  const WT_VEC zero = {0}, b = bias ? vm_load(bias) : zero;
  WT_UNROLL
  for (int i = 0; i < m; i++) {  // rows: y = t A
    wt_output_1d(m, AT, t + i * A, 1, row, 1);
    WT_UNROLL
    for (int k = 0; k < m; k++) {
      if (!y[i * m + k]) continue;
      WT_VEC r = row[k];
      if (bias) r += b;
      if (res) r += vm_load(res[i * m + k] + yoff);
      if (relu) r = vm_relu(r);
      vm_store(y[i * m + k] + yoff, r);
    }
  }
}

// The same from M in memory: position p at mm + p * m_stride.
VM_INLINE void wt_output_chunk(int m, const double *AT, const float *mm, size_t m_stride, const float *bias,
                               float *const *y, const float *const *res, size_t yoff, int relu) {
  enum { MAXA = 8 };
  const int A = m + 2;
  WT_VEC x[MAXA * MAXA];
  WT_UNROLL_ALL
  for (int p = 0; p < A * A; p++) x[p] = vm_load(mm + (size_t)p * m_stride);
  wt_output_vecs(m, AT, x, bias, y, res, yoff, relu);
}

// ---- Narrow groups in one pass (rb_f32_wino_ng_fn, ukernel.h) ----------------------------------
// A chunk of WT_NG_CH(cpg) channels (whole groups, whole vectors: NV = CH / WT_VL vectors) of one
// tile goes through the input transform, the per-group products and the output transform in
// registers and on the stack: V and M never reach memory, which the unfused driver's passes over
// them made the cost of a narrow group (4 multiply-adds a transformed element).
#define WT_NG_CH(cpg) ((cpg) > WT_VL ? (cpg) : WT_VL)

// Lane l of the result is lane l - l % kb + k of v: the in-lane broadcast of input k of each group
// (kb = cpg where groups fit a vector), or of lane k to all (kb = WT_VL, a group of several vectors).
VM_INLINE WT_VEC wt_bcast(WT_VEC v, int kb, int k) {
#if defined(__clang__)  // no __builtin_shuffle (the fuzz build's compiler): lane by lane
  WT_VEC r;
  for (int l = 0; l < WT_VL; l++) r[l] = v[l - l % kb + k];
  return r;
#else
  WT_IVEC idx;
  for (int l = 0; l < WT_VL; l++) idx[l] = l - l % kb + k;
  return __builtin_shuffle(v, idx);
#endif
}

// One output vector at position p: sum over input vectors i < nv and k < kb of the broadcast of
// V[i][p] times the packed weights up[i * kb + k].
VM_INLINE WT_VEC wt_ng_product(WT_VEC (*v)[64], int p, int nv, int kb, const float *up) {
  WT_VEC s = wt_bcast(v[0][p], kb, 0) * vm_load(up);
  WT_UNROLL
  for (int i = 0; i < nv; i++) {
    WT_UNROLL
    for (int k = i ? 0 : 1; k < kb; k++) s += wt_bcast(v[i][p], kb, k) * vm_load(up + (size_t)(i * kb + k) * WT_VL);
  }
  return s;
}

VM_INLINE void wt_ng_chunk(int m, int cpg, const double *BT, const double *AT, const float *const *x, size_t xoff,
                           const float *u, const float *bias, float *const *y, const float *const *res,
                           size_t yoff, int relu) {
  enum { MAXA = 8, MAXNV = 16 / (WT_VL < 16 ? WT_VL : 16) };
  const int A = m + 2, NV = WT_NG_CH(cpg) / WT_VL, KB = cpg < WT_VL ? cpg : WT_VL;
  WT_VEC v[MAXNV][MAXA * MAXA], mm[MAXA * MAXA];
  WT_UNROLL
  for (int i = 0; i < NV; i++) wt_input_vecs(m, BT, x, xoff + (size_t)i * WT_VL, v[i]);
  WT_UNROLL
  for (int j = 0; j < NV; j++) {  // output vector j: M[p] = sum over the group's inputs of V[p] U[p]
    if (NV == 1) {  // V and M can stay values: unrolled whole
      WT_UNROLL_ALL
      for (int p = 0; p < A * A; p++) mm[p] = wt_ng_product(v, p, NV, KB, u + (size_t)p * KB * WT_VL);
    } else {  // NV x A^2 vectors are memory anyway; whole unrolling would only grow the code
      WT_UNROLL
      for (int p = 0; p < A * A; p++) mm[p] = wt_ng_product(v, p, NV, KB, u + ((size_t)(p * NV + j) * NV) * KB * WT_VL);
    }
    wt_output_vecs(m, AT, mm, bias ? bias + (size_t)j * WT_VL : NULL, y, res, yoff + (size_t)j * WT_VL, relu);
  }
}

// A tile's last, partial chunk of channels [c, c + rest) goes through zero-padded copies, rows of
// `width` floats. In: row p of buf = src[p][c ..) then zeros (all zeros where src is NULL, src[p]
// is NULL or, with `when`, when[p] is NULL); rows[p] points at it.
VM_INLINE void wt_tail_in(int n, const float *const *src, float *const *when, size_t c, size_t rest, size_t width,
                          float *buf, const float **rows) {
  for (int p = 0; p < n; p++) {
    float *row = buf + (size_t)p * width;
    memset(row, 0, width * sizeof(float));
    if (src && src[p] && (!when || when[p])) memcpy(row, src[p] + c, rest * sizeof(float));
    rows[p] = row;
  }
}
// Out: rows[q] = row q of buf where y[q] is not NULL (the transform's output rows), and after the
// transform wt_tail_out copies them to y[q][c ..).
VM_INLINE void wt_tail_out_rows(int n, float *const *y, size_t width, float *buf, float **rows) {
  for (int q = 0; q < n; q++) rows[q] = y[q] ? buf + (size_t)q * width : NULL;
}
VM_INLINE void wt_tail_out(int n, float *const *y, size_t c, size_t rest, size_t width, const float *buf) {
  for (int q = 0; q < n; q++)
    if (y[q]) memcpy(y[q] + c, buf + (size_t)q * width, rest * sizeof(float));
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
      wt_tail_in(A * A, x, NULL, c, rest, WT_VL, xin[0], xp);                                             \
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
      wt_tail_in(M * M, res, y, c, rest, WT_VL, rin[0], rp);                                              \
      wt_tail_out_rows(M * M, y, WT_VL, yout[0], yp);                                                     \
      wt_output_chunk(M, AT, min[0], WT_VL, bias ? bin : NULL, yp, res ? rp : NULL, 0, relu);             \
      wt_tail_out(M * M, y, c, rest, WT_VL, yout[0]);                                                     \
    }                                                                                                     \
  }

// Narrow groups of CPG channels: chunks of CH channels, tiles inside (a chunk's weights, A^2 x
// CPG x CH floats, stay in L1 across the tiles); whole groups in part of a vector (CH = WT_VL >
// CPG) go through zero-padded copies. One copy of the chunk's code (not inlined twice: it is
// large, and a call costs nothing beside its ~500 cycles).
#define WT_DEFINE_NG(M, CPG, BT, AT)                                                                       \
  static __attribute__((noinline)) void WT_CAT(wt_ng_f##M##_c##CPG, WT_SUFFIX)(                            \
      const float *const *x, size_t xoff, const float *u, const float *bias, float *const *y,              \
      const float *const *res, size_t yoff, int relu) {                                                    \
    wt_ng_chunk(M, CPG, BT, AT, x, xoff, u, bias, y, res, yoff, relu);                                      \
  }                                                                                                        \
  void WT_CAT(rb_f32_wino_ng_f##M##_c##CPG, WT_SUFFIX)(size_t channels, size_t ntiles, const float *const *x, \
                                                      const float *u, const float *bias, float *const *y,  \
                                                      const float *const *res, int relu) {                 \
    enum { A2 = (M + 2) * (M + 2), M2 = M * M, CH = WT_NG_CH(CPG) };                                       \
    const size_t u_chunk = (size_t)A2 * CPG * CH;                                                          \
    size_t c = 0;                                                                                          \
    for (; c + CH <= channels; c += CH, u += u_chunk)                                                      \
      for (size_t t = 0; t < ntiles; t++) {                                                                \
        WT_CAT(wt_ng_f##M##_c##CPG, WT_SUFFIX)(x + t * A2, c, u, bias ? bias + c : NULL, y + t * M2,       \
                                               res ? res + t * M2 : NULL, c, relu);                        \
      }                                                                                                    \
    if (CH > CPG && c < channels) {                                                                        \
      const size_t rest = channels - c;                                                                    \
      float xin[A2][CH], bin[CH], rin[M2][CH], yout[M2][CH];                                               \
      const float *xp[A2], *rp[M2];                                                                        \
      float *yp[M2];                                                                                       \
      memset(bin, 0, sizeof bin);                                                                          \
      if (bias) memcpy(bin, bias + c, rest * sizeof(float));                                               \
      for (size_t t = 0; t < ntiles; t++) {                                                                \
        const float *const *xt = x + t * A2, *const *rt = res ? res + t * M2 : NULL;                       \
        float *const *yt = y + t * M2;                                                                     \
        wt_tail_in(A2, xt, NULL, c, rest, CH, xin[0], xp);                                                 \
        wt_tail_in(M2, rt, yt, c, rest, CH, rin[0], rp);                                                   \
        wt_tail_out_rows(M2, yt, CH, yout[0], yp);                                                         \
        WT_CAT(wt_ng_f##M##_c##CPG, WT_SUFFIX)(xp, 0, u, bias ? bin : NULL, yp, rt ? rp : NULL, 0, relu);  \
        wt_tail_out(M2, yt, c, rest, CH, yout[0]);                                                         \
      }                                                                                                    \
    }                                                                                                      \
  }
#define WT_DEFINE_NG3(M, BT, AT) WT_DEFINE_NG(M, 4, BT, AT) WT_DEFINE_NG(M, 8, BT, AT) WT_DEFINE_NG(M, 16, BT, AT)

WT_DEFINE(2, rb_wm_f2_BT, rb_wm_f2_AT)
WT_DEFINE(4, rb_wm_f4_BT, rb_wm_f4_AT)
WT_DEFINE(6, rb_wm_f6_BT, rb_wm_f6_AT)
WT_DEFINE_NG3(2, rb_wm_f2_BT, rb_wm_f2_AT)
WT_DEFINE_NG3(4, rb_wm_f4_BT, rb_wm_f4_AT)
WT_DEFINE_NG3(6, rb_wm_f6_BT, rb_wm_f6_AT)
