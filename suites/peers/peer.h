// Peers: other libraries' convolutions run beside ours on the same shapes and data, in the same
// process and thread count. Each peer takes data in our layout (NHWC activations, PyTorch OIHW
// weights), converts it once at setup, and times only its convolution primitive (as benchdnn does).
#ifndef RESBENCH_PEER_H
#define RESBENCH_PEER_H

#include <stddef.h>

#include "resbench/conv.h"
#include "resbench/status.h"

typedef struct rb_peer_conv rb_peer_conv;

typedef struct rb_peer {
  const char *name;  // "onednn", "libxsmm", "libxsmm_gemm"
  // Library version and build facts, e.g. "oneDNN 2.6.3 (Debian libdnnl2, cpu runtime OMP)".
  const char *(*version)(void);
  // algo: RB_CONV_DIRECT or a Winograd variant (the peer's own Winograd; RB_ERR_UNSUPPORTED when it
  // has none for the shape). weights: OIHW [cout][cin/groups][kh][kw]; bias: cout floats or NULL.
  // src: the NHWC input, copied and converted here. threads: the peer uses exactly this many.
  rb_status (*conv_create)(const rb_conv_desc *d, rb_conv_algo algo, int threads, const float *weights,
                           const float *bias, const float *src, rb_peer_conv **c);
  rb_status (*conv_run)(rb_peer_conv *c);  // the timed call
  // The last run's output in our NHWC layout (for the cross-check against ours).
  rb_status (*conv_output)(rb_peer_conv *c, float *dst);
  const char *(*conv_impl)(const rb_peer_conv *c);  // implementation name, e.g. "brg:avx512_core"
  void (*conv_destroy)(rb_peer_conv *c);
} rb_peer;

// The peers built into this binary (none on aarch64 here).
size_t rb_peer_count(void);
const rb_peer *rb_peer_at(size_t i);
// RB_ERR_NOT_FOUND naming the peer and listing the built ones.
rb_status rb_peer_find(const char *name, const rb_peer **p);

#endif
