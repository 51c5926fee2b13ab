// The peer registry of builds without peers (aarch64 here: oneDNN and libxsmm are x86-64 packages).
#include "peers/peer.h"

size_t rb_peer_count(void) { return 0; }
const rb_peer *rb_peer_at(size_t i) { (void)i; return NULL; }
rb_status rb_peer_find(const char *name, const rb_peer **p) {
  if (p) *p = NULL;
  return rb_fail(RB_ERR_NOT_FOUND, "peer '%s' is not built into this binary: this build has no peers",
                 name ? name : "(null)");
}
