// `resbench bench` and `resbench sweep` as a user runs them: the --json contract, the numbers
// against the registry's counts, result documents on disk, resume after an interruption, and bad
// arguments caught before anything runs.
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peers/peer.h"
#include "resbench/probe.h"
#include "resbench/resbench.h"
#include "testutil.h"

static char buf[1 << 20];

// The last line of text that parses as a JSON object (stderr is folded into the output).
static json_t *last_json_line(const char *text) {
  json_t *o = NULL;
  for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (*p != '{') continue;
    json_error_t err;
    json_t *j = json_loadb(p, strcspn(p, "\n"), 0, &err);
    if (j) {
      json_decref(o);
      o = j;
    }
  }
  return o;
}

static double num(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  ck_assert_msg(json_is_number(v), "key '%s' missing or not a number", key);
  return json_number_value(v);
}

static void check_timing(const json_t *o, const char *prefix) {
  char k[96];
  snprintf(k, sizeof k, "%smedian_ms", prefix);
  const double med = num(o, k);
  snprintf(k, sizeof k, "%smin_ms", prefix);
  const double mn = num(o, k);
  snprintf(k, sizeof k, "%smax_ms", prefix);
  const double mx = num(o, k);
  ck_assert_msg(mn > 0 && mn <= med && med <= mx, "%s: min %g median %g max %g", prefix, mn, med, mx);
}

// The peers this build has, as a --peers list ("none" without).
static const char *all_peers(char *list, size_t len) {
  snprintf(list, len, "none");
  size_t used = 0;
  for (size_t i = 0; i < rb_peer_count(); i++)
    used += (size_t)snprintf(list + used, len - used, "%s%s", i ? "," : "", rb_peer_at(i)->name);
  return list;
}

START_TEST(bench_conv_json) {
  char peers[128], args[512];
  // 3x3 pad 1, 16 -> 24 channels at 12x12: 12*12*24*16*9 multiply-adds.
  snprintf(args, sizeof args,
           "bench conv mb1ic16ih12oc24oh12kh3ph1 --algo direct --quick --json --domain core --peers %s",
           all_peers(peers, sizeof peers));
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  json_t *o = last_json_line(buf);
  ck_assert_msg(o != NULL, "no JSON: %s", buf);
  ck_assert_str_eq(json_string_value(json_object_get(o, "problem")), "mb1ic16ih12oc24oh12kh3ph1");
  ck_assert_str_eq(json_string_value(json_object_get(o, "algo")), "direct");
  ck_assert_str_eq(json_string_value(json_object_get(o, "domain")), "core");
  ck_assert_int_eq((int)num(o, "threads"), 1);
  const double macs = 12.0 * 12 * 24 * 16 * 9;
  ck_assert_double_eq(num(o, "macs"), macs);
  check_timing(o, "");
  ck_assert_msg(fabs(num(o, "gflops") - 2 * macs / (num(o, "median_ms") * 1e6)) <= 1e-9 * num(o, "gflops"),
                "gflops is not 2 x MACs / median");
  ck_assert(num(o, "peak_gflops") > 0);
  ck_assert_msg(fabs(num(o, "peak_pct") - 100 * num(o, "gflops") / num(o, "peak_gflops")) < 1e-6, "peak_pct");
  // The peak is the widest FMA the CPU runs, whichever table ran; the ISA's own peak beside it.
  ck_assert_str_eq(json_string_value(json_object_get(o, "peak_isa")), rb_isa_name(rb_fma_probe_best()->isa));
  ck_assert_msg(num(o, "isa_peak_gflops") > 0 && num(o, "isa_peak_gflops") <= 1.5 * num(o, "peak_gflops"),
                "isa peak %g, widest %g", num(o, "isa_peak_gflops"), num(o, "peak_gflops"));
  ck_assert_msg(fabs(num(o, "isa_peak_pct") - 100 * num(o, "gflops") / num(o, "isa_peak_gflops")) < 1e-6,
                "isa_peak_pct");
  for (size_t i = 0; i < rb_peer_count(); i++) {
    const char *pn = rb_peer_at(i)->name;
    char k[96];
    snprintf(k, sizeof k, "%s_error", pn);
    if (json_object_get(o, k)) {  // e.g. libxsmm_gemm runs 1x1 convolutions only
      ck_assert_msg(strstr(json_string_value(json_object_get(o, k)), "1x1") || strcmp(pn, "libxsmm_gemm"),
                    "%s failed: %s", pn, json_string_value(json_object_get(o, k)));
      continue;
    }
    snprintf(k, sizeof k, "%s_", pn);
    check_timing(o, k);
    snprintf(k, sizeof k, "%s_gflops", pn);
    ck_assert(num(o, k) > 0);
    snprintf(k, sizeof k, "%s_max_rel_diff", pn);
    ck_assert_msg(num(o, k) < 1e-5, "%s differs from ours by %g", pn, num(o, k));
  }
  json_decref(o);

  // Human output names ISA, domain, threads, peak.
  ck_assert_int_eq(tu_run_cli("bench conv g2mb2ic8ih9oc8oh5kh3sh2ph1 --quick --peers none", buf, sizeof buf), 0);
  ck_assert_msg(strstr(buf, "FMA peak") && strstr(buf, "pinned") && strstr(buf, "median_ms"), "%s", buf);

  // --no-peak: no probe runs, and nothing reads as a figure.
  ck_assert_int_eq(tu_run_cli("bench conv mb1ic8ih9oc8oh9kh3ph1 --quick --peers none --no-peak --json", buf, sizeof buf),
                   0);
  o = last_json_line(buf);
  ck_assert_msg(o != NULL, "no JSON: %s", buf);
  const char *nulls[] = {"peak_gflops", "peak_isa", "peak_pct", "isa_peak_gflops", "isa_peak_pct"};
  for (int i = 0; i < 5; i++) ck_assert_msg(json_is_null(json_object_get(o, nulls[i])), "%s is not null", nulls[i]);
  ck_assert(num(o, "gflops") > 0);
  json_decref(o);
  ck_assert_int_eq(tu_run_cli("bench model resnet18 --block layer1.0 --res 32 --quick --no-peak", buf, sizeof buf), 0);
  ck_assert_msg(strstr(buf, "peak not measured (--no-peak)"), "%s", buf);
}
END_TEST

START_TEST(bench_bad_arguments) {
  static const struct {
    const char *args, *needle;
  } cases[] = {
      {"bench", "conv PROBLEM"},
      {"bench gemm x", "unknown target 'gemm'"},
      {"bench conv", "give a PROBLEM"},
      {"bench conv --problems /nonexistent/problems.txt", "/nonexistent/problems.txt"},
      {"bench conv --batch=tests/problems.txt", "--problems FILE reads problems from a file"},
      {"bench model resnet50 resnet18", "exactly one MODEL"},
      {"bench conv mb1ic64zz56", "zz"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --domain l2", "l2"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --domain core --threads 64", "--threads 64"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --peers nosuchlib", "nosuchlib"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --algo fft", "fft"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --isa sse9", "sse9"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --min-time -1", "--min-time"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --batch 2", "--batch"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --profile", "--profile/--no-fuse/--no-fuse-pools/--versus are for 'bench model'"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --no-fuse", "--profile/--no-fuse/--no-fuse-pools/--versus are for 'bench model'"},
      {"bench model resnet51", "unknown model 'resnet51'"},
      {"bench model resnet50 --block layer9.0", "layer9.0"},
      {"bench model resnet50 --res 8", "--res"},
      {"bench conv mb1ic64ih56oc64oh56kh3ph1 --versus resnet50", "--versus are for 'bench model'"},
      {"bench model seresnet50 --versus resnet50:fast", "unknown option 'fast' (no-fuse, no-fuse-pools or an algorithm"},
      {"bench model seresnet50 --versus resnet50:no-fuse:", "unknown option '' (no-fuse"},
      {"bench model seresnet50 --versus resnet51", "--versus resnet51: unknown model 'resnet51'"},
      {"bench model seresnet50 --versus :no-fuse --profile", "run --profile or --peers on their own"},
      {"bench model resnet50 --block layer4.2 --versus resnet18", "--versus resnet18: block 'layer4.2'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ck_assert_msg(tu_run_cli(cases[i].args, buf, sizeof buf) == 2, "%s: %s", cases[i].args, buf);
    ck_assert_msg(strstr(buf, cases[i].needle) != NULL, "%s: want '%s' in: %s", cases[i].args, cases[i].needle, buf);
  }
}
END_TEST

// Network and block: params and MACs are the registry's, times consistent.
START_TEST(bench_model_json) {
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet18", &spec), RB_OK);
  for (int blk = 0; blk < 2; blk++) {
    rb_graph *g;
    ck_assert_int_eq(
        blk ? rb_graph_build_block(&spec, "layer2.0", 2, 64, 64, &g) : rb_graph_build(&spec, 2, 64, 64, &g), RB_OK);
    char args[256];
    snprintf(args, sizeof args, "bench model resnet18 --batch 2 --res 64 --quick --json --domain core%s",
             blk ? " --block layer2.0" : "");
    ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
    json_t *o = last_json_line(buf);
    ck_assert_msg(o != NULL, "no JSON: %s", buf);
    ck_assert_double_eq(num(o, "params"), g->params);
    ck_assert_double_eq(num(o, "macs"), g->macs);
    check_timing(o, "");
    ck_assert_msg(fabs(num(o, "images_per_s") - 2 / (num(o, "median_ms") / 1e3)) < 1e-6 * num(o, "images_per_s"),
                  "images/s");
    ck_assert_msg(fabs(num(o, "gflops") - 2 * g->macs / (num(o, "median_ms") * 1e6)) < 1e-6 * num(o, "gflops"),
                  "gflops");
    json_decref(o);
    rb_graph_destroy(g);
  }
}
END_TEST

// --versus: A's figures at the top level, B's under "versus", both from their own graphs' MACs; the
// ratio the median of rounds that lie between its min and max; ':no-fuse' alone is A unfused.
START_TEST(bench_model_versus) {
  static const struct {
    const char *versus, *b_model, *b_fusion, *b_algo;
  } cases[] = {{"resnet50", "resnet50", "on", "direct"},
               {":no-fuse", "seresnet50", "off", "direct"},
               {"resnet50:no-fuse-pools", "resnet50", "on-no-pools", "direct"},
               {":auto", "seresnet50", "on", "auto"},
               {"resnet50:no-fuse:winograd_f2", "resnet50", "off", "winograd_f2"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char args[256];
    snprintf(args, sizeof args,
             "bench model seresnet50 --block layer1.0 --res 32 --algo direct --quick --no-peak --threads 1 --rounds 3 --json --versus %s",
             cases[i].versus);
    ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s: %s", args, buf);
    json_t *o = last_json_line(buf);
    ck_assert_msg(o != NULL, "%s: no JSON: %s", args, buf);
    const json_t *v = json_object_get(o, "versus");
    ck_assert_msg(v != NULL, "%s: no versus", args);
    ck_assert_str_eq(json_string_value(json_object_get(o, "model")), "seresnet50");
    ck_assert_str_eq(json_string_value(json_object_get(o, "fusion")), "on");
    ck_assert_str_eq(json_string_value(json_object_get(v, "model")), cases[i].b_model);
    ck_assert_str_eq(json_string_value(json_object_get(v, "fusion")), cases[i].b_fusion);
    ck_assert_str_eq(json_string_value(json_object_get(o, "algo")), "direct");
    ck_assert_str_eq(json_string_value(json_object_get(v, "algo")), cases[i].b_algo);
    ck_assert_int_eq((int)num(v, "rounds"), 3);
    check_timing(o, "");
    check_timing(v, "");
    const double r = num(v, "ratio");
    ck_assert_msg(r > 0 && num(v, "ratio_min") <= r && r <= num(v, "ratio_max"), "%s: ratio %g not in [%g, %g]", args,
                  r, num(v, "ratio_min"), num(v, "ratio_max"));
    rb_model_spec spec;
    rb_graph *g;
    ck_assert_int_eq(rb_model_find(cases[i].b_model, &spec), RB_OK);
    ck_assert_int_eq(rb_graph_build_block(&spec, "layer1.0", 1, 32, 32, &g), RB_OK);
    ck_assert_msg(fabs(num(v, "gflops") - 2 * g->macs / (num(v, "median_ms") * 1e6)) < 1e-6 * num(v, "gflops"),
                  "%s: B's GFLOP/s are not its MACs over its time", args);
    rb_graph_destroy(g);
    json_decref(o);
  }
}
END_TEST

// --profile: every layer of the graph once, in graph order; each kind's figures are the sums of its
// layers', the kinds' sum is the layers' sum; all kinds listed, in the fixed order (tools compare runs
// by these names), and the ones the graph has are there. want: kinds that must have layers, NULL-ended.
static void check_profile(const char *model, const char *block, const char *algo, const char *const *want) {
  static const char *const kinds[] = {"conv_direct", "conv_winograd", "attn_se",  "attn_split", "attn_sk", "pool_max",
                                      "pool_avg",    "pool_global",   "add_relu", "fc",         "other"};
  enum { NK = sizeof kinds / sizeof kinds[0] };
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(model, &spec), RB_OK);
  rb_graph *g;
  ck_assert_int_eq(block ? rb_graph_build_block(&spec, block, 1, 64, 64, &g) : rb_graph_build(&spec, 1, 64, 64, &g),
                   RB_OK);
  char args[256];
  snprintf(args, sizeof args, "bench model %s%s%s --res 64 --algo %s --quick --no-peak --threads 1 --profile --json",
           model, block ? " --block " : "", block ? block : "", algo);
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s: %s", args, buf);
  json_t *o = last_json_line(buf);
  ck_assert_msg(o != NULL, "%s: no JSON: %s", args, buf);
  const json_t *p = json_object_get(o, "profile");
  const json_t *ks = json_object_get(p, "kinds"), *ls = json_object_get(p, "layers");
  ck_assert_msg(json_is_object(ks) && json_is_array(ls), "%s: no profile kinds / layers", args);
  ck_assert_int_ge(num(p, "runs"), 5);
  // The kinds, all of them, in order.
  ck_assert_int_eq(json_object_size(ks), NK);
  int i = 0;
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)ks, key, v) ck_assert_str_eq(key, kinds[i++]);
  // Each graph layer once, in order; the per-kind sums recomputed from the layers.
  ck_assert_int_eq(json_array_size(ls), g->count);
  // Each layer's bytes are the plan's (rb_model_layer_bytes, tested against hand counts in the
  // forward suite): a plan of the same graph with the default fusions.
  rb_random_weights rw = {0};
  rb_model *m = NULL;
  ck_assert_int_eq(rb_model_plan(g, &rb_kernels_ref, RB_CONV_DIRECT, rb_weights_random, &rw, &m), RB_OK);
  rb_random_weights_release(&rw);
  double ms[NK] = {0}, bytes[NK] = {0}, flops[NK] = {0}, total = 0;
  int count[NK] = {0};
  for (int l = 0; l < g->count; l++) {
    const json_t *e = json_array_get(ls, l);
    ck_assert_str_eq(json_string_value(json_object_get(e, "name")), g->layers[l].name);
    const char *kind = json_string_value(json_object_get(e, "kind"));
    int k = 0;
    while (k < NK && strcmp(kinds[k], kind)) k++;
    ck_assert_msg(k < NK, "%s: layer %s has kind '%s'", args, g->layers[l].name, kind);
    ck_assert_msg(num(e, "ms") >= 0, "%s: %s ms %g", args, g->layers[l].name, num(e, "ms"));
    ck_assert_double_eq(num(e, "flops"), 2 * g->layers[l].macs);
    ck_assert_msg(num(e, "bytes") == rb_model_layer_bytes(m, l), "%s: %s bytes %g, the plan's %g", args,
                  g->layers[l].name, num(e, "bytes"), rb_model_layer_bytes(m, l));
    count[k]++, ms[k] += num(e, "ms"), bytes[k] += num(e, "bytes"), flops[k] += num(e, "flops");
    total += num(e, "ms");
  }
  double kind_total = 0, pct = 0;
  for (int k = 0; k < NK; k++) {
    const json_t *e = json_object_get(ks, kinds[k]);
    ck_assert_int_eq(num(e, "layers"), count[k]);
    ck_assert_msg(fabs(num(e, "ms") - ms[k]) <= 1e-9 * (total + 1), "%s: %s ms %g, its layers %g", args, kinds[k],
                  num(e, "ms"), ms[k]);
    ck_assert_double_eq(num(e, "bytes"), bytes[k]);
    ck_assert_double_eq(num(e, "flops"), flops[k]);
    kind_total += num(e, "ms"), pct += num(e, "pct");
  }
  const double eps = 1e-9 * (total + 1);
  ck_assert_msg(fabs(kind_total - total) <= eps && fabs(num(p, "layer_ms_sum") - total) <= eps,
                "%s: kinds %g, layers %g, layer_ms_sum %g", args, kind_total, total, num(p, "layer_ms_sum"));
  ck_assert_msg(fabs(pct - 100) < 1e-6, "%s: pct sums to %g", args, pct);
  for (; *want; want++)
    ck_assert_msg(num(json_object_get(ks, *want), "layers") > 0, "%s: no %s layer", args, *want);
  json_decref(o);
  rb_model_destroy(m);
  rb_graph_destroy(g);
}

START_TEST(bench_model_profile) {
  // A block of each attention family, and a network with every pooling and the classifier.
  check_profile("seresnet50", "layer1.0", "direct", (const char *const[]){"conv_direct", "attn_se", "add_relu", NULL});
  check_profile("skresnet18", "layer1.0", "direct", (const char *const[]){"conv_direct", "attn_sk", "other", NULL});
  check_profile("resnest14d", NULL, "winograd",
                (const char *const[]){"conv_direct", "conv_winograd", "attn_split", "pool_max", "pool_avg",
                                      "pool_global", "add_relu", "fc", NULL});
  // The tables: by kind, then the slowest layers (a block of 6 layers: all of them).
  ck_assert_int_eq(
      tu_run_cli("bench model seresnet50 --block layer1.0 --res 64 --algo direct --quick --no-peak --profile", buf,
                 sizeof buf),
      0);
  ck_assert_msg(strstr(buf, "the median of 5 runs") && strstr(buf, "GFLOP/s") && strstr(buf, "the 6 slowest layers:") &&
                    strstr(buf, "layer1.0.se") && strstr(buf, "attn_se") && !strstr(buf, "conv_winograd"),
                "%s", buf);
}
END_TEST

// Lists dir/*/ files whose names start with prefix; returns how many, the first in path.
static int find_files(const char *root, const char *prefix, const char *suffix, char *path, size_t len) {
  int n = 0;
  DIR *d = opendir(root);
  if (!d) return 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    char sub[1024];
    ck_assert_int_lt(snprintf(sub, sizeof sub, "%s/%s", root, e->d_name), (int)sizeof sub);
    DIR *d2 = opendir(sub);
    if (!d2) continue;
    for (struct dirent *f; (f = readdir(d2));) {
      const size_t fl = strlen(f->d_name), sl = strlen(suffix);
      if (strncmp(f->d_name, prefix, strlen(prefix)) == 0 && fl > sl && strcmp(f->d_name + fl - sl, suffix) == 0) {
        if (!n) ck_assert_int_lt(snprintf(path, len, "%s/%s", sub, f->d_name), (int)len);
        n++;
      }
    }
    closedir(d2);
  }
  closedir(d);
  return n;
}

// Several problems, from the command line and a file (comments, blank lines), in order, one
// document; a problem without mb says it gets benchdnn's minibatch 2; a bad line names file:line.
START_TEST(bench_conv_problems) {
  char dir[] = "/tmp/resbench-problems-XXXXXX", args[1024], file[256], path[1024];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(file, sizeof file, "%s/problems.txt", dir);
  FILE *f = fopen(file, "w");
  ck_assert_ptr_nonnull(f);
  fputs("# resnet-like layers\n\n  ic8ih8oc8oh8kh3ph1   # no mb\nmb1ic8ih8oc16oh4kh1sh2\n", f);
  fclose(f);
  snprintf(args, sizeof args,
           "bench conv mb1ic8ih8oc8oh8kh1 --problems %s --quick --peers none --domain core --json --results %s", file,
           dir);
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_msg(strstr(buf, "note: 'ic8ih8oc8oh8kh3ph1' gives no mb: minibatch 2 (benchdnn's default)"), "%s", buf);
  static const char *const want[] = {"mb1ic8ih8oc8oh8kh1", "mb2ic8ih8oc8oh8kh3ph1", "mb1ic8ih8oc16oh4kh1sh2"};
  ck_assert_int_eq(find_files(dir, "bench-conv-", ".json", path, sizeof path), 1);
  json_error_t err;
  json_t *doc = json_load_file(path, 0, &err);
  ck_assert_msg(doc != NULL, "%s: %s", path, err.text);
  const json_t *pts = json_object_get(doc, "points");
  ck_assert_int_eq(json_array_size(pts), 3);
  for (int i = 0; i < 3; i++) {
    const json_t *p = json_array_get(pts, (size_t)i);
    ck_assert_str_eq(json_string_value(json_object_get(p, "problem")), want[i]);
    ck_assert(json_is_integer(json_object_get(p, "macs")) && json_is_true(json_object_get(p, "quick")));
    ck_assert(json_number_value(json_object_get(p, "iqr_ms")) >= 0);
  }
  // The command as typed, re-runnable: "resbench bench conv" and the arguments in their order.
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "resbench %s", args);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "context"), "command")), cmd);
  json_decref(doc);
  f = fopen(file, "a");
  fputs("mb1ic8zz8\n", f);
  fclose(f);
  snprintf(args, sizeof args, "bench conv --problems %s --quick --peers none", file);
  ck_assert_int_eq(tu_run_cli(args, buf, sizeof buf), 2);
  ck_assert_msg(strstr(buf, "problems.txt:5: ") && strstr(buf, "zz"), "%s", buf);
  tu_rm_rf(dir);
}
END_TEST

START_TEST(bench_save) {
  char dir[] = "/tmp/resbench-bench-XXXXXX", args[512], path[1024];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(args, sizeof args, "bench conv mb1ic8ih8oc8oh8kh1 --quick --peers none --domain core --results %s", dir);
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_int_eq(find_files(dir, "bench-conv-", ".json", path, sizeof path), 1);
  json_error_t err;
  json_t *doc = json_load_file(path, 0, &err);
  ck_assert_msg(doc != NULL, "%s: %s", path, err.text);
  ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "bench-conv");
  ck_assert(json_is_object(json_object_get(doc, "context")));
  ck_assert_int_eq(json_array_size(json_object_get(doc, "peaks")), 1);
  // The peak record: the widest probe's best run with its spread, after the warm load.
  const json_t *pk = json_array_get(json_object_get(doc, "peaks"), 0);
  ck_assert(json_is_true(json_object_get(pk, "measured")));
  ck_assert_msg(num(pk, "fma_min_gflops") <= num(pk, "fma_median_gflops") &&
                    num(pk, "fma_median_gflops") <= num(pk, "fma_gflops"),
                "spread %g %g %g", num(pk, "fma_min_gflops"), num(pk, "fma_median_gflops"), num(pk, "fma_gflops"));
  ck_assert_int_eq((int)num(pk, "fma_runs"), 2);
  ck_assert(num(pk, "warmup_seconds") >= 0.05);
  ck_assert_double_eq(num(json_object_get(pk, "isa_fma_gflops"), json_string_value(json_object_get(pk, "fma_isa"))),
                      num(pk, "fma_gflops"));
  json_t *p = json_array_get(json_object_get(doc, "points"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(p, "problem")), "mb1ic8ih8oc8oh8kh1");
  check_timing(p, "");
  char xml[1024];
  const char *x = json_string_value(json_object_get(doc, "topology_xml"));
  ck_assert_ptr_nonnull(x);
  snprintf(xml, sizeof xml, "%.*s/%s", (int)(strrchr(path, '/') - path), path, x);
  ck_assert_msg(access(xml, R_OK) == 0, "no topology file %s", xml);
  json_decref(doc);
  tu_rm_rf(dir);
}
END_TEST

START_TEST(sweep_bad_grids) {
  char dir[] = "/tmp/resbench-sweep-XXXXXX", args[512], path[1024];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  static const struct {
    const char *args, *needle;
  } cases[] = {
      {"--family resnest --radix 0", "radix"},
      {"--family resnet,foo", "foo"},
      {"--family resnet --domains core,l2", "l2"},
      {"--family resnet --depth 51", "51"},
      {"--family resnet --level layer", "layer"},
      {"--family resnet --isa sse9", "sse9"},
      {"--family resnet --cardinality 1,,2", "1,,2"},
      {"--family resnet --peers nosuchlib", "nosuchlib"},
      {"--family resnet --bogus", "help"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(args, sizeof args, "sweep %s --results %s", cases[i].args, dir);
    ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 2, "%s: %s", args, buf);
    ck_assert_msg(strstr(buf, cases[i].needle) != NULL, "%s: want '%s' in: %s", args, cases[i].needle, buf);
  }
  ck_assert_int_eq(find_files(dir, "", "", path, sizeof path), 0);  // nothing written
  snprintf(args, sizeof args, "sweep --family resnet --depth 18 --resume --results %s", dir);
  ck_assert_int_eq(tu_run_cli(args, buf, sizeof buf), 2);  // nothing to resume: bad usage
  ck_assert_msg(strstr(buf, "no earlier sweep"), "%s", buf);
  tu_rm_rf(dir);
}
END_TEST

static json_t *load_points(const char *path) {
  json_error_t err;
  json_t *doc = json_load_file(path, 0, &err);
  ck_assert_msg(doc != NULL, "%s: %s", path, err.text);
  json_t *pts = json_incref(json_object_get(doc, "points"));
  json_decref(doc);
  return pts;
}

// An interrupted sweep keeps its points; --resume measures the rest only.
START_TEST(sweep_resume) {
  char dir[] = "/tmp/resbench-sweep-XXXXXX", args[512], path[1024];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  const char *grid = "--family resnet --depth 18 --level block,network --domains core --res 64 --quick";
  snprintf(args, sizeof args, "sweep %s --results %s --max-points 2", grid, dir);
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_msg(strstr(buf, "--resume"), "%s", buf);
  ck_assert_int_eq(find_files(dir, "sweep-", ".json", path, sizeof path), 1);
  json_t *first = load_points(path);
  ck_assert_int_eq(json_array_size(first), 2);

  snprintf(args, sizeof args, "sweep %s --results %s --resume", grid, dir);
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_msg(strstr(buf, "2 point(s) already measured"), "%s", buf);
  ck_assert_int_eq(find_files(dir, "sweep-", ".json", path, sizeof path), 1);  // the same document
  json_t *all = load_points(path);
  ck_assert_int_eq(json_array_size(all), 5);  // layer1.0 .. layer4.0 and the network
  for (size_t i = 0; i < 2; i++)              // the first two were not measured again
    ck_assert(json_equal(json_array_get(first, i), json_array_get(all, i)));
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet18", &spec), RB_OK);
  int keys_unique = 1, network = 0;
  for (size_t i = 0; i < json_array_size(all); i++) {
    json_t *p = json_array_get(all, i);
    for (size_t j = 0; j < i; j++)
      keys_unique &= !json_equal(json_object_get(p, "key"), json_object_get(json_array_get(all, j), "key"));
    check_timing(p, "");
    if (strcmp(json_string_value(json_object_get(p, "level")), "network") == 0) {
      rb_graph *g;
      ck_assert_int_eq(rb_graph_build(&spec, 1, 64, 64, &g), RB_OK);
      ck_assert_double_eq(num(p, "params"), g->params);
      ck_assert_double_eq(num(p, "macs"), g->macs);
      ck_assert_str_eq(json_string_value(json_object_get(p, "model")), "resnet18");
      rb_graph_destroy(g);
      network++;
    }
  }
  ck_assert(keys_unique);
  ck_assert_int_eq(network, 1);
  ck_assert_msg(strstr(buf, "| block layer4.0 |") && strstr(buf, "| network |"), "Markdown table on stdout: %s", buf);
  char md[1024];
  ck_assert_int_eq(find_files(dir, "sweep-", ".md", md, sizeof md), 1);

  // Nothing left to measure: the document stays as it was.
  ck_assert_msg(tu_run_cli(args, buf, sizeof buf) == 0, "%s", buf);
  json_t *again = load_points(path);
  ck_assert(json_equal(all, again));
  json_decref(first);
  json_decref(all);
  json_decref(again);
  tu_rm_rf(dir);
}
END_TEST

Suite *bench_suite(void) {
  Suite *s = suite_create("bench");
  TCase *tc = tcase_create("bench");
  tcase_set_timeout(tc, 600);  // peak probes and timed runs, slow under qemu and ASan
  tcase_add_test(tc, bench_conv_json);
  tcase_add_test(tc, bench_bad_arguments);
  tcase_add_test(tc, bench_model_json);
  tcase_add_test(tc, bench_model_versus);
  tcase_add_test(tc, bench_model_profile);
  tcase_add_test(tc, bench_save);
  tcase_add_test(tc, bench_conv_problems);
  tcase_add_test(tc, sweep_bad_grids);
  tcase_add_test(tc, sweep_resume);
  suite_add_tcase(s, tc);
  return s;
}
