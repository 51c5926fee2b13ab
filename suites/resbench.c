// The resbench command-line tool.
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"
#include "results.h"
#include "resbench/resbench.h"

static const char usage[] =
    "usage: resbench <command> [options]\n"
    "\n"
    "ResNet-family kernels and blocks (ResNet, ResNeXt, SENet, SKNet, ResNeSt) on this CPU.\n"
    "\n"
    "commands:\n"
    "  check [--isa ISA|all] [--json]\n"
    "      Runs every kernel of the selected ISAs (default: all this CPU has) on ResNet-family\n"
    "      shapes against an fp64 oracle (and SIMD kernels against ref), including the Winograd\n"
    "      F(2x2,3x3) / F(4x4,3x3) / F(6x6,3x3) error study. Prints a table, or one JSON object\n"
    "      per line with --json; exits 1 if any row fails.\n"
    "      max_rel_err is relative to the sum of |terms| of each output element (the scale\n"
    "      float32 rounding errors are proportional to); tol is the bound it must stay under.\n"
    "  models [--json]\n"
    "      The model registry (timm names) with each model's parameters.\n"
    "  count MODEL [--res R] [--batch N] [--block layerS.I] [--json]\n"
    "      Per-layer and total parameters and multiply-adds (1 MAC = 1 multiply-add of a conv or\n"
    "      FC; padding taps counted), with pooling, activation and attention element operations\n"
    "      apart, and the published figure where a paper gives one. R defaults to the model's own.\n"
    "      --block counts one block (e.g. layer2.0) at the input size the network gives it.\n"
    "  run MODEL [--weights W.safetensors] [--input X.safetensors] [--output Y.safetensors]\n"
    "            [--isa ISA] [--algo direct|winograd|auto] [--threads N] [--batch N] [--res R]\n"
    "            [--block layerS.I] [--max-memory SIZE]\n"
    "      One forward pass. Weights: a PyTorch state_dict under timm's key names (BN folded at\n"
    "      plan time); without --weights, seeded random weights. Input: tensor 'input', NCHW\n"
    "      float32; without --input, a seeded random batch x 3 x R x R. Output: tensor 'output',\n"
    "      [N, classes] logits, written atomically. --block runs one block (e.g. layer2.0): its\n"
    "      input is [N, C, H, W] as the network feeds it at resolution R, its output [N, C', H', W'].\n"
    "  info [--json] [--quick] [--no-peak] [--domains core,l3,numa,machine] [--xml FILE]\n"
    "      The machine as hwloc sees it (packages, NUMA nodes, L3 domains, cores, PUs, CPU model),\n"
    "      the ISAs this build and CPU run, and for each domain (the core, L3 domain and NUMA node\n"
    "      of PU 0, the machine: one thread per core, pinned to its first PU) the measured FP32 FMA\n"
    "      peak (GFLOP/s, 2 FLOP per FMA; the widest FMA the CPU runs, after 1 s of warm load, best\n"
    "      of 5 runs with their range; and each ISA's own probe) and STREAM triad bandwidth (GB/s,\n"
    "      write-allocate not counted). --quick: short, rough runs. --no-peak: no probes (\"not\n"
    "      measured\"). --xml: saves the hwloc topology (atomically).\n"
    "      HWLOC_SYNTHETIC / HWLOC_XMLFILE describe another machine (then peaks are not measured).\n"
    "  bench conv PROBLEM... [--problems FILE] [--algo direct|winograd|auto] [--isa ISA] [--threads N] [--domain D]\n"
    "             [--peers onednn,libxsmm,libxsmm_gemm|none] [--json] [--save] [--results DIR]\n"
    "             [--min-time S] [--quick] [--no-peak]\n"
    "      One convolution in benchdnn's syntax (mb1ic64ih56oc64oh56kh3ph1, g32mb1ic128ih56oc128oh56kh3ph1)\n"
    "      timed after warm-up (median, min, max, runs) with the domain's threads pinned, beside the\n"
    "      peers on the same data and threads (default peer: onednn where built); GFLOP/s = 2 x dense\n"
    "      multiply-adds / median, % of the domain's measured FMA peak (%peak: the widest FMA the CPU\n"
    "      runs; %isa: the kernel ISA's own probe; --no-peak: not measured), each peer's speed-up and its\n"
    "      output checked against ours. D: core, l3, numa, machine (default). --save writes a result\n"
    "      document under results/<host>-<cpu>/ (or DIR).\n"
    "  bench model MODEL [--block layerS.I] [--batch N] [--res R] [--algo A] [--isa ISA] [--threads N]\n"
    "              [--domain D] [--peers LIST] [--json] [--save] [--results DIR] [--min-time S] [--quick]\n"
    "              [--no-peak]\n"
    "      The forward pass of a network or one block: median time, images/s, GFLOP/s, % of peak.\n"
    "      --peers: its convolutions, layer by layer, beside each peer (convolutions only).\n"
    "  bench passes [--isa ISA] [--threads N] [--domain D] [--channels C] [--json] [--save] [--results DIR]\n"
    "               [--min-time S] [--quick]\n"
    "      The memory-bound passes (pools, add + ReLU, SE scale + add + ReLU fused and unfused, split sum,\n"
    "      SK selection) beyond the caches and in L2: GB/s and %% of the STREAM triad of the same run.\n"
    "  sweep [--family resnet,se,sk,resnest] [--depth L] [--cardinality L] [--width L] [--cxw 2x40d,..]\n"
    "        [--radix L]\n"
    "        [--se-reduction L] [--sk-paths L] [--level block,network] [--isa L] [--domains L]\n"
    "        [--batch N] [--res R] [--algo A] [--peers LIST] [--results DIR] [--resume[=FILE]]\n"
    "        [--max-points N] [--min-time S] [--quick] [--no-peak] [--shard K/N] [--max-memory SIZE]\n"
    "      Measures every point of the grid (L: comma-separated values; block level = the first block\n"
    "      of each stage at its real input size), saving each point as it is measured to\n"
    "      results/<host>-<cpu>/sweep-<stamp>.json (+ .md); --resume measures only the missing\n"
    "      points of the newest sweep with the same grid. Defaults: resnet, depth 50, network, best\n"
    "      ISA, core. Invalid grids are errors before anything runs. See suites/sweep.h.\n"
    "      --shard K/N: only every N-th point (index K-1 modulo N), to split a grid over N hosts.\n"
    "  compare BASE.json OTHER.json... [--json]\n"
    "      Points matched by configuration across files (hosts, ISAs, commits): the ratio of time,\n"
    "      GFLOP/s, % of peak and bandwidth per point, the geometric mean per group, and a flag on\n"
    "      points measured under other settings (threads, batch, build, quick).\n"
    "  table FILE... [--format md|csv|latex] [--section LIST] [--published FILE]\n"
    "      Paper-style tables (cost, ResNeXt cardinality x width, ResNeSt ablation, kernel accuracy\n"
    "      from check --json, per-kernel GFLOP/s against the peers), with published figures and sources.\n"
    "  plot FILE... --out DIR [--gnuplot PROGRAM]\n"
    "      PNGs drawn by gnuplot: throughput against cardinality and radix, rooflines, peers per\n"
    "      layer, scaling, block time against multiply-adds.\n"
    "  merge SHARD.json... --out FILE\n"
    "      Joins the documents of sweep --shard K/N runs, refusing mismatched or incomplete shards.\n"
    "  help [COMMAND], COMMAND --help, --version\n"
    "\n"
    "Exit status: 0 success, 1 a failure while running, 2 bad usage or bad input (README: Exit status).\n"
    "--max-memory: refuse a plan estimated beyond SIZE (512M, 8G; default: the available memory).\n"
    "\n"
    "ISAs: ref (portable C, always), avx2 and avx512 (x86-64), neon (aarch64). The environment variable\n"
    "RESBENCH_ISA sets the default; asking for an ISA this build or CPU lacks is an error.\n";

typedef struct table_printer {
  int json;
} table_printer;

static void print_row(void *ctx, const rb_check_row *r) {
  const table_printer *tp = ctx;
  if (tp->json) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:b}", "kernel", r->kernel, "isa", r->isa,
                          "against", r->against, "shape", r->shape, "max_abs_err", r->max_abs_err, "max_rel_err",
                          r->max_rel_err, "mean_rel_err", r->mean_rel_err, "tol", r->tol, "pass", r->pass);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (line) puts(line);
    free(line);
    json_decref(o);
  } else {
    printf("%-26s %-7s %-5s %-48s %11.3e %11.3e %11.3e %9.3e  %s\n", r->kernel, r->isa, r->against, r->shape,
           r->max_abs_err, r->max_rel_err, r->mean_rel_err, r->tol, r->pass ? "pass" : "FAIL");
  }
  fflush(stdout);
}

static int cmd_check(int argc, char **argv) {
  static const struct option opts[] = {
      {"isa", required_argument, NULL, 'i'}, {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0}};
  const char *isa_arg = "all";
  table_printer tp = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'i': isa_arg = optarg; break;
      case 'j': tp.json = 1; break;
      case 'h': fputs(usage, stdout); return 0;
      default: fputs("resbench check: see 'resbench help'\n", stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "resbench check: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  const rb_kernels *tables[RB_ISA_COUNT];
  int count = 0;
  if (strcmp(isa_arg, "all") == 0) {
    for (int i = 0; i < RB_ISA_COUNT; i++)
      if (rb_kernels_get((rb_isa)i, &tables[count]) == RB_OK)
        count++;
      else  // a skip says why, on stderr so --json stays one object per line
        fprintf(stderr, "resbench check: note: ISA %s skipped: %s\n", rb_isa_name((rb_isa)i),
                rb_isa_unavailable_reason((rb_isa)i));
  } else {
    rb_isa isa;
    if (rb_isa_parse(isa_arg, &isa) != RB_OK || rb_kernels_get(isa, &tables[0]) != RB_OK) {
      fprintf(stderr, "resbench check: %s\n", rb_last_error());
      return 2;
    }
    count = 1;
  }
  if (!tp.json)
    printf("%-26s %-7s %-5s %-48s %11s %11s %11s %9s  %s\n", "kernel", "isa", "vs", "shape", "max_abs_err",
           "max_rel_err", "mean_rel_err", "tol", "result");
  const rb_check_sink sink = {print_row, &tp};
  int failed = 0;
  // Progress on the terminal while the rows go to a file (none into logs: the rows are the record).
  const int progress = !isatty(fileno(stdout)) && isatty(fileno(stderr));
  for (int i = 0; i < count; i++) {
    if (progress) fprintf(stderr, "resbench check: %s kernels (%d/%d)...\n", tables[i]->isa_name, i + 1, count);
    failed += rb_check_all(tables[i], &sink);
  }
  if (!tp.json) printf("%s: %d row(s) failed\n", failed ? "FAILED" : "all passed", failed);
  return failed ? 1 : 0;
}

// The usage of one command: its heading lines ("  cmd ...") and their indented continuations.
static int print_section(const char *cmd) {
  const size_t n = strlen(cmd);
  int in = 0, found = 0;
  for (const char *l = usage; *l;) {
    const char *e = strchr(l, '\n');
    const size_t len = e ? (size_t)(e - l) : strlen(l);
    if (len > 2 && l[0] == ' ' && l[1] == ' ' && l[2] != ' ')
      in = strncmp(l + 2, cmd, n) == 0 && (l[2 + n] == ' ' || l[2 + n] == '\n');
    else if (!(len > 4 && !strncmp(l, "    ", 4)))
      in = 0;
    if (in) printf("%.*s\n", (int)len, l), found = 1;
    l += len + (e != NULL);
  }
  return found;
}

// --help or -h among a command's arguments (before a "--").
static int wants_help(int argc, char **argv) {
  for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    if (argc > 2 && strcmp(cmd, "help") == 0 && print_section(argv[2])) return 0;
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    json_t *ctx = rb_results_context(0, NULL);
    printf("resbench %s (result schema %lld; %s)\n", json_string_value(json_object_get(ctx, "git_revision")),
           (long long)json_integer_value(json_object_get(ctx, "resbench_schema")),
           json_string_value(json_object_get(json_object_get(ctx, "compiler"), "version")));
    json_decref(ctx);
    return 0;
  }
  // Commands with a help of their own parse it; the others print their part of the usage.
  static const char *const own_help[] = {"compare", "table", "plot", "merge", "bench"};
  int own = 0;
  for (size_t i = 0; i < sizeof own_help / sizeof *own_help; i++) own |= !strcmp(cmd, own_help[i]);
  if (!strcmp(cmd, "bench") && argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) own = 0;
  if (!own && wants_help(argc, argv) && print_section(cmd)) return 0;
  // The command as typed, before getopt reorders argv: result documents record it re-runnable.
  rb_results_set_command(argc, argv);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
  if (strcmp(cmd, "models") == 0) return rb_cmd_models(argc - 1, argv + 1);
  if (strcmp(cmd, "count") == 0) return rb_cmd_count(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0) return rb_cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "info") == 0) return rb_cmd_info(argc - 1, argv + 1);
  if (strcmp(cmd, "bench") == 0) return rb_cmd_bench(argc - 1, argv + 1);
  if (strcmp(cmd, "sweep") == 0) return rb_cmd_sweep(argc - 1, argv + 1);
  if (strcmp(cmd, "compare") == 0) return rb_cmd_compare(argc - 1, argv + 1);
  if (strcmp(cmd, "table") == 0) return rb_cmd_table(argc - 1, argv + 1);
  if (strcmp(cmd, "plot") == 0) return rb_cmd_plot(argc - 1, argv + 1);
  if (strcmp(cmd, "merge") == 0) return rb_cmd_merge(argc - 1, argv + 1);
  fprintf(stderr, "resbench: unknown command '%s' (see 'resbench help')\n", cmd);
  return 2;
}
