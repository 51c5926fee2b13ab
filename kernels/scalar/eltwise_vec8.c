// Portable element-wise and attention kernels: kernels/eltwise_template.h with 8 floats a vector
// (GCC vectors on the baseline ISA), the tails and lanes of a SIMD width, tested on any CPU.
#include <stdint.h>

#define VM_VL 8
typedef float VM_VEC __attribute__((vector_size(32)));
typedef int32_t VM_IVEC __attribute__((vector_size(32)));
#define EW_SUFFIX __vec8
#include "../eltwise_template.h"
