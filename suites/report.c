// Result readers and number formatting for compare, table, plot and merge (see report.h).
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

double rb_jnum(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rb_jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static const char *const kinds[] = {"sweep", "bench-conv", "bench-model", "bench-passes"};

static int known_kind(const char *kind) {
  for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(kind, kinds[i])) return 1;
  return 0;
}

static rb_status check_point(const char *path, size_t i, const json_t *p, size_t nshards) {
  if (!json_is_object(p)) return rb_fail(RB_ERR_FORMAT, "%s: point %zu is not an object", path, i + 1);
  const char *key = json_string_value(json_object_get(p, "key"));
  char where[200];
  snprintf(where, sizeof where, "%s: point %zu%s%s%s", path, i + 1, key ? " (" : "", key ? key : "", key ? ")" : "");
  static const char *const strs[] = {"isa", "domain"};
  for (size_t k = 0; k < 2; k++)
    if (!json_is_string(json_object_get(p, strs[k])))
      return rb_fail(RB_ERR_FORMAT, "%s: \"%s\" is missing or not a string", where, strs[k]);
  const double ms = rb_jnum(p, "median_ms");
  if (!(ms > 0))
    return rb_fail(RB_ERR_FORMAT, "%s: \"median_ms\" must be a positive number, got %s", where,
                   json_object_get(p, "median_ms") ? "a non-positive or non-number value" : "nothing");
  if (nshards) {
    const json_t *s = json_object_get(p, "shard");
    if (!json_is_integer(s) || json_integer_value(s) < 0 || (size_t)json_integer_value(s) >= nshards)
      return rb_fail(RB_ERR_FORMAT, "%s: \"shard\" must index the %zu shards", where, nshards);
  }
  return RB_OK;
}

rb_status rb_doc_load(const char *path, rb_doc *d) { return rb_doc_load_or_skip(path, d, NULL); }

rb_status rb_doc_load_or_skip(const char *path, rb_doc *d, int *foreign) {
  if (foreign) *foreign = 0;
  memset(d, 0, sizeof *d);
  snprintf(d->path, sizeof d->path, "%s", path);
  FILE *f = fopen(path, "rb");
  if (!f) return rb_fail(RB_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  const int c = fgetc(f);
  fclose(f);
  if (c == EOF) return rb_fail(RB_ERR_FORMAT, "%s: empty file (expected a resbench result document)", path);
  rb_status s = rb_json_load(path, &d->doc);
  if (s != RB_OK) return s;
  const char *why = NULL;
  if (foreign && json_is_object(d->doc)) {  // a kind resbench does not write, or none: skipped
    const char *kind = json_string_value(json_object_get(d->doc, "kind"));
    if (!known_kind(kind)) {
      rb_doc_free(d);
      *foreign = 1;
      return RB_OK;
    }
  }
  const json_t *shards = json_object_get(d->doc, "shards");
  size_t nshards = 0;
  if (!json_is_object(d->doc)) {
    why = "not a JSON object";
  } else if (!(d->kind = json_string_value(json_object_get(d->doc, "kind")))) {
    why = "no \"kind\" (not a resbench result document)";
  } else if (!known_kind(d->kind)) {
    const rb_status e = rb_fail(RB_ERR_FORMAT, "%s: unknown kind '%s' (known: sweep, bench-conv, bench-model, bench-passes)",
                                path, d->kind);
    rb_doc_free(d);
    return e;
  } else if (shards) {
    if (!json_is_array(shards) || !(nshards = json_array_size(shards))) why = "\"shards\" is not a non-empty list";
    for (size_t i = 0; !why && i < nshards; i++)
      if (!json_is_object(json_object_get(json_array_get(shards, i), "context")))
        why = "a shard has no \"context\" object";
  } else if (!json_is_object(json_object_get(d->doc, "context"))) {
    why = "no \"context\" object";
  }
  const json_t *points = json_object_get(d->doc, "points");
  if (!why && !json_is_array(points)) why = "no \"points\" list";
  if (!why && json_array_size(points) == 0) why = "no points (an interrupted run that measured nothing?)";
  if (why) {
    rb_status e = rb_fail(RB_ERR_FORMAT, "%s: %s", path, why);
    rb_doc_free(d);
    return e;
  }
  size_t i;
  const json_t *p;
  json_array_foreach(points, i, p) {
    if ((s = check_point(path, i, p, nshards)) != RB_OK) {
      rb_doc_free(d);
      return s;
    }
  }
  return RB_OK;
}

void rb_doc_free(rb_doc *d) {
  json_decref(d->doc);
  d->doc = NULL;
  d->kind = NULL;
}

static const json_t *shard_of(const rb_doc *d, const json_t *point) {
  const json_t *shards = json_object_get(d->doc, "shards");
  if (!shards) return d->doc;
  return json_array_get(shards, (size_t)json_integer_value(json_object_get(point, "shard")));
}

const json_t *rb_doc_context(const rb_doc *d, const json_t *point) {
  return json_object_get(shard_of(d, point), "context");
}

const json_t *rb_doc_peak(const rb_doc *d, const json_t *point) {
  const json_t *peaks = json_object_get(shard_of(d, point), "peaks"), *found = NULL, *e;
  const char *dom = rb_jstr(point, "domain");
  size_t i;
  json_array_foreach(peaks, i, e) if (strcmp(rb_jstr(e, "domain"), dom) == 0) found = e;
  return found;
}

int rb_doc_quick(const rb_doc *d, const json_t *point) {
  const json_t *q = json_object_get(json_object_get(shard_of(d, point), "grid"), "quick");
  if (!q) q = json_object_get(json_object_get(d->doc, "grid"), "quick");
  if (!q) q = json_object_get(rb_doc_context(d, point), "quick");
  if (!q) q = json_object_get(point, "quick");
  return json_is_true(q);
}

static void fmt_int(char *buf, size_t len, const json_t *p, const char *key, const char *prefix) {
  const double v = rb_jnum(p, key);
  if (isnan(v))
    buf[0] = 0;
  else
    snprintf(buf, len, " %s%.0f", prefix, v);
}

void rb_point_config(const rb_doc *d, const json_t *p, int with_isa, char *buf, size_t len) {
  char isa[48] = "";
  if (with_isa) snprintf(isa, sizeof isa, " %s", rb_jstr(p, "isa"));
  if (strcmp(d->kind, "bench-conv") == 0) {
    snprintf(buf, len, "conv %s %s%s %s", rb_jstr(p, "problem"), rb_jstr(p, "algo"), isa, rb_jstr(p, "domain"));
    return;
  }
  if (strcmp(d->kind, "bench-passes") == 0) {
    snprintf(buf, len, "pass %s %s %s%s %s", rb_jstr(p, "pass"), rb_jstr(p, "size"), rb_jstr(p, "shape"), isa,
             rb_jstr(p, "domain"));
    return;
  }
  const char *block = rb_jstr(p, "block");
  char res[24];
  fmt_int(res, sizeof res, p, "res", "r");
  if (strcmp(d->kind, "bench-model") == 0) {
    snprintf(buf, len, "model %s %s%s %s%s %s", rb_jstr(p, "model"), *block ? block : "network", res,
             rb_jstr(p, "algo"), isa, rb_jstr(p, "domain"));
    return;
  }
  char f[6][24];
  static const char *const keys[] = {"depth", "cardinality", "radix", "width", "se_reduction", "sk_paths"};
  static const char *const pre[] = {"d", "c", "r", "w", "s", "p"};
  // As the sweep key: radix for resnest, SE reduction for se, SK paths for sk only.
  static const char *const only[] = {NULL, NULL, "resnest", NULL, "se", "sk"};
  for (int i = 0; i < 6; i++)
    if (only[i] && strcmp(only[i], rb_jstr(p, "family")))
      f[i][0] = 0;
    else
      fmt_int(f[i], sizeof f[i], p, keys[i], pre[i]);
  snprintf(buf, len, "%s%s%s%s%s%s%s %s%s%s%s %s%s %s", rb_jstr(p, "family"), f[0], f[1], f[2], f[3], f[4], f[5],
           rb_jstr(p, "level"), *block ? " " : "", block, res, rb_jstr(p, "algo"), isa, rb_jstr(p, "domain"));
}

int rb_is_check_rows(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char line[4096];
  const int got = fgets(line, sizeof line, f) != NULL;
  fclose(f);
  if (!got) return 0;
  json_t *o = json_loads(line, 0, NULL);
  const int yes = json_is_object(o) && json_object_get(o, "kernel");
  json_decref(o);
  return yes;
}

rb_status rb_check_rows_load(const char *path, json_t **rows) {
  *rows = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return rb_fail(RB_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  json_t *a = json_array();
  char *line = NULL;
  size_t cap = 0;
  rb_status s = RB_OK;
  for (int no = 1; s == RB_OK && getline(&line, &cap, f) > 0; no++) {
    if (strspn(line, " \t\r\n") == strlen(line)) continue;
    json_error_t err;
    json_t *o = json_loads(line, 0, &err);
    if (!json_is_object(o)) {
      s = rb_fail(RB_ERR_FORMAT, "%s:%d: not a check row (%s)", path, no, o ? "not an object" : err.text);
    } else {
      static const char *const strs[] = {"kernel", "isa", "against", "shape"}, *const nums[] = {"max_rel_err", "tol"};
      for (int k = 0; s == RB_OK && k < 4; k++)
        if (!json_is_string(json_object_get(o, strs[k])))
          s = rb_fail(RB_ERR_FORMAT, "%s:%d: check row without a string \"%s\"", path, no, strs[k]);
      for (int k = 0; s == RB_OK && k < 2; k++)
        if (!json_is_number(json_object_get(o, nums[k])))
          s = rb_fail(RB_ERR_FORMAT, "%s:%d: check row without a number \"%s\"", path, no, nums[k]);
      if (s == RB_OK && !json_is_boolean(json_object_get(o, "pass")))
        s = rb_fail(RB_ERR_FORMAT, "%s:%d: check row without a boolean \"pass\"", path, no);
    }
    if (s == RB_OK)
      json_array_append_new(a, o);
    else
      json_decref(o);
  }
  free(line);
  fclose(f);
  if (s == RB_OK && json_array_size(a) == 0)
    s = rb_fail(RB_ERR_FORMAT, "%s: no check rows (expected the output of 'resbench check --json')", path);
  if (s != RB_OK) {
    json_decref(a);
    return s;
  }
  *rows = a;
  return RB_OK;
}

char *rb_fmt_grouped(double v, int decimals, char *buf, size_t len) {
  char raw[64];
  snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
  if (!isfinite(v)) {
    snprintf(buf, len, "%s", raw);
    return buf;
  }
  const char *dot = strchr(raw, '.');
  const size_t ndig = dot ? (size_t)(dot - raw) : strlen(raw);
  char out[96];
  size_t n = 0;
  if (v < 0 && strspn(raw, "0.") != strlen(raw)) out[n++] = '-';
  for (size_t i = 0; i < ndig; i++) {
    if (i && (ndig - i) % 3 == 0) out[n++] = ',';
    out[n++] = raw[i];
  }
  snprintf(out + n, sizeof out - n, "%s", dot ? dot : "");
  snprintf(buf, len, "%s", out);
  return buf;
}

char *rb_fmt_sig2(double v, char *buf, size_t len) {
  if (!isfinite(v) || v <= 0) {
    snprintf(buf, len, "-");
  } else if (v >= 100) {
    const double p = pow(10, floor(log10(v)) - 1);
    rb_fmt_grouped(round(v / p) * p, 0, buf, len);
  } else if (v >= 9.95) {
    snprintf(buf, len, "%.0f", v);
  } else if (v >= 0.995) {
    snprintf(buf, len, "%.1f", v);
  } else {
    const int dec = 1 - (int)floor(log10(v));  // 0.0143 -> 3 decimals: 0.014
    snprintf(buf, len, "%.*f", dec, v);
  }
  return buf;
}

char *rb_fmt_speed(double who_ms, double other_ms, char *buf, size_t len) {
  char f[32];
  if (!(who_ms > 0) || !(other_ms > 0)) {
    snprintf(buf, len, "-");
  } else if (fabs(who_ms / other_ms - 1) < 0.005) {
    snprintf(buf, len, "same speed");
  } else if (who_ms < other_ms) {
    snprintf(buf, len, "%sx faster", rb_fmt_sig2(other_ms / who_ms, f, sizeof f));
  } else {
    snprintf(buf, len, "%sx slower", rb_fmt_sig2(who_ms / other_ms, f, sizeof f));
  }
  return buf;
}

double rb_geomean(const double *v, int n) {
  if (n <= 0) return NAN;
  double s = 0;
  for (int i = 0; i < n; i++) s += log(v[i]);
  return exp(s / n);
}

void rb_md_run_header(FILE *f, const json_t *ctx, const json_t *peaks, int quick) {
  const json_t *cpu = json_object_get(ctx, "cpu"), *isa = json_object_get(ctx, "isa");
  fprintf(f, "> CPU: %s", rb_jstr(cpu, "model"));
  const char *hw = rb_jstr(ctx, "cpu_model_hwloc");
  if (*hw && strcmp(hw, rb_jstr(cpu, "model"))) fprintf(f, " (hwloc: %s)", hw);
  fprintf(f, ", %.0f logical CPUs; host %s  \n", rb_jnum(cpu, "logical_cpus"), rb_jstr(ctx, "host"));
  fprintf(f, "> date %s, revision %s, ISA default %s%s  \n", rb_jstr(ctx, "date"), rb_jstr(ctx, "git_revision"),
          rb_jstr(isa, "default"), quick ? ", quick mode (--quick: few runs, rough figures)" : "");
  size_t i;
  const json_t *p;
  json_array_foreach(peaks, i, p) {
    char g[32];
    fprintf(f, "> peak of %s (%.0f thread(s)): FMA %s GFLOP/s (%s), triad %.1f GB/s  \n", rb_jstr(p, "domain"),
            rb_jnum(p, "threads"), rb_fmt_grouped(rb_jnum(p, "fma_gflops"), 1, g, sizeof g), rb_jstr(p, "fma_isa"),
            rb_jnum(p, "stream_gbs"));
  }
  fputc('\n', f);
}

// ---- published figures (results/published.json) ----------------------------------------------

rb_status rb_published_load(const char *path, json_t **out) {
  json_t *p;
  rb_status s = rb_json_load(path, &p);
  if (s != RB_OK) return s;
  const json_t *src = json_object_get(p, "sources"), *e;
  size_t i;
  const char *bad = NULL;
  if (!json_is_array(src)) bad = "no \"sources\" list";
  json_array_foreach(src, i, e) if (!bad && (!json_is_string(json_object_get(e, "id")) ||
                                             !json_is_string(json_object_get(e, "text")))) bad =
      "a source without a string \"id\" and \"text\"";
  static const char *const sections[] = {"models", "resnext50", "resnest50_fast"};
  static const char *const nums[] = {"top1_err", "top1_acc", "params_m", "gflops"};
  for (int k = 0; !bad && k < 3; k++) {
    const json_t *sec = json_object_get(p, sections[k]);
    if (!json_is_array(sec)) {
      s = rb_fail(RB_ERR_FORMAT, "%s: no \"%s\" list", path, sections[k]);
      break;
    }
    json_array_foreach(sec, i, e) {
      for (int n = 0; s == RB_OK && n < 4; n++) {
        const json_t *v = json_object_get(e, nums[n]);
        if (v && !json_is_number(v))
          s = rb_fail(RB_ERR_FORMAT, "%s: %s[%zu]: \"%s\" is not a number", path, sections[k], i, nums[n]);
      }
    }
  }
  if (bad) s = rb_fail(RB_ERR_FORMAT, "%s: %s", path, bad);
  if (s != RB_OK) {
    json_decref(p);
    return s;
  }
  *out = p;
  return RB_OK;
}

int rb_published_source(const json_t *pub, const json_t *e) {
  const char *id = json_string_value(json_object_get(e, "source"));
  size_t i;
  const json_t *s;
  json_array_foreach(json_object_get(pub, "sources"), i, s) if (id && strcmp(rb_jstr(s, "id"), id) == 0) return (int)i + 1;
  return 0;
}

const json_t *rb_published_find(const json_t *pub, const char *section, const char *field, const char *value) {
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(pub, section), i, e) {
    if (strcmp(rb_jstr(e, field), value)) continue;
    if (rb_published_source(pub, e)) return e;
    fprintf(stderr, "resbench: published %s '%s' has no known source: not shown\n", section, value);
    return NULL;
  }
  return NULL;
}

