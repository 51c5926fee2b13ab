// `resbench run MODEL [--block layerS.I]`: one forward pass of a network or of one of its blocks,
// weights and input from safetensors or seeded.
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "oracle64.h"
#include "resbench/forward.h"
#include "resbench/resbench.h"
#include "timing.h"

int rb_cmd_run(int argc, char **argv) {
  static const struct option opts[] = {
      {"weights", required_argument, NULL, 'w'}, {"input", required_argument, NULL, 'i'},
      {"output", required_argument, NULL, 'o'},  {"isa", required_argument, NULL, 'I'},
      {"algo", required_argument, NULL, 'a'},    {"threads", required_argument, NULL, 't'},
      {"batch", required_argument, NULL, 'b'},   {"res", required_argument, NULL, 'r'},
      {"block", required_argument, NULL, 'B'},   {0}};
  const char *weights = NULL, *input = NULL, *output = NULL, *isa_arg = NULL, *algo_arg = "direct", *block = NULL;
  int threads = 0, batch = 0, res = 0, c;
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
      case 'r': if (!rb_cli_int("run", "--res", optarg, 1, 4096, &res)) return 2; break;
      case 'B': block = optarg; break;
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
  if (threads) omp_set_num_threads(threads);

  int ret = 2;
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
  if (!x_data) {  // seeded, so runs and benchmarks need no files
    x = malloc(nx * sizeof *x);
    if (!x) {
      rb_fail(RB_ERR_NOMEM, "out of memory for the input");
      goto fail;
    }
    o64_rng r;
    o64_seed(&r, 1);
    o64_fill(&r, x, nx, -1, 1);
    x_data = x;
  }
  double t0 = rb_now_ms();
  if (weights) {
    if (rb_st_open(weights, &w_file) != RB_OK) goto fail;
    int unused;
    char names[512];
    rb_weights_safetensors_unused(g, w_file, &unused, names, sizeof names);
    if (unused) fprintf(stderr, "resbench run: warning: %d unused tensor(s) in %s: %s\n", unused, weights, names);
    if (rb_model_plan(g, k, algo, rb_weights_safetensors, w_file, &m) != RB_OK) goto fail;
  } else if (rb_model_plan(g, k, algo, rb_weights_random, &rnd, &m) != RB_OK) {
    goto fail;
  }
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
  printf("%s%s%s on %s (%s conv, %d threads): batch %lld, input %lldx%lldx%lld, %.3f G MACs\n", name,
         block ? " " : "", block ? block : "", rb_isa_name(rb_kernels_isa(k)), rb_conv_algo_name(algo), omp_get_max_threads(),
         (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)shape[3], g->macs / 1e9);
  printf("plan %.1f ms, forward %.1f ms (one run, cold; for timings use 'resbench bench')\n", plan_ms, fwd_ms);
  if (!block) {
    int best = 0;
    for (int i = 1; i < so.c; i++)
      if (y[i] > y[best]) best = i;
    printf("image 0: top class %d (logit %.4f)\n", best, y[best]);
  } else {
    printf("output %dx%dx%dx%d (NCHW)\n", so.n, so.c, so.h, so.w);
  }
  if (output) printf("output written to %s\n", output);
  ret = 0;
fail:
  if (ret) fprintf(stderr, "resbench run: %s\n", rb_last_error());
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
