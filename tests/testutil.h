// Helpers shared by the Check tests.
#ifndef RESBENCH_TESTUTIL_H
#define RESBENCH_TESTUTIL_H

#include <stdio.h>

#include "resbench/kernels.h"

// Every kernel table this build and CPU can run (ref first); an ISA that is missing is
// reported once on stderr (a skip with a message, never a silent pass).
static inline int tu_available_tables(const rb_kernels *tables[RB_ISA_COUNT]) {
  static int reported;
  int count = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_kernels *k;
    if (rb_kernels_get((rb_isa)i, &k) == RB_OK)
      tables[count++] = k;
    else if (!reported)
      fprintf(stderr, "note: skipping ISA %s: %s\n", rb_isa_name((rb_isa)i), rb_last_error());
  }
  reported = 1;
  return count;
}

#endif
