// libFuzzer target: the safetensors reader (rb_st_open and the accessors) on arbitrary files.
#include "fuzz_util.h"  // first: it defines _GNU_SOURCE
#include <math.h>
#include <string.h>

#include "resbench/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rb_st_file *f;
  if (rb_st_open(fuzz_as_file(data, size), &f) != RB_OK) return 0;
  double sum = 0;
  for (size_t i = 0; i < rb_st_count(f); i++) {
    const rb_st_tensor *t = rb_st_at(f, i);
    if (rb_st_find(f, t->name) != t) abort();  // sorted by name, every name found
    size_t count = 1;
    for (int d = 0; d < t->rank; d++) count *= (size_t)t->shape[d];
    if (count != t->count) abort();
    const float *x;
    if (rb_st_get_f32(f, t->name, t->rank, t->shape, &x) == RB_OK) {
      if (!x || strcmp(t->dtype, "F32")) abort();
      for (size_t j = 0; j < t->count; j++) sum += x[j];  // every byte of the copy is readable
    }
  }
  (void)rb_st_metadata(f, "format");
  rb_st_close(f);
  return sum == 12345.678;  // keeps the reads alive
}
