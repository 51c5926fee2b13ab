// `resbench models` and `resbench count MODEL`: the registry and exact cost accounting.
#include <getopt.h>
#include <math.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"
#include "resbench/model.h"

// Decimal digits only: strtol alone would take " 64", "+64" and "-0".
static int all_digits(const char *s, size_t n) {
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

int rb_cli_int(const char *cmd, const char *opt, const char *s, int lo, int hi, int *out) {
  const size_t n = strlen(s);
  const long v = all_digits(s, n) && n <= 10 ? strtol(s, NULL, 10) : -1;
  if (v < lo || v > hi) {
    fprintf(stderr, "resbench %s: %s must be an integer in %d..%d, got '%s'\n", cmd, opt, lo, hi, s);
    return 0;
  }
  *out = (int)v;
  return 1;
}

int rb_cli_seconds(const char *cmd, const char *opt, const char *s, double *out) {
  // DIGITS[.DIGITS]: no sign, spaces, exponent, hex (0x10), inf or nan, which strtod would take.
  const char *dot = strchr(s, '.');
  const size_t ip = dot ? (size_t)(dot - s) : strlen(s);
  const int ok = all_digits(s, ip) && (!dot || all_digits(dot + 1, strlen(dot + 1)));
  const double v = ok ? strtod(s, NULL) : -1;
  if (!(v >= 0 && v <= 3600)) {
    fprintf(stderr, "resbench %s: %s must be seconds in 0..3600 (like 0.5), got '%s'\n", cmd, opt, s);
    return 0;
  }
  *out = v;
  return 1;
}

int rb_cli_bytes(const char *cmd, const char *opt, const char *s, double *out) {
  const size_t n = strlen(s), digits = strspn(s, "0123456789");
  static const char units[] = "KMGT";
  const char *u = digits == n - 1 && n > 1 ? strchr(units, s[n - 1]) : NULL;
  double v = -1;
  if (digits == n && n > 0 && n <= 15) v = strtod(s, NULL) * 1048576;  // plain: MiB
  else if (u && s[n - 1] && digits <= 15) v = strtod(s, NULL) * (double)(1ull << (10 * (u - units + 1)));
  if (!(v >= 1)) {
    fprintf(stderr, "resbench %s: %s must be a size like 512M, 8G or 1T (K, M, G, T: binary units; no unit: MiB), "
            "got '%s'\n", cmd, opt, s);
    return 0;
  }
  *out = v;
  return 1;
}

double rb_available_memory(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  double kib = 0;
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) break;
  if (f) fclose(f);
  if (kib > 0) return kib * 1024;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? (double)pages * page : 0;
}

static const char *human_bytes(double b, char *buf, size_t len) {
  if (b >= 1073741824.0) snprintf(buf, len, "%.2f GiB", b / 1073741824.0);
  else snprintf(buf, len, "%.1f MiB", b / 1048576.0);
  return buf;
}

int rb_cli_memory_fits(const char *cmd, const char *what, double need, double limit, int limit_given) {
  if (limit <= 0 || need <= limit) return 1;
  char n[32], l[32];
  fprintf(stderr, "resbench %s: %s needs about %s, more than %s %s: refused before starting (use a smaller batch, "
          "resolution or width%s)\n", cmd, what, human_bytes(need, n, sizeof n),
          limit_given ? "--max-memory" : "the machine's available memory", human_bytes(limit, l, sizeof l),
          limit_given ? "" : ", or set --max-memory");
  return 0;
}

int rb_cmd_models(int argc, char **argv) {
  int json = argc > 1 && strcmp(argv[1], "--json") == 0;
  if (argc > 1 + json) {
    fprintf(stderr, "resbench models: unexpected argument '%s'\n", argv[1 + json]);
    return 2;
  }
  for (size_t i = 0; i < rb_model_registry_count(); i++) {
    const char *name = rb_model_registry_name(i);
    rb_model_spec s;
    rb_model_find(name, &s);
    if (json) {
      json_t *o = json_pack("{s:s, s:s, s:i, s:[iiii], s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:s, s:i, s:b, s:b, s:b, s:i, s:i}",
                            "model", name, "family", rb_family_name(s.family), "depth", rb_model_depth(&s), "layers",
                            s.layers[0], s.layers[1], s.layers[2], s.layers[3], "block",
                            s.block == RB_BLOCK_BASIC ? "basic" : "bottleneck", "cardinality", s.cardinality,
                            "base_width", s.base_width, "radix", s.radix, "se_reduction", s.se_reduction, "sk_paths",
                            s.family == RB_FAMILY_SK ? s.sk_paths : 0, "sk_split_input", s.sk_split_input, "stem",
                            s.stem == RB_STEM_DEEP ? "deep" : "7x7", "stem_width", s.stem_width, "avd", s.avd,
                            "avd_first", s.avd_first, "avg_down", s.avg_down, "num_classes", s.num_classes,
                            "default_res", s.default_res);
      char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
      puts(line);
      free(line);
      json_decref(o);
    } else {
      char buf[256];
      rb_model_spec_format(&s, buf, sizeof buf);
      printf("%-20s %s\n", name, buf);
    }
  }
  return 0;
}

int rb_cmd_count(int argc, char **argv) {
  static const struct option opts[] = {{"res", required_argument, NULL, 'r'},
                                       {"batch", required_argument, NULL, 'b'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"block", required_argument, NULL, 'B'},
                                       {0}};
  int res = 0, batch = 1, json = 0, c;
  const char *block = NULL;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'r': if (!rb_cli_int("count", "--res", optarg, RB_MODEL_MIN_RES, 4096, &res)) return 2; break;
      case 'b': if (!rb_cli_int("count", "--batch", optarg, 1, 65536, &batch)) return 2; break;
      case 'j': json = 1; break;
      case 'B': block = optarg; break;
      default: fputs("resbench count: see 'resbench help'\n", stderr); return 2;
    }
  }
  if (optind != argc - 1) {
    fputs("resbench count: give exactly one MODEL (see 'resbench models')\n", stderr);
    return 2;
  }
  const char *name = argv[optind];
  rb_model_spec spec;
  rb_graph *g;
  if (rb_model_find(name, &spec) != RB_OK) {
    fprintf(stderr, "resbench count: %s\n", rb_last_error());
    return 2;
  }
  if (!res) res = spec.default_res;
  if ((block ? rb_graph_build_block(&spec, block, batch, res, res, &g) : rb_graph_build(&spec, batch, res, res, &g)) !=
      RB_OK) {
    fprintf(stderr, "resbench count: %s: %s\n", name, rb_last_error());
    return 2;
  }
  // Published figures come from the one sourced data file (results/published.json, or
  // $RESBENCH_PUBLISHED); without it the count is printed alone.
  const char *pub_path = getenv("RESBENCH_PUBLISHED");
  if (!pub_path || !*pub_path) pub_path = "results/published.json";
  json_t *pubs = NULL;
  const json_t *pub = NULL;
  if (!block && rb_published_load(pub_path, &pubs) == RB_OK) pub = rb_published_find(pubs, "models", "model", name);
  char pub_text[512] = "";
  if (pub) {
    const json_t *src = json_array_get(json_object_get(pubs, "sources"), (size_t)rb_published_source(pubs, pub) - 1);
    const double err = rb_jnum(pub, "top1_err"), acc = rb_jnum(pub, "top1_acc");
    snprintf(pub_text, sizeof pub_text, "%s: top-1 %s %.2f %%", rb_jstr(pub, "label"), isnan(err) ? "accuracy" : "error",
             isnan(err) ? acc : err);
    if (!isnan(rb_jnum(pub, "params_m")))
      snprintf(pub_text + strlen(pub_text), sizeof pub_text - strlen(pub_text), ", %.1f M params, %.2f GFLOPs",
               rb_jnum(pub, "params_m"), rb_jnum(pub, "gflops"));
    snprintf(pub_text + strlen(pub_text), sizeof pub_text - strlen(pub_text), " (%s)", rb_jstr(src, "text"));
  }
  if (json) {
    json_t *layers = json_array();
    for (int i = 0; i < g->count; i++) {
      const rb_layer *l = &g->layers[i];
      json_t *e = json_pack("{s:s, s:s, s:[iiii], s:I, s:I, s:I, s:I}", "name", l->name, "kind",
                            rb_layer_kind_name(l->kind), "output_shape", l->out.n, l->out.c, l->out.h, l->out.w,
                            "params", (json_int_t)l->params, "macs", (json_int_t)l->macs, "bn_elements",
                            (json_int_t)l->bn_elements, "elem_ops", (json_int_t)l->elem_ops);
      if (l->kind == RB_LAYER_CONV) {  // its benchdnn problem, for `resbench bench conv`
        char problem[160];
        rb_conv_desc_format(&l->conv, problem, sizeof problem);
        json_object_set_new(e, "problem", json_string(problem));
      }
      json_array_append_new(layers, e);
    }
    json_t *o = json_pack("{s:s, s:s?, s:i, s:i, s:I, s:I, s:I, s:I, s:o}", "model", name, "block", block, "res",
                          res, "batch", batch, "params", (json_int_t)g->params, "macs", (json_int_t)g->macs,
                          "bn_elements", (json_int_t)g->bn_elements, "elem_ops", (json_int_t)g->elem_ops, "layers",
                          layers);
    if (pub) {
      json_t *pc = json_deep_copy(pub);
      json_object_set_new(pc, "source",
                          json_incref(json_object_get(
                              json_array_get(json_object_get(pubs, "sources"), (size_t)rb_published_source(pubs, pub) - 1),
                              "text")));
      json_object_set_new(o, "published", pc);
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(text);
    free(text);
    json_decref(o);
  } else {
    printf("%s at %dx%d, batch %d. MACs: multiply-adds of convolutions and FCs (1 MAC = 1 multiply-add;\n"
           "padding taps counted); element ops (pooling taps, activations, attention, adds) listed apart.\n\n",
           name, res, res, batch);
    if (block) {
      const rb_shape in = g->tensors[0];
      printf("block %s: input %dx%dx%dx%d (NCHW) where the network has it.\n\n", block, in.n, in.c, in.h, in.w);
    }
    printf("%-36s %-11s %-20s %12s %16s %14s\n", "layer", "kind", "output (NCHW)", "params", "MACs", "elem ops");
    for (int i = 0; i < g->count; i++) {
      const rb_layer *l = &g->layers[i];
      char shape[32];
      snprintf(shape, sizeof shape, "%dx%dx%dx%d", l->out.n, l->out.c, l->out.h, l->out.w);
      char a[32], b[32], e[32];
      printf("%-36s %-11s %-20s %12s %16s %14s\n", l->name, rb_layer_kind_name(l->kind), shape,
             rb_fmt_grouped(l->params, 0, a, sizeof a), rb_fmt_grouped(l->macs, 0, b, sizeof b),
             rb_fmt_grouped(l->elem_ops, 0, e, sizeof e));
    }
    char a[32], b[32], e[32], f[32];
    printf("\ntotal: %s params (%.2f M), %s MACs (%.3f G), %s BN elements (folded), %s element ops\n",
           rb_fmt_grouped(g->params, 0, a, sizeof a), g->params / 1e6, rb_fmt_grouped(g->macs, 0, b, sizeof b),
           g->macs / 1e9, rb_fmt_grouped(g->bn_elements, 0, e, sizeof e), rb_fmt_grouped(g->elem_ops, 0, f, sizeof f));
    if (pub) printf("published: %s\n", pub_text);
  }
  json_decref(pubs);
  rb_graph_destroy(g);
  return 0;
}
