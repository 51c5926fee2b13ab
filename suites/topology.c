// CPU topology with hwloc and the measurement domains: the core, L3 domain and NUMA node of the
// first PU, and the machine; one OpenMP thread per core, pinned to the core's first PU.
#include <errno.h>
#include <hwloc.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

#include "results.h"

struct rb_topology {
  hwloc_topology_t topo;
  int this_system;  // discovered from this machine (not synthetic, not XML): binding is allowed
  char cpu_model[256];
};

static const char *const domain_names[RB_DOMAIN_COUNT] = {"core", "l3", "numa", "machine"};
#define DOMAIN_CHOICES "use core, l3, numa, machine"

// "CPUModel" from the root or the first package (x86 puts it on packages), spaces collapsed:
// CPUID model strings come padded ("Oxide Virtual Turin-like Processor             ").
static void read_cpu_model(rb_topology *t) {
  const char *m = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->topo), "CPUModel");
  hwloc_obj_t pkg = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, 0);
  if (!m && pkg) m = hwloc_obj_get_info_by_name(pkg, "CPUModel");
  size_t n = 0;
  for (const char *p = m ? m : ""; *p && n + 1 < sizeof t->cpu_model; p++) {
    if (*p == ' ' && (n == 0 || t->cpu_model[n - 1] == ' ')) continue;
    t->cpu_model[n++] = *p;
  }
  while (n > 0 && t->cpu_model[n - 1] == ' ') n--;
  t->cpu_model[n] = 0;
}

typedef enum source { SOURCE_SYSTEM, SOURCE_SYNTHETIC, SOURCE_XML } source;

static rb_status load(source src, const char *arg, rb_topology **out) {
  if (!out) return rb_fail(RB_ERR_NULL, "rb_topology_load: t is NULL");
  *out = NULL;
  if (src != SOURCE_SYSTEM && !arg) return rb_fail(RB_ERR_NULL, "rb_topology_load: description/path is NULL");
  rb_topology *t = calloc(1, sizeof *t);
  if (!t) return rb_fail(RB_ERR_NOMEM, "rb_topology_load: out of memory");
  if (hwloc_topology_init(&t->topo) != 0) {
    free(t);
    return rb_fail(RB_ERR_NOMEM, "hwloc_topology_init failed: %s", strerror(errno));
  }
  rb_status s = RB_OK;
  if (src == SOURCE_SYNTHETIC && hwloc_topology_set_synthetic(t->topo, arg) != 0)
    s = rb_fail(RB_ERR_INVALID_ARG, "invalid synthetic topology '%s' (hwloc syntax, e.g. 'pack:2 l3:2 core:4 pu:2')",
                arg);
  else if (src == SOURCE_XML && hwloc_topology_set_xml(t->topo, arg) != 0)
    s = rb_fail(RB_ERR_IO, "cannot read hwloc XML '%s': %s", arg, strerror(errno));
  else if (hwloc_topology_load(t->topo) != 0) {
    const char *syn = getenv("HWLOC_SYNTHETIC"), *xml = getenv("HWLOC_XMLFILE");
    s = src == SOURCE_XML ? rb_fail(RB_ERR_FORMAT, "cannot load hwloc XML '%s': %s", arg, strerror(errno))
        : src == SOURCE_SYNTHETIC
            ? rb_fail(RB_ERR_INVALID_ARG, "cannot load synthetic topology '%s': %s", arg, strerror(errno))
            : rb_fail(RB_ERR_IO, "hwloc cannot load the topology (HWLOC_SYNTHETIC='%s', HWLOC_XMLFILE='%s'): %s",
                      syn ? syn : "", xml ? xml : "", strerror(errno));
  }
  if (s != RB_OK) {
    hwloc_topology_destroy(t->topo);
    free(t);
    return s;
  }
  // HWLOC_SYNTHETIC / HWLOC_XMLFILE make even a plain load a made-up machine: hwloc knows.
  t->this_system = hwloc_topology_is_thissystem(t->topo);
  read_cpu_model(t);
  *out = t;
  return RB_OK;
}

rb_status rb_topology_load(rb_topology **t) { return load(SOURCE_SYSTEM, NULL, t); }
rb_status rb_topology_load_synthetic(const char *desc, rb_topology **t) { return load(SOURCE_SYNTHETIC, desc, t); }
rb_status rb_topology_load_xml(const char *path, rb_topology **t) { return load(SOURCE_XML, path, t); }

void rb_topology_destroy(rb_topology *t) {
  if (!t) return;
  hwloc_topology_destroy(t->topo);
  free(t);
}

int rb_topology_is_this_system(const rb_topology *t) { return t && t->this_system; }

rb_topology_counts rb_topology_get_counts(const rb_topology *t) {
  rb_topology_counts c = {0};
  if (!t) return c;
  c.packages = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
  c.numa_nodes = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
  c.l3_domains = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_L3CACHE);
  c.pus = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
  c.cores = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
  if (c.cores == 0) c.cores = c.pus;  // no Core level (some synthetic or exotic machines): a PU is a core
  hwloc_obj_t l3 = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_L3CACHE, 0);
  c.l3_bytes = l3 ? (size_t)l3->attr->cache.size : 0;
  return c;
}

size_t rb_topology_memory_bytes(const rb_topology *t) {
  return t ? (size_t)hwloc_get_root_obj(t->topo)->total_memory : 0;
}

const char *rb_topology_cpu_model(const rb_topology *t) { return t ? t->cpu_model : ""; }

const char *rb_domain_kind_name(rb_domain_kind k) {
  return (unsigned)k < RB_DOMAIN_COUNT ? domain_names[k] : "unknown";
}

rb_status rb_domain_kind_parse(const char *s, rb_domain_kind *k) {
  if (!s || !k) return rb_fail(RB_ERR_NULL, "rb_domain_kind_parse: NULL argument");
  for (int i = 0; i < RB_DOMAIN_COUNT; i++)
    if (strcmp(s, domain_names[i]) == 0) {
      *k = (rb_domain_kind)i;
      return RB_OK;
    }
  return rb_fail(RB_ERR_INVALID_ARG, "unknown domain '%s': " DOMAIN_CHOICES, s);
}

rb_status rb_domain_list_parse(const char *csv, rb_domain_kind *kinds, int *count) {
  if (!csv || !kinds || !count) return rb_fail(RB_ERR_NULL, "rb_domain_list_parse: NULL argument");
  *count = 0;
  if (!*csv) return rb_fail(RB_ERR_INVALID_ARG, "empty domain list: " DOMAIN_CHOICES);
  int n = 0;
  for (const char *p = csv;; p++) {
    const char *end = strchr(p, ',');
    const size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0) return rb_fail(RB_ERR_INVALID_ARG, "empty domain name in '%s': " DOMAIN_CHOICES, csv);
    char word[32];
    snprintf(word, sizeof word, "%.*s", (int)len, p);
    rb_domain_kind k;
    // A word longer than any name is unknown: report it whole, not the truncated copy.
    if (len >= sizeof word) return rb_fail(RB_ERR_INVALID_ARG, "unknown domain '%.*s': " DOMAIN_CHOICES, (int)len, p);
    rb_status s = rb_domain_kind_parse(word, &k);
    if (s != RB_OK) return s;
    for (int i = 0; i < n; i++)
      if (kinds[i] == k) return rb_fail(RB_ERR_INVALID_ARG, "domain '%s' listed twice in '%s'", word, csv);
    kinds[n++] = k;  // n < RB_DOMAIN_COUNT here: a fifth word repeats one of the four
    if (!end) break;
    p = end;
  }
  *count = n;
  return RB_OK;
}

// The object holding the domain of PU L#0 (the first PU this process may use).
static hwloc_obj_t domain_object(hwloc_topology_t topo, rb_domain_kind kind) {
  hwloc_obj_t root = hwloc_get_root_obj(topo), pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 0), o = NULL;
  switch (kind) {
    case RB_DOMAIN_CORE:
      o = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
      return o ? o : pu;
    case RB_DOMAIN_L3:
      o = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_L3CACHE, pu);
      return o ? o : root;
    case RB_DOMAIN_NUMA:
      // NUMA nodes hang off the tree as memory children: find the one whose CPUs hold the PU.
      while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, o)))
        if (o->cpuset && hwloc_bitmap_isset(o->cpuset, pu->os_index)) return o;
      return root;
    case RB_DOMAIN_MACHINE:
    case RB_DOMAIN_COUNT: break;
  }
  return root;
}

rb_status rb_topology_domain(const rb_topology *t, rb_domain_kind kind, rb_domain *d) {
  if (!t || !d) return rb_fail(RB_ERR_NULL, "rb_topology_domain: NULL argument");
  if ((unsigned)kind >= RB_DOMAIN_COUNT) return rb_fail(RB_ERR_INVALID_ARG, "domain kind %d out of range", (int)kind);
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->name = domain_names[kind];
  hwloc_topology_t topo = t->topo;
  if (!hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 0)) return rb_fail(RB_ERR_NOT_FOUND, "the topology has no PU");
  hwloc_const_cpuset_t set = domain_object(topo, kind)->cpuset;
  // One thread per core; without Core objects, one per PU.
  const hwloc_obj_type_t unit = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_inside_cpuset_by_type(topo, set, unit, c));) {
    hwloc_obj_t pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, c->cpuset, HWLOC_OBJ_PU, NULL);
    if (!pu) continue;
    if (d->threads == RB_MAX_DOMAIN_THREADS)
      return rb_fail(RB_ERR_UNSUPPORTED, "domain '%s' has more than %d cores", d->name, RB_MAX_DOMAIN_THREADS);
    d->pus[d->threads++] = (int)pu->os_index;
  }
  if (d->threads == 0) return rb_fail(RB_ERR_NOT_FOUND, "domain '%s' has no cores", d->name);
  return RB_OK;
}

rb_status rb_domain_bind(const rb_topology *t, const rb_domain *d) {
  if (!t || !d) return rb_fail(RB_ERR_NULL, "rb_domain_bind: NULL argument");
  const int n = d->threads;
  if (n < 1 || n > RB_MAX_DOMAIN_THREADS)
    return rb_fail(RB_ERR_INVALID_ARG, "domain '%s': %d threads (must be 1..%d)", d->name ? d->name : "?", n,
                   RB_MAX_DOMAIN_THREADS);
  if (!t->this_system)
    return rb_fail(RB_ERR_UNSUPPORTED,
                   "cannot bind threads: the topology is not this machine's (synthetic or XML: is HWLOC_SYNTHETIC or "
                   "HWLOC_XMLFILE set?)");
  for (int i = 0; i < n; i++)
    if (d->pus[i] < 0 || !hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)d->pus[i]))
      return rb_fail(RB_ERR_INVALID_ARG, "domain '%s': thread %d's PU %d is not in this machine's topology",
                     d->name ? d->name : "?", i, d->pus[i]);
  omp_set_dynamic(0);
  omp_set_num_threads(n);
  int team = 0, failed_thread = -1, failed_errno = 0;
#pragma omp parallel num_threads(n)
  {
    const int i = omp_get_thread_num();
#pragma omp single
    team = omp_get_num_threads();
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int rc = set ? hwloc_bitmap_only(set, (unsigned)d->pus[i]) : -1;
    if (rc == 0) rc = hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD);
    const int e = errno;
    hwloc_bitmap_free(set);
    if (rc != 0) {
#pragma omp critical(rb_domain_bind)
      if (failed_thread < 0) failed_thread = i, failed_errno = e;
    }
  }
  if (team != n)
    return rb_fail(RB_ERR_UNSUPPORTED, "domain '%s' needs %d OpenMP threads, the runtime gave %d (OMP_THREAD_LIMIT?)",
                   d->name ? d->name : "?", n, team);
  if (failed_thread >= 0)
    return rb_fail(RB_ERR_UNSUPPORTED, "domain '%s': cannot pin OpenMP thread %d to PU %d: %s", d->name ? d->name : "?",
                   failed_thread, d->pus[failed_thread], strerror(failed_errno));
  return RB_OK;
}

rb_status rb_topology_save_xml(const rb_topology *t, const char *path) {
  if (!t || !path) return rb_fail(RB_ERR_NULL, "rb_topology_save_xml: NULL argument");
  char *xml = NULL;
  int len = 0;
  if (hwloc_topology_export_xmlbuffer(t->topo, &xml, &len, 0) != 0 || len < 1)
    return rb_fail(RB_ERR_IO, "hwloc cannot export the topology as XML: %s", strerror(errno));
  const rb_status s = rb_file_save_atomic(path, xml, (size_t)len - 1);  // len counts the final NUL
  hwloc_free_xmlbuffer(t->topo, xml);
  return s;
}

// "0-3" or "0,2,4,6": the pinned PUs of a domain, in thread order (ranges only where consecutive).
void rb_domain_pus_text(const rb_domain *d, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = 0;
  for (int i = 0; i < d->threads && used < len; i++) {
    int j = i;
    while (j + 1 < d->threads && d->pus[j + 1] == d->pus[j] + 1) j++;
    if (j > i + 1)
      used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", i ? "," : "", d->pus[i], d->pus[j]);
    else
      used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", d->pus[i]), j = i;
    i = j;
  }
}

json_t *rb_domain_pus_json(const rb_domain *d) {
  json_t *a = json_array();
  for (int i = 0; i < d->threads; i++) json_array_append_new(a, json_integer(d->pus[i]));
  return a;
}
