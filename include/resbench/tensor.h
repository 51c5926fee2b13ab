// Activations: float32 NHWC, 64-byte aligned.
#ifndef RESBENCH_TENSOR_H
#define RESBENCH_TENSOR_H

#include <stddef.h>
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RB_ALIGN 64

typedef struct rb_tensor {
  float *data;  // n*h*w*c floats, data[((i*h + y)*w + x)*c + ch]
  int n, h, w, c;
} rb_tensor;

// 64-byte aligned; the size is rounded up to a multiple of 64 bytes. NULL when bytes == 0 or out of memory.
void *rb_aligned_alloc(size_t bytes);
void rb_aligned_free(void *p);

// Sizes must be >= 1; on failure t is zeroed.
rb_status rb_tensor_alloc(rb_tensor *t, int n, int h, int w, int c);
void rb_tensor_free(rb_tensor *t);
size_t rb_tensor_count(const rb_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
