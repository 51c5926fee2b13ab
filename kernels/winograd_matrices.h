// The matrices of Winograd F(m x m, 3x3), m = 2, 4, 6, as compile-time constants: one definition,
// read by kernels/winograd.c (rb_winograd_matrices) and by the per-ISA transforms generated from
// them (kernels/wino_transforms.h), where the compiler folds the zeros and ones away.
#ifndef RESBENCH_KERNELS_WINOGRAD_MATRICES_H
#define RESBENCH_KERNELS_WINOGRAD_MATRICES_H

#include <math.h>

// Matrices from the Cook-Toom construction, transposed for correlation (Lavin & Gray 2016):
// correlation is the transpose of polynomial multiplication, so with V the alpha x alpha
// Vandermonde matrix of the points (row j = p_j^0..p_j^(alpha-1); the inf row picks the leading
// coefficient): AT[i][j] = p_j^i, G row j = [1, p_j, p_j^2] / f_j, BT = diag(f) V^-T, where
// f_j = prod_{l != j} (p_j - p_l) over the finite points (sign of f_0 made positive, f_inf = 1).
// The scaling by f keeps BT small and exact; AT and BT are exact in float, G is rounded only
// where 1/f_j is not a dyadic rational. Derived in exact rationals and checked in
// tests/test_winograd.c against the points and against direct correlation.

// F(2,3): points 0, 1, -1, inf. Exactly Lavin & Gray's matrices (they take f_inf = -1).
static const double rb_wm_f2_points[4] = {0, 1, -1, INFINITY};
static const double rb_wm_f2_AT[2 * 4] = {
    1, 1, 1, 0,
    0, 1, -1, -1,
};
static const double rb_wm_f2_G[4 * 3] = {
    1, 0, 0,
    1.0 / 2, 1.0 / 2, 1.0 / 2,
    1.0 / 2, -1.0 / 2, 1.0 / 2,
    0, 0, 1,
};
static const double rb_wm_f2_BT[4 * 4] = {
    1, 0, -1, 0,
    0, 1, 1, 0,
    0, -1, 1, 0,
    0, 1, 0, -1,
};

// F(4,3): points 0, 1, -1, 2, -2, inf. Exactly Lavin & Gray's matrices.
static const double rb_wm_f4_points[6] = {0, 1, -1, 2, -2, INFINITY};
static const double rb_wm_f4_AT[4 * 6] = {
    1, 1, 1, 1, 1, 0,
    0, 1, -1, 2, -2, 0,
    0, 1, 1, 4, 4, 0,
    0, 1, -1, 8, -8, 1,
};
static const double rb_wm_f4_G[6 * 3] = {
    1.0 / 4, 0, 0,
    -1.0 / 6, -1.0 / 6, -1.0 / 6,
    -1.0 / 6, 1.0 / 6, -1.0 / 6,
    1.0 / 24, 1.0 / 12, 1.0 / 6,
    1.0 / 24, -1.0 / 12, 1.0 / 6,
    0, 0, 1,
};
static const double rb_wm_f4_BT[6 * 6] = {
    4, 0, -5, 0, 1, 0,
    0, -4, -4, 1, 1, 0,
    0, 4, -4, -1, 1, 0,
    0, -2, -1, 2, 1, 0,
    0, 2, -1, -2, 1, 0,
    0, 4, 0, -5, 0, 1,
};

// F(6,3): points 0, 1, -1, 2, -2, 1/2, -1/2, inf (the common wincnn matrices).
static const double rb_wm_f6_points[8] = {0, 1, -1, 2, -2, 0.5, -0.5, INFINITY};
static const double rb_wm_f6_AT[6 * 8] = {
    1, 1, 1, 1, 1, 1, 1, 0,
    0, 1, -1, 2, -2, 1.0 / 2, -1.0 / 2, 0,
    0, 1, 1, 4, 4, 1.0 / 4, 1.0 / 4, 0,
    0, 1, -1, 8, -8, 1.0 / 8, -1.0 / 8, 0,
    0, 1, 1, 16, 16, 1.0 / 16, 1.0 / 16, 0,
    0, 1, -1, 32, -32, 1.0 / 32, -1.0 / 32, 1,
};
static const double rb_wm_f6_G[8 * 3] = {
    1, 0, 0,
    -2.0 / 9, -2.0 / 9, -2.0 / 9,
    -2.0 / 9, 2.0 / 9, -2.0 / 9,
    1.0 / 90, 1.0 / 45, 2.0 / 45,
    1.0 / 90, -1.0 / 45, 2.0 / 45,
    32.0 / 45, 16.0 / 45, 8.0 / 45,
    32.0 / 45, -16.0 / 45, 8.0 / 45,
    0, 0, 1,
};
static const double rb_wm_f6_BT[8 * 8] = {
    1, 0, -21.0 / 4, 0, 21.0 / 4, 0, -1, 0,
    0, 1, 1, -17.0 / 4, -17.0 / 4, 1, 1, 0,
    0, -1, 1, 17.0 / 4, -17.0 / 4, -1, 1, 0,
    0, 1.0 / 2, 1.0 / 4, -5.0 / 2, -5.0 / 4, 2, 1, 0,
    0, -1.0 / 2, 1.0 / 4, 5.0 / 2, -5.0 / 4, -2, 1, 0,
    0, 2, 4, -5.0 / 2, -5, 1.0 / 2, 1, 0,
    0, -2, 4, 5.0 / 2, -5, -1.0 / 2, 1, 0,
    0, -1, 0, 21.0 / 4, 0, -21.0 / 4, 0, 1,
};

#endif
