// compare, table, plot, merge: outputs from committed result files (tests/fixtures/report/,
// trimmed from real runs) checked against exact expected files and against figures recomputed
// here from the fixtures; the readers' errors on missing, empty, corrupt and mismatched files.
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conditions.h"
#include "report.h"
#include "results.h"
#include "shard.h"
#include "sweep.h"
#include "testutil.h"

static char tmpdir[64];
static char out[1 << 17];

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/rb_report_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { tu_rm_rf(tmpdir); }

static const char *fx(const char *file) {
  static char buf[8][256];
  static int i;
  char rel[128];
  snprintf(rel, sizeof rel, "report/%s", file);
  return tu_fixture_path(rel, buf[i++ % 8], sizeof buf[0]);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static json_t *load(const char *path) {
  json_error_t e;
  json_t *d = json_load_file(path, 0, &e);
  ck_assert_msg(d != NULL, "%s: %s", path, e.text);
  return d;
}

START_TEST(number_words) {
  char b[64];
  ck_assert_str_eq(rb_fmt_grouped(11689512, 0, b, sizeof b), "11,689,512");
  ck_assert_str_eq(rb_fmt_grouped(2426.757, 2, b, sizeof b), "2,426.76");
  ck_assert_str_eq(rb_fmt_grouped(-1234.5, 1, b, sizeof b), "-1,234.5");
  ck_assert_str_eq(rb_fmt_grouped(999, 0, b, sizeof b), "999");
  ck_assert_str_eq(rb_fmt_grouped(999.96, 1, b, sizeof b), "1,000.0");
  ck_assert_str_eq(rb_fmt_sig2(0.0143, b, sizeof b), "0.014");
  ck_assert_str_eq(rb_fmt_sig2(1.93, b, sizeof b), "1.9");
  ck_assert_str_eq(rb_fmt_sig2(70.1, b, sizeof b), "70");
  ck_assert_str_eq(rb_fmt_sig2(143, b, sizeof b), "140");
  ck_assert_str_eq(rb_fmt_sig2(9.96, b, sizeof b), "10");
  ck_assert_str_eq(rb_fmt_sig2(1234567, b, sizeof b), "1,200,000");
  // 0.01x used to mean "70 times slower": now it says so.
  ck_assert_str_eq(rb_fmt_speed(2426.757, 34.289, b, sizeof b), "71x slower");
  ck_assert_str_eq(rb_fmt_speed(34.289, 2426.757, b, sizeof b), "71x faster");
  ck_assert_str_eq(rb_fmt_speed(1.0, 1.001, b, sizeof b), "same speed");
  ck_assert_str_eq(rb_fmt_speed(1.0, 1.5, b, sizeof b), "1.5x faster");
  const double v[] = {2, 8};
  ck_assert_double_eq_tol(rb_geomean(v, 2), 4, 1e-12);
  ck_assert(isnan(rb_geomean(v, 0)));
}
END_TEST

static const char *table_args(char *buf, size_t len, const char *fmt) {
  snprintf(buf, len, "table %s %s %s --published %s --format %s", fx("sweep_a.json"), fx("bench_conv.json"),
           fx("check.jsonl"), fx("published.json"), fmt);
  return buf;
}

// The table of the committed result files equals the committed expected output, in each format.
START_TEST(table_matches_expected) {
  static const char *const fmts[] = {"md", "csv", "latex"}, *const files[] = {"table.md", "table.csv", "table.tex"};
  for (int i = 0; i < 3; i++) {
    char args[1024];
    ck_assert_int_eq(tu_run_cli(table_args(args, sizeof args, fmts[i]), out, sizeof out), 0);
    char *want = tu_slurp(fx(files[i]), NULL);
    if (strcmp(out, want)) {
      char got[300];
      snprintf(got, sizeof got, "%s/%s", tmpdir, files[i]);
      write_file(got, out);
      ck_abort_msg("resbench %s differs from %s (output kept in %s: diff them)", args, fx(files[i]), got);
    }
    free(want);
  }
}
END_TEST

// The ResNeSt table's "blocks ms" is the four stage-entry blocks' medians summed, per image.
START_TEST(table_blocks_sum_independent) {
  json_t *d = load(fx("sweep_a.json"));
  double sum = 0;
  int n = 0;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(d, "points"), i, p) {
    if (json_integer_value(json_object_get(p, "radix")) != 1 || strcmp(rb_jstr(p, "domain"), "core")) continue;
    sum += rb_jnum(p, "median_ms") / rb_jnum(p, "batch");
    n++;
  }
  json_decref(d);
  ck_assert_int_eq(n, 4);
  char args[1024], want[128], g[32];
  ck_assert_int_eq(tu_run_cli(table_args(args, sizeof args, "csv"), out, sizeof out), 0);
  snprintf(want, sizeof want, "1s1x64d,26.3,4.34,80.33 [5],26.22,4.329,%.2f,-", sum);
  ck_assert_msg(strstr(out, want), "no '%s' in:\n%s", want, out);
  ck_assert_int_eq(tu_run_cli(table_args(args, sizeof args, "md"), out, sizeof out), 0);
  snprintf(want, sizeof want, "| 1s1x64d | 26.3 | 4.34 | 80.33 [5] | 26.22 | 4.329 | %s |",
           rb_fmt_grouped(sum, 2, g, sizeof g));
  ck_assert_msg(strstr(out, want), "no '%s' in:\n%s", want, out);
  // The real data file loads and gives the sourced figures.
  ck_assert_int_eq(tu_run_cli_env("", "table --section cost --published results/published.json tests/fixtures/report/sweep_a.json", out,
                                  sizeof out),
                   0);
  ck_assert_msg(strstr(out, "| resnet50 | 25.56 | 4.089 | 23.90 | [1] |"), "%s", out);
}
END_TEST

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

// compare --json: each ratio is OTHER/BASE of the same point (by key), the group's geomean theirs.
START_TEST(compare_two_files) {
  char args[2048];
  snprintf(args, sizeof args, "compare --json %s %s", fx("sweep_b.json"), fx("sweep_a.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  json_t *got = json_loads(out, 0, NULL);
  ck_assert_msg(got != NULL, "not JSON: %s", out);
  json_t *a = load(fx("sweep_b.json")), *b = load(fx("sweep_a.json"));
  double want[64], have[64], logsum = 0;
  int n = 0;
  size_t i, j;
  json_t *p, *q;
  json_array_foreach(json_object_get(b, "points"), i, p) {
    json_array_foreach(json_object_get(a, "points"), j, q) {
      if (strcmp(rb_jstr(p, "key"), rb_jstr(q, "key"))) continue;
      want[n] = rb_jnum(p, "median_ms") / rb_jnum(q, "median_ms");
      logsum += log(want[n]);
      n++;
    }
  }
  ck_assert_int_eq(n, 16);
  const json_t *cmp = json_array_get(json_object_get(got, "comparisons"), 0);
  const json_t *pts = json_object_get(cmp, "points");
  ck_assert_int_eq(json_array_size(pts), 16);
  json_array_foreach(pts, i, p) {
    have[i] = rb_jnum(p, "time_ratio");
    ck_assert_msg(strstr(rb_jstr(p, "settings_differ"), "build 5940fab-dirty vs 3afe065-dirty"), "%s",
                  rb_jstr(p, "settings_differ"));
  }
  qsort(want, 16, sizeof *want, cmp_double);
  qsort(have, 16, sizeof *have, cmp_double);
  for (int k = 0; k < 16; k++) ck_assert_double_eq_tol(have[k], want[k], 1e-12);
  const json_t *g = json_array_get(json_object_get(cmp, "groups"), 0);
  ck_assert_str_eq(rb_jstr(g, "group"), "resnest block");
  ck_assert_double_eq_tol(rb_jnum(g, "time_ratio_geomean"), exp(logsum / n), 1e-12);
  ck_assert_int_eq(json_array_size(json_object_get(cmp, "only_in_base")), 0);
  json_decref(got), json_decref(a), json_decref(b);
  // Text: worded speed, and the base named.
  snprintf(args, sizeof args, "compare %s %s", fx("sweep_b.json"), fx("sweep_a.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  ck_assert_msg(strstr(out, "x slower |") && strstr(out, "| resnest block | 16 |"), "%s", out);
  // Nothing in common: exit 1, said.
  snprintf(args, sizeof args, "compare %s %s/nomatch.json", fx("sweep_b.json"), tmpdir);
  json_t *other = load(fx("sweep_a.json"));
  json_array_foreach(json_object_get(other, "points"), i, p) json_object_set_new(p, "res", json_integer(160));
  char path[128];
  snprintf(path, sizeof path, "%s/nomatch.json", tmpdir);
  ck_assert_int_eq(json_dump_file(other, path, 0), 0);
  json_decref(other);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 1);
  ck_assert_msg(strstr(out, "no point of") && strstr(out, "16 point(s) only in this file"), "%s", out);
}
END_TEST

static int gnuplot_runs(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

// PNG signature, then the IHDR chunk with the terminal's 900 x 600.
static void assert_png(const char *path) {
  size_t n;
  unsigned char *s = (unsigned char *)tu_slurp(path, &n);
  ck_assert_msg(n > 2000, "%s: only %zu bytes", path, n);
  ck_assert_msg(memcmp(s, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: not a PNG", path);
  ck_assert_msg(memcmp(s + 12, "IHDR", 4) == 0, "%s: no IHDR first", path);
  const unsigned w = (unsigned)s[16] << 24 | s[17] << 16 | s[18] << 8 | s[19];
  const unsigned h = (unsigned)s[20] << 24 | s[21] << 16 | s[22] << 8 | s[23];
  ck_assert_msg(w == 900 && h == 600, "%s: %ux%u", path, w, h);
  ck_assert_msg(memcmp(s + n - 8, "IEND", 4) == 0, "%s: does not end with IEND", path);
  free(s);
}

START_TEST(plot_writes_pngs) {
  if (!gnuplot_runs()) {
#if defined(__aarch64__)
    fputs("note: skipping plot_writes_pngs: gnuplot cannot run here\n", stderr);
    return;
#else
    ck_abort_msg("gnuplot is missing: tools/install-deps installs gnuplot-nox");
#endif
  }
  char args[1024], dir[128], path[256];
  snprintf(dir, sizeof dir, "%s/plots", tmpdir);
  snprintf(args, sizeof args, "plot %s %s %s --out %s", fx("sweep_b.json"), fx("sweep_a.json"), fx("bench_conv.json"),
           dir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  static const char *const made[] = {"radix", "roofline-ref-core", "peers-conv-ref-core", "scaling", "cost"};
  for (int i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "%s/%s.png", dir, made[i]);
    assert_png(path);
  }
  ck_assert_msg(strstr(out, "no cardinality.png"), "%s", out);  // no ResNeXt widths in these files
  snprintf(path, sizeof path, "%s/cardinality.png", dir);
  ck_assert_int_ne(access(path, F_OK), 0);
  // radix.dat: radix 1, core, from the later file: 1000 / (its four blocks' ms per image).
  json_t *a = load(fx("sweep_a.json"));
  double sum = 0;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(a, "points"), i, p) if (rb_jnum(p, "radix") == 1 &&
                                                               !strcmp(rb_jstr(p, "domain"), "core")) sum +=
      rb_jnum(p, "median_ms");
  json_decref(a);
  snprintf(path, sizeof path, "%s/radix.dat", dir);
  char *dat = tu_slurp(path, NULL), want[64];
  snprintf(want, sizeof want, "\n1 %.9g ", 1e3 / sum);
  ck_assert_msg(strstr(dat, want), "no '%s' in %s:\n%s", want, path, dat);
  free(dat);
  // A gnuplot that is not there is a clear error.
  snprintf(args, sizeof args, "plot %s --out %s --gnuplot /nonexistent/gnuplot", fx("sweep_a.json"), dir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 1);
  ck_assert_msg(strstr(out, "cannot run '/nonexistent/gnuplot'") && strstr(out, "gnuplot-nox"), "%s", out);
}
END_TEST

// Loader errors name the file and the value.
START_TEST(bad_files) {
  char path[128];
  rb_doc d;
  snprintf(path, sizeof path, "%s/absent.json", tmpdir);
  ASSERT_FAILS(rb_doc_load(path, &d), RB_ERR_IO, "absent.json");
  snprintf(path, sizeof path, "%s/empty.json", tmpdir);
  write_file(path, "");
  ASSERT_FAILS(rb_doc_load(path, &d), RB_ERR_FORMAT, "empty.json: empty file");
  static const struct {
    const char *text, *needle;
  } bad[] = {
      {"{\"kind\": \"sweep\", \"points\": [1,", "bad.json:1"},
      {"[1, 2]", "bad.json: not a JSON object"},
      {"{\"points\": []}", "no \"kind\""},
      {"{\"kind\": \"info\", \"context\": {}, \"points\": []}", "unknown kind 'info'"},
      {"{\"kind\": \"sweep\", \"points\": [{}]}", "no \"context\""},
      {"{\"kind\": \"sweep\", \"context\": {}, \"points\": []}", "no points"},
      {"{\"kind\": \"sweep\", \"context\": {}, \"points\": [{\"isa\": \"ref\", \"domain\": \"core\", \"median_ms\": 1},"
       " {\"key\": \"k2\", \"isa\": \"ref\", \"domain\": \"core\"}]}",
       "point 2 (k2): \"median_ms\""},
      {"{\"kind\": \"sweep\", \"context\": {}, \"points\": [{\"isa\": 1, \"domain\": \"core\", \"median_ms\": 1}]}",
       "\"isa\" is missing or not a string"},
      {"{\"kind\": \"sweep\", \"shards\": [{\"context\": {}}], \"points\": [{\"isa\": \"ref\", \"domain\": \"core\", "
       "\"median_ms\": 1, \"shard\": 1}]}",
       "\"shard\" must index the 1 shards"},
  };
  snprintf(path, sizeof path, "%s/bad.json", tmpdir);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_file(path, bad[i].text);
    ASSERT_FAILS(rb_doc_load(path, &d), RB_ERR_FORMAT, bad[i].needle);
    ck_assert_ptr_null(d.doc);
  }
  // check --json rows
  json_t *rows;
  snprintf(path, sizeof path, "%s/check.jsonl", tmpdir);
  write_file(path, "\n");
  ASSERT_FAILS(rb_check_rows_load(path, &rows), RB_ERR_FORMAT, "check.jsonl: no check rows");
  write_file(path, "{\"kernel\": \"k\", \"isa\": \"ref\", \"against\": \"fp64\", \"shape\": \"s\", \"max_rel_err\": 1e-7, "
                   "\"tol\": 1e-6, \"pass\": true}\n{\"kernel\": \"k\", \"isa\": \"ref\", \"against\": \"fp64\", "
                   "\"shape\": \"s\", \"max_rel_err\": 1e-7, \"tol\": 1e-6}\n");
  ASSERT_FAILS(rb_check_rows_load(path, &rows), RB_ERR_FORMAT, "check.jsonl:2: check row without a boolean \"pass\"");
  write_file(path, "{\"kernel\": \"k\", \"isa\": \"ref\", \"against\": \"fp64\", \"shape\": \"s\", \"max_rel_err\": 1e-7, "
                   "\"tol\": 1e-6, \"pass\": true}\n{\"kernel\": \"k\", \"isa\"\n");
  ASSERT_FAILS(rb_check_rows_load(path, &rows), RB_ERR_FORMAT, "check.jsonl:2: not a check row");
  // The commands: exit 2 and the file named.
  char args[2048];
  snprintf(args, sizeof args, "compare %s %s", fx("sweep_a.json"), fx("bench_conv.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "bench_conv.json a bench-conv one") && strstr(out, "of one kind"), "%s", out);
  snprintf(args, sizeof args, "table %s/empty.json --published %s", tmpdir, fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "empty.json: empty file"), "%s", out);
  snprintf(args, sizeof args, "table %s --published %s/none.json", fx("sweep_a.json"), tmpdir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "none.json"), "%s", out);
  snprintf(args, sizeof args, "table %s --format xml", fx("sweep_a.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "unknown format 'xml'"), "%s", out);
  snprintf(args, sizeof args, "plot %s", fx("sweep_a.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "--out DIR"), "%s", out);
  // A tool's JSON (no resbench "kind") beside the documents: an error, or skipped with
  // --skip-foreign (as `make report` reads a results directory the tools also write into).
  snprintf(path, sizeof path, "%s/torch-vs-resbench.json", tmpdir);
  write_file(path, "{\"kind\": \"torch-vs-resbench\", \"models\": []}");
  snprintf(args, sizeof args, "table %s %s --published %s --section cost", fx("sweep_a.json"), path, fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "unknown kind 'torch-vs-resbench'"), "%s", out);
  snprintf(args, sizeof args, "table --skip-foreign %s %s --published %s --section cost", fx("sweep_a.json"), path,
           fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  ck_assert_msg(strstr(out, "torch-vs-resbench.json: not a resbench result document") && strstr(out, "| resnet50 |"),
                "%s", out);
  // An object with no kind is skipped too; JSON that is no object stays an error.
  char nokind[512], list[512];
  snprintf(nokind, sizeof nokind, "%s/nokind.json", tmpdir);
  write_file(nokind, "{\"models\": []}");
  snprintf(list, sizeof list, "%s/list.json", tmpdir);
  write_file(list, "[1, 2]");
  snprintf(args, sizeof args, "table --skip-foreign %s %s --published %s --section cost", nokind, fx("sweep_a.json"),
           fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  ck_assert_msg(strstr(out, "nokind.json: not a resbench result document") && strstr(out, "| resnet50 |"), "%s", out);
  snprintf(args, sizeof args, "table --skip-foreign %s --published %s", list, fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "list.json: not a JSON object"), "%s", out);
  snprintf(args, sizeof args, "table --skip-foreign %s/empty.json --published %s", tmpdir, fx("published.json"));
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);  // not JSON at all: still an error
  ck_assert_msg(strstr(out, "empty.json: empty file"), "%s", out);
  snprintf(args, sizeof args, "plot --skip-foreign %s %s --out %s/plots-skip --gnuplot /nonexistent/gnuplot",
           fx("sweep_a.json"), path, tmpdir);
  tu_run_cli(args, out, sizeof out);
  ck_assert_msg(strstr(out, "torch-vs-resbench.json: not a resbench result document"), "%s", out);
  // A published figure without a known source is not shown.
  json_t *pub = load(fx("published.json"));
  json_object_set_new(json_array_get(json_object_get(pub, "models"), 0), "source", json_string("hearsay"));
  snprintf(path, sizeof path, "%s/pub.json", tmpdir);
  ck_assert_int_eq(json_dump_file(pub, path, 0), 0);
  json_decref(pub);
  snprintf(args, sizeof args, "table %s --published %s --section cost", fx("sweep_a.json"), path);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  ck_assert_msg(strstr(out, "published models 'resnet50' has no known source: not shown"), "%s", out);
  ck_assert_msg(strstr(out, "| resnet50 | 25.56 | 4.089 | - | - |"), "%s", out);
}
END_TEST

static const char grid_args[] = "--family resnet,se --depth 18,50 --level block --res 32 --domains core --isa ref --quick";

// N shard runs merged give exactly the unsharded grid's points, each once, each shard's context kept.
START_TEST(merge_shards) {
  char args[2048], res[128], files[3][300];
  snprintf(res, sizeof res, "%s/res", tmpdir);
  for (int k = 1; k <= 3; k++) {
    char sub[160];
    snprintf(sub, sizeof sub, "%s/%d", res, k);
    snprintf(args, sizeof args, "sweep %s --shard %d/3 --results %s", grid_args, k, sub);
    ck_assert_msg(tu_run_cli(args, out, sizeof out) == 0, "%s: %s", args, out);
    char dir[400];
    ck_assert_int_eq(rb_results_dir(sub, dir, sizeof dir), RB_OK);
    char **paths;
    int n;
    ck_assert_int_eq(rb_results_list(dir, "sweep-", &paths, &n), RB_OK);
    ck_assert_int_eq(n, 1);
    snprintf(files[k - 1], sizeof files[0], "%s", paths[0]);
    rb_results_list_free(paths, n);
  }
  char merged[200];
  snprintf(merged, sizeof merged, "%s/merged.json", tmpdir);
  snprintf(args, sizeof args, "merge %s %s %s --out %s", files[2], files[0], files[1], merged);
  ck_assert_msg(tu_run_cli(args, out, sizeof out) == 0, "%s", out);
  // The unsharded grid, expanded here.
  rb_sweep_grid g;
  rb_sweep_grid_defaults(&g);
  const char *opts[][2] = {{"family", "resnet,se"}, {"depth", "18,50"}, {"level", "block"}, {"res", "32"}, {"domains", "core"},
                           {"isa", "ref"}};
  for (int i = 0; i < 6; i++) ck_assert_int_eq(rb_sweep_grid_set(&g, opts[i][0], opts[i][1]), RB_OK);
  rb_sweep_point *pts;
  int n;
  ck_assert_int_eq(rb_sweep_expand(&g, &pts, &n, NULL, 0), RB_OK);
  ck_assert_int_eq(n, 16);
  json_t *m = load(merged);
  const json_t *points = json_object_get(m, "points");
  ck_assert_int_eq(json_array_size(points), (size_t)n);
  for (int i = 0; i < n; i++) {
    const json_t *p = json_array_get(points, (size_t)i);
    ck_assert_str_eq(rb_jstr(p, "key"), pts[i].key);
    ck_assert_int_eq(json_integer_value(json_object_get(p, "shard")), i % 3);
  }
  free(pts);
  ck_assert_int_eq(json_array_size(json_object_get(m, "shards")), 3);
  ck_assert_ptr_null(json_object_get(json_object_get(m, "grid"), "shard"));
  for (int k = 0; k < 3; k++) {
    const json_t *s = json_array_get(json_object_get(m, "shards"), (size_t)k);
    char want[16];
    snprintf(want, sizeof want, "%d/3", k + 1);
    ck_assert_str_eq(rb_jstr(s, "shard"), want);
    ck_assert(json_is_string(json_object_get(json_object_get(s, "context"), "host")));
    ck_assert_int_ge(json_array_size(json_object_get(s, "peaks")), 1);
  }
  // The merged document reads like any other: compare it with shard 1 alone.
  snprintf(args, sizeof args, "compare --json %s %s", merged, files[0]);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  json_decref(m);

  // Refused: a missing shard, a shard twice, another grid, an unfinished shard, a stray point.
  snprintf(args, sizeof args, "merge %s %s --out %s/x.json", files[0], files[1], tmpdir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "shard 3/3 is missing"), "%s", out);
  snprintf(args, sizeof args, "merge %s %s %s %s --out %s/x.json", files[0], files[1], files[2], files[1], tmpdir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "shard 2/3 given twice"), "%s", out);
  char edited[200];
  snprintf(edited, sizeof edited, "%s/edited.json", tmpdir);
  json_t *d = load(files[1]);
  json_object_set_new(json_object_get(d, "grid"), "res", json_integer(64));
  ck_assert_int_eq(json_dump_file(d, edited, 0), 0);
  json_decref(d);
  snprintf(args, sizeof args, "merge %s %s %s --out %s/x.json", files[0], edited, files[2], tmpdir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "edited.json: another grid"), "%s", out);
  d = load(files[1]);
  json_array_remove(json_object_get(d, "points"), 0);
  ck_assert_int_eq(json_dump_file(d, edited, 0), 0);
  json_decref(d);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "1 of the grid's 16 points are missing") && strstr(out, "--shard 2/3 --resume"), "%s", out);
  d = load(files[1]);
  json_t *s1 = load(files[0]);
  json_array_append(json_object_get(d, "points"), json_array_get(json_object_get(s1, "points"), 0));
  ck_assert_int_eq(json_dump_file(d, edited, 0), 0);
  json_decref(d), json_decref(s1);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 2);
  ck_assert_msg(strstr(out, "belongs to shard 1/3, not 2/3"), "%s", out);
  ck_assert_int_ne(access(tmpdir, F_OK), -1);
  snprintf(args, sizeof args, "%s/x.json", tmpdir);
  ck_assert_int_ne(access(args, F_OK), 0);  // nothing written on refusal
}
END_TEST

START_TEST(shard_parse_and_filter) {
  int k, n;
  ck_assert_int_eq(rb_shard_parse("2/4", &k, &n), RB_OK);
  ck_assert(k == 2 && n == 4);
  static const char *const bad[] = {"0/3", "4/3", "a/b", "1/3x", "1", "-1/3", "/3", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) ASSERT_FAILS(rb_shard_parse(bad[i], &k, &n), RB_ERR_INVALID_ARG, "--shard");
  rb_sweep_point p[7];
  for (int i = 0; i < 7; i++) p[i].batch = i;
  int count = 7;
  rb_shard_filter(p, &count, 2, 3);
  ck_assert_int_eq(count, 2);
  ck_assert(p[0].batch == 1 && p[1].batch == 4);
  ck_assert_int_eq(tu_run_cli("sweep --shard 0/2", out, sizeof out), 2);
  ck_assert_msg(strstr(out, "--shard: '0/2'"), "%s", out);
}
END_TEST

// Accuracy rows: grouped per kernel, ISA and reference; a row repeated by a later file counts once.
START_TEST(table_accuracy_groups) {
  char path[128], args[512];
  snprintf(path, sizeof path, "%s/check.jsonl", tmpdir);
  const char *row = "{\"kernel\": \"k\", \"isa\": \"ref\", \"against\": \"fp64\", \"shape\": \"%s\", "
                    "\"max_rel_err\": %s, \"tol\": 1e-6, \"pass\": %s}\n";
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, row, "s1", "1e-7", "true");
  fprintf(f, row, "s2", "4e-7", "true");
  fprintf(f, row, "s1", "2e-6", "false");  // s1 again, worse: the later one counts
  fclose(f);
  // Only the published tables need the published figures.
  snprintf(args, sizeof args, "table %s --section accuracy --published %s/none.json", path, tmpdir);
  ck_assert_int_eq(tu_run_cli(args, out, sizeof out), 0);
  ck_assert_msg(strstr(out, "| k | ref | fp64 | 2 | 2.000e-06 | 1.000e-06 | 2.000 | 1/2 |"), "%s", out);
}
END_TEST

START_TEST(conditions_warnings) {
  char w[256];
  json_t *c = json_pack("{s:[f, f, f]}", "loadavg", 1.2, 0.5, 0.1);
  ck_assert_int_eq(rb_conditions_busy(c, 2, w, sizeof w), 1);  // 0.6 per CPU
  ck_assert_msg(strstr(w, "load average 1.20 on 2 logical CPU(s)"), "%s", w);
  ck_assert_int_eq(rb_conditions_busy(c, 4, w, sizeof w), 0);  // 0.3 per CPU
  json_decref(c);
  json_t *p = json_pack("{s:f, s:f, s:f, s:f}", "median_ms", 10.0, "min_ms", 8.9, "onednn_median_ms", 2.0,
                        "onednn_min_ms", 1.9);
  ck_assert_int_eq(rb_point_noisy(p, "", w, sizeof w), 1);
  ck_assert_msg(strstr(w, "11 % below the median"), "%s", w);
  ck_assert_int_eq(rb_point_noisy(p, "onednn_", w, sizeof w), 0);  // 5 %
  json_decref(p);
  json_t *now = rb_conditions_now();
  ck_assert(json_is_array(json_object_get(now, "loadavg")));  // Linux always has /proc/loadavg
  json_decref(now);
}
END_TEST

Suite *report_suite(void) {
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("report");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, number_words);
  tcase_add_test(tc, table_matches_expected);
  tcase_add_test(tc, table_blocks_sum_independent);
  tcase_add_test(tc, compare_two_files);
  tcase_add_test(tc, plot_writes_pngs);
  tcase_add_test(tc, bad_files);
  tcase_add_test(tc, merge_shards);
  tcase_add_test(tc, shard_parse_and_filter);
  tcase_add_test(tc, conditions_warnings);
  tcase_add_test(tc, table_accuracy_groups);
  suite_add_tcase(s, tc);
  return s;
}
