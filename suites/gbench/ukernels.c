// Microkernel benchmarks: every GEMM / indirect-GEMM and narrow-group microkernel of the registry
// (kernels/ukernel.h) whose ISA this CPU runs, on a ResNet-50-like problem each, with FLOPS as
// the rate. Names: ukernel/<name>/<problem>/<cold|hot>. cold: each iteration takes the next of
// several copies of the weights and inputs, together twice the last-level cache, so they come
// from memory (as a layer's do in a network); hot: one copy of the weights (L2) and every tile
// reading the same A rows (L1), the microkernel's own ceiling. (Distinct rows per tile and tap
// were 0.9 MB for the igemm problem: past a 512 KiB L2, "hot" measured L3 bandwidth.)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../kernels/pack.h"
#include "../../kernels/ukernel.h"
#include "gbench/shim.h"
#include "resbench/probe.h"
#include "resbench/tensor.h"

enum { TILES = 64 };  // row tiles of one iteration

typedef struct ubench {
  const rb_gemm_ukernel *gemm;  // one of these two
  const rb_ngconv_ukernel *ng;
  int use_gemm;                 // the plain GEMM twin of `gemm`
  size_t kc, ks, nc, cold;
  // Allocated when the benchmark runs.
  size_t copies, a_floats, w_floats, a_stride;
  float *a, *w, *c, *zero;
  const float **ind;  // per copy: TILES x ks x MR pointers; then one tile of zero rows
} ubench;

static size_t llc_bytes(void) {
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return l3 > 0 ? (size_t)l3 : (size_t)32 << 20;
}

static void fill(float *p, size_t n) {
  unsigned x = 0x2545f491u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    p[i] = ((x & 1) ? 1.0f : -1.0f) * (0.25f + (float)(x >> 9) * 0x1p-23f);  // never zero
  }
}

static void release(ubench *u) {
  rb_aligned_free(u->a), rb_aligned_free(u->w), rb_aligned_free(u->c), rb_aligned_free(u->zero);
  free(u->ind);
  u->a = u->w = u->c = u->zero = NULL, u->ind = NULL;
}

static int setup(ubench *u) {
  const size_t mr = (size_t)(u->gemm ? u->gemm->mr : u->ng->mr), rows = mr * TILES;
  const size_t cin = u->gemm ? u->kc : u->nc;  // ngconv reads its own channels
  u->a_stride = cin;
  const size_t tiles_a = u->cold ? TILES : 1;  // cold: distinct rows for every tile and tap
  const size_t a_one = tiles_a * mr * u->ks * cin;
  const size_t w_one = u->gemm ? rb_pack_gemm_size(u->gemm->nr, (int)u->nc, (int)u->kc, (int)u->ks)
                               : rb_pack_ngconv_size(u->ng->width, u->ng->cpg, (int)u->nc, (int)u->ks);
  const size_t one = (a_one + w_one) * sizeof(float);
  u->copies = u->cold ? 2 * llc_bytes() / one + 1 : 1;
  u->a_floats = a_one, u->w_floats = w_one;
  u->a = rb_aligned_alloc(u->copies * a_one * sizeof(float));
  u->w = rb_aligned_alloc(u->copies * w_one * sizeof(float));
  u->c = rb_aligned_alloc(rows * u->nc * sizeof(float));
  u->zero = rb_aligned_alloc((cin + 64) * sizeof(float));
  u->ind = malloc((u->copies * TILES + 1) * u->ks * mr * sizeof *u->ind);  // + the last tile's next (zero rows)
  if (!u->a || !u->w || !u->c || !u->zero || !u->ind) return 0;
  fill(u->a, u->copies * a_one);
  fill(u->w, u->copies * w_one);  // packed layout filled directly: the values do not matter
  memset(u->zero, 0, (cin + 64) * sizeof(float));
  for (size_t k = 0; k < u->copies; k++)
    for (size_t t = 0; t < TILES; t++)
      for (size_t tap = 0; tap < u->ks; tap++)
        for (size_t m = 0; m < mr; m++)
          u->ind[((k * TILES + t) * u->ks + tap) * mr + m] =
              u->a + k * a_one + ((tap * tiles_a + t % tiles_a) * mr + m) * cin;
  for (size_t j = 0; j < u->ks * mr; j++) u->ind[u->copies * TILES * u->ks * mr + j] = u->zero;
  return 1;
}

static void run(rb_gb_state *st, void *ctx) {
  ubench *u = ctx;
  if (!setup(u)) {
    release(u);
    rb_gb_skip(st, "out of memory");
    return;
  }
  const size_t mr = (size_t)(u->gemm ? u->gemm->mr : u->ng->mr);
  const size_t k_per_out = u->gemm ? u->kc * u->ks : (size_t)u->ng->cpg * u->ks;
  rb_gb_set_flops(st, 2.0 * TILES * mr * u->nc * k_per_out);
  rb_gb_set_bytes(st, (double)(u->a_floats + u->w_floats + TILES * mr * u->nc) * sizeof(float));
  const rb_uk_epilogue e = {NULL, 0, 0, NULL, NULL, (int)u->cold};  // cold: A streams, as in a large 1x1 layer
  size_t k = 0;
  while (rb_gb_keep_running(st)) {
    const float *w = u->w + k * u->w_floats;
    for (size_t t = 0; t < TILES; t++) {
      float *c = u->c + t * mr * u->nc;
      const float *const *ind = u->ind + (k * TILES + t) * u->ks * mr;
      if (u->ng)
        u->ng->fn(mr, u->nc, u->ks, ind, w, c, u->nc, u->zero, 0, &e);
      else if (u->use_gemm)
        u->gemm->gemm(mr, u->nc, u->kc, u->a + k * u->a_floats + (u->cold ? t : 0) * mr * u->kc, u->kc, w, c, u->nc, &e);
      else
        u->gemm->igemm(mr, u->nc, u->kc, u->ks, ind, w, c, u->nc, u->zero, 0, &e);
    }
    k = k + 1 == u->copies ? 0 : k + 1;
  }
  release(u);
}

static rb_status add(ubench proto, const char *name, const char *problem) {
  for (int cold = 0; cold < 2; cold++) {
    ubench *u = malloc(sizeof *u);
    if (!u) return rb_fail(RB_ERR_NOMEM, "out of memory registering %s", name);
    *u = proto;
    u->cold = (size_t)cold;
    char full[192];
    snprintf(full, sizeof full, "ukernel/%s/%s/%s", name, problem, cold ? "cold" : "hot");
    const rb_gb_options opt = {.use_real_time = 1};
    rb_status s = rb_gb_register(full, run, u, &opt);
    if (s != RB_OK) return s;
  }
  return RB_OK;
}

rb_status rb_gbench_register_ukernels(void) {
  rb_status s = RB_OK;
  for (size_t i = 0; s == RB_OK && i < rb_gemm_ukernel_count; i++) {
    const rb_gemm_ukernel *g = &rb_gemm_ukernels[i];
    if (!rb_cpu_supports(g->isa)) continue;  // the ISA list says why in the run's context
    char gemm_name[96];
    const char *at = strstr(g->name, "igemm");
    snprintf(gemm_name, sizeof gemm_name, "%.*s%s", at ? (int)(at - g->name) : 0, g->name, at ? at + 1 : g->name);
    // ResNet-50's 3x3 64 -> 64 as an indirect GEMM; its 1x1 256 -> 64 as a GEMM.
    s = add((ubench){.gemm = g, .kc = 64, .ks = 9, .nc = 64}, g->name, "kc64ks9nc64");
    if (s == RB_OK) s = add((ubench){.gemm = g, .use_gemm = 1, .kc = 256, .ks = 1, .nc = 64}, gemm_name, "kc256nc64");
  }
  for (size_t i = 0; s == RB_OK && i < rb_ngconv_ukernel_count; i++) {
    const rb_ngconv_ukernel *n = &rb_ngconv_ukernels[i];
    if (!rb_cpu_supports(n->isa)) continue;
    // ResNeXt-50 32x4d's grouped 3x3: 128 channels of 4, or 256 of 8.
    s = add((ubench){.ng = n, .ks = 9, .nc = n->cpg == 4 ? 128 : 256}, n->name, n->cpg == 4 ? "nc128ks9" : "nc256ks9");
  }
  return s;
}
