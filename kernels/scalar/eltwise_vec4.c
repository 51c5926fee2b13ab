// Portable element-wise and attention kernels: kernels/eltwise_template.h with 4 floats a vector
// (GCC vectors on the baseline ISA), the tails and lanes of a SIMD width, tested on any CPU.
#include <stdint.h>

#define VM_VL 4
typedef float VM_VEC __attribute__((vector_size(16)));
typedef int32_t VM_IVEC __attribute__((vector_size(16)));
#define EW_SUFFIX __vec4
#include "../eltwise_template.h"
