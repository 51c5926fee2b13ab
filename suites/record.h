// Result documents of the bench and sweep commands (schema: results/README.md): the context, the
// topology XML saved beside the document, the measured peaks, the points.
#ifndef RESBENCH_RECORD_H
#define RESBENCH_RECORD_H

#include <jansson.h>

#include "peak.h"
#include "peers/peer.h"
#include "resbench/status.h"
#include "topology.h"

typedef struct rb_record {
  json_t *doc;     // {"kind", "context", "topology_xml", "peaks": [], "points": []}
  char path[512];  // <dir>/<kind>-<stamp>.json
  char dir[400];
} rb_record;

// Starts a document of `kind` ("bench-conv", "bench-model", "sweep") under root ("results" when
// NULL): creates results/<host>-<cpu>/, saves the topology XML there, fills the context (with the
// peers' versions). Nothing is written for the document itself until rb_record_save.
rb_status rb_record_begin(rb_record *r, const char *root, const char *kind, int argc, char **argv,
                          const rb_topology *t);
// Re-opens an existing document (sweep --resume): its points are kept.
rb_status rb_record_open(rb_record *r, const char *path);
void rb_record_add_peak(rb_record *r, const rb_domain *d, const rb_peak *p);
// Appends a point (reference stolen) and saves the whole document atomically.
rb_status rb_record_add_point(rb_record *r, json_t *point);
rb_status rb_record_save(const rb_record *r);
void rb_record_close(rb_record *r);

json_t *rb_peak_json(const rb_domain *d, const rb_peak *p);

#endif
