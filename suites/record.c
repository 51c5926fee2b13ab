// Result documents of the bench and sweep commands (see record.h).
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "conditions.h"
#include "results.h"

json_t *rb_peak_json(const rb_domain *d, const rb_peak *p) {
  json_t *o = json_pack("{s:s, s:i, s:o, s:b}", "domain", d->name, "threads", d->threads, "pus", rb_domain_pus_json(d),
                        "measured", p->measured);
  if (!p->measured) return o;  // --no-peak: no figures, and no zeros that read as figures
  json_t *isa = json_object();
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (p->isa_gflops[i] > 0) json_object_set_new(isa, rb_isa_name((rb_isa)i), json_real(p->isa_gflops[i]));
  json_object_update_new(o, json_pack("{s:f, s:s, s:f, s:f, s:i, s:f, s:o, s:f}", "fma_gflops", p->fma_gflops,
                                      "fma_isa", p->fma_isa ? p->fma_isa : "unknown", "fma_min_gflops",
                                      p->fma_min_gflops, "fma_median_gflops", p->fma_median_gflops, "fma_runs",
                                      p->fma_runs, "warmup_seconds", p->warmup_seconds, "isa_fma_gflops", isa,
                                      "stream_gbs", p->stream_gbs));
  return o;
}

rb_status rb_record_begin(rb_record *r, const char *root, const char *kind, int argc, char **argv,
                          const rb_topology *t) {
  memset(r, 0, sizeof *r);
  rb_status s = rb_results_dir(root, r->dir, sizeof r->dir);
  if (s == RB_OK) s = rb_results_mkdir(r->dir);
  if (s != RB_OK) return s;
  char stamp[48], xml[PATH_MAX], xml_name[80];
  rb_results_timestamp(stamp, sizeof stamp);
  const size_t base = strlen(stamp);
  json_t *ctx = rb_results_context(argc, argv);
  if (!ctx) return rb_fail(RB_ERR_NOMEM, "out of memory building the result context");
  json_t *libs = json_object_get(ctx, "libraries");
  for (size_t i = 0; libs && i < rb_peer_count(); i++)
    json_object_set_new(libs, rb_peer_at(i)->name, json_string(rb_peer_at(i)->version()));
  json_object_set_new(ctx, "cpu_model_hwloc", json_string(rb_topology_cpu_model(t)));
  // The machine's state at the start (and, updated at each save, the end) of the run.
  json_t *start = rb_conditions_now();
  char warn[256];
  const int cpus = (int)json_integer_value(json_object_get(json_object_get(ctx, "cpu"), "logical_cpus"));
  json_t *warnings = json_array();
  if (rb_conditions_busy(start, cpus, warn, sizeof warn)) {
    fprintf(stderr, "resbench: warning: %s\n", warn);
    json_array_append_new(warnings, json_string(warn));
  }
  json_object_set_new(ctx, "conditions", json_pack("{s:o, s:n}", "start", start, "end"));
  json_object_set_new(ctx, "warnings", warnings);
  r->doc = json_pack("{s:s, s:o, s:s, s:[], s:[]}", "kind", kind, "context", ctx, "topology_xml", "", "peaks",
                     "points");
  if (!r->doc) return rb_fail(RB_ERR_NOMEM, "out of memory building the result document");
  // Two runs in one second get -2, -3, ...: the name is claimed by creating the document whole with
  // link(2), which never replaces a file, so two runs started together cannot share a name.
  for (int i = 1;; i++) {
    const int np = snprintf(r->path, sizeof r->path, "%s/%s-%s.json", r->dir, kind, stamp);
    snprintf(xml_name, sizeof xml_name, "topology-%s.xml", stamp);
    const int nx = snprintf(xml, sizeof xml, "%s/%s", r->dir, xml_name);
    if (np < 0 || (size_t)np >= sizeof r->path || nx < 0 || (size_t)nx >= sizeof xml)
      return rb_fail(RB_ERR_INVALID_ARG, "results directory '%s' is too long", r->dir);
    json_object_set_new(r->doc, "topology_xml", json_string(xml_name));
    int taken = access(xml, F_OK) == 0;
    if (!taken) {
      char *text = json_dumps(r->doc, JSON_INDENT(2));
      if (!text) return rb_fail(RB_ERR_NOMEM, "out of memory writing %s", r->path);
      const rb_file_part parts[2] = {{text, strlen(text)}, {"\n", 1}};
      s = rb_file_save_parts(r->path, parts, 2, 1, &taken);
      free(text);
      if (s != RB_OK && !taken) return s;
    }
    if (!taken) break;
    if (i == 1000) return rb_fail(RB_ERR_IO, "%s: 1000 documents with this stamp already exist", r->path);
    snprintf(stamp + base, sizeof stamp - base, "-%d", i + 1);
  }
  return rb_topology_save_xml(t, xml);
}

static rb_status check_doc(const char *path, const json_t *doc) {
  const json_t *points = json_object_get(doc, "points");
  if (!json_is_array(points) || !json_is_array(json_object_get(doc, "peaks")))
    return rb_fail(RB_ERR_FORMAT, "%s: not a resbench result document (no \"points\" / \"peaks\" list)", path);
  size_t i;
  json_t *p;
  json_array_foreach(points, i, p) {
    if (!json_is_object(p)) return rb_fail(RB_ERR_FORMAT, "%s: points[%zu] is not an object", path, i);
  }
  return RB_OK;
}

rb_status rb_record_open(rb_record *r, const char *path) {
  memset(r, 0, sizeof *r);
  if (strlen(path) >= sizeof r->path)  // never truncated: the document would be saved elsewhere
    return rb_fail(RB_ERR_INVALID_ARG, "%.64s...: a path of %zu bytes is longer than %zu", path, strlen(path),
                   sizeof r->path - 1);
  snprintf(r->path, sizeof r->path, "%s", path);
  rb_status s = rb_json_load(path, &r->doc);
  if (s != RB_OK) return s;
  if ((s = check_doc(path, r->doc)) != RB_OK) {
    json_decref(r->doc);
    r->doc = NULL;
    return s;
  }
  const char *slash = strrchr(path, '/');
  snprintf(r->dir, sizeof r->dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  return RB_OK;
}

void rb_record_add_peak(rb_record *r, const rb_domain *d, const rb_peak *p) {
  json_array_append_new(json_object_get(r->doc, "peaks"), rb_peak_json(d, p));
}

static int has_key(const json_t *points, const char *key) {
  size_t i;
  json_t *p;
  json_array_foreach(points, i, p) {
    const char *k = json_string_value(json_object_get(p, "key"));
    if (k && strcmp(k, key) == 0) return 1;
  }
  return 0;
}

// Appends the points of the document on disk whose keys this one lacks.
static rb_status merge_disk(rb_record *r) {
  json_t *disk;
  if (access(r->path, F_OK) != 0) return RB_OK;  // not saved yet
  rb_status s = rb_json_load(r->path, &disk);
  if (s == RB_OK) s = check_doc(r->path, disk);
  if (s == RB_OK) {
    json_t *mine = json_object_get(r->doc, "points"), *p;
    size_t i;
    json_array_foreach(json_object_get(disk, "points"), i, p) {
      const char *k = json_string_value(json_object_get(p, "key"));
      if (k && !has_key(mine, k)) json_array_append(mine, p);
    }
  }
  json_decref(disk);
  return s;
}

// flock on the directory: the document itself is replaced by rename, so it cannot hold a lock.
static int lock_dir(const rb_record *r) {
  const int fd = open(r->dir[0] ? r->dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  return fd;
}

static void unlock_dir(int fd) {
  if (fd >= 0) close(fd);  // closing releases the lock
}

// The end conditions of the run, updated at each save.
static rb_status save_doc(rb_record *r) {
  json_t *cond = json_object_get(json_object_get(r->doc, "context"), "conditions");
  if (json_is_object(cond)) json_object_set_new(cond, "end", rb_conditions_now());
  return rb_json_save_atomic(r->doc, r->path);
}

rb_status rb_record_sync(rb_record *r) {
  const int fd = lock_dir(r);
  const rb_status s = merge_disk(r);
  unlock_dir(fd);
  return s;
}

rb_status rb_record_add_point(rb_record *r, json_t *point) {
  char warn[256];
  if (rb_point_noisy(point, "", warn, sizeof warn)) {  // said, and kept with the point
    const char *key = json_string_value(json_object_get(point, "key"));
    if (!key) key = json_string_value(json_object_get(point, "problem"));
    if (!key) key = json_string_value(json_object_get(point, "model"));
    fprintf(stderr, "resbench: warning: %s: %s\n", key ? key : "point", warn);
    json_object_set_new(point, "warning", json_string(warn));
  }
  const int fd = lock_dir(r);
  rb_status s = merge_disk(r);
  const char *k = json_string_value(json_object_get(point, "key"));
  json_t *points = json_object_get(r->doc, "points");
  if (k && has_key(points, k))
    json_decref(point);  // measured meanwhile by another process: the first one stays
  else
    json_array_append_new(points, point);
  if (s == RB_OK) s = save_doc(r);
  unlock_dir(fd);
  return s;
}

rb_status rb_record_save(rb_record *r) {
  const int fd = lock_dir(r);
  rb_status s = merge_disk(r);
  if (s == RB_OK) s = save_doc(r);
  unlock_dir(fd);
  return s;
}

void rb_record_close(rb_record *r) {
  json_decref(r->doc);
  r->doc = NULL;
}
