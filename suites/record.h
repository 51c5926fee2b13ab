// Result documents of the bench and sweep commands (schema: results/README.md): the context, the
// topology XML saved beside the document, the measured peaks, the points.
#ifndef RESBENCH_RECORD_H
#define RESBENCH_RECORD_H

#include <jansson.h>
#include <limits.h>

#include "peak.h"
#include "peers/peer.h"
#include "resbench/status.h"
#include "topology.h"

typedef struct rb_record {
  json_t *doc;          // {"kind", "context", "topology_xml", "peaks": [], "points": []}
  char path[PATH_MAX];  // <dir>/<kind>-<stamp>.json
  char dir[PATH_MAX];
} rb_record;

// Starts a document of `kind` ("bench-conv", "bench-model", "sweep") under root ("results" when
// NULL): creates results/<host>-<cpu>/, saves the topology XML there, fills the context (with the
// peers' versions). The document's name is claimed at once (created whole, never replacing another:
// two runs started together get two names).
rb_status rb_record_begin(rb_record *r, const char *root, const char *kind, int argc, char **argv,
                          const rb_topology *t);
// Re-opens an existing document (sweep --resume): its points are kept. Points must be objects.
rb_status rb_record_open(rb_record *r, const char *path);
void rb_record_add_peak(rb_record *r, const rb_domain *d, const rb_peak *p);
// Appends a point (reference stolen) and saves the whole document atomically. A point whose "key"
// the document already has (another process measured it meanwhile) is dropped.
rb_status rb_record_add_point(rb_record *r, json_t *point);
// Saves atomically. Saves take a lock on the directory and first merge in the points (by "key") that
// other processes saved to the same document, so concurrent sweeps and resumes lose nothing.
rb_status rb_record_save(rb_record *r);
// Merges in the points others saved (as rb_record_save does, without writing).
rb_status rb_record_sync(rb_record *r);
void rb_record_close(rb_record *r);

json_t *rb_peak_json(const rb_domain *d, const rb_peak *p);

#endif
