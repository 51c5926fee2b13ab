// The microkernel tester (as XNNPACK's gemm tester): every GEMM / indirect-GEMM and narrow-group
// microkernel of every ISA this CPU runs, and every scalar geometry, over all row counts m in
// 1..MR, column counts n in 1..2*NR+1, k over primes and multiples of the unroll, ks of 1, 9 and
// 49 taps, a padding (zero) pointer in each row, a_offset, strided output, residual and ReLU on
// and off, the residual being the output itself (in place), and NaN propagation. The reference
// is computed here with double accumulators; outputs are poisoned with a bit pattern before each
// run (in place: they hold the residual, which must stay as it is outside the tile) so unwritten
// and overwritten elements are both caught.
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kernels/pack.h"
#include "../kernels/ukernel.h"
#include "oracle64.h"
#include "resbench/probe.h"
#include "resbench/tensor.h"
#include "testutil.h"

#define POISON 0x7fc0dea1u  // a quiet NaN no kernel computes

static float poison_value(void) {
  float f;
  const uint32_t u = POISON;
  memcpy(&f, &u, 4);
  return f;
}

static int is_poison(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u == POISON;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, 4) == 0; }

// The next tile's row pointers (the microkernel contract: a kernel may prefetch their rows, and
// must not read them): n pointers to one row of `floats` NaNs, returned for the caller to free.
static float *next_tile_decoys(const float **next, size_t n, size_t floats) {
  float *decoy = rb_aligned_alloc((floats + 64) * 4);
  ck_assert_ptr_nonnull(decoy);
  for (size_t i = 0; i < floats + 64; i++) decoy[i] = NAN;
  for (size_t i = 0; i < n; i++) next[i] = decoy;
  return decoy;
}

#define ALL_ROWS (-2)

typedef struct gemm_case {
  size_t m, n, k, ks;
  size_t c_stride, a_offset;
  int zero_row, zero_tap;  // this row's pointer at this tap is the padding (zero) row; -1: none;
                           // zero_row ALL_ROWS: every row's (a tap wholly in the padding)
  int residual, relu, nan_at;  // nan_at >= 0: that A element is NaN (it must reach the output)
  int in_place;                // with residual: the residual is the output array itself
} gemm_case;

// One case of one microkernel (gemm = 1: its plain-GEMM twin, ks must be 1). Returns nothing:
// asserts with the kernel's name and the case.
static void run_gemm_case(const rb_gemm_ukernel *u, int gemm, const gemm_case *c, uint64_t seed) {
  const size_t MR = (size_t)u->mr, m = c->m, n = c->n, k = c->k, ks = c->ks;
  o64_rng r;
  o64_seed(&r, seed);
  const size_t a_stride = k + 3 + c->a_offset;  // rows of A: a_offset floats, k used, slack after
  const size_t rows = MR * ks;                  // one distinct A row per (tap, row)
  float *a = rb_aligned_alloc(rows * a_stride * 4), *w = malloc(n * k * ks * 4), *bias = malloc(n * 4);
  float *zero = rb_aligned_alloc((k + 64) * 4);
  const size_t c_stride = c->c_stride;
  // The residual's own row stride, unlike the output's, except in place (residual 2).
  const size_t rs = c->in_place ? c_stride : c_stride + 5;
  float *out = rb_aligned_alloc(MR * c_stride * 4), *res = rb_aligned_alloc(MR * rs * 4);
  float *packed = rb_aligned_alloc(rb_pack_gemm_size(u->nr, (int)n, (int)k, (int)ks) * 4);
  o64_fill(&r, a, rows * a_stride, -1, 1);
  o64_fill(&r, w, n * k * ks, -1, 1);
  o64_fill(&r, bias, n, -1, 1);
  o64_fill(&r, res, MR * rs, -1, 1);
  memset(zero, 0, (k + 64) * 4);
  // w in OIHW order [n][k][ks] as the packer takes it.
  rb_pack_gemm(u->nr, (int)n, (int)k, (int)ks, w, bias, packed);
  // This tile's pointers, then the next tile's: NaN rows, which a kernel may prefetch but must not read.
  const float **ind = malloc(2 * ks * MR * sizeof *ind);
  float *decoy = next_tile_decoys(ind + ks * MR, ks * MR, a_stride);
  for (size_t t = 0; t < ks; t++)
    for (size_t i = 0; i < MR; i++) {
      const size_t row = i < m ? i : m - 1;  // rows past m repeat the last, as the driver does
      const int padding = (c->zero_row == (int)row || c->zero_row == ALL_ROWS) && c->zero_tap == (int)t;
      ind[t * MR + i] = padding ? zero : a + (t * MR + row) * a_stride;
    }
  if (c->nan_at >= 0) a[(size_t)c->nan_at % m * a_stride + c->a_offset + (size_t)c->nan_at % k] = NAN;
  for (size_t i = 0; i < MR * c_stride; i++) out[i] = c->in_place ? res[i] : poison_value();
  // Every other case also sums the stored columns into col_sums (random start values: it adds),
  // with poison past n.
  const int with_sums = seed % 2 == 0;
  float *sums = malloc((n + 16) * 4), *sums0 = malloc(n * 4);
  o64_fill(&r, sums0, n, -1, 1);
  for (size_t j = 0; j < n + 16; j++) sums[j] = j < n ? sums0[j] : poison_value();
  // Every third case scales the columns before the residual (an SE gate in the store): scale[j] in
  // (0, 1], poison past n (a kernel reading past its columns would store NaN into a column < n).
  const int with_scale = seed % 3 == 0;
  float *scale = malloc((n + 16) * 4);
  o64_fill(&r, scale, n + 16, 0.05f, 1.0f);
  for (size_t j = n; j < n + 16; j++) scale[j] = poison_value();
  // Half the cases ask for the next tile's prefetch: the decoys and the rows past the tile's.
  const rb_uk_epilogue e = {c->residual ? c->in_place ? out : res : NULL, rs, c->relu, with_sums ? sums : NULL,
                            with_scale ? scale : NULL, (int)(seed % 2)};
  if (gemm)
    u->gemm(m, n, k, a + c->a_offset, a_stride, packed, out, c_stride, &e);
  else
    u->igemm(m, n, k, ks, ind, packed, out, c_stride, zero, c->a_offset, &e);

  for (size_t i = 0; i < MR; i++)
    for (size_t j = 0; j < c_stride; j++) {
      const float got = out[i * c_stride + j];
      if (i >= m || j >= n) {
        ck_assert_msg(c->in_place ? same_bits(got, res[i * c_stride + j]) : is_poison(got),
                      "%s%s m%zu n%zu k%zu ks%zu in_place%d: wrote c[%zu][%zu] outside the tile", u->name,
                      gemm ? " (gemm)" : "", m, n, k, ks, c->in_place, i, j);
        continue;
      }
      double sum = bias[j], mag = fabs(bias[j]);
      int nan = 0;
      for (size_t t = 0; t < ks; t++) {
        const float *row = ind[t * MR + i] == zero ? zero : ind[t * MR + i] + c->a_offset;
        if (gemm) row = a + c->a_offset + i * a_stride;
        for (size_t q = 0; q < k; q++) {
          const double term = (double)row[q] * w[(j * k + q) * ks + t];
          nan |= isnan(row[q]);
          sum += term, mag += fabs(term);
        }
      }
      if (with_scale) sum *= scale[j], mag *= scale[j];
      if (c->residual) sum += res[i * rs + j], mag += fabs(res[i * rs + j]);
      if (nan) {
        ck_assert_msg(isnan(got) && !is_poison(got), "%s m%zu n%zu k%zu: NaN input lost at c[%zu][%zu] (relu %d)",
                      u->name, m, n, k, i, j, c->relu);
        continue;
      }
      const double want = c->relu && sum < 0 ? 0.0 : sum;
      const double tol = o64_gamma((double)(k * ks + 3)) * mag;
      ck_assert_msg(fabs(got - want) <= tol,
                    "%s%s m%zu n%zu k%zu ks%zu off%zu zero(row %d tap %d) res%d relu%d: c[%zu][%zu] = %.9g, want %.9g",
                    u->name, gemm ? " (gemm)" : "", m, n, k, ks, c->a_offset, c->zero_row, c->zero_tap, c->residual,
                    c->relu, i, j, (double)got, want);
    }
  // The column sums: the start value plus the stored rows i < m, within gamma(m + 1) of the exact
  // sum of what was stored; NaN where a stored value is; nothing written past n.
  for (size_t j = 0; with_sums && j < n + 16; j++) {
    if (j >= n) {
      ck_assert_msg(is_poison(sums[j]), "%s m%zu n%zu: col_sums[%zu] written past n", u->name, m, n, j);
      continue;
    }
    double want = sums0[j], mag = fabs(sums0[j]);
    int nan = 0;
    for (size_t i = 0; i < m; i++) {
      const float v = out[i * c_stride + j];
      nan |= isnan(v), want += v, mag += fabs(v);
    }
    ck_assert_msg(nan ? isnan(sums[j]) : fabs(sums[j] - want) <= o64_gamma((double)m + 1) * mag,
                  "%s%s m%zu n%zu k%zu res%d relu%d: col_sums[%zu] = %.9g, want %.9g", u->name, gemm ? " (gemm)" : "",
                  m, n, k, c->residual, c->relu, j, (double)sums[j], want);
  }
  free(sums), free(sums0), free(scale);
  rb_aligned_free(a), free(w), free(bias), rb_aligned_free(zero), rb_aligned_free(out), rb_aligned_free(res);
  rb_aligned_free(packed), free(ind), rb_aligned_free(decoy);
}

// The microkernels whose ISA this CPU runs (scalar ones always); a skip says why, once.
static int runnable(rb_isa isa, const char *name) {
  if (rb_cpu_supports(isa)) return 1;
  static char said[64][64];
  static int nsaid;
  for (int i = 0; i < nsaid; i++)
    if (!strcmp(said[i], name)) return 0;
  if (nsaid < 64) snprintf(said[nsaid++], sizeof said[0], "%s", name);
  fprintf(stderr, "note: microkernel %s skipped: %s\n", name, rb_isa_unavailable_reason(isa));
  return 0;
}

static const size_t ks_values[] = {1, 9, 49};

START_TEST(gemm_ukernels) {
  uint64_t seed = 1;
  int tested = 0;
  for (size_t u_i = 0; u_i < rb_gemm_ukernel_count; u_i++) {
    const rb_gemm_ukernel *u = &rb_gemm_ukernels[u_i];
    if (!runnable(u->isa, u->name)) continue;
    tested++;
    const size_t MR = (size_t)u->mr, NR = (size_t)u->nr;
    const size_t ks_primes[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 37};
    for (int gemm = 0; gemm < 2; gemm++) {
      // k: primes and multiples of an unroll of up to 8, full tile.
      for (size_t i = 0; i < sizeof ks_primes / sizeof ks_primes[0]; i++) {
        gemm_case c = {MR, NR, ks_primes[i], 1, NR, 0, -1, -1, 0, 0, -1, 0};
        run_gemm_case(u, gemm, &c, seed++);
        c.k = 8 * (i + 1);
        run_gemm_case(u, gemm, &c, seed++);
      }
      // Long K (>= 1024 rows: the 6x64 kernel's weight-prefetching loops, with and without the
      // next tile's rows), a tail n, a residual; two seeds, so that one asks for the prefetch.
      for (int s = 0; s < 2; s++) {
        gemm_case c = {MR - (size_t)s, NR + 3, 1031, 1, 2 * NR + 5, 0, -1, -1, 1, 1, -1, 0};
        run_gemm_case(u, gemm, &c, seed++);
      }
      // n: 1 .. 2 NR + 1 (masked tails, several column blocks), strided output, every m.
      for (size_t n = 1; n <= 2 * NR + 1; n++)
        for (size_t m = 1; m <= MR; m = n % 3 == 0 || m == MR ? m + 1 : MR) {  // every m at every third n
          gemm_case c = {m, n, 1 + n % 13, 1, n + n % 5, 0, -1, -1, (int)(n % 2), (int)(n / 2 % 2), -1, 0};
          run_gemm_case(u, gemm, &c, seed++);
        }
      // every m with a tail n.
      for (size_t m = 1; m <= MR; m++) {
        gemm_case c = {m, NR + 1 + m % NR, 5, 1, 2 * NR + 7, 0, -1, -1, 1, 1, -1, 0};
        run_gemm_case(u, gemm, &c, seed++);
      }
      // in place (the residual is the output), every m, a tail n: rows >= m must not be stored.
      for (size_t m = 1; m <= MR; m++) {
        gemm_case c = {m, NR + 1 + (m + 2) % NR, 6, 1, 2 * NR + 3, 0, -1, -1, 1, (int)(m % 2), -1, 1};
        run_gemm_case(u, gemm, &c, seed++);
      }
      // NaN passes through the sum and ReLU.
      for (int relu = 0; relu < 2; relu++) {
        gemm_case c = {MR, NR, 7, 1, NR, 0, -1, -1, relu, relu, (int)(3 + MR * 7), 0};
        run_gemm_case(u, gemm, &c, seed++);
      }
    }
    // Indirect, long K over taps (9 x 127), a padding tap.
    {
      gemm_case c = {MR, 2 * NR - 3, 127, 9, 2 * NR + 1, 4, 1, 4, 1, 1, -1, 0};
      run_gemm_case(u, 0, &c, seed++);
    }
    // A tap wholly in the padding (every row's pointer the zero row: a kernel may skip it and its
    // weights), first, middle and last of 9 taps and of 49, every third m.
    for (size_t t = 0; t < 6; t++)
      for (size_t m = 1 + t % 3; m <= MR; m += 3) {
        const size_t ks = t < 3 ? 9 : 49, tap = t % 3 == 0 ? 0 : t % 3 == 1 ? ks / 2 : ks - 1;
        gemm_case c = {m, t % 2 ? NR : 2 * NR - 1, 5, ks, 2 * NR + 1, 4, ALL_ROWS, (int)tap, (int)(m % 2), 1, -1, 0};
        run_gemm_case(u, 0, &c, seed++);
      }
    // Indirect only: taps, a padding pointer in each row (and tap), a_offset.
    for (size_t t = 0; t < sizeof ks_values / sizeof ks_values[0]; t++)
      for (size_t m = 1; m <= MR; m += MR > 4 ? 3 : 1) {
        const size_t ks = ks_values[t];
        gemm_case c = {m, m % 2 ? NR : 2 * NR - 1, ks == 49 ? 3 : 6, ks, 2 * NR + 1, (size_t)(m % 3) * 4,
                       (int)(m - 1), (int)((m * 7) % ks), (int)(m % 2), (int)((m + 1) % 2), -1, 0};
        run_gemm_case(u, 0, &c, seed++);
      }
    // Only the first row's pointer the zero row at a tap, a full tile (a map row's first pixel at
    // kw = 0: a kernel may skip that row's FMAs there, and must keep the others').
    for (size_t t = 0; t < sizeof ks_values / sizeof ks_values[0]; t++) {
      const size_t ks = ks_values[t];
      gemm_case c = {MR, NR + 5, 7, ks, 2 * NR + 1, 4, 0, (int)(ks / 2), 1, 1, -1, 0};
      run_gemm_case(u, 0, &c, seed++);
    }
  }
  ck_assert_int_ge(tested, 3);  // the scalar geometries at least
}
END_TEST

typedef struct ng_case {
  size_t m, nc, ks, c_stride, a_offset;
  int zero_row, zero_tap, residual, relu;
  int nan;       // pixel m - 1's last input channel at tap 0 is NaN (it must reach its group's outputs)
  int in_place;  // with residual: the residual is the output array itself
} ng_case;

static void run_ng_case(const rb_ngconv_ukernel *u, const ng_case *c, uint64_t seed) {
  const size_t MR = (size_t)u->mr, cpg = (size_t)u->cpg, m = c->m, nc = c->nc, ks = c->ks;
  o64_rng r;
  o64_seed(&r, seed);
  const size_t a_stride = c->a_offset + nc + (size_t)u->width + 5;  // slack: reads past nc (ngconv_reads_stop_at_nc)
  const size_t rows = MR * ks;
  float *a = rb_aligned_alloc(rows * a_stride * 4), *w = malloc(nc * cpg * ks * 4), *bias = malloc(nc * 4);
  float *zero = rb_aligned_alloc((a_stride + 64) * 4);
  const size_t rs = c->in_place ? c->c_stride : c->c_stride + 5;  // own stride, but in place
  float *out = rb_aligned_alloc(MR * c->c_stride * 4), *res = rb_aligned_alloc(MR * rs * 4);
  float *packed = rb_aligned_alloc(rb_pack_ngconv_size(u->width, u->cpg, (int)nc, (int)ks) * 4);
  o64_fill(&r, a, rows * a_stride, -1, 1);
  o64_fill(&r, w, nc * cpg * ks, -1, 1);
  o64_fill(&r, bias, nc, -1, 1);
  o64_fill(&r, res, MR * rs, -1, 1);
  memset(zero, 0, (a_stride + 64) * 4);
  rb_pack_ngconv(u->width, u->cpg, u->perm, u->perm_out, (int)nc, (int)ks, w, bias, packed);
  const float **ind = malloc(2 * ks * MR * sizeof *ind);  // then the next tile's, as above
  float *decoy = next_tile_decoys(ind + ks * MR, ks * MR, a_stride);
  for (size_t t = 0; t < ks; t++)
    for (size_t i = 0; i < MR; i++) {
      const size_t row = i < m ? i : m - 1;
      const int padding = (c->zero_row == (int)row || c->zero_row == ALL_ROWS) && c->zero_tap == (int)t;
      ind[t * MR + i] = padding ? zero : a + (t * MR + row) * a_stride;
    }
  if (c->nan) a[(m - 1) * a_stride + c->a_offset + nc - 1] = NAN;  // tap 0, row m - 1 (not a padding tap)
  for (size_t i = 0; i < MR * c->c_stride; i++) out[i] = c->in_place ? res[i] : poison_value();
  const rb_uk_epilogue e = {c->residual ? c->in_place ? out : res : NULL, rs, c->relu, NULL, NULL, (int)(seed % 2)};
  u->fn(m, nc, ks, ind, packed, out, c->c_stride, zero, c->a_offset, &e);
  for (size_t i = 0; i < MR; i++)
    for (size_t ch = 0; ch < c->c_stride; ch++) {
      const float got = out[i * c->c_stride + ch];
      if (i >= m || ch >= nc) {
        ck_assert_msg(c->in_place ? same_bits(got, res[i * c->c_stride + ch]) : is_poison(got),
                      "%s m%zu nc%zu ks%zu in_place%d: wrote c[%zu][%zu] outside the tile", u->name, m, nc, ks,
                      c->in_place, i, ch);
        continue;
      }
      double sum = bias[ch], mag = fabs(bias[ch]);
      const size_t g0 = ch - ch % cpg;  // the group's first channel
      for (size_t t = 0; t < ks; t++) {
        const float *row = ind[t * MR + i] == zero ? zero : ind[t * MR + i] + c->a_offset;
        for (size_t q = 0; q < cpg; q++) {
          const double term = (double)row[g0 + q] * w[(ch * cpg + q) * ks + t];
          sum += term, mag += fabs(term);
        }
      }
      if (c->residual) sum += res[i * rs + ch], mag += fabs(res[i * rs + ch]);
      if (isnan(sum)) {
        ck_assert_msg(isnan(got) && !is_poison(got), "%s m%zu nc%zu: NaN input lost at c[%zu][%zu] (relu %d)", u->name,
                      m, nc, i, ch, c->relu);
        continue;
      }
      const double want = c->relu && sum < 0 ? 0.0 : sum;
      ck_assert_msg(fabs(got - want) <= o64_gamma((double)(cpg * ks + 2)) * mag,
                    "%s m%zu nc%zu ks%zu off%zu zero(row %d tap %d) res%d relu%d: c[%zu][%zu] = %.9g, want %.9g",
                    u->name, m, nc, ks, c->a_offset, c->zero_row, c->zero_tap, c->residual, c->relu, i, ch,
                    (double)got, want);
    }
  rb_aligned_free(a), free(w), free(bias), rb_aligned_free(zero), rb_aligned_free(out), rb_aligned_free(res);
  rb_aligned_free(packed), free(ind), rb_aligned_free(decoy);
}

START_TEST(ngconv_ukernels) {
  uint64_t seed = 77;
  int tested = 0;
  for (size_t u_i = 0; u_i < rb_ngconv_ukernel_count; u_i++) {
    const rb_ngconv_ukernel *u = &rb_ngconv_ukernels[u_i];
    if (!runnable(u->isa, u->name)) continue;
    tested++;
    const size_t MR = (size_t)u->mr, cpg = (size_t)u->cpg, W = (size_t)u->width;
    // nc: every multiple of cpg up to 2 widths + one group (tails of whole groups), every m.
    for (size_t nc = cpg; nc <= 2 * W + cpg; nc += cpg)
      for (size_t m = 1; m <= MR; m = (nc / cpg) % 2 || m == MR ? m + 1 : MR) {
        ng_case c = {m, nc, 1 + 8 * (nc / cpg % 2), nc + (nc / cpg) % 3, (nc / cpg % 4) * cpg, -1, -1,
                     (int)(m % 2), (int)(nc / cpg / 2 % 2), 0, 0};
        run_ng_case(u, &c, seed++);
      }
    // taps 1, 9, 49 with a padding pointer in each row.
    for (size_t t = 0; t < sizeof ks_values / sizeof ks_values[0]; t++)
      for (size_t m = 1; m <= MR; m++) {
        const size_t ks = ks_values[t];
        ng_case c = {m, W + cpg, ks, W + cpg + 3, cpg, (int)(m - 1), (int)((m * 5) % ks), (int)(m % 2),
                     (int)((m / 2) % 2), 0, 0};
        run_ng_case(u, &c, seed++);
      }
    // Only the first or only the last row's pointer the zero row at a tap, a full tile (a map row's
    // first pixel at kw = 0, its last at the last kw: a kernel may skip that row's FMAs there, and
    // must keep the others'); taps 1, 9 and 49, one and two blocks.
    for (size_t t = 0; t < sizeof ks_values / sizeof ks_values[0]; t++)
      for (int last = 0; last < 2; last++) {
        const size_t ks = ks_values[t], nc = last ? 2 * W : W + cpg;
        ng_case c = {MR, nc, ks, nc + 3, cpg, last ? (int)MR - 1 : 0, (int)(ks / 2), last, 1, 0, 0};
        run_ng_case(u, &c, seed++);
      }
    // A tap wholly in the padding (a kernel may skip it and its weights), first, middle and last
    // of 9 taps and of 49, every third m; one and two blocks.
    for (size_t t = 0; t < 6; t++)
      for (size_t m = 1 + t % 3; m <= MR; m += 3) {
        const size_t ks = t < 3 ? 9 : 49, tap = t % 3 == 0 ? 0 : t % 3 == 1 ? ks / 2 : ks - 1;
        const size_t nc = t % 2 ? W : W + cpg;
        ng_case c = {m, nc, ks, nc + 1, cpg, ALL_ROWS, (int)tap, (int)(m % 2), 1, 0, 0};
        run_ng_case(u, &c, seed++);
      }
    // NaN through the sum and ReLU; in place (the residual is the output), every m.
    for (int relu = 0; relu < 2; relu++) {
      ng_case c = {MR, 2 * W, 9, 2 * W, 0, -1, -1, relu, relu, 1, 0};
      run_ng_case(u, &c, seed++);
    }
    for (size_t m = 1; m <= MR; m++) {
      ng_case c = {m, W + cpg, 9, W + cpg + 2, (m % 2) * cpg, -1, -1, 1, (int)(m % 2), 0, 1};
      run_ng_case(u, &c, seed++);
    }
  }
  ck_assert_int_ge(tested, 3);
}
END_TEST

// The contract says a narrow-group kernel reads no input channel past nc: the last group may end
// the row (or the tensor). One row ending at a PROT_NONE page, every pixel and tap pointing at
// it, nc a whole number of vectors plus one group and one group alone: a read past nc faults.
START_TEST(ngconv_reads_stop_at_nc) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  for (size_t u_i = 0; u_i < rb_ngconv_ukernel_count; u_i++) {
    const rb_ngconv_ukernel *u = &rb_ngconv_ukernels[u_i];
    if (!runnable(u->isa, u->name)) continue;
    const size_t MR = (size_t)u->mr, cpg = (size_t)u->cpg, W = (size_t)u->width, ks = 9;
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(map != MAP_FAILED);
    ck_assert_int_eq(mprotect(map + page, page, PROT_NONE), 0);
    const size_t ncs[] = {cpg, W + cpg};
    for (size_t i = 0; i < 2; i++) {
      const size_t nc = ncs[i];
      float *row = (float *)(map + page) - nc;  // channel nc - 1 is the last float before the guard
      for (size_t ch = 0; ch < nc; ch++) row[ch] = 1.0f;
      float *packed = rb_aligned_alloc(rb_pack_ngconv_size(u->width, u->cpg, (int)nc, (int)ks) * 4);
      float *w = malloc(nc * cpg * ks * 4), *out = rb_aligned_alloc(MR * nc * 4), *zero = rb_aligned_alloc((nc + 64) * 4);
      for (size_t j = 0; j < nc * cpg * ks; j++) w[j] = 1.0f;
      memset(zero, 0, (nc + 64) * 4);
      rb_pack_ngconv(u->width, u->cpg, u->perm, u->perm_out, (int)nc, (int)ks, w, NULL, packed);
      const float **ind = malloc(2 * ks * MR * sizeof *ind);  // the next tile's too: the same row
      for (size_t j = 0; j < 2 * ks * MR; j++) ind[j] = row;
      const rb_uk_epilogue e = {NULL, 0, 0, NULL, NULL, 0};
      u->fn(MR, nc, ks, ind, packed, out, nc, zero, 0, &e);
      for (size_t j = 0; j < MR * nc; j++)
        ck_assert_msg(out[j] == (float)(cpg * ks), "%s nc%zu: c[%zu] = %g, want %zu", u->name, nc, j, (double)out[j],
                      cpg * ks);
      rb_aligned_free(packed), free(w), rb_aligned_free(out), rb_aligned_free(zero), free(ind);
    }
    munmap(map, 2 * page);
  }
}
END_TEST

Suite *ukernel_suite(void) {
  Suite *s = suite_create("ukernel");
  TCase *tc = tcase_create("ukernel");
  tcase_set_timeout(tc, 300);  // scalar fmaf without hardware FMA, and qemu
  tcase_add_test(tc, gemm_ukernels);
  tcase_add_test(tc, ngconv_ukernels);
  tcase_add_test(tc, ngconv_reads_stop_at_nc);
  suite_add_tcase(s, tc);
  return s;
}
