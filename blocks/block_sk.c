// SKNet blocks (timm SelectiveKernelBasic / SelectiveKernelBottleneck): the 3x3 becomes a
// selective-kernel unit: 3x3 paths with dilation 1, 2, ... (timm keeps 3x3 for kernel 5, 7),
// each conv + BN + ReLU, fused by a softmax over paths.
#include <stdio.h>

#include "graph_build.h"

static int selective_kernel(gb *b, const rb_model_spec *s, int x, int cout, int stride, int groups, int split,
                            const char *prefix) {
  const int cin = gb_channels(b, x), m = s->sk_paths;
  int inputs[8], paths[8];
  for (int i = 0; i < m; i++) {
    inputs[i] = x;
    if (split) {  // path i sees input channels [i * cin/m, (i + 1) * cin/m)
      char name[RB_KEY_LEN];
      snprintf(name, sizeof name, "%s.paths.%d.split", prefix, i);
      inputs[i] = gb_slice(b, x, i * (cin / m), cin / m, name);
    }
  }
  // All slices first, then the path convs: the paths get consecutive tensor ids.
  for (int i = 0; i < m; i++) {
    char bn[RB_KEY_LEN];
    const int in = inputs[i];
    snprintf(bn, sizeof bn, "%s.paths.%d.bn", prefix, i);
    const int dil = i + 1;
    paths[i] = gb_conv(b, in, cout, 3, stride, dil, dil, groups < cout ? groups : cout, 1, bn, "%s.paths.%d.conv",
                       prefix, i);
  }
  // The select layer reads the consecutive tensors paths[0] .. paths[m - 1].
  const int src[2] = {paths[0], paths[m - 1]};
  char name[RB_KEY_LEN];
  snprintf(name, sizeof name, "%s.attn", prefix);
  const int reduced = gb_make_divisible((double)cout / s->sk_reduction, s->sk_divisor, s->sk_divisor, 0.9);
  return gb_attention(b, RB_LAYER_SK_SELECT, src, cout, reduced, 1, m, 0, name, "fc_reduce", "bn", "fc_select");
}

int gb_block_sk(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix) {
  char bn[RB_KEY_LEN], add[RB_KEY_LEN], unit[RB_KEY_LEN];
  snprintf(add, sizeof add, "%s.add", prefix);
  int y, outplanes;
  if (s->block == RB_BLOCK_BASIC) {
    outplanes = planes;
    snprintf(unit, sizeof unit, "%s.conv1", prefix);
    y = selective_kernel(b, s, x, planes, stride, 1, s->sk_split_input, unit);
    snprintf(bn, sizeof bn, "%s.conv2.bn", prefix);
    y = gb_conv(b, y, planes, 3, 1, 1, 1, 1, 0, bn, "%s.conv2.conv", prefix);
  } else {
    const int width = planes * s->base_width / 64 * s->cardinality;
    outplanes = planes * 4;
    snprintf(bn, sizeof bn, "%s.conv1.bn", prefix);
    y = gb_conv(b, x, width, 1, 1, 0, 1, 1, 1, bn, "%s.conv1.conv", prefix);
    snprintf(unit, sizeof unit, "%s.conv2", prefix);
    y = selective_kernel(b, s, y, width, stride, s->cardinality, s->sk_split_input, unit);
    snprintf(bn, sizeof bn, "%s.conv3.bn", prefix);
    y = gb_conv(b, y, outplanes, 1, 1, 0, 1, 1, 0, bn, "%s.conv3.conv", prefix);
  }
  const int shortcut = gb_shortcut(b, s, x, outplanes, stride, prefix);
  return gb_add_relu(b, y, shortcut, add);
}
