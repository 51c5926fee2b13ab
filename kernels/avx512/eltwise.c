// AVX-512 element-wise and attention kernels: kernels/eltwise_template.h with 16 floats a vector (zmm).
#include <stdint.h>

#define VM_VL 16
typedef float VM_VEC __attribute__((vector_size(64)));
typedef int32_t VM_IVEC __attribute__((vector_size(64)));
#define EW_SUFFIX __avx512
#include "../eltwise_template.h"
