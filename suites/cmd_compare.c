// `resbench compare BASE.json OTHER.json...`: every other document's points against the base's,
// matched by configuration (across hosts, ISAs and commits), with the ratio of each figure, a
// geometric mean per group, and a flag on points measured under different settings.
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"

#define MAX_FILES 64

static const char help[] =
    "usage: resbench compare BASE.json OTHER.json [MORE.json ...] [--json]\n"
    "  Matches the points of each OTHER result document to BASE's by configuration (model or\n"
    "  block, cardinality, radix, width, resolution, algorithm, domain; the ISA too when a file\n"
    "  holds several), and gives for each point the ratio OTHER/BASE of the time, GFLOP/s, % of\n"
    "  peak and the domain's triad bandwidth, worded ('OTHER 1.9x faster'), then the geometric\n"
    "  mean per group (family and level). Points measured with different threads, batch, build\n"
    "  (git revision, compiler) or quick mode are flagged in the 'settings differ' column.\n"
    "  --json: one JSON document on stdout instead of Markdown tables.\n"
    "  Exit status: 0; 1 when no point matches; 2 for bad arguments or files.\n";

// The group a point's ratio is averaged in.
static void group_of(const rb_doc *d, const json_t *p, char *buf, size_t len) {
  if (strcmp(d->kind, "sweep") == 0)
    snprintf(buf, len, "%s %s", rb_jstr(p, "family"), rb_jstr(p, "level"));
  else
    snprintf(buf, len, "%s", d->kind);
}

static int distinct_isas(const rb_doc *d) {
  const char *first = NULL;
  size_t i;
  const json_t *p;
  json_array_foreach(json_object_get(d->doc, "points"), i, p) {
    if (!first) first = rb_jstr(p, "isa");
    else if (strcmp(first, rb_jstr(p, "isa"))) return 2;
  }
  return 1;
}

// What differs between the settings of two points: "threads 1 vs 2; batch 1 vs 8; build; quick".
static void settings_diff(const rb_doc *a, const json_t *pa, const rb_doc *b, const json_t *pb, char *buf,
                          size_t len) {
  buf[0] = 0;
  static const char *const ints[] = {"threads", "batch"};
  for (int k = 0; k < 2; k++) {
    const double x = rb_jnum(pa, ints[k]), y = rb_jnum(pb, ints[k]);
    if (!isnan(x) && !isnan(y) && x != y)
      snprintf(buf + strlen(buf), len - strlen(buf), "%s%s %.0f vs %.0f", *buf ? "; " : "", ints[k], x, y);
  }
  const json_t *ca = rb_doc_context(a, pa), *cb = rb_doc_context(b, pb);
  const char *ra = rb_jstr(ca, "git_revision"), *rbv = rb_jstr(cb, "git_revision");
  const char *va = rb_jstr(json_object_get(ca, "compiler"), "version"),
             *vb = rb_jstr(json_object_get(cb, "compiler"), "version");
  if (strcmp(ra, rbv) || strcmp(va, vb))
    snprintf(buf + strlen(buf), len - strlen(buf), "%sbuild %s vs %s", *buf ? "; " : "", ra, rbv);
  const int qa = rb_doc_quick(a, pa), qb = rb_doc_quick(b, pb);
  if (qa != qb)
    snprintf(buf + strlen(buf), len - strlen(buf), "%squick %s vs %s", *buf ? "; " : "", qa ? "yes" : "no",
             qb ? "yes" : "no");
}

static double ratio(double x, double y) { return x > 0 && y > 0 ? x / y : NAN; }

static double triad(const rb_doc *d, const json_t *p) { return rb_jnum(rb_doc_peak(d, p), "stream_gbs"); }

typedef struct group_acc {
  char name[64];
  double *time, *gflops;
  int n;
} group_acc;

static void print_ratio(char *buf, size_t len, double r) {
  if (isnan(r))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, "%.3f", r);
}

// One comparison; returns the number of matched points (-1 out of memory).
static int compare_one(const rb_doc *base, const rb_doc *x, int with_isa, json_t *out_json) {
  const json_t *bpoints = json_object_get(base->doc, "points"), *xpoints = json_object_get(x->doc, "points");
  const size_t nb = json_array_size(bpoints), nx = json_array_size(xpoints);
  char (*bkeys)[256] = calloc(nb, sizeof *bkeys);
  int *used = calloc(nb, sizeof *used);
  group_acc *groups = calloc(nx + 1, sizeof *groups);
  if (!bkeys || !used || !groups) {
    free(bkeys), free(used), free(groups);
    return -1;
  }
  for (size_t i = 0; i < nb; i++) rb_point_config(base, json_array_get(bpoints, i), with_isa, bkeys[i], 256);
  int ngroups = 0, matched = 0;
  json_t *jpoints = json_array(), *only_x = json_array();
  if (!out_json) {
    printf("## %s against %s\n\n", x->path, base->path);
    printf("Ratios are %s / base (time: < 1 is faster; GFLOP/s, %% peak, triad: > 1 is more).\n\n", x->path);
    printf("| point | base ms | ms | time ratio | GFLOP/s ratio | %% peak ratio | triad ratio | this file is | "
           "settings differ |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n");
  }
  size_t i;
  const json_t *p;
  json_array_foreach(xpoints, i, p) {
    char key[256];
    rb_point_config(x, p, with_isa, key, sizeof key);
    size_t j = 0;
    while (j < nb && (used[j] || strcmp(bkeys[j], key))) j++;
    if (j == nb) {
      json_array_append_new(only_x, json_string(key));
      continue;
    }
    used[j] = 1;
    matched++;
    const json_t *q = json_array_get(bpoints, j);
    const double bms = rb_jnum(q, "median_ms"), ms = rb_jnum(p, "median_ms");
    const double rt = ratio(ms, bms), rg = ratio(rb_jnum(p, "gflops"), rb_jnum(q, "gflops")),
                 rp = ratio(rb_jnum(p, "peak_pct"), rb_jnum(q, "peak_pct")), rs = ratio(triad(x, p), triad(base, q));
    char diff[256], speed[48], gname[64];
    settings_diff(base, q, x, p, diff, sizeof diff);
    rb_fmt_speed(ms, bms, speed, sizeof speed);
    group_of(x, p, gname, sizeof gname);
    int g = 0;
    while (g < ngroups && strcmp(groups[g].name, gname)) g++;
    if (g == ngroups) {
      snprintf(groups[g].name, sizeof groups[g].name, "%s", gname);
      groups[g].time = calloc(nx, sizeof(double));
      groups[g].gflops = calloc(nx, sizeof(double));
      ngroups++;
    }
    if (groups[g].time && groups[g].gflops) {
      groups[g].time[groups[g].n] = rt;
      groups[g].gflops[groups[g].n] = isnan(rg) ? rt > 0 ? 1 / rt : 1 : rg;
      groups[g].n++;
    }
    json_array_append_new(jpoints, json_pack("{s:s, s:f, s:f, s:f, s:o, s:o, s:o, s:s, s:s}", "point", key,
                                             "base_median_ms", bms, "median_ms", ms, "time_ratio", rt, "gflops_ratio",
                                             isnan(rg) ? json_null() : json_real(rg), "peak_pct_ratio",
                                             isnan(rp) ? json_null() : json_real(rp), "triad_ratio",
                                             isnan(rs) ? json_null() : json_real(rs), "speed", speed,
                                             "settings_differ", diff));
    if (!out_json) {
      char a[32], b[32], c[4][32];
      print_ratio(c[0], 32, rt), print_ratio(c[1], 32, rg), print_ratio(c[2], 32, rp), print_ratio(c[3], 32, rs);
      printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", key, rb_fmt_grouped(bms, 3, a, sizeof a),
             rb_fmt_grouped(ms, 3, b, sizeof b), c[0], c[1], c[2], c[3], speed, *diff ? diff : "");
    }
  }
  json_t *only_base = json_array(), *jgroups = json_array();
  for (size_t k = 0; k < nb; k++)
    if (!used[k]) json_array_append_new(only_base, json_string(bkeys[k]));
  if (!out_json && matched) {
    printf("\n| group | points | geomean time ratio | geomean GFLOP/s ratio | this file is |\n"
           "|---|---:|---:|---:|---|\n");
  }
  double *all = calloc(nx + 1, sizeof *all);
  int nall = 0;
  for (int g = 0; g < ngroups; g++) {
    const double gt = rb_geomean(groups[g].time, groups[g].n), gg = rb_geomean(groups[g].gflops, groups[g].n);
    for (int k = 0; all && k < groups[g].n; k++) all[nall++] = groups[g].time[k];
    char speed[48];
    rb_fmt_speed(gt, 1, speed, sizeof speed);
    json_array_append_new(jgroups, json_pack("{s:s, s:i, s:f, s:f, s:s}", "group", groups[g].name, "points",
                                             groups[g].n, "time_ratio_geomean", gt, "gflops_ratio_geomean", gg,
                                             "speed", speed));
    if (!out_json) printf("| %s | %d | %.3f | %.3f | %s |\n", groups[g].name, groups[g].n, gt, gg, speed);
    free(groups[g].time);
    free(groups[g].gflops);
  }
  if (ngroups > 1 && all) {
    char speed[48];
    const double gt = rb_geomean(all, nall);
    if (!out_json) printf("| all | %d | %.3f | | %s |\n", nall, gt, rb_fmt_speed(gt, 1, speed, sizeof speed));
  }
  free(all);
  if (!out_json) {
    if (!matched) printf("| (no point matches) | | | | | | | | |\n");
    printf("\n");
    const json_t *lists[2] = {only_base, only_x};
    const char *names[2] = {"only in the base", "only in this file"};
    for (int l = 0; l < 2; l++) {
      if (!json_array_size(lists[l])) continue;
      printf("%zu point(s) %s:", json_array_size(lists[l]), names[l]);
      const json_t *s;
      size_t k;
      json_array_foreach(lists[l], k, s) printf("%s %s", k ? ";" : "", json_string_value(s));
      printf("\n\n");
    }
  } else {
    json_array_append_new(out_json, json_pack("{s:s, s:o, s:o, s:o, s:o}", "file", x->path, "points", jpoints,
                                              "groups", jgroups, "only_in_base", only_base, "only_in_file", only_x));
    jpoints = jgroups = only_base = only_x = NULL;
  }
  json_decref(jpoints), json_decref(jgroups), json_decref(only_base), json_decref(only_x);
  free(bkeys), free(used), free(groups);
  return matched;
}

int rb_cmd_compare(int argc, char **argv) {
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0}};
  int json = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'j': json = 1; break;
      case 'h': fputs(help, stdout); return 0;
      default: fputs("resbench compare: see 'resbench compare --help'\n", stderr); return 2;
    }
  }
  const int nfiles = argc - optind;
  if (nfiles < 2 || nfiles > MAX_FILES) {
    fprintf(stderr, "resbench compare: give a base and at least one other result document (2..%d files)\n",
            MAX_FILES);
    return 2;
  }
  rb_doc docs[MAX_FILES];
  int loaded = 0, ret = 2, with_isa = 0;
  for (; loaded < nfiles; loaded++) {
    if (rb_doc_load(argv[optind + loaded], &docs[loaded]) != RB_OK) {
      fprintf(stderr, "resbench compare: %s\n", rb_last_error());
      goto done;
    }
    if (strcmp(docs[loaded].kind, docs[0].kind)) {
      fprintf(stderr, "resbench compare: %s is a %s document and %s a %s one: compare documents of one kind\n",
              docs[0].path, docs[0].kind, docs[loaded].path, docs[loaded].kind);
      loaded++;
      goto done;
    }
    if (distinct_isas(&docs[loaded]) > 1) with_isa = 1;
  }
  json_t *out = json ? json_array() : NULL;
  if (!json) {
    const json_t *ctx = rb_doc_context(&docs[0], json_array_get(json_object_get(docs[0].doc, "points"), 0));
    printf("# resbench compare\n\nBase: %s (%s, %s, revision %s).%s\n\n", docs[0].path, rb_jstr(ctx, "host"),
           rb_jstr(json_object_get(ctx, "cpu"), "model"), rb_jstr(ctx, "git_revision"),
           with_isa ? " Points are matched with their ISA (a file holds several)."
                    : " Points are matched without their ISA (one per file).");
  }
  int any = 0;
  for (int i = 1; i < nfiles; i++) {
    const int m = compare_one(&docs[0], &docs[i], with_isa, out);
    if (m < 0) {
      fprintf(stderr, "resbench compare: out of memory\n");
      json_decref(out);
      goto done;
    }
    if (m == 0) fprintf(stderr, "resbench compare: no point of %s matches one of %s\n", docs[i].path, docs[0].path);
    any += m;
  }
  if (json) {
    json_t *doc = json_pack("{s:s, s:b, s:o}", "base", docs[0].path, "isa_in_key", with_isa, "comparisons", out);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) puts(text);
    free(text);
    json_decref(doc);
  }
  ret = any ? 0 : 1;
done:
  for (int i = 0; i < loaded; i++) rb_doc_free(&docs[i]);
  return ret;
}
