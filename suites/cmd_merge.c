// `resbench merge SHARD.json... --out FILE`: joins the documents of `sweep --shard K/N` runs.
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "results.h"
#include "shard.h"

#define MAX_SHARDS 4096

static const char help[] =
    "usage: resbench merge SHARD.json... --out FILE\n"
    "  Joins the documents of 'resbench sweep --shard K/N' runs (one per K, any order) into one\n"
    "  sweep document, written atomically: the grid's points in its order, each with \"shard\"\n"
    "  indexing \"shards\", which keeps every shard's own context (host, CPU), peaks and topology.\n"
    "  Refused, naming the file: documents of other grids or shard counts, a shard given twice\n"
    "  or missing, a point twice or not of its shard, and an unfinished shard (resume it first).\n";

int rb_cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0}};
  const char *out = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'o': out = optarg; break;
      case 'h': fputs(help, stdout); return 0;
      default: fputs("resbench merge: see 'resbench merge --help'\n", stderr); return 2;
    }
  }
  const int n = argc - optind;
  if (!out || n < 1 || n > MAX_SHARDS) {
    fputs("resbench merge: give the shard documents and --out FILE\n", stderr);
    return 2;
  }
  static json_t *docs[MAX_SHARDS];
  int loaded = 0, ret = 2;
  for (; loaded < n; loaded++)
    if (rb_json_load(argv[optind + loaded], &docs[loaded]) != RB_OK) {
      fprintf(stderr, "resbench merge: %s\n", rb_last_error());
      goto done;
    }
  json_t *merged;
  if (rb_sweep_merge((const json_t *const *)docs, (const char *const *)argv + optind, n, &merged) != RB_OK ||
      rb_json_save_atomic(merged, out) != RB_OK) {
    fprintf(stderr, "resbench merge: %s\n", rb_last_error());
    goto done;
  }
  fprintf(stderr, "resbench merge: %zu point(s) of %d shard(s) in %s\n", json_array_size(json_object_get(merged, "points")),
          n, out);
  json_decref(merged);
  ret = 0;
done:
  for (int i = 0; i < loaded; i++) json_decref(docs[i]);
  return ret;
}
