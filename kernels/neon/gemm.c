// NEON GEMM / indirect-GEMM microkernels, 8x8: 16 q accumulators (8 rows x 2 vectors of 4).
// A is loaded 4 k at a time, one q register a row (8), and each k's two weight vectors (2) are
// multiplied by lane k of it: fmla v.4s, w.4s, x.s[k], whose lane broadcast is free (same
// pipes, latency and throughput as the vector fmla on Cortex-A76 / Neoverse-N1).
// 16 + 8 + 2 = 26 of the 32 v registers. Per 4 k: 8 A loads + 8 weight loads feed 64 FMAs,
// 0.25 loads per FMA, all plain ldr/ldp (load pipes only). The alternative, ld1r per row and k,
// is 10 loads per 16 FMAs and ld1r also takes a vector-pipe slot on A76/N1: a third of the FMA
// slots lost. A k remainder (kc % 4) uses scalar loads (ldr s) and fmla by element 0.
// Column tails use partial loads and stores (lanes past nc are neither read nor written); rows
// past mr read clamped pointers and are not stored.
#include <arm_neon.h>

#include "../ukernel.h"

#define MR 8
#define NR 8

// + residual, then ReLU: lanes < 0 cleared (fcmlt + bic). NaN < 0 is false, so NaN passes bit for
// bit, and -0.0 stays -0.0, as ref's x < 0 ? 0 : x. (vmaxnmq_f32 would turn a NaN into 0;
// vmaxq_f32 keeps a NaN but makes -0.0 +0.0 and quiets a signalling NaN.)
static inline float32x4_t relu(float32x4_t v) {
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), vcltzq_f32(v)));
}

// Lanes 0 .. n-1 of p (0 < n < 4), the others 0.
static inline float32x4_t load_part(const float *p, size_t n) {
  if (n == 1) return vld1q_lane_f32(p, vdupq_n_f32(0.0f), 0);
  const float32x4_t v = vcombine_f32(vld1_f32(p), vdup_n_f32(0.0f));
  return n == 3 ? vld1q_lane_f32(p + 2, v, 2) : v;
}

// Lanes 0 .. n-1 of v to p (0 < n < 4).
static inline void store_part(float *p, float32x4_t v, size_t n) {
  if (n & 2) {
    vst1_f32(p, vget_low_f32(v));
    p += 2;
    v = vextq_f32(v, v, 2);
  }
  if (n & 1) vst1q_lane_f32(p, v, 0);
}

// Four columns (n of them when n < 4, none when n == 0); returns what was stored (lanes past n:
// unused).
static inline float32x4_t store_vec(float *c, const float *res, float32x4_t v, size_t n, int do_relu,
                                    const float32x4_t *g) {
  if (g) v = vmulq_f32(v, *g);  // the columns' scale first
  if (n >= 4) {
    if (res) v = vaddq_f32(v, vld1q_f32(res));
    if (do_relu) v = relu(v);
    vst1q_f32(c, v);
  } else if (n) {
    if (res) v = vaddq_f32(v, load_part(res, n));
    if (do_relu) v = relu(v);
    store_part(c, v, n);
  }
  return v;
}

// With sums (s[0], s[1]), what was stored is added to them; g: NULL or the columns' scale vectors.
static inline void store_row(float *c, const float *res, float32x4_t v0, float32x4_t v1, size_t n, int do_relu,
                             float32x4_t *s, const float32x4_t *g) {
  v0 = store_vec(c, res, v0, n, do_relu, g);
  v1 = store_vec(c + 4, res ? res + 4 : NULL, v1, n > 4 ? n - 4 : 0, do_relu, g ? g + 1 : NULL);
  if (s) s[0] = vaddq_f32(s[0], v0), s[1] = vaddq_f32(s[1], v1);
}

// col_sums[0 .. n) += the first n lanes of s[0], s[1] (0 < n <= 8).
static inline void add_sums(float *cs, const float32x4_t *s, size_t n) {
  for (int h = 0; h < 2 && n > (size_t)(4 * h); h++) {
    const size_t k = n - 4 * h < 4 ? n - 4 * h : 4;
    float *p = cs + 4 * h;
    if (k == 4) vst1q_f32(p, vaddq_f32(vld1q_f32(p), s[h]));
    else store_part(p, vaddq_f32(load_part(p, k), s[h]), k);
  }
}

// 16 FMAs of one k: weights w[0..7] times lane L of each row's x.
#define K_STEP(L)                                                                                    \
  do {                                                                                               \
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);                                      \
    w += NR;                                                                                         \
    c00 = vfmaq_laneq_f32(c00, w0, x0, L), c01 = vfmaq_laneq_f32(c01, w1, x0, L);                    \
    c10 = vfmaq_laneq_f32(c10, w0, x1, L), c11 = vfmaq_laneq_f32(c11, w1, x1, L);                    \
    c20 = vfmaq_laneq_f32(c20, w0, x2, L), c21 = vfmaq_laneq_f32(c21, w1, x2, L);                    \
    c30 = vfmaq_laneq_f32(c30, w0, x3, L), c31 = vfmaq_laneq_f32(c31, w1, x3, L);                    \
    c40 = vfmaq_laneq_f32(c40, w0, x4, L), c41 = vfmaq_laneq_f32(c41, w1, x4, L);                    \
    c50 = vfmaq_laneq_f32(c50, w0, x5, L), c51 = vfmaq_laneq_f32(c51, w1, x5, L);                    \
    c60 = vfmaq_laneq_f32(c60, w0, x6, L), c61 = vfmaq_laneq_f32(c61, w1, x6, L);                    \
    c70 = vfmaq_laneq_f32(c70, w0, x7, L), c71 = vfmaq_laneq_f32(c71, w1, x7, L);                    \
  } while (0)

// GCC's scheduler before register allocation hoists the next k's weight loads and leaves two
// register copies (mov v.16b, on the FMA pipes) in the 4-k loop; without it the loop is 64 fmla,
// 12 loads and 5 others (kernels/README.md, NEON).
#if defined(__GNUC__) && !defined(__clang__)
#define NO_PRE_RA_SCHEDULE __attribute__((optimize("no-schedule-insns")))
#else
#define NO_PRE_RA_SCHEDULE
#endif

static inline const float *row(const float *p, const float *zero, size_t a_offset) {
  return p == zero ? zero : p + a_offset;
}

NO_PRE_RA_SCHEDULE static inline void igemm(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                         size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  float *cr[MR];
  const float *rr[MR];
  for (size_t m = 0; m < MR; m++) {
    const size_t r = m < mr ? m : mr - 1;  // clamped: rows past mr are computed, never stored
    cr[m] = c + r * c_stride;
    rr[m] = e->residual ? e->residual + r * e->residual_stride : NULL;
  }
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    float32x4_t c00 = vld1q_f32(w), c01 = vld1q_f32(w + 4);
    float32x4_t c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01;
    float32x4_t c50 = c00, c51 = c01, c60 = c00, c61 = c01, c70 = c00, c71 = c01;
    w += NR;
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += MR) {
      const float *a0 = row(ap[0], zero, a_offset), *a1 = row(ap[1], zero, a_offset);
      const float *a2 = row(ap[2], zero, a_offset), *a3 = row(ap[3], zero, a_offset);
      const float *a4 = row(ap[4], zero, a_offset), *a5 = row(ap[5], zero, a_offset);
      const float *a6 = row(ap[6], zero, a_offset), *a7 = row(ap[7], zero, a_offset);
      size_t k = kc;
      for (; k >= 4; k -= 4) {
        const float32x4_t x0 = vld1q_f32(a0), x1 = vld1q_f32(a1), x2 = vld1q_f32(a2), x3 = vld1q_f32(a3);
        const float32x4_t x4 = vld1q_f32(a4), x5 = vld1q_f32(a5), x6 = vld1q_f32(a6), x7 = vld1q_f32(a7);
        a0 += 4, a1 += 4, a2 += 4, a3 += 4, a4 += 4, a5 += 4, a6 += 4, a7 += 4;
        K_STEP(0);
        K_STEP(1);
        K_STEP(2);
        K_STEP(3);
      }
      for (; k; k--) {  // kc % 4: one k at a time, never reading past the row's kc
        const float32x4_t x0 = vld1q_dup_f32(a0++), x1 = vld1q_dup_f32(a1++), x2 = vld1q_dup_f32(a2++);
        const float32x4_t x3 = vld1q_dup_f32(a3++), x4 = vld1q_dup_f32(a4++), x5 = vld1q_dup_f32(a5++);
        const float32x4_t x6 = vld1q_dup_f32(a6++), x7 = vld1q_dup_f32(a7++);
        K_STEP(0);
      }
    }
    const size_t n = nc - n0;
    // Only rows < mr are stored: a residual may be the output itself (in place).
    float32x4_t sums[2] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)}, *s = e->col_sums ? sums : NULL;
    float32x4_t gv[2] = {sums[0], sums[0]};  // the columns' scale (lanes past n: 0, not stored)
    if (e->scale) {
      gv[0] = n >= 4 ? vld1q_f32(e->scale + n0) : load_part(e->scale + n0, n);
      if (n > 4) gv[1] = n >= 8 ? vld1q_f32(e->scale + n0 + 4) : load_part(e->scale + n0 + 4, n - 4);
    }
    const float32x4_t *g = e->scale ? gv : NULL;
    store_row(cr[0] + n0, rr[0] ? rr[0] + n0 : NULL, c00, c01, n, e->relu, s, g);
    if (mr > 1) store_row(cr[1] + n0, rr[1] ? rr[1] + n0 : NULL, c10, c11, n, e->relu, s, g);
    if (mr > 2) store_row(cr[2] + n0, rr[2] ? rr[2] + n0 : NULL, c20, c21, n, e->relu, s, g);
    if (mr > 3) store_row(cr[3] + n0, rr[3] ? rr[3] + n0 : NULL, c30, c31, n, e->relu, s, g);
    if (mr > 4) store_row(cr[4] + n0, rr[4] ? rr[4] + n0 : NULL, c40, c41, n, e->relu, s, g);
    if (mr > 5) store_row(cr[5] + n0, rr[5] ? rr[5] + n0 : NULL, c50, c51, n, e->relu, s, g);
    if (mr > 6) store_row(cr[6] + n0, rr[6] ? rr[6] + n0 : NULL, c60, c61, n, e->relu, s, g);
    if (mr > 7) store_row(cr[7] + n0, rr[7] ? rr[7] + n0 : NULL, c70, c71, n, e->relu, s, g);
    if (s) add_sums(e->col_sums + n0, sums, n < NR ? n : NR);
  }
}

void rb_f32_igemm_8x8__neon(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                            float *c, size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e) {
  igemm(mr, nc, kc, ks, a, w, c, c_stride, zero, a_offset, e);
}

void rb_f32_gemm_8x8__neon(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                           size_t c_stride, const rb_uk_epilogue *e) {
  const float *rows[MR];
  rb_uk_gemm_rows(a, a_stride, mr, MR, rows);
  igemm(mr, nc, kc, 1, rows, w, c, c_stride, NULL, 0, e);
}
