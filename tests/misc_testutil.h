// Helpers for the non-convolution kernel tests (test_attention, test_pool, test_eltwise,
// test_ops_errors): buffers, and an assertion that prints the worst element on failure.
#ifndef RESBENCH_MISC_TESTUTIL_H
#define RESBENCH_MISC_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle64.h"
#include "resbench/resbench.h"
#include "testutil.h"

// Runs the body once per available kernel table and once per test vehicle of the element-wise
// template (vec4, vec8, vec16: kernels/scalar/eltwise_vehicles.c), with k bound to it; `continue`
// skips a table.
#define MT_FOR_EACH_TABLE(k)                                                                     \
  const rb_kernels *mt_tables_[RB_ISA_COUNT + 3];                                                \
  int mt_ntables_ = tu_available_tables(mt_tables_);                                             \
  ck_assert_int_ge(mt_ntables_, 1);                                                              \
  mt_ntables_ += rb_eltwise_vehicles(mt_tables_ + mt_ntables_, 3);                               \
  for (int mt_i_ = 0; mt_i_ < mt_ntables_; mt_i_++)                                              \
    for (const rb_kernels *k = mt_tables_[mt_i_]; k; k = NULL)

// A test vehicle (ref's table with the element-wise family at a portable width): tests of other
// families (convolutions, check rows by ISA) skip it.
static inline int mt_is_vehicle(const rb_kernels *k) { return k->isa == RB_ISA_REF && k != &rb_kernels_ref; }

// A table that lacks a kernel (a SIMD port in progress) is skipped with a note, not failed:
// rb_op_* reports it as RB_ERR_UNSUPPORTED, and test_ops_errors checks that path.
#define MT_SKIP_IF_MISSING(k, member)                                                  \
  if (!(k)->member) {                                                                  \
    fprintf(stderr, "note: ISA %s has no %s kernel: skipped\n", (k)->isa_name, #member); \
    continue;                                                                          \
  }

// 64-byte aligned floats (as activations are in the library); never NULL.
static inline float *mt_floats(size_t n) {
  float *p = rb_aligned_alloc((n ? n : 1) * sizeof(float));
  ck_assert_ptr_nonnull(p);
  return p;
}

static inline double *mt_doubles(size_t n) {
  double *p = malloc((n ? n : 1) * sizeof(double));
  ck_assert_ptr_nonnull(p);
  return p;
}

static inline float *mt_copy(const float *src, size_t n) {
  float *p = mt_floats(n);
  memcpy(p, src, n * sizeof(float));
  return p;
}

// got vs the fp64 oracle: |got - exact| <= tol * mag everywhere, and no NaN (a poisoned
// element the kernel forgot to write).
static inline void mt_expect_close(const char *what, const float *got, const double *exact, const double *mag,
                                   size_t n, double tol) {
  const o64_cmp c = o64_compare(got, exact, mag, n, tol);
  ck_assert_msg(c.pass,
                "%s: max rel err %.3g > tol %.3g, %zu NaN/inf; worst element %zu of %zu: got %.9g, exact %.9g, "
                "mag %.3g",
                what, c.max_rel_err, tol, c.nan_count, c.worst, n, (double)got[c.worst], exact[c.worst],
                mag ? mag[c.worst] : 0.0);
}

#endif
