// Error bounds for Winograd F(m x m, 3x3) in float32, defined once for tests/test_winograd.c and
// suites/check_winograd.c (`resbench check`). rb_wino_tol(i): i = RB_WINO_F2, F4, F6.
#ifndef RESBENCH_WINOGRAD_TOL_H
#define RESBENCH_WINOGRAD_TOL_H

#include "resbench/conv.h"
#include "../kernels/table.h"

// Against the fp64 oracle, relative to the sum of |terms| of each output element (oracle64.h),
// on the ResNet-family 3x3 layers of the error study (suites/check_winograd.c: 64..512 channels,
// or 32 groups of 4, padding 1, uniform [-1, 1) data). The error grows with the tile (Barabasz et
// al. 2020): F(m,3) for larger m needs more and larger interpolation points (up to +-2, +-1/2),
// so the transforms have larger entries (BT up to 21/4, AT up to 32) whose terms cancel in AT M A,
// and rounding errors of the large intermediates survive the cancellation.
// Measured worst max rel err over 12 seeds x 5 layers (ref, x86-64): F2 2.4e-7, F4 6.2e-6,
// F6 1.05e-5 (mean rel err ~1.2e-8, ~5e-8, ~1.2e-7); bounds ~6x those.
// Not for arbitrary shapes: with few channels per group (depthwise) and at image borders the sum
// of |terms| of an output (its 3x3 window) can be far smaller than the tile it is computed from,
// and this relative error has a heavy tail (seen up to 4e-2 for F6 on 1-channel groups).
// The numbers are the stated bound of kernels/conv_choose.c (rb_winograd_error_bound), which AUTO
// obeys: one copy.
static inline double rb_wino_tol(int i) { return rb_winograd_error_bound(2 * i + 2, 4); }

// A SIMD kernel against the ref kernel on the same layers: two results each within rb_wino_tol of
// the exact one are within twice that of each other.
static inline double rb_wino_tol_vs_ref(int i) { return 2 * rb_wino_tol(i); }

// Any shape: relative to the Winograd magnitude of each output element, |AT| (sum over channels
// of (|G| |g| |GT|) .* (|BT| |d| |B|)) |A| + |bias| + |residual| for the m x m tile holding it
// (tests/test_winograd.c, wino_mag), which bounds the rounding error up to a factor
// ~(K + 4 alpha) u whatever the data. Measured worst over 6000 random shapes: ~2.1e-7 (~3.6 u)
// for every m (the growth with m is inside the magnitude); the bound is ~5x that.
static inline double rb_wino_tol_wmag(int i) {
  static const double tol[RB_WINO_COUNT] = {1e-6, 1e-6, 1e-6};
  return tol[i];
}

static inline rb_conv_algo rb_wino_algo(int i) {
  return i == RB_WINO_F2 ? RB_CONV_WINOGRAD_F2 : i == RB_WINO_F4 ? RB_CONV_WINOGRAD_F4 : RB_CONV_WINOGRAD_F6;
}

#endif
