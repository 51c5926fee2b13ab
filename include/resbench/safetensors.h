// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"},
// then the raw little-endian data. Read and written with jansson; only F32 tensors are loaded.
// The data is copied byte for byte: a little-endian host is assumed (x86-64 and aarch64 are).
#ifndef RESBENCH_SAFETENSORS_H
#define RESBENCH_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RB_ST_MAX_RANK 8

typedef struct rb_st_tensor {
  const char *name;
  char dtype[8];          // "F32", "F64", "I64", ... as in the file
  int rank;
  int64_t shape[RB_ST_MAX_RANK];
  size_t count;           // product of shape
  const float *data;      // F32 tensors only (64-byte aligned copy), else NULL
} rb_st_tensor;

typedef struct rb_st_file rb_st_file;

// Reads and validates the whole file: header length within the file (and <= 100 MB), JSON well
// formed (no duplicate names), every entry with a known dtype, a shape (rank <= RB_ST_MAX_RANK),
// offsets inside the data area and matching dtype x shape, no overlaps, __metadata__ values
// strings. Unused bytes between or after tensors are tolerated. RB_ERR_IO / RB_ERR_FORMAT with
// the path and what is wrong. Tensors are listed in name order.
rb_status rb_st_open(const char *path, rb_st_file **f);
void rb_st_close(rb_st_file *f);
size_t rb_st_count(const rb_st_file *f);
const rb_st_tensor *rb_st_at(const rb_st_file *f, size_t i);
// NULL when absent (no error recorded).
const rb_st_tensor *rb_st_find(const rb_st_file *f, const char *name);
// An F32 tensor with exactly this shape; RB_ERR_NOT_FOUND, RB_ERR_FORMAT (dtype) or RB_ERR_SHAPE
// (naming the key, the expected and the actual shape).
rb_status rb_st_get_f32(const rb_st_file *f, const char *name, int rank, const int64_t *shape,
                        const float **data);
// A "__metadata__" value (the format allows only strings), or NULL when absent (no error recorded).
const char *rb_st_metadata(const rb_st_file *f, const char *key);

// Writing: collect F32 tensors (data is copied), then write atomically (temporary file in the
// same directory, fsync, rename), so a failed write never leaves a half-written file: RB_ERR_IO
// and the temporary file removed. Header keys sorted, data in the same order, the header padded
// with spaces to a multiple of 8 bytes (as the reference writer does); files are mode 0644.
typedef struct rb_st_writer rb_st_writer;
rb_status rb_st_writer_create(rb_st_writer **w);
rb_status rb_st_writer_add_f32(rb_st_writer *w, const char *name, int rank, const int64_t *shape,
                               const float *data);
// A "__metadata__" string; setting a key again replaces its value.
rb_status rb_st_writer_set_metadata(rb_st_writer *w, const char *key, const char *value);
rb_status rb_st_writer_save(const rb_st_writer *w, const char *path);
void rb_st_writer_destroy(rb_st_writer *w);

#ifdef __cplusplus
}
#endif
#endif
