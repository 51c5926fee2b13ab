// `resbench run MODEL [--block layerS.I]`: one forward pass of a network or of one of its blocks,
// weights and input from safetensors or seeded.
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "oracle64.h"
#include "resbench/fileio.h"
#include "resbench/forward.h"
#include "resbench/resbench.h"
#include "timing.h"

static size_t count_non_finite(const float *x, size_t n) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += !isfinite(x[i]);
  return bad;
}

static size_t count_nan(const float *x, size_t n) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += isnan(x[i]);
  return bad;
}

// NaN and infinities propagate as IEEE 754 says; they are reported, never silent.
static void warn_non_finite(const char *what, const char *where, const float *x, size_t n) {
  const size_t bad = count_non_finite(x, n);
  if (bad) fprintf(stderr, "resbench run: warning: %zu of %zu %s values in %s are NaN or infinite\n", bad, n, what, where);
}

int rb_cmd_run(int argc, char **argv) {
  static const struct option opts[] = {
      {"weights", required_argument, NULL, 'w'}, {"input", required_argument, NULL, 'i'},
      {"output", required_argument, NULL, 'o'},  {"isa", required_argument, NULL, 'I'},
      {"algo", required_argument, NULL, 'a'},    {"threads", required_argument, NULL, 't'},
      {"batch", required_argument, NULL, 'b'},   {"res", required_argument, NULL, 'r'},
      {"block", required_argument, NULL, 'B'},   {"max-memory", required_argument, NULL, 'M'},
      {0}};
  const char *weights = NULL, *input = NULL, *output = NULL, *isa_arg = NULL, *algo_arg = "direct", *block = NULL;
  int threads = 0, batch = 0, res = 0, c;
  double max_memory = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'w': weights = optarg; break;
      case 'i': input = optarg; break;
      case 'o': output = optarg; break;
      case 'I': isa_arg = optarg; break;
      case 'a': algo_arg = optarg; break;
      case 't': if (!rb_cli_int("run", "--threads", optarg, 1, 1024, &threads)) return 2; break;
      case 'b': if (!rb_cli_int("run", "--batch", optarg, 1, 65536, &batch)) return 2; break;
      case 'r': if (!rb_cli_int("run", "--res", optarg, RB_MODEL_MIN_RES, 4096, &res)) return 2; break;
      case 'B': block = optarg; break;
      case 'M': if (!rb_cli_bytes("run", "--max-memory", optarg, &max_memory)) return 2; break;
      default: fputs("resbench run: see 'resbench help'\n", stderr); return 2;
    }
  }
  if (optind != argc - 1) {
    fputs("resbench run: give exactly one MODEL (see 'resbench models')\n", stderr);
    return 2;
  }
  const char *name = argv[optind];
  rb_model_spec spec;
  const rb_kernels *k;
  rb_conv_algo algo;
  rb_isa isa;
  if (rb_model_find(name, &spec) != RB_OK || rb_conv_algo_parse(algo_arg, &algo) != RB_OK ||
      (isa_arg ? (rb_isa_parse(isa_arg, &isa) != RB_OK || rb_kernels_get(isa, &k) != RB_OK)
               : rb_kernels_default(&k) != RB_OK)) {
    fprintf(stderr, "resbench run: %s\n", rb_last_error());
    return 2;
  }
  // An output that is one of the inputs would destroy it (the atomic write replaces the file).
  const char *inputs[2] = {weights, input};
  for (int i = 0; output && i < 2; i++)
    if (inputs[i] && (strcmp(output, inputs[i]) == 0 || rb_file_same(output, inputs[i]))) {
      fprintf(stderr, "resbench run: --output %s is the %s file: refusing to overwrite an input\n", output,
              i ? "--input" : "--weights");
      return 2;
    }
  if (output && rb_file_check_output(output) != RB_OK) {
    fprintf(stderr, "resbench run: --output %s\n", rb_last_error());
    return 2;
  }
  if (threads) omp_set_num_threads(threads);
  // With the tensors on stdout, the report goes to stderr.
  FILE *report = output && strcmp(output, "-") == 0 ? stderr : stdout;

  int ret = 2;  // bad input until the forward pass starts; 1 from there on
  rb_st_file *in_file = NULL, *w_file = NULL;
  rb_graph *g = NULL;
  rb_model *m = NULL;
  rb_random_weights rnd = {0};
  float *x = NULL, *y = NULL;
  rb_st_writer *wr = NULL;
  const float *x_data = NULL;
  int64_t shape[4];  // the input, NCHW
  if (input) {  // tensor "input", NCHW float32, any batch and resolution the model accepts
    const rb_st_tensor *t;
    if (rb_st_open(input, &in_file) != RB_OK) goto fail;
    t = rb_st_find(in_file, "input");
    if (!t || t->rank != 4 || (!block && t->shape[1] != 3) || !t->data) {
      rb_fail(RB_ERR_FORMAT, "%s: needs an F32 tensor 'input' of shape [N, %s, H, W]", input, block ? "C" : "3");
      goto fail;
    }
    if ((batch && batch != t->shape[0]) || (!block && res && (res != t->shape[2] || res != t->shape[3]))) {
      rb_fail(RB_ERR_SHAPE, "%s: input is [%lld, 3, %lld, %lld], --batch/--res ask for another size", input,
              (long long)t->shape[0], (long long)t->shape[2], (long long)t->shape[3]);
      goto fail;
    }
    if (t->shape[0] > 65536 || t->shape[2] > 4096 || t->shape[3] > 4096 || t->count == 0) {
      rb_fail(RB_ERR_SHAPE, "%s: input shape out of range", input);
      goto fail;
    }
    memcpy(shape, t->shape, sizeof shape);
    x_data = t->data;
  } else {
    shape[0] = batch ? batch : 1, shape[1] = 3, shape[2] = shape[3] = res ? res : spec.default_res;
  }
  if (block) {  // --res is the network's input size; the block sees what the network feeds it there
    const int net_res = res ? res : spec.default_res;
    if (rb_graph_build_block(&spec, block, (int)shape[0], net_res, net_res, &g) != RB_OK) goto fail;
    const rb_shape bi = g->tensors[0];
    if (x_data && (shape[1] != bi.c || shape[2] != bi.h || shape[3] != bi.w)) {
      rb_fail(RB_ERR_SHAPE, "%s: input is [%lld, %lld, %lld, %lld], %s at network resolution %d takes [%d, %d, %d, %d]",
              input, (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)shape[3], block,
              net_res, bi.n, bi.c, bi.h, bi.w);
      goto fail;
    }
    shape[1] = bi.c, shape[2] = bi.h, shape[3] = bi.w;
  } else if (rb_graph_build(&spec, (int)shape[0], (int)shape[2], (int)shape[3], &g) != RB_OK) {
    goto fail;
  }
  const size_t nx = (size_t)(shape[0] * shape[1] * shape[2] * shape[3]);
  {  // the plan's memory, estimated before any of it (or the seeded input) is allocated
    double need;
    if (rb_model_plan_bytes(g, k, algo, &need) != RB_OK) goto fail;
    const rb_shape so = g->tensors[g->output];
    need += (x_data ? 0 : (double)nx * sizeof(float)) + (double)so.n * so.h * so.w * so.c * sizeof(float) * (output ? 2 : 1);
    if (!rb_cli_memory_fits("run", name, need, max_memory ? max_memory : rb_available_memory(), max_memory > 0)) {
      rb_fail(RB_ERR_NOMEM, "not enough memory");
      goto refused;
    }
  }
  if (!x_data) {  // seeded, so runs and benchmarks need no files
    x = malloc(nx * sizeof *x);
    if (!x) {
      rb_fail(RB_ERR_NOMEM, "out of memory for the input");
      ret = 1;
      goto fail;
    }
    o64_rng r;
    o64_seed(&r, 1);
    o64_fill(&r, x, nx, -1, 1);
    x_data = x;
  }
  if (input) warn_non_finite("input", input, x_data, nx);
  double t0 = rb_now_ms();
  if (weights) {
    if (rb_st_open(weights, &w_file) != RB_OK) goto fail;
    int unused;
    char names[512];
    rb_weights_safetensors_unused(g, w_file, &unused, names, sizeof names);
    if (unused) fprintf(stderr, "resbench run: warning: %d unused tensor(s) in %s: %s\n", unused, weights, names);
    size_t bad = 0, total = 0;
    const char *first = NULL;
    for (size_t i = 0; i < rb_st_count(w_file); i++) {
      const rb_st_tensor *t = rb_st_at(w_file, i);
      const size_t nb = t->data ? count_non_finite(t->data, t->count) : 0;
      if (nb && !first) first = t->name;
      bad += nb, total += t->data ? t->count : 0;
    }
    if (bad)
      fprintf(stderr, "resbench run: warning: %zu of %zu weight values in %s are NaN or infinite (first in '%s')\n",
              bad, total, weights, first);
    if (rb_model_plan(g, k, algo, rb_weights_safetensors, w_file, &m) != RB_OK) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", rb_last_error());
      rb_fail(RB_ERR_FORMAT, "%s: %s", weights, msg);  // a bad value in the file: name the file
      goto fail;
    }
  } else if (rb_model_plan(g, k, algo, rb_weights_random, &rnd, &m) != RB_OK) {
    goto fail;
  }
  ret = 1;  // from here on, a failure is one while running (memory, the forward pass, the write)
  const double plan_ms = rb_now_ms() - t0;
  const rb_shape so = g->tensors[g->output];
  y = malloc((size_t)so.n * so.h * so.w * so.c * sizeof *y);
  if (!y) {
    rb_fail(RB_ERR_NOMEM, "out of memory for the output");
    goto fail;
  }
  t0 = rb_now_ms();
  if (rb_model_forward(m, x_data, y) != RB_OK) goto fail;
  const double fwd_ms = rb_now_ms() - t0;
  if (output) {  // logits [N, classes]; a block's output [N, C, H, W]
    const int64_t oshape[4] = {so.n, so.c, so.h, so.w};
    if (rb_st_writer_create(&wr) != RB_OK || rb_st_writer_add_f32(wr, "output", block ? 4 : 2, oshape, y) != RB_OK ||
        rb_st_writer_save(wr, output) != RB_OK)
      goto fail;
  }
  const size_t ny = (size_t)so.n * so.h * so.w * so.c;
  warn_non_finite("output", "the output", y, ny);
  fprintf(report, "%s%s%s on %s (%s conv, %d threads): batch %lld, input %lldx%lldx%lld, %.3f G MACs\n", name,
         block ? " " : "", block ? block : "", rb_isa_name(rb_kernels_isa(k)), rb_conv_algo_name(algo), omp_get_max_threads(),
         (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)shape[3], g->macs / 1e9);
  fprintf(report, "plan %.1f ms, forward %.1f ms (one run, cold; for timings use 'resbench bench')\n", plan_ms, fwd_ms);
  if (!block) {
    // A NaN logit has no order: no class is named then (an infinite one is still the top).
    const size_t nan = count_nan(y, (size_t)so.c);
    int best = 0;
    for (int i = 1; i < so.c; i++)
      if (y[i] > y[best]) best = i;
    if (nan)
      fprintf(report, "image 0: no top class (%zu of %d logits are NaN)\n", nan, so.c);
    else
      fprintf(report, "image 0: top class %d (logit %.4f)\n", best, y[best]);
  } else {
    fprintf(report, "output %dx%dx%dx%d (NCHW)\n", so.n, so.c, so.h, so.w);
  }
  if (output) fprintf(report, "output written to %s\n", strcmp(output, "-") ? output : "standard output");
  ret = 0;
fail:
  if (ret) fprintf(stderr, "resbench run: %s\n", rb_last_error());
refused:
  rb_st_writer_destroy(wr);
  free(y);
  free(x);
  rb_model_destroy(m);
  rb_random_weights_release(&rnd);
  rb_graph_destroy(g);
  rb_st_close(w_file);
  rb_st_close(in_file);
  return ret;
}
