// libFuzzer target: the benchdnn problem parser. A parsed descriptor is valid, and formatting it
// then parsing the name again gives the same descriptor.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resbench/conv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char s[512];
  if (size >= sizeof s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  rb_conv_desc d, e;
  if (rb_conv_desc_parse(s, &d) != RB_OK) return 0;
  if (rb_conv_desc_check(&d) != RB_OK) abort();
  char name[256];
  rb_conv_desc_format(&d, name, sizeof name);
  if (rb_conv_desc_parse(name, &e) != RB_OK || memcmp(&d, &e, sizeof d) != 0) abort();
  (void)rb_conv_macs(&d);
  return 0;
}
