// `resbench sweep`: measures every point of a grid over family, depth, cardinality, radix, width,
// SE reduction and SK paths, at block and network level, per ISA and topology domain. Each point is
// saved (atomically, the whole document) as soon as it is measured, so an interrupted sweep keeps
// every finished point and --resume measures only the rest.
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commands.h"
#include "peak.h"
#include "record.h"
#include "resbench/resbench.h"
#include "report.h"
#include "results.h"
#include "shard.h"
#include "sweep.h"

typedef struct sweep_opts {
  rb_sweep_grid grid;
  const char *algo, *peers, *results, *resume_path;
  int resume, quick, no_peak, max_points, json;
  int shard_k, shard_n;  // --shard K/N (0: not sharded)
  const char *shard;
  double min_time, max_memory;
} sweep_opts;

static int parse(sweep_opts *o, int argc, char **argv) {
  enum { O_ALGO = 256, O_PEERS, O_RESULTS, O_RESUME, O_QUICK, O_NO_PEAK, O_MIN_TIME, O_MAX_POINTS, O_SHARD, O_MAX_MEMORY };
  static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                       {"depth", required_argument, NULL, 'd'},
                                       {"cardinality", required_argument, NULL, 'c'},
                                       {"radix", required_argument, NULL, 'r'},
                                       {"width", required_argument, NULL, 'w'},
                                       {"cxw", required_argument, NULL, 'x'},
                                       {"se-reduction", required_argument, NULL, 'e'},
                                       {"sk-paths", required_argument, NULL, 'k'},
                                       {"level", required_argument, NULL, 'l'},
                                       {"isa", required_argument, NULL, 'i'},
                                       {"domains", required_argument, NULL, 'D'},
                                       {"batch", required_argument, NULL, 'b'},
                                       {"res", required_argument, NULL, 'R'},
                                       {"algo", required_argument, NULL, O_ALGO},
                                       {"peers", required_argument, NULL, O_PEERS},
                                       {"results", required_argument, NULL, O_RESULTS},
                                       {"resume", optional_argument, NULL, O_RESUME},
                                       {"quick", no_argument, NULL, O_QUICK},
                                       {"no-peak", no_argument, NULL, O_NO_PEAK},
                                       {"min-time", required_argument, NULL, O_MIN_TIME},
                                       {"max-points", required_argument, NULL, O_MAX_POINTS},
                                       {"shard", required_argument, NULL, O_SHARD},
                                       {"max-memory", required_argument, NULL, O_MAX_MEMORY},
                                       {0}};
  static const char *const grid_names[128] = {
      ['f'] = "family", ['d'] = "depth",        ['c'] = "cardinality", ['r'] = "radix",
      ['w'] = "width",  ['e'] = "se-reduction", ['k'] = "sk-paths",    ['l'] = "level",
      ['i'] = "isa",    ['D'] = "domains",      ['b'] = "batch",       ['R'] = "res",  ['x'] = "cxw"};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c > 0 && c < 128 && grid_names[c]) {
      if (rb_sweep_grid_set(&o->grid, grid_names[c], optarg) != RB_OK) {
        fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
        return 0;
      }
      continue;
    }
    switch (c) {
      case O_ALGO: o->algo = optarg; break;
      case O_PEERS: o->peers = optarg; break;
      case O_RESULTS: o->results = optarg; break;
      case O_RESUME: o->resume = 1, o->resume_path = optarg; break;
      case O_QUICK: o->quick = 1; break;
      case O_NO_PEAK: o->no_peak = 1; break;
      case O_MIN_TIME:
        if (!rb_cli_seconds("sweep", "--min-time", optarg, &o->min_time)) return 0;
        break;
      case O_MAX_POINTS:
        if (!rb_cli_int("sweep", "--max-points", optarg, 1, 1 << 30, &o->max_points)) return 0;
        break;
      case O_SHARD:
        if (rb_shard_parse(optarg, &o->shard_k, &o->shard_n) != RB_OK) {
          fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
          return 0;
        }
        o->shard = optarg;
        break;
      case O_MAX_MEMORY:
        if (!rb_cli_bytes("sweep", "--max-memory", optarg, &o->max_memory)) return 0;
        break;
      default: fputs("resbench sweep: see 'resbench help'\n", stderr); return 0;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "resbench sweep: unexpected argument '%s'\n", argv[optind]);
    return 0;
  }
  return 1;
}

// The newest sweep document in dir whose grid equals this one (NULL when none).
static char *find_resumable(const char *dir, const json_t *grid) {
  char **paths = NULL;
  int n = 0;
  char *found = NULL;
  if (rb_results_list(dir, "sweep-", &paths, &n) != RB_OK) return NULL;  // no directory yet: nothing to resume
  for (int i = 0; i < n && !found; i++) {
    json_t *doc;
    if (rb_json_load(paths[i], &doc) != RB_OK) continue;
    if (json_equal(json_object_get(doc, "grid"), (json_t *)grid)) found = strdup(paths[i]);
    json_decref(doc);
  }
  rb_results_list_free(paths, n);
  return found;
}

// The point's identity: what was measured (the measurements are added by the runner).
static json_t *point_json(const rb_sweep_point *p) {
  return json_pack("{s:s, s:s, s:s?, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s?, s:s, s:s, s:i, s:i}", "key", p->key,
                   "family", rb_family_name(p->family), "model", p->model, "depth", p->depth, "cardinality",
                   p->cardinality, "radix", p->radix, "width", p->width, "se_reduction", p->se_reduction, "sk_paths",
                   p->sk_paths, "level", rb_sweep_level_name(p->level), "block", p->block[0] ? p->block : NULL, "isa",
                   rb_isa_name(p->isa), "domain", rb_domain_kind_name(p->domain), "batch", p->batch, "res", p->res);
}

static int point_done(const json_t *doc, const char *key) {
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(doc, "points"), i, p) {
    const char *k = json_string_value(json_object_get(p, "key"));
    if (k && strcmp(k, key) == 0) return 1;
  }
  return 0;
}

static double num(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

// A percentage key as a table cell: "not measured" when null (--no-peak).
static const char *pct_cell(const json_t *p, const char *key, char *buf, size_t len) {
  const json_t *v = json_object_get(p, key);
  if (json_is_number(v))
    snprintf(buf, len, "%.1f", json_number_value(v));
  else
    snprintf(buf, len, "not measured");
  return buf;
}

// The document's points as a Markdown table (to f).
void rb_sweep_markdown(FILE *f, const json_t *doc, const rb_peer *const *peers, int npeers) {
  rb_md_run_header(f, json_object_get(doc, "context"), json_object_get(doc, "peaks"),
                   json_is_true(json_object_get(json_object_get(doc, "grid"), "quick")));
  fprintf(f,
          "| point | model | level | isa | domain | threads | params (M) | G MACs | median ms | images/s | "
          "GFLOP/s | %% peak | %% ISA peak |");
  if (npeers) fprintf(f, " conv ms |");
  for (int j = 0; j < npeers; j++) fprintf(f, " %s conv ms | resbench vs %s |", peers[j]->name, peers[j]->name);
  fprintf(f, "\n|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  if (npeers) fprintf(f, "---:|");
  for (int j = 0; j < npeers; j++) fprintf(f, "---:|---:|");
  fputc('\n', f);
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(doc, "points"), i, p) {
    // %g, not (int): a resumed document is input, and 1e300 must not reach a float-to-int conversion.
    char spec[96];
    snprintf(spec, sizeof spec, "%s d%g c%g r%g w%g", str(p, "family"), num(p, "depth"), num(p, "cardinality"),
             num(p, "radix"), num(p, "width"));
    const char *model = json_string_value(json_object_get(p, "model"));
    char level[48];
    snprintf(level, sizeof level, "%s%s%s", str(p, "level"), str(p, "block")[0] ? " " : "", str(p, "block"));
    char pct[32], isa_pct[32];
    fprintf(f, "| %s | %s | %s | %s | %s | %g | %.2f | %.3f | %.3f | %.1f | %.2f | %s | %s |", spec, model ? model : "-",
            level, str(p, "isa"), str(p, "domain"), num(p, "threads"), num(p, "params") / 1e6,
            num(p, "macs") / 1e9, num(p, "median_ms"), num(p, "images_per_s"), num(p, "gflops"),
            pct_cell(p, "peak_pct", pct, sizeof pct), pct_cell(p, "isa_peak_pct", isa_pct, sizeof isa_pct));
    if (npeers) fprintf(f, " %.3f |", num(p, "conv_median_ms"));
    for (int j = 0; j < npeers; j++) {
      char ms[96], speedup[96], words[48];
      snprintf(ms, sizeof ms, "%s_median_ms", peers[j]->name);
      snprintf(speedup, sizeof speedup, "%s_speedup", peers[j]->name);
      if (json_object_get(p, speedup))
        fprintf(f, " %.3f | %s |", num(p, ms), rb_fmt_speed(num(p, "conv_median_ms"), num(p, ms), words, sizeof words));
      else
        fprintf(f, " - | - |");
    }
    fputc('\n', f);
  }
  fprintf(f,
          "\nGFLOP/s = 2 x dense multiply-adds / median time (padding taps counted); MACs as the papers count "
          "(1 multiply-add); %% peak: of the domain's measured FP32 FMA peak, the widest FMA the CPU runs; %% ISA "
          "peak: of the point's own ISA's FMA probe. Times: median ms of one forward pass.\n");
  if (npeers)
    fprintf(f,
            "Peers: convolutions only (each unique shape timed once, x occurrences), ours in 'conv ms'; 'resbench vs "
            "X': how much faster or slower our convolutions are than X's.\n");
}

// The Markdown beside a document: NAME.json -> NAME.md, any other name gets .md appended.
static rb_status markdown_path(const char *json_path, char *md, size_t len) {
  const size_t n = strlen(json_path);
  const int base = n >= 5 && strcmp(json_path + n - 5, ".json") == 0 ? (int)n - 5 : (int)n;
  const int w = snprintf(md, len, "%.*s.md", base, json_path);
  if (w < 0 || (size_t)w >= len) return rb_fail(RB_ERR_INVALID_ARG, "%.64s...: path too long for its .md", json_path);
  return RB_OK;
}

static rb_status save_markdown(const char *json_path, const json_t *doc, const rb_peer *const *peers, int npeers,
                               char *md, size_t len) {
  const rb_status ps = markdown_path(json_path, md, len);
  if (ps != RB_OK) return ps;
  char *text = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&text, &n);
  if (!f) return rb_fail(RB_ERR_NOMEM, "out of memory for %s", md);
  rb_sweep_markdown(f, doc, peers, npeers);
  fclose(f);
  const rb_status s = rb_file_save_atomic(md, text, n);
  free(text);
  return s;
}

int rb_cmd_sweep(int argc, char **argv) {
  sweep_opts o = {.algo = "auto", .peers = "none"};
  rb_sweep_grid_defaults(&o.grid);
  const rb_kernels *best;  // the default ISA: the best this build and CPU run (or RESBENCH_ISA)
  if (rb_kernels_default(&best) != RB_OK || rb_sweep_grid_set(&o.grid, "isa", best->isa_name) != RB_OK) {
    fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
    return 2;
  }
  if (!parse(&o, argc, argv)) return 2;

  // Everything that can be wrong is found before anything runs.
  rb_sweep_point *points = NULL;
  int npoints = 0;
  char notes[1024] = "";
  rb_conv_algo algo;
  const rb_peer *peers[RB_BENCH_MAX_PEERS];
  int npeers = 0;
  if (rb_sweep_expand(&o.grid, &points, &npoints, notes, sizeof notes) != RB_OK ||
      rb_conv_algo_parse(o.algo, &algo) != RB_OK ||
      rb_bench_peers_parse(o.peers, peers, RB_BENCH_MAX_PEERS, &npeers) != RB_OK) {
    fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
    free(points);
    return 2;
  }
  if (notes[0]) fprintf(stderr, "resbench sweep: note: %s\n", notes);
  if (o.shard_n) {  // every N-th point of the grid, so N hosts split it without talking to each other
    const int all = npoints;
    rb_shard_filter(points, &npoints, o.shard_k, o.shard_n);
    fprintf(stderr, "resbench sweep: shard %s: %d of the grid's %d point(s)\n", o.shard, npoints, all);
    if (!npoints) {
      fprintf(stderr, "resbench sweep: shard %s has no points (the grid has %d)\n", o.shard, all);
      free(points);
      return 2;
    }
  }
  for (int i = 0; i < npoints; i++) {
    const rb_kernels *k;
    if (rb_kernels_get(points[i].isa, &k) != RB_OK) {
      fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
      free(points);
      return 2;
    }
  }

  // The largest point's plan, estimated before anything is built: a grid that cannot fit is bad input.
  double need = 0;
  const char *biggest = NULL;
  for (int i = 0; i < npoints; i++) {
    const rb_sweep_point *pt = &points[i];
    const rb_kernels *k;
    rb_graph *g = NULL;
    double b = 0;
    rb_status s = rb_kernels_get(pt->isa, &k);
    if (s == RB_OK)
      s = pt->level == RB_SWEEP_BLOCK ? rb_graph_build_block(&pt->spec, pt->block, pt->batch, pt->res, pt->res, &g)
                                      : rb_graph_build(&pt->spec, pt->batch, pt->res, pt->res, &g);
    if (s == RB_OK) s = rb_model_plan_bytes(g, k, algo, &b);
    rb_graph_destroy(g);
    if (s != RB_OK) {
      fprintf(stderr, "resbench sweep: point %s: %s\n", pt->key, rb_last_error());
      free(points);
      return 2;
    }
    if (b > need) need = b, biggest = pt->key;
  }
  char what[RB_SWEEP_KEY_LEN + 16];
  snprintf(what, sizeof what, "point %s", biggest ? biggest : "?");
  if (!rb_cli_memory_fits("sweep", what, need, o.max_memory ? o.max_memory : rb_available_memory(),
                          o.max_memory > 0)) {
    free(points);
    return 2;
  }

  int ret = 1, measured = 0, skipped = 0;
  rb_topology *topo = NULL;
  rb_record rec = {0};
  json_t *grid = rb_sweep_grid_json(&o.grid);
  json_object_set_new(grid, "algo", json_string(rb_conv_algo_name(algo)));
  json_object_set_new(grid, "peers", json_string(o.peers));
  json_object_set_new(grid, "quick", json_boolean(o.quick));
  if (o.shard_n) json_object_set_new(grid, "shard", json_string(o.shard));
  if (o.no_peak) json_object_set_new(grid, "no_peak", json_true());
  rb_domain doms[RB_DOMAIN_COUNT];
  rb_peak peaks[RB_DOMAIN_COUNT];
  int have[RB_DOMAIN_COUNT] = {0};
  if (rb_topology_load(&topo) != RB_OK) goto fail;

  char *resume_from = NULL;
  ret = 2;  // a missing or unusable resume document, or no results directory name, is bad input
  if (o.results && !*o.results) {
    rb_fail(RB_ERR_INVALID_ARG, "--results: empty directory name (use . for this directory)");
    goto fail;
  }
  if (o.resume) {
    char dir[PATH_MAX];
    if (o.resume_path) {
      resume_from = strdup(o.resume_path);
    } else if (rb_results_dir(o.results, dir, sizeof dir) == RB_OK) {
      resume_from = find_resumable(dir, grid);
    }
    if (!resume_from) {
      rb_fail(RB_ERR_NOT_FOUND, "--resume: no earlier sweep with this grid under %s",
              o.results ? o.results : "results");
      goto fail;
    }
    rb_status s = rb_record_open(&rec, resume_from);
    if (s == RB_OK && !json_equal(json_object_get(rec.doc, "grid"), grid))
      s = rb_fail(RB_ERR_INVALID_ARG, "--resume: %s was a sweep over another grid", resume_from);
    free(resume_from);
    if (s != RB_OK) goto fail;
    ret = 1;
  } else {
    ret = 1;
    if (rb_record_begin(&rec, o.results, "sweep", argc, argv, topo) != RB_OK) goto fail;
    json_object_set(rec.doc, "grid", grid);
  }
  json_object_set_new(rec.doc, "notes", json_string(notes));

  // Peaks of every domain the grid uses, measured once per run, with the own probe of each ISA.
  unsigned isa_mask = 0;
  for (int i = 0; i < npoints; i++) isa_mask |= 1u << points[i].isa;
  for (int i = 0; i < npoints; i++) {
    const rb_domain_kind dk = points[i].domain;
    if (have[dk]) continue;
    if (rb_bench_domain(topo, dk, 0, &doms[dk]) != RB_OK) goto fail;
    if (o.no_peak)
      rb_peak_skip(&doms[dk], &peaks[dk]);
    else if (rb_peak_measure(topo, &doms[dk], o.quick, isa_mask, &peaks[dk]) != RB_OK)
      goto fail;
    have[dk] = 1;
    rb_record_add_peak(&rec, &doms[dk], &peaks[dk]);
    if (peaks[dk].measured)
      fprintf(stderr, "peak of %s (%d thread(s)): FMA %.1f GFLOP/s (%s; runs %.1f-%.1f), stream %.1f GB/s\n",
              doms[dk].name, doms[dk].threads, peaks[dk].fma_gflops, peaks[dk].fma_isa, peaks[dk].fma_min_gflops,
              peaks[dk].fma_gflops, peaks[dk].stream_gbs);
    else
      fprintf(stderr, "peak of %s: not measured (--no-peak)\n", doms[dk].name);
  }
  char md[PATH_MAX + 8];
  if (rb_record_save(&rec) != RB_OK || save_markdown(rec.path, rec.doc, peers, npeers, md, sizeof md) != RB_OK)
    goto fail;
  fprintf(stderr, "resbench sweep: %d point(s); results in %s\n", npoints, rec.path);

  rb_timing_opts topts = rb_timing_defaults();
  if (o.quick) topts.warmup = 1, topts.warmup_seconds = 0.2, topts.min_runs = 2, topts.min_seconds = 0;
  if (o.min_time > 0) topts.min_seconds = o.min_time;
  const double t0 = rb_now_ms();
  for (int i = 0; i < npoints; i++) {
    const rb_sweep_point *pt = &points[i];
    // Another sweep or resume on this document may have measured it meanwhile.
    if (!point_done(rec.doc, pt->key) && rb_record_sync(&rec) != RB_OK) goto fail;
    if (point_done(rec.doc, pt->key)) {
      skipped++;
      continue;
    }
    if (o.max_points && measured == o.max_points) {
      fprintf(stderr, "resbench sweep: stopped after %d new point(s) (--max-points); continue with --resume\n",
              measured);
      break;
    }
    const rb_kernels *k;
    rb_graph *g = NULL;
    rb_timing t;
    rb_status s = rb_kernels_get(pt->isa, &k);
    if (s == RB_OK)
      s = pt->level == RB_SWEEP_BLOCK ? rb_graph_build_block(&pt->spec, pt->block, pt->batch, pt->res, pt->res, &g)
                                      : rb_graph_build(&pt->spec, pt->batch, pt->res, pt->res, &g);
    if (s == RB_OK) s = rb_domain_bind(topo, &doms[pt->domain]);
    if (s == RB_OK) s = rb_bench_graph(g, k, algo, NULL, &topts, &t, NULL);
    json_t *p = NULL;
    double gflops = 0;
    if (s == RB_OK) {
      p = point_json(pt);
      json_object_set_new(p, "threads", json_integer(doms[pt->domain].threads));
      json_object_set_new(p, "algo", json_string(rb_conv_algo_name(algo)));
      gflops = rb_bench_graph_json(p, g, &t, &peaks[pt->domain], pt->isa);
      if (npeers) s = rb_bench_graph_peers(g, k, algo, doms[pt->domain].threads, peers, npeers, &topts, p, 0);
    }
    rb_graph_destroy(g);
    if (s == RB_OK) {
      s = rb_record_add_point(&rec, p);  // then the Markdown, so an interrupted sweep has both
      if (s == RB_OK) s = save_markdown(rec.path, rec.doc, peers, npeers, md, sizeof md);
    } else {
      json_decref(p);
    }
    if (s != RB_OK) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", rb_last_error());
      rb_fail(s, "point %s: %s", pt->key, msg);
      goto fail;
    }
    measured++;
    const int left = npoints - i - 1;
    const double per = (rb_now_ms() - t0) / measured, eta = per * left / 1e3;
    fprintf(stderr, "[%d/%d] %-56s %10.3f ms %8.2f GFLOP/s  ETA %dm%02ds\n", i + 1, npoints, pt->key, t.median_ms,
            gflops, (int)eta / 60, (int)eta % 60);
  }
  if (skipped) fprintf(stderr, "resbench sweep: %d point(s) already measured in %s: skipped\n", skipped, rec.path);
  if (rb_record_sync(&rec) != RB_OK || save_markdown(rec.path, rec.doc, peers, npeers, md, sizeof md) != RB_OK)
    goto fail;
  rb_sweep_markdown(stdout, rec.doc, peers, npeers);
  fprintf(stderr, "resbench sweep: saved %s and %s\n", rec.path, md);
  ret = 0;
fail:
  if (ret) fprintf(stderr, "resbench sweep: %s\n", rb_last_error());
  json_decref(grid);
  rb_record_close(&rec);
  rb_topology_destroy(topo);
  free(points);
  return ret;
}
