#include "resbench/tensor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *rb_aligned_alloc(size_t bytes) {
  if (bytes == 0 || bytes > SIZE_MAX - RB_ALIGN) return NULL;
  // aligned_alloc wants a size that is a multiple of the alignment.
  return aligned_alloc(RB_ALIGN, (bytes + RB_ALIGN - 1) / RB_ALIGN * RB_ALIGN);
}

void rb_aligned_free(void *p) { free(p); }

rb_status rb_tensor_alloc(rb_tensor *t, int n, int h, int w, int c) {
  if (!t) return rb_fail(RB_ERR_NULL, "rb_tensor_alloc: tensor is NULL");
  memset(t, 0, sizeof *t);
  if (n < 1 || h < 1 || w < 1 || c < 1)
    return rb_fail(RB_ERR_INVALID_ARG, "tensor sizes must be >= 1, got n=%d h=%d w=%d c=%d", n, h, w, c);
  size_t count = (size_t)n * (size_t)h * (size_t)w * (size_t)c;
  if (count > SIZE_MAX / sizeof(float) / 2)
    return rb_fail(RB_ERR_INVALID_ARG, "tensor %dx%dx%dx%d is too large", n, h, w, c);
  t->data = rb_aligned_alloc(count * sizeof(float));
  if (!t->data) return rb_fail(RB_ERR_NOMEM, "out of memory for a %dx%dx%dx%d tensor", n, h, w, c);
  t->n = n, t->h = h, t->w = w, t->c = c;
  return RB_OK;
}

void rb_tensor_free(rb_tensor *t) {
  if (!t) return;
  rb_aligned_free(t->data);
  memset(t, 0, sizeof *t);
}

size_t rb_tensor_count(const rb_tensor *t) { return (size_t)t->n * t->h * t->w * t->c; }
