// Golden cases: resbench's ref kernels against PyTorch on the fixtures tools/golden.py writes
// (tests/fixtures/*.safetensors; the directory comes from RESBENCH_FIXTURES). Each fixture holds
// "<case>.<tensor>" tensors (activations NHWC, weights OIHW) and "<case>.<field>" descriptor
// strings in __metadata__, plus "cases", the list of case names. A missing fixture is a failure.
//
// Errors are measured as max |got - expected| / max |expected| over the whole output. The
// expected outputs were computed in float64 from the float32 inputs and rounded once, so the
// tolerances below only need to cover resbench's own float32 rounding.
// RESBENCH_GOLDEN_VERBOSE=1 prints every comparison.
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle64.h"
#include "resbench/resbench.h"
#include "testutil.h"

// Direct convolution: each output sums K = cin/groups*kh*kw products (+ bias, + residual) in
// float32. The worst-case bound gamma_K * sum|terms| is pessimistic; rounding errors of a long
// sum behave like a random walk, giving ~ sqrt(K) * u * sum|terms| with overwhelming probability
// (Higham & Mary, SIAM J. Sci. Comput. 2019). For K < 1000 (asserted per case), sqrt(K) * u <
// 1.9e-6, and on these random data sum|terms| stays within a few times max|y|: 1e-5 holds with
// a margin, while an indexing or padding bug gives errors of order 1.
#define TOL_DIRECT 1e-5
#define MAX_TERMS_DIRECT 1000
// Winograd: the transforms add rounding of large intermediates that cancel in AT M A, and the
// error grows with the tile (suites/winograd_tol.h: per element ~2e-7, 6e-6, 1e-5 relative to
// sum|terms| for F2, F4, F6 on wide layers, with a heavy tail on depthwise layers and at borders
// that the max|y| normalisation here tames). Measured on these fixtures (ref, x86-64 and
// aarch64): <= 2e-7, 2e-6, 4.6e-6; the bounds are ~20x that.
static const double tol_winograd[RB_WINO_COUNT] = {5e-6, 5e-5, 1e-4};
// Element-wise softmax / sigmoid (expf, a sum of <= 4 terms, a division): a few ulp of each
// element, and each element is <= the max. 2e-6 = ~30 u.
#define TOL_SOFTMAX 2e-6
// A sum of <= 4 weighted terms (split sum, SK selection): gamma_4 * sum|terms| with sum|terms|
// <= max|x| and max|y| not far below it on these data.
#define TOL_WEIGHTED_SUM 2e-6
// SE / SK attention chains (mean, two FCs of <= 64 terms, BN fold, sigmoid): errors in the FC
// outputs reach the gate through sigmoid' <= 1/4; 1e-5 is the direct-conv argument again.
#define TOL_ATTENTION 1e-5

static int quiet;  // set while repeating a comparison already printed

static int verbose(void) {
  const char *v = getenv("RESBENCH_GOLDEN_VERBOSE");
  return !quiet && v && *v && strcmp(v, "0") != 0;
}

static const rb_kernels *ref_table(void) {
  const rb_kernels *k;
  ck_assert_msg(rb_kernels_get(RB_ISA_REF, &k) == RB_OK, "%s", rb_last_error());
  return k;
}

// ---- fixtures ----

static rb_st_file *open_fixture(const char *file) {
  char path[1024];
  tu_fixture_path(file, path, sizeof path);
  rb_st_file *f = NULL;
  rb_status s = rb_st_open(path, &f);
  ck_assert_msg(s == RB_OK, "golden fixture %s: %s: %s (regenerate with `/usr/bin/python3 tools/golden.py`)",
                path, rb_status_name(s), rb_last_error());
  return f;
}

static const char *meta_str(const rb_st_file *f, const char *cs, const char *field) {
  char key[256];
  snprintf(key, sizeof key, "%s.%s", cs, field);
  const char *v = rb_st_metadata(f, key);
  ck_assert_msg(v != NULL, "fixture lacks __metadata__ '%s'", key);
  return v;
}

static int meta_int(const rb_st_file *f, const char *cs, const char *field) {
  const char *v = meta_str(f, cs, field);
  char *end;
  long x = strtol(v, &end, 10);
  ck_assert_msg(*v && *end == '\0' && x >= 0 && x <= 1 << 20, "__metadata__ '%s.%s' = '%s' is not a size", cs,
                field, v);
  return (int)x;
}

static float meta_float(const rb_st_file *f, const char *cs, const char *field) {
  const char *v = meta_str(f, cs, field);
  char *end;
  double x = strtod(v, &end);
  ck_assert_msg(*v && *end == '\0', "__metadata__ '%s.%s' = '%s' is not a number", cs, field, v);
  return (float)x;
}

// "<cs>.<what>", an F32 tensor of exactly this shape (the shape check catches a fixture and a
// descriptor that disagree). Absent: a failure, or NULL when optional.
static const float *tensor_(const rb_st_file *f, const char *cs, const char *what, int optional, int rank,
                            const int64_t *shape) {
  char name[256];
  snprintf(name, sizeof name, "%s.%s", cs, what);
  if (optional && !rb_st_find(f, name)) return NULL;
  const float *p;
  rb_status s = rb_st_get_f32(f, name, rank, shape, &p);
  ck_assert_msg(s == RB_OK, "%s: %s", rb_status_name(s), rb_last_error());
  return p;
}
#define TENSOR(f, cs, what, ...) \
  tensor_((f), (cs), (what), 0, (int)(sizeof((int64_t[]){__VA_ARGS__}) / 8), (const int64_t[]){__VA_ARGS__})
#define TENSOR_OPT(f, cs, what, ...) \
  tensor_((f), (cs), (what), 1, (int)(sizeof((int64_t[]){__VA_ARGS__}) / 8), (const int64_t[]){__VA_ARGS__})

// The case names in "cases", in order; asserts there are `expect` of them.
typedef struct case_list {
  char buf[1024];
  const char *name[64];
  int count;
} case_list;

static void read_cases(const rb_st_file *f, int expect, case_list *l) {
  const char *v = rb_st_metadata(f, "cases");
  ck_assert_msg(v != NULL, "fixture lacks __metadata__ 'cases'");
  snprintf(l->buf, sizeof l->buf, "%s", v);
  l->count = 0;
  for (char *save = NULL, *t = strtok_r(l->buf, ",", &save); t && l->count < 64; t = strtok_r(NULL, ",", &save))
    l->name[l->count++] = t;
  ck_assert_msg(l->count == expect, "fixture lists %d cases, the test expects %d: regenerate the fixtures or "
                "update the test", l->count, expect);
}

static float *floats(size_t n) {
  float *p = rb_aligned_alloc((n ? n : 1) * sizeof(float));
  ck_assert_ptr_nonnull(p);
  return p;
}

static float *poisoned(size_t n) {
  float *p = floats(n);
  o64_poison(p, n);
  return p;
}

// max |got - want| / max |want|; any non-finite value in got (a poisoned element never written)
// fails.
static void assert_close(const char *what, const char *cs, const float *got, const float *want, size_t n,
                         double tol) {
  double max_err = 0, max_ref = 0;
  size_t worst = 0, bad = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(got[i])) {
      if (bad++ == 0) worst = i;
      continue;
    }
    const double e = fabs((double)got[i] - (double)want[i]);
    if (e > max_err && bad == 0) max_err = e, worst = i;
    if (fabs((double)want[i]) > max_ref) max_ref = fabs((double)want[i]);
  }
  const double rel = max_ref > 0 ? max_err / max_ref : max_err;
  if (verbose())
    printf("golden %-10s %-28s max err %.3g of max|y| %.3g = %.3g (tol %.3g)\n", what, cs, max_err, max_ref, rel,
           tol);
  ck_assert_msg(bad == 0, "golden %s %s: %zu of %zu outputs not finite (first at %zu): unwritten or broken", what,
                cs, bad, n, worst);
  ck_assert_msg(rel <= tol, "golden %s %s: max err %.3g relative to max|y| %.3g (tol %.3g); worst element %zu: "
                "got %.9g, want %.9g", what, cs, rel, max_ref, tol, worst, (double)got[worst], (double)want[worst]);
}

// ---- convolutions ----

static rb_conv_desc conv_desc_from(const rb_st_file *f, const char *cs) {
  rb_conv_desc d = {
      .n = meta_int(f, cs, "n"), .h = meta_int(f, cs, "h"), .w = meta_int(f, cs, "w"),
      .cin = meta_int(f, cs, "cin"), .cout = meta_int(f, cs, "cout"),
      .kh = meta_int(f, cs, "kh"), .kw = meta_int(f, cs, "kw"),
      .stride_h = meta_int(f, cs, "stride_h"), .stride_w = meta_int(f, cs, "stride_w"),
      .pad_top = meta_int(f, cs, "pad_top"), .pad_left = meta_int(f, cs, "pad_left"),
      .pad_bottom = meta_int(f, cs, "pad_bottom"), .pad_right = meta_int(f, cs, "pad_right"),
      .dil_h = meta_int(f, cs, "dil_h"), .dil_w = meta_int(f, cs, "dil_w"), .groups = meta_int(f, cs, "groups"),
  };
  ck_assert_msg(rb_conv_desc_check(&d) == RB_OK, "%s: %s", cs, rb_last_error());
  ck_assert_msg((long)(d.cin / d.groups) * d.kh * d.kw < MAX_TERMS_DIRECT,
                "%s: %d terms per output: TOL_DIRECT is argued for < %d", cs, d.cin / d.groups * d.kh * d.kw,
                MAX_TERMS_DIRECT);
  return d;
}

// Plans d with algo, runs it twice (a plan is reusable) on poisoned output and compares.
static void run_conv(const rb_kernels *k, const char *cs, const rb_conv_desc *d, rb_conv_algo algo, const float *x,
                     const float *w, const float *bias, const float *res, int relu, const float *y, double tol) {
  const size_t ny = rb_conv_out_count(d);
  rb_conv_plan *p = NULL;
  rb_status s = rb_conv_plan_create(k, d, algo, 0, w, bias, &p);
  ck_assert_msg(s == RB_OK, "%s %s: plan: %s: %s", cs, rb_conv_algo_name(algo), rb_status_name(s), rb_last_error());
  ck_assert_int_eq(rb_conv_plan_algo(p), algo);
  float *out = floats(ny);
  for (int rep = 0; rep < 2; rep++) {
    o64_poison(out, ny);
    s = rb_conv_plan_run(p, x, res, relu, out);
    ck_assert_msg(s == RB_OK, "%s %s: run: %s", cs, rb_conv_algo_name(algo), rb_last_error());
    quiet = rep > 0;
    assert_close(rb_conv_algo_name(algo), cs, out, y, ny, tol);
    quiet = 0;
  }
  rb_conv_plan_destroy(p);
  rb_aligned_free(out);
}

static const rb_conv_algo wino_algo[RB_WINO_COUNT] = {RB_CONV_WINOGRAD_F2, RB_CONV_WINOGRAD_F4,
                                                      RB_CONV_WINOGRAD_F6};

// Every conv case with the direct kernel, and the 3x3 stride-1 dilation-1 ones with every
// Winograd tile as well.
START_TEST(golden_conv) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("conv.safetensors");
  case_list cl;
  read_cases(f, 16, &cl);
  int wino_cases = 0;
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c];
    const rb_conv_desc d = conv_desc_from(f, cs);
    const int relu = meta_int(f, cs, "relu");
    const int64_t oh = rb_conv_out_h(&d), ow = rb_conv_out_w(&d);
    const float *x = TENSOR(f, cs, "x", d.n, d.h, d.w, d.cin);
    const float *w = TENSOR(f, cs, "weight", d.cout, d.cin / d.groups, d.kh, d.kw);
    const float *bias = TENSOR_OPT(f, cs, "bias", d.cout);
    const float *res = TENSOR_OPT(f, cs, "residual", d.n, oh, ow, d.cout);
    const float *y = TENSOR(f, cs, "y", d.n, oh, ow, d.cout);
    run_conv(k, cs, &d, RB_CONV_DIRECT, x, w, bias, res, relu, y, TOL_DIRECT);
    if (rb_winograd_supports(&d) == RB_OK) {
      wino_cases++;
      for (int i = 0; i < RB_WINO_COUNT; i++) run_conv(k, cs, &d, wino_algo[i], x, w, bias, res, relu, y, tol_winograd[i]);
    }
  }
  ck_assert_int_ge(wino_cases, 6);  // dense, grouped, 32x4, depthwise, asymmetric padding
  rb_st_close(f);
}
END_TEST

// Conv (no bias) + eval-mode BatchNorm, folded with rb_bn_fold into weights and a bias.
START_TEST(golden_bn_fold) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("bn_fold.safetensors");
  case_list cl;
  read_cases(f, 2, &cl);
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c];
    const rb_conv_desc d = conv_desc_from(f, cs);
    const int relu = meta_int(f, cs, "relu");
    const float eps = meta_float(f, cs, "eps");
    const int64_t oh = rb_conv_out_h(&d), ow = rb_conv_out_w(&d);
    const size_t per_out = (size_t)(d.cin / d.groups) * d.kh * d.kw;
    const float *x = TENSOR(f, cs, "x", d.n, d.h, d.w, d.cin);
    const float *w = TENSOR(f, cs, "weight", d.cout, d.cin / d.groups, d.kh, d.kw);
    const float *gamma = TENSOR(f, cs, "bn.weight", d.cout), *beta = TENSOR(f, cs, "bn.bias", d.cout);
    const float *mean = TENSOR(f, cs, "bn.running_mean", d.cout), *var = TENSOR(f, cs, "bn.running_var", d.cout);
    const float *res = TENSOR_OPT(f, cs, "residual", d.n, oh, ow, d.cout);
    const float *y = TENSOR(f, cs, "y", d.n, oh, ow, d.cout);
    float *wf = poisoned((size_t)d.cout * per_out), *bf = poisoned((size_t)d.cout);
    ck_assert_msg(rb_bn_fold(d.cout, per_out, w, NULL, gamma, beta, mean, var, eps, wf, bf) == RB_OK, "%s: %s", cs,
                  rb_last_error());
    // The fold must not be the identity on these statistics (the fixture would test nothing).
    ck_assert(memcmp(wf, w, (size_t)d.cout * per_out * sizeof(float)) != 0);
    run_conv(k, cs, &d, RB_CONV_DIRECT, x, wf, bf, res, relu, y, TOL_DIRECT);
    rb_aligned_free(wf);
    rb_aligned_free(bf);
  }
  rb_st_close(f);
}
END_TEST

// ---- squeeze-and-excitation ----

// timm SqueezeExcite (conv_reduce / conv_expand with biases) and ResNeSt-style grouped FCs with
// a BatchNorm between them (fc1 / bn1 / fc2), the BN folded into fc1.
START_TEST(golden_se) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("se.safetensors");
  case_list cl;
  read_cases(f, 2, &cl);
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c];
    const rb_se_desc d = {.n = meta_int(f, cs, "n"), .h = meta_int(f, cs, "h"), .w = meta_int(f, cs, "w"),
                          .c = meta_int(f, cs, "c"), .reduced = meta_int(f, cs, "reduced"),
                          .groups = meta_int(f, cs, "groups")};
    const size_t act = (size_t)d.n * d.h * d.w * d.c;
    const int cg = d.c / d.groups, rg = d.reduced / d.groups;
    const float *x = TENSOR(f, cs, "x", d.n, d.h, d.w, d.c), *y = TENSOR(f, cs, "y", d.n, d.h, d.w, d.c);
    const float *w1, *b1, *w2, *b2;
    float *w1f = NULL, *b1f = NULL;
    char key[256];
    snprintf(key, sizeof key, "%s.conv_reduce.weight", cs);
    if (rb_st_find(f, key)) {  // timm naming, else ResNeSt's
      w1 = TENSOR(f, cs, "conv_reduce.weight", d.reduced, cg, 1, 1);
      b1 = TENSOR(f, cs, "conv_reduce.bias", d.reduced);
      w2 = TENSOR(f, cs, "conv_expand.weight", d.c, rg, 1, 1);
      b2 = TENSOR(f, cs, "conv_expand.bias", d.c);
    } else {
      const float *fc1 = TENSOR(f, cs, "fc1.weight", d.reduced, cg, 1, 1);
      const float *fc1b = TENSOR(f, cs, "fc1.bias", d.reduced);
      w1f = poisoned((size_t)d.reduced * cg), b1f = poisoned((size_t)d.reduced);
      rb_status s = rb_bn_fold(d.reduced, (size_t)cg, fc1, fc1b, TENSOR(f, cs, "bn1.weight", d.reduced),
                               TENSOR(f, cs, "bn1.bias", d.reduced), TENSOR(f, cs, "bn1.running_mean", d.reduced),
                               TENSOR(f, cs, "bn1.running_var", d.reduced), meta_float(f, cs, "eps"), w1f, b1f);
      ck_assert_msg(s == RB_OK, "%s: %s", cs, rb_last_error());
      w1 = w1f, b1 = b1f;
      w2 = TENSOR(f, cs, "fc2.weight", d.c, rg, 1, 1);
      b2 = TENSOR(f, cs, "fc2.bias", d.c);
    }
    float *ws = floats(rb_se_workspace_size(&d)), *out = poisoned(act);
    rb_status s = rb_op_se(k, &d, x, w1, b1, w2, b2, ws, out);
    ck_assert_msg(s == RB_OK, "%s: %s", cs, rb_last_error());
    assert_close("se", cs, out, y, act, TOL_ATTENTION);
    // In place (in == out), as blocks run it.
    float *inplace = floats(act);
    memcpy(inplace, x, act * sizeof(float));
    ck_assert_int_eq(rb_op_se(k, &d, inplace, w1, b1, w2, b2, ws, inplace), RB_OK);
    assert_close("se-inplace", cs, inplace, y, act, TOL_ATTENTION);
    rb_aligned_free(inplace);
    rb_aligned_free(ws);
    rb_aligned_free(out);
    rb_aligned_free(w1f);
    rb_aligned_free(b1f);
  }
  rb_st_close(f);
}
END_TEST

// ---- ResNeSt split attention ----

// rSoftMax for radix 1 (sigmoid), 2, 4 and cardinality 1, 2, then the weighted split sum (on the
// stored attention, so each kernel is checked on its own).
START_TEST(golden_radix) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("radix.safetensors");
  case_list cl;
  read_cases(f, 6, &cl);
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c];
    const int n = meta_int(f, cs, "n"), h = meta_int(f, cs, "h"), w = meta_int(f, cs, "w");
    const int radix = meta_int(f, cs, "radix"), card = meta_int(f, cs, "cardinality");
    const int ch = meta_int(f, cs, "channels");
    const float *logits = TENSOR(f, cs, "logits", n, radix * ch), *att = TENSOR(f, cs, "att", n, radix * ch);
    const float *x = TENSOR(f, cs, "x", n, h, w, radix * ch), *y = TENSOR(f, cs, "y", n, h, w, ch);
    float *a = poisoned((size_t)n * radix * ch), *out = poisoned((size_t)n * h * w * ch);
    ck_assert_msg(rb_op_radix_softmax(k, n, card, radix, ch, logits, a) == RB_OK, "%s: %s", cs, rb_last_error());
    assert_close(radix == 1 ? "sigmoid" : "rsoftmax", cs, a, att, (size_t)n * radix * ch, TOL_SOFTMAX);
    ck_assert_msg(rb_op_split_sum(k, n, h * w, radix, ch, x, att, out) == RB_OK, "%s: %s", cs, rb_last_error());
    assert_close("split_sum", cs, out, y, (size_t)n * h * w * ch, TOL_WEIGHTED_SUM);
    rb_aligned_free(a);
    rb_aligned_free(out);
  }
  rb_st_close(f);
}
END_TEST

// ---- SK attention ----

// timm SelectiveKernelAttn end to end: sum of the paths (rb_op_add), global mean, fc_reduce with
// its BN folded + ReLU, fc_select (rb_op_fc) -> logits; then the selection (softmax over paths,
// weighted sum) on the stored logits; then all of it as rb_op_sk_attention.
START_TEST(golden_sk) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("sk.safetensors");
  case_list cl;
  read_cases(f, 2, &cl);
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c];
    const int n = meta_int(f, cs, "n"), h = meta_int(f, cs, "h"), w = meta_int(f, cs, "w"), ch = meta_int(f, cs, "c");
    const int paths = meta_int(f, cs, "paths"), attn = meta_int(f, cs, "attn_channels");
    ck_assert_int_le(paths, 4);
    const size_t act = (size_t)n * h * w * ch;
    const float *branch[4];
    for (int m = 0; m < paths; m++) {
      char what[24];
      snprintf(what, sizeof what, "branch%d", m);
      branch[m] = TENSOR(f, cs, what, n, h, w, ch);
    }
    const float *wr = TENSOR(f, cs, "fc_reduce.weight", attn, ch, 1, 1);
    const float *wsel = TENSOR(f, cs, "fc_select.weight", paths * ch, attn, 1, 1);
    const float *logits = TENSOR(f, cs, "logits", n, paths * ch), *y = TENSOR(f, cs, "y", n, h, w, ch);

    float *sum = floats(act), *pooled = poisoned((size_t)n * ch), *hidden = poisoned((size_t)n * attn);
    float *lg = poisoned((size_t)n * paths * ch), *wrf = poisoned((size_t)attn * ch), *brf = poisoned((size_t)attn);
    ck_assert_int_eq(rb_op_add(k, act, branch[0], branch[1], 0, sum), RB_OK);
    for (int m = 2; m < paths; m++) ck_assert_int_eq(rb_op_add(k, act, sum, branch[m], 0, sum), RB_OK);
    ck_assert_int_eq(rb_op_global_avgpool(k, n, h * w, ch, sum, pooled), RB_OK);
    rb_status s = rb_bn_fold(attn, (size_t)ch, wr, NULL, TENSOR(f, cs, "bn.weight", attn), TENSOR(f, cs, "bn.bias", attn),
                             TENSOR(f, cs, "bn.running_mean", attn), TENSOR(f, cs, "bn.running_var", attn),
                             meta_float(f, cs, "eps"), wrf, brf);
    ck_assert_msg(s == RB_OK, "%s: %s", cs, rb_last_error());
    ck_assert_int_eq(rb_op_fc(k, n, ch, attn, 1, pooled, wrf, brf, 1, hidden), RB_OK);
    ck_assert_int_eq(rb_op_fc(k, n, attn, paths * ch, 1, hidden, wsel, NULL, 0, lg), RB_OK);
    assert_close("sk_logits", cs, lg, logits, (size_t)n * paths * ch, TOL_ATTENTION);

    float *ws = floats(rb_sk_select_workspace_size(n, paths, ch)), *out = poisoned(act);
    s = rb_op_sk_select(k, n, h * w, paths, ch, branch, logits, ws, out);
    ck_assert_msg(s == RB_OK, "%s: %s", cs, rb_last_error());
    assert_close("sk_select", cs, out, y, act, TOL_WEIGHTED_SUM);
    // The whole of it as one op, from the branches (per-path means summed, not the mean of the sum).
    const rb_sk_attn_desc d = {n, h, w, paths, ch, attn, 1};
    float *ows = poisoned(rb_sk_attention_workspace_size(&d)), *o2 = poisoned(act);
    s = rb_op_sk_attention(k, &d, branch, NULL, wrf, brf, wsel, NULL, ows, o2);
    ck_assert_msg(s == RB_OK, "%s: %s", cs, rb_last_error());
    assert_close("sk_attention", cs, o2, y, act, TOL_ATTENTION);
    rb_aligned_free(ows), rb_aligned_free(o2);
    rb_aligned_free(sum), rb_aligned_free(pooled), rb_aligned_free(hidden), rb_aligned_free(lg);
    rb_aligned_free(wrf), rb_aligned_free(brf), rb_aligned_free(ws), rb_aligned_free(out);
  }
  rb_st_close(f);
}
END_TEST

// ---- pooling ----

// MaxPool2d / AvgPool2d with PyTorch's ceil_mode and count_include_pad (ResNet stem, ResNeSt avd
// and avg_down), and adaptive_avg_pool2d(1). The output size must match PyTorch's too.
START_TEST(golden_pool) {
  const rb_kernels *k = ref_table();
  rb_st_file *f = open_fixture("pool.safetensors");
  case_list cl;
  read_cases(f, 9, &cl);
  for (int c = 0; c < cl.count; c++) {
    const char *cs = cl.name[c], *op = meta_str(f, cs, "op");
    const int n = meta_int(f, cs, "n"), h = meta_int(f, cs, "h"), w = meta_int(f, cs, "w"), ch = meta_int(f, cs, "c");
    const float *x = TENSOR(f, cs, "x", n, h, w, ch);
    if (strcmp(op, "gap") == 0) {
      const float *y = TENSOR(f, cs, "y", n, ch);
      float *out = poisoned((size_t)n * ch);
      ck_assert_int_eq(rb_op_global_avgpool(k, n, h * w, ch, x, out), RB_OK);
      // Non-negative inputs: a float sum of hw terms and a division is within gamma_{hw+2}.
      assert_close("gap", cs, out, y, (size_t)n * ch, o64_gamma(h * w + 2));
      rb_aligned_free(out);
      continue;
    }
    const int kk = meta_int(f, cs, "k"), s = meta_int(f, cs, "stride"), p = meta_int(f, cs, "pad");
    const rb_pool_desc d = {.n = n, .h = h, .w = w, .c = ch, .kh = kk, .kw = kk, .stride_h = s, .stride_w = s,
                            .pad_h = p, .pad_w = p, .ceil_mode = meta_int(f, cs, "ceil_mode"),
                            .count_include_pad = meta_int(f, cs, "count_include_pad")};
    const int oh = meta_int(f, cs, "out_h"), ow = meta_int(f, cs, "out_w");
    ck_assert_msg(rb_pool_out_h(&d) == oh && rb_pool_out_w(&d) == ow, "%s: output %dx%d, PyTorch %dx%d", cs,
                  rb_pool_out_h(&d), rb_pool_out_w(&d), oh, ow);
    const size_t ny = (size_t)n * oh * ow * ch;
    const float *y = TENSOR(f, cs, "y", n, oh, ow, ch);
    float *out = poisoned(ny);
    if (strcmp(op, "max") == 0) {
      ck_assert_msg(rb_op_maxpool(k, &d, x, out) == RB_OK, "%s: %s", cs, rb_last_error());
      assert_close("maxpool", cs, out, y, ny, 0.0);  // a max is exact
    } else {
      ck_assert_str_eq(op, "avg");
      ck_assert_msg(rb_op_avgpool(k, &d, x, out) == RB_OK, "%s: %s", cs, rb_last_error());
      // Non-negative inputs: k*k terms, a division (or a reciprocal and a product).
      assert_close("avgpool", cs, out, y, ny, o64_gamma(kk * kk + 2));
    }
    rb_aligned_free(out);
  }
  rb_st_close(f);
}
END_TEST

Suite *golden_suite(void) {
  Suite *s = suite_create("golden");
  TCase *tc = tcase_create("pytorch");
  tcase_set_timeout(tc, 120);  // generous for qemu and sanitizers
  tcase_add_test(tc, golden_conv);
  tcase_add_test(tc, golden_bn_fold);
  tcase_add_test(tc, golden_se);
  tcase_add_test(tc, golden_radix);
  tcase_add_test(tc, golden_sk);
  tcase_add_test(tc, golden_pool);
  suite_add_tcase(s, tc);
  return s;
}
