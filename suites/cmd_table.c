// `resbench table FILE...`: paper-style tables from result documents and `check --json` rows,
// with the published figures of results/published.json (each with its source) beside ours.
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "resbench/model.h"
#include "results.h"
#include "sweep.h"
#include "tabfmt.h"

#define MAX_FILES 64
#define MAX_WHERE 16

static const char help[] =
    "usage: resbench table FILE... [--format md|csv|latex] [--section LIST] [--published FILE] [--skip-foreign]\n"
    "  Tables from result documents (sweep, bench conv, bench model, merged) and the output of\n"
    "  'resbench check --json' (one object per line):\n"
    "    cost      model, params (M), G multiply-adds (ours, counted), the published top-1 error\n"
    "              with its source, and the measured ms per image and images/s per ISA and domain\n"
    "    resnext   ResNeXt-50 cardinality x width at preserved complexity (1x64d .. 32x4d)\n"
    "    resnest   the ResNeSt-50 radix/cardinality ablation (1s1x64d .. 1s4x24d)\n"
    "    accuracy  each kernel's error against fp64 or ref (from check --json)\n"
    "    kernels   each convolution's GFLOP/s, % of peak and speed against oneDNN / libxsmm\n"
    "  --section: a comma-separated subset, in that order (default: all that have data; cost,\n"
    "  resnext and resnest always have the counts). --published: the published figures\n"
    "  (default results/published.json); a figure without a known source is not shown.\n"
    "  --skip-foreign: skip (with a note) JSON files that are not resbench result documents (a\n"
    "  tool's output, without a known \"kind\") instead of failing: make report uses it.\n";

typedef struct ctx {
  rb_doc docs[MAX_FILES];
  int ndocs;
  json_t *checks;  // all check rows
  json_t *pub;
  rb_tab_format fmt;
  char where[MAX_WHERE][64];  // "ref core 1t": the measured columns
  int nwhere;
} ctx;

// A number for the format: grouped digits for people, plain for CSV.
static void num_cell(rb_tab *t, const ctx *c, double v, int dec) {
  if (isnan(v)) {
    rb_tab_cell(t, "-");
    return;
  }
  char b[48];
  if (c->fmt == RB_TAB_CSV)
    rb_tab_cell(t, "%.*f", dec, v);
  else
    rb_tab_cell(t, "%s", rb_fmt_grouped(v, dec, b, sizeof b));
}

// ---- published figures ------------------------------------------------------------------------

static double pub_err(const json_t *e) {
  const double err = rb_jnum(e, "top1_err"), acc = rb_jnum(e, "top1_acc");
  return !isnan(err) ? err : 100 - acc;
}

// "[1] text. [3] text." for the sources in used[].
static void sources_note(const json_t *pub, const int *used, char *buf, size_t len) {
  size_t i;
  const json_t *s;
  json_array_foreach(json_object_get(pub, "sources"), i, s) if (used[i + 1]) snprintf(
      buf + strlen(buf), len - strlen(buf), " [%zu] %s.", i + 1, rb_jstr(s, "text"));
}

// ---- measured points --------------------------------------------------------------------------

static void where_of(const json_t *p, char *buf, size_t len) {
  snprintf(buf, len, "%s %s %.0ft", rb_jstr(p, "isa"), rb_jstr(p, "domain"), rb_jnum(p, "threads"));
}

static void collect_wheres(ctx *c) {
  for (int d = 0; d < c->ndocs; d++) {
    if (!strcmp(c->docs[d].kind, "bench-conv")) continue;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      char w[64];
      where_of(p, w, sizeof w);
      int k = 0;
      while (k < c->nwhere && strcmp(c->where[k], w)) k++;
      if (k == c->nwhere && k < MAX_WHERE) snprintf(c->where[c->nwhere++], sizeof c->where[0], "%s", w);
    }
  }
}

typedef int (*point_pred)(const rb_doc *d, const json_t *p, const void *arg);

// The newest matching point measured at `where` (later files win), or NULL.
static const json_t *find_point(const ctx *c, const char *where, point_pred pred, const void *arg) {
  const json_t *found = NULL;
  for (int d = 0; d < c->ndocs; d++) {
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      char w[64];
      where_of(p, w, sizeof w);
      if (!strcmp(w, where) && pred(&c->docs[d], p, arg)) found = p;
    }
  }
  return found;
}

static int is_network_of(const rb_doc *d, const json_t *p, const void *arg) {
  const char *model = arg;
  if (!strcmp(d->kind, "sweep")) return !strcmp(rb_jstr(p, "level"), "network") && !strcmp(rb_jstr(p, "model"), model);
  if (!strcmp(d->kind, "bench-model")) return !*rb_jstr(p, "block") && !strcmp(rb_jstr(p, "model"), model);
  return 0;
}

typedef struct spec_sel {
  const char *family;
  int card, width, radix;  // radix 0: any
  const char *level, *block;
} spec_sel;

static int is_spec(const rb_doc *d, const json_t *p, const void *arg) {
  const spec_sel *s = arg;
  if (strcmp(d->kind, "sweep") || strcmp(rb_jstr(p, "family"), s->family) || rb_jnum(p, "depth") != 50 ||
      rb_jnum(p, "cardinality") != s->card || rb_jnum(p, "width") != s->width || rb_jnum(p, "res") != 224)
    return 0;
  if (s->radix && rb_jnum(p, "radix") != s->radix) return 0;
  if (strcmp(rb_jstr(p, "level"), s->level)) return 0;
  return !s->block || !strcmp(rb_jstr(p, "block"), s->block);
}

static double per_image_ms(const json_t *p) {
  const double b = rb_jnum(p, "batch");
  return p ? rb_jnum(p, "median_ms") / (b > 0 ? b : 1) : NAN;
}

// Sum of the four stage-entry blocks' ms per image at where (NAN unless all four were measured).
static double blocks_ms(const ctx *c, const char *where, spec_sel s) {
  static const char *const blocks[] = {"layer1.0", "layer2.0", "layer3.0", "layer4.0"};
  double sum = 0;
  s.level = "block";
  for (int b = 0; b < 4; b++) {
    s.block = blocks[b];
    const json_t *p = find_point(c, where, is_spec, &s);
    if (!p) return NAN;
    sum += per_image_ms(p);
  }
  return sum;
}

// Network params and multiply-adds (batch 1, 224) of a sweep setting, by the sweep's own rules.
static rb_status sweep_cost(const char *family, const char *cxw, int radix, double *params, double *macs) {
  rb_sweep_grid g;
  rb_sweep_grid_defaults(&g);
  char r[16];
  snprintf(r, sizeof r, "%d", radix);
  rb_status s = rb_sweep_grid_set(&g, "family", family);
  if (s == RB_OK) s = rb_sweep_grid_set(&g, "cxw", cxw);
  if (s == RB_OK && radix) s = rb_sweep_grid_set(&g, "radix", r);
  rb_sweep_point *pts = NULL;
  int n = 0;
  if (s == RB_OK) s = rb_sweep_expand(&g, &pts, &n, NULL, 0);
  if (s == RB_OK && n != 1) s = rb_fail(RB_ERR_INVALID_ARG, "%s %s: %d points, expected one", family, cxw, n);
  if (s == RB_OK) *params = pts[0].params, *macs = pts[0].macs;
  free(pts);
  return s;
}

// ---- tables -----------------------------------------------------------------------------------

static void add_where_headers(const ctx *c, const char **h, int *n, const char *a, const char *b, char *buf,
                              size_t per) {
  for (int w = 0; w < c->nwhere; w++) {
    snprintf(buf + (size_t)(2 * w) * per, per, "%s %s", c->where[w], a);
    snprintf(buf + (size_t)(2 * w + 1) * per, per, "%s %s", c->where[w], b);
    h[(*n)++] = buf + (size_t)(2 * w) * per;
    h[(*n)++] = buf + (size_t)(2 * w + 1) * per;
  }
}

static const char where_note[] =
    "Measured columns: ISA, domain and threads (\"ref core 1t\"); ms per image = median time / batch.";

static rb_status table_cost(ctx *c, FILE *f) {
  const char *h[8 + 2 * MAX_WHERE] = {"model", "params (M)", "G MACs", "published top-1 err %", "source"};
  int n = 5;
  char hb[2 * MAX_WHERE][96];
  add_where_headers(c, h, &n, "ms/img", "img/s", hb[0], sizeof hb[0]);
  char align[8 + 2 * MAX_WHERE] = "lrrrl";
  memset(align + 5, 'r', (size_t)(n - 5));
  align[n] = 0;
  rb_tab *t = rb_tab_new(align, h);
  // Rows: the published models, then measured networks without a published figure.
  const char *names[256];
  int nn = 0;
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(c->pub, "models"), i, e) if (nn < 256) names[nn++] = rb_jstr(e, "model");
  for (int d = 0; d < c->ndocs; d++) {
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      const char *m = rb_jstr(p, "model");
      if (!*m || !is_network_of(&c->docs[d], p, m)) continue;
      int k = 0;
      while (k < nn && strcmp(names[k], m)) k++;
      if (k == nn && nn < 256) names[nn++] = m;
    }
  }
  int used[64] = {0};
  for (int r = 0; r < nn; r++) {
    rb_model_spec spec;
    rb_graph *g = NULL;
    rb_status s = rb_model_find(names[r], &spec);
    if (s == RB_OK) s = rb_graph_build(&spec, 1, spec.default_res, spec.default_res, &g);
    if (s != RB_OK) {
      rb_tab_free(t);
      return s;
    }
    const json_t *pe = rb_published_find(c->pub, "models", "model", names[r]);
    const int src = pe ? rb_published_source(c->pub, pe) : 0;
    if (src < 64) used[src] = 1;
    if (spec.default_res != 224)
      rb_tab_cell(t, "%s (%d px)", names[r], spec.default_res);
    else
      rb_tab_cell(t, "%s", names[r]);
    num_cell(t, c, g->params / 1e6, 2);
    num_cell(t, c, g->macs / 1e9, 3);
    rb_graph_destroy(g);
    num_cell(t, c, pe ? pub_err(pe) : NAN, 2);
    if (src)
      rb_tab_cell(t, "[%d]%s", src, json_object_get(pe, "top1_acc") ? " (100 - acc)" : "");
    else
      rb_tab_cell(t, "-");
    for (int w = 0; w < c->nwhere; w++) {
      const json_t *p = find_point(c, c->where[w], is_network_of, names[r]);
      const int res_ok = p && rb_jnum(p, "res") == spec.default_res;
      num_cell(t, c, res_ok ? per_image_ms(p) : NAN, 1);
      num_cell(t, c, res_ok ? rb_jnum(p, "images_per_s") : NAN, 2);
    }
  }
  used[0] = 0;
  char notes[2048] =
      "Params and MACs: our exact count at the model's resolution (1 MAC = 1 multiply-add of a conv or FC; the "
      "papers' 'FLOPs'). Top-1: single-crop ImageNet validation error as published.";
  sources_note(c->pub, used, notes, sizeof notes);
  snprintf(notes + strlen(notes), sizeof notes - strlen(notes), " %s", where_note);
  rb_tab_print(f, t, c->fmt, "Cost: parameters, multiply-adds, published accuracy and measured speed", notes);
  rb_tab_free(t);
  return RB_OK;
}

static rb_status table_resnext(ctx *c, FILE *f) {
  static const char *const settings[] = {"1x64d", "2x40d", "4x24d", "8x14d", "32x4d"};
  const char *h[8 + 2 * MAX_WHERE] = {"cardinality x width", "group-conv width", "params (M)", "G MACs",
                                      "published top-1 err %"};
  int n = 5;
  char hb[2 * MAX_WHERE][96];
  add_where_headers(c, h, &n, "blocks ms", "net img/s", hb[0], sizeof hb[0]);
  char align[8 + 2 * MAX_WHERE] = "lrrrr";
  memset(align + 5, 'r', (size_t)(n - 5));
  align[n] = 0;
  rb_tab *t = rb_tab_new(align, h);
  int used[64] = {0};
  for (int r = 0; r < 5; r++) {
    int card, width;
    sscanf(settings[r], "%dx%dd", &card, &width);
    double params, macs;
    rb_status s = sweep_cost("resnet", settings[r], 0, &params, &macs);
    if (s != RB_OK) {
      rb_tab_free(t);
      return s;
    }
    const json_t *pe = rb_published_find(c->pub, "resnext50", "setting", settings[r]);
    const int src = pe ? rb_published_source(c->pub, pe) : 0;
    if (src < 64) used[src] = 1;
    rb_tab_cell(t, "%s", settings[r]);
    rb_tab_cell(t, "%d", card * width);
    num_cell(t, c, params / 1e6, 2);
    num_cell(t, c, macs / 1e9, 3);
    if (src)
      rb_tab_cell(t, "%.1f [%d]", pub_err(pe), src);
    else
      rb_tab_cell(t, "-");
    const spec_sel sel = {"resnet", card, width, 0, "network", NULL};
    for (int w = 0; w < c->nwhere; w++) {
      num_cell(t, c, blocks_ms(c, c->where[w], sel), 2);
      const json_t *p = find_point(c, c->where[w], is_spec, &sel);
      num_cell(t, c, p ? rb_jnum(p, "images_per_s") : NAN, 2);
    }
  }
  used[0] = 0;
  char notes[2048] =
      "ResNeXt-50 at about the complexity of ResNet-50 (timm's base width per group; group-conv width = cardinality "
      "x width at stage 1). blocks ms: the four stage-entry blocks (layer1.0 .. layer4.0) at their real input size, "
      "ms per image summed; net img/s: the whole network.";
  sources_note(c->pub, used, notes, sizeof notes);
  snprintf(notes + strlen(notes), sizeof notes - strlen(notes), " %s", where_note);
  rb_tab_print(f, t, c->fmt, "ResNeXt-50: cardinality against width at preserved complexity", notes);
  rb_tab_free(t);
  return RB_OK;
}

static rb_status table_resnest(ctx *c, FILE *f) {
  const char *h[8 + 2 * MAX_WHERE] = {"setting", "published params (M)", "published GFLOPs", "published top-1 acc %",
                                      "params (M)", "G MACs"};
  int n = 6;
  char hb[2 * MAX_WHERE][96];
  add_where_headers(c, h, &n, "blocks ms", "net img/s", hb[0], sizeof hb[0]);
  char align[8 + 2 * MAX_WHERE] = "lrrrrr";
  memset(align + 6, 'r', (size_t)(n - 6));
  align[n] = 0;
  rb_tab *t = rb_tab_new(align, h);
  int used[64] = {0};
  static const char *const settings[] = {"1s1x64d", "2s1x64d", "4s1x64d", "1s2x40d", "2s2x40d", "4s2x40d", "1s4x24d"};
  for (int r = 0; r < 7; r++) {
    int radix, card, width;
    sscanf(settings[r], "%ds%dx%dd", &radix, &card, &width);
    char cxw[16];
    snprintf(cxw, sizeof cxw, "%dx%dd", card, width);
    double params, macs;
    rb_status s = sweep_cost("resnest", cxw, radix, &params, &macs);
    if (s != RB_OK) {
      rb_tab_free(t);
      return s;
    }
    const json_t *pe = rb_published_find(c->pub, "resnest50_fast", "setting", settings[r]);
    const int src = pe ? rb_published_source(c->pub, pe) : 0;
    if (src < 64) used[src] = 1;
    rb_tab_cell(t, "%s", settings[r]);
    num_cell(t, c, pe ? rb_jnum(pe, "params_m") : NAN, 1);
    num_cell(t, c, pe ? rb_jnum(pe, "gflops") : NAN, 2);
    if (src)
      rb_tab_cell(t, "%.2f [%d]", rb_jnum(pe, "top1_acc"), src);
    else
      rb_tab_cell(t, "-");
    num_cell(t, c, params / 1e6, 2);
    num_cell(t, c, macs / 1e9, 3);
    const spec_sel sel = {"resnest", card, width, radix, "network", NULL};
    for (int w = 0; w < c->nwhere; w++) {
      num_cell(t, c, blocks_ms(c, c->where[w], sel), 2);
      const json_t *p = find_point(c, c->where[w], is_spec, &sel);
      num_cell(t, c, p ? rb_jnum(p, "images_per_s") : NAN, 2);
    }
  }
  used[0] = 0;
  char notes[2048] =
      "Setting: radix 's', cardinality 'x' width 'd'. Published: ResNeSt-50-fast (avd before the 3x3). Ours: the "
      "sweep's spec, which follows timm (avd after the 3x3 for 2s1x64d, as resnest50d: hence its larger G MACs), "
      "deep stem, avg_down; params and MACs counted at 224. blocks ms: the four stage-entry blocks, ms per image "
      "summed; net img/s: the whole network.";
  sources_note(c->pub, used, notes, sizeof notes);
  snprintf(notes + strlen(notes), sizeof notes - strlen(notes), " %s", where_note);
  rb_tab_print(f, t, c->fmt, "ResNeSt-50: radix and cardinality ablation", notes);
  rb_tab_free(t);
  return RB_OK;
}

static void table_accuracy(ctx *c, FILE *f) {
  static const char *const h[] = {"kernel", "isa", "against", "shapes", "worst max_rel_err", "its tol",
                                  "worst err / tol", "passed"};
  rb_tab *t = rb_tab_new("lllrrrrr", h);
  const size_t n = json_array_size(c->checks);
  char *done = calloc(n + 1, 1);
  for (size_t i = 0; done && i < n; i++) {
    if (done[i]) continue;
    const json_t *r = json_array_get(c->checks, i);
    int shapes = 0, passed = 0;
    double worst = -1, worst_tol = 0, worst_ratio = 0;
    for (size_t j = i; j < n; j++) {
      const json_t *q = json_array_get(c->checks, j);
      if (strcmp(rb_jstr(q, "kernel"), rb_jstr(r, "kernel")) || strcmp(rb_jstr(q, "isa"), rb_jstr(r, "isa")) ||
          strcmp(rb_jstr(q, "against"), rb_jstr(r, "against")))
        continue;
      done[j] = 1;
      int later = 0;  // the same row again in a later file (a re-run): the later one counts
      for (size_t k = j + 1; k < n && !later; k++) {
        const json_t *o = json_array_get(c->checks, k);
        later = !strcmp(rb_jstr(o, "kernel"), rb_jstr(q, "kernel")) && !strcmp(rb_jstr(o, "isa"), rb_jstr(q, "isa")) &&
                !strcmp(rb_jstr(o, "against"), rb_jstr(q, "against")) && !strcmp(rb_jstr(o, "shape"), rb_jstr(q, "shape"));
      }
      if (later) continue;
      shapes++;
      passed += json_is_true(json_object_get(q, "pass"));
      const double e = rb_jnum(q, "max_rel_err"), tol = rb_jnum(q, "tol");
      if (e > worst) worst = e, worst_tol = tol;
      if (tol > 0 && e / tol > worst_ratio) worst_ratio = e / tol;
    }
    rb_tab_cell(t, "%s", rb_jstr(r, "kernel"));
    rb_tab_cell(t, "%s", rb_jstr(r, "isa"));
    rb_tab_cell(t, "%s", rb_jstr(r, "against"));
    rb_tab_cell(t, "%d", shapes);
    rb_tab_cell(t, "%.3e", worst);
    rb_tab_cell(t, "%.3e", worst_tol);
    rb_tab_cell(t, "%.3f", worst_ratio);
    rb_tab_cell(t, "%d/%d", passed, shapes);
  }
  free(done);
  rb_tab_print(f, t, c->fmt, "Kernel accuracy (resbench check)",
               "max_rel_err: each output's error relative to the sum of |terms| that make it up, worst over the "
               "shapes; tol: the bound it must stay under (gamma_K for direct convolution, the Winograd bound per "
               "tile). against: fp64 oracle, or ref for SIMD kernels.");
  rb_tab_free(t);
}

// Peer names in bench-conv points (keys <peer>_impl or <peer>_error), in order of appearance.
static int peer_names(const ctx *c, char names[][32], int max) {
  int n = 0;
  for (int d = 0; d < c->ndocs; d++) {
    if (strcmp(c->docs[d].kind, "bench-conv")) continue;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      const char *k;
      const json_t *v;
      json_object_foreach((json_t *)p, k, v) {
        const char *u = strrchr(k, '_');
        if (!u || (strcmp(u, "_impl") && strcmp(u, "_error")) || u - k >= 32) continue;
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(u - k), k);
        int j = 0;
        while (j < n && strcmp(names[j], name)) j++;
        if (j == n && n < max) snprintf(names[n++], 32, "%s", name);
      }
    }
  }
  return n;
}

static int table_kernels(ctx *c, FILE *f) {
  char peers[4][32];
  const int np = peer_names(c, peers, 4);
  const char *h[8 + 8] = {"problem", "kernel", "isa", "threads", "GFLOP/s", "% peak"};
  char hb[8][96];
  int n = 6;
  for (int j = 0; j < np; j++) {
    snprintf(hb[2 * j], 96, "%.31s GFLOP/s", peers[j]);
    snprintf(hb[2 * j + 1], 96, "resbench vs %.31s", peers[j]);
    h[n++] = hb[2 * j], h[n++] = hb[2 * j + 1];
  }
  char align[16] = "lllrrr";
  for (int j = 0; j < np; j++) strcat(align, "rl");
  rb_tab *t = rb_tab_new(align, h);
  for (int d = 0; d < c->ndocs; d++) {
    if (strcmp(c->docs[d].kind, "bench-conv")) continue;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      rb_tab_cell(t, "%s", rb_jstr(p, "problem"));
      rb_tab_cell(t, "%s", rb_jstr(p, "kernel"));
      rb_tab_cell(t, "%s", rb_jstr(p, "isa"));
      rb_tab_cell(t, "%.0f", rb_jnum(p, "threads"));
      num_cell(t, c, rb_jnum(p, "gflops"), 2);
      num_cell(t, c, rb_jnum(p, "peak_pct"), 1);
      for (int j = 0; j < np; j++) {
        char key[96], speed[48];
        snprintf(key, sizeof key, "%.31s_median_ms", peers[j]);
        const double pms = rb_jnum(p, key);
        snprintf(key, sizeof key, "%.31s_gflops", peers[j]);
        num_cell(t, c, rb_jnum(p, key), 2);
        if (isnan(pms)) {
          snprintf(key, sizeof key, "%.31s_error", peers[j]);
          rb_tab_cell(t, "%s", json_object_get(p, key) ? "cannot run it" : "-");
        } else {
          rb_tab_cell(t, "%s", rb_fmt_speed(rb_jnum(p, "median_ms"), pms, speed, sizeof speed));
        }
      }
    }
  }
  const int rows = rb_tab_rows(t);
  if (rows)
    rb_tab_print(f, t, c->fmt, "Convolutions: GFLOP/s, % of peak and speed against the peers",
                 "GFLOP/s = 2 x dense multiply-adds / median time (padding taps counted; Winograd: direct-equivalent "
                 "rate); % of the domain's measured FP32 FMA peak. Peers ran the same shape on the same data and "
                 "threads in the same process; 'resbench vs X': how much faster or slower resbench is than X.");
  rb_tab_free(t);
  return rows;
}

int rb_cmd_table(int argc, char **argv) {
  enum { O_FORMAT = 256, O_SECTION, O_PUBLISHED, O_SKIP_FOREIGN };
  static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
                                       {"section", required_argument, NULL, O_SECTION},
                                       {"published", required_argument, NULL, O_PUBLISHED},
                                       {"skip-foreign", no_argument, NULL, O_SKIP_FOREIGN},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  static ctx c;  // large: the documents
  memset(&c, 0, sizeof c);
  const char *sections = NULL, *published = "results/published.json";
  int opt, ret = 2, skip_foreign = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
      case O_SKIP_FOREIGN: skip_foreign = 1; break;
      case O_FORMAT:
        if (rb_tab_format_parse(optarg, &c.fmt) != RB_OK) {
          fprintf(stderr, "resbench table: %s\n", rb_last_error());
          return 2;
        }
        break;
      case O_SECTION: sections = optarg; break;
      case O_PUBLISHED: published = optarg; break;
      case 'h': fputs(help, stdout); return 0;
      default: fputs("resbench table: see 'resbench table --help'\n", stderr); return 2;
    }
  }
  static const char *const all[] = {"cost", "resnext", "resnest", "accuracy", "kernels"};
  int want[5] = {1, 1, 1, 1, 1}, explicit_sections = 0;
  if (sections) {
    explicit_sections = 1;
    memset(want, 0, sizeof want);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", sections);
    for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
      int k = 0;
      while (k < 5 && strcmp(all[k], tok)) k++;
      if (k == 5) {
        fprintf(stderr, "resbench table: --section: unknown section '%s' (valid: cost, resnext, resnest, accuracy, "
                        "kernels)\n", tok);
        return 2;
      }
      want[k] = 1;
    }
  }
  if (optind == argc) {
    fputs("resbench table: give at least one result document or check --json output\n", stderr);
    return 2;
  }
  c.checks = json_array();
  for (int i = optind; i < argc; i++) {
    rb_status s;
    int foreign = 0;
    if (rb_is_check_rows(argv[i])) {
      json_t *rows;
      if ((s = rb_check_rows_load(argv[i], &rows)) == RB_OK) json_array_extend(c.checks, rows), json_decref(rows);
    } else if (c.ndocs == MAX_FILES) {
      s = rb_fail(RB_ERR_INVALID_ARG, "at most %d result documents", MAX_FILES);
    } else if ((s = rb_doc_load_or_skip(argv[i], &c.docs[c.ndocs], skip_foreign ? &foreign : NULL)) == RB_OK) {
      if (foreign)
        fprintf(stderr, "resbench table: %s: not a resbench result document (no known \"kind\"): skipped\n", argv[i]);
      else
        c.ndocs++;
    }
    if (s != RB_OK) {
      fprintf(stderr, "resbench table: %s\n", rb_last_error());
      goto done;
    }
  }
  if ((want[0] || want[1] || want[2]) && rb_published_load(published, &c.pub) != RB_OK) {
    fprintf(stderr, "resbench table: published figures: %s\n", rb_last_error());
    goto done;
  }
  collect_wheres(&c);
  if (c.fmt == RB_TAB_MD) {
    printf("## resbench tables\n\n");
    for (int d = 0; d < c.ndocs; d++) {
      char base[512];
      snprintf(base, sizeof base, "%s", c.docs[d].path);
      const json_t *p0 = json_array_get(json_object_get(c.docs[d].doc, "points"), 0);
      const json_t *shard = json_object_get(c.docs[d].doc, "shards");
      printf("From %s (%s):\n\n", basename(base), c.docs[d].kind);
      rb_md_run_header(stdout, rb_doc_context(&c.docs[d], p0),
                       json_object_get(shard ? json_array_get(shard, 0) : c.docs[d].doc, "peaks"),
                       rb_doc_quick(&c.docs[d], p0));
    }
  }
  rb_status s = RB_OK;
  if (want[0] && s == RB_OK) s = table_cost(&c, stdout);
  if (want[1] && s == RB_OK) s = table_resnext(&c, stdout);
  if (want[2] && s == RB_OK) s = table_resnest(&c, stdout);
  if (s != RB_OK) {
    fprintf(stderr, "resbench table: %s\n", rb_last_error());
    goto done;
  }
  if (want[3]) {
    if (json_array_size(c.checks))
      table_accuracy(&c, stdout);
    else if (explicit_sections)
      fputs("resbench table: note: no 'check --json' rows given: no accuracy table\n", stderr);
  }
  if (want[4] && !table_kernels(&c, stdout) && explicit_sections)
    fputs("resbench table: note: no bench conv documents given: no kernel table\n", stderr);
  ret = 0;
done:
  for (int d = 0; d < c.ndocs; d++) rb_doc_free(&c.docs[d]);
  json_decref(c.checks);
  json_decref(c.pub);
  return ret;
}
