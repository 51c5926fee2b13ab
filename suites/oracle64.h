// Independent fp64 oracles and numeric-check helpers, shared by the Check tests and
// `resbench check`. Nothing here calls kernels/: every result is a plain fp64 loop nest.
#ifndef RESBENCH_ORACLE64_H
#define RESBENCH_ORACLE64_H

#include <stddef.h>
#include <stdint.h>
#include "resbench/conv.h"

// Seeded xorshift64* generator: the same data on every machine and compiler.
typedef struct o64_rng {
  uint64_t s;
} o64_rng;
void o64_seed(o64_rng *r, uint64_t seed);
uint64_t o64_next(o64_rng *r);
int o64_int(o64_rng *r, int lo, int hi);  // uniform in [lo, hi]
// Uniform in [lo, hi), never exactly 0 (zeros hide indexing bugs).
float o64_uniform(o64_rng *r, float lo, float hi);
void o64_fill(o64_rng *r, float *p, size_t n, float lo, float hi);
// NaN everywhere: an element a kernel forgets to write fails every comparison.
void o64_poison(float *p, size_t n);

// Unit roundoff of float32 and the classic accumulation bound gamma_k = k u / (1 - k u):
// a float sum of k terms differs from the exact sum by at most gamma_k * sum |terms|,
// in any order, with or without FMA.
#define O64_U_F32 5.9604644775390625e-08
double o64_gamma(double k);

// Comparison of a float result with an fp64 one, element i judged against mag[i] = sum of
// |terms| that make it up (NULL: |exact[i]|). rel_err_i = |got_i - exact_i| / mag_i.
typedef struct o64_cmp {
  double max_abs_err;
  double max_rel_err;   // max rel_err_i
  double mean_rel_err;  // mean rel_err_i
  size_t worst;         // index of the largest rel_err_i (or of the first NaN)
  size_t nan_count;     // NaN or inf in got: unwritten (poisoned) or broken elements
  int pass;             // no NaN and max_rel_err <= tol
} o64_cmp;
o64_cmp o64_compare(const float *got, const double *exact, const double *mag, size_t n, double tol);

// Convolution as PyTorch defines it, NHWC in/out, OIHW weights, then + bias, + residual, ReLU.
// exact and mag: n*out_h*out_w*cout doubles; mag = sum |w x| + |bias| + |residual|.
void o64_conv(const rb_conv_desc *d, const float *in, const float *w_oihw, const float *bias,
              const float *residual, int relu, double *exact, double *mag);

#endif
