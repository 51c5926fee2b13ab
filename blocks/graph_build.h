// Internal: the graph builder shared by the block files (block_*.c) and graph.c.
#ifndef RESBENCH_GRAPH_BUILD_H
#define RESBENCH_GRAPH_BUILD_H

#include "resbench/model.h"

typedef struct gb {
  rb_graph *g;
  rb_status status;  // first error; later calls do nothing
} gb;

// Each returns the new tensor id (or -1 after an error). Names are printf formats.
int gb_conv(gb *b, int src, int cout, int k, int stride, int pad, int dil, int groups, int relu, const char *bn,
            const char *name_fmt, ...) __attribute__((format(printf, 11, 12)));
int gb_pool(gb *b, rb_layer_kind kind, int src, int k, int stride, int pad, int ceil_mode, int count_include_pad,
            const char *name);
int gb_slice(gb *b, int src, int offset, int c, const char *name);
int gb_attention(gb *b, rb_layer_kind kind, const int src[2], int channels, int reduced, int groups, int radix,
                 int fc_bias, const char *prefix, const char *fc1, const char *bn, const char *fc2);
int gb_add_relu(gb *b, int a, int c, const char *name);

// timm's make_divisible: the nearest multiple of divisor (at least min_value), bumped once more
// if that falls below round_limit * v.
int gb_make_divisible(double v, int divisor, int min_value, double round_limit);

// A whole block: block input x with `inplanes` channels; returns the block output.
int gb_block_resnet(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix);
int gb_block_sk(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix);
int gb_block_resnest(gb *b, const rb_model_spec *s, int x, int planes, int stride, const char *prefix);
// The shortcut of a block whose output has `outplanes` channels (x itself when it fits).
int gb_shortcut(gb *b, const rb_model_spec *s, int x, int outplanes, int stride, const char *prefix);

static inline int gb_channels(const gb *b, int t) { return t >= 0 ? b->g->tensors[t].c : 0; }

#endif
