// AVX2 Winograd F(m x m, 3x3) (m = 2, 4, 6) transforms: kernels/wino_transforms.h with 8 floats a
// vector (ymm).
#include <stdint.h>

#define WT_VL 8
typedef float WT_VEC __attribute__((vector_size(32)));
typedef int32_t WT_IVEC __attribute__((vector_size(32)));
#define WT_SUFFIX __avx2
#include "../wino_transforms.h"
