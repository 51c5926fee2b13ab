// `resbench check` rows for the non-convolution kernels: SE, FC, radix softmax, split sum,
// SK select, pooling, add, SE scale + add, exp and sigmoid, and the split-attention and
// SK-attention ops, on fixed ResNet-family shapes against the fp64 oracles (and against the ref
// table when checking a SIMD table).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oracle64.h"
#include "oracle64_misc.h"

// Families of the rows, named in kernel names rb_<family>__<isa>.
// The composites are ops, not kernels: rb_op_split_attention__<isa> is that op on the ISA's table.
static const char *const families[] = {"se",        "fc",        "radix_softmax",      "split_sum",
                                       "sk_select", "global_avgpool", "maxpool",       "avgpool",
                                       "add",       "scale_add", "vexp",               "sigmoid",
                                       "op_split_attention", "op_sk_attention"};
enum { N_FAMILIES = sizeof families / sizeof families[0] };

// The kernel's name, kept for the rows (they keep the pointer): one string per family and ISA.
static const char *kernel_name(const char *family, rb_isa isa) {
  static char names[N_FAMILIES][RB_ISA_COUNT][48];
  int f = 0;
  while (f < N_FAMILIES - 1 && strcmp(families[f], family) != 0) f++;
  const int i = (unsigned)isa < RB_ISA_COUNT ? (int)isa : 0;
  if (!names[f][i][0]) snprintf(names[f][i], sizeof names[f][i], "rb_%s__%s", families[f], rb_isa_name((rb_isa)i));
  return names[f][i];
}

// The table's own kernel of a family: a SIMD table that still borrows ref's gets no rows (they
// would compare ref with itself under the SIMD ISA's name).
#define OWN(k, member) ((k)->member && ((k) == &rb_kernels_ref || (k)->member != rb_kernels_ref.member))
// A composite op gets rows when the table has every kernel it calls and owns one of them.
#define OWN_SPLIT_ATTENTION(k)                                                                    \
  ((k)->global_avgpool && (k)->fc && (k)->radix_softmax && (k)->split_sum &&                       \
   (OWN(k, global_avgpool) || OWN(k, fc) || OWN(k, radix_softmax) || OWN(k, split_sum)))
#define OWN_SK_ATTENTION(k) \
  ((k)->global_avgpool && (k)->fc && (k)->sk_select && (OWN(k, global_avgpool) || OWN(k, fc) || OWN(k, sk_select)))

typedef struct run {
  const rb_kernels *k;
  const rb_check_sink *s;
  int vs_ref;  // also compare with the ref table
  o64_rng rng;
} run;

// Buffers of one case; everything is freed by done().
typedef struct bufs {
  void *p[16];
  int n;
} bufs;

static void *get(bufs *b, size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (p && b->n < 16) b->p[b->n++] = p;
  else {
    free(p);
    p = NULL;
  }
  return p;
}

static void done(bufs *b) {
  for (int i = 0; i < b->n; i++) free(b->p[i]);
  b->n = 0;
}

static float *fl(bufs *b, size_t n) { return get(b, n * sizeof(float)); }
static double *db(bufs *b, size_t n) { return get(b, n * sizeof(double)); }

static void emit(const run *r, const char *family, const char *against, const char *shape,
                 o64_cmp c, double tol) {
  rb_check_row row;
  memset(&row, 0, sizeof row);
  row.kernel = kernel_name(family, r->k->isa);
  row.isa = r->k->isa_name;
  row.against = against;
  snprintf(row.shape, sizeof row.shape, "%s", shape);
  row.max_abs_err = c.max_abs_err;
  row.max_rel_err = c.max_rel_err;
  row.mean_rel_err = c.mean_rel_err;
  row.tol = tol;
  row.pass = c.pass;
  r->s->emit(r->s->ctx, &row);
}

// A failed allocation is a failed row, not a crash.
static void emit_oom(const run *r, const char *family, const char *shape) {
  rb_check_row row;
  memset(&row, 0, sizeof row);
  row.kernel = kernel_name(family, r->k->isa);
  row.isa = r->k->isa_name;
  row.against = "fp64";
  snprintf(row.shape, sizeof row.shape, "%.100s (out of memory)", shape);
  row.pass = 0;
  r->s->emit(r->s->ctx, &row);
}

// Rows for one case: got vs fp64 within tol; when checking a SIMD table, got vs ref's result
// within 2 tol (each is within tol of the exact value).
static void report(const run *r, const char *family, const char *shape, const float *got,
                   const float *ref, const double *exact, const double *mag, size_t count, double tol,
                   double *scratch) {
  emit(r, family, "fp64", shape, o64_compare(got, exact, mag, count, tol), tol);
  if (!ref) return;
  for (size_t i = 0; i < count; i++) scratch[i] = ref[i];
  emit(r, family, "ref", shape, o64_compare(got, scratch, mag, count, 2 * tol), 2 * tol);
}

// PyTorch's default init range for a layer with this fan-in: keeps sums O(1).
static void fill_w(run *r, float *p, size_t n, int fan_in) {
  const float b = 1.0f / sqrtf((float)fan_in);
  o64_fill(&r->rng, p, n, -b, b);
}

static void check_se(run *r, int n, int h, int w, int c, int reduction, int groups) {
  const rb_se_desc d = {n, h, w, c, c / reduction, groups};
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dic%dih%diw%dred%dg%d", n, c, h, w, d.reduced, groups);
  if (!OWN(r->k, se)) return;  // a table without this kernel: no row (a port in progress)
  const size_t act = (size_t)n * h * w * c, ws = (size_t)n * (c + d.reduced);
  const size_t nw1 = (size_t)d.reduced * (c / groups), nw2 = (size_t)c * (d.reduced / groups);
  bufs b = {0};
  float *in = fl(&b, act), *w1 = fl(&b, nw1), *b1 = fl(&b, d.reduced), *w2 = fl(&b, nw2), *b2 = fl(&b, c);
  float *wsp = fl(&b, ws), *out = fl(&b, act), *ref = r->vs_ref ? fl(&b, act) : NULL;
  double *exact = db(&b, act), *mag = db(&b, act), *scr = db(&b, act);
  if (!in || !w1 || !b1 || !w2 || !b2 || !wsp || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "se", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, act, -1, 1);
  fill_w(r, w1, nw1, c / groups);
  fill_w(r, b1, d.reduced, c / groups);
  fill_w(r, w2, nw2, d.reduced / groups);
  fill_w(r, b2, c, d.reduced / groups);
  o64_se(&d, in, w1, b1, w2, b2, exact, mag);
  o64_poison(out, act);
  o64_poison(wsp, ws);
  r->k->se(&d, in, w1, b1, w2, b2, wsp, out);
  if (ref) {
    o64_poison(ref, act);
    rb_kernels_ref.se(&d, in, w1, b1, w2, b2, wsp, ref);
  }
  report(r, "se", shape, out, ref, exact, mag, act, o64_se_tol(&d), scr);
  done(&b);
}

static void check_fc(run *r, int n, int in_f, int out_f, int groups, int relu) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dif%dof%dg%drelu%d", n, in_f, out_f, groups, relu);
  if (!OWN(r->k, fc)) return;
  const size_t nin = (size_t)n * in_f, nout = (size_t)n * out_f, nw = (size_t)out_f * (in_f / groups);
  bufs b = {0};
  float *in = fl(&b, nin), *w = fl(&b, nw), *bias = fl(&b, out_f), *out = fl(&b, nout);
  float *ref = r->vs_ref ? fl(&b, nout) : NULL;
  double *exact = db(&b, nout), *mag = db(&b, nout), *scr = db(&b, nout);
  if (!in || !w || !bias || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "fc", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, nin, -1, 1);
  fill_w(r, w, nw, in_f / groups);
  fill_w(r, bias, out_f, in_f / groups);
  o64_fc(n, in_f, out_f, groups, in, w, bias, relu, exact, mag);
  o64_poison(out, nout);
  r->k->fc(n, in_f, out_f, groups, in, w, bias, relu, out);
  if (ref) {
    o64_poison(ref, nout);
    rb_kernels_ref.fc(n, in_f, out_f, groups, in, w, bias, relu, ref);
  }
  report(r, "fc", shape, out, ref, exact, mag, nout, o64_fc_tol(in_f, groups), scr);
  done(&b);
}

static void check_radix_softmax(run *r, int n, int card, int radix, int channels) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dcard%dradix%dc%d", n, card, radix, channels);
  if (!OWN(r->k, radix_softmax)) return;
  const size_t cnt = (size_t)n * radix * channels;
  bufs b = {0};
  float *in = fl(&b, cnt), *out = fl(&b, cnt), *ref = r->vs_ref ? fl(&b, cnt) : NULL;
  double *exact = db(&b, cnt), *mag = db(&b, cnt), *scr = db(&b, cnt);
  if (!in || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "radix_softmax", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, cnt, -4, 4);
  o64_radix_softmax(n, card, radix, channels, in, exact, mag);
  o64_poison(out, cnt);
  r->k->radix_softmax(n, card, radix, channels, in, out);
  if (ref) {
    o64_poison(ref, cnt);
    rb_kernels_ref.radix_softmax(n, card, radix, channels, in, ref);
  }
  report(r, "radix_softmax", shape, out, ref, exact, mag, cnt, o64_softmax_tol(radix), scr);
  done(&b);
}

static void check_split_sum(run *r, int n, int hw, int radix, int channels) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dhw%dradix%dc%d", n, hw, radix, channels);
  if (!OWN(r->k, split_sum)) return;
  const size_t nx = (size_t)n * hw * radix * channels, na = (size_t)n * radix * channels;
  const size_t nout = (size_t)n * hw * channels;
  bufs b = {0};
  float *x = fl(&b, nx), *att = fl(&b, na), *out = fl(&b, nout), *ref = r->vs_ref ? fl(&b, nout) : NULL;
  double *exact = db(&b, nout), *mag = db(&b, nout), *scr = db(&b, nout);
  if (!x || !att || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "split_sum", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, x, nx, -1, 1);
  o64_fill(&r->rng, att, na, 0, 1);  // attention weights are probabilities
  o64_split_sum(n, hw, radix, channels, x, att, exact, mag);
  o64_poison(out, nout);
  r->k->split_sum(n, hw, radix, channels, x, att, out);
  if (ref) {
    o64_poison(ref, nout);
    rb_kernels_ref.split_sum(n, hw, radix, channels, x, att, ref);
  }
  report(r, "split_sum", shape, out, ref, exact, mag, nout, o64_split_sum_tol(radix), scr);
  done(&b);
}

enum { MAX_PATHS = 4 };

static void check_sk_select(run *r, int n, int hw, int paths, int channels) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dhw%dpaths%dc%d", n, hw, paths, channels);
  if (!OWN(r->k, sk_select) || paths > MAX_PATHS) return;
  const size_t nb = (size_t)n * hw * channels, nl = (size_t)n * paths * channels;
  bufs b = {0};
  const float *br[MAX_PATHS];
  float *brw[MAX_PATHS];
  int ok = 1;
  for (int p = 0; p < paths; p++) {
    brw[p] = fl(&b, nb);
    br[p] = brw[p];
    ok = ok && brw[p];
  }
  float *logits = fl(&b, nl), *ws = fl(&b, nl), *out = fl(&b, nb), *ref = r->vs_ref ? fl(&b, nb) : NULL;
  double *exact = db(&b, nb), *mag = db(&b, nb), *scr = db(&b, nb);
  if (!ok || !logits || !ws || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "sk_select", shape);
    done(&b);
    return;
  }
  for (int p = 0; p < paths; p++) o64_fill(&r->rng, brw[p], nb, -1, 1);
  o64_fill(&r->rng, logits, nl, -4, 4);
  o64_sk_select(n, hw, paths, channels, br, logits, exact, mag);
  o64_poison(out, nb);
  o64_poison(ws, nl);
  r->k->sk_select(n, hw, paths, channels, br, logits, ws, out);
  if (ref) {
    o64_poison(ref, nb);
    rb_kernels_ref.sk_select(n, hw, paths, channels, br, logits, ws, ref);
  }
  report(r, "sk_select", shape, out, ref, exact, mag, nb, o64_sk_select_tol(paths), scr);
  done(&b);
}

// A refused op call is a failed row naming the error.
static void emit_error(const run *r, const char *family, const char *shape) {
  rb_check_row row;
  memset(&row, 0, sizeof row);
  row.kernel = kernel_name(family, r->k->isa);
  row.isa = r->k->isa_name;
  row.against = "fp64";
  snprintf(row.shape, sizeof row.shape, "%.60s (%.60s)", shape, rb_last_error());
  row.pass = 0;
  r->s->emit(r->s->ctx, &row);
}

// FC weights of a composite with k splits / paths: w1, b1, w2, b2 into p[0..3].
static int attn_weights(run *r, bufs *b, int k, int channels, int reduced, int groups, float **p) {
  const size_t nw1 = (size_t)reduced * (channels / groups), nw2 = (size_t)k * channels * (reduced / groups);
  p[0] = fl(b, nw1), p[1] = fl(b, reduced), p[2] = fl(b, nw2), p[3] = fl(b, (size_t)k * channels);
  if (!p[0] || !p[1] || !p[2] || !p[3]) return 0;
  fill_w(r, p[0], nw1, channels / groups);
  fill_w(r, p[1], reduced, channels / groups);
  fill_w(r, p[2], nw2, reduced / groups);
  fill_w(r, p[3], (size_t)k * channels, reduced / groups);
  return 1;
}

static void check_split_attention(run *r, const rb_split_attn_desc *d) {
  static const char fam[] = "op_split_attention";
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dih%diw%dradix%dc%dcard%dred%d", d->n, d->h, d->w, d->radix, d->channels,
           d->cardinality, d->reduced);
  if (!OWN_SPLIT_ATTENTION(r->k)) return;
  const size_t nout = (size_t)d->n * d->h * d->w * d->channels, nx = nout * d->radix;
  const size_t nws = rb_split_attention_workspace_size(d);
  bufs b = {0};
  float *w[4];
  float *x = fl(&b, nx), *ws = fl(&b, nws), *out = fl(&b, nout), *ref = r->vs_ref ? fl(&b, nout) : NULL;
  double *exact = db(&b, nout), *mag = db(&b, nout), *scr = db(&b, nout);
  if (!x || !ws || !out || (r->vs_ref && !ref) || !exact || !mag || !scr ||
      !attn_weights(r, &b, d->radix, d->channels, d->reduced, d->cardinality, w)) {
    emit_oom(r, fam, shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, x, nx, -1, 1);
  o64_split_attention(d, x, NULL, w[0], w[1], w[2], w[3], exact, mag);
  o64_poison(out, nout);
  o64_poison(ws, nws);
  rb_status st = rb_op_split_attention(r->k, d, x, NULL, w[0], w[1], w[2], w[3], ws, out);
  if (st == RB_OK && ref) {
    o64_poison(ref, nout);
    st = rb_op_split_attention(&rb_kernels_ref, d, x, NULL, w[0], w[1], w[2], w[3], ws, ref);
  }
  if (st != RB_OK) emit_error(r, fam, shape);
  else report(r, fam, shape, out, ref, exact, mag, nout, o64_split_attention_tol(d), scr);
  done(&b);
}

static void check_sk_attention(run *r, const rb_sk_attn_desc *d) {
  static const char fam[] = "op_sk_attention";
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dih%diw%dpaths%dc%dred%dg%d", d->n, d->h, d->w, d->paths, d->channels,
           d->reduced, d->groups);
  if (!OWN_SK_ATTENTION(r->k) || d->paths > MAX_PATHS) return;
  const size_t nb = (size_t)d->n * d->h * d->w * d->channels, nws = rb_sk_attention_workspace_size(d);
  bufs b = {0};
  float *w[4], *brw[MAX_PATHS];
  const float *br[MAX_PATHS];
  int ok = 1;
  for (int p = 0; p < d->paths; p++) {
    brw[p] = fl(&b, nb);
    br[p] = brw[p];
    ok = ok && brw[p];
  }
  float *ws = fl(&b, nws), *out = fl(&b, nb), *ref = r->vs_ref ? fl(&b, nb) : NULL;
  double *exact = db(&b, nb), *mag = db(&b, nb), *scr = db(&b, nb);
  if (!ok || !ws || !out || (r->vs_ref && !ref) || !exact || !mag || !scr ||
      !attn_weights(r, &b, d->paths, d->channels, d->reduced, d->groups, w)) {
    emit_oom(r, fam, shape);
    done(&b);
    return;
  }
  for (int p = 0; p < d->paths; p++) o64_fill(&r->rng, brw[p], nb, -1, 1);
  // timm: the BN after fc_reduce folded into w1/b1, no fc_select bias.
  o64_sk_attention(d, br, NULL, w[0], w[1], w[2], NULL, exact, mag);
  o64_poison(out, nb);
  o64_poison(ws, nws);
  rb_status st = rb_op_sk_attention(r->k, d, br, NULL, w[0], w[1], w[2], NULL, ws, out);
  if (st == RB_OK && ref) {
    o64_poison(ref, nb);
    st = rb_op_sk_attention(&rb_kernels_ref, d, br, NULL, w[0], w[1], w[2], NULL, ws, ref);
  }
  if (st != RB_OK) emit_error(r, fam, shape);
  else report(r, fam, shape, out, ref, exact, mag, nb, o64_sk_attention_tol(d), scr);
  done(&b);
}

static void check_global_avgpool(run *r, int n, int h, int w, int c) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dic%dih%diw%d", n, c, h, w);
  if (!OWN(r->k, global_avgpool)) return;
  const size_t nin = (size_t)n * h * w * c, nout = (size_t)n * c;
  bufs b = {0};
  float *in = fl(&b, nin), *out = fl(&b, nout), *ref = r->vs_ref ? fl(&b, nout) : NULL;
  double *exact = db(&b, nout), *mag = db(&b, nout), *scr = db(&b, nout);
  if (!in || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "global_avgpool", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, nin, -1, 1);
  o64_global_avgpool(n, h * w, c, in, exact, mag);
  o64_poison(out, nout);
  r->k->global_avgpool(n, h * w, c, in, out);
  if (ref) {
    o64_poison(ref, nout);
    rb_kernels_ref.global_avgpool(n, h * w, c, in, ref);
  }
  report(r, "global_avgpool", shape, out, ref, exact, mag, nout, o64_global_avgpool_tol(h * w), scr);
  done(&b);
}

static void check_pool(run *r, int is_max, const rb_pool_desc *d) {
  const char *family = is_max ? "maxpool" : "avgpool";
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dic%dih%diw%dkh%dkw%dsh%dsw%dph%dpw%d%s%s", d->n, d->c, d->h, d->w, d->kh,
           d->kw, d->stride_h, d->stride_w, d->pad_h, d->pad_w, d->ceil_mode ? "_ceil" : "",
           is_max ? "" : d->count_include_pad ? "_inclpad" : "_exclpad");
  void (*kern)(const rb_pool_desc *, const float *, float *) = is_max ? r->k->maxpool : r->k->avgpool;
  void (*kref)(const rb_pool_desc *, const float *, float *) = is_max ? rb_kernels_ref.maxpool : rb_kernels_ref.avgpool;
  if (!kern || (r->k != &rb_kernels_ref && kern == kref)) return;  // borrowed from ref: no rows
  const int oh = o64_pool_out(d->h, d->kh, d->stride_h, d->pad_h, d->ceil_mode);
  const int ow = o64_pool_out(d->w, d->kw, d->stride_w, d->pad_w, d->ceil_mode);
  const size_t nin = (size_t)d->n * d->h * d->w * d->c, nout = (size_t)d->n * oh * ow * d->c;
  bufs b = {0};
  float *in = fl(&b, nin), *out = fl(&b, nout), *ref = r->vs_ref ? fl(&b, nout) : NULL;
  double *exact = db(&b, nout), *mag = db(&b, nout), *scr = db(&b, nout);
  if (!in || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, family, shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, nin, -1, 1);
  if (is_max) o64_maxpool(d, in, exact, mag);
  else o64_avgpool(d, in, exact, mag);
  o64_poison(out, nout);
  kern(d, in, out);
  if (ref) {
    o64_poison(ref, nout);
    kref(d, in, ref);
  }
  // Max pool selects an input: it must be exact.
  report(r, family, shape, out, ref, exact, mag, nout, is_max ? 0.0 : o64_avgpool_tol(d), scr);
  done(&b);
}

static void check_add(run *r, size_t count, int relu) {
  char shape[128];
  snprintf(shape, sizeof shape, "n%zurelu%d", count, relu);
  if (!OWN(r->k, add)) return;
  bufs b = {0};
  float *a = fl(&b, count), *x = fl(&b, count), *out = fl(&b, count), *ref = r->vs_ref ? fl(&b, count) : NULL;
  double *exact = db(&b, count), *mag = db(&b, count), *scr = db(&b, count);
  if (!a || !x || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "add", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, a, count, -1, 1);
  o64_fill(&r->rng, x, count, -1, 1);
  o64_add(count, a, x, relu, exact, mag);
  o64_poison(out, count);
  r->k->add(count, a, x, relu, out);
  if (ref) {
    o64_poison(ref, count);
    rb_kernels_ref.add(count, a, x, relu, ref);
  }
  report(r, "add", shape, out, ref, exact, mag, count, o64_add_tol(), scr);
  done(&b);
}

// The SE channel scale fused with the residual add + ReLU: a product and a sum, 2u.
static void check_scale_add(run *r, int n, int hw, int c, int relu) {
  char shape[128];
  snprintf(shape, sizeof shape, "mb%dic%dhw%drelu%d", n, c, hw, relu);
  if (!OWN(r->k, scale_add)) return;
  const size_t count = (size_t)n * hw * c;
  bufs b = {0};
  float *x = fl(&b, count), *g = fl(&b, (size_t)n * c), *res = fl(&b, count), *out = fl(&b, count);
  float *ref = r->vs_ref ? fl(&b, count) : NULL;
  double *exact = db(&b, count), *mag = db(&b, count), *scr = db(&b, count);
  if (!x || !g || !res || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, "scale_add", shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, x, count, -1, 1);
  o64_fill(&r->rng, g, (size_t)n * c, 0, 1);
  o64_fill(&r->rng, res, count, -1, 1);
  for (size_t i = 0; i < count; i++) {
    const double prod = (double)x[i] * g[i / ((size_t)hw * c) * c + i % c], e = prod + res[i];
    exact[i] = relu && e < 0 ? 0 : e;
    mag[i] = fabs(prod) + fabs(res[i]);
  }
  o64_poison(out, count);
  r->k->scale_add(n, hw, c, x, g, res, relu, out);
  if (ref) {
    o64_poison(ref, count);
    rb_kernels_ref.scale_add(n, hw, c, x, g, res, relu, ref);
  }
  report(r, "scale_add", shape, out, ref, exact, mag, count, 2 * O64_U_F32, scr);
  done(&b);
}

// exp or sigmoid on `count` arguments spread over [lo, hi], against fp64 within the table's
// stated ulp bound (kernels/table.h), as a relative tolerance of bound * 2^-23 (one ulp is at
// most 2^-23 of the value where the result is normal, which it is on these ranges).
static void check_vmath(run *r, int is_exp, size_t count, float lo, float hi) {
  const char *family = is_exp ? "vexp" : "sigmoid";
  char shape[128];
  snprintf(shape, sizeof shape, "n%zu[%g,%g]", count, (double)lo, (double)hi);
  if (is_exp ? !OWN(r->k, vexp) : !OWN(r->k, sigmoid)) return;
  bufs b = {0};
  float *in = fl(&b, count), *out = fl(&b, count), *ref = r->vs_ref ? fl(&b, count) : NULL;
  double *exact = db(&b, count), *mag = db(&b, count), *scr = db(&b, count);
  if (!in || !out || (r->vs_ref && !ref) || !exact || !mag || !scr) {
    emit_oom(r, family, shape);
    done(&b);
    return;
  }
  o64_fill(&r->rng, in, count, lo, hi);
  for (size_t i = 0; i < count; i++) {
    const double e = exp(-fabs((double)in[i]));
    exact[i] = is_exp ? exp((double)in[i]) : in[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    mag[i] = fabs(exact[i]);
  }
  o64_poison(out, count);
  (is_exp ? r->k->vexp : r->k->sigmoid)(count, in, out);
  if (ref) {
    o64_poison(ref, count);
    (is_exp ? rb_kernels_ref.vexp : rb_kernels_ref.sigmoid)(count, in, ref);
  }
  const double tol = (is_exp ? RB_VEXP_MAX_ULP : RB_SIGMOID_MAX_ULP) * 0x1p-23;
  report(r, family, shape, out, ref, exact, mag, count, tol, scr);
  done(&b);
}

static rb_pool_desc pool(int n, int c, int h, int k, int s, int p, int ceil_mode, int count_include_pad) {
  const rb_pool_desc d = {n, h, h, c, k, k, s, s, p, p, ceil_mode, count_include_pad};
  return d;
}

void rb_check_misc(const rb_kernels *k, const rb_check_sink *s) {
  if (!k || !s || !s->emit) return;
  run r = {k, s, k->isa != RB_ISA_REF, {0}};
  o64_seed(&r.rng, 20240917);

  // SE-ResNet-50: stage 1 (256 channels at 56x56) and stage 4 (2048 at 7x7), reduction 16.
  check_se(&r, 1, 56, 56, 256, 16, 1);
  check_se(&r, 1, 7, 7, 2048, 16, 1);
  // Classifier of ResNet-50, and ResNeSt-50 split-attention FCs (card 1: 64 -> 32 -> 128;
  // card 2, radix 4 on 128 channels: 128 -> 64 grouped by 2, then 64 -> 512 grouped).
  check_fc(&r, 1, 2048, 1000, 1, 0);
  check_fc(&r, 1, 64, 32, 1, 1);
  check_fc(&r, 1, 32, 128, 1, 0);
  check_fc(&r, 1, 128, 64, 2, 1);
  check_fc(&r, 1, 64, 512, 2, 0);
  // ResNeSt-50 stage 1 (radix 2, card 1, 64 channels), a radix 4 / card 2 case, and radix 1
  // (sigmoid).
  check_radix_softmax(&r, 1, 1, 2, 64);
  check_radix_softmax(&r, 1, 2, 4, 128);
  check_radix_softmax(&r, 1, 1, 1, 64);
  check_split_sum(&r, 1, 56 * 56, 2, 64);
  check_split_sum(&r, 1, 28 * 28, 4, 128);
  // SKNet-50 stage 1: 2 paths (3x3 and dilated 3x3) on 128 channels; and 3 paths.
  check_sk_select(&r, 1, 56 * 56, 2, 128);
  check_sk_select(&r, 1, 14 * 14, 3, 256);
  // The composites: ResNeSt-50d layer1.0 (radix 2, 64 channels, attention 32) and resnest50d_4s2x40d
  // layer2.0 (radix 4, card 2, 160 channels, attention 160); SKNet-50 layer1.0 (2 paths of 128,
  // attention 32) and 3 paths at 14x14.
  const rb_split_attn_desc sa1 = {1, 56, 56, 2, 64, 1, 32}, sa2 = {1, 28, 28, 4, 160, 2, 160};
  check_split_attention(&r, &sa1);
  check_split_attention(&r, &sa2);
  const rb_sk_attn_desc sk1 = {1, 56, 56, 2, 128, 32, 1}, sk2 = {1, 14, 14, 3, 256, 32, 1};
  check_sk_attention(&r, &sk1);
  check_sk_attention(&r, &sk2);
  // ResNet stem max pool; ResNeSt avd (AvgPool2d(3, 2, padding=1)) and avg_down
  // (AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False)) on an odd map; global pool.
  rb_pool_desc d = pool(1, 64, 112, 3, 2, 1, 0, 1);
  check_pool(&r, 1, &d);
  d = pool(1, 128, 56, 3, 2, 1, 0, 1);
  check_pool(&r, 0, &d);
  d = pool(1, 256, 57, 2, 2, 0, 1, 0);
  check_pool(&r, 0, &d);
  check_global_avgpool(&r, 1, 7, 7, 2048);
  // The residual add + ReLU of a bottleneck at 56x56x256, and a plain add.
  check_add(&r, (size_t)56 * 56 * 256, 1);
  check_add(&r, (size_t)28 * 28 * 512, 0);
  // SE-ResNet-50's fused scale + add + ReLU at stage 1 and stage 4; exp on the range a softmax
  // over max-subtracted logits sees, and on all of float's normal results; sigmoid on a gate's.
  check_scale_add(&r, 1, 56 * 56, 256, 1);
  check_scale_add(&r, 1, 7 * 7, 2048, 1);
  check_vmath(&r, 1, 100003, -30, 0);
  check_vmath(&r, 1, 100003, -87, 88);
  check_vmath(&r, 0, 100003, -20, 20);
}
