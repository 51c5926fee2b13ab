// The sweep grid: the options of `resbench sweep` parsed, validated and expanded into points
// (model spec x level x ISA x domain), each with a stable key for --resume.
//
// Options (rb_sweep_grid_set takes the option name with or without "--" and the argv string):
//   family        resnet,se,sk,resnest
//   depth         18,34 (basic blocks); 14,26,50,101,152,200 (bottleneck)   rb_model_layers_for_depth
//   cardinality   groups of the 3x3 (ResNeXt)
//   cxw           cardinality x width pairs, as the ResNeXt/ResNeSt names write them: 1x64d,2x40d,4x24d
//                 (the "d" is optional); in place of --cardinality and --width, which cross every
//                 cardinality with every width
//   width         timm's base_width: the bottleneck width per cardinal group at stage 1 (64 for
//                 ResNet, 4 in resnext50_32x4d, 40 in resnest50d_4s2x40d, 24 in resnest50d_1s4x24d)
//   radix         ResNeSt splits per cardinal group (resnest only)
//   se-reduction  SE reduction (se only)
//   sk-paths      SK paths (sk only)
//   level         block,network
//   isa           ref,avx512,neon (availability is the runner's business)
//   domains       core,l3,numa,machine
//   batch N       1..4096 (default 1)
//   res R         RB_MODEL_MIN_RES..4096 (default 224)
// Lists are comma-separated, non-empty, without empty items, signs or ranges; integers are
// 1..1048576. A value given twice in one list is an error (not deduplicated: it is most likely a
// typo). Setting an option again replaces its list.
//
// Defaults: family resnet, depth 50, level network, isa ref, domains core, batch 1, res 224.
// An integer axis not given takes the family's base value (below), so a point at default values
// is the base registry model itself.
//
// Base specs (from the registry; layers and block type then follow the depth):
//   resnet   resnet18 (basic depths) / resnet50 (bottleneck): 7x7 stem, card 1, width 64
//   se       seresnet50: se_reduction 16, card 1, width 64
//   sk       skresnet18 (basic: split input, reduction 8, divisor 16) /
//            skresnext50_32x4d (bottleneck: card 32, width 4, reduction 16, divisor 32); 2 paths
//   resnest  resnest50d: deep stem 32, avd (last), avg_down, radix 2, card 1, width 64
// Given cardinality/width/radix/se-reduction/sk-paths replace the base values. ResNeSt's avd
// position follows timm's trained models: avd_first = 1 when cardinality > 1 or radix != 2
// (resnest50d_4s2x40d, resnest50d_1s4x24d), else 0 (resnest14d/26d/50d/101e).
// `model` names the registry entry whose spec equals the point's exactly, else NULL.
//
// Axes per family: radix only resnest, se-reduction only se, sk-paths only sk; cardinality and
// width every family with bottleneck blocks. Errors (RB_ERR_INVALID_ARG, before anything runs):
// an axis given when no requested family uses it ("--radix applies to resnest only"); malformed
// lists; unknown names (the message lists the valid ones); a depth without a layout; a spec that
// fails rb_model_spec_check (prefixed with the point); ResNeSt widths whose split-attention conv
// (cardinality * radix groups over floor(planes * width / 64) * cardinality channels) or grouped
// attention FCs (cardinality groups) do not divide; batch or res out of range.
// Skipped with a note (error only if no point at all remains): basic-block depths (18, 34)
// with cardinality != 1 or width != 64, and resnest at basic-block depths (ResNeSt has no basic block).
// For resnet, se and sk bottlenecks every width and cardinality is valid: the grouped 3x3 has
// floor(planes * width / 64) * cardinality = (width << stage) * cardinality channels, always a
// multiple of the cardinality, and their attention FCs are not grouped.
//
// Points, in this order: per family, depth, cardinality, width, radix, se-reduction, sk-paths
// (the spec), then level (as listed), then block (block level: layer1.0 .. layer4.0, the first,
// strided/downsampling block of each stage; network: the whole model), then ISA, then domain.
//
// Key (stable across runs, unique in a grid; what --resume matches):
//   <spec>/<level>[/<block>]/<isa>/<domain>/b<batch>-r<res>
//   <spec> = <family>-d<depth>-c<cardinality>[-r<radix>]-w<width>[-s<se_reduction>][-p<sk_paths>]
//   (-r for resnest, -s for se, -p for sk), e.g. "resnest-d50-c2-r4-w40/block/layer2.0/ref/core/b1-r224",
//   "resnet-d50-c1-w64/network/avx512/machine/b1-r224".
#ifndef RESBENCH_SWEEP_H
#define RESBENCH_SWEEP_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "../kernels/table.h"
#include "resbench/model.h"
#include "resbench/status.h"
#include "topology.h"

#define RB_SWEEP_MAX_VALUES 16
#define RB_SWEEP_KEY_LEN 128

typedef enum rb_sweep_level { RB_SWEEP_BLOCK = 0, RB_SWEEP_NETWORK, RB_SWEEP_LEVEL_COUNT } rb_sweep_level;

const char *rb_sweep_level_name(rb_sweep_level l);  // "block", "network"

typedef struct rb_sweep_list {
  int v[RB_SWEEP_MAX_VALUES];
  int n;  // 0: not given (family base value)
} rb_sweep_list;

typedef struct rb_sweep_grid {
  rb_family families[RB_FAMILY_COUNT];
  int n_families;
  rb_sweep_list depth, cardinality, width, radix, se_reduction, sk_paths;
  rb_sweep_list cxw_card, cxw_width;  // --cxw pairs in place of the cardinality x width cross product
  rb_sweep_level levels[RB_SWEEP_LEVEL_COUNT];
  int n_levels;
  rb_isa isas[RB_ISA_COUNT];
  int n_isas;
  rb_domain_kind domains[RB_DOMAIN_COUNT];
  int n_domains;
  int batch, res;
} rb_sweep_grid;

typedef struct rb_sweep_point {
  rb_model_spec spec;
  const char *model;  // registry name whose spec equals `spec`, or NULL
  rb_family family;
  int depth, cardinality, width, radix, se_reduction, sk_paths;  // the axis values (base values where not given)
  rb_sweep_level level;
  char block[24];  // "layer1.0" .. "layer4.0"; "" for network points
  int stage;       // 1..4 for block points, 0 for network points
  rb_shape block_in;  // the block's input (NHWC, batch included); zero for network points
  rb_isa isa;
  rb_domain_kind domain;
  int batch, res;
  char key[RB_SWEEP_KEY_LEN];
  // Network points: rb_graph_build(spec, batch, res, res) totals. Block points: -1 (not yet
  // computed; the block graph builder fills them).
  double params, macs;
} rb_sweep_point;

void rb_sweep_grid_defaults(rb_sweep_grid *g);
// option: "family", "depth", ... ("--family" too); value: the argv string. RB_ERR_INVALID_ARG
// naming the option and bad value; the grid is unchanged on failure.
rb_status rb_sweep_grid_set(rb_sweep_grid *g, const char *option, const char *value);
// Expands into *points (malloc'ed, free with free()); notes (may be NULL) gets one line per
// skipped combination, truncated to len.
rb_status rb_sweep_expand(const rb_sweep_grid *g, rb_sweep_point **points, int *count, char *notes, size_t len);
// The network's parameters and multiply-adds (batch included) for the point's spec, batch, res.
rb_status rb_sweep_point_network_cost(const rb_sweep_point *p, double *params, double *macs);
// A sweep document's points as a Markdown table (to f), with a speed-up column per peer. Any
// document rb_record_open accepts renders (values of the wrong type show as empty or 0).
struct rb_peer;
void rb_sweep_markdown(FILE *f, const json_t *doc, const struct rb_peer *const *peers, int npeers);
// The grid as JSON for result files: {"family": [...], "depth": [...] or null (base), ..., "batch", "res"}.
json_t *rb_sweep_grid_json(const rb_sweep_grid *g);

#endif
