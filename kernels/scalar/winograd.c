// Portable scalar Winograd F(m x m, 3x3) (m = 2, 4, 6) transforms: kernels/wino_transforms.h one
// float at a time: the test vehicle of the transforms on any CPU.
#include <stdint.h>

#define WT_VL 1
typedef float WT_VEC __attribute__((vector_size(4)));  // one lane: vec_math.h's helpers take GCC vectors
typedef int32_t WT_IVEC __attribute__((vector_size(4)));
#define WT_SUFFIX __scalar
#include "../wino_transforms.h"
