// safetensors reader and writer: a byte-exact round trip, hand-built corrupt files (each must fail
// with its own status and a message naming the bad value) and saves that must leave nothing behind.
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resbench/resbench.h"
#include "testutil.h"

// A base directory made and removed (recursively) by the parent process (unchecked fixture), so
// a test that fails in its forked child still leaves /tmp clean; each test works in its own
// subdirectory (checked fixture), so it can count what it leaves behind.
static char basedir[64], tmpdir[128];

static void rm_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char p[512];
      snprintf(p, sizeof p, "%s/%s", path, e->d_name);
      rm_tree(p);
    }
    closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static void setup_basedir(void) {
  snprintf(basedir, sizeof basedir, "/tmp/resbench-st-XXXXXX");
  ck_assert_msg(mkdtemp(basedir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void teardown_basedir(void) { rm_tree(basedir); }

static void setup_tmpdir(void) {
  snprintf(tmpdir, sizeof tmpdir, "%s/t-XXXXXX", basedir);
  ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void teardown_tmpdir(void) { rm_tree(tmpdir); }

// tmpdir/name in a rotating static buffer (a test needs at most a few at once).
static const char *tpath(const char *name) {
  static char bufs[4][512];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, sizeof bufs[0], "%s/%s", tmpdir, name);
  return b;
}

static size_t dir_entries(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void write_raw(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
  ck_assert_uint_eq(fwrite(p, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

// A safetensors file by hand: 8-byte little-endian header length, header, data bytes.
static const char *write_st(const char *name, const char *header, const void *data, size_t data_len) {
  const char *path = tpath(name);
  size_t hlen = strlen(header);
  unsigned char *buf = malloc(8 + hlen + data_len + 1);
  for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
  memcpy(buf + 8, header, hlen);
  if (data_len) memcpy(buf + 8 + hlen, data, data_len);
  write_raw(path, buf, 8 + hlen + data_len);
  free(buf);
  return path;
}

static unsigned char *read_raw(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc((size_t)n + 1);
  ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return p;
}

// rb_st_open must fail with `status`, leave f NULL, and name the path and `needle`.
#define ASSERT_OPEN_FAILS(path, status, needle)                                                        \
  do {                                                                                                 \
    const char *p_ = (path);                                                                           \
    rb_st_file *f_ = (rb_st_file *)(uintptr_t)1;                                                       \
    rb_status s_ = rb_st_open(p_, &f_);                                                                \
    ck_assert_msg(s_ == (status), "%s: got %s, want %s (%s)", p_, rb_status_name(s_),                  \
                  rb_status_name(status), rb_last_error());                                            \
    ck_assert_ptr_null(f_);                                                                            \
    ck_assert_msg(strstr(rb_last_error(), p_) != NULL, "message '%s' lacks the path", rb_last_error()); \
    ck_assert_msg(strstr(rb_last_error(), (needle)) != NULL, "message '%s' lacks '%s'", rb_last_error(), \
                  (needle));                                                                           \
  } while (0)

// A valid file of `header` + data, opened (asserting success).
static rb_st_file *open_ok(const char *name, const char *header, const void *data, size_t len) {
  rb_st_file *f = NULL;
  const char *path = write_st(name, header, data, len);
  ck_assert_msg(rb_st_open(path, &f) == RB_OK, "%s: %s", path, rb_last_error());
  return f;
}

// ---- round trip ----

START_TEST(round_trip) {
  // Values whose bits must survive exactly: signed zero, subnormal, infinities, a NaN payload.
  float w[4 * 3 * 3 * 3];
  for (int i = 0; i < 108; i++) w[i] = (float)i * 0.37f - 17.0f;
  const uint32_t nan_bits = 0x7fc12345u;
  memcpy(&w[5], &nan_bits, 4);
  w[6] = -0.0f, w[7] = 1e-45f, w[8] = INFINITY, w[9] = -INFINITY;
  const float bias[4] = {1.5f, -2.25f, 3.0f, 0.125f};
  const float scalar = 42.0f;
  const int64_t wshape[4] = {4, 3, 3, 3}, bshape[1] = {4}, eshape[2] = {0, 3};

  rb_st_writer *wr;
  ck_assert_int_eq(rb_st_writer_create(&wr), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(wr, "layer1.0.conv1.weight", 4, wshape, w), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(wr, "bn1.bias", 1, bshape, bias), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(wr, "scale", 0, NULL, &scalar), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(wr, "empty", 2, eshape, NULL), RB_OK);
  ck_assert_int_eq(rb_st_writer_set_metadata(wr, "format", "pt"), RB_OK);
  ck_assert_int_eq(rb_st_writer_set_metadata(wr, "note", "first"), RB_OK);
  ck_assert_int_eq(rb_st_writer_set_metadata(wr, "note", "second"), RB_OK);  // replaces
  const char *path = tpath("model.safetensors");
  ck_assert_msg(rb_st_writer_save(wr, path) == RB_OK, "%s", rb_last_error());
  rb_st_writer_destroy(wr);
  ck_assert_uint_eq(dir_entries(tmpdir), 1);  // no temporary file left behind

  // The layout on disk: header length a multiple of 8 (so the data is 8-byte aligned), JSON
  // object first, data right after the header, in the header's order.
  size_t len;
  unsigned char *raw = read_raw(path, &len);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | raw[i];
  ck_assert_uint_eq(hlen % 8, 0);
  ck_assert_int_eq(raw[8], '{');
  ck_assert_uint_eq(len, 8 + hlen + (108 + 4 + 1) * 4);
  free(raw);

  rb_st_file *f;
  ck_assert_msg(rb_st_open(path, &f) == RB_OK, "%s", rb_last_error());
  ck_assert_uint_eq(rb_st_count(f), 4);
  const char *sorted[4] = {"bn1.bias", "empty", "layer1.0.conv1.weight", "scale"};
  for (size_t i = 0; i < 4; i++) {
    const rb_st_tensor *t = rb_st_at(f, i);
    ck_assert_str_eq(t->name, sorted[i]);
    ck_assert_str_eq(t->dtype, "F32");
    ck_assert_ptr_nonnull(t->data);
    ck_assert_uint_eq((uintptr_t)t->data % RB_ALIGN, 0);
  }
  ck_assert_ptr_null(rb_st_at(f, 4));

  const float *got;
  ck_assert_int_eq(rb_st_get_f32(f, "layer1.0.conv1.weight", 4, wshape, &got), RB_OK);
  ck_assert_int_eq(memcmp(got, w, sizeof w), 0);
  ck_assert_int_eq(rb_st_get_f32(f, "bn1.bias", 1, bshape, &got), RB_OK);
  ck_assert_int_eq(memcmp(got, bias, sizeof bias), 0);
  ck_assert_int_eq(rb_st_get_f32(f, "scale", 0, NULL, &got), RB_OK);
  ck_assert_float_eq(*got, 42.0f);
  ck_assert_int_eq(rb_st_get_f32(f, "empty", 2, eshape, &got), RB_OK);
  const rb_st_tensor *t = rb_st_find(f, "layer1.0.conv1.weight");
  ck_assert_int_eq(t->rank, 4);
  ck_assert_uint_eq(t->count, 108);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(t->shape[i], wshape[i]);
  ck_assert_int_eq(rb_st_find(f, "scale")->rank, 0);
  ck_assert_uint_eq(rb_st_find(f, "scale")->count, 1);
  ck_assert_uint_eq(rb_st_find(f, "empty")->count, 0);
  ck_assert_ptr_null(rb_st_find(f, "missing"));
  ck_assert_str_eq(rb_st_metadata(f, "format"), "pt");
  ck_assert_str_eq(rb_st_metadata(f, "note"), "second");
  ck_assert_ptr_null(rb_st_metadata(f, "absent"));
  rb_st_close(f);

  // Saving again over an existing file replaces it whole.
  ck_assert_int_eq(rb_st_writer_create(&wr), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(wr, "only", 1, bshape, bias), RB_OK);
  ck_assert_int_eq(rb_st_writer_save(wr, path), RB_OK);
  rb_st_writer_destroy(wr);
  ck_assert_int_eq(rb_st_open(path, &f), RB_OK);
  ck_assert_uint_eq(rb_st_count(f), 1);
  ck_assert_ptr_null(rb_st_metadata(f, "format"));  // no __metadata__ written when there is none
  rb_st_close(f);
  ck_assert_uint_eq(dir_entries(tmpdir), 1);
}
END_TEST

// Files other writers produce: other dtypes (not loaded), padding, null metadata, any key order.
START_TEST(foreign_files) {
  const double d[2] = {1.0, -2.0};
  const float v[3] = {1, 2, 3};
  unsigned char data[28];
  memcpy(data, v, 12);
  memcpy(data + 12, d, 16);
  rb_st_file *f = open_ok("foreign.safetensors",
                          "{\"__metadata__\":{\"format\":\"pt\"},\"z\":{\"dtype\":\"F32\",\"shape\":[3],"
                          "\"data_offsets\":[0,12]},\"a\":{\"data_offsets\":[12,28],\"shape\":[1,2],"
                          "\"dtype\":\"F64\"},\"e\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[28,28]}}   ",
                          data, sizeof data);
  ck_assert_uint_eq(rb_st_count(f), 3);
  ck_assert_str_eq(rb_st_at(f, 0)->name, "a");
  ck_assert_str_eq(rb_st_find(f, "a")->dtype, "F64");
  ck_assert_ptr_null(rb_st_find(f, "a")->data);  // only F32 is loaded
  ck_assert_str_eq(rb_st_find(f, "e")->dtype, "BF16");
  const float *got;
  const int64_t s3[1] = {3};
  ck_assert_int_eq(rb_st_get_f32(f, "z", 1, s3, &got), RB_OK);
  ck_assert_int_eq(memcmp(got, v, 12), 0);
  ck_assert_str_eq(rb_st_metadata(f, "format"), "pt");
  rb_st_close(f);

  f = open_ok("nullmeta.safetensors", "{\"__metadata__\":null}", NULL, 0);
  ck_assert_uint_eq(rb_st_count(f), 0);
  ck_assert_ptr_null(rb_st_metadata(f, "format"));
  rb_st_close(f);
}
END_TEST

// ---- corrupt files ----

START_TEST(corrupt_length_field) {
  ASSERT_OPEN_FAILS(write_st("zero.safetensors", "", NULL, 0), RB_ERR_FORMAT, "header length is 0");
  write_raw(tpath("empty.safetensors"), "", 0);
  ASSERT_OPEN_FAILS(tpath("empty.safetensors"), RB_ERR_FORMAT, "file is 0 bytes");
  write_raw(tpath("short.safetensors"), "\x10\0\0\0\0", 5);
  ASSERT_OPEN_FAILS(tpath("short.safetensors"), RB_ERR_FORMAT, "file is 5 bytes");

  // 0x12d687 = 1234567, in a 100-byte file.
  unsigned char buf[100];
  memset(buf, ' ', sizeof buf);
  memcpy(buf, "\x87\xd6\x12\0\0\0\0\0{}", 10);
  write_raw(tpath("long.safetensors"), buf, sizeof buf);
  ASSERT_OPEN_FAILS(tpath("long.safetensors"), RB_ERR_FORMAT, "header length 1234567 exceeds file size 100");
  // Fits in the file, but not after the 8-byte length field.
  buf[0] = 96, buf[1] = buf[2] = 0;
  write_raw(tpath("long2.safetensors"), buf, sizeof buf);
  ASSERT_OPEN_FAILS(tpath("long2.safetensors"), RB_ERR_FORMAT, "header length 96 plus the 8-byte");
  // Huge (2^63): no overflow in the check.
  memcpy(buf, "\0\0\0\0\0\0\0\x80", 8);
  write_raw(tpath("huge.safetensors"), buf, sizeof buf);
  ASSERT_OPEN_FAILS(tpath("huge.safetensors"), RB_ERR_FORMAT, "header length 9223372036854775808");
  // Within the file, but beyond the 100 MB limit: a sparse file, rejected before its data is read.
  const char *big = tpath("big.safetensors");
  FILE *f = fopen(big, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite("\x01\xe1\xf5\x05\0\0\0\0", 1, 8, f), 8);  // 100000001
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_int_eq(truncate(big, 100000100), 0);
  ASSERT_OPEN_FAILS(big, RB_ERR_FORMAT, "header length 100000001 exceeds the limit of 100000000");
}
END_TEST

START_TEST(corrupt_json) {
  ASSERT_OPEN_FAILS(write_st("a", "{\"w\": ", NULL, 0), RB_ERR_FORMAT, "header is not valid JSON");
  ASSERT_OPEN_FAILS(write_st("b", "not json at all", NULL, 0), RB_ERR_FORMAT, "header is not valid JSON");
  ASSERT_OPEN_FAILS(write_st("c", "[1, 2]", NULL, 0), RB_ERR_FORMAT, "header is a JSON array, not an object");
  ASSERT_OPEN_FAILS(write_st("d", "\"w\"", NULL, 0), RB_ERR_FORMAT, "header is a JSON string, not an object");
  ASSERT_OPEN_FAILS(write_st("e", "{\"w\":1}", NULL, 0), RB_ERR_FORMAT, "tensor 'w' is a JSON integer");
  ASSERT_OPEN_FAILS(write_st("f", "{\"__metadata__\":{\"epoch\":3}}", NULL, 0), RB_ERR_FORMAT,
                    "__metadata__ 'epoch' is a JSON integer, not a string");
  ASSERT_OPEN_FAILS(write_st("g", "{\"__metadata__\":[\"x\"]}", NULL, 0), RB_ERR_FORMAT,
                    "__metadata__ is a JSON array");
  // The format forbids duplicate names (which one would win?).
  ASSERT_OPEN_FAILS(write_st("h",
                             "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                             "\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
                             "abcd", 4),
                    RB_ERR_FORMAT, "duplicate");
}
END_TEST

START_TEST(corrupt_entries) {
  const unsigned char z[64] = {0};
  ASSERT_OPEN_FAILS(write_st("a", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", z, 4), RB_ERR_FORMAT,
                    "tensor 'w' has no dtype");
  ASSERT_OPEN_FAILS(write_st("b", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", z, 4), RB_ERR_FORMAT,
                    "tensor 'w' has no shape");
  ASSERT_OPEN_FAILS(write_st("c", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", z, 4), RB_ERR_FORMAT,
                    "tensor 'w' has no data_offsets");
  ASSERT_OPEN_FAILS(write_st("d", "{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", z, 4),
                    RB_ERR_FORMAT, "tensor 'w': unknown dtype 'F31'");
  ASSERT_OPEN_FAILS(write_st("e", "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", z, 4),
                    RB_ERR_FORMAT, "tensor 'w': dtype is a JSON integer");
  ASSERT_OPEN_FAILS(write_st("f", "{\"w\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", z, 16),
                    RB_ERR_FORMAT, "tensor 'w': shape is a JSON integer, not an array");
  ASSERT_OPEN_FAILS(write_st("g", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,4]}}", z, 4),
                    RB_ERR_FORMAT, "shape[1] = -3 is negative");
  ASSERT_OPEN_FAILS(write_st("h", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", z, 8),
                    RB_ERR_FORMAT, "shape[0] is a JSON number, not an integer");
  ASSERT_OPEN_FAILS(
      write_st("i", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", z, 1),
      RB_ERR_FORMAT, "rank 9, more than 8");
  ASSERT_OPEN_FAILS(write_st("j",
                             "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                             "\"data_offsets\":[0,4]}}",
                             z, 4),
                    RB_ERR_FORMAT, "too many elements");
  ASSERT_OPEN_FAILS(write_st("k", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", z, 4),
                    RB_ERR_FORMAT, "data_offsets must be [begin, end]");
  ASSERT_OPEN_FAILS(write_st("l", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", z, 4),
                    RB_ERR_FORMAT, "data_offsets must be [begin, end]");
  ASSERT_OPEN_FAILS(write_st("m", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", z, 8),
                    RB_ERR_FORMAT, "data_offsets [8, 4] begin after end");
}
END_TEST

START_TEST(corrupt_offsets) {
  const unsigned char z[64] = {0};
  // Out of the 16-byte data area.
  ASSERT_OPEN_FAILS(write_st("a", "{\"w\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", z, 16),
                    RB_ERR_FORMAT, "tensor 'w': data_offsets [0, 400] outside the 16-byte data area");
  // Size mismatch: F32 [2, 2] is 16 bytes.
  ASSERT_OPEN_FAILS(write_st("b", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", z, 16),
                    RB_ERR_FORMAT, "tensor 'w': data_offsets [0, 12] do not match F32 [2, 2] (16 bytes)");
  ASSERT_OPEN_FAILS(write_st("c", "{\"w\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,12]}}", z, 24),
                    RB_ERR_FORMAT, "do not match F64 [3] (24 bytes)");
  // Overlapping tensors, listed in either order.
  ASSERT_OPEN_FAILS(write_st("d",
                             "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                             z, 24),
                    RB_ERR_FORMAT, "tensors 'a' [0, 16] and 'b' [8, 24] overlap");
  ASSERT_OPEN_FAILS(write_st("e",
                             "{\"inner\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]},"
                             "\"outer\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]},"
                             "\"after\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[28,32]}}",
                             z, 32),
                    RB_ERR_FORMAT, "tensors 'outer' [0, 32] and 'inner' [20, 22] overlap");
  // Empty tensors take no bytes: they overlap nothing.
  rb_st_file *f = open_ok("f",
                          "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                          "\"b\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[8,8]}}",
                          z, 16);
  rb_st_close(f);
}
END_TEST

// A valid file cut short: the last tensor's data lies beyond the end.
START_TEST(truncated_data) {
  const float v[6] = {1, 2, 3, 4, 5, 6};
  const int64_t s[2] = {2, 3};
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "a", 2, s, v), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "b", 2, s, v), RB_OK);
  const char *path = tpath("full.safetensors");
  ck_assert_int_eq(rb_st_writer_save(w, path), RB_OK);
  rb_st_writer_destroy(w);
  size_t len;
  unsigned char *raw = read_raw(path, &len);
  write_raw(tpath("cut.safetensors"), raw, len - 4);
  ASSERT_OPEN_FAILS(tpath("cut.safetensors"), RB_ERR_FORMAT, "tensor 'b': data_offsets [24, 48] outside the 44-byte");
  // Cut inside the header: no longer valid JSON after the length check.
  write_raw(tpath("cut2.safetensors"), raw, 20);
  ASSERT_OPEN_FAILS(tpath("cut2.safetensors"), RB_ERR_FORMAT, "exceeds file size 20");
  free(raw);
}
END_TEST

START_TEST(io_errors) {
  ASSERT_OPEN_FAILS(tpath("does-not-exist.safetensors"), RB_ERR_IO, strerror(ENOENT));
  ASSERT_OPEN_FAILS(tmpdir, RB_ERR_IO, "not a regular file");
  rb_st_file *f = (rb_st_file *)(uintptr_t)1;
  ASSERT_FAILS(rb_st_open(NULL, &f), RB_ERR_NULL, "path");
  ck_assert_ptr_null(f);
}
END_TEST

// ---- rb_st_get_f32 ----

START_TEST(get_f32_errors) {
  unsigned char data[24 + 24] = {0};
  rb_st_file *f = open_ok("g",
                          "{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                          "\"running_mean\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[24,48]}}",
                          data, sizeof data);
  const float *p = (const float *)data;
  const int64_t want[4] = {64, 3, 7, 7}, s3[1] = {3}, s23[2] = {2, 3};
  ASSERT_FAILS(rb_st_get_f32(f, "fc.weight", 2, s23, &p), RB_ERR_NOT_FOUND, "'fc.weight'");
  ck_assert_ptr_null(p);
  ASSERT_FAILS(rb_st_get_f32(f, "running_mean", 1, s3, &p), RB_ERR_FORMAT, "'running_mean' is F64, not F32");
  ASSERT_FAILS(rb_st_get_f32(f, "conv1.weight", 4, want, &p), RB_ERR_SHAPE, "'conv1.weight' has shape [2, 3]");
  ck_assert_msg(strstr(rb_last_error(), "expected [64, 3, 7, 7]"), "%s", rb_last_error());
  const int64_t s32[2] = {3, 2};
  ASSERT_FAILS(rb_st_get_f32(f, "conv1.weight", 2, s32, &p), RB_ERR_SHAPE, "expected [3, 2]");
  ASSERT_FAILS(rb_st_get_f32(f, "conv1.weight", 0, NULL, &p), RB_ERR_SHAPE, "expected []");
  ASSERT_FAILS(rb_st_get_f32(f, "conv1.weight", 9, want, &p), RB_ERR_INVALID_ARG, "rank 9");
  ASSERT_FAILS(rb_st_get_f32(f, NULL, 2, s23, &p), RB_ERR_NULL, "NULL");
  ck_assert_int_eq(rb_st_get_f32(f, "conv1.weight", 2, s23, &p), RB_OK);
  ck_assert_ptr_nonnull(p);
  rb_st_close(f);
  rb_st_close(NULL);
}
END_TEST

// ---- writer ----

START_TEST(writer_errors) {
  const float v[4] = {0};
  const int64_t s[2] = {2, 2}, neg[2] = {2, -1}, nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "x", 2, s, v), RB_OK);
  ASSERT_FAILS(rb_st_writer_add_f32(w, "x", 2, s, v), RB_ERR_INVALID_ARG, "'x' was already added");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "__metadata__", 2, s, v), RB_ERR_INVALID_ARG, "reserved");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "", 2, s, v), RB_ERR_INVALID_ARG, "empty");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "y", 2, neg, v), RB_ERR_INVALID_ARG, "shape[1] = -1");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "y", 9, nine, v), RB_ERR_INVALID_ARG, "rank 9");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "y", 2, s, NULL), RB_ERR_NULL, "'y': data is NULL");
  ASSERT_FAILS(rb_st_writer_add_f32(w, "\xff\xfe", 2, s, v), RB_ERR_INVALID_ARG, "UTF-8");
  ASSERT_FAILS(rb_st_writer_add_f32(NULL, "y", 2, s, v), RB_ERR_NULL, "NULL");
  ASSERT_FAILS(rb_st_writer_save(w, NULL), RB_ERR_NULL, "NULL");
  rb_st_writer_destroy(w);
  rb_st_writer_destroy(NULL);
}
END_TEST

// A save that cannot complete returns RB_ERR_IO and leaves nothing behind.
START_TEST(failed_save_leaves_nothing) {
  const float v[4] = {1, 2, 3, 4};
  const int64_t s[1] = {4};
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "v", 1, s, v), RB_OK);

  // Into a directory that does not exist.
  const char *nodir = tpath("no/such/dir/out.safetensors");
  ASSERT_FAILS(rb_st_writer_save(w, nodir), RB_ERR_IO, nodir);
  ck_assert_int_ne(access(nodir, F_OK), 0);

  // Onto a path that is a (non-empty) directory: refused before any temporary file is made.
  const char *dir = tpath("adir");
  ck_assert_int_eq(mkdir(dir, 0755), 0);
  write_raw(tpath("adir/keep"), "x", 1);
  ASSERT_FAILS(rb_st_writer_save(w, dir), RB_ERR_IO, "is a directory, not a regular file");
  struct stat st;
  ck_assert_int_eq(stat(dir, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  ck_assert_uint_eq(dir_entries(tmpdir), 1);  // just adir: no temporary file
  ck_assert_uint_eq(dir_entries(dir), 1);

  // A trailing slash names a directory too.
  char slash[600];
  snprintf(slash, sizeof slash, "%s/", dir);
  ASSERT_FAILS(rb_st_writer_save(w, slash), RB_ERR_IO, slash);
  ck_assert_uint_eq(dir_entries(dir), 1);
  ck_assert_uint_eq(dir_entries(tmpdir), 1);

  // A failed save does not disturb an existing destination.
  const char *good = tpath("good.safetensors");
  ck_assert_int_eq(rb_st_writer_save(w, good), RB_OK);
  ck_assert_int_eq(stat(good, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0644);
  rb_st_writer_destroy(w);
}
END_TEST

Suite *safetensors_suite(void) {
  Suite *s = suite_create("safetensors");
  TCase *tc = tcase_create("safetensors");
  tcase_add_unchecked_fixture(tc, setup_basedir, teardown_basedir);
  tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
  tcase_add_test(tc, round_trip);
  tcase_add_test(tc, foreign_files);
  tcase_add_test(tc, corrupt_length_field);
  tcase_add_test(tc, corrupt_json);
  tcase_add_test(tc, corrupt_entries);
  tcase_add_test(tc, corrupt_offsets);
  tcase_add_test(tc, truncated_data);
  tcase_add_test(tc, io_errors);
  tcase_add_test(tc, get_f32_errors);
  tcase_add_test(tc, writer_errors);
  tcase_add_test(tc, failed_save_leaves_nothing);
  suite_add_tcase(s, tc);
  return s;
}
