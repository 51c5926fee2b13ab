// Helpers shared by the Check tests.
#ifndef RESBENCH_TESTUTIL_H
#define RESBENCH_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kernels/table.h"

// Every kernel table this build and CPU can run (ref first). The runner (tests/main.c) says once,
// before any test, which ISAs are skipped and why: a skip with a message, never a silent pass.
static inline int tu_available_tables(const rb_kernels *tables[RB_ISA_COUNT]) {
  int count = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_kernels *k;
    if (rb_kernels_get((rb_isa)i, &k) == RB_OK) tables[count++] = k;
  }
  return count;
}

// Path of a committed fixture: $RESBENCH_FIXTURES/file (make test sets it), else tests/fixtures/file.
static inline const char *tu_fixture_path(const char *file, char *buf, size_t len) {
  const char *dir = getenv("RESBENCH_FIXTURES");
  snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/fixtures", file);
  return buf;
}

// Runs "$RESBENCH_CLI args" (make test sets it, with qemu for aarch64) with stderr folded into the
// captured output; returns the exit status (-1 when it did not exit normally).
// tu_run_cli_env puts env (assignments like "HWLOC_SYNTHETIC='core:2'", or "") before the command.
static inline int tu_run_cli_env(const char *env, const char *args, char *out, size_t len) {
  const char *cli = getenv("RESBENCH_CLI");
  char cmd[4096];
  const int w = snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", env, cli && *cli ? cli : "build/x86_64/resbench", args);
  ck_assert_msg(w > 0 && (size_t)w < sizeof cmd, "command line too long: %s", args);
  FILE *p = popen(cmd, "r");
  ck_assert_msg(p != NULL, "popen %s", cmd);
  size_t n = fread(out, 1, len - 1, p);
  out[n] = 0;
  while (fgetc(p) != EOF) {  // drain what did not fit, so the child never blocks on a full pipe
  }
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
static inline int tu_run_cli(const char *args, char *out, size_t len) { return tu_run_cli_env("", args, out, len); }

// A whole file, NUL-terminated (malloc'd; *len its size when len is not NULL).
static inline char *tu_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  const long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return s;
}

// Removes a file or a directory tree (test scratch directories).
static inline void tu_rm_rf(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  DIR *d = opendir(path);
  for (struct dirent *e; d && (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char sub[1024];
    ck_assert_int_lt(snprintf(sub, sizeof sub, "%s/%s", path, e->d_name), (int)sizeof sub);
    tu_rm_rf(sub);
  }
  if (d) closedir(d);
  rmdir(path);
}

// Entries of dir (but . and ..) whose name contains needle ("" counts all).
static inline int tu_count_entries(const char *dir, const char *needle) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, needle)) n++;
  closedir(d);
  return n;
}

// The call fails with this status, and the message names the bad value (contains needle).
#define ASSERT_FAILS(call, status, needle)                                                        \
  do {                                                                                            \
    rb_status s_ = (call);                                                                        \
    ck_assert_msg(s_ == (status), "%s: got %s, want %s (%s)", #call, rb_status_name(s_),          \
                  rb_status_name(status), rb_last_error());                                       \
    ck_assert_msg(strstr(rb_last_error(), (needle)) != NULL, "%s: message '%s' lacks '%s'", #call, \
                  rb_last_error(), (needle));                                                     \
  } while (0)

#endif
