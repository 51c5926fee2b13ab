// The peer registry of x86-64 builds: oneDNN and libxsmm (DNN convolution and JIT GEMM for 1x1).
#include <stdio.h>
#include <string.h>

#include "peers/peer.h"

extern const rb_peer rb_peer_onednn, rb_peer_libxsmm, rb_peer_libxsmm_gemm;

static const rb_peer *const peers[] = {&rb_peer_onednn, &rb_peer_libxsmm, &rb_peer_libxsmm_gemm};
#define PEER_COUNT (sizeof peers / sizeof peers[0])

size_t rb_peer_count(void) { return PEER_COUNT; }

const rb_peer *rb_peer_at(size_t i) { return i < PEER_COUNT ? peers[i] : NULL; }

rb_status rb_peer_find(const char *name, const rb_peer **p) {
  if (!p) return rb_fail(RB_ERR_NULL, "rb_peer_find: NULL result");
  *p = NULL;
  for (size_t i = 0; name && i < PEER_COUNT; i++)
    if (strcmp(name, peers[i]->name) == 0) {
      *p = peers[i];
      return RB_OK;
    }
  char known[128] = "";
  for (size_t i = 0, o = 0; i < PEER_COUNT && o < sizeof known; i++)
    o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", peers[i]->name);
  return rb_fail(RB_ERR_NOT_FOUND, "unknown peer '%s' (built: %s)", name ? name : "(null)", known);
}
