// Library-internal pieces of the ops (kernels/ops.c) that the forward pass (blocks/) shares: not
// part of the public API (include/resbench/ops.h), whose callers never see partial sums.
#ifndef RESBENCH_KERNELS_OPS_INTERNAL_H
#define RESBENCH_KERNELS_OPS_INTERNAL_H

// The attention ops' fc1 input from per-part channel sums or means (also the forward pass's, from
// convolutions' fused sums): pooled[i][ch] = (sum over t < tensors, r < splits of
// part[t][(i * splits + r) * c + ch]) / div, added in that order in float (the order the forward
// pass always used: its golden outputs stay bit-identical; div 1 is exact). Unchecked: callers
// pass valid arrays.
void rb_sum_parts(int n, int c, int tensors, const float *const *part, int splits, float div, float *pooled);

#endif
