// Result documents of the bench and sweep commands (see record.h).
#include "record.h"

#include <stdio.h>
#include <string.h>
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
  char stamp[48], xml[480], xml_name[80];
  rb_results_timestamp(stamp, sizeof stamp);
  const size_t base = strlen(stamp);
  for (int i = 1;; i++) {  // two runs in one second get -2, -3, ...: never overwrite a result
    snprintf(r->path, sizeof r->path, "%s/%s-%s.json", r->dir, kind, stamp);
    snprintf(xml_name, sizeof xml_name, "topology-%s.xml", stamp);
    snprintf(xml, sizeof xml, "%s/%s", r->dir, xml_name);
    if ((access(r->path, F_OK) != 0 && access(xml, F_OK) != 0) || i == 1000) break;
    snprintf(stamp + base, sizeof stamp - base, "-%d", i + 1);
  }
  if ((s = rb_topology_save_xml(t, xml)) != RB_OK) return s;
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
  r->doc = json_pack("{s:s, s:o, s:s, s:[], s:[]}", "kind", kind, "context", ctx, "topology_xml", xml_name, "peaks",
                     "points");
  return r->doc ? RB_OK : rb_fail(RB_ERR_NOMEM, "out of memory building the result document");
}

rb_status rb_record_open(rb_record *r, const char *path) {
  memset(r, 0, sizeof *r);
  snprintf(r->path, sizeof r->path, "%s", path);
  rb_status s = rb_json_load(path, &r->doc);
  if (s != RB_OK) return s;
  if (!json_is_array(json_object_get(r->doc, "points")) || !json_is_array(json_object_get(r->doc, "peaks"))) {
    json_decref(r->doc);
    r->doc = NULL;
    return rb_fail(RB_ERR_FORMAT, "%s: not a resbench result document (no \"points\" / \"peaks\" list)", path);
  }
  const char *slash = strrchr(path, '/');
  snprintf(r->dir, sizeof r->dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  return RB_OK;
}

void rb_record_add_peak(rb_record *r, const rb_domain *d, const rb_peak *p) {
  json_array_append_new(json_object_get(r->doc, "peaks"), rb_peak_json(d, p));
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
  json_array_append_new(json_object_get(r->doc, "points"), point);
  return rb_record_save(r);
}

rb_status rb_record_save(const rb_record *r) {
  json_t *cond = json_object_get(json_object_get(r->doc, "context"), "conditions");
  if (json_is_object(cond)) json_object_set_new(cond, "end", rb_conditions_now());
  return rb_json_save_atomic(r->doc, r->path);
}

void rb_record_close(rb_record *r) {
  json_decref(r->doc);
  r->doc = NULL;
}
