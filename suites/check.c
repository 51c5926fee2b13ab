#include <stdio.h>
#include <string.h>

#include "check.h"

const char *rb_check_name(const char *name) {
  static char names[64][64];
  int i = 0;
  while (i < 63 && names[i][0] && strcmp(names[i], name)) i++;
  if (!names[i][0]) snprintf(names[i], sizeof names[i], "%s", name);
  return names[i];
}

typedef struct counting_sink {
  const rb_check_sink *inner;
  int failed;
} counting_sink;

static void count_emit(void *ctx, const rb_check_row *row) {
  counting_sink *c = ctx;
  if (!row->pass) c->failed++;
  c->inner->emit(c->inner->ctx, row);
}

int rb_check_all(const rb_kernels *k, const rb_check_sink *s) {
  counting_sink c = {s, 0};
  const rb_check_sink counting = {count_emit, &c};
  rb_check_conv_direct(k, &counting);
  rb_check_winograd(k, &counting);
  rb_check_misc(k, &counting);
  return c.failed;
}
