// tools/ab_pool.sh builds this against two copies of kernels/eltwise_template.h (rb_eltwise_fill__old and
// __new) and times ResNet's pools on both, alternated in rounds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "table.h"
void rb_eltwise_fill__old(rb_kernels *t);
void rb_eltwise_fill__new(rb_kernels *t);
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 41, c = argc > 2 ? atoi(argv[2]) : 256, rounds = 7;
  rb_kernels a, b; memset(&a, 0, sizeof a); memset(&b, 0, sizeof b);
  rb_eltwise_fill__old(&a); rb_eltwise_fill__new(&b);
  const rb_pool_desc descs[3] = {{n, 56, 56, c, 3, 3, 2, 2, 1, 1, 0, 1}, {n, 56, 56, c, 3, 3, 2, 2, 1, 1, 0, 1}, {n, 56, 56, c, 2, 2, 2, 2, 0, 0, 1, 0}};
  const char *names[3] = {"maxpool 3x3 s2", "avgpool 3x3 s2 (avd)", "avgpool 2x2 s2 (avg_down)"};
  size_t nin = (size_t)n * 56 * 56 * c, nout = (size_t)n * 29 * 29 * c;
  float *in = aligned_alloc(64, nin * 4), *out = aligned_alloc(64, nout * 4);
  for (size_t i = 0; i < nin; i++) in[i] = (float)((i * 2654435761u) % 1000) * 0.001f - 0.5f;
  for (int p = 0; p < 3; p++) {
    double ratio[16], tb[16], ta[16];
    for (int r = 0; r < rounds; r++) {
      for (int s = 0; s < 2; s++) {
        rb_kernels *k = s ? &b : &a;
        double best = 1e9;
        for (int it = 0; it < 5; it++) {
          double t = now();
          if (p == 0) k->maxpool(&descs[p], in, out); else k->avgpool(&descs[p], in, out);
          t = now() - t; if (t < best) best = t;
        }
        if (s) tb[r] = best; else ta[r] = best;
      }
      ratio[r] = ta[r] / tb[r];
    }
    // median
    for (int i = 0; i < rounds; i++) for (int j = i + 1; j < rounds; j++) if (ratio[j] < ratio[i]) { double t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t; }
    printf("%-28s n%d c%d: old %.3f ms new %.3f ms (round 0), new speed-up median %.3f (range %.3f-%.3f)\n", names[p], n, c, ta[0]*1e3, tb[0]*1e3, ratio[rounds/2], ratio[0], ratio[rounds-1]);
  }
  return 0;
}
