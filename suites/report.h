// Readers and formatting shared by `resbench compare`, `table`, `plot` and `merge`: result
// documents (schema: results/README.md) and `check --json` rows loaded and validated, points
// matched by configuration, numbers worded for people (digit grouping, speed-ups).
#ifndef RESBENCH_REPORT_H
#define RESBENCH_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "resbench/status.h"

// A result document: sweep, bench-conv, bench-model, or a merged sweep (its "shards" hold each
// shard's context and peaks; each point's "shard" indexes them).
typedef struct rb_doc {
  char path[512];
  json_t *doc;
  const char *kind;  // "sweep", "bench-conv", "bench-model" (points into doc)
} rb_doc;

// Loads and validates path: an object with a known "kind", a "context" object (or, merged, a
// "shards" list of objects with one), a non-empty "points" list of objects each with a string
// "isa" and "domain", a positive "median_ms" and, merged, a valid "shard". Errors name the file,
// the point and the value (RB_ERR_IO: cannot read; RB_ERR_FORMAT: empty, corrupt or not a result).
rb_status rb_doc_load(const char *path, rb_doc *d);
void rb_doc_free(rb_doc *d);
// rb_doc_load, except that JSON which is not a resbench result document (an object without
// "kind", or with a kind resbench does not write: a tool's output, e.g. tools/bench_torch.py's)
// sets *foreign to 1 and returns RB_OK with nothing loaded (the file is parsed once). `table` and
// `plot` skip those with --skip-foreign, so that `make report` can read a directory they share.
rb_status rb_doc_load_or_skip(const char *path, rb_doc *d, int *foreign);

// The context / peaks list the point was measured under (its shard's in a merged document).
const json_t *rb_doc_context(const rb_doc *d, const json_t *point);
// The peaks entry of the point's domain ({"domain", "threads", "fma_gflops", "stream_gbs"...}),
// the newest one when several (NULL when none).
const json_t *rb_doc_peak(const rb_doc *d, const json_t *point);
// Quick mode of the run: grid.quick (sweep) or context.quick (bench), 0 when not recorded.
int rb_doc_quick(const rb_doc *d, const json_t *point);

// The point's configuration as text, without where it ran (host, ISA unless with_isa) or the
// settings that compare flags (threads, batch): what `compare` matches on. Sweep:
// "resnest d50 c2 r4 w40 s16 p2 block layer2.0 r224 auto core"; bench-conv: "conv <problem>
// <algo> <domain>"; bench-model: "model <name> <block|network> r<res> <algo> <domain>".
void rb_point_config(const rb_doc *d, const json_t *point, int with_isa, char *buf, size_t len);

// `check --json` output: one object per line with kernel, isa, against, shape (strings),
// max_rel_err, tol (numbers) and pass (boolean). *rows: a new array. Errors name file and line.
rb_status rb_check_rows_load(const char *path, json_t **rows);
// 1 when path looks like `check --json` output (its first line alone is an object with "kernel").
int rb_is_check_rows(const char *path);

// Number of a key, NAN when missing or not a number; string of a key, "" when missing.
double rb_jnum(const json_t *o, const char *key);
const char *rb_jstr(const json_t *o, const char *key);

// v with `decimals` decimals and thousands separators: 11689512 -> "11,689,512", 2426.757 -> "2,426.76".
char *rb_fmt_grouped(double v, int decimals, char *buf, size_t len);
// A ratio to two significant digits: 0.0143 -> "0.014", 1.93 -> "1.9", 70.1 -> "70", 143 -> "140".
char *rb_fmt_sig2(double v, char *buf, size_t len);
// Speed of `who` against `other` from their times, worded so it cannot be misread:
// "1.9x faster", "70x slower", "same speed" (within 0.5 %). The factor has two significant digits.
char *rb_fmt_speed(double who_ms, double other_ms, char *buf, size_t len);

// Geometric mean of n positive values (NAN when n == 0).
double rb_geomean(const double *v, int n);

// A Markdown header describing a run from its context and peaks: CPU, host, date, revision,
// ISA, quick mode and each domain's measured peak ("> " quoted lines, then a blank line).
void rb_md_run_header(FILE *f, const json_t *context, const json_t *peaks, int quick);

// Published figures (results/published.json): {"sources": [{"id", "text"}], "models": [{"model",
// "label", "top1_err" | "top1_acc", "params_m", "gflops", "source"}], "resnext50": [{"setting", ...}],
// "resnest50_fast": [...]}. Load checks the structure and that figures are numbers (errors name the
// file and entry). A figure whose "source" is missing or unknown is not shown: rb_published_find
// returns NULL for it and says so on stderr.
rb_status rb_published_load(const char *path, json_t **pub);
// The source number (1-based, as listed in "sources") of an entry; 0 when it has none or an unknown one.
int rb_published_source(const json_t *pub, const json_t *entry);
// The entry of `section` whose `field` equals value, if it has a known source.
const json_t *rb_published_find(const json_t *pub, const char *section, const char *field, const char *value);

#endif
