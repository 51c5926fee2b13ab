// Sharded sweeps: `sweep --shard K/N` measures every N-th point of the grid (those whose index in
// expansion order is K-1 modulo N), so N hosts split one grid with no coordination; `resbench
// merge` joins the N shard documents back into one, refusing anything that is not the same grid.
#ifndef RESBENCH_SHARD_H
#define RESBENCH_SHARD_H

#include <jansson.h>

#include "resbench/status.h"
#include "sweep.h"

// "K/N" with 1 <= K <= N <= 4096 (RB_ERR_INVALID_ARG naming the value otherwise).
rb_status rb_shard_parse(const char *s, int *k, int *n);
// Keeps, in order, the points of shard k of n; *count is updated.
void rb_shard_filter(rb_sweep_point *points, int *count, int k, int n);

// The grid a sweep document recorded (its "grid" object, without "algo", "peers", "quick" and
// "shard"), rebuilt with rb_sweep_grid_set so it expands to the same points.
rb_status rb_sweep_grid_from_json(const json_t *grid, rb_sweep_grid *g);

// Merges shard documents (loaded sweep documents, each with grid.shard "K/N") into a new document:
// {"kind": "sweep", "grid" (without shard), "shards": [{"file", "shard", "context", "topology_xml",
// "peaks", "notes"}], "points": [each with "shard": its index in "shards"], "notes"}, points in the
// grid's expansion order. Errors name the file: not a shard, another grid or shard count, a shard
// given twice or missing, a point twice, a point not of its shard or not of the grid, points missing
// (an interrupted shard: finish it with sweep --shard K/N --resume).
rb_status rb_sweep_merge(const json_t *const *docs, const char *const *paths, int n, json_t **merged);

#endif
