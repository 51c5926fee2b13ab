#include "ref_kernels.h"

const rb_kernels rb_kernels_ref = {
    .isa = RB_ISA_REF,
    .isa_name = "ref",
    .conv_direct = &rb_conv_direct__ref,
    .conv_winograd = {&rb_conv_winograd_f2__ref, &rb_conv_winograd_f4__ref, &rb_conv_winograd_f6__ref},
    .se = rb_se__ref,
    .global_avgpool = rb_global_avgpool__ref,
    .fc = rb_fc__ref,
    .radix_softmax = rb_radix_softmax__ref,
    .split_sum = rb_split_sum__ref,
    .sk_select = rb_sk_select__ref,
    .maxpool = rb_maxpool__ref,
    .avgpool = rb_avgpool__ref,
    .add = rb_add__ref,
    .scale_add = rb_scale_add__ref,
    .vexp = rb_vexp__ref,
    .sigmoid = rb_sigmoid__ref,
};
