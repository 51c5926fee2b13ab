// Measurements behind `resbench bench` and `resbench sweep` (see bench.h).
#include "bench.h"

#include <math.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle64.h"
#include "resbench/forward.h"
#include "resbench/tensor.h"

rb_status rb_bench_domain(const rb_topology *t, rb_domain_kind kind, int threads, rb_domain *d) {
  rb_status s = rb_topology_domain(t, kind, d);
  if (s != RB_OK) return s;
  if (threads > d->threads)
    return rb_fail(RB_ERR_INVALID_ARG, "--threads %d: the %s domain has %d core(s), one thread each", threads, d->name,
                   d->threads);
  if (threads > 0) d->threads = threads;
  return RB_OK;
}

rb_status rb_bench_peers_parse(const char *csv, const rb_peer **peers, int max, int *count) {
  *count = 0;
  if (!csv || !*csv || strcmp(csv, "none") == 0) return RB_OK;
  char buf[256];
  if (strlen(csv) >= sizeof buf) return rb_fail(RB_ERR_INVALID_ARG, "--peers: list too long");
  snprintf(buf, sizeof buf, "%s", csv);
  // strtok would skip empty items: ",," would silently mean no peers.
  const size_t len = strlen(buf);
  if (buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
    return rb_fail(RB_ERR_INVALID_ARG, "--peers: empty item in '%s'", csv);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    const rb_peer *p;
    rb_status s = rb_peer_find(tok, &p);
    if (s != RB_OK) return s;
    for (int i = 0; i < *count; i++)
      if (peers[i] == p) return rb_fail(RB_ERR_INVALID_ARG, "--peers: '%s' given twice", tok);
    if (*count == max) return rb_fail(RB_ERR_INVALID_ARG, "--peers: at most %d peers", max);
    peers[(*count)++] = p;
  }
  return RB_OK;
}

// ---- one convolution --------------------------------------------------------------------------

typedef struct conv_run {
  rb_conv_plan *plan;
  const float *src;
  float *dst;
} conv_run;

static rb_status run_ours(void *ctx) {
  conv_run *c = ctx;
  return rb_conv_plan_run(c->plan, c->src, NULL, 0, c->dst);
}

static rb_status run_peer(void *ctx) {
  const rb_peer **pc = ctx;
  return pc[0]->conv_run((rb_peer_conv *)pc[1]);
}

static void set_message(rb_bench_conv_result *r, rb_status s, const char *prefix) {
  r->status = s;
  snprintf(r->message, sizeof r->message, "%s%s", prefix, rb_last_error());
}

// A peer's convolution made for d (its Winograd, else its direct one, said in the message); NULL
// with r's status and message set when it has none.
static rb_peer_conv *peer_setup(const rb_peer *p, const rb_conv_desc *d, rb_conv_algo algo, int threads, const float *w,
                                const float *bias, const float *src, rb_bench_conv_result *r) {
  memset(r, 0, sizeof *r);
  rb_peer_conv *c = NULL;
  r->algo = algo;
  rb_status s = p->conv_create(d, algo, threads, w, bias, src, &c);
  if (s == RB_ERR_UNSUPPORTED && algo != RB_CONV_DIRECT) {  // no Winograd for this shape: its direct conv
    char why[200];
    snprintf(why, sizeof why, "%s", rb_last_error());
    r->algo = RB_CONV_DIRECT;
    s = p->conv_create(d, RB_CONV_DIRECT, threads, w, bias, src, &c);
    if (s == RB_OK) snprintf(r->message, sizeof r->message, "direct (no Winograd: %s)", why);
  }
  if (s != RB_OK) {
    set_message(r, s, "");
    return NULL;
  }
  snprintf(r->kernel, sizeof r->kernel, "%s", p->conv_impl(c));
  r->own_tile = r->algo != RB_CONV_DIRECT;  // a peer's Winograd picks its own tile (its impl name says which)
  return c;
}

// The peer's last output against ours: max |peer - ours| / max |ours| (NaN sticks).
static rb_status peer_check(const rb_peer *p, rb_peer_conv *c, const float *ours, size_t nout, float *scratch,
                            rb_bench_conv_result *r) {
  rb_status s = p->conv_output(c, scratch);
  if (s != RB_OK) return s;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < nout; i++) {
    const double e = fabs((double)scratch[i] - ours[i]);
    if (!(e <= diff)) diff = e;
    if (fabs(ours[i]) > scale) scale = fabs(ours[i]);
  }
  r->max_rel_diff = scale > 0 ? diff / scale : diff;
  return RB_OK;
}

static double median_of(double *v, int n) {
  rb_sort_doubles(v, n);
  return rb_quantile(v, n, 0.5);
}

// The round whose median is nearest the median of the rounds' medians.
static rb_timing median_round(const rb_timing *t, int rounds) {
  double med[RB_BENCH_MAX_ROUNDS];
  for (int i = 0; i < rounds; i++) med[i] = t[i].median_ms;
  const double m = median_of(med, rounds);
  rb_timing best = t[0];
  for (int i = 1; i < rounds; i++)
    if (fabs(t[i].median_ms - m) < fabs(best.median_ms - m)) best = t[i];
  return best;
}

rb_status rb_bench_conv(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, int threads,
                        const rb_peer *const *peers, int npeers, const rb_timing_opts *opts, rb_bench_conv_result *ours,
                        rb_bench_conv_result *peer_results) {
  rb_status s = rb_conv_desc_check(d);
  if (s != RB_OK) return s;
  if (npeers > RB_BENCH_MAX_PEERS) return rb_fail(RB_ERR_INVALID_ARG, "at most %d peers", RB_BENCH_MAX_PEERS);
  memset(ours, 0, sizeof *ours);
  const rb_timing_opts o = opts ? *opts : rb_timing_defaults();
  const size_t nin = rb_conv_in_count(d);
  const size_t nout = rb_conv_out_count(d);
  const size_t nw = rb_conv_weight_count(d);
  float *src = rb_aligned_alloc(nin * sizeof *src), *dst = rb_aligned_alloc(nout * sizeof *dst);
  float *w = malloc(nw * sizeof *w), *bias = malloc((size_t)d->cout * sizeof *bias);
  float *scratch = rb_aligned_alloc(nout * sizeof *scratch);
  conv_run run = {NULL, src, dst};
  rb_peer_conv *pc[RB_BENCH_MAX_PEERS] = {0};
  if (!src || !dst || !w || !bias || !scratch) {
    s = rb_fail(RB_ERR_NOMEM, "out of memory for the benchmark's tensors");
    goto done;
  }
  o64_rng r;
  o64_seed(&r, 42);
  o64_fill(&r, src, nin, -1, 1);
  const float ws = 1.0f / sqrtf((float)(nw / d->cout));  // activations of order one
  o64_fill(&r, w, nw, -ws, ws);
  o64_fill(&r, bias, (size_t)d->cout, -0.1f, 0.1f);
  if ((s = rb_conv_plan_create(k, d, algo, threads, w, bias, &run.plan)) != RB_OK) goto done;
  ours->algo = rb_conv_plan_algo(run.plan);
  snprintf(ours->kernel, sizeof ours->kernel, "%s", rb_conv_plan_kernel_name(run.plan));
  snprintf(ours->path, sizeof ours->path, "%s", rb_conv_plan_path(run.plan));
  for (int i = 0; i < npeers; i++)  // a forced engine path is direct to a peer
    pc[i] = peer_setup(peers[i], d, ours->algo >= RB_CONV_DIRECT_GEMM ? RB_CONV_DIRECT : ours->algo, threads, w, bias,
                       src, &peer_results[i]);
  // Ours and each peer alternate in rounds, each side timed for 1/rounds of the time in each: on
  // a shared machine the speed drifts, and a drift then hits both sides of every round's ratio.
  int rounds = o.rounds > 1 && npeers ? o.rounds : 1;
  if (rounds > RB_BENCH_MAX_ROUNDS) rounds = RB_BENCH_MAX_ROUNDS;
  rb_timing_opts per_round = o;
  per_round.min_seconds = o.min_seconds / rounds;
  if (rounds > 1 && per_round.min_runs > 3) per_round.min_runs = 3;
  rb_timing ours_t[RB_BENCH_MAX_ROUNDS], peer_t[RB_BENCH_MAX_PEERS][RB_BENCH_MAX_ROUNDS];
  for (int round = 0; round < rounds; round++) {
    if ((s = rb_time_runs(run_ours, &run, &per_round, &ours_t[round])) != RB_OK) goto done;
    for (int i = 0; i < npeers; i++) {
      if (!pc[i] || peer_results[i].status != RB_OK) continue;
      const void *ctx[2] = {peers[i], pc[i]};
      const rb_status ps = rb_time_runs(run_peer, (void *)ctx, &per_round, &peer_t[i][round]);
      if (ps != RB_OK) set_message(&peer_results[i], ps, "");
    }
  }
  // Our figure is the round whose median is the median of the rounds'; each peer's likewise, and
  // its speed-up is the median of the per-round ratios.
  ours->t = median_round(ours_t, rounds);
  ours->rounds = rounds;
  const double flops = 2 * rb_conv_macs(d);
  ours->gflops = flops / (ours->t.median_ms * 1e6);
  for (int i = 0; i < npeers; i++) {
    rb_bench_conv_result *pr = &peer_results[i];
    if (!pc[i] || pr->status != RB_OK) continue;
    double ratio[RB_BENCH_MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) ratio[round] = peer_t[i][round].median_ms / ours_t[round].median_ms;
    pr->t = median_round(peer_t[i], rounds);
    pr->speedup = median_of(ratio, rounds);
    pr->rounds = rounds;
    pr->gflops = flops / (pr->t.median_ms * 1e6);
    const rb_status cs = peer_check(peers[i], pc[i], dst, nout, scratch, pr);
    if (cs != RB_OK) set_message(pr, cs, "");
  }
done:
  for (int i = 0; i < npeers; i++)
    if (pc[i]) peers[i]->conv_destroy(pc[i]);
  rb_conv_plan_destroy(run.plan);
  rb_aligned_free(src);
  rb_aligned_free(dst);
  rb_aligned_free(scratch);
  free(w);
  free(bias);
  return s;
}

// ---- one graph --------------------------------------------------------------------------------

typedef struct graph_run {
  rb_model *m;
  const float *x;
  float *y;
} graph_run;

static rb_status run_graph(void *ctx) {
  graph_run *g = ctx;
  return rb_model_forward(g->m, g->x, g->y);
}

static size_t count_of(rb_shape s) { return (size_t)s.n * s.h * s.w * s.c; }

void rb_bench_profile_free(rb_bench_profile *p) {
  if (!p) return;
  free(p->layer_ms);
  free(p->layer_algo);
  free(p->layer_bytes);
  p->layer_ms = NULL;
  p->layer_algo = NULL;
  p->layer_bytes = NULL;
}

// profile->runs forward passes, each layer timed; the median per layer.
static rb_status profile_graph(graph_run *run, int layers, rb_bench_profile *profile) {
  double *sec = malloc((size_t)profile->runs * layers * sizeof *sec);
  double *col = malloc((size_t)profile->runs * sizeof *col);
  profile->layer_ms = malloc((size_t)layers * sizeof *profile->layer_ms);
  profile->layer_algo = malloc((size_t)layers * sizeof *profile->layer_algo);
  profile->layer_bytes = malloc((size_t)layers * sizeof *profile->layer_bytes);
  rb_status s = RB_OK;
  if (!sec || !col || !profile->layer_ms || !profile->layer_algo || !profile->layer_bytes)
    s = rb_fail(RB_ERR_NOMEM, "out of memory for the profile of %d layers x %d runs", layers, profile->runs);
  for (int r = 0; s == RB_OK && r < profile->runs; r++)
    s = rb_model_forward_profile(run->m, run->x, run->y, sec + (size_t)r * layers);
  for (int l = 0; s == RB_OK && l < layers; l++) {
    for (int r = 0; r < profile->runs; r++) col[r] = 1e3 * sec[(size_t)r * layers + l];
    profile->layer_ms[l] = median_of(col, profile->runs);
    profile->layer_algo[l] = rb_model_layer_algo(run->m, l);
    profile->layer_bytes[l] = rb_model_layer_bytes(run->m, l);
  }
  free(sec);
  free(col);
  if (s != RB_OK) rb_bench_profile_free(profile);
  return s;
}

// g planned on k with seeded random weights, and a seeded input and an output for it.
static rb_status graph_run_create(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo,
                                  const rb_plan_options *plan, graph_run *run) {
  rb_random_weights rw = {0};
  memset(run, 0, sizeof *run);
  rb_status s = rb_model_plan_opts(g, k, algo, plan, rb_weights_random, &rw, &run->m);
  rb_random_weights_release(&rw);
  if (s != RB_OK) return s;
  const size_t nx = count_of(g->tensors[0]), ny = count_of(g->tensors[g->output]);
  float *x = malloc(nx * sizeof *x);
  run->y = malloc(ny * sizeof *run->y);
  run->x = x;
  if (!x || !run->y) return rb_fail(RB_ERR_NOMEM, "out of memory for the benchmark's input");
  o64_rng r;
  o64_seed(&r, 1);
  o64_fill(&r, x, nx, -1, 1);
  return RB_OK;
}

static void graph_run_destroy(graph_run *run) {
  free((float *)run->x);
  free(run->y);
  rb_model_destroy(run->m);
}

rb_status rb_bench_graph(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, const rb_plan_options *plan,
                         const rb_timing_opts *opts, rb_timing *t, rb_bench_profile *profile) {
  graph_run run;
  rb_status s = graph_run_create(g, k, algo, plan, &run);
  if (s == RB_OK) s = rb_time_runs(run_graph, &run, opts, t);
  if (s == RB_OK && profile) {
    profile->runs = t->count > profile->min_runs ? t->count : profile->min_runs;
    if (profile->runs < 1) profile->runs = 1;
    s = profile_graph(&run, g->count, profile);
  }
  graph_run_destroy(&run);
  return s;
}


rb_status rb_bench_graph_versus(const rb_graph *ga, const rb_plan_options *pa, rb_conv_algo algo_a,
                                const rb_graph *gb, const rb_plan_options *pb, rb_conv_algo algo_b,
                                const rb_kernels *k, const rb_timing_opts *opts, rb_bench_versus *v) {
  memset(v, 0, sizeof *v);
  const rb_timing_opts o = opts ? *opts : rb_timing_defaults();
  int rounds = o.rounds > 1 ? o.rounds : 2;
  if (rounds > RB_BENCH_MAX_ROUNDS) rounds = RB_BENCH_MAX_ROUNDS;
  rb_timing_opts per_round = o;
  per_round.min_seconds = o.min_seconds / rounds;
  if (per_round.min_runs > 3) per_round.min_runs = 3;
  graph_run a, b;
  rb_status s = graph_run_create(ga, k, algo_a, pa, &a);
  rb_status sb = s == RB_OK ? graph_run_create(gb, k, algo_b, pb, &b) : RB_OK;
  if (s != RB_OK || sb != RB_OK) {
    graph_run_destroy(&a);
    if (s == RB_OK) graph_run_destroy(&b);
    return s != RB_OK ? s : sb;
  }
  // Alternated, A first then B first in turn: a drift of the machine's speed then hits both sides
  // of each round, and neither always runs second (with the other's data just evicted).
  rb_timing ta[RB_BENCH_MAX_ROUNDS], tb[RB_BENCH_MAX_ROUNDS];
  for (int r = 0; s == RB_OK && r < rounds; r++) {
    graph_run *first = r % 2 ? &b : &a, *second = r % 2 ? &a : &b;
    rb_timing *t1 = r % 2 ? &tb[r] : &ta[r], *t2 = r % 2 ? &ta[r] : &tb[r];
    s = rb_time_runs(run_graph, first, &per_round, t1);
    if (s == RB_OK) s = rb_time_runs(run_graph, second, &per_round, t2);
  }
  if (s == RB_OK) {
    double ratio[RB_BENCH_MAX_ROUNDS];
    v->rounds = rounds;
    v->ratio_min = v->ratio_max = ta[0].median_ms / tb[0].median_ms;
    for (int r = 0; r < rounds; r++) {
      ratio[r] = ta[r].median_ms / tb[r].median_ms;
      if (ratio[r] < v->ratio_min) v->ratio_min = ratio[r];
      if (ratio[r] > v->ratio_max) v->ratio_max = ratio[r];
    }
    v->ratio = median_of(ratio, rounds);
    v->a = median_round(ta, rounds);
    v->b = median_round(tb, rounds);
  }
  graph_run_destroy(&a);
  graph_run_destroy(&b);
  return s;
}

void rb_timing_json(json_t *o, const char *prefix, const rb_timing *t) {
  char key[96];
  const struct {
    const char *name;
    double v;
  } f[] = {{"median_ms", t->median_ms}, {"min_ms", t->min_ms},   {"max_ms", t->max_ms},
           {"mean_ms", t->mean_ms},     {"q1_ms", t->q1_ms},     {"q3_ms", t->q3_ms},
           {"iqr_ms", t->q3_ms - t->q1_ms}};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, f[i].name);
    json_object_set_new(o, key, json_real(f[i].v));
  }
  snprintf(key, sizeof key, "%sruns", prefix);
  json_object_set_new(o, key, json_integer(t->count));
}

static json_t *real_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

void rb_bench_peak_json(json_t *point, const rb_peak *peak, rb_isa isa, double gflops) {
  const int own = peak->measured && (unsigned)isa < RB_ISA_COUNT && peak->isa_gflops[isa] > 0;
  json_object_set_new(point, "peak_gflops", peak->measured ? json_real(peak->fma_gflops) : json_null());
  json_object_set_new(point, "peak_isa", peak->measured ? json_string(peak->fma_isa) : json_null());
  json_object_set_new(point, "peak_pct", real_or_null(rb_peak_pct(peak, gflops)));
  json_object_set_new(point, "isa_peak_gflops", own ? json_real(peak->isa_gflops[isa]) : json_null());
  json_object_set_new(point, "isa_peak_pct", real_or_null(rb_peak_isa_pct(peak, isa, gflops)));
}

double rb_bench_graph_json(json_t *point, const rb_graph *g, const rb_timing *t, const rb_peak *peak, rb_isa isa) {
  const double flops = 2 * g->macs, gflops = flops / (t->median_ms * 1e6);
  json_object_set_new(point, "params", json_integer((json_int_t)g->params));  // exact counts: integers
  json_object_set_new(point, "macs", json_integer((json_int_t)g->macs));
  json_object_set_new(point, "flops", json_integer((json_int_t)flops));
  rb_timing_json(point, "", t);
  json_object_set_new(point, "images_per_s", json_real(g->batch / (t->median_ms / 1e3)));
  json_object_set_new(point, "gflops", json_real(gflops));
  rb_bench_peak_json(point, peak, isa, gflops);
  return gflops;
}

rb_status rb_graph_conv_uses(const rb_graph *g, rb_conv_use **uses, int *count) {
  *uses = NULL;
  *count = 0;
  rb_conv_use *u = calloc((size_t)g->count + 1, sizeof *u);
  if (!u) return rb_fail(RB_ERR_NOMEM, "out of memory listing convolutions");
  int n = 0;
  for (int i = 0; i < g->count; i++) {
    const rb_layer *l = &g->layers[i];
    if (l->kind != RB_LAYER_CONV) continue;
    int j = 0;
    while (j < n && memcmp(&u[j].d, &l->conv, sizeof l->conv) != 0) j++;
    if (j == n) {
      u[n].d = l->conv;
      snprintf(u[n].first_layer, sizeof u[n].first_layer, "%s", l->name);
      n++;
    }
    u[j].count++;
  }
  *uses = u;
  *count = n;
  return RB_OK;
}

rb_status rb_bench_graph_peers(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, int threads,
                               const rb_peer *const *peers, int npeers, const rb_timing_opts *opts, json_t *point,
                               int progress) {
  if (npeers > RB_BENCH_MAX_PEERS) return rb_fail(RB_ERR_INVALID_ARG, "at most %d peers", RB_BENCH_MAX_PEERS);
  rb_conv_use *uses;
  int n;
  rb_status s = rb_graph_conv_uses(g, &uses, &n);
  if (s != RB_OK) return s;
  double ours_ms = 0, peer_ms[RB_BENCH_MAX_PEERS] = {0}, flops = 0;
  char missing[RB_BENCH_MAX_PEERS][200] = {{0}};
  json_t *layers = json_array();
  // A carriage-return counter on a terminal; whole lines in a log file.
  const int tty = progress && isatty(fileno(stderr));
  for (int i = 0; i < n && s == RB_OK; i++) {
    if (tty)
      fprintf(stderr, "\rconvolutions beside the peers: %d/%d", i + 1, n);
    else if (progress && (i % 8 == 0 || i == n - 1))
      fprintf(stderr, "convolutions beside the peers: %d/%d\n", i + 1, n);
    rb_bench_conv_result ours, pr[RB_BENCH_MAX_PEERS];
    rb_conv_algo layer_algo = RB_CONV_DIRECT;
    s = rb_conv_algo_for_layer(k, &uses[i].d, algo, &layer_algo);
    if (s != RB_OK) break;
    s = rb_bench_conv(k, &uses[i].d, layer_algo, threads, peers, npeers, opts, &ours, pr);
    if (s != RB_OK) break;
    ours_ms += uses[i].count * ours.t.median_ms;
    flops += uses[i].count * 2 * rb_conv_macs(&uses[i].d);
    char problem[160];
    rb_conv_desc_format(&uses[i].d, problem, sizeof problem);
    json_t *l = json_pack("{s:s, s:s, s:i, s:s, s:f}", "layer", uses[i].first_layer, "problem", problem, "count",
                          uses[i].count, "algo", rb_conv_algo_name(ours.algo), "ours_ms", ours.t.median_ms);
    for (int j = 0; j < npeers; j++) {
      char key[96];
      if (pr[j].status == RB_OK) {
        peer_ms[j] += uses[i].count * pr[j].t.median_ms;
        snprintf(key, sizeof key, "%s_ms", peers[j]->name);
        json_object_set_new(l, key, json_real(pr[j].t.median_ms));
        snprintf(key, sizeof key, "%s_ratio", peers[j]->name);
        json_object_set_new(l, key, json_real(pr[j].t.median_ms / ours.t.median_ms));
      } else {
        snprintf(key, sizeof key, "%s_error", peers[j]->name);
        json_object_set_new(l, key, json_string(pr[j].message));
        if (!missing[j][0]) snprintf(missing[j], sizeof missing[j], "%s: %s", uses[i].first_layer, pr[j].message);
      }
    }
    json_array_append_new(layers, l);
  }
  if (tty) fputc('\n', stderr);
  free(uses);
  if (s != RB_OK) {
    json_decref(layers);
    return s;
  }
  json_object_set_new(point, "layers", layers);
  json_object_set_new(point, "conv_median_ms", json_real(ours_ms));
  json_object_set_new(point, "conv_gflops", json_real(flops / (ours_ms * 1e6)));
  json_object_set_new(point, "peers_scope",
                      json_string("convolutions only: sum over the unique conv shapes of median time x occurrences, "
                                  "ours in conv_median_ms"));
  for (int j = 0; j < npeers; j++) {
    char key[96];
    const char *pn = peers[j]->name;
    if (missing[j][0]) {  // a peer that cannot run every layer has no network total
      snprintf(key, sizeof key, "%s_error", pn);
      json_object_set_new(point, key, json_string(missing[j]));
      continue;
    }
    snprintf(key, sizeof key, "%s_median_ms", pn);
    json_object_set_new(point, key, json_real(peer_ms[j]));
    snprintf(key, sizeof key, "%s_gflops", pn);
    json_object_set_new(point, key, json_real(flops / (peer_ms[j] * 1e6)));
    snprintf(key, sizeof key, "%s_speedup", pn);
    json_object_set_new(point, key, json_real(peer_ms[j] / ours_ms));
  }
  return RB_OK;
}
