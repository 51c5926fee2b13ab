// The resbench CLI as a user runs it: exit codes, messages, and the --json contract.
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// RESBENCH_CLI is the command that runs the CLI (set by `make test`, with qemu for aarch64).
static const char *cli(void) {
  const char *c = getenv("RESBENCH_CLI");
  return c && *c ? c : "build/x86_64/resbench";
}

// Runs "<cli> args" with stderr folded into the captured output; returns the exit status.
static int run(const char *args, char *out, size_t len) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s %s 2>&1", cli(), args);
  FILE *p = popen(cmd, "r");
  ck_assert_msg(p != NULL, "popen %s", cmd);
  size_t n = fread(out, 1, len - 1, p);
  out[n] = 0;
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

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

Suite *cli_suite(void) {
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 600);  // `check` runs full-size layers (slow under qemu and ASan)
  tcase_add_test(tc, help_and_bad_arguments);
  tcase_add_test(tc, check_json);
  suite_add_tcase(s, tc);
  return s;
}
