// `resbench plot FILE... --out DIR`: PNGs drawn by gnuplot (pngcairo) from result documents. Each
// plot leaves its data (.dat) and script (.gp) beside the PNG, so it can be redrawn or restyled.
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "report.h"
#include "resbench/conv.h"
#include "results.h"

#define MAX_FILES 64
#define MAX_SERIES 256
#define MAX_PTS 64

static const char help[] =
    "usage: resbench plot FILE... --out DIR [--gnuplot PROGRAM] [--skip-foreign]\n"
    "  Draws, from result documents (sweep, bench conv, bench model, merged), with gnuplot's\n"
    "  pngcairo terminal, each plot the files have data for:\n"
    "    cardinality.png   throughput against cardinality (ResNeXt-style widths), per ISA/domain\n"
    "    radix.png         ResNeSt throughput against radix, per cardinality x width\n"
    "    roofline-I-D.png  the roofline of ISA I in domain D (measured FMA peak, triad bandwidth) with each\n"
    "                      convolution of 'bench conv' as a point\n"
    "    peers.png         speed-up of resbench over each peer, layer by layer\n"
    "    scaling.png       speed-up from one core to the machine\n"
    "    cost.png          block time against multiply-adds for each family (what FLOPs hide)\n"
    "  Throughput of block-level points: images/s through the four stage-entry blocks\n"
    "  (layer1.0 .. layer4.0, medians summed). Each PNG has its .dat and .gp beside it.\n"
    "  --gnuplot: the program to run (default: $RESBENCH_GNUPLOT, else gnuplot). --skip-foreign: skip\n"
    "  (with a note) JSON files that are not resbench result documents instead of failing.\n";

typedef struct series {
  char title[96];
  double x[MAX_PTS], y[MAX_PTS];
  char label[MAX_PTS][48];
  int n;
} series;

typedef struct plotctx {
  rb_doc docs[MAX_FILES];
  int ndocs;
  const char *dir, *gnuplot;
  int made;
} plotctx;

static series *series_get(series *s, int *n, const char *title) {
  for (int i = 0; i < *n; i++)
    if (!strcmp(s[i].title, title)) return &s[i];
  if (*n == MAX_SERIES) return NULL;
  memset(&s[*n], 0, sizeof s[*n]);
  snprintf(s[*n].title, sizeof s[*n].title, "%s", title);
  return &s[(*n)++];
}

static void series_add(series *s, double x, double y, const char *label) {
  if (!s || s->n == MAX_PTS || !isfinite(x) || !isfinite(y)) return;
  for (int i = 0; i < s->n; i++)
    if (s->x[i] == x && !label) {  // later files win
      s->y[i] = y;
      return;
    }
  s->x[s->n] = x, s->y[s->n] = y;
  snprintf(s->label[s->n], sizeof s->label[0], "%s", label ? label : "");
  s->n++;
}

static int cmp_x(const void *a, const void *b) {
  const double *x = a, *y = b;
  return (*x > *y) - (*x < *y);
}

static void series_sort(series *s) {
  for (int i = 1; i < s->n; i++)  // insertion sort keeps x, y and label together
    for (int j = i; j > 0 && cmp_x(&s->x[j], &s->x[j - 1]) < 0; j--) {
      double t = s->x[j];
      s->x[j] = s->x[j - 1], s->x[j - 1] = t;
      t = s->y[j], s->y[j] = s->y[j - 1], s->y[j - 1] = t;
      char l[48];
      memcpy(l, s->label[j], sizeof l), memcpy(s->label[j], s->label[j - 1], sizeof l),
          memcpy(s->label[j - 1], l, sizeof l);
    }
}

static void where_of(const json_t *p, char *buf, size_t len) {
  snprintf(buf, len, "%s %s %.0ft", rb_jstr(p, "isa"), rb_jstr(p, "domain"), rb_jnum(p, "threads"));
}

// Writes DIR/name.dat and DIR/name.gp (settings, then the plot command: `first` (a clause such as a
// function, or NULL), one clause per series) and runs gnuplot.
static rb_status draw(plotctx *c, const char *name, const char *settings, const char *first, series *s, int ns,
                      const char *style) {
  char dat[600], gp[600], png[600];
  snprintf(dat, sizeof dat, "%s/%s.dat", c->dir, name);
  snprintf(gp, sizeof gp, "%s/%s.gp", c->dir, name);
  snprintf(png, sizeof png, "%s/%s.png", c->dir, name);
  char *text = NULL, *script = NULL;
  size_t tn = 0, sn = 0;
  FILE *f = open_memstream(&text, &tn), *g = open_memstream(&script, &sn);
  if (!f || !g) return rb_fail(RB_ERR_NOMEM, "out of memory for %s", dat);
  fprintf(g, "# resbench plot: %s (data in %s.dat)\nset terminal pngcairo size 900,600 noenhanced font ',11'\n"
             "set output '%s'\nset key below\nset grid\nset offsets graph 0.02, graph 0.02, 0, 0\n%s\nplot ",
          name, name, png, settings);
  if (first) fprintf(g, "%s, \\\n     ", first);
  for (int i = 0; i < ns; i++) {
    series_sort(&s[i]);
    fprintf(f, "# %s\n", s[i].title);
    for (int k = 0; k < s[i].n; k++)
      fprintf(f, "%.9g %.9g \"%s\"\n", s[i].x[k], s[i].y[k], s[i].label[k][0] ? s[i].label[k] : "-");
    fprintf(f, "\n\n");
    fprintf(g, "%s'%s' index %d %s%s title \"%s\"", i ? ", \\\n     " : "", dat, i,
            strncmp(style, "using", 5) ? "using 1:2 " : "", style, s[i].title);
  }
  fprintf(g, "\n");
  fclose(f);
  fclose(g);
  rb_status st = rb_file_save_atomic(dat, text, tn);
  if (st == RB_OK) st = rb_file_save_atomic(gp, script, sn);
  free(text);
  free(script);
  if (st != RB_OK) return st;
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "'%s' '%s' 2>&1", c->gnuplot, gp);
  FILE *p = popen(cmd, "r");
  if (!p) return rb_fail(RB_ERR_IO, "cannot run %s: %s", c->gnuplot, strerror(errno));
  char out[2048];
  const size_t got = fread(out, 1, sizeof out - 1, p);
  out[got] = 0;
  const int rc = pclose(p);
  if (rc != 0 || got) {
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
      return rb_fail(RB_ERR_IO, "cannot run '%s' (Debian: gnuplot-nox; tools/install-deps installs it)",
                     c->gnuplot);
    if (rc != 0) return rb_fail(RB_ERR_IO, "%s %s failed: %s", c->gnuplot, gp, out);
    fprintf(stderr, "resbench plot: gnuplot on %s said: %s", gp, out);
  }
  fprintf(stderr, "resbench plot: wrote %s\n", png);
  c->made++;
  return RB_OK;
}

// images/s of a point: network points as measured; block points through the four stage-entry
// blocks (NAN until all four of the same configuration and place are found).
typedef struct blocksum {
  char key[200];
  double ms;
  int n;
} blocksum;

// Throughput against an axis ("cardinality" for resnet/se/sk, "radix" for resnest).
static rb_status plot_axis(plotctx *c, const char *family, const char *axis, const char *name) {
  static series s[MAX_SERIES];
  int ns = 0;
  static blocksum bs[1024];
  int nb = 0;
  for (int d = 0; d < c->ndocs; d++) {
    if (strcmp(c->docs[d].kind, "sweep")) continue;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      if (strcmp(rb_jstr(p, "family"), family) || rb_jnum(p, "res") != 224) continue;
      char where[64], title[96], key[200];
      where_of(p, where, sizeof where);
      const int is_net = !strcmp(rb_jstr(p, "level"), "network");
      if (!strcmp(axis, "radix"))
        snprintf(title, sizeof title, "%.0fx%.0fd %s, %s", rb_jnum(p, "cardinality"), rb_jnum(p, "width"), where,
                 is_net ? "network" : "blocks");
      else
        snprintf(title, sizeof title, "%s d%.0f %s, %s", family, rb_jnum(p, "depth"), where,
                 is_net ? "network" : "blocks");
      const double b = rb_jnum(p, "batch") > 0 ? rb_jnum(p, "batch") : 1;
      if (is_net) {
        series_add(series_get(s, &ns, title), rb_jnum(p, axis), rb_jnum(p, "images_per_s"), NULL);
        continue;
      }
      snprintf(key, sizeof key, "%d|%s|%.0f|%.0f|%.0f", d, title, rb_jnum(p, "cardinality"), rb_jnum(p, "width"),
               rb_jnum(p, "radix"));  // per document: a later file's blocks replace, not add to, an earlier one's
      int k = 0;
      while (k < nb && strcmp(bs[k].key, key)) k++;
      if (k == nb) {
        if (nb == 1024) continue;
        snprintf(bs[nb].key, sizeof bs[nb].key, "%s", key), bs[nb].ms = 0, bs[nb].n = 0, nb++;
      }
      bs[k].ms += rb_jnum(p, "median_ms") / b, bs[k].n++;
      if (bs[k].n == 4) series_add(series_get(s, &ns, title), rb_jnum(p, axis), 1e3 / bs[k].ms, NULL);
    }
  }
  int useful = 0;
  for (int i = 0; i < ns; i++) useful |= s[i].n > 1;
  if (!useful) {
    fprintf(stderr, "resbench plot: no %s points at two or more %s values: no %s.png\n", family, axis, name);
    return RB_OK;
  }
  char settings[600];
  snprintf(settings, sizeof settings,
           "set title \"%s: throughput against %s (224 px, batch-normalised)\"\nset xlabel \"%s\"\n"
           "set ylabel \"images/s (blocks: through layer1.0..layer4.0)\"\nset logscale x 2\nset yrange [0:*]\n",
           family, axis, axis);
  return draw(c, name, settings, NULL, s, ns, "with linespoints lw 2 pt 7");
}

// One roofline per bench conv document and domain: the peak and bandwidth measured in that run,
// with that run's convolutions (ours and each peer's) as points.
static rb_status plot_roofline(plotctx *c) {
  int drawn = 0;
  for (int d = 0; d < c->ndocs; d++) {
    if (strcmp(c->docs[d].kind, "bench-conv")) continue;
    const json_t *pk;
    size_t i;
    json_array_foreach(json_object_get(c->docs[d].doc, "peaks"), i, pk) {
      const char *dom = rb_jstr(pk, "domain");
      const double peak = rb_jnum(pk, "fma_gflops"), bw = rb_jnum(pk, "stream_gbs");
      if (!(peak > 0) || !(bw > 0)) continue;
      static series s[MAX_SERIES];
      int ns = 0;
      size_t k;
      const json_t *p;
      json_array_foreach(json_object_get(c->docs[d].doc, "points"), k, p) {
        rb_conv_desc cd;
        if (strcmp(rb_jstr(p, "domain"), dom) || rb_conv_desc_parse(rb_jstr(p, "problem"), &cd) != RB_OK) continue;
        // Compulsory traffic: input, weights and output once each (a lower bound, as the gbench counter).
        const double bytes = 4.0 * ((double)cd.n * cd.h * cd.w * cd.cin +
                                    (double)cd.cout * (cd.cin / cd.groups) * cd.kh * cd.kw +
                                    (double)cd.n * rb_conv_out_h(&cd) * rb_conv_out_w(&cd) * cd.cout);
        const double ai = 2 * rb_jnum(p, "macs") / bytes;
        char t[96], key[96];
        snprintf(t, sizeof t, "resbench %s (%s)", rb_jstr(p, "isa"), rb_jstr(p, "algo"));
        series_add(series_get(s, &ns, t), ai, rb_jnum(p, "gflops"), rb_jstr(p, "problem"));
        const char *pk2;
        const json_t *v;
        json_object_foreach((json_t *)p, pk2, v) {
          const size_t l = strlen(pk2);
          if (l < 11 || strcmp(pk2 + l - 10, "_median_ms") || l - 10 >= 40) continue;
          snprintf(t, sizeof t, "%.*s", (int)(l - 10), pk2);
          snprintf(key, sizeof key, "%.40s_gflops", t);
          series_add(series_get(s, &ns, t), ai, rb_jnum(p, key), rb_jstr(p, "problem"));
        }
      }
      if (!ns) continue;
      double ymax = peak * 3;  // room above the roof for peers (and Winograd's direct-equivalent rate)
      for (int j = 0; j < ns; j++)
        for (int q = 0; q < s[j].n; q++) ymax = fmax(ymax, 2 * s[j].y[q]);
      char settings[900], name[64];
      // roofline-<isa>-<domain>.png; a second document of that ISA and domain gets -2, -3, ...
      const char *isa = rb_jstr(json_array_get(json_object_get(c->docs[d].doc, "points"), 0), "isa");
      int same = 0;
      for (int e = 0; e < d; e++) {
        if (strcmp(c->docs[e].kind, "bench-conv") ||
            strcmp(rb_jstr(json_array_get(json_object_get(c->docs[e].doc, "points"), 0), "isa"), isa))
          continue;
        size_t j;
        const json_t *q;
        json_array_foreach(json_object_get(c->docs[e].doc, "peaks"), j, q) same += !strcmp(rb_jstr(q, "domain"), dom);
      }
      if (same)
        snprintf(name, sizeof name, "roofline-%s-%s-%d", isa, dom, same + 1);
      else
        snprintf(name, sizeof name, "roofline-%s-%s", isa, dom);
      snprintf(settings, sizeof settings,
               "set title \"Roofline, %s domain (%.0f thread(s)): FMA peak %.0f GFLOP/s, triad %.1f GB/s (%s)\"\n"
               "set xlabel \"arithmetic intensity (FLOP per byte of input + weights + output, each once)\"\n"
               "set ylabel \"GFLOP/s\"\nset logscale xy\nset xrange [0.1:1000]\nset yrange [0.1:%g]\n"
               "roof(x) = x * %g < %g ? x * %g : %g\n"
               "set label 1 \"FMA peak\" at 200,%g*1.15\nset label 2 \"triad %.0f GB/s\" at 0.15,%g rotate by 30\n",
               dom, rb_jnum(pk, "threads"), peak, bw, rb_jstr(rb_doc_context(&c->docs[d], NULL), "date"), ymax, bw,
               peak, bw, peak, peak, bw, 0.15 * bw * 1.3);
      const rb_status st = draw(c, name, settings, "roof(x) with lines lw 3 lc rgb '#404040' title \"roofline\"", s,
                                ns, "with points pt 7 ps 1.5");
      if (st != RB_OK) return st;
      drawn++;
    }
  }
  if (!drawn) fputs("resbench plot: no bench conv points with a measured peak: no roofline\n", stderr);
  return RB_OK;
}

// Speed-up of resbench over each peer, layer by layer: one PNG per source and domain (the bench
// conv problems of a document; the per-layer breakdown of a bench model or sweep point with peers).
#define MAX_CHARTS 16
static rb_status plot_peers(plotctx *c) {
  static series s[MAX_CHARTS][8];
  static char names[MAX_CHARTS][80], titles[MAX_CHARTS][160];
  int ns[MAX_CHARTS] = {0}, xs[MAX_CHARTS] = {0}, nch = 0;
  for (int d = 0; d < c->ndocs; d++) {
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      const json_t *layers = json_object_get(p, "layers");
      const int conv = !strcmp(c->docs[d].kind, "bench-conv");
      if (!conv && !json_is_array(layers)) continue;
      char name[80], title[160];
      const char *what = conv ? "conv" : *rb_jstr(p, "model") ? rb_jstr(p, "model") : rb_jstr(p, "family");
      snprintf(name, sizeof name, "peers-%s-%s-%s", what, rb_jstr(p, "isa"), rb_jstr(p, "domain"));
      snprintf(title, sizeof title, "%s, %s, %s domain (%.0f thread(s))",
               conv ? "bench conv problems" : what, rb_jstr(p, "isa"), rb_jstr(p, "domain"), rb_jnum(p, "threads"));
      int ch = 0;
      while (ch < nch && strcmp(names[ch], name)) ch++;
      if (ch == nch) {
        if (nch == MAX_CHARTS) continue;
        snprintf(names[nch], sizeof names[0], "%s", name);
        snprintf(titles[nch], sizeof titles[0], "%s", title);
        nch++;
      }
      const size_t nl = conv ? 1 : json_array_size(layers);
      for (size_t l = 0; l < nl; l++) {
        const json_t *r = conv ? p : json_array_get(layers, l);
        const double ours = conv ? rb_jnum(r, "median_ms") : rb_jnum(r, "ours_ms");
        const char *label = conv ? rb_jstr(r, "problem") : rb_jstr(r, "layer");
        const char *suffix = conv ? "_median_ms" : "_ms";
        int any = 0;
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)r, k, v) {
          const size_t kl = strlen(k), sl = strlen(suffix);
          if (kl <= sl || strcmp(k + kl - sl, suffix) || !strcmp(k, "ours_ms") || kl - sl >= 40) continue;
          char t[96];
          snprintf(t, sizeof t, "over %.*s", (int)(kl - sl), k);
          int j = 0;
          while (j < ns[ch] && strcmp(s[ch][j].title, t)) j++;
          if (j == ns[ch]) {
            if (j == 8) continue;
            memset(&s[ch][j], 0, sizeof s[ch][j]);
            snprintf(s[ch][j].title, sizeof s[ch][j].title, "%s", t);
            ns[ch]++;
          }
          series_add(&s[ch][j], xs[ch], json_number_value(v) / ours, label);
          any = 1;
        }
        xs[ch] += any;
      }
    }
  }
  int drawn = 0;
  for (int ch = 0; ch < nch; ch++) {
    if (!ns[ch]) continue;
    char settings[700];
    snprintf(settings, sizeof settings,
             "set title \"Speed-up of resbench over the peers, layer by layer: %.150s\\n(peer time / resbench time: "
             "> 1 means resbench is faster)\"\n"
             "set ylabel \"peer time / resbench time\"\nset logscale y\nset xtics rotate by -40 font ',8'\n"
             "set xrange [-0.5:%d.5]\nset bmargin 11\n",
             titles[ch], xs[ch] - 1);
    const rb_status st = draw(c, names[ch], settings, NULL, s[ch], ns[ch], "using 1:2:xtic(3) with points pt 7 ps 1.5");
    if (st != RB_OK) return st;
    drawn++;
  }
  if (!drawn) fputs("resbench plot: no peer measurements: no peers-*.png\n", stderr);
  return RB_OK;
}

// Speed-up from the fewest threads to the most for each configuration measured at several.
static rb_status plot_scaling(plotctx *c) {
  static series s[MAX_SERIES];
  int ns = 0;
  for (int d = 0; d < c->ndocs; d++) {
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      char cfg[256], base[300];
      rb_point_config(&c->docs[d], p, 1, cfg, sizeof cfg);
      char *dom = strrchr(cfg, ' ');  // configuration without its domain
      if (dom) *dom = 0;
      // Networks only when the files have them, else blocks: a readable number of lines.
      snprintf(base, sizeof base, "%s", cfg);
      series_add(series_get(s, &ns, base), rb_jnum(p, "threads"), rb_jnum(p, "median_ms"), NULL);
    }
  }
  static series out[MAX_SERIES];
  int no = 0, have_net = 0;
  for (int i = 0; i < ns; i++) have_net |= s[i].n > 1 && strstr(s[i].title, "network") != NULL;
  for (int i = 0; i < ns && no < 10; i++) {
    if (s[i].n < 2 || (have_net && !strstr(s[i].title, "network"))) continue;
    series_sort(&s[i]);
    out[no] = s[i];
    for (int k = 0; k < s[i].n; k++) out[no].y[k] = s[i].y[0] / s[i].y[k];
    no++;
  }
  if (!no) {
    fputs("resbench plot: no configuration measured at two thread counts: no scaling.png\n", stderr);
    return RB_OK;
  }
  double maxt = 1;
  for (int i = 0; i < no; i++) maxt = fmax(maxt, out[i].x[out[i].n - 1]);
  char settings[400];
  snprintf(settings, sizeof settings,
           "set title \"Scaling from one core to the machine (one pinned thread per core)\"\nset xlabel \"threads\"\n"
           "set ylabel \"speed-up over the fewest threads\"\nset xrange [0.8:%g]\nset yrange [0:*]\nset xtics 1\n"
           "set key font ',8'\n",
           maxt * 1.1);
  return draw(c, "scaling", settings, "x with lines dt 2 lw 2 lc rgb 'gray' title \"ideal\"", out, no, "with linespoints lw 2 pt 7");
}

// Block time against multiply-adds, per family, at one place (the first ISA/domain with blocks).
static rb_status plot_cost(plotctx *c) {
  static series s[MAX_SERIES];
  int ns = 0;
  char where0[64] = "";
  for (int d = 0; d < c->ndocs; d++) {
    if (strcmp(c->docs[d].kind, "sweep")) continue;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(c->docs[d].doc, "points"), i, p) {
      if (strcmp(rb_jstr(p, "level"), "block")) continue;
      char where[64];
      where_of(p, where, sizeof where);
      if (!*where0) snprintf(where0, sizeof where0, "%s", where);
      if (strcmp(where, where0)) continue;
      const double b = rb_jnum(p, "batch") > 0 ? rb_jnum(p, "batch") : 1;
      char label[48];
      snprintf(label, sizeof label, "%s", rb_jstr(p, "block"));
      series_add(series_get(s, &ns, rb_jstr(p, "family")), rb_jnum(p, "macs") / b / 1e9, rb_jnum(p, "median_ms") / b,
                 label);
    }
  }
  if (!ns) {
    fputs("resbench plot: no block-level sweep points: no cost.png\n", stderr);
    return RB_OK;
  }
  char settings[500];
  snprintf(settings, sizeof settings,
           "set title \"Block time against multiply-adds (%s): what FLOPs hide\"\n"
           "set xlabel \"G multiply-adds per image (convolutions and FCs)\"\nset ylabel \"ms per image\"\n"
           "set xrange [0:*]\nset yrange [0:*]\n",
           where0);
  return draw(c, "cost", settings, NULL, s, ns, "with points pt 7 ps 1.5");
}

int rb_cmd_plot(int argc, char **argv) {
  enum { O_OUT = 256, O_GNUPLOT, O_SKIP_FOREIGN };
  static const struct option opts[] = {{"out", required_argument, NULL, O_OUT},
                                       {"gnuplot", required_argument, NULL, O_GNUPLOT},
                                       {"skip-foreign", no_argument, NULL, O_SKIP_FOREIGN},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  static plotctx c;
  memset(&c, 0, sizeof c);
  const char *env = getenv("RESBENCH_GNUPLOT");
  c.gnuplot = env && *env ? env : "gnuplot";
  int opt, ret = 2, skip_foreign = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
      case O_SKIP_FOREIGN: skip_foreign = 1; break;
      case O_OUT: c.dir = optarg; break;
      case O_GNUPLOT: c.gnuplot = optarg; break;
      case 'h': fputs(help, stdout); return 0;
      default: fputs("resbench plot: see 'resbench plot --help'\n", stderr); return 2;
    }
  }
  if (!c.dir || optind == argc) {
    fputs("resbench plot: give result documents and --out DIR\n", stderr);
    return 2;
  }
  if (strchr(c.dir, '\'') || strchr(c.gnuplot, '\'')) {
    fputs("resbench plot: --out and --gnuplot must not contain a single quote\n", stderr);
    return 2;
  }
  for (int i = optind; i < argc; i++) {
    int foreign = 0;
    if (c.ndocs == MAX_FILES || rb_doc_load_or_skip(argv[i], &c.docs[c.ndocs], skip_foreign ? &foreign : NULL) != RB_OK) {
      fprintf(stderr, "resbench plot: %s\n", c.ndocs == MAX_FILES ? "too many files" : rb_last_error());
      goto done;
    }
    if (foreign)
      fprintf(stderr, "resbench plot: %s: not a resbench result document (no known \"kind\"): skipped\n", argv[i]);
    else
      c.ndocs++;
  }
  if (rb_results_mkdir(c.dir) != RB_OK) {
    fprintf(stderr, "resbench plot: %s\n", rb_last_error());
    goto done;
  }
  rb_status s = plot_axis(&c, "resnet", "cardinality", "cardinality");
  if (s == RB_OK) s = plot_axis(&c, "resnest", "radix", "radix");
  if (s == RB_OK) s = plot_roofline(&c);
  if (s == RB_OK) s = plot_peers(&c);
  if (s == RB_OK) s = plot_scaling(&c);
  if (s == RB_OK) s = plot_cost(&c);
  if (s != RB_OK) {
    fprintf(stderr, "resbench plot: %s\n", rb_last_error());
    ret = 1;
    goto done;
  }
  fprintf(stderr, "resbench plot: %d plot(s) in %s\n", c.made, c.dir);
  ret = c.made ? 0 : 1;
done:
  for (int i = 0; i < c.ndocs; i++) rb_doc_free(&c.docs[i]);
  return ret;
}
