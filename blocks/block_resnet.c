// ResNet basic and bottleneck blocks (torchvision/timm: stride in the 3x3), ResNeXt (grouped 3x3)
// and SE (after the last BN, before the residual add).
#include <stdio.h>

#include "graph_build.h"

// timm SEModule: rd = make_divisible(C / reduction, 8, round_limit 0); fc1/fc2 with biases.
static int se(gb *b, const rb_model_spec *s, int x, const char *prefix) {
  const int c = gb_channels(b, x);
  char name[RB_KEY_LEN];
  snprintf(name, sizeof name, "%s.se", prefix);
  const int src[2] = {x, -1};
  return gb_attention(b, RB_LAYER_SE, src, c, gb_make_divisible((double)c / s->se_reduction, 8, 8, 0.0), 1, 1, 1,
                      name, "fc1", NULL, "fc2");
}

int gb_block_resnet(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix) {
  char bn[3][RB_KEY_LEN], add[RB_KEY_LEN];
  for (int i = 0; i < 3; i++) snprintf(bn[i], sizeof bn[i], "%s.bn%d", prefix, i + 1);
  snprintf(add, sizeof add, "%s.add", prefix);
  int y, outplanes;
  if (s->block == RB_BLOCK_BASIC) {
    outplanes = planes;
    y = gb_conv(b, x, planes, 3, stride, 1, 1, 1, 1, bn[0], "%s.conv1", prefix);
    y = gb_conv(b, y, planes, 3, 1, 1, 1, 1, 0, bn[1], "%s.conv2", prefix);
  } else {
    const int width = planes * s->base_width / 64 * s->cardinality;  // floor(planes * bw / 64) * card
    outplanes = planes * 4;
    y = gb_conv(b, x, width, 1, 1, 0, 1, 1, 1, bn[0], "%s.conv1", prefix);
    y = gb_conv(b, y, width, 3, stride, 1, 1, s->cardinality, 1, bn[1], "%s.conv2", prefix);
    y = gb_conv(b, y, outplanes, 1, 1, 0, 1, 1, 0, bn[2], "%s.conv3", prefix);
  }
  if (s->family == RB_FAMILY_SE) y = se(b, s, y, prefix);
  const int shortcut = gb_shortcut(b, s, x, outplanes, stride, prefix);
  return gb_add_relu(b, y, shortcut, add);
}
