// ResNet-family models: one parametric spec (the sweep runner's space), a registry of timm
// names that are points in it, and the layer graph a spec expands to (for counting, weight
// import and the forward pass).
#ifndef RESBENCH_MODEL_H
#define RESBENCH_MODEL_H

#include <stddef.h>
#include "resbench/conv.h"
#include "resbench/ops.h"
#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rb_family {
  RB_FAMILY_RESNET = 0,  // ResNet, and ResNeXt when cardinality > 1
  RB_FAMILY_SE,          // SE-ResNet / SE-ResNeXt: SE after the block's last BN
  RB_FAMILY_SK,          // SKNet: the block's 3x3 becomes a selective-kernel unit
  RB_FAMILY_RESNEST,     // ResNeSt: the 3x3 becomes split attention
  RB_FAMILY_COUNT
} rb_family;

typedef enum rb_block_type { RB_BLOCK_BASIC = 0, RB_BLOCK_BOTTLENECK } rb_block_type;
typedef enum rb_stem_type { RB_STEM_7X7 = 0, RB_STEM_DEEP } rb_stem_type;  // deep: three 3x3 convs

typedef struct rb_model_spec {
  rb_family family;
  rb_block_type block;
  int layers[4];       // blocks per stage
  int cardinality;     // groups of the 3x3 (ResNeXt); 1 for ResNet
  int base_width;      // bottleneck width per group at stage 1 (64 for ResNet, 4 for 32x4d)
  int radix;           // ResNeSt splits per cardinal group (1: sigmoid attention)
  int se_reduction;    // SE: reduced width = make_divisible(C / se_reduction, 8)
  int sk_reduction;    // SK: attention width = make_divisible(C / sk_reduction, sk_divisor)
  int sk_divisor;
  int sk_paths;        // SK: 3x3 paths with dilation 1, 2, ... (timm: kernel sizes 3, 5, ... kept 3x3)
  int sk_split_input;  // SK paths each see 1/sk_paths of the input channels (skresnet18/34)
  rb_stem_type stem;
  int stem_width;      // deep stem: 3x3 convs of stem_width, stem_width, 2*stem_width
  int avd;             // ResNeSt: average-pool downsampling in the 3x3 branch of strided blocks
  int avd_first;       // ... before the split-attention conv (1) or after it (0)
  int avg_down;        // shortcut: AvgPool2d(2, 2, ceil_mode, exclude pad) + 1x1 conv instead of a strided 1x1
  int num_classes;
  int default_res;     // the input resolution the model was defined for (224; 256 for resnest101e)
} rb_model_spec;

const char *rb_family_name(rb_family f);  // "resnet", "se", "sk", "resnest"

// RB_OK or an error naming the bad field (radix 0, width not divisible, unknown family, ...).
rb_status rb_model_spec_check(const rb_model_spec *s);
// Blocks per stage for a depth: 18, 34 (basic); 14, 26, 50, 101, 152, 200 (bottleneck).
rb_status rb_model_layers_for_depth(int depth, rb_block_type *block, int layers[4]);
// depth = 2 + 2 * blocks (basic) or 2 + 3 * blocks (bottleneck), as the names count it.
int rb_model_depth(const rb_model_spec *s);

// The registry: timm model names.
size_t rb_model_registry_count(void);
const char *rb_model_registry_name(size_t i);
// RB_ERR_NOT_FOUND naming the unknown model.
rb_status rb_model_find(const char *name, rb_model_spec *spec);
// One line of parameters, e.g. "resnest depth 50 (3,4,6,3) bottleneck card 1 width 64 radix 2 ...".
void rb_model_spec_format(const rb_model_spec *s, char *buf, size_t len);

// ---- The layer graph -------------------------------------------------------------------------

typedef struct rb_shape {
  int n, h, w, c;  // NHWC
} rb_shape;

typedef enum rb_layer_kind {
  RB_LAYER_CONV = 0,       // conv + BN (folded at plan time) [+ ReLU]
  RB_LAYER_MAXPOOL,
  RB_LAYER_AVGPOOL,
  RB_LAYER_CHANNEL_SLICE,  // channels [offset, offset + c) of src[0] (SK split input)
  RB_LAYER_SE,             // out = in * sigmoid(fc2(relu(fc1(mean(in)))))
  RB_LAYER_SK_SELECT,      // softmax over paths of fc_select(relu(bn(fc_reduce(mean(sum paths))))), weighted sum;
                           // the paths are the consecutive tensors src[0] .. src[1]
  RB_LAYER_SPLIT_ATTN,     // ResNeSt: rSoftMax of fc2(relu(bn1(fc1(mean(sum splits))))), weighted split sum
  RB_LAYER_ADD_RELU,       // out = relu(src[0] + src[1]): the residual join
  RB_LAYER_GLOBAL_POOL,
  RB_LAYER_FC,             // the classifier
} rb_layer_kind;

const char *rb_layer_kind_name(rb_layer_kind k);

#define RB_KEY_LEN 80

typedef struct rb_layer {
  rb_layer_kind kind;
  char name[RB_KEY_LEN];  // the PyTorch module path, e.g. "layer2.0.conv2.paths.1.conv"
  int src[2];             // input tensor ids (-1 when unused)
  int dst;                // output tensor id
  rb_shape out;
  // CONV: weight key "<name>.weight", BN key prefix (bn), no conv bias in these models.
  rb_conv_desc conv;
  char bn[RB_KEY_LEN];
  int relu;
  // MAXPOOL / AVGPOOL
  rb_pool_desc pool;
  // CHANNEL_SLICE
  int slice_offset;
  // SE / SK_SELECT / SPLIT_ATTN: FC keys (attn_bn empty when none), widths and groups.
  char fc1[RB_KEY_LEN], attn_bn[RB_KEY_LEN], fc2[RB_KEY_LEN];
  int channels;     // attended channels (per split / per path)
  int reduced;      // attention width
  int attn_groups;  // grouped FCs (ResNeSt cardinality)
  int radix;        // SPLIT_ATTN splits; SK_SELECT paths
  int fc_bias;      // the FCs have biases (SE, split attention) or not (SK)
  // FC: weight "<name>.weight", bias "<name>.bias"
  int in_features, out_features;
  // Cost, batch included: parameters (every trainable tensor: weights, biases, BN weight and
  // bias); multiply-adds of convolutions and FCs (attention FCs included); BN output elements
  // (counted by some tools, folded away here); other element operations (pooling taps,
  // activations, attention softmax/sigmoid and weighted sums, residual adds).
  double params, macs, bn_elements, elem_ops;
} rb_layer;

typedef struct rb_graph {
  rb_model_spec spec;
  int batch, res_h, res_w;
  rb_layer *layers;
  int count;
  rb_shape *tensors;  // shape of every tensor id; id 0 is the input image (NHWC, 3 channels)
  int tensor_count;
  int output;         // tensor id of the logits [batch, 1, 1, num_classes], or of the block's output
  char block[16];     // "" for the whole network; "layer2.0" for a block graph (rb_graph_build_block)
  double params, macs, bn_elements, elem_ops;
} rb_graph;

// One tensor of the model's PyTorch state_dict (num_batches_tracked left out).
typedef struct rb_param_key {
  char name[RB_KEY_LEN + 16];  // e.g. "layer1.0.conv2.bn0.running_var"
  int rank;
  int shape[4];
  int layer;      // index into rb_graph.layers
  int trainable;  // counted as a parameter (BN running statistics are not)
} rb_param_key;

// The state_dict keys of a graph in PyTorch's order, with shapes. *keys is malloc'ed.
rb_status rb_graph_param_keys(const rb_graph *g, rb_param_key **keys, int *count);

#define RB_MODEL_MIN_RES 32

// Expands a spec for a batch and input size; RB_ERR_SHAPE when the input is smaller than
// RB_MODEL_MIN_RES or too small for a layer (naming it).
rb_status rb_graph_build(const rb_model_spec *spec, int batch, int res_h, int res_w, rb_graph **g);
// One block of the network ("layer2.0": stage 2, block 0) at its real input size for a network
// input of res_h x res_w: tensor 0 is the block's input [batch, h, w, c] (NHWC), the output is the
// block's output; layer names and state_dict keys are the network's ("layer2.0.conv1.weight").
rb_status rb_graph_build_block(const rb_model_spec *spec, const char *block, int batch, int res_h, int res_w,
                               rb_graph **g);
// "layerS.I" -> 0-based stage and index, checked against the spec's stage layout.
rb_status rb_graph_block_parse(const rb_model_spec *spec, const char *block, int *stage, int *index);
void rb_graph_destroy(rb_graph *g);

#ifdef __cplusplus
}
#endif
#endif
