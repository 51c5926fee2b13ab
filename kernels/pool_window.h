// The window of a pooling output along one axis, with PyTorch's semantics (padding, ceil mode):
// one copy for ref (kernels/ref/pool.c) and the SIMD template (kernels/eltwise_template.h).
#ifndef RESBENCH_KERNELS_POOL_WINDOW_H
#define RESBENCH_KERNELS_POOL_WINDOW_H

// The window of output o, in input coordinates: [*lo, *hi) clipped to the input, and the length
// of the window clipped only to the padded input (PyTorch's pool_size, which in ceil mode can be
// shorter than the kernel).
static inline int rb_pool_window(int o, int k, int s, int pad, int size, int *lo, int *hi) {
  const int start = o * s - pad;
  const int end = start + k < size + pad ? start + k : size + pad;
  *lo = start > 0 ? start : 0;
  *hi = end < size ? end : size;
  return end - start;
}

#endif
