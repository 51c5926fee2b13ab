// benchdnn convolution problem syntax: rb_conv_desc_parse against hand-written descriptors, round trips
// through rb_conv_desc_format, and error paths.
#include <check.h>
#include <string.h>

#include "oracle64.h"
#include "resbench/model.h"
#include "resbench/resbench.h"
#include "testutil.h"

static void assert_desc_eq(const rb_conv_desc *got, const rb_conv_desc *want, const char *what) {
  char g[160], w[160];
  rb_conv_desc_format(got, g, sizeof g);
  rb_conv_desc_format(want, w, sizeof w);
  ck_assert_msg(memcmp(got, want, sizeof *got) == 0,
                "%s: got %s (pads t%d l%d b%d r%d) want %s (pads t%d l%d b%d r%d)", what, g, got->pad_top,
                got->pad_left, got->pad_bottom, got->pad_right, w, want->pad_top, want->pad_left, want->pad_bottom,
                want->pad_right);
}

static rb_conv_desc parse_ok(const char *s) {
  rb_conv_desc d;
  memset(&d, 0xff, sizeof d);
  ck_assert_msg(rb_conv_desc_parse(s, &d) == RB_OK, "%s: %s", s, rb_last_error());
  return d;
}

START_TEST(issue_examples) {
  rb_conv_desc d = parse_ok("mb1ic64ih56oc64oh56kh3ph1");
  rb_conv_desc want = rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1);
  assert_desc_eq(&d, &want, "resnet 3x3");
  d = parse_ok("g32mb1ic128ih56oc128oh56kh3ph1");
  want = rb_conv_desc_make(1, 56, 56, 128, 128, 3, 1, 1, 1, 32);
  assert_desc_eq(&d, &want, "resnext 3x3");
  // benchdnn's canonical long form with underscores and a name (alexnet conv1 from its doc).
  d = parse_ok("g1mb4_ic3ih227iw227_oc96oh55ow55_kh11kw11_sh4sw4ph0pw0_n\"alexnet:conv1\"");
  want = rb_conv_desc_make(4, 227, 227, 3, 96, 11, 4, 0, 1, 1);
  assert_desc_eq(&d, &want, "alexnet");
  d = parse_ok("mb1ic3ih224oc64oh112kh7sh2ph3nresnet18_0");
  want = rb_conv_desc_make(1, 224, 224, 3, 64, 7, 2, 3, 1, 1);
  assert_desc_eq(&d, &want, "stem with name");
}
END_TEST

START_TEST(benchdnn_defaults) {
  // mb 2, g 1, stride 1, no padding, oh computed.
  rb_conv_desc d = parse_ok("ic16ih10oc8kh3");
  rb_conv_desc want = rb_conv_desc_make(2, 10, 10, 16, 8, 3, 1, 0, 1, 1);
  assert_desc_eq(&d, &want, "defaults");
  ck_assert_int_eq(rb_conv_out_h(&d), 8);
  // ph inferred from oh as benchdnn does: (oh-1)*sh - ih + kh over 2.
  d = parse_ok("mb1ic64ih56oc64oh56kh3");
  want = rb_conv_desc_make(1, 56, 56, 64, 64, 3, 1, 1, 1, 1);
  assert_desc_eq(&d, &want, "ph inferred");
  // dh counts from 0: dh1 is dilation 2; padding inferred with the dilated extent.
  d = parse_ok("mb1ic40ih13oc40oh13kh3dh1");
  want = rb_conv_desc_make(1, 13, 13, 40, 40, 3, 1, 2, 2, 1);
  assert_desc_eq(&d, &want, "dilation");
  d = parse_ok("mb1ic40ih13oc40oh13kh3ph1dh0");
  ck_assert_int_eq(d.dil_h, 1);
  // Non-square: each w field given or copied from h.
  d = parse_ok("mb1ic8ih12iw20oc8oh6ow10kh3kw5sh2ph1pw2");
  want = (rb_conv_desc){.n = 1, .h = 12, .w = 20, .cin = 8, .cout = 8, .kh = 3, .kw = 5, .stride_h = 2,
                        .stride_w = 2, .pad_top = 1, .pad_left = 2, .pad_bottom = 1, .pad_right = 2,
                        .dil_h = 1, .dil_w = 1, .groups = 1};
  assert_desc_eq(&d, &want, "non-square");
  // Stride 2 1x1: symmetric 0 padding, oh = 28 from 56.
  d = parse_ok("mb1ic256ih56oc512oh28kh1sh2");
  want = rb_conv_desc_make(1, 56, 56, 256, 512, 1, 2, 0, 1, 1);
  assert_desc_eq(&d, &want, "downsample");
  // Asymmetric: oh one larger than symmetric padding gives -> bottom padding 2.
  d = parse_ok("mb1ic8ih9oc8oh10kh3ph1");
  ck_assert_int_eq(d.pad_top, 1);
  ck_assert_int_eq(d.pad_bottom, 2);
  ck_assert_int_eq(rb_conv_out_h(&d), 10);
}
END_TEST

static void round_trip(const rb_conv_desc *d, const char *what) {
  char s[160], s2[160];
  rb_conv_desc_format(d, s, sizeof s);
  rb_conv_desc p;
  ck_assert_msg(rb_conv_desc_parse(s, &p) == RB_OK, "%s: parse(%s): %s", what, s, rb_last_error());
  assert_desc_eq(&p, d, s);
  rb_conv_desc_format(&p, s2, sizeof s2);
  ck_assert_str_eq(s2, s);
}

START_TEST(model_layers_round_trip) {
  const char *models[] = {"resnet50", "resnext50_32x4d", "resnest50d"};
  for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
    rb_model_spec spec;
    ck_assert_int_eq(rb_model_find(models[m], &spec), RB_OK);
    rb_graph *g;
    ck_assert_int_eq(rb_graph_build(&spec, 1, 224, 224, &g), RB_OK);
    int convs = 0;
    for (int i = 0; i < g->count; i++)
      if (g->layers[i].kind == RB_LAYER_CONV) {
        round_trip(&g->layers[i].conv, g->layers[i].name);
        convs++;
      }
    ck_assert_int_ge(convs, 53);  // ResNet-50: 53 convolutions
    rb_graph_destroy(g);
  }
}
END_TEST

// Random descriptors with symmetric padding (PyTorch's), incl. strides >= 3 (where format writes ph0).
START_TEST(random_round_trip) {
  o64_rng r;
  o64_seed(&r, 42);
  for (int t = 0; t < 3000; t++) {
    const int g = o64_int(&r, 1, 4);
    rb_conv_desc d = {.n = o64_int(&r, 1, 3), .h = o64_int(&r, 1, 40), .w = o64_int(&r, 1, 40),
                      .cin = g * o64_int(&r, 1, 5), .cout = g * o64_int(&r, 1, 5), .kh = o64_int(&r, 1, 7),
                      .kw = o64_int(&r, 1, 7), .stride_h = o64_int(&r, 1, 4), .stride_w = o64_int(&r, 1, 4),
                      .dil_h = o64_int(&r, 1, 3), .dil_w = o64_int(&r, 1, 3), .groups = g};
    d.pad_top = d.pad_bottom = o64_int(&r, 0, 3);
    d.pad_left = d.pad_right = o64_int(&r, 0, 3);
    if (rb_conv_desc_check(&d) != RB_OK) continue;
    round_trip(&d, "random");
  }
}
END_TEST

START_TEST(invalid_problems) {
  rb_conv_desc d;
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64oh56kq3", &d), RB_ERR_INVALID_ARG, "unknown token 'kq'");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64oh56kh3PH1", &d), RB_ERR_INVALID_ARG, "unexpected 'P'");
  ASSERT_FAILS(rb_conv_desc_parse("mbic64ih56oc64kh3", &d), RB_ERR_INVALID_ARG, "'mb' needs a number");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64kh", &d), RB_ERR_INVALID_ARG, "'kh' needs a number");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64kh3ph-1", &d), RB_ERR_INVALID_ARG, "'ph' needs a non-negative");
  ASSERT_FAILS(rb_conv_desc_parse("mb99999999999ic64ih56oc64kh3", &d), RB_ERR_INVALID_ARG,
               "'mb99999999999' is out of range");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64kh3mb2", &d), RB_ERR_INVALID_ARG, "'mb' is given twice");
  ASSERT_FAILS(rb_conv_desc_parse("g3mb1ic64ih56oc66kh3", &d), RB_ERR_SHAPE, "ic 64 is not divisible by g 3");
  ASSERT_FAILS(rb_conv_desc_parse("g4mb1ic64ih56oc66kh3", &d), RB_ERR_SHAPE, "oc 66 is not divisible by g 4");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64oh50kh3ph1", &d), RB_ERR_SHAPE, "oh 50 is inconsistent");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64oh70kh3ph1", &d), RB_ERR_SHAPE, "oh 70 is inconsistent");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56iw20oc64oh56kh3ph1", &d), RB_ERR_SHAPE, "(ow defaults to oh)");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64id8ih56oc64kh3", &d), RB_ERR_UNSUPPORTED, "token 'id' is 3D");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64kd3kh3", &d), RB_ERR_UNSUPPORTED, "'kd'");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64oc64kh3", &d), RB_ERR_INVALID_ARG, "'ih' is missing");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64", &d), RB_ERR_INVALID_ARG, "'kh' is missing");
  ASSERT_FAILS(rb_conv_desc_parse("", &d), RB_ERR_INVALID_ARG, "'ic' is missing");
  ASSERT_FAILS(rb_conv_desc_parse("mb0ic64ih56oc64kh3", &d), RB_ERR_INVALID_ARG, "mb must be >= 1");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih56oc64kh3sh0", &d), RB_ERR_INVALID_ARG, "sh must be >= 1");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih5oc64kh7", &d), RB_ERR_SHAPE, "kh 7 (dilated 7) is larger than ih 5");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic64ih4096oc64kh3mb1", &d), RB_ERR_INVALID_ARG, "given twice");
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic2000000ih56oc64kh3", &d), RB_ERR_INVALID_ARG, "'ic2000000' is out of range");
  ASSERT_FAILS(rb_conv_desc_parse(NULL, &d), RB_ERR_NULL, "NULL");
  // Every field within the limit, but the padding makes ow 1266706: the output would not format
  // to a name that parses back (found by fuzz_conv_parse).
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic6ih456iw40oc640kh3kw1ph1pw633333", &d), RB_ERR_INVALID_ARG,
               "output 456 x 1266706 is larger than 1048576");
  rb_conv_desc big = rb_conv_desc_make(1, 8, 8, 4, 4, 1, 1, 600000, 1, 1);
  ASSERT_FAILS(rb_conv_desc_check(&big), RB_ERR_INVALID_ARG, "output 1200008 x 1200008");
}
END_TEST

Suite *conv_parse_suite(void) {
  Suite *s = suite_create("conv_parse");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, issue_examples);
  tcase_add_test(tc, benchdnn_defaults);
  tcase_add_test(tc, model_layers_round_trip);
  tcase_add_test(tc, random_round_trip);
  tcase_add_test(tc, invalid_problems);
  suite_add_tcase(s, tc);
  return s;
}
