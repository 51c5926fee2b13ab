// ResNeSt bottleneck (timm ResNestBottleneck + SplitAttn): the 3x3 is a grouped conv with
// cardinality * radix groups, + BN + ReLU, then split attention over the radix splits.
// avd: in strided blocks an AvgPool2d(3, stride, 1) (count_include_pad) does the downsampling,
// before (avd_first) or after the split-attention conv, which then runs at stride 1.
#include <stdio.h>

#include "graph_build.h"

int gb_block_resnest(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix) {
  char name[RB_KEY_LEN], bn[RB_KEY_LEN];
  const int gw = planes * s->base_width / 64 * s->cardinality, outplanes = planes * 4, r = s->radix;
  const int avd = s->avd && stride > 1;  // timm never passes is_first: only strided blocks
  snprintf(bn, sizeof bn, "%s.bn1", prefix);
  int y = gb_conv(b, x, gw, 1, 1, 0, 1, 1, 1, bn, "%s.conv1", prefix);
  if (avd && s->avd_first) {
    snprintf(name, sizeof name, "%s.avd_first", prefix);
    y = gb_pool(b, RB_LAYER_AVGPOOL, y, 3, stride, 1, 0, 1, name);
  }
  snprintf(bn, sizeof bn, "%s.conv2.bn0", prefix);
  y = gb_conv(b, y, gw * r, 3, avd ? 1 : stride, 1, 1, s->cardinality * r, 1, bn, "%s.conv2.conv", prefix);
  const int src[2] = {y, -1};
  snprintf(name, sizeof name, "%s.conv2", prefix);
  const int attn = gb_make_divisible(gw * r * 0.25, 8, 32, 0.9);
  y = gb_attention(b, RB_LAYER_SPLIT_ATTN, src, gw, attn, s->cardinality, r, 1, name, "fc1", "bn1", "fc2");
  if (avd && !s->avd_first) {
    snprintf(name, sizeof name, "%s.avd_last", prefix);
    y = gb_pool(b, RB_LAYER_AVGPOOL, y, 3, stride, 1, 0, 1, name);
  }
  snprintf(bn, sizeof bn, "%s.bn3", prefix);
  y = gb_conv(b, y, outplanes, 1, 1, 0, 1, 1, 0, bn, "%s.conv3", prefix);
  const int shortcut = gb_shortcut(b, s, x, outplanes, stride, prefix);
  snprintf(name, sizeof name, "%s.add", prefix);
  return gb_add_relu(b, y, shortcut, name);
}
