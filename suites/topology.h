// CPU topology (hwloc) and the measurement domains the suite runs in: one core, one L3 domain,
// one NUMA node, the machine. A domain runs one OpenMP thread per core, each pinned to the
// first PU of its core.
#ifndef RESBENCH_TOPOLOGY_H
#define RESBENCH_TOPOLOGY_H

#include <stddef.h>

#include <jansson.h>

#include "resbench/status.h"

typedef enum rb_domain_kind {
  RB_DOMAIN_CORE = 0,
  RB_DOMAIN_L3,
  RB_DOMAIN_NUMA,
  RB_DOMAIN_MACHINE,
  RB_DOMAIN_COUNT
} rb_domain_kind;

#define RB_MAX_DOMAIN_THREADS 1024

typedef struct rb_domain {
  rb_domain_kind kind;
  const char *name;  // "core", "l3", "numa", "machine"
  int threads;       // cores in the domain: one thread each
  int pus[RB_MAX_DOMAIN_THREADS];  // OS index of the PU thread i is pinned to
} rb_domain;

typedef struct rb_topology_counts {
  int packages, numa_nodes, l3_domains, cores, pus;
  size_t l3_bytes;  // size of one L3 (0 when there is none)
} rb_topology_counts;

typedef struct rb_topology rb_topology;

// Loads the topology of this machine. hwloc's own variables apply (HWLOC_SYNTHETIC,
// HWLOC_XMLFILE), which is how the tests give it made-up machines.
rb_status rb_topology_load(rb_topology **t);
// The same from a synthetic description ("pack:2 numa:2 l3:2 core:4 pu:2"), for tests.
rb_status rb_topology_load_synthetic(const char *desc, rb_topology **t);
// The same from an hwloc XML file (lstopo's, or rb_topology_save_xml's).
rb_status rb_topology_load_xml(const char *path, rb_topology **t);
void rb_topology_destroy(rb_topology *t);
// 1 when the topology was discovered from this machine (binding threads is possible), 0 for a
// synthetic or XML one (hwloc_topology_is_thissystem).
int rb_topology_is_this_system(const rb_topology *t);
// Total memory hwloc reports for the machine (0 when unknown).
size_t rb_topology_memory_bytes(const rb_topology *t);
rb_topology_counts rb_topology_get_counts(const rb_topology *t);
// The CPU model string hwloc reports ("AMD EPYC 9R14 ..."; "" when unknown).
const char *rb_topology_cpu_model(const rb_topology *t);

// "core" | "l3" | "numa" | "machine" <-> kind (RB_ERR_INVALID_ARG naming the bad word).
const char *rb_domain_kind_name(rb_domain_kind k);
rb_status rb_domain_kind_parse(const char *s, rb_domain_kind *k);
// A comma-separated list ("core,machine") into kinds; at most RB_DOMAIN_COUNT, no repeats.
rb_status rb_domain_list_parse(const char *csv, rb_domain_kind *kinds, int *count);

// The first domain of a kind (the one holding PU 0). A machine without L3 or NUMA objects:
// l3 / numa are the machine (hwloc always reports at least one NUMA node).
rb_status rb_topology_domain(const rb_topology *t, rb_domain_kind kind, rb_domain *d);

// Sets the OpenMP thread count to d->threads and pins OpenMP thread i to PU d->pus[i] for the
// parallel regions that follow (libgomp keeps its threads). RB_ERR_* when binding fails;
// RB_ERR_UNSUPPORTED on a topology that is not this machine's (never binds by a made-up map).
rb_status rb_domain_bind(const rb_topology *t, const rb_domain *d);

// The pinned PUs of a domain in thread order: "0-3" or "0,2,4,6" (ranges only where consecutive),
// and as a JSON array of OS indices (new reference).
void rb_domain_pus_text(const rb_domain *d, char *buf, size_t len);
json_t *rb_domain_pus_json(const rb_domain *d);

// Writes the topology as hwloc XML, atomically (temporary file, then rename).
rb_status rb_topology_save_xml(const rb_topology *t, const char *path);

#endif
