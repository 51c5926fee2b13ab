// Portable Winograd F(m x m, 3x3) (m = 2, 4, 6) transforms: kernels/wino_transforms.h with 4 floats
// a vector (GCC vectors on the baseline ISA): the tail path of NEON's width, tested on any CPU.
#include <stdint.h>

#define WT_VL 4
typedef float WT_VEC __attribute__((vector_size(16)));
typedef int32_t WT_IVEC __attribute__((vector_size(16)));
#define WT_SUFFIX __vec4
#define WT_UNROLL_ALL _Pragma("GCC unroll 8")  // a test vehicle: compile time over speed (wino_transforms.h)
#include "../wino_transforms.h"
