// In-process A/B of an ISA's GEMM microkernels against an older revision of them (tools/ab_gemm.sh
// builds this with the old kernels renamed old_*): the same engine plan, driver and data, the two
// run alternately in rounds; the speed-up is the median over rounds of t_old / t_new. One process,
// so the noise of a shared machine falls on both alike.
//   ab_gemm ISA THREADS ROUNDS SECONDS PROBLEM...
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/engine.h"
#include "resbench/conv.h"
#include "resbench/tensor.h"

extern const rb_engine_config rb_engine_avx2, rb_engine_avx512;
void OLD_IGEMM(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
               size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e);
void OLD_GEMM(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
              size_t c_stride, const rb_uk_epilogue *e);
#ifdef OLD_ALT_IGEMM
void OLD_ALT_IGEMM(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                     size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e);
void OLD_ALT_GEMM(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                    size_t c_stride, const rb_uk_epilogue *e);
#endif
#ifdef OLD_NARROW_IGEMM
void OLD_NARROW_IGEMM(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c,
                     size_t c_stride, const float *zero, size_t a_offset, const rb_uk_epilogue *e);
void OLD_NARROW_GEMM(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride, const float *w, float *c,
                    size_t c_stride, const rb_uk_epilogue *e);
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static int by_value(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
// Median of the runs in about `seconds` (at least 5, at most 400).
static double median_time(rb_engine_plan *p, const float *in, float *out, double seconds) {
  double t[400];
  int n = 0;
  const double start = now();
  while (n < 400 && (n < 5 || now() - start < seconds)) {
    const double t0 = now();
    rb_engine_plan_run(p, in, NULL, out);
    t[n++] = now() - t0;
  }
  qsort(t, (size_t)n, sizeof *t, by_value);
  return t[n / 2];
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: ab_gemm avx2|avx512 THREADS ROUNDS SECONDS PROBLEM...\n");
    return 2;
  }
  const rb_engine_config *now_cfg = !strcmp(argv[1], "avx512") ? &rb_engine_avx512 : !strcmp(argv[1], "avx2") ? &rb_engine_avx2 : NULL;
  const int threads = atoi(argv[2]), rounds = atoi(argv[3]);
  const double seconds = atof(argv[4]);
  if (!now_cfg || threads < 1 || rounds < 1 || rounds > 64 || !(seconds > 0)) {
    fprintf(stderr, "ab_gemm: bad arguments (ISA avx2 or avx512, THREADS >= 1, ROUNDS 1-64, SECONDS > 0)\n");
    return 2;
  }
  rb_engine_config old_cfg = *now_cfg;
  old_cfg.gemm.igemm = OLD_IGEMM, old_cfg.gemm.gemm = OLD_GEMM;
#ifdef OLD_ALT_IGEMM  // the old file's second tile (same name as the config's), else none
  old_cfg.gemm_alt.igemm = OLD_ALT_IGEMM, old_cfg.gemm_alt.gemm = OLD_ALT_GEMM;
#else
  old_cfg.gemm_alt = (rb_gemm_ukernel){0}, old_cfg.alt_row_cost = 0;
#endif
#ifdef OLD_NARROW_IGEMM  // the old file's narrow tile, else none
  old_cfg.gemm_narrow.igemm = OLD_NARROW_IGEMM, old_cfg.gemm_narrow.gemm = OLD_NARROW_GEMM;
#else
  old_cfg.gemm_narrow = (rb_gemm_ukernel){0}, old_cfg.narrow_cost = 0;
#endif
  // AB_OLD_TILES=MAIN[,ALT:COST[,NARROW:COST]] (registry names; "-": the old file's MAIN, or no
  // ALT / NARROW): the old side runs those GEMM tiles of the working tree with those costs, two
  // tile choices side by side (REV: one whose gemm.c has the config's tile, e.g. `git stash create`).
  const char *old_tiles = getenv("AB_OLD_TILES");
  if (old_tiles) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", old_tiles);
    rb_gemm_ukernel *slot[3] = {&old_cfg.gemm, &old_cfg.gemm_alt, &old_cfg.gemm_narrow};
    float *cost[3] = {NULL, &old_cfg.alt_row_cost, &old_cfg.narrow_cost};
    old_cfg.gemm_alt = old_cfg.gemm_narrow = (rb_gemm_ukernel){0}, old_cfg.alt_row_cost = old_cfg.narrow_cost = 0;
    int i = 0;
    for (char *tok = strtok(buf, ","); tok && i < 3; tok = strtok(NULL, ","), i++) {
      char *colon = strchr(tok, ':');
      if (colon) *colon = 0;
      if (!strcmp(tok, "-")) continue;
      const rb_gemm_ukernel *u = NULL;
      for (size_t j = 0; j < rb_gemm_ukernel_count; j++)
        if (!strcmp(rb_gemm_ukernels[j].name, tok)) u = &rb_gemm_ukernels[j];
      if (!u || u->isa != now_cfg->isa || (i > 0 && !colon)) {
        fprintf(stderr, "ab_gemm: AB_OLD_TILES: %s is no %s GEMM tile of the registry (or has no :COST)\n", tok, argv[1]);
        return 2;
      }
      *slot[i] = *u;
      if (i > 0) *cost[i] = strtof(colon + 1, NULL);
    }
    printf("old side's tiles: %s\n", old_tiles);
  }
  // AB_OLD_NR_STEP=full: the old side's tiles are chosen by whole column blocks (nr_step = nr), as
  // for a revision whose kernels computed a last, partial block whole (before 2026-12-04).
  const char *old_step = getenv("AB_OLD_NR_STEP");
  if (old_step && strcmp(old_step, "full")) {
    fprintf(stderr, "ab_gemm: AB_OLD_NR_STEP is 'full' or unset, not %s\n", old_step);
    return 2;
  }
  if (old_step) {
    old_cfg.gemm.nr_step = old_cfg.gemm.nr, old_cfg.gemm_alt.nr_step = old_cfg.gemm_alt.nr;
    old_cfg.gemm_narrow.nr_step = old_cfg.gemm_narrow.nr;
    printf("old side's tiles: whole column blocks (AB_OLD_NR_STEP=full)\n");
  }
  // AB_OLD_NGCONV=<registry name>: the old side runs that narrow-group kernel for its group width
  // (two kernels of the working tree side by side; give REV = HEAD for the same GEMM tiles).
  const char *old_ng = getenv("AB_OLD_NGCONV");
  if (old_ng) {
    const rb_ngconv_ukernel *u = NULL;
    for (size_t i = 0; i < rb_ngconv_ukernel_count; i++)
      if (!strcmp(rb_ngconv_ukernels[i].name, old_ng)) u = &rb_ngconv_ukernels[i];
    if (!u || u->isa != now_cfg->isa) {
      fprintf(stderr, "ab_gemm: AB_OLD_NGCONV=%s is no %s narrow-group kernel of the registry\n", old_ng, argv[1]);
      return 2;
    }
    *(u->cpg == 4 ? &old_cfg.ngconv4 : u->cpg == 8 ? &old_cfg.ngconv8 : &old_cfg.ngconv16) = *u;
    printf("old side's c%d narrow-group kernel: %s\n", u->cpg, u->name);
  }
  double log_sum = 0;
  int count = 0;
  printf("%-34s %-6s %9s %9s %8s %s\n", "problem", "path", "old GF/s", "new GF/s", "new/old", "range over rounds");
  for (int i = 5; i < argc; i++) {
    rb_conv_desc d;
    if (rb_conv_desc_parse(argv[i], &d) != RB_OK) {
      fprintf(stderr, "ab_gemm: %s\n", rb_last_error());
      return 1;
    }
    const size_t ni = rb_conv_in_count(&d), no = rb_conv_out_count(&d), nw = rb_conv_weight_count(&d);
    float *in = rb_aligned_alloc(ni * 4), *out = rb_aligned_alloc(no * 4), *w = malloc(nw * 4), *bias = malloc((size_t)d.cout * 4);
    if (!in || !out || !w || !bias) return fprintf(stderr, "ab_gemm: out of memory\n"), 1;
    for (size_t j = 0; j < ni; j++) in[j] = (float)((j * 7919) % 1000) / 1000 - 0.5f;
    for (size_t j = 0; j < nw; j++) w[j] = (float)((j * 104729) % 1000) / 1000 - 0.5f;
    for (int j = 0; j < d.cout; j++) bias[j] = 0.1f;
    rb_engine_plan *po, *pn;
    if (rb_engine_plan_create(&old_cfg, &d, RB_PATH_AUTO, threads, w, bias, &po) != RB_OK ||
        rb_engine_plan_create(now_cfg, &d, RB_PATH_AUTO, threads, w, bias, &pn) != RB_OK) {
      fprintf(stderr, "ab_gemm: %s: %s\n", argv[i], rb_last_error());
      return 1;
    }
    const double flops = 2.0 * d.n * rb_conv_out_h(&d) * rb_conv_out_w(&d) * d.cout * (d.cin / d.groups) * d.kh * d.kw;
    double ratio[64], g_old[64], g_new[64];
    median_time(po, in, out, 0.3), median_time(pn, in, out, 0.3);  // warm-up (the VM needs ~1 s of load)
    for (int r = 0; r < rounds; r++) {
      const double t_old = median_time(po, in, out, seconds), t_new = median_time(pn, in, out, seconds);
      ratio[r] = t_old / t_new, g_old[r] = flops / t_old / 1e9, g_new[r] = flops / t_new / 1e9;
    }
    qsort(ratio, (size_t)rounds, sizeof *ratio, by_value);
    qsort(g_old, (size_t)rounds, sizeof *g_old, by_value);
    qsort(g_new, (size_t)rounds, sizeof *g_new, by_value);
    printf("%-34s %-6s %9.1f %9.1f %8.3f %.3f-%.3f\n", argv[i], rb_engine_plan_path_name(pn), g_old[rounds / 2],
           g_new[rounds / 2], ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
    log_sum += log(ratio[rounds / 2]), count++;
    rb_engine_plan_destroy(po), rb_engine_plan_destroy(pn);
    rb_aligned_free(in), rb_aligned_free(out), free(w), free(bias);
  }
  printf("geometric mean new/old: %.3f over %d problems\n", exp(log_sum / count), count);
  return 0;
}
