// Winograd F(m x m, 3x3), m = 2, 4, 6: the 1-D transform matrices and the 1-D transforms (shared
// math, kernels/winograd.c): ref's kernels are built from them, the engine's per-ISA transforms
// are generated from the same matrices, and tests check each one against its explicit matrix. A 2-D transform is the 1-D one applied to every column, then every row.
#ifndef RESBENCH_KERNELS_WINOGRAD_H
#define RESBENCH_KERNELS_WINOGRAD_H

#include <stddef.h>


// Input tile size alpha = m + 2 of F(m,3), or 0 when m is not 2, 4 or 6.
int rb_winograd_alpha(int m);

// Row-major matrices of F(m,3): AT [m][alpha], G [alpha][3], BT [alpha][alpha], such that
// AT ((G g) .* (BT d)) is the correlation y[i] = sum_k g[k] d[i+k] (i < m) of a length-alpha d.
// Returns alpha, or 0 (and NULLs) for an unsupported m. Points are listed in winograd_matrices.h.
int rb_winograd_matrices(int m, const double **AT, const double **G, const double **BT);

// The interpolation points of F(m,3) in the order of the columns of AT (the last is infinity,
// returned as INFINITY). Returns the count (alpha), or 0.
int rb_winograd_points(int m, const double **points);

// 1-D transforms on strided vectors (x[0], x[xs], x[2 xs], ...).
// Input and output transforms run in float (every entry of BT and AT is exact in float);
// the weight transform runs in double at plan time and is rounded to float once, by the caller.
void rb_winograd_input_1d(int m, const float *d, ptrdiff_t ds, float *v, ptrdiff_t vs);     // v = BT d
void rb_winograd_weight_1d(int m, const double *g, ptrdiff_t gs, double *u, ptrdiff_t us);  // u = G g
void rb_winograd_output_1d(int m, const float *t, ptrdiff_t ts, float *y, ptrdiff_t ys);    // y = AT t

#endif
