// Sharded sweeps and their merge (see shard.h).
#include "shard.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rb_status rb_shard_parse(const char *s, int *k, int *n) {
  int kk, nn, used = 0;
  if (!s || sscanf(s, "%d/%d%n", &kk, &nn, &used) != 2 || s[used] || kk < 1 || nn < 1 || kk > nn || nn > 4096 ||
      s[0] < '0' || s[0] > '9')
    return rb_fail(RB_ERR_INVALID_ARG, "--shard: '%s' is not K/N with 1 <= K <= N <= 4096 (e.g. 2/4)", s ? s : "");
  *k = kk, *n = nn;
  return RB_OK;
}

void rb_shard_filter(rb_sweep_point *points, int *count, int k, int n) {
  int out = 0;
  for (int i = 0; i < *count; i++)
    if (i % n == k - 1) points[out++] = points[i];
  *count = out;
}

rb_status rb_sweep_grid_from_json(const json_t *grid, rb_sweep_grid *g) {
  rb_sweep_grid_defaults(g);
  if (!json_is_object(grid)) return rb_fail(RB_ERR_FORMAT, "the sweep grid is not an object");
  static const char *const keys[][2] = {{"family", "family"},    {"depth", "depth"},
                                        {"cardinality", "cardinality"}, {"width", "width"},
                                        {"cxw", "cxw"},          {"radix", "radix"},
                                        {"se_reduction", "se-reduction"}, {"sk_paths", "sk-paths"},
                                        {"level", "level"},      {"isa", "isa"},
                                        {"domains", "domains"},  {"batch", "batch"},
                                        {"res", "res"}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const json_t *v = json_object_get(grid, keys[i][0]);
    if (!v || json_is_null(v)) continue;
    char list[512] = "";
    if (json_is_integer(v)) {
      snprintf(list, sizeof list, "%lld", (long long)json_integer_value(v));
    } else if (json_is_array(v)) {
      size_t j;
      const json_t *e;
      json_array_foreach(v, j, e) {
        const size_t l = strlen(list);
        if (json_is_string(e))
          snprintf(list + l, sizeof list - l, "%s%s", j ? "," : "", json_string_value(e));
        else if (json_is_integer(e))
          snprintf(list + l, sizeof list - l, "%s%lld", j ? "," : "", (long long)json_integer_value(e));
        else
          return rb_fail(RB_ERR_FORMAT, "grid \"%s\": item %zu is neither a string nor an integer", keys[i][0], j);
      }
    } else {
      return rb_fail(RB_ERR_FORMAT, "grid \"%s\" is neither a list nor an integer", keys[i][0]);
    }
    const rb_status s = rb_sweep_grid_set(g, keys[i][1], list);
    if (s != RB_OK) return s;
  }
  return RB_OK;
}

// The grid without its shard, for comparing shards.
static json_t *grid_unsharded(const json_t *doc) {
  json_t *g = json_deep_copy(json_object_get(doc, "grid"));
  if (g) json_object_del(g, "shard");
  return g;
}

rb_status rb_sweep_merge(const json_t *const *docs, const char *const *paths, int n, json_t **merged) {
  *merged = NULL;
  if (n < 1) return rb_fail(RB_ERR_INVALID_ARG, "merge: no shard documents");
  json_t *grid0 = NULL, *shards = json_array(), *out = NULL;
  int *seen = NULL, nshards = 0, npts = 0, total = 0;
  rb_sweep_point *pts = NULL;
  const json_t **found = NULL;
  rb_status s = RB_OK;
  for (int i = 0; i < n && s == RB_OK; i++) {
    const char *kind = json_string_value(json_object_get(docs[i], "kind"));
    const char *sh = json_string_value(json_object_get(json_object_get(docs[i], "grid"), "shard"));
    int k, nn;
    if (!kind || strcmp(kind, "sweep") || json_object_get(docs[i], "shards")) {
      s = rb_fail(RB_ERR_FORMAT, "%s: not a sweep shard document (kind %s%s)", paths[i], kind ? kind : "missing",
                  json_object_get(docs[i], "shards") ? ", already merged" : "");
      break;
    }
    if (!sh) {
      s = rb_fail(RB_ERR_FORMAT, "%s: not a shard (its grid has no \"shard\": run sweep --shard K/N)", paths[i]);
      break;
    }
    if ((s = rb_shard_parse(sh, &k, &nn)) != RB_OK) {
      s = rb_fail(RB_ERR_FORMAT, "%s: grid shard '%s' is not K/N", paths[i], sh);
      break;
    }
    json_t *g = grid_unsharded(docs[i]);
    if (i == 0) {
      grid0 = g;
      nshards = nn;
      seen = calloc((size_t)nn + 1, sizeof *seen);
    } else {
      const int same = json_equal(g, grid0);
      json_decref(g);
      if (!same) {
        s = rb_fail(RB_ERR_INVALID_ARG, "%s: another grid than %s's (mismatched shards are not merged)", paths[i],
                    paths[0]);
        break;
      }
      if (nn != nshards) {
        s = rb_fail(RB_ERR_INVALID_ARG, "%s: shard %s of %d, but %s is of %d shards", paths[i], sh, nn, paths[0],
                    nshards);
        break;
      }
    }
    if (!seen) {
      s = rb_fail(RB_ERR_NOMEM, "merge: out of memory");
      break;
    }
    if (seen[k]) {
      s = rb_fail(RB_ERR_INVALID_ARG, "%s: shard %s given twice (also %s)", paths[i], sh, paths[seen[k] - 1]);
      break;
    }
    seen[k] = i + 1;
  }
  for (int k = 1; s == RB_OK && k <= nshards; k++)
    if (!seen[k]) s = rb_fail(RB_ERR_INVALID_ARG, "merge: shard %d/%d is missing: give all %d shards", k, nshards, nshards);
  rb_sweep_grid g;
  if (s == RB_OK) s = rb_sweep_grid_from_json(grid0, &g);
  if (s == RB_OK) s = rb_sweep_expand(&g, &pts, &total, NULL, 0);
  if (s == RB_OK && !(found = calloc((size_t)total + 1, sizeof *found))) s = rb_fail(RB_ERR_NOMEM, "merge: out of memory");
  // Each shard's points: of the grid, of that shard, once.
  for (int k = 1; s == RB_OK && k <= nshards; k++) {
    const int i = seen[k] - 1;
    const json_t *d = docs[i];
    char base[512];
    snprintf(base, sizeof base, "%s", paths[i]);
    json_array_append_new(shards, json_pack("{s:s, s:s, s:O, s:O?, s:O, s:O?}", "file", basename(base), "shard",
                                            json_string_value(json_object_get(json_object_get(d, "grid"), "shard")),
                                            "context", json_object_get(d, "context"), "topology_xml",
                                            json_object_get(d, "topology_xml"), "peaks", json_object_get(d, "peaks"),
                                            "notes", json_object_get(d, "notes")));
    size_t j;
    const json_t *p;
    json_array_foreach(json_object_get(d, "points"), j, p) {
      const char *key = json_string_value(json_object_get(p, "key"));
      int at = 0;
      while (key && at < total && strcmp(pts[at].key, key)) at++;
      if (!key || at == total) {
        s = rb_fail(RB_ERR_FORMAT, "%s: point '%s' is not a point of the grid", paths[i], key ? key : "(no key)");
        break;
      }
      if (at % nshards != k - 1) {
        s = rb_fail(RB_ERR_FORMAT, "%s: point '%s' belongs to shard %d/%d, not %d/%d", paths[i], key,
                    at % nshards + 1, nshards, k, nshards);
        break;
      }
      if (found[at]) {
        s = rb_fail(RB_ERR_FORMAT, "%s: point '%s' appears twice", paths[i], key);
        break;
      }
      json_t *copy = json_deep_copy(p);
      json_object_set_new(copy, "shard", json_integer(k - 1));
      found[at] = copy;
      npts++;
    }
  }
  if (s == RB_OK && npts != total) {
    int missing = -1;
    for (int at = 0; at < total && missing < 0; at++)
      if (!found[at]) missing = at;
    s = rb_fail(RB_ERR_FORMAT,
                "merge: %d of the grid's %d points are missing, e.g. '%s' of shard %d/%d (%s): finish it with "
                "sweep --shard %d/%d --resume",
                total - npts, total, pts[missing].key, missing % nshards + 1, nshards,
                paths[seen[missing % nshards + 1] - 1], missing % nshards + 1, nshards);
  }
  if (s == RB_OK) {
    json_t *points = json_array();
    for (int at = 0; at < total; at++) json_array_append_new(points, (json_t *)found[at]), found[at] = NULL;
    out = json_pack("{s:s, s:O, s:o, s:o}", "kind", "sweep", "grid", grid0, "shards", shards, "points", points);
    shards = NULL;
    json_object_set_new(out, "notes", json_object_get(docs[0], "notes") ? json_incref(json_object_get(docs[0], "notes"))
                                                                       : json_string(""));
    *merged = out;
  }
  for (int at = 0; found && at < total; at++) json_decref((json_t *)found[at]);
  free(found);
  free(pts);
  free(seen);
  json_decref(grid0);
  json_decref(shards);
  return s;
}
