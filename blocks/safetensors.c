// safetensors reader and writer (format: https://github.com/huggingface/safetensors, README
// "Format"). The header is parsed and written with jansson; everything else is byte copies.
#include "resbench/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resbench/fileio.h"
#include "resbench/tensor.h"

// Tensor data is memcpy'd as is: the file is little-endian, so the host must be too.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "blocks/safetensors.c assumes a little-endian host (x86-64, aarch64)"
#endif

// The reference implementation's limit; a larger header is a corrupt length field.
#define ST_MAX_HEADER 100000000u

struct rb_st_file {
  char *path;
  size_t count;
  rb_st_tensor *tensors;  // sorted by name
  float *f32;             // one aligned block holding every F32 tensor, each 64-byte aligned
  json_t *metadata;       // "__metadata__" object, or NULL
};

typedef struct st_dtype {
  const char *name;
  size_t size;
} st_dtype;

// The byte-sized dtypes of the format (the sub-byte F4/F6 ones are not accepted).
static const st_dtype dtypes[] = {
    {"F64", 8}, {"F32", 4},     {"F16", 2},     {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
    {"I8", 1},  {"U64", 8},     {"U32", 4},     {"U16", 2},  {"U8", 1},  {"BOOL", 1},
    {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1},
};

static const st_dtype *dtype_find(const char *s) {
  for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
    if (strcmp(dtypes[i].name, s) == 0) return &dtypes[i];
  return NULL;
}

static const char *json_kind(const json_t *j) {
  switch (json_typeof(j)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
  }
  return "value";
}

// "[64, 3, 7, 7]" ("[]" for a scalar); truncated with "..." when buf is short.
static const char *shape_str(int rank, const int64_t *shape, char *buf, size_t len) {
  size_t pos = 0;
  int w = snprintf(buf, len, "[");
  for (int i = 0; i < rank && w >= 0; i++) {
    pos += (size_t)w;
    if (pos >= len) break;
    w = snprintf(buf + pos, len - pos, "%s%" PRId64, i ? ", " : "", shape[i]);
  }
  if (w >= 0) pos += (size_t)w;
  if (pos < len) snprintf(buf + pos, len - pos, "]");
  else if (len >= 4) memcpy(buf + len - 4, "...", 4);
  return buf;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const rb_st_tensor *)a)->name, ((const rb_st_tensor *)b)->name);
}

// ---- reading ----

#define FORMAT_FAIL(fmt, ...) rb_fail(RB_ERR_FORMAT, "%s: " fmt, path, __VA_ARGS__)

// The 8-byte header length of a len-byte file.
static rb_status check_length(const char *path, const unsigned char *buf, uint64_t len, uint64_t *hlen) {
  if (len < 8) return FORMAT_FAIL("file is %" PRIu64 " bytes, shorter than the 8-byte header length", len);
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | buf[i];
  if (n > len) return FORMAT_FAIL("header length %" PRIu64 " exceeds file size %" PRIu64, n, len);
  if (n > len - 8)
    return FORMAT_FAIL("header length %" PRIu64 " plus the 8-byte length field exceeds file size %" PRIu64, n, len);
  if (n > ST_MAX_HEADER) return FORMAT_FAIL("header length %" PRIu64 " exceeds the limit of %u", n, ST_MAX_HEADER);
  if (n == 0) return FORMAT_FAIL("header length is 0%s", "");
  *hlen = n;
  return RB_OK;
}

// One tensor's byte range in the data area, for the overlap check.
typedef struct st_span {
  uint64_t begin, end;
  rb_st_tensor *t;
} st_span;

static int by_begin(const void *a, const void *b) {
  const st_span *x = a, *y = b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

// Validates one header entry and fills t (name not set); begin/end: its byte range.
static rb_status parse_entry(const char *path, const char *key, json_t *v, uint64_t data_len,
                             rb_st_tensor *t, uint64_t *begin, uint64_t *end) {
  if (!json_is_object(v)) return FORMAT_FAIL("tensor '%s' is a JSON %s, not an object", key, json_kind(v));

  json_t *jd = json_object_get(v, "dtype");
  if (!jd) return FORMAT_FAIL("tensor '%s' has no dtype", key);
  if (!json_is_string(jd)) return FORMAT_FAIL("tensor '%s': dtype is a JSON %s, not a string", key, json_kind(jd));
  const st_dtype *dt = dtype_find(json_string_value(jd));
  if (!dt) return FORMAT_FAIL("tensor '%s': unknown dtype '%s'", key, json_string_value(jd));
  snprintf(t->dtype, sizeof t->dtype, "%s", dt->name);

  json_t *js = json_object_get(v, "shape");
  if (!js) return FORMAT_FAIL("tensor '%s' has no shape", key);
  if (!json_is_array(js)) return FORMAT_FAIL("tensor '%s': shape is a JSON %s, not an array", key, json_kind(js));
  size_t rank = json_array_size(js);
  if (rank > RB_ST_MAX_RANK)
    return FORMAT_FAIL("tensor '%s': shape has rank %zu, more than %d", key, rank, RB_ST_MAX_RANK);
  t->rank = (int)rank;
  int has_zero = 0;
  for (size_t i = 0; i < rank; i++) {
    json_t *e = json_array_get(js, i);
    if (!json_is_integer(e))
      return FORMAT_FAIL("tensor '%s': shape[%zu] is a JSON %s, not an integer", key, i, json_kind(e));
    json_int_t d = json_integer_value(e);
    if (d < 0) return FORMAT_FAIL("tensor '%s': shape[%zu] = %" JSON_INTEGER_FORMAT " is negative", key, i, d);
    t->shape[i] = (int64_t)d;
    has_zero |= d == 0;
  }
  char sbuf[160];
  shape_str(t->rank, t->shape, sbuf, sizeof sbuf);
  uint64_t count = has_zero ? 0 : 1;
  for (size_t i = 0; i < rank && count; i++) {
    if (count > UINT64_MAX / (uint64_t)t->shape[i] || count * (uint64_t)t->shape[i] > SIZE_MAX / dt->size)
      return FORMAT_FAIL("tensor '%s': shape %s has too many elements", key, sbuf);
    count *= (uint64_t)t->shape[i];
  }
  t->count = (size_t)count;

  json_t *jo = json_object_get(v, "data_offsets");
  if (!jo) return FORMAT_FAIL("tensor '%s' has no data_offsets", key);
  json_t *jb = json_array_get(jo, 0), *je = json_array_get(jo, 1);
  if (!json_is_array(jo) || json_array_size(jo) != 2 || !json_is_integer(jb) || !json_is_integer(je) ||
      json_integer_value(jb) < 0 || json_integer_value(je) < 0)
    return FORMAT_FAIL("tensor '%s': data_offsets must be [begin, end], two non-negative integers", key);
  uint64_t b = (uint64_t)json_integer_value(jb), e = (uint64_t)json_integer_value(je);
  if (b > e) return FORMAT_FAIL("tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] begin after end", key, b, e);
  if (e > data_len)
    return FORMAT_FAIL("tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] outside the %" PRIu64 "-byte data area",
                       key, b, e, data_len);
  size_t bytes = t->count * dt->size;
  if (e - b != bytes)
    return FORMAT_FAIL("tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] do not match %s %s (%zu bytes)", key,
                       b, e, dt->name, sbuf, bytes);
  *begin = b;
  *end = e;
  return RB_OK;
}

static rb_status check_metadata(const char *path, json_t *meta) {
  if (json_is_null(meta)) return RB_OK;
  if (!json_is_object(meta))
    return FORMAT_FAIL("__metadata__ is a JSON %s, not an object of strings", json_kind(meta));
  const char *k;
  json_t *v;
  json_object_foreach(meta, k, v) {
    if (!json_is_string(v))
      return FORMAT_FAIL("__metadata__ '%s' is a JSON %s, not a string", k, json_kind(v));
  }
  return RB_OK;
}

// Parses and validates the header (n bytes, already read); then reads only the F32 tensors from fd,
// at offsets checked against the data area of data_len bytes after the header.
static rb_status parse_file(const char *path, int fd, const char *header, uint64_t n, uint64_t data_len,
                            rb_st_file *f) {
  json_error_t jerr;
  json_t *root = json_loadb(header, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (!root)
    return FORMAT_FAIL("header is not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
  rb_status s = RB_OK;
  st_span *spans = NULL;
  if (!json_is_object(root)) {
    s = FORMAT_FAIL("header is a JSON %s, not an object", json_kind(root));
    goto done;
  }

  size_t count = json_object_size(root);
  json_t *meta = json_object_get(root, "__metadata__");
  if (meta) {
    if ((s = check_metadata(path, meta)) != RB_OK) goto done;
    count--;
    if (json_is_object(meta)) f->metadata = json_incref(meta);
  }
  f->tensors = calloc(count ? count : 1, sizeof *f->tensors);
  spans = calloc(count ? count : 1, sizeof *spans);
  if (!f->tensors || !spans) {
    s = rb_fail(RB_ERR_NOMEM, "%s: out of memory for %zu tensors", path, count);
    goto done;
  }

  size_t i = 0, f32_bytes = 0;
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    if (strcmp(key, "__metadata__") == 0) continue;
    rb_st_tensor *t = &f->tensors[i];
    if ((s = parse_entry(path, key, v, data_len, t, &spans[i].begin, &spans[i].end)) != RB_OK) goto done;
    if (!(t->name = strdup(key))) {
      s = rb_fail(RB_ERR_NOMEM, "%s: out of memory", path);
      goto done;
    }
    spans[i].t = t;
    f->count = ++i;
    if (strcmp(t->dtype, "F32") == 0) f32_bytes += (t->count * sizeof(float) + RB_ALIGN - 1) / RB_ALIGN * RB_ALIGN;
  }

  // Overlaps: sorted by begin, each non-empty range must start at or after the furthest end so far.
  qsort(spans, count, sizeof *spans, by_begin);
  const st_span *far = NULL;
  for (size_t j = 0; j < count; j++) {
    if (spans[j].begin == spans[j].end) continue;
    if (far && spans[j].begin < far->end) {
      s = FORMAT_FAIL("tensors '%s' [%" PRIu64 ", %" PRIu64 "] and '%s' [%" PRIu64 ", %" PRIu64 "] overlap",
                      far->t->name, far->begin, far->end, spans[j].t->name, spans[j].begin, spans[j].end);
      goto done;
    }
    if (!far || spans[j].end > far->end) far = &spans[j];
  }

  // F32 data: one aligned block (never NULL, so empty tensors get a valid pointer too).
  if (!(f->f32 = rb_aligned_alloc(f32_bytes + RB_ALIGN))) {
    s = rb_fail(RB_ERR_NOMEM, "%s: out of memory for %zu bytes of F32 data", path, f32_bytes);
    goto done;
  }
  for (size_t j = 0, off = 0; j < count; j++) {
    rb_st_tensor *t = spans[j].t;
    if (strcmp(t->dtype, "F32") != 0) continue;
    float *dst = f->f32 + off / sizeof(float);
    if ((s = rb_file_pread(path, fd, dst, t->count * sizeof(float), 8 + n + spans[j].begin)) != RB_OK) goto done;
    t->data = dst;
    off += (t->count * sizeof(float) + RB_ALIGN - 1) / RB_ALIGN * RB_ALIGN;
  }
  qsort(f->tensors, count, sizeof *f->tensors, by_name);

done:
  free(spans);
  json_decref(root);
  return s;
}

rb_status rb_st_open(const char *path, rb_st_file **out) {
  if (!out) return rb_fail(RB_ERR_NULL, "rb_st_open: f is NULL");
  *out = NULL;
  if (!path) return rb_fail(RB_ERR_NULL, "rb_st_open: path is NULL");
  // The length field and the header first: a file that is not safetensors is refused before any of
  // its (possibly huge) rest is read.
  int fd;
  uint64_t size, hlen = 0;
  rb_status s = rb_file_open_read(path, &fd, &size);
  if (s != RB_OK) return s;
  unsigned char len8[8];
  char *header = NULL;
  rb_st_file *f = NULL;
  if ((s = rb_file_pread(path, fd, len8, size < 8 ? (size_t)size : 8, 0)) != RB_OK ||
      (s = check_length(path, len8, size, &hlen)) != RB_OK)
    goto out;
  if (!(header = malloc((size_t)hlen))) {
    s = rb_fail(RB_ERR_NOMEM, "%s: out of memory for a %" PRIu64 "-byte header", path, hlen);
    goto out;
  }
  if ((s = rb_file_pread(path, fd, header, (size_t)hlen, 8)) != RB_OK) goto out;
  if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
    s = rb_fail(RB_ERR_NOMEM, "%s: out of memory", path);
    goto out;
  }
  s = parse_file(path, fd, header, hlen, size - 8 - hlen, f);
out:
  free(header);
  close(fd);
  if (s != RB_OK) {
    rb_st_close(f);
    return s;
  }
  *out = f;
  return RB_OK;
}

void rb_st_close(rb_st_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->count; i++) free((char *)f->tensors[i].name);
  free(f->tensors);
  rb_aligned_free(f->f32);
  json_decref(f->metadata);
  free(f->path);
  free(f);
}

size_t rb_st_count(const rb_st_file *f) { return f ? f->count : 0; }

const rb_st_tensor *rb_st_at(const rb_st_file *f, size_t i) {
  return f && i < f->count ? &f->tensors[i] : NULL;
}

const rb_st_tensor *rb_st_find(const rb_st_file *f, const char *name) {
  if (!f || !name || f->count == 0) return NULL;
  rb_st_tensor key = {.name = name};
  return bsearch(&key, f->tensors, f->count, sizeof key, by_name);
}

rb_status rb_st_get_f32(const rb_st_file *f, const char *name, int rank, const int64_t *shape,
                        const float **data) {
  if (!f || !name || !data || (rank > 0 && !shape))
    return rb_fail(RB_ERR_NULL, "rb_st_get_f32: NULL argument");
  *data = NULL;
  if (rank < 0 || rank > RB_ST_MAX_RANK)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_st_get_f32: rank %d outside [0, %d]", rank, RB_ST_MAX_RANK);
  const rb_st_tensor *t = rb_st_find(f, name);
  if (!t) return rb_fail(RB_ERR_NOT_FOUND, "%s: no tensor '%s'", f->path, name);
  if (strcmp(t->dtype, "F32") != 0)
    return rb_fail(RB_ERR_FORMAT, "%s: tensor '%s' is %s, not F32", f->path, name, t->dtype);
  int same = t->rank == rank;
  for (int i = 0; same && i < rank; i++) same = t->shape[i] == shape[i];
  if (!same) {
    char want[160], got[160];
    return rb_fail(RB_ERR_SHAPE, "%s: tensor '%s' has shape %s, expected %s", f->path, name,
                   shape_str(t->rank, t->shape, got, sizeof got), shape_str(rank, shape, want, sizeof want));
  }
  *data = t->data;
  return RB_OK;
}

const char *rb_st_metadata(const rb_st_file *f, const char *key) {
  if (!f || !key || !f->metadata) return NULL;
  return json_string_value(json_object_get(f->metadata, key));
}

// ---- writing ----

typedef struct st_entry {
  char *name;
  int rank;
  int64_t shape[RB_ST_MAX_RANK];
  size_t count;
  float *data;
} st_entry;

struct rb_st_writer {
  st_entry *e;
  size_t n, cap;
  json_t *metadata;
};

rb_status rb_st_writer_create(rb_st_writer **w) {
  if (!w) return rb_fail(RB_ERR_NULL, "rb_st_writer_create: w is NULL");
  *w = calloc(1, sizeof **w);
  if (!*w || !((*w)->metadata = json_object())) {
    free(*w);
    *w = NULL;
    return rb_fail(RB_ERR_NOMEM, "rb_st_writer_create: out of memory");
  }
  return RB_OK;
}

void rb_st_writer_destroy(rb_st_writer *w) {
  if (!w) return;
  for (size_t i = 0; i < w->n; i++) {
    free(w->e[i].name);
    free(w->e[i].data);
  }
  free(w->e);
  json_decref(w->metadata);
  free(w);
}

// jansson keeps keys and strings as UTF-8 and refuses anything else.
static int valid_utf8(const char *s) {
  json_t *j = json_string(s);
  json_decref(j);
  return j != NULL;
}

rb_status rb_st_writer_add_f32(rb_st_writer *w, const char *name, int rank, const int64_t *shape,
                               const float *data) {
  if (!w || !name) return rb_fail(RB_ERR_NULL, "rb_st_writer_add_f32: NULL writer or name");
  if (!*name) return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: empty tensor name");
  if (strcmp(name, "__metadata__") == 0)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: '__metadata__' is reserved, not a tensor name");
  if (!valid_utf8(name)) return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: tensor name is not UTF-8");
  for (size_t i = 0; i < w->n; i++)
    if (strcmp(w->e[i].name, name) == 0)
      return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: tensor '%s' was already added", name);
  if (rank < 0 || rank > RB_ST_MAX_RANK)
    return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: tensor '%s': rank %d outside [0, %d]", name, rank,
                   RB_ST_MAX_RANK);
  if (rank > 0 && !shape) return rb_fail(RB_ERR_NULL, "rb_st_writer_add_f32: tensor '%s': shape is NULL", name);
  size_t count = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0)
      return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: tensor '%s': shape[%d] = %" PRId64 " is negative",
                     name, i, shape[i]);
    if (shape[i] != 0 && count > SIZE_MAX / sizeof(float) / 2 / (uint64_t)shape[i])
      return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_add_f32: tensor '%s' is too large", name);
    count *= (size_t)shape[i];
  }
  if (count > 0 && !data) return rb_fail(RB_ERR_NULL, "rb_st_writer_add_f32: tensor '%s': data is NULL", name);
  if (w->n == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 16;
    st_entry *e = realloc(w->e, cap * sizeof *e);
    if (!e) return rb_fail(RB_ERR_NOMEM, "rb_st_writer_add_f32: out of memory");
    w->e = e;
    w->cap = cap;
  }
  st_entry *e = &w->e[w->n];
  memset(e, 0, sizeof *e);
  e->name = strdup(name);
  e->data = malloc(count ? count * sizeof(float) : 1);
  if (!e->name || !e->data) {
    free(e->name);
    free(e->data);
    return rb_fail(RB_ERR_NOMEM, "rb_st_writer_add_f32: out of memory for tensor '%s'", name);
  }
  if (count) memcpy(e->data, data, count * sizeof(float));
  e->rank = rank;
  for (int i = 0; i < rank; i++) e->shape[i] = shape[i];
  e->count = count;
  w->n++;
  return RB_OK;
}

rb_status rb_st_writer_set_metadata(rb_st_writer *w, const char *key, const char *value) {
  if (!w || !key || !value) return rb_fail(RB_ERR_NULL, "rb_st_writer_set_metadata: NULL argument");
  json_t *v = json_string(value);
  if (!v || !valid_utf8(key)) {
    json_decref(v);
    return rb_fail(RB_ERR_INVALID_ARG, "rb_st_writer_set_metadata: key or value of '%s' is not UTF-8", key);
  }
  if (json_object_set_new(w->metadata, key, v) != 0)
    return rb_fail(RB_ERR_NOMEM, "rb_st_writer_set_metadata: out of memory");
  return RB_OK;
}

static int by_entry_name(const void *a, const void *b) {
  return strcmp((*(const st_entry *const *)a)->name, (*(const st_entry *const *)b)->name);
}

// The JSON header, padded with spaces to a multiple of 8 bytes (as the reference writer does,
// so the data starts 8-byte aligned). Entries in name order, data in the same order.
static json_t *header_entry(const st_entry *e, uint64_t begin, uint64_t end) {
  json_t *t = json_object(), *shape = json_array(), *offs = json_array();
  int bad = !t || !shape || !offs;
  for (int d = 0; d < e->rank && !bad; d++) bad = json_array_append_new(shape, json_integer(e->shape[d]));
  if (!bad) bad = json_array_append_new(offs, json_integer((json_int_t)begin)) ||
                  json_array_append_new(offs, json_integer((json_int_t)end));
  // json_*_set_new takes the reference even when it fails.
  if (!bad) bad = json_object_set_new(t, "dtype", json_string("F32"));
  if (!bad) bad = json_object_set_new(t, "shape", shape), shape = NULL;
  if (!bad) bad = json_object_set_new(t, "data_offsets", offs), offs = NULL;
  json_decref(shape);
  json_decref(offs);
  if (bad) {
    json_decref(t);
    return NULL;
  }
  return t;
}

static rb_status build_header(const rb_st_writer *w, const st_entry *const *order, char **out, size_t *len) {
  json_t *root = json_object();
  int bad = !root;
  if (!bad && json_object_size(w->metadata) > 0) bad = json_object_set(root, "__metadata__", w->metadata);
  uint64_t off = 0;
  for (size_t i = 0; i < w->n && !bad; i++) {
    uint64_t end = off + order[i]->count * sizeof(float);
    bad = json_object_set_new(root, order[i]->name, header_entry(order[i], off, end));
    off = end;
  }
  char *s = bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(root);
  if (!s) return rb_fail(RB_ERR_NOMEM, "rb_st_writer_save: out of memory for the header");
  size_t n = strlen(s), padded = (n + 7) / 8 * 8;
  char *p = realloc(s, padded + 1);
  if (!p) {
    free(s);
    return rb_fail(RB_ERR_NOMEM, "rb_st_writer_save: out of memory for the header");
  }
  memset(p + n, ' ', padded - n);
  p[padded] = '\0';
  *out = p;
  *len = padded;
  return RB_OK;
}

rb_status rb_st_writer_save(const rb_st_writer *w, const char *path) {
  if (!w || !path) return rb_fail(RB_ERR_NULL, "rb_st_writer_save: NULL writer or path");
  if (!*path) return rb_fail(RB_ERR_IO, "rb_st_writer_save: empty path");
  const st_entry **order = malloc((w->n ? w->n : 1) * sizeof *order);
  if (!order) return rb_fail(RB_ERR_NOMEM, "rb_st_writer_save: out of memory");
  for (size_t i = 0; i < w->n; i++) order[i] = &w->e[i];
  qsort(order, w->n, sizeof *order, by_entry_name);
  char *header = NULL;
  size_t hlen = 0;
  rb_status s = build_header(w, order, &header, &hlen);
  if (s != RB_OK) {
    free(order);
    return s;
  }

  // Length, header, then the data in header order: written atomically (resbench/fileio.h).
  unsigned char len8[8];
  for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
  rb_file_part *parts = malloc((w->n + 2) * sizeof *parts);
  if (!parts) {
    s = rb_fail(RB_ERR_NOMEM, "rb_st_writer_save: out of memory");
  } else {
    parts[0] = (rb_file_part){len8, 8}, parts[1] = (rb_file_part){header, hlen};
    for (size_t i = 0; i < w->n; i++) parts[i + 2] = (rb_file_part){order[i]->data, order[i]->count * sizeof(float)};
    s = rb_file_save_parts(path, parts, w->n + 2, 0, NULL);
    free(parts);
  }
  free(order);
  free(header);
  return s;
}
