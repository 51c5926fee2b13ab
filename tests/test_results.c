// Result records: atomic save/load, directory naming, context keys, listing.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"
#include "testutil.h"

static char tmpdir[64];

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/rb_results_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { tu_rm_rf(tmpdir); }

static json_t *sample_doc(void) {
  return json_pack("{s:s, s:[{s:s, s:f, s:i, s:n}], s:{s:b}}", "kind", "sweep", "points", "key", "resnet50/b1",
                   "median_ms", 12.5, "runs", 7, "model", "grid", "resume", 1);
}

START_TEST(round_trip) {
  char path[128];
  snprintf(path, sizeof path, "%s/sweep-20260101T000000Z.json", tmpdir);
  json_t *doc = sample_doc(), *back = NULL;
  ck_assert_int_eq(rb_json_save_atomic(doc, path), RB_OK);
  ck_assert_int_eq(rb_json_load(path, &back), RB_OK);
  ck_assert(json_equal(doc, back));
  // Overwriting replaces the content.
  json_object_set_new(doc, "kind", json_string("info"));
  ck_assert_int_eq(rb_json_save_atomic(doc, path), RB_OK);
  json_decref(back);
  ck_assert_int_eq(rb_json_load(path, &back), RB_OK);
  ck_assert_str_eq(json_string_value(json_object_get(back, "kind")), "info");
  ck_assert_int_eq(tu_count_entries(tmpdir, ".json."), 0);  // no temporary file left
  ck_assert_int_eq(tu_count_entries(tmpdir, ""), 1);
  json_decref(doc);
  json_decref(back);
}
END_TEST

START_TEST(failed_save_keeps_target) {
  // Target is a non-empty directory: rename fails even as root.
  char target[128], inner[160];
  snprintf(target, sizeof target, "%s/kept.json", tmpdir);
  ck_assert_int_eq(mkdir(target, 0777), 0);
  snprintf(inner, sizeof inner, "%s/old.json", target);
  json_t *old = json_pack("{s:i}", "old", 1), *doc = sample_doc(), *back = NULL;
  ck_assert_int_eq(rb_json_save_atomic(old, inner), RB_OK);
  ASSERT_FAILS(rb_json_save_atomic(doc, target), RB_ERR_IO, "kept.json");
  ck_assert_int_eq(tu_count_entries(tmpdir, "kept.json."), 0);
  ck_assert_int_eq(rb_json_load(inner, &back), RB_OK);
  ck_assert(json_equal(old, back));
  // Missing directory: error names the path, nothing created.
  char missing[160];
  snprintf(missing, sizeof missing, "%s/nodir/x.json", tmpdir);
  ASSERT_FAILS(rb_json_save_atomic(doc, missing), RB_ERR_IO, "nodir/x.json");
  ck_assert_int_eq(tu_count_entries(tmpdir, ""), 1);
  json_decref(old);
  json_decref(doc);
  json_decref(back);
}
END_TEST

START_TEST(load_errors) {
  char path[128];
  snprintf(path, sizeof path, "%s/trunc.json", tmpdir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("{\n  \"kind\": \"sweep\",\n  \"points\": [1, 2", f);
  fclose(f);
  json_t *doc = (json_t *)1;
  ASSERT_FAILS(rb_json_load(path, &doc), RB_ERR_FORMAT, "trunc.json:3");
  ck_assert_ptr_null(doc);
  snprintf(path, sizeof path, "%s/absent.json", tmpdir);
  ASSERT_FAILS(rb_json_load(path, &doc), RB_ERR_IO, "absent.json");
}
END_TEST

START_TEST(dir_naming) {
  char buf[256];
  ck_assert_int_eq(rb_results_dir_for(NULL, "my.host", "AMD EPYC 9R14 96-Core Processor", buf, sizeof buf), RB_OK);
  ck_assert_str_eq(buf, "results/my-host-amd-epyc-9r14-96-core-processor");
  ck_assert_int_eq(rb_results_dir_for("out", "--X__", "  Intel(R) Xeon(R) Platinum 8488C  ", buf, sizeof buf),
                   RB_OK);
  ck_assert_str_eq(buf, "out/x-intel-r-xeon-r-platinum-8488c");
  ck_assert_int_eq(rb_results_dir_for("r", "h", "%%%", buf, sizeof buf), RB_OK);
  ck_assert_str_eq(buf, "r/h-unknown");
  // Long models are cut at 40 characters, without a trailing '-'.
  ck_assert_int_eq(rb_results_dir_for("r", "h", "abcdefghij abcdefghij abcdefghij abcdefg xyz", buf, sizeof buf),
                   RB_OK);
  ck_assert_str_eq(buf, "r/h-abcdefghij-abcdefghij-abcdefghij-abcdefg");
  ASSERT_FAILS(rb_results_dir_for("results", "host", "cpu", buf, 8), RB_ERR_INVALID_ARG, "results/host-cpu");
  ck_assert_int_eq(rb_results_dir(NULL, buf, sizeof buf), RB_OK);
  ck_assert_int_eq(strncmp(buf, "results/", 8), 0);
  for (const char *p = buf + 8; *p; p++)
    ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-', "bad char in %s", buf);
#if defined(__x86_64__)
  // x86: CPU family and model end the name, so two CPUs sold under one model name stay apart.
  const char *tail = strrchr(buf, '-');
  int fam, mod, used = 0;
  ck_assert_msg(tail && sscanf(tail, "-f%dm%d%n", &fam, &mod, &used) == 2 && tail[used] == 0, "%s", buf);
#endif
}
END_TEST

START_TEST(mkdir_p) {
  char dir[160], file[200];
  snprintf(dir, sizeof dir, "%s/a/b/c", tmpdir);
  ck_assert_int_eq(rb_results_mkdir(dir), RB_OK);
  ck_assert_int_eq(rb_results_mkdir(dir), RB_OK);  // exists already: fine
  struct stat sb;
  ck_assert_int_eq(stat(dir, &sb), 0);
  ck_assert(S_ISDIR(sb.st_mode));
  snprintf(file, sizeof file, "%s/file", tmpdir);
  FILE *f = fopen(file, "w");
  fclose(f);
  snprintf(dir, sizeof dir, "%s/file/sub", tmpdir);
  ASSERT_FAILS(rb_results_mkdir(dir), RB_ERR_IO, "/file");
}
END_TEST

static void expect_type(json_t *obj, const char *key, json_type type) {
  json_t *v = json_object_get(obj, key);
  ck_assert_msg(v != NULL, "context lacks '%s'", key);
  ck_assert_msg(json_typeof(v) == type, "context '%s' has type %d, want %d", key, json_typeof(v), type);
}

START_TEST(context_keys) {
  char *argv[] = {"resbench", "sweep", "--grid", "small"};
  json_t *c = rb_results_context(4, argv);
  ck_assert_ptr_nonnull(c);
  expect_type(c, "host", JSON_STRING);
  expect_type(c, "cpu", JSON_OBJECT);
  json_t *cpu = json_object_get(c, "cpu");
  expect_type(cpu, "model", JSON_STRING);
  expect_type(cpu, "flags", JSON_ARRAY);
  expect_type(cpu, "logical_cpus", JSON_INTEGER);
  ck_assert_int_eq(json_integer_value(json_object_get(cpu, "logical_cpus")), sysconf(_SC_NPROCESSORS_ONLN));
  expect_type(c, "isa", JSON_OBJECT);
  json_t *isa = json_object_get(c, "isa");
  expect_type(isa, "available", JSON_ARRAY);
  json_t *avail = json_object_get(isa, "available");
  int nav = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++)
    nav += rb_isa_available((rb_isa)i);
  ck_assert_int_eq((int)json_array_size(avail), nav);
  ck_assert_str_eq(json_string_value(json_array_get(avail, 0)), "ref");
  ck_assert_ptr_nonnull(json_object_get(isa, "default"));
  expect_type(c, "compiler", JSON_OBJECT);
  expect_type(json_object_get(c, "compiler"), "version", JSON_STRING);
  expect_type(json_object_get(c, "compiler"), "flags", JSON_STRING);
  expect_type(c, "libraries", JSON_OBJECT);
  json_t *lib = json_object_get(c, "libraries");
  expect_type(lib, "google_benchmark", JSON_STRING);
  expect_type(lib, "hwloc", JSON_STRING);
  expect_type(lib, "jansson", JSON_STRING);
  ck_assert_str_eq(json_string_value(json_object_get(lib, "jansson")), JANSSON_VERSION);
  ck_assert_int_eq(strncmp(json_string_value(json_object_get(lib, "hwloc")), "2.", 2), 0);
  expect_type(c, "git_revision", JSON_STRING);
  expect_type(c, "date", JSON_STRING);
  const char *date = json_string_value(json_object_get(c, "date"));
  ck_assert_int_eq((int)strlen(date), 20);
  ck_assert(date[4] == '-' && date[10] == 'T' && date[19] == 'Z');
  expect_type(c, "command", JSON_STRING);
  ck_assert_str_eq(json_string_value(json_object_get(c, "command")), "resbench sweep --grid small");
  expect_type(c, "resbench_schema", JSON_INTEGER);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "resbench_schema")), 1);
  json_decref(c);
  char stamp[32];
  rb_results_timestamp(stamp, sizeof stamp);
  ck_assert_int_eq((int)strlen(stamp), 16);
  ck_assert(stamp[8] == 'T' && stamp[15] == 'Z');
}
END_TEST

START_TEST(list_order) {
  const char *names[] = {"sweep-20260102T000000Z.json", "sweep-20251231T235959Z.json", "sweep-20260102T000001Z.json",
                         "info-20270101T000000Z.json", "sweep-20260103T000000Z.xml"};
  for (size_t i = 0; i < 5; i++) {
    char p[200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
    FILE *f = fopen(p, "w");
    fputs("{}", f);
    fclose(f);
  }
  char **paths;
  int n;
  ck_assert_int_eq(rb_results_list(tmpdir, "sweep-", &paths, &n), RB_OK);
  ck_assert_int_eq(n, 3);
  const char *want[] = {"sweep-20260102T000001Z.json", "sweep-20260102T000000Z.json", "sweep-20251231T235959Z.json"};
  for (int i = 0; i < 3; i++) {
    char p[200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, want[i]);
    ck_assert_str_eq(paths[i], p);
  }
  rb_results_list_free(paths, n);
  ck_assert_int_eq(rb_results_list(tmpdir, "", &paths, &n), RB_OK);
  ck_assert_int_eq(n, 4);
  rb_results_list_free(paths, n);
  char missing[160];
  snprintf(missing, sizeof missing, "%s/none", tmpdir);
  ASSERT_FAILS(rb_results_list(missing, "", &paths, &n), RB_ERR_IO, "none");
}
END_TEST

Suite *results_suite(void) {
  Suite *s = suite_create("results");
  TCase *tc = tcase_create("results");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, round_trip);
  tcase_add_test(tc, failed_save_keeps_target);
  tcase_add_test(tc, load_errors);
  tcase_add_test(tc, dir_naming);
  tcase_add_test(tc, mkdir_p);
  tcase_add_test(tc, context_keys);
  tcase_add_test(tc, list_order);
  suite_add_tcase(s, tc);
  return s;
}
