// Portable scalar Winograd F(m x m, 3x3) (m = 2, 4, 6) transforms: kernels/wino_transforms.h one
// float at a time: the test vehicle of the transforms on any CPU.
#include <stdint.h>

#define WT_VL 1
typedef float WT_VEC;
typedef int32_t WT_IVEC;
#define WT_SUFFIX __scalar
#include "../wino_transforms.h"
