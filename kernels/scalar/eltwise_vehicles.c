// The test vehicles of the element-wise template: ref's table with the family at 4, 8 and 16
// floats a vector on the baseline ISA, so each width's tails and lanes are tested on any CPU
// (qemu included) whatever SIMD the CPU has.
#include <pthread.h>

#include "../table.h"

void rb_eltwise_fill__vec4(rb_kernels *t);
void rb_eltwise_fill__vec8(rb_kernels *t);
void rb_eltwise_fill__vec16(rb_kernels *t);

static rb_kernels vehicles[3];

static void vehicles_init(void) {
  static const char *const names[3] = {"vec4", "vec8", "vec16"};
  void (*const fill[3])(rb_kernels *) = {rb_eltwise_fill__vec4, rb_eltwise_fill__vec8, rb_eltwise_fill__vec16};
  for (int i = 0; i < 3; i++) {
    vehicles[i] = rb_kernels_ref;
    vehicles[i].isa_name = names[i];
    fill[i](&vehicles[i]);
  }
}

int rb_eltwise_vehicles(const rb_kernels **t, int max) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, vehicles_init);
  int n = 0;
  for (; n < 3 && n < max; n++) t[n] = &vehicles[n];
  return n;
}
