// Peers (oneDNN, libxsmm DNN, libxsmm JIT GEMM) against the fp64 oracle on random data and shapes;
// unsupported combinations must say so; the registry names unknown peers.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "oracle64.h"
#include "peers/peer.h"
#include "resbench/probe.h"
#include "resbench/resbench.h"
#include "../testutil.h"

typedef struct peer_case {
  rb_conv_desc d;
  int bias;
} peer_case;

static const peer_case cases[] = {
    {{.n = 1, .h = 9, .w = 9, .cin = 32, .cout = 48, .kh = 1, .kw = 1, .stride_h = 1, .stride_w = 1,
      .dil_h = 1, .dil_w = 1, .groups = 1}, 1},                                         // 1x1
    {{.n = 2, .h = 7, .w = 5, .cin = 24, .cout = 40, .kh = 1, .kw = 1, .stride_h = 1, .stride_w = 1,
      .dil_h = 1, .dil_w = 1, .groups = 1}, 0},                                         // 1x1, batch 2, odd, C % 16 != 0
    {{.n = 1, .h = 11, .w = 11, .cin = 16, .cout = 32, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1,
      .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .dil_h = 1, .dil_w = 1, .groups = 1}, 1},  // 3x3 pad 1
    {{.n = 2, .h = 13, .w = 10, .cin = 20, .cout = 36, .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1,
      .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .dil_h = 1, .dil_w = 1, .groups = 1}, 0},  // stride 2, odd
    {{.n = 1, .h = 12, .w = 12, .cin = 64, .cout = 32, .kh = 1, .kw = 1, .stride_h = 2, .stride_w = 2,
      .dil_h = 1, .dil_w = 1, .groups = 1}, 1},                                         // 1x1 stride 2
    {{.n = 1, .h = 10, .w = 10, .cin = 128, .cout = 128, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1,
      .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .dil_h = 1, .dil_w = 1, .groups = 32}, 1},  // 4-channel groups
    {{.n = 2, .h = 9, .w = 9, .cin = 48, .cout = 96, .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1,
      .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .dil_h = 1, .dil_w = 1, .groups = 4}, 0},  // groups, stride 2
    {{.n = 1, .h = 12, .w = 12, .cin = 64, .cout = 64, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1,
      .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .dil_h = 1, .dil_w = 1, .groups = 1}, 0},  // Winograd-able
    {{.n = 1, .h = 13, .w = 13, .cin = 16, .cout = 16, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_top = 2,
      .pad_left = 2, .pad_bottom = 2, .pad_right = 2, .dil_h = 2, .dil_w = 2, .groups = 1}, 0},  // dilated
};

static const rb_conv_algo algos[] = {RB_CONV_DIRECT, RB_CONV_WINOGRAD_F4};

// Winograd (oneDNN's F(4x4,3x3)): its transforms add rounding beyond gamma_K of a direct sum; oneDNN's own
// f32 Winograd threshold is 2e-5 relative, and our F4 bound against sum |terms| is 4e-5 (winograd_tol.h).
#define WINO_TOL 4e-5

// Returns 1 when the peer ran and matched, 0 when it reported RB_ERR_UNSUPPORTED (with a message).
static int check_case(const rb_peer *p, const peer_case *pc, rb_conv_algo algo, int threads, uint64_t seed) {
  const rb_conv_desc *d = &pc->d;
  char shape[160];
  rb_conv_desc_format(d, shape, sizeof shape);
  o64_rng r;
  o64_seed(&r, seed);
  const size_t nin = rb_conv_in_count(d);
  const size_t nout = rb_conv_out_count(d);
  const size_t nw = rb_conv_weight_count(d);
  float *in = malloc(nin * 4), *w = malloc(nw * 4), *out = malloc(nout * 4), *bias = malloc((size_t)d->cout * 4);
  double *exact = malloc(nout * 8), *mag = malloc(nout * 8);
  o64_fill(&r, in, nin, -1, 1);
  o64_fill(&r, w, nw, -1, 1);
  o64_fill(&r, bias, (size_t)d->cout, -1, 1);
  rb_peer_conv *c = NULL;
  const rb_status s = p->conv_create(d, algo, threads, w, pc->bias ? bias : NULL, in, &c);
  int ran = 0;
  if (s == RB_ERR_UNSUPPORTED) {
    ck_assert_msg(strlen(rb_last_error()) > 10, "%s %s: unsupported without a message", p->name, shape);
  } else {
    ck_assert_msg(s == RB_OK, "%s %s %s: %s", p->name, rb_conv_algo_name(algo), shape, rb_last_error());
    o64_conv(d, in, w, pc->bias ? bias : NULL, NULL, 0, exact, mag);
    const double tol = algo == RB_CONV_DIRECT ? o64_gamma((double)(d->cin / d->groups) * d->kh * d->kw + 2) : WINO_TOL;
    for (int rep = 0; rep < 2; rep++) {  // runs repeat with the same result
      ck_assert_int_eq(p->conv_run(c), RB_OK);
      o64_poison(out, nout);
      ck_assert_int_eq(p->conv_output(c, out), RB_OK);
      const o64_cmp cmp = o64_compare(out, exact, mag, nout, tol);
      ck_assert_msg(cmp.pass, "%s (%s) %s %s threads %d: max rel err %.3g (tol %.3g), %zu NaN, worst %zu", p->name,
                    p->conv_impl(c), rb_conv_algo_name(algo), shape, threads, cmp.max_rel_err, tol, cmp.nan_count,
                    cmp.worst);
    }
    ck_assert_msg(strlen(p->conv_impl(c)) > 0, "%s: empty impl name", p->name);
    p->conv_destroy(c);
    ran = 1;
  }
  free(in), free(w), free(out), free(bias), free(exact), free(mag);
  return ran;
}

START_TEST(peers_against_oracle) {
  ck_assert_int_ge(rb_peer_count(), 3);
  for (size_t i = 0; i < rb_peer_count(); i++) {
    const rb_peer *p = rb_peer_at(i);
    ck_assert_msg(strlen(p->version()) > 8, "%s: version '%s'", p->name, p->version());
    int ran = 0;
    for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++)
      for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        ran += check_case(p, &cases[k], algos[a], 1 + (int)(k % 2), 1000 + k);
    ck_assert_msg(ran >= 2, "%s ran only %d cases", p->name, ran);
  }
}
END_TEST

// What each peer must run and must refuse, by name.
START_TEST(supported_and_unsupported) {
  const rb_peer *one, *xs, *xg;
  ck_assert_int_eq(rb_peer_find("onednn", &one), RB_OK);
  ck_assert_int_eq(rb_peer_find("libxsmm", &xs), RB_OK);
  ck_assert_int_eq(rb_peer_find("libxsmm_gemm", &xg), RB_OK);
  ck_assert_int_eq(check_case(one, &cases[5], RB_CONV_DIRECT, 2, 1), 1);      // groups
  ck_assert_int_eq(check_case(one, &cases[8], RB_CONV_DIRECT, 1, 2), 1);      // dilation
  // oneDNN 2.6's f32 Winograd needs AVX-512 (avx512_core): ask the CPU, never assume it. Without
  // it the peer must refuse, with a message (check_case asserts one), not run something else.
  ck_assert_int_eq(check_case(one, &cases[7], RB_CONV_WINOGRAD_F4, 1, 3), rb_cpu_supports(RB_ISA_AVX512));
  ck_assert_int_eq(check_case(xs, &cases[2], RB_CONV_DIRECT, 2, 4), 1);
  ck_assert_int_eq(check_case(xg, &cases[0], RB_CONV_DIRECT, 2, 5), 1);
  ck_assert_int_eq(check_case(xg, &cases[1], RB_CONV_DIRECT, 1, 6), 1);

  o64_rng r;
  o64_seed(&r, 9);
  float *w = malloc(128 * 128 * 9 * 4), *in = malloc(2 * 13 * 13 * 128 * 4);
  o64_fill(&r, w, 128 * 128 * 9, -1, 1);
  o64_fill(&r, in, 2 * 13 * 13 * 128, -1, 1);
  rb_peer_conv *c;
  ASSERT_FAILS(one->conv_create(&cases[3].d, RB_CONV_WINOGRAD_F4, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED,
               "no Winograd implementation");  // stride 2
  ASSERT_FAILS(xs->conv_create(&cases[5].d, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED, "groups 32");
  ASSERT_FAILS(xs->conv_create(&cases[8].d, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED, "dilation 2x2");
  ASSERT_FAILS(xs->conv_create(&cases[7].d, RB_CONV_WINOGRAD_F4, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED,
               "no winograd_f4 convolution");
  ASSERT_FAILS(xg->conv_create(&cases[2].d, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED,
               "only 1x1 stride-1 unpadded");
  ASSERT_FAILS(xg->conv_create(&cases[4].d, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_UNSUPPORTED, "sh2");
  ASSERT_FAILS(one->conv_create(&cases[0].d, RB_CONV_DIRECT, 0, w, NULL, in, &c), RB_ERR_INVALID_ARG,
               "threads must be >= 1, got 0");
  rb_conv_desc bad = cases[0].d;
  bad.cin = 0;
  ASSERT_FAILS(one->conv_create(&bad, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_INVALID_ARG, "cin must be >= 1");
  ASSERT_FAILS(xs->conv_create(&bad, RB_CONV_DIRECT, 1, w, NULL, in, &c), RB_ERR_INVALID_ARG, "cin must be >= 1");
  free(w), free(in);
  ck_assert_msg(strstr(one->version(), "oneDNN 2.") && strstr(one->version(), "runtime OMP"), "%s", one->version());
  ck_assert_msg(strstr(xs->version(), "libxsmm 1.17"), "%s", xs->version());
}
END_TEST

START_TEST(registry) {
  const rb_peer *p = (const rb_peer *)1;
  ASSERT_FAILS(rb_peer_find("mkl", &p), RB_ERR_NOT_FOUND, "unknown peer 'mkl' (built: onednn, libxsmm, libxsmm_gemm)");
  ck_assert_ptr_null(p);
  ck_assert_ptr_null(rb_peer_at(rb_peer_count()));
  for (size_t i = 0; i < rb_peer_count(); i++) {
    ck_assert_int_eq(rb_peer_find(rb_peer_at(i)->name, &p), RB_OK);
    ck_assert_ptr_eq(p, rb_peer_at(i));
  }
}
END_TEST

Suite *peers_suite(void) {
  Suite *s = suite_create("peers");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, peers_against_oracle);
  tcase_add_test(tc, supported_and_unsupported);
  tcase_add_test(tc, registry);
  suite_add_tcase(s, tc);
  return s;
}
