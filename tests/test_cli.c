// The resbench CLI as a user runs it: exit codes, messages, and the --json contract.
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resbench/safetensors.h"
#include "testutil.h"

static int run(const char *args, char *out, size_t len) { return tu_run_cli(args, out, len); }

static char buf[1 << 20];

START_TEST(help_and_bad_arguments) {
  ck_assert_int_eq(run("--help", buf, sizeof buf), 0);
  ck_assert_ptr_nonnull(strstr(buf, "check [--isa ISA|all] [--json]"));
  ck_assert_int_eq(run("frobnicate", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "unknown command 'frobnicate'"));
  ck_assert_int_eq(run("check --isa sse9", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "unknown ISA 'sse9'"));
  ck_assert_int_eq(run("check --bogus", buf, sizeof buf), 2);
  ck_assert_int_eq(run("check extra", buf, sizeof buf), 2);
#if defined(__x86_64__)
  ck_assert_int_eq(run("check --isa neon", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "not available"));
#endif
  // --help on every subcommand: exit 0 and that command's usage (not a parse error).
  static const char *const cmds[][2] = {
      {"check --help", "check [--isa"},     {"models --help", "models [--json]"},
      {"count --help", "count MODEL"},      {"count resnet50 --help", "count MODEL"},
      {"run --help", "run MODEL"},          {"info --help", "info [--json]"},
      {"sweep --help", "--shard K/N"},      {"sweep --family resnet -h", "sweep [--family"},
      {"bench --help", "bench conv PROBLEM..."}, {"bench conv --help", "--problems FILE"},
      {"bench model --help", "bench model MODEL"}, {"bench model --help", "--profile"},
      {"compare --help", "compare BASE.json"},
      {"table --help", "--format md|csv|latex"}, {"plot --help", "--out DIR"},
      {"merge --help", "merge SHARD.json"}, {"help sweep", "sweep [--family"}};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    ck_assert_msg(run(cmds[i][0], buf, sizeof buf) == 0, "resbench %s: exit status not 0: %s", cmds[i][0], buf);
    ck_assert_msg(strstr(buf, cmds[i][1]), "resbench %s: no '%s' in %s", cmds[i][0], cmds[i][1], buf);
  }
  ck_assert_int_eq(run("--version", buf, sizeof buf), 0);
  ck_assert_msg(!strncmp(buf, "resbench ", 9) && strstr(buf, "result schema 1"), "%s", buf);
}
END_TEST

// Every line of `check --json` is an object with the documented keys; all ref rows pass,
// and the Winograd error study is there for every tile size.
START_TEST(check_json) {
  ck_assert_int_eq(run("check --isa ref --json", buf, sizeof buf), 0);
  int rows = 0, wino[3] = {0};
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    json_error_t err;
    json_t *o = json_loads(line, 0, &err);
    ck_assert_msg(json_is_object(o), "not a JSON object: %s", line);
    const char *keys[] = {"kernel", "isa", "shape", "max_abs_err", "max_rel_err", "pass"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      ck_assert_msg(json_object_get(o, keys[i]) != NULL, "line lacks '%s': %s", keys[i], line);
    ck_assert_msg(json_is_true(json_object_get(o, "pass")), "failed row: %s", line);
    ck_assert_str_eq(json_string_value(json_object_get(o, "isa")), "ref");
    const char *kernel = json_string_value(json_object_get(o, "kernel"));
    if (strstr(kernel, "winograd_f2")) wino[0]++;
    if (strstr(kernel, "winograd_f4")) wino[1]++;
    if (strstr(kernel, "winograd_f6")) wino[2]++;
    json_decref(o);
    rows++;
  }
  ck_assert_int_ge(rows, 20);
  ck_assert_msg(wino[0] && wino[1] && wino[2], "Winograd rows F2 %d F4 %d F6 %d", wino[0], wino[1], wino[2]);
}
END_TEST

// `count --json` carries the totals (here for resnet50, which torchvision counts the same:
// 25,557,032 parameters, 4,089,184,256 conv + FC multiply-adds) and a layer list that adds up.
START_TEST(count_json) {
  ck_assert_int_eq(run("count resnet50 --json", buf, sizeof buf), 0);
  json_error_t err;
  json_t *o = json_loads(buf, 0, &err);
  ck_assert_msg(json_is_object(o), "not JSON: %.200s", buf);
  ck_assert_str_eq(json_string_value(json_object_get(o, "model")), "resnet50");
  // Counts are JSON integers, not reals (25557032, not 25557032.0).
  ck_assert(json_is_integer(json_object_get(o, "params")) && json_is_integer(json_object_get(o, "macs")));
  ck_assert_int_eq(json_integer_value(json_object_get(o, "params")), 25557032);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "macs")), 4089184256);
  json_t *layers = json_object_get(o, "layers");
  double params = 0, macs = 0;
  for (size_t i = 0; i < json_array_size(layers); i++) {
    json_t *l = json_array_get(layers, i);
    ck_assert_ptr_nonnull(json_object_get(l, "name"));
    ck_assert_ptr_nonnull(json_object_get(l, "kind"));
    ck_assert_int_eq(json_array_size(json_object_get(l, "output_shape")), 4);
    params += json_number_value(json_object_get(l, "params"));
    macs += json_number_value(json_object_get(l, "macs"));
  }
  ck_assert_double_eq(params, 25557032.0);
  ck_assert_double_eq(macs, 4089184256.0);
  // The published figure from results/published.json, with its source.
  ck_assert_double_eq(json_number_value(json_object_get(json_object_get(o, "published"), "top1_err")), 23.9);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(o, "published"), "source")),
                               "facebookresearch/ResNeXt README.md"));
  json_decref(o);

  ck_assert_int_eq(run("count resnest50d", buf, sizeof buf), 0);
  ck_assert_ptr_nonnull(strstr(buf, "layer1.0.conv2"));
  ck_assert_ptr_nonnull(strstr(buf, "split_attn"));
  // Unconfirmed figures (27.5 M / 5.39 G) are not in the data file: only the sourced accuracy.
  ck_assert_ptr_nonnull(strstr(buf, "published: ResNeSt-50: top-1 accuracy 81.03 % (zhanghang1989/ResNeSt README.md"));
  ck_assert_ptr_nonnull(strstr(buf, "total: 27,483,240 params (27.48 M), 5,371,160,576 MACs"));
  ck_assert_int_eq(run("models", buf, sizeof buf), 0);
  ck_assert_ptr_nonnull(strstr(buf, "resnest50d_4s2x40d"));
  ck_assert_ptr_nonnull(strstr(buf, "radix 4"));
}
END_TEST

START_TEST(count_bad_arguments) {
  ck_assert_int_eq(run("count resnet51", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "unknown model 'resnet51'"));
  ck_assert_int_eq(run("count resnet50 --res 16", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "--res must be an integer in 32..4096, got '16'"));
  ck_assert_int_eq(run("count resnet50 --batch x", buf, sizeof buf), 2);
  ck_assert_int_eq(run("count", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "exactly one MODEL"));
  ck_assert_int_eq(run("models extra", buf, sizeof buf), 2);
}
END_TEST

// `run`: logits written atomically with the right shape, deterministic without files; bad
// weights, inputs and sizes are named errors with exit status 2.
START_TEST(run_end_to_end) {
  char dir[] = "/tmp/resbench-cli-XXXXXX", args[1024], out[256];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(out, sizeof out, "%s/out.safetensors", dir);
  snprintf(args, sizeof args, "run resnet18 --res 32 --batch 2 --threads 1 --output %s", out);
  ck_assert_msg(run(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_ptr_nonnull(strstr(buf, "top class"));
  rb_st_file *f;
  ck_assert_int_eq(rb_st_open(out, &f), RB_OK);
  const int64_t shape[2] = {2, 1000};
  const float *logits;
  ck_assert_msg(rb_st_get_f32(f, "output", 2, shape, &logits) == RB_OK, "%s", rb_last_error());
  float first[2000];
  memcpy(first, logits, sizeof first);
  for (int i = 0; i < 2000; i++) ck_assert(isfinite(first[i]));
  ck_assert(first[0] != first[1000] || first[1] != first[1001]);  // two different random images
  rb_st_close(f);
  ck_assert_int_eq(run(args, buf, sizeof buf), 0);  // seeded weights and input: the same logits
  ck_assert_int_eq(rb_st_open(out, &f), RB_OK);
  ck_assert_int_eq(rb_st_get_f32(f, "output", 2, shape, &logits), RB_OK);
  ck_assert_int_eq(memcmp(first, logits, sizeof first), 0);
  rb_st_close(f);

  snprintf(args, sizeof args, "run resnet18 --input %s", out);
  ck_assert_int_eq(run(args, buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "needs an F32 tensor 'input'"));
  char se[512];
  snprintf(args, sizeof args, "run resnet18 --res 32 --weights %s", tu_fixture_path("se.safetensors", se, sizeof se));
  ck_assert_int_eq(run(args, buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "conv1.weight"));
  ck_assert_int_eq(run("run resnet18 --res 16", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "--res must be an integer in 32..4096"));  // the real minimum
  ck_assert_int_eq(run("run resnet18 --isa sse9", buf, sizeof buf), 2);
  ck_assert_int_eq(run("run resnet18 --algo fft", buf, sizeof buf), 2);
  ck_assert_int_eq(run("run nosuchnet", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "unknown model 'nosuchnet'"));
  unlink(out);
  rmdir(dir);
}
END_TEST

// Weights exported from PyTorch by tools/export.py (skresnet18 --only layer1.0) through
// `resbench run --block`, against PyTorch's output on the same file (tools/golden_blocks.py).
START_TEST(run_exported_block) {
  char dir[] = "/tmp/resbench-cli-XXXXXX", args[2048], out[256], w[512], io[512];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(out, sizeof out, "%s/out.safetensors", dir);
  tu_fixture_path("export_skresnet18_layer1.0.safetensors", w, sizeof w);
  tu_fixture_path("export_skresnet18_layer1.0_io.safetensors", io, sizeof io);
  snprintf(args, sizeof args,
           "run skresnet18 --block layer1.0 --res 40 --threads 2 --weights %s --input %s --output %s", w, io, out);
  ck_assert_msg(run(args, buf, sizeof buf) == 0, "%s", buf);
  ck_assert_msg(strstr(buf, "warning") == NULL, "no unused tensors expected: %s", buf);
  rb_st_file *fo, *fi;
  ck_assert_int_eq(rb_st_open(out, &fo), RB_OK);
  ck_assert_int_eq(rb_st_open(io, &fi), RB_OK);
  const int64_t shape[4] = {2, 64, 10, 10};
  const float *y, *ref;
  ck_assert_msg(rb_st_get_f32(fo, "output", 4, shape, &y) == RB_OK, "%s", rb_last_error());
  ck_assert_msg(rb_st_get_f32(fi, "output", 4, shape, &ref) == RB_OK, "%s", rb_last_error());
  double num = 0, den = 0;
  for (int i = 0; i < 2 * 64 * 10 * 10; i++)
    num += ((double)y[i] - ref[i]) * ((double)y[i] - ref[i]), den += (double)ref[i] * ref[i];
  ck_assert_msg(sqrt(num / den) <= 1e-4, "exported block: relative L2 error %.3g", sqrt(num / den));
  rb_st_close(fo);
  rb_st_close(fi);

  // The same weights for another block: the first missing key is named.
  snprintf(args, sizeof args, "run skresnet18 --block layer1.1 --res 40 --weights %s --input %s", w, io);
  ck_assert_int_eq(run(args, buf, sizeof buf), 2);
  ck_assert_msg(strstr(buf, "layer1.1.conv1.paths.0.conv.weight") != NULL, "%s", buf);
  // An input of the wrong size for the block at this network resolution: both shapes named.
  snprintf(args, sizeof args, "run skresnet18 --block layer1.0 --res 64 --weights %s --input %s", w, io);
  ck_assert_int_eq(run(args, buf, sizeof buf), 2);
  ck_assert_msg(strstr(buf, "[2, 64, 10, 10]") && strstr(buf, "[2, 64, 16, 16]"), "%s", buf);
  ck_assert_int_eq(run("run skresnet18 --block layer9.0", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "block 'layer9.0'"));
  ck_assert_int_eq(run("count resnet50 --block layer1.5", buf, sizeof buf), 2);
  ck_assert_ptr_nonnull(strstr(buf, "layer1.0 .. layer1.2"));
  ck_assert_int_eq(run("count resnet50 --block layer2.0 --json", buf, sizeof buf), 0);
  ck_assert_ptr_nonnull(strstr(buf, "\"block\":\"layer2.0\""));
  unlink(out);
  rmdir(dir);
}
END_TEST

Suite *cli_suite(void) {
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 600);  // `check` runs full-size layers (slow under qemu and ASan)
  tcase_add_test(tc, help_and_bad_arguments);
  tcase_add_test(tc, check_json);
  tcase_add_test(tc, count_json);
  tcase_add_test(tc, count_bad_arguments);
  tcase_add_test(tc, run_end_to_end);
  tcase_add_test(tc, run_exported_block);
  suite_add_tcase(s, tc);
  return s;
}
