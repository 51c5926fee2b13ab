// libFuzzer target: the result-document reader behind `sweep --resume` (rb_json_load,
// rb_record_open's checks) and the Markdown table rendered from a resumed document.
#include "fuzz_util.h"  // first: it defines _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "record.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *sink;
  if (!sink && !(sink = fopen("/dev/null", "w"))) abort();
  rb_record r;
  if (rb_record_open(&r, fuzz_as_file(data, size)) != RB_OK) return 0;
  rb_sweep_markdown(sink, r.doc, NULL, 0);
  rb_record_close(&r);
  return 0;
}
