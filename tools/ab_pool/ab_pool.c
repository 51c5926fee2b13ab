// tools/ab_eltwise.sh pool builds this against two copies of kernels/eltwise_template.h
// (rb_eltwise_fill__old and __new) and times ResNet's pools on both, alternated in rounds: the
// best of 5 runs a side a round, the median over rounds of old / new (> 1: new is faster).
#include <stdio.h>
#include <stdlib.h>

#include "table.h"
#include "timing.h"

void rb_eltwise_fill__old(rb_kernels *t);
void rb_eltwise_fill__new(rb_kernels *t);

enum { ROUNDS = 7, RUNS = 5 };

static double best_ms(const rb_kernels *k, int is_max, const rb_pool_desc *d, const float *in, float *out) {
  double best = 1e300;
  for (int it = 0; it < RUNS; it++) {
    const double t0 = rb_now_ms();
    if (is_max) k->maxpool(d, in, out);
    else k->avgpool(d, in, out);
    const double t = rb_now_ms() - t0;
    if (t < best) best = t;
  }
  return best;
}

int main(int argc, char **argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 41, c = argc > 2 ? atoi(argv[2]) : 256;
  if (n < 1 || c < 1) {
    fprintf(stderr, "usage: ab_pool [IMAGES >= 1 [CHANNELS >= 1]]\n");
    return 2;
  }
  rb_kernels a = {0}, b = {0};
  rb_eltwise_fill__old(&a);
  rb_eltwise_fill__new(&b);
  const rb_pool_desc descs[3] = {{n, 56, 56, c, 3, 3, 2, 2, 1, 1, 0, 1},
                                 {n, 56, 56, c, 3, 3, 2, 2, 1, 1, 0, 1},
                                 {n, 56, 56, c, 2, 2, 2, 2, 0, 0, 1, 0}};
  const char *names[3] = {"maxpool 3x3 s2", "avgpool 3x3 s2 (avd)", "avgpool 2x2 s2 (avg_down)"};
  const size_t nin = (size_t)n * 56 * 56 * c, nout = (size_t)n * 29 * 29 * c;  // 29: any of the three
  float *in = malloc(nin * sizeof *in), *out = malloc(nout * sizeof *out);
  if (!in || !out) {
    fprintf(stderr, "ab_pool: out of memory for %d images of 56x56x%d\n", n, c);
    return 1;
  }
  for (size_t i = 0; i < nin; i++) in[i] = (float)((i * 2654435761u) % 1000) * 0.001f - 0.5f;
  for (int p = 0; p < 3; p++) {
    double ratio[ROUNDS], t_old0 = 0, t_new0 = 0;
    for (int r = 0; r < ROUNDS; r++) {
      const double t_old = best_ms(&a, p == 0, &descs[p], in, out), t_new = best_ms(&b, p == 0, &descs[p], in, out);
      if (r == 0) t_old0 = t_old, t_new0 = t_new;
      ratio[r] = t_old / t_new;
    }
    rb_sort_doubles(ratio, ROUNDS);
    printf("%-28s n%d c%d: old %.3f ms new %.3f ms (round 0), new speed-up median %.3f (range %.3f-%.3f)\n", names[p],
           n, c, t_old0, t_new0, rb_quantile(ratio, ROUNDS, 0.5), ratio[0], ratio[ROUNDS - 1]);
  }
  free(in), free(out);
  return 0;
}
