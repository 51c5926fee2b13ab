// Model specs, the registry and the layer graph: counts and state_dict keys against PyTorch
// (tests/fixtures/model_counts.json, written by tools/golden_models.py from PyTorch modules
// that follow timm), and the error paths.
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resbench/model.h"
#include "testutil.h"

static json_t *load_counts(void) {
  char path[512];
  tu_fixture_path("model_counts.json", path, sizeof path);
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  ck_assert_msg(root != NULL, "cannot read %s: %s (regenerate: /usr/bin/python3 tools/golden_models.py)", path,
                err.text);
  return root;
}

// Every registry model: parameters, multiply-adds and BN elements equal PyTorch's for the same
// architecture, and so do the state_dict keys, shapes and order where the fixture lists them.
START_TEST(counts_and_keys_match_pytorch) {
  json_t *root = load_counts();
  json_t *models = json_object_get(root, "models");
  ck_assert_msg(json_is_object(models), "model_counts.json has no 'models' object");
  ck_assert_uint_eq(json_object_size(models) >= rb_model_registry_count(), 1);
  for (size_t i = 0; i < rb_model_registry_count(); i++) {
    const char *name = rb_model_registry_name(i);
    json_t *m = json_object_get(models, name);
    ck_assert_msg(m != NULL, "fixture lacks %s", name);
    rb_model_spec spec;
    ck_assert_int_eq(rb_model_find(name, &spec), RB_OK);
    const int res = (int)json_integer_value(json_object_get(m, "res"));
    rb_graph *g;
    ck_assert_msg(rb_graph_build(&spec, 1, res, res, &g) == RB_OK, "%s: %s", name, rb_last_error());
    const double params = json_number_value(json_object_get(m, "params"));
    const double macs = json_number_value(json_object_get(m, "macs"));
    const double bn = json_number_value(json_object_get(m, "bn_elements"));
    ck_assert_msg(g->params == params, "%s params %.0f, PyTorch %.0f", name, g->params, params);
    ck_assert_msg(g->macs == macs, "%s MACs %.0f, PyTorch %.0f", name, g->macs, macs);
    ck_assert_msg(g->bn_elements == bn, "%s BN elements %.0f, PyTorch %.0f", name, g->bn_elements, bn);

    rb_param_key *keys;
    int nkeys;
    ck_assert_int_eq(rb_graph_param_keys(g, &keys, &nkeys), RB_OK);
    double trainable = 0;
    for (int k = 0; k < nkeys; k++) {
      double n = 1;
      for (int d = 0; d < keys[k].rank; d++) n *= keys[k].shape[d];
      if (keys[k].trainable) trainable += n;
    }
    ck_assert_msg(trainable == params, "%s: keys hold %.0f trainable values, params %.0f", name, trainable, params);
    json_t *key_count = json_object_get(m, "key_count");
    if (key_count) ck_assert_int_eq(nkeys, json_integer_value(key_count));
    json_t *want = json_object_get(m, "keys");
    if (want) {
      ck_assert_msg((int)json_array_size(want) == nkeys, "%s: %d keys, PyTorch %zu", name, nkeys,
                    json_array_size(want));
      for (int k = 0; k < nkeys; k++) {
        json_t *entry = json_array_get(want, (size_t)k);
        const char *wname = json_string_value(json_array_get(entry, 0));
        json_t *wshape = json_array_get(entry, 1);
        ck_assert_msg(wname && strcmp(wname, keys[k].name) == 0, "%s key %d: %s, PyTorch %s", name, k, keys[k].name,
                      wname ? wname : "?");
        ck_assert_msg((int)json_array_size(wshape) == keys[k].rank, "%s %s: rank %d", name, keys[k].name,
                      keys[k].rank);
        for (int d = 0; d < keys[k].rank; d++)
          ck_assert_msg(json_integer_value(json_array_get(wshape, (size_t)d)) == keys[k].shape[d],
                        "%s %s: dim %d is %d", name, keys[k].name, d, keys[k].shape[d]);
      }
    }
    free(keys);
    rb_graph_destroy(g);
  }
  json_decref(root);
}
END_TEST

// Costs scale as they must: batch multiplies MACs and element ops but not parameters.
START_TEST(batch_and_resolution_scaling) {
  rb_model_spec s;
  rb_graph *g1, *g4, *gsmall;
  ck_assert_int_eq(rb_model_find("resnest50d", &s), RB_OK);
  ck_assert_int_eq(rb_graph_build(&s, 1, 224, 224, &g1), RB_OK);
  ck_assert_int_eq(rb_graph_build(&s, 4, 224, 224, &g4), RB_OK);
  ck_assert_int_eq(rb_graph_build(&s, 1, 32, 32, &gsmall), RB_OK);
  ck_assert(g4->params == g1->params && g4->macs == 4 * g1->macs && g4->elem_ops == 4 * g1->elem_ops);
  ck_assert(gsmall->params == g1->params && gsmall->macs < g1->macs / 40);
  ck_assert_int_eq(g1->tensors[g1->output].c, 1000);
  rb_graph_destroy(g1), rb_graph_destroy(g4), rb_graph_destroy(gsmall);
}
END_TEST

START_TEST(registry_and_depth) {
  ck_assert_uint_eq(rb_model_registry_count(), 18);
  rb_model_spec s;
  ASSERT_FAILS(rb_model_find("resnet51", &s), RB_ERR_NOT_FOUND, "unknown model 'resnet51'");
  for (size_t i = 0; i < rb_model_registry_count(); i++) {
    const char *name = rb_model_registry_name(i);
    ck_assert_int_eq(rb_model_find(name, &s), RB_OK);
    ck_assert_msg(rb_model_spec_check(&s) == RB_OK, "%s: %s", name, rb_last_error());
    // The depth in the name is what the layout says (resnest101e: 101, resnext50_32x4d: 50).
    const char *digits = strpbrk(name, "0123456789");
    ck_assert_int_eq(rb_model_depth(&s), atoi(digits));
  }
  rb_block_type b;
  int layers[4];
  ck_assert_int_eq(rb_model_layers_for_depth(101, &b, layers), RB_OK);
  ck_assert_int_eq(b, RB_BLOCK_BOTTLENECK);
  ck_assert_int_eq(layers[2], 23);
  ASSERT_FAILS(rb_model_layers_for_depth(42, &b, layers), RB_ERR_INVALID_ARG, "depth 42");
}
END_TEST

START_TEST(spec_errors) {
  rb_model_spec good, s;
  ck_assert_int_eq(rb_model_find("resnest50d", &good), RB_OK);
#define BAD(field, value, status, needle) \
  s = good;                               \
  s.field = (value);                      \
  ASSERT_FAILS(rb_model_spec_check(&s), status, needle)
  BAD(radix, 0, RB_ERR_INVALID_ARG, "radix must be in 1..64, got 0");
  BAD(cardinality, -2, RB_ERR_INVALID_ARG, "cardinality must be in 1..1024, got -2");
  BAD(layers[2], 0, RB_ERR_INVALID_ARG, "stage 3 must have 1..64 blocks, got 0");
  BAD(family, (rb_family)9, RB_ERR_INVALID_ARG, "unknown family 9");
  BAD(block, RB_BLOCK_BASIC, RB_ERR_INVALID_ARG, "ResNeSt needs bottleneck blocks");
  BAD(num_classes, 0, RB_ERR_INVALID_ARG, "num_classes");
#undef BAD
  ck_assert_int_eq(rb_model_find("resnet50", &good), RB_OK);
  s = good;
  s.radix = 2;
  ASSERT_FAILS(rb_model_spec_check(&s), RB_ERR_INVALID_ARG, "ResNeSt options");
  s = good;
  s.block = RB_BLOCK_BASIC, s.cardinality = 32, s.base_width = 4;
  ASSERT_FAILS(rb_model_spec_check(&s), RB_ERR_INVALID_ARG, "basic blocks take cardinality 1 and base_width 64");
  ASSERT_FAILS(rb_model_spec_check(NULL), RB_ERR_NULL, "NULL");
  rb_graph *g = (rb_graph *)1;
  ASSERT_FAILS(rb_graph_build(&good, 1, 16, 16, &g), RB_ERR_SHAPE, "too small");
  ck_assert_ptr_null(g);
  ASSERT_FAILS(rb_graph_build(&good, 0, 224, 224, &g), RB_ERR_INVALID_ARG, "batch");
  ASSERT_FAILS(rb_graph_build(&good, 1, 0, 224, &g), RB_ERR_INVALID_ARG, "resolution");
}
END_TEST

// Parametric points no paper trained build and count too (the sweep runner's space).
START_TEST(parametric_points) {
  rb_model_spec s;
  ck_assert_int_eq(rb_model_find("resnest50d", &s), RB_OK);
  for (int radix = 1; radix <= 4; radix *= 2)
    for (int card = 1; card <= 4; card *= 2) {
      s.radix = radix, s.cardinality = card, s.base_width = 64 / card;
      rb_graph *g;
      ck_assert_msg(rb_graph_build(&s, 1, 224, 224, &g) == RB_OK, "%ds%dx: %s", radix, card, rb_last_error());
      ck_assert(g->params > 1e7 && g->macs > 3e9);
      rb_graph_destroy(g);
    }
}
END_TEST

Suite *models_suite(void) {
  Suite *s = suite_create("models");
  TCase *tc = tcase_create("models");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, counts_and_keys_match_pytorch);
  tcase_add_test(tc, batch_and_resolution_scaling);
  tcase_add_test(tc, registry_and_depth);
  tcase_add_test(tc, spec_errors);
  tcase_add_test(tc, parametric_points);
  suite_add_tcase(s, tc);
  return s;
}
