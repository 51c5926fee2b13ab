// Umbrella header.
#ifndef RESBENCH_RESBENCH_H
#define RESBENCH_RESBENCH_H
#include "resbench/status.h"
#include "resbench/tensor.h"
#include "resbench/conv.h"
#include "resbench/isa.h"
#include "resbench/ops.h"
#include "resbench/safetensors.h"
#include "resbench/model.h"
#include "resbench/forward.h"
#endif
