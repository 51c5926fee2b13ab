// `resbench check`: every kernel of an ISA on fixed ResNet-family shapes, against the fp64
// oracle (and against ref for SIMD tables). Each family contributes rows through a sink.
#ifndef RESBENCH_CHECK_H
#define RESBENCH_CHECK_H

#include "oracle64.h"
#include "../kernels/table.h"

typedef struct rb_check_row {
  const char *kernel;   // rb_conv_direct__ref, ...
  const char *isa;
  const char *against;  // "fp64" or "ref"
  char shape[128];      // benchdnn-style problem, e.g. g32mb1ic128ih14oc128oh14kh3ph1
  double max_abs_err;
  double max_rel_err;   // relative to the sum of |terms| of each element (see oracle64.h)
  double mean_rel_err;
  double tol;           // bound on max_rel_err
  int pass;
} rb_check_row;

typedef struct rb_check_sink {
  void (*emit)(void *ctx, const rb_check_row *row);
  void *ctx;
} rb_check_sink;

// One direct convolution on table k (its engine path by the rule, or ref's loops) against the
// fp64 oracle and, for a SIMD table, against ref's float result: seeded data, never zero, the
// output poisoned before each of two runs. The one harness of `resbench check` and the tests.
typedef struct rb_conv_case_result {
  char kernel[64];   // what ran: the plan's kernel (rb_conv_direct__ref, rb_f32_igemm_6x16__avx2, ...)
  rb_status status;  // RB_OK, or why planning or running failed (rb_last_error() says more)
  double tol;        // gamma_{K+2}, K = cin/groups x kh x kw: vs_fp64's bound (vs_ref: twice it)
  o64_cmp vs_fp64, vs_ref;
  int have_ref;      // vs_ref was computed (k is not ref)
} rb_conv_case_result;
void rb_check_conv_case(const rb_kernels *k, const rb_conv_desc *d, int bias, int residual, int relu, uint64_t seed,
                        rb_conv_case_result *r);

// A copy of a plan's kernel name that lives as long as the program (rows keep the pointer): one copy
// of each name seen; past 63 names, the last slot is reused.
const char *rb_check_name(const char *name);

// One per kernel family file (suites/check_<family>.c).
void rb_check_conv_direct(const rb_kernels *k, const rb_check_sink *s);
void rb_check_winograd(const rb_kernels *k, const rb_check_sink *s);
void rb_check_misc(const rb_kernels *k, const rb_check_sink *s);

// Runs all families; returns the number of failed rows.
int rb_check_all(const rb_kernels *k, const rb_check_sink *s);

#endif
