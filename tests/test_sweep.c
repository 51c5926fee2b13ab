// Sweep grid: option parsing and its errors, expansion counts and keys, registry equality of
// default points, network cost equal to the registry model's graph.
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "resbench/model.h"
#include "sweep.h"
#include "testutil.h"

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

// Sets options from "name=value" pairs; fails the test on an error.
static void set_all(rb_sweep_grid *g, const char *const *opts, int n) {
  rb_sweep_grid_defaults(g);
  for (int i = 0; i < n; i += 2)
    ck_assert_msg(rb_sweep_grid_set(g, opts[i], opts[i + 1]) == RB_OK, "%s %s: %s", opts[i], opts[i + 1],
                  rb_last_error());
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void assert_keys_unique(const rb_sweep_point *p, int n) {
  const char **keys = malloc((size_t)n * sizeof *keys);
  for (int i = 0; i < n; i++) keys[i] = p[i].key;
  qsort(keys, (size_t)n, sizeof *keys, cmp_str);
  for (int i = 1; i < n; i++) ck_assert_msg(strcmp(keys[i - 1], keys[i]) != 0, "duplicate key %s", keys[i]);
  free(keys);
}

// The issue's example: 27 specs x (4 blocks + 1 network), keys unique and as documented.
START_TEST(issue_example_counts_and_keys) {
  const char *opts[] = {"--family", "resnest", "--depth", "50", "--radix", "1,2,4", "--cardinality", "1,2,4",
                        "--width",  "64,40,24", "--level", "block,network"};
  rb_sweep_grid g;
  set_all(&g, opts, NOPTS(opts));
  rb_sweep_point *p;
  int n;
  char notes[256];
  ck_assert_msg(rb_sweep_expand(&g, &p, &n, notes, sizeof notes) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(n, 27 * 5);
  ck_assert_str_eq(notes, "");
  assert_keys_unique(p, n);
  int blocks = 0, nets = 0, found = 0;
  for (int i = 0; i < n; i++) {
    if (p[i].level == RB_SWEEP_BLOCK) {
      blocks++;
      ck_assert_int_eq(p[i].params, -1);
      ck_assert_int_eq(p[i].block_in.n, 1);
    } else {
      nets++;
      ck_assert_str_eq(p[i].block, "");
      ck_assert(p[i].macs > 1e9);
    }
    if (strcmp(p[i].key, "resnest-d50-c2-r4-w40/block/layer2.0/ref/core/b1-r224") == 0) {
      found++;
      ck_assert_str_eq(p[i].block, "layer2.0");
      ck_assert_int_eq(p[i].stage, 2);
      ck_assert_str_eq(p[i].model, "resnest50d_4s2x40d");
      // layer2.0's input is layer1's output: 256 channels at 56x56.
      ck_assert_int_eq(p[i].block_in.c, 256);
      ck_assert_int_eq(p[i].block_in.h, 56);
      ck_assert_int_eq(p[i].cardinality * 100 + p[i].radix * 10 + (p[i].width == 40), 241);
    }
  }
  ck_assert_int_eq(blocks, 27 * 4);
  ck_assert_int_eq(nets, 27);
  ck_assert_int_eq(found, 1);
  // Same grid again: identical keys in the same order (what --resume relies on).
  rb_sweep_point *q;
  int m;
  ck_assert_int_eq(rb_sweep_expand(&g, &q, &m, NULL, 0), RB_OK);
  ck_assert_int_eq(m, n);
  for (int i = 0; i < n; i++) ck_assert_str_eq(q[i].key, p[i].key);
  free(q);
  free(p);
}
END_TEST

// Cross product over level x isa x domain, and a mixed-family grid with skipped basic combos.
START_TEST(cross_product_and_skips) {
  const char *opts[] = {"family", "resnet,se,sk,resnest", "depth", "18,50", "cardinality", "1,4", "width", "64,24",
                        "level", "block,network", "isa", "ref,avx512", "domains", "core,l3,numa,machine"};
  rb_sweep_grid g;
  set_all(&g, opts, NOPTS(opts));
  rb_sweep_point *p;
  int n;
  char notes[4096];
  ck_assert_msg(rb_sweep_expand(&g, &p, &n, notes, sizeof notes) == RB_OK, "%s", rb_last_error());
  // depth 50: 4 families x 4 (card, width); depth 18: resnet, se, sk at (1, 64) only.
  const int specs = 4 * 4 + 3;
  ck_assert_int_eq(n, specs * 5 * 2 * 4);
  assert_keys_unique(p, n);
  ck_assert_ptr_nonnull(strstr(notes, "skipped resnet-d18-c4-w64: basic blocks take cardinality 1 and width 64"));
  ck_assert_ptr_nonnull(strstr(notes, "skipped resnest-d18-c1-r2-w64: ResNeSt has no basic-block variant"));
  int resnet18 = 0;
  for (int i = 0; i < n; i++)
    if (p[i].model && strcmp(p[i].model, "resnet18") == 0) {
      resnet18++;
      ck_assert_int_eq(p[i].spec.block, RB_BLOCK_BASIC);
    }
  ck_assert_int_eq(resnet18, 5 * 2 * 4);
  free(p);
}
END_TEST

// A one-spec network grid; returns the point (caller frees) after checking there is one.
static rb_sweep_point *one_point(const char *const *opts, int n_opts) {
  rb_sweep_grid g;
  set_all(&g, opts, n_opts);
  rb_sweep_point *p;
  int n;
  ck_assert_msg(rb_sweep_expand(&g, &p, &n, NULL, 0) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(n, 1);
  return p;
}

// Default and chosen axis values land exactly on registry specs, found by name, and network cost
// equals the registry model's graph.
START_TEST(points_equal_registry_models) {
  static const struct {
    const char *model, *opts[8];
  } cases[] = {
      {"resnest50d", {"family", "resnest"}},
      {"resnest50d_4s2x40d", {"family", "resnest", "radix", "4", "cardinality", "2", "width", "40"}},
      {"resnest50d_1s4x24d", {"family", "resnest", "radix", "1", "cardinality", "4", "width", "24"}},
      {"resnest101e", {"family", "resnest", "depth", "101"}},  // differs: stem 64, 256px
      {"resnet50", {"family", "resnet"}},
      {"resnext50_32x4d", {"family", "resnet", "cardinality", "32", "width", "4"}},
      {"seresnet50", {"family", "se"}},
      {"seresnext50_32x4d", {"family", "se", "cardinality", "32", "width", "4"}},
      {"skresnext50_32x4d", {"family", "sk"}},
      {"skresnet18", {"family", "sk", "depth", "18"}},
      {"skresnet34", {"family", "sk", "depth", "34"}},
      {"resnet18", {"family", "resnet", "depth", "18"}},
      {"resnest26d", {"family", "resnest", "depth", "26"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n_opts = 0;
    while (n_opts < 8 && cases[i].opts[n_opts]) n_opts++;
    rb_sweep_point *p = one_point(cases[i].opts, n_opts);
    rb_model_spec want;
    ck_assert_int_eq(rb_model_find(cases[i].model, &want), RB_OK);
    if (strcmp(cases[i].model, "resnest101e") == 0) {
      ck_assert_ptr_null(p->model);  // no registry ResNeSt-101 with the 32-wide stem
      free(p);
      continue;
    }
    ck_assert_msg(p->model && strcmp(p->model, cases[i].model) == 0, "%s: got %s", cases[i].model,
                  p->model ? p->model : "NULL");
    ck_assert_int_eq(memcmp(&p->spec, &want, sizeof want), 0);
    rb_graph *gr;
    ck_assert_int_eq(rb_graph_build(&want, 1, 224, 224, &gr), RB_OK);
    double params, macs;
    ck_assert_int_eq(rb_sweep_point_network_cost(p, &params, &macs), RB_OK);
    ck_assert_double_eq(params, gr->params);
    ck_assert_double_eq(macs, gr->macs);
    ck_assert_double_eq(p->params, gr->params);
    ck_assert_double_eq(p->macs, gr->macs);
    rb_graph_destroy(gr);
    free(p);
  }
  // A point no registry model has.
  const char *opts[] = {"family", "resnest", "radix", "4"};
  rb_sweep_point *p = one_point(opts, NOPTS(opts));
  ck_assert_ptr_null(p->model);
  ck_assert_int_eq(p->spec.avd_first, 1);
  free(p);
}
END_TEST

// resnet50: the published exact counts (`resbench count resnet50 --json`).
START_TEST(resnet50_exact_cost) {
  const char *opts[] = {"family", "resnet", "depth", "50"};
  rb_sweep_point *p = one_point(opts, NOPTS(opts));
  ck_assert_double_eq(p->params, 25557032.0);
  ck_assert_double_eq(p->macs, 4089184256.0);
  ck_assert_str_eq(p->key, "resnet-d50-c1-w64/network/ref/core/b1-r224");
  free(p);
  // Batch scales MACs, not parameters.
  const char *opts2[] = {"family", "resnet", "batch", "4", "res", "112"};
  p = one_point(opts2, NOPTS(opts2));
  ck_assert_double_eq(p->params, 25557032.0);
  rb_model_spec s;
  rb_graph *gr;
  ck_assert_int_eq(rb_model_find("resnet50", &s), RB_OK);
  ck_assert_int_eq(rb_graph_build(&s, 4, 112, 112, &gr), RB_OK);
  ck_assert_double_eq(p->macs, gr->macs);
  ck_assert_str_eq(p->key, "resnet-d50-c1-w64/network/ref/core/b4-r112");
  rb_graph_destroy(gr);
  free(p);
}
END_TEST

static void assert_set_fails(const char *opt, const char *value, const char *needle) {
  rb_sweep_grid g, before;
  rb_sweep_grid_defaults(&g);
  before = g;
  ASSERT_FAILS(rb_sweep_grid_set(&g, opt, value), RB_ERR_INVALID_ARG, needle);
  ck_assert_int_eq(memcmp(&g, &before, sizeof g), 0);  // unchanged on failure
}

START_TEST(option_errors) {
  assert_set_fails("radix", "0", "--radix: 0 is out of range");
  assert_set_fails("radix", "1,,2", "empty item in '1,,2'");
  assert_set_fails("radix", ",1", "empty item");
  assert_set_fails("radix", "1,", "empty item");
  assert_set_fails("radix", "", "--radix: empty list");
  assert_set_fails("depth", "a", "'a' is not a positive integer");
  assert_set_fails("depth", "1-2", "'1-2' is not a positive integer");
  assert_set_fails("width", "-4", "'-4' is not a positive integer");
  assert_set_fails("width", "+4", "'+4' is not a positive integer");
  assert_set_fails("cardinality", "99999999999999999999", "out of range");
  assert_set_fails("cardinality", "2147483648", "out of range");
  assert_set_fails("cardinality", "1,2,1", "--cardinality: 1 is listed twice");
  assert_set_fails("family", "resnet,vgg", "unknown value 'vgg' (valid: resnet, se, sk, resnest)");
  assert_set_fails("family", "se,se", "'se' is listed twice");
  assert_set_fails("level", "layer", "unknown value 'layer' (valid: block, network)");
  assert_set_fails("isa", "sse2", "unknown value 'sse2' (valid: ref, avx512, neon)");
  assert_set_fails("domains", "core,socket", "unknown value 'socket' (valid: core, l3, numa, machine)");
  assert_set_fails("batch", "0", "--batch: 0 is out of range");
  assert_set_fails("batch", "5000", "--batch: 5000 is out of range (1..4096)");
  assert_set_fails("batch", "1,2", "--batch: '1,2' is not a positive integer");
  assert_set_fails("res", "31", "--res: 31 is out of range (32..4096)");
  assert_set_fails("depth", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "more than 16 values");
  assert_set_fails("--colour", "red", "unknown sweep option '--colour'");
  rb_sweep_grid g;
  rb_sweep_grid_defaults(&g);
  ASSERT_FAILS(rb_sweep_grid_set(&g, NULL, "1"), RB_ERR_NULL, "NULL");
  // "--" prefix and plain names are the same option; a second set replaces the list.
  ck_assert_int_eq(rb_sweep_grid_set(&g, "--depth", "18,34"), RB_OK);
  ck_assert_int_eq(rb_sweep_grid_set(&g, "depth", "101"), RB_OK);
  ck_assert_int_eq(g.depth.n, 1);
  ck_assert_int_eq(g.depth.v[0], 101);
}
END_TEST

static void assert_expand_fails(const char *const *opts, int n_opts, const char *needle) {
  rb_sweep_grid g;
  set_all(&g, opts, n_opts);
  rb_sweep_point *p = (rb_sweep_point *)&g;  // must come back NULL
  int n = 7;
  ASSERT_FAILS(rb_sweep_expand(&g, &p, &n, NULL, 0), RB_ERR_INVALID_ARG, needle);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(n, 0);
}

START_TEST(grid_errors) {
  const char *radix[] = {"family", "resnet,se", "radix", "2"};
  assert_expand_fails(radix, NOPTS(radix), "--radix applies to resnest only");
  const char *se[] = {"family", "resnest", "se-reduction", "8"};
  assert_expand_fails(se, NOPTS(se), "--se-reduction applies to se only");
  const char *sk[] = {"family", "resnet", "sk-paths", "3"};
  assert_expand_fails(sk, NOPTS(sk), "--sk-paths applies to sk only");
  const char *depth[] = {"family", "resnet", "depth", "50,42"};
  assert_expand_fails(depth, NOPTS(depth), "no ResNet layout for depth 42");
  // Only basic-block depths with a ResNeXt width: nothing remains.
  const char *basic[] = {"family", "resnet", "depth", "18,34", "cardinality", "32", "width", "4"};
  assert_expand_fails(basic, NOPTS(basic), "no point remains");
  const char *resnest18[] = {"family", "resnest", "depth", "18"};
  assert_expand_fails(resnest18, NOPTS(resnest18), "ResNeSt has no basic-block variant");
  // rb_model_spec_check: radix above 64; SK split input of 64 channels into 3 paths.
  const char *radix65[] = {"family", "resnest", "radix", "65"};
  assert_expand_fails(radix65, NOPTS(radix65), "resnest-d50-c1-r65-w64: model: radix must be in 1..64, got 65");
  const char *paths[] = {"family", "sk", "depth", "18", "sk-paths", "3"};
  assert_expand_fails(paths, NOPTS(paths), "do not split into 3 paths");
  // Split-attention conv: 25 channels into radix 2 groups; attention FC: 32 wide, 64 groups.
  const char *w25[] = {"family", "resnest", "width", "25"};
  assert_expand_fails(w25, NOPTS(w25), "width 25: stage 1's split-attention conv has 25 channels, not divisible");
  const char *c64[] = {"family", "resnest", "radix", "1", "cardinality", "64", "width", "1"};
  assert_expand_fails(c64, NOPTS(c64), "attention width 32 is not divisible into cardinality 64 groups");
  // 4 families x 16^5 axis values: refused before any allocation.
  rb_sweep_grid big;
  rb_sweep_grid_defaults(&big);
  const char *many = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16";
  ck_assert_int_eq(rb_sweep_grid_set(&big, "family", "resnet,se,sk,resnest"), RB_OK);
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(rb_sweep_grid_set(&big, (const char *[]){"cardinality", "width", "radix", "se-reduction",
                                                              "sk-paths"}[i], many), RB_OK);
  rb_sweep_point *none;
  int zero;
  ASSERT_FAILS(rb_sweep_expand(&big, &none, &zero, NULL, 0), RB_ERR_INVALID_ARG, "more than 65536");
  // ... which the same widths pass for the other bottleneck families.
  const char *ok[] = {"family", "resnet,se,sk", "width", "25", "cardinality", "64"};
  rb_sweep_grid g;
  set_all(&g, ok, NOPTS(ok));
  rb_sweep_point *p;
  int n;
  ck_assert_msg(rb_sweep_expand(&g, &p, &n, NULL, 0) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(n, 3);
  free(p);
}
END_TEST

// Independent check of the ResNeSt width rule: every (radix, card, width) the grid accepts
// builds, and the rule rejects exactly those where gw % (card * radix) != 0 at stage 1.
START_TEST(resnest_width_rule) {
  for (int radix = 1; radix <= 4; radix++)
    for (int width = 20; width <= 28; width++) {
      rb_sweep_grid g;
      rb_sweep_grid_defaults(&g);
      char r[16], w[16];
      snprintf(r, sizeof r, "%d", radix), snprintf(w, sizeof w, "%d", width);
      ck_assert_int_eq(rb_sweep_grid_set(&g, "family", "resnest"), RB_OK);
      ck_assert_int_eq(rb_sweep_grid_set(&g, "radix", r), RB_OK);
      ck_assert_int_eq(rb_sweep_grid_set(&g, "width", w), RB_OK);
      rb_sweep_point *p;
      int n;
      const rb_status s = rb_sweep_expand(&g, &p, &n, NULL, 0);
      ck_assert_msg((s == RB_OK) == (width % radix == 0), "radix %d width %d: %s", radix, width, rb_last_error());
      if (s == RB_OK) free(p);
    }
}
END_TEST

START_TEST(grid_json) {
  const char *opts[] = {"family", "resnest,sk", "radix", "1,2", "isa", "ref,avx512", "batch", "8"};
  rb_sweep_grid g;
  set_all(&g, opts, NOPTS(opts));
  json_t *j = rb_sweep_grid_json(&g);
  char *text = json_dumps(j, JSON_COMPACT);
  ck_assert_str_eq(text,
                   "{\"family\":[\"resnest\",\"sk\"],\"depth\":[50],\"cardinality\":null,\"width\":null,"
                   "\"radix\":[1,2],\"se_reduction\":null,\"sk_paths\":null,\"level\":[\"network\"],"
                   "\"isa\":[\"ref\",\"avx512\"],\"domains\":[\"core\"],\"batch\":8,\"res\":224}");
  free(text);
  json_decref(j);
}
END_TEST

// --cxw pairs instead of the cross product: the ResNeSt-50 ablation points (radix x CxWd).
START_TEST(cxw_pairs) {
  const char *opts[] = {"family", "resnest", "radix", "1,2,4", "cxw", "1x64d,2x40d,4x24"};
  rb_sweep_grid g;
  set_all(&g, opts, NOPTS(opts));
  rb_sweep_point *p;
  int n;
  ck_assert_msg(rb_sweep_expand(&g, &p, &n, NULL, 0) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(n, 9);  // 3 pairs x 3 radices, network level
  assert_keys_unique(p, n);
  static const struct {
    int card, width, radix;
    const char *model;
  } want[] = {{1, 64, 2, "resnest50d"}, {2, 40, 4, "resnest50d_4s2x40d"}, {4, 24, 1, "resnest50d_1s4x24d"}};
  for (int w = 0; w < NOPTS(want); w++) {
    int hits = 0;
    for (int i = 0; i < n; i++)
      if (p[i].cardinality == want[w].card && p[i].width == want[w].width && p[i].radix == want[w].radix) {
        ck_assert_msg(p[i].model && strcmp(p[i].model, want[w].model) == 0, "%s: got %s", want[w].model,
                      p[i].model ? p[i].model : "(none)");
        hits++;
      }
    ck_assert_int_eq(hits, 1);
  }
  for (int i = 0; i < n; i++)  // only the listed pairs, never 1x40 or 2x64
    ck_assert((p[i].cardinality == 1 && p[i].width == 64) || (p[i].cardinality == 2 && p[i].width == 40) ||
              (p[i].cardinality == 4 && p[i].width == 24));
  free(p);
  json_t *j = rb_sweep_grid_json(&g);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "cxw"), 1)), "2x40d");
  json_decref(j);

  static const char *const bad[] = {"2x", "x40", "2*40", "2x40,2x40d", "0x40", "2x40dd", ""};
  for (int i = 0; i < NOPTS(bad); i++) {
    rb_sweep_grid_defaults(&g);
    ck_assert_msg(rb_sweep_grid_set(&g, "cxw", bad[i]) == RB_ERR_INVALID_ARG, "'%s' accepted", bad[i]);
    ck_assert_msg(strstr(rb_last_error(), "--cxw") != NULL, "%s", rb_last_error());
  }
  rb_sweep_grid_defaults(&g);
  ck_assert_int_eq(rb_sweep_grid_set(&g, "cxw", "2x40d"), RB_OK);
  ck_assert_int_eq(rb_sweep_grid_set(&g, "width", "40"), RB_OK);
  ASSERT_FAILS(rb_sweep_expand(&g, &p, &n, NULL, 0), RB_ERR_INVALID_ARG, "not both");
}
END_TEST

Suite *sweep_suite(void) {
  Suite *s = suite_create("sweep");
  TCase *tc = tcase_create("sweep");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, issue_example_counts_and_keys);
  tcase_add_test(tc, cross_product_and_skips);
  tcase_add_test(tc, points_equal_registry_models);
  tcase_add_test(tc, resnet50_exact_cost);
  tcase_add_test(tc, option_errors);
  tcase_add_test(tc, grid_errors);
  tcase_add_test(tc, resnest_width_rule);
  tcase_add_test(tc, grid_json);
  tcase_add_test(tc, cxw_pairs);
  suite_add_tcase(s, tc);
  return s;
}
