// libFuzzer target: sweep grid options and the CLI's value parsers. The input is lines
// "OPTION=VALUE"; OPTION is a sweep axis (rb_sweep_grid_set) or one of the CLI's scalar options.
// Small grids are expanded (each spec builds its network graph), and every point's key is unique.
// rb_cli_* print their errors: make fuzz runs with -close_fd_mask=2 (libFuzzer keeps its own stderr).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commands.h"
#include "resbench/resbench.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char buf[2048];
  if (size >= sizeof buf) return 0;
  memcpy(buf, data, size);
  buf[size] = 0;
  rb_sweep_grid g;
  rb_sweep_grid_defaults(&g);
  rb_model_spec spec;
  if (rb_model_find("resnet50", &spec) != RB_OK) abort();
  for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    const char *opt = line, *val = eq + 1;
    int i, s2;
    double x;
    rb_isa isa;
    rb_conv_algo a;
    rb_domain_kind dk;
    const rb_peer *peers[RB_BENCH_MAX_PEERS];
    if (!strcmp(opt, "int")) (void)rb_cli_int("fuzz", "--int", val, 1, 4096, &i);
    else if (!strcmp(opt, "seconds")) {
      if (rb_cli_seconds("fuzz", "--seconds", val, &x) && !(x >= 0 && x <= 3600)) abort();
    } else if (!strcmp(opt, "bytes")) {
      if (rb_cli_bytes("fuzz", "--bytes", val, &x) && !(x >= 1)) abort();
    } else if (!strcmp(opt, "peers")) (void)rb_bench_peers_parse(val, peers, RB_BENCH_MAX_PEERS, &i);
    else if (!strcmp(opt, "block")) {
      if (rb_graph_block_parse(&spec, val, &s2, &i) == RB_OK && (s2 < 0 || s2 > 3 || i < 0 || i >= spec.layers[s2]))
        abort();
    } else if (!strcmp(opt, "isa")) (void)rb_isa_parse(val, &isa);
    else if (!strcmp(opt, "algo")) (void)rb_conv_algo_parse(val, &a);
    else if (!strcmp(opt, "domain")) (void)rb_domain_kind_parse(val, &dk);
    else {
      rb_sweep_grid before = g;
      if (rb_sweep_grid_set(&g, opt, val) != RB_OK && memcmp(&before, &g, sizeof g)) abort();  // unchanged on failure
    }
  }
  // Expand only small grids, and only inputs whose length is a multiple of 64 (the fuzzer finds
  // those easily): every spec builds a network graph, which would dominate the run time.
  if (size % 64) return 0;
  size_t specs = (size_t)g.n_families * (size_t)g.depth.n;
  const rb_sweep_list *axes[] = {&g.cardinality, &g.width, &g.radix, &g.se_reduction, &g.sk_paths, &g.cxw_card};
  for (size_t k = 0; k < sizeof axes / sizeof axes[0]; k++) specs *= (size_t)(axes[k]->n ? axes[k]->n : 1);
  if (specs > 2 || g.batch * (double)g.res * g.res > 4 * 224.0 * 224) return 0;
  rb_sweep_point *pts;
  int n;
  char notes[512];
  if (rb_sweep_expand(&g, &pts, &n, notes, sizeof notes) != RB_OK) return 0;
  for (int p = 0; p < n; p++)
    for (int q = 0; q < p; q++)
      if (!strcmp(pts[p].key, pts[q].key)) abort();
  free(pts);
  json_decref(rb_sweep_grid_json(&g));
  return 0;
}
