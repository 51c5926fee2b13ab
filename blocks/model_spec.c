// Model specs: validation, depth tables and the registry of timm model names.
#include <stdio.h>
#include <string.h>

#include "resbench/model.h"

static const char *const family_names[RB_FAMILY_COUNT] = {"resnet", "se", "sk", "resnest"};

const char *rb_family_name(rb_family f) {
  return (unsigned)f < RB_FAMILY_COUNT ? family_names[f] : "unknown";
}

rb_status rb_model_layers_for_depth(int depth, rb_block_type *block, int layers[4]) {
  static const struct {
    int depth;
    rb_block_type block;
    int layers[4];
  } table[] = {
      {14, RB_BLOCK_BOTTLENECK, {1, 1, 1, 1}}, {18, RB_BLOCK_BASIC, {2, 2, 2, 2}},
      {26, RB_BLOCK_BOTTLENECK, {2, 2, 2, 2}}, {34, RB_BLOCK_BASIC, {3, 4, 6, 3}},
      {50, RB_BLOCK_BOTTLENECK, {3, 4, 6, 3}}, {101, RB_BLOCK_BOTTLENECK, {3, 4, 23, 3}},
      {152, RB_BLOCK_BOTTLENECK, {3, 8, 36, 3}}, {200, RB_BLOCK_BOTTLENECK, {3, 24, 36, 3}},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].depth == depth) {
      if (block) *block = table[i].block;
      if (layers) memcpy(layers, table[i].layers, sizeof table[i].layers);
      return RB_OK;
    }
  return rb_fail(RB_ERR_INVALID_ARG, "no ResNet layout for depth %d (known: 14, 18, 26, 34, 50, 101, 152, 200)",
                 depth);
}

int rb_model_depth(const rb_model_spec *s) {
  const int blocks = s->layers[0] + s->layers[1] + s->layers[2] + s->layers[3];
  return 2 + (s->block == RB_BLOCK_BASIC ? 2 : 3) * blocks;
}

rb_status rb_model_spec_check(const rb_model_spec *s) {
  if (!s) return rb_fail(RB_ERR_NULL, "model spec is NULL");
  if ((unsigned)s->family >= RB_FAMILY_COUNT)
    return rb_fail(RB_ERR_INVALID_ARG, "model: unknown family %d", (int)s->family);
  if (s->block != RB_BLOCK_BASIC && s->block != RB_BLOCK_BOTTLENECK)
    return rb_fail(RB_ERR_INVALID_ARG, "model: unknown block type %d", (int)s->block);
  for (int i = 0; i < 4; i++)
    if (s->layers[i] < 1 || s->layers[i] > 64)
      return rb_fail(RB_ERR_INVALID_ARG, "model: stage %d must have 1..64 blocks, got %d", i + 1, s->layers[i]);
  const struct {
    const char *name;
    int value, min, max;
  } fields[] = {
      {"cardinality", s->cardinality, 1, 1024}, {"base_width", s->base_width, 1, 4096},
      {"radix", s->radix, 1, 64},               {"se_reduction", s->se_reduction, 1, 4096},
      {"sk_reduction", s->sk_reduction, 1, 4096}, {"sk_divisor", s->sk_divisor, 1, 4096},
      {"sk_paths", s->sk_paths, 2, 8},          {"stem_width", s->stem_width, 1, 4096},
      {"num_classes", s->num_classes, 1, 1 << 20}, {"default_res", s->default_res, 32, 4096},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (fields[i].value < fields[i].min || fields[i].value > fields[i].max)
      return rb_fail(RB_ERR_INVALID_ARG, "model: %s must be in %d..%d, got %d", fields[i].name, fields[i].min,
                     fields[i].max, fields[i].value);
  if (s->block == RB_BLOCK_BASIC && (s->cardinality != 1 || s->base_width != 64))
    return rb_fail(RB_ERR_INVALID_ARG,
                   "model: basic blocks take cardinality 1 and base_width 64, got cardinality %d base_width %d",
                   s->cardinality, s->base_width);
  if (s->family == RB_FAMILY_RESNEST && s->block != RB_BLOCK_BOTTLENECK)
    return rb_fail(RB_ERR_INVALID_ARG, "model: ResNeSt needs bottleneck blocks");
  if (s->family != RB_FAMILY_RESNEST && (s->radix != 1 || s->avd))
    return rb_fail(RB_ERR_INVALID_ARG, "model: radix %d / avd %d are ResNeSt options, family is %s", s->radix,
                   s->avd, rb_family_name(s->family));
  // The stage-1 bottleneck width floor(64 * base_width / 64) * cardinality must split evenly
  // into cardinality groups, and the SK split into paths.
  if (s->family == RB_FAMILY_SK && s->sk_split_input && s->block == RB_BLOCK_BASIC && 64 % s->sk_paths)
    return rb_fail(RB_ERR_SHAPE, "model: SK split input: 64 channels do not split into %d paths", s->sk_paths);
  return RB_OK;
}

typedef struct registry_entry {
  const char *name;
  rb_model_spec spec;
} registry_entry;

#define RESNET(fam, blk, l0, l1, l2, l3, card, bw)                                                     \
  {.family = fam, .block = blk, .layers = {l0, l1, l2, l3}, .cardinality = card, .base_width = bw,      \
   .radix = 1, .se_reduction = 16, .sk_reduction = 16, .sk_divisor = 8, .sk_paths = 2, .stem = RB_STEM_7X7, \
   .stem_width = 64, .num_classes = 1000, .default_res = 224}
#define SK(blk, l0, l1, l2, l3, card, bw, red, div, split)                                                  \
  {.family = RB_FAMILY_SK, .block = blk, .layers = {l0, l1, l2, l3}, .cardinality = card, .base_width = bw, \
   .radix = 1, .se_reduction = 16, .sk_reduction = red, .sk_divisor = div, .sk_paths = 2,                   \
   .sk_split_input = split, .stem = RB_STEM_7X7, .stem_width = 64, .num_classes = 1000, .default_res = 224}
#define RESNEST(l0, l1, l2, l3, card, bw, rdx, first, sw, res)                                                 \
  {.family = RB_FAMILY_RESNEST, .block = RB_BLOCK_BOTTLENECK, .layers = {l0, l1, l2, l3}, .cardinality = card, \
   .base_width = bw, .radix = rdx, .se_reduction = 16, .sk_reduction = 16, .sk_divisor = 8, .sk_paths = 2,     \
   .stem = RB_STEM_DEEP, .stem_width = sw, .avd = 1, .avd_first = first, .avg_down = 1, .num_classes = 1000,   \
   .default_res = res}

// timm's definitions (timm/models/resnet.py, sknet.py, resnest.py).
static const registry_entry registry[] = {
    {"resnet18", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BASIC, 2, 2, 2, 2, 1, 64)},
    {"resnet34", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BASIC, 3, 4, 6, 3, 1, 64)},
    {"resnet50", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BOTTLENECK, 3, 4, 6, 3, 1, 64)},
    {"resnet101", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BOTTLENECK, 3, 4, 23, 3, 1, 64)},
    {"resnet152", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BOTTLENECK, 3, 8, 36, 3, 1, 64)},
    {"resnext50_32x4d", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BOTTLENECK, 3, 4, 6, 3, 32, 4)},
    {"resnext101_32x4d", RESNET(RB_FAMILY_RESNET, RB_BLOCK_BOTTLENECK, 3, 4, 23, 3, 32, 4)},
    {"seresnet50", RESNET(RB_FAMILY_SE, RB_BLOCK_BOTTLENECK, 3, 4, 6, 3, 1, 64)},
    {"seresnext50_32x4d", RESNET(RB_FAMILY_SE, RB_BLOCK_BOTTLENECK, 3, 4, 6, 3, 32, 4)},
    {"skresnet18", SK(RB_BLOCK_BASIC, 2, 2, 2, 2, 1, 64, 8, 16, 1)},
    {"skresnet34", SK(RB_BLOCK_BASIC, 3, 4, 6, 3, 1, 64, 8, 16, 1)},
    {"skresnext50_32x4d", SK(RB_BLOCK_BOTTLENECK, 3, 4, 6, 3, 32, 4, 16, 32, 0)},
    {"resnest14d", RESNEST(1, 1, 1, 1, 1, 64, 2, 0, 32, 224)},
    {"resnest26d", RESNEST(2, 2, 2, 2, 1, 64, 2, 0, 32, 224)},
    {"resnest50d", RESNEST(3, 4, 6, 3, 1, 64, 2, 0, 32, 224)},
    {"resnest50d_1s4x24d", RESNEST(3, 4, 6, 3, 4, 24, 1, 1, 32, 224)},
    {"resnest50d_4s2x40d", RESNEST(3, 4, 6, 3, 2, 40, 4, 1, 32, 224)},
    {"resnest101e", RESNEST(3, 4, 23, 3, 1, 64, 2, 0, 64, 256)},
};

size_t rb_model_registry_count(void) { return sizeof registry / sizeof registry[0]; }

const char *rb_model_registry_name(size_t i) {
  return i < rb_model_registry_count() ? registry[i].name : NULL;
}

rb_status rb_model_find(const char *name, rb_model_spec *spec) {
  if (!name || !spec) return rb_fail(RB_ERR_NULL, "rb_model_find: NULL argument");
  for (size_t i = 0; i < rb_model_registry_count(); i++)
    if (strcmp(registry[i].name, name) == 0) {
      *spec = registry[i].spec;
      return RB_OK;
    }
  return rb_fail(RB_ERR_NOT_FOUND, "unknown model '%s' (see 'resbench models')", name);
}

void rb_model_spec_format(const rb_model_spec *s, char *buf, size_t len) {
  int o = snprintf(buf, len, "%s depth %d (%d,%d,%d,%d) %s, cardinality %d, base width %d", rb_family_name(s->family),
                   rb_model_depth(s), s->layers[0], s->layers[1], s->layers[2], s->layers[3],
                   s->block == RB_BLOCK_BASIC ? "basic" : "bottleneck", s->cardinality, s->base_width);
#define MORE(...) \
  if (o >= 0 && (size_t)o < len) o += snprintf(buf + o, len - (size_t)o, __VA_ARGS__)
  if (s->family == RB_FAMILY_RESNEST) MORE(", radix %d", s->radix);
  if (s->family == RB_FAMILY_SE) MORE(", SE reduction %d", s->se_reduction);
  if (s->family == RB_FAMILY_SK)
    MORE(", SK %d paths, reduction %d, divisor %d%s", s->sk_paths, s->sk_reduction, s->sk_divisor,
         s->sk_split_input ? ", split input" : "");
  MORE(", stem %s %d", s->stem == RB_STEM_DEEP ? "deep" : "7x7", s->stem_width);
  if (s->avd) MORE(", avd %s", s->avd_first ? "first" : "last");
  if (s->avg_down) MORE(", avg_down");
  MORE(", %d classes, %dpx", s->num_classes, s->default_res);
#undef MORE
}
