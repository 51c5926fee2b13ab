// tools/ab_eltwise.sh fc builds this against two copies of kernels/eltwise_template.h
// (rb_eltwise_fill__old and __new) and times the table's fc at batch 1 on SE's and the
// classifier's shapes: each call on another copy of the weights, copies rotated over 96 MiB (past
// the L3) as a network streams them; the median call of each side a round, the median over rounds
// of old / new (> 1: new is faster). Bandwidth is the weights' bytes over the mean of the medians.
#include <stdio.h>
#include <stdlib.h>

#include "table.h"
#include "timing.h"

void rb_eltwise_fill__old(rb_kernels *t);
void rb_eltwise_fill__new(rb_kernels *t);

enum { ROUNDS = 9, CALLS = 64 };

typedef struct {
  const float *w;  // the rotated copies
  int copies, next;
} weight_pool;

static double median_ms(const rb_kernels *k, int in_f, int out_f, weight_pool *p, const float *x, const float *bias,
                        float *y) {
  double t[CALLS];
  for (int c = 0; c < CALLS; c++) {
    const float *w = p->w + (size_t)p->next * in_f * out_f;
    p->next = (p->next + 1) % p->copies;
    const double t0 = rb_now_ms();
    k->fc(1, in_f, out_f, 1, x, w, bias, 0, y);
    t[c] = rb_now_ms() - t0;
  }
  rb_sort_doubles(t, CALLS);
  return rb_quantile(t, CALLS, 0.5);
}

int main(void) {
  rb_kernels a = {0}, b = {0};
  rb_eltwise_fill__old(&a);
  rb_eltwise_fill__new(&b);
  // SE-ResNet-50's squeeze and excite FCs (reduction 16) and the classifier.
  const int shapes[][2] = {{256, 16}, {16, 256}, {1024, 64}, {64, 1024}, {2048, 128}, {128, 2048}, {2048, 1000}};
  const size_t pool_bytes = (size_t)96 << 20, max_f = 2048;
  float *w = malloc(pool_bytes), *x = malloc(max_f * 4), *y = malloc(max_f * 4), *bias = malloc(max_f * 4);
  if (!w || !x || !y || !bias) {
    fprintf(stderr, "ab_fc: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < pool_bytes / 4; i++) w[i] = (float)((i * 2654435761u) % 1000) * 0.001f - 0.5f;
  for (size_t i = 0; i < max_f; i++) x[i] = (float)(i % 13) * 0.1f - 0.6f, bias[i] = 0.01f;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const int in_f = shapes[s][0], out_f = shapes[s][1];
    const size_t bytes = (size_t)in_f * out_f * 4;
    weight_pool p = {w, (int)(pool_bytes / bytes), 0};
    double ratio[ROUNDS], t_old = 0, t_new = 0;
    for (int r = 0; r < ROUNDS; r++) {
      const double o = median_ms(&a, in_f, out_f, &p, x, bias, y), n = median_ms(&b, in_f, out_f, &p, x, bias, y);
      ratio[r] = o / n, t_old += o / ROUNDS, t_new += n / ROUNDS;
    }
    rb_sort_doubles(ratio, ROUNDS);
    printf("fc %4d -> %4d (%5.2f MB): old %.4f ms (%4.1f GB/s), new %.4f ms (%4.1f GB/s), new speed-up median %.3f "
           "(%.3f-%.3f)\n",
           in_f, out_f, bytes * 1e-6, t_old, bytes * 1e-6 / t_old, t_new, bytes * 1e-6 / t_new,
           rb_quantile(ratio, ROUNDS, 0.5), ratio[0], ratio[ROUNDS - 1]);
  }
  free(w), free(x), free(y), free(bias);
  return 0;
}
