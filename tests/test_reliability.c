// Hostile files and arguments, safe writes, concurrent and interrupted runs (issue 14): each test
// is a defect found by trying what a new user would, checked against what the user should see.
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resbench/fileio.h"
#include "resbench/resbench.h"
#include "results.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1  // ASan reserves terabytes of shadow: no RLIMIT_AS, no malloc statistics
#else
#define TU_ASAN 0
#endif

static char out[1 << 20];
static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/resbench-rel-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}
static void teardown(void) { tu_rm_rf(dir); }

// dir/name (into a rotating set of buffers, so a few can be used in one expression).
static const char *at(const char *fmt, ...) {
  static char bufs[8][1024];
  static int next;
  char *b = bufs[next++ % 8];
  const int n = snprintf(b, sizeof bufs[0], "%s/", dir);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b + n, sizeof bufs[0] - (size_t)n, fmt, ap);
  va_end(ap);
  return b;
}

static int cli(const char *fmt, ...) {
  char args[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  return tu_run_cli_env("timeout 300", args, out, sizeof out);  // a hang fails as 124, never blocks the suite
}

static const char *cli_path(void) {
  const char *c = getenv("RESBENCH_CLI");
  return c && *c ? c : "build/x86_64/resbench";
}

static int shell(const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  const int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int occurrences(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

static void copy_file(const char *from, const char *to) {
  ck_assert_msg(shell("cp '%s' '%s'", from, to) == 0, "cp %s %s", from, to);
}

// The first file in d whose name starts with prefix and ends with suffix (into path); how many there are.
static int find(const char *d, const char *prefix, const char *suffix, char *path, size_t len) {
  int found = 0;
  DIR *dd = opendir(d);
  for (struct dirent *e; dd && (e = readdir(dd));) {
    const size_t l = strlen(e->d_name), sl = strlen(suffix);
    if (strncmp(e->d_name, prefix, strlen(prefix)) || l < sl || strcmp(e->d_name + l - sl, suffix)) continue;
    if (!found++) snprintf(path, len, "%s/%s", d, e->d_name);
  }
  if (dd) closedir(dd);
  return found;
}

// The results directory the CLI makes under root (results/<host>-<cpu>).
static const char *results_dir(const char *root) {
  static char b[1024];
  ck_assert_int_eq(rb_results_dir(root, b, sizeof b), RB_OK);
  return b;
}

static json_t *points_of(const char *path) {
  json_error_t err;
  json_t *doc = json_load_file(path, 0, &err);
  ck_assert_msg(doc != NULL, "%s: %s", path, err.text);
  json_t *p = json_incref(json_object_get(doc, "points"));
  json_decref(doc);
  ck_assert(json_is_array(p));
  return p;
}

static int unique_keys(const json_t *points) {
  for (size_t i = 0; i < json_array_size(points); i++)
    for (size_t j = 0; j < i; j++)
      if (json_equal(json_object_get(json_array_get(points, i), "key"), json_object_get(json_array_get(points, j), "key")))
        return 0;
  return 1;
}

// 5 points: layer1.0 .. layer4.0 and the network, each a fraction of a second.
#define GRID "--family resnet --depth 18 --level block,network --domains core --isa ref --res 64 --quick"

// ---- 1. messages ---------------------------------------------------------------------------

START_TEST(fail_formats_its_own_message) {
  rb_fail(RB_ERR_IO, "first %d", 1);
  rb_fail(RB_ERR_FORMAT, "outer: %s (%s)", rb_last_error(), rb_last_error());
  ck_assert_str_eq(rb_last_error(), "outer: first 1 (first 1)");
}
END_TEST

START_TEST(too_large_is_not_too_small) {
  ck_assert_int_eq(cli("count resnet50 --batch 65536 --res 4096"), 2);
  ck_assert_msg(strstr(out, "too large") && !strstr(out, "too small"), "%s", out);
  ck_assert_msg(occurrences(out, "model input") == 1, "garbled: %s", out);
  ck_assert_int_eq(cli("sweep --family resnet --depth 50 --width 4096 --cardinality 1024 --results %s", dir), 2);
  ck_assert_msg(strstr(out, "too large") && !strstr(out, "too small"), "%s", out);
  ck_assert_msg(occurrences(out, "model input") == 1, "garbled: %s", out);
  // A real too-small input still says so.
  ck_assert_int_eq(cli("count resnet50 --res 32 --block layer4.2"), 0);
}
END_TEST

// ---- 2. FIFOs ------------------------------------------------------------------------------

START_TEST(fifo_inputs_refused) {
  const char *fifo = at("fifo");
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(cli("run resnet18 --res 32 --input %s", fifo), 2);
  ck_assert_msg(strstr(out, "FIFO, not a regular file"), "%s", out);
  ck_assert_int_eq(cli("run resnet18 --res 32 --weights %s", fifo), 2);
  ck_assert_msg(strstr(out, "FIFO, not a regular file"), "%s", out);
  ck_assert_int_eq(cli("sweep " GRID " --resume=%s", fifo), 2);
  ck_assert_msg(strstr(out, "FIFO, not a regular file"), "%s", out);
  rb_st_file *f;
  ASSERT_FAILS(rb_st_open(fifo, &f), RB_ERR_IO, "FIFO");
  json_t *doc;
  ASSERT_FAILS(rb_json_load(fifo, &doc), RB_ERR_IO, "FIFO");
  ASSERT_FAILS(rb_st_open(dir, &f), RB_ERR_IO, "directory");
}
END_TEST

// ---- 3. concurrent sweeps and resumes ------------------------------------------------------

// Four sweeps started together (two nearly always shared a name before names were claimed with link).
START_TEST(concurrent_sweeps_keep_all) {
  const char *grid = "--family resnet --depth 18 --level network --domains core --isa ref --res 64 --quick";
  const char *c = cli_path();
  char cmd[4096] = "(";
  for (int i = 0; i < 4; i++)
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s sweep %s --results %s >%s 2>&1 & ", c, grid, dir,
             at("o%d", i));
  ck_assert_int_eq(shell("%s wait)", cmd), 0);
  const char *rd = results_dir(dir);
  char path[1024];
  ck_assert_int_eq(find(rd, "sweep-", ".json", path, sizeof path), 4);
  ck_assert_int_eq(find(rd, "sweep-", ".md", path, sizeof path), 4);
  char **paths;
  int n;
  ck_assert_int_eq(rb_results_list(rd, "sweep-", &paths, &n), RB_OK);
  for (int i = 0; i < n; i++) {
    json_t *p = points_of(paths[i]);
    ck_assert_msg(json_array_size(p) == 1, "%s has %zu points", paths[i], json_array_size(p));
    json_decref(p);
  }
  rb_results_list_free(paths, n);
}
END_TEST

// Spawns the CLI with args, output to log; returns its pid (the CLI itself: exec).
static pid_t spawn(const char *args, const char *log) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "exec %s %s >%s 2>&1", cli_path(), args, log);
  const pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  return pid;
}

static void wait_for_text(const char *log, const char *needle) {
  for (int t = 0;; t++) {
    ck_assert_msg(t < 6000, "'%s' not in %s within 300 s", needle, log);
    FILE *f = fopen(log, "r");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
    if (f) fclose(f);
    if (found) return;
    usleep(50000);
  }
}

// A slow resume (loaded when the document had one point) must not wipe what a fast one saved
// while it measured.
START_TEST(concurrent_resumes_lose_nothing) {
  ck_assert_msg(cli("sweep " GRID " --results %s --max-points 1", dir) == 0, "%s", out);
  char args[1024];
  snprintf(args, sizeof args, "sweep " GRID " --results %s --resume --max-points 1 --min-time 10", dir);
  const pid_t slow = spawn(args, at("slow.log"));
  wait_for_text(at("slow.log"), "point(s); results in");  // loaded, now measuring its point for 10 s
  ck_assert_msg(cli("sweep " GRID " --results %s --resume", dir) == 0, "%s", out);
  int st;
  ck_assert_int_eq(waitpid(slow, &st, 0), slow);
  ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  char path[1024];
  ck_assert_int_eq(find(results_dir(dir), "sweep-", ".json", path, sizeof path), 1);
  json_t *p = points_of(path);
  ck_assert_msg(json_array_size(p) == 5, "%zu points of 5 kept", json_array_size(p));
  ck_assert(unique_keys(p));
  json_decref(p);
  // Two resumes started together split the rest and both finish.
  ck_assert_msg(cli("sweep " GRID " --results %s/two --max-points 1", dir) == 0, "%s", out);
  const char *c = cli_path();
  ck_assert_int_eq(shell("(%s sweep " GRID " --results %s/two --resume >%s 2>&1 & %s sweep " GRID
                         " --results %s/two --resume >%s 2>&1 & wait)",
                         c, dir, at("a.log"), c, dir, at("b.log")),
                   0);
  char two[1024];
  snprintf(two, sizeof two, "%s/two", dir);
  ck_assert_int_eq(find(results_dir(two), "sweep-", ".json", path, sizeof path), 1);
  p = points_of(path);
  ck_assert_int_eq(json_array_size(p), 5);
  ck_assert(unique_keys(p));
  json_decref(p);
}
END_TEST

// ---- runs: interrupted sweeps ----------------------------------------------------------------

static size_t saved_points(const char *rd) {
  char path[1024];
  if (find(rd, "sweep-", ".json", path, sizeof path) != 1) return 0;
  json_t *doc = json_load_file(path, 0, NULL);
  const size_t n = json_array_size(json_object_get(doc, "points"));
  json_decref(doc);
  return n;
}

// Whole files only: every document parses; no temporary file is left (SIGKILL may leave a hidden one).
static void assert_whole_files(const char *rd, int allow_hidden) {
  DIR *d = opendir(rd);
  ck_assert_ptr_nonnull(d);
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", rd, e->d_name);
    if (e->d_name[0] == '.') {
      ck_assert_msg(allow_hidden, "temporary file left: %s", p);
      continue;
    }
    const size_t l = strlen(e->d_name);
    ck_assert_msg((l > 5 && !strcmp(e->d_name + l - 5, ".json")) || (l > 3 && !strcmp(e->d_name + l - 3, ".md")) ||
                      (l > 4 && !strcmp(e->d_name + l - 4, ".xml")),
                  "unexpected file %s", p);
    if (!strcmp(e->d_name + l - 5, ".json")) {
      json_t *doc = json_load_file(p, 0, NULL);
      ck_assert_msg(doc != NULL, "%s is not whole", p);
      json_decref(doc);
    }
  }
  closedir(d);
}

START_TEST(interrupted_sweep_resumes) {
  static const int sigs[] = {SIGINT, SIGTERM, SIGKILL};
  const int sig = sigs[_i];
  char args[1024];
  snprintf(args, sizeof args, "sweep " GRID " --results %s", dir);
  const pid_t pid = spawn(args, "/dev/null");
  const char *rd = results_dir(dir);
  for (int t = 0; saved_points(rd) < 1; t++) {  // stopped once a point is saved, mid-sweep
    ck_assert_msg(t < 6000, "no point saved within 300 s");
    usleep(50000);
  }
  kill(pid, sig);
  int st;
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  const size_t kept = saved_points(rd);
  ck_assert_msg(WIFSIGNALED(st) || kept == 5, "the sweep finished before the signal: pick a longer grid");
  assert_whole_files(rd, sig == SIGKILL);
  char md[1024];
  ck_assert_msg(find(rd, "sweep-", ".md", md, sizeof md) == 1, "no Markdown beside an interrupted sweep");
  char *text = tu_slurp(md, NULL);  // whole; it may lag the document by the point whose save was stopped
  ck_assert_msg(strstr(text, "\n| point |") && strstr(text, "Times: median ms"), "not whole: %s", text);  // after the run header
  free(text);
  ck_assert_msg(cli("sweep " GRID " --results %s --resume", dir) == 0, "%s", out);
  text = tu_slurp(md, NULL);
  ck_assert_msg(strstr(text, "| block layer1.0 |") && strstr(text, "| network |"), "%s", text);
  free(text);
  char path[1024];
  ck_assert_int_eq(find(rd, "sweep-", ".json", path, sizeof path), 1);
  json_t *p = points_of(path);
  ck_assert_int_eq(json_array_size(p), 5);
  ck_assert(unique_keys(p));
  json_decref(p);
}
END_TEST

// ---- 4. what an output path may be ---------------------------------------------------------

static int is_kind(const char *path, mode_t kind) {
  struct stat sb;
  return lstat(path, &sb) == 0 && (sb.st_mode & S_IFMT) == kind;
}

START_TEST(output_symlink_followed) {
  const char *real = at("real.safetensors"), *link_ = at("link.safetensors");
  ck_assert_int_eq(shell("echo old > %s", real), 0);
  ck_assert_int_eq(symlink("real.safetensors", link_), 0);  // relative, as ln -s makes them
  ck_assert_msg(cli("run resnet18 --res 32 --output %s", link_) == 0, "%s", out);
  ck_assert_msg(is_kind(link_, S_IFLNK), "the symlink was replaced");
  rb_st_file *f;
  ck_assert_msg(rb_st_open(real, &f) == RB_OK, "%s", rb_last_error());
  const int64_t shape[2] = {1, 1000};
  const float *y;
  ck_assert_int_eq(rb_st_get_f32(f, "output", 2, shape, &y), RB_OK);
  rb_st_close(f);
  ck_assert_int_eq(tu_count_entries(dir, ".real"), 0);  // no temporary file left
}
END_TEST

START_TEST(output_special_files_refused) {
  const char *fifo = at("fifo"), *sub = at("sub");
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(mkdir(sub, 0755), 0);
  ck_assert_int_eq(cli("run resnet18 --res 32 --output %s", fifo), 2);
  ck_assert_msg(strstr(out, "is a FIFO, not a regular file: refusing to replace it"), "%s", out);
  ck_assert(is_kind(fifo, S_IFIFO));
  ck_assert_int_eq(cli("run resnet18 --res 32 --output %s", sub), 2);
  ck_assert_msg(strstr(out, "is a directory"), "%s", out);
  ck_assert(is_kind(sub, S_IFDIR));
  ck_assert_int_eq(cli("info --quick --domains core --xml %s", fifo), 2);
  ck_assert(is_kind(fifo, S_IFIFO));
  // A copy of /dev/full: replacing it would be what `--output /dev/stdout` does to the system's node as root.
  const char *full = at("full");
  if (mknod(full, S_IFCHR | 0666, makedev(1, 7)) != 0) {
    fprintf(stderr, "note: output_special_files_refused: device-node case skipped (mknod: %s; needs root)\n",
            strerror(errno));
    return;
  }
  ck_assert_int_eq(cli("run resnet18 --res 32 --output %s", full), 2);
  ck_assert_msg(strstr(out, "is a character device"), "%s", out);
  ck_assert(is_kind(full, S_IFCHR));
  ck_assert_int_eq(cli("info --quick --domains core --xml %s", full), 2);
  ck_assert(is_kind(full, S_IFCHR));
  // The library writer refuses it too.
  ASSERT_FAILS(rb_file_save_atomic(full, "x", 1), RB_ERR_IO, "character device");
  ck_assert(is_kind(full, S_IFCHR));
}
END_TEST

START_TEST(output_dash_is_stdout) {
  ck_assert_int_eq(shell("%s run resnet18 --res 32 --output - >%s 2>%s", cli_path(), at("y"), at("err")), 0);
  rb_st_file *f;
  ck_assert_msg(rb_st_open(at("y"), &f) == RB_OK, "%s", rb_last_error());  // only the tensors on stdout
  const int64_t shape[2] = {1, 1000};
  const float *y;
  ck_assert_int_eq(rb_st_get_f32(f, "output", 2, shape, &y), RB_OK);
  rb_st_close(f);
  char *err = tu_slurp(at("err"), NULL);
  ck_assert_msg(strstr(err, "top class"), "the report goes to stderr: %s", err);
  free(err);
  ck_assert(!is_kind(at("-"), S_IFREG));
}
END_TEST

START_TEST(output_equal_to_input_refused) {
  char fx[512], io[512];
  tu_fixture_path("export_skresnet18_layer1.0.safetensors", fx, sizeof fx);
  tu_fixture_path("export_skresnet18_layer1.0_io.safetensors", io, sizeof io);
  const char *w = at("w.safetensors"), *alias = at("alias.safetensors"), *x = at("x.safetensors");
  copy_file(fx, w);
  copy_file(io, x);
  ck_assert_int_eq(symlink(w, alias), 0);
  size_t n0, n1;
  char *before = tu_slurp(w, &n0);
  const char *blk = "run skresnet18 --block layer1.0 --res 40";
  ck_assert_int_eq(cli("%s --weights %s --output %s", blk, w, w), 2);
  ck_assert_msg(strstr(out, "--weights file"), "%s", out);
  ck_assert_int_eq(cli("%s --weights %s --output %s", blk, w, alias), 2);  // the same file by another name
  ck_assert_int_eq(cli("%s --weights %s --input %s --output %s", blk, w, x, x), 2);
  ck_assert_msg(strstr(out, "--input file"), "%s", out);
  char *after = tu_slurp(w, &n1);
  ck_assert(n0 == n1 && memcmp(before, after, n0) == 0);
  free(before);
  free(after);
}
END_TEST

// ---- 5-7. result paths ---------------------------------------------------------------------

START_TEST(results_empty_refused) {
  char b[256];
  ASSERT_FAILS(rb_results_dir_for("", "h", "c", b, sizeof b), RB_ERR_INVALID_ARG, "empty");
  ck_assert_int_eq(cli("sweep " GRID " --results ''"), 2);
  ck_assert_msg(strstr(out, "empty directory name"), "%s", out);
  ck_assert_int_eq(cli("bench conv mb1ic8ih8oc8oh8kh1 --quick --peers none --domain core --results ''"), 2);
  ck_assert_msg(strstr(out, "empty directory name") && !strstr(out, "median_ms"), "%s", out);
}
END_TEST

// A sweep document to resume from: one point of GRID saved, copied to path.
static void one_point_doc(const char *path) {
  char scratch[1024], doc[1024];
  snprintf(scratch, sizeof scratch, "%s/scratch", dir);
  ck_assert_msg(cli("sweep " GRID " --results %s --max-points 1", scratch) == 0, "%s", out);
  ck_assert_int_eq(find(results_dir(scratch), "sweep-", ".json", doc, sizeof doc), 1);
  copy_file(doc, path);
}

START_TEST(markdown_beside_any_name) {
  ck_assert_int_eq(mkdir(at("ren"), 0755), 0);
  one_point_doc(at("ren/abcd"));
  ck_assert_msg(cli("sweep " GRID " --resume=%s --max-points 1", at("ren/abcd")) == 0, "%s", out);
  ck_assert_msg(access(at("ren/abcd.md"), F_OK) == 0, "no ren/abcd.md");
  ck_assert_msg(access(at("ren.md"), F_OK) != 0, "ren.md written: the name was cut");
  json_t *p = points_of(at("ren/abcd"));
  ck_assert_int_eq(json_array_size(p), 2);
  json_decref(p);
}
END_TEST

START_TEST(long_resume_path_kept) {
  char long_dir[1024] = "", comp[201];
  memset(comp, 'a', 200);
  comp[200] = 0;
  snprintf(long_dir, sizeof long_dir, "%s/%s/%s/%s", dir, comp, comp, comp);  // > 600 bytes
  ck_assert_int_eq(shell("mkdir -p %s", long_dir), 0);
  char doc[1200];
  snprintf(doc, sizeof doc, "%s/sweep.json", long_dir);
  ck_assert_int_gt(strlen(doc), 512);
  one_point_doc(doc);
  ck_assert_msg(cli("sweep " GRID " --resume=%s --max-points 1", doc) == 0, "%.2000s", out);
  json_t *p = points_of(doc);
  ck_assert_msg(json_array_size(p) == 2, "the long path's document has %zu points", json_array_size(p));
  json_decref(p);
  char md[1200];
  snprintf(md, sizeof md, "%s/sweep.md", long_dir);
  ck_assert_msg(access(md, F_OK) == 0, "no Markdown beside the long path");
  ck_assert_int_eq(tu_count_entries(long_dir, ""), 2);  // nothing under a truncated name
}
END_TEST

// ---- 8. header first ----------------------------------------------------------------------

// A sparse file of size bytes starting with an 8-byte length n and the text head.
static void sparse_file(const char *path, uint64_t n, const char *head, off_t size) {
  const int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  ck_assert_int_ge(fd, 0);
  unsigned char len8[8];
  for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(n >> (8 * i));
  ck_assert_int_eq(write(fd, len8, 8), 8);
  ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
  ck_assert_int_eq(ftruncate(fd, size), 0);
  close(fd);
}

// rb_st_open in a child limited to 512 MiB of address space (plain build): its status.
static rb_status open_limited(const char *path) {
  const pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    const struct rlimit rl = {512u << 20, 512u << 20};
    if (!TU_ASAN) setrlimit(RLIMIT_AS, &rl);
    rb_st_file *f;
    const rb_status s = rb_st_open(path, &f);
    rb_st_close(f);
    _exit((int)s);
  }
  int st;
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  ck_assert(WIFEXITED(st));
  return (rb_status)WEXITSTATUS(st);
}

START_TEST(header_checked_before_data) {
  const char *p2 = at("2g.safetensors"), *p100 = at("100g.safetensors"), *ok = at("ok.safetensors");
  sparse_file(p2, 16, "not json at all!", (off_t)2 << 30);
  sparse_file(p100, 16, "not json at all!", (off_t)100 << 30);
  // A valid header, one 4-float tensor, then 2 GiB the header does not use: only 16 bytes are read.
  const char *hdr = "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
  sparse_file(ok, strlen(hdr), hdr, (off_t)2 << 30);
  struct timeval t0, t1;
  gettimeofday(&t0, NULL);
  ck_assert_int_eq(open_limited(p2), RB_ERR_FORMAT);
  ck_assert_int_eq(open_limited(p100), RB_ERR_FORMAT);
  ck_assert_int_eq(open_limited(ok), RB_OK);
  gettimeofday(&t1, NULL);
  const double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
  ck_assert_msg(s < 30, "%.1f s to refuse or open: the data was read", s);
  rb_st_file *f;
  ASSERT_FAILS(rb_st_open(p100, &f), RB_ERR_FORMAT, "not valid JSON");
  ck_assert_int_eq(rb_st_open(ok, &f), RB_OK);
  const rb_st_tensor *t = rb_st_find(f, "t");
  ck_assert(t && t->count == 4 && t->data[0] == 0 && t->data[3] == 0);
  rb_st_close(f);
  // A tensor past the end of the file: named, not read.
  const char *bad = at("bad.safetensors");
  const char *h2 = "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
  sparse_file(bad, strlen(h2), h2, 8 + (off_t)strlen(h2) + 8);
  ASSERT_FAILS(rb_st_open(bad, &f), RB_ERR_FORMAT, "outside the 8-byte data area");
}
END_TEST

// ---- 9. non-finite data --------------------------------------------------------------------

static void write_input(const char *path, float v) {
  static float x[3 * 32 * 32];
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = v;
  const int64_t shape[4] = {1, 3, 32, 32};
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  ck_assert_int_eq(rb_st_writer_add_f32(w, "input", 4, shape, x), RB_OK);
  ck_assert_int_eq(rb_st_writer_save(w, path), RB_OK);
  rb_st_writer_destroy(w);
}

// A copy of the exported skresnet18 layer1.0 weights with element 0 of `name` set to v.
static void patched_weights(const char *path, const char *name, float v) {
  char fx[512];
  rb_st_file *f;
  ck_assert_int_eq(rb_st_open(tu_fixture_path("export_skresnet18_layer1.0.safetensors", fx, sizeof fx), &f), RB_OK);
  rb_st_writer *w;
  ck_assert_int_eq(rb_st_writer_create(&w), RB_OK);
  int found = 0;
  for (size_t i = 0; i < rb_st_count(f); i++) {
    const rb_st_tensor *t = rb_st_at(f, i);
    ck_assert_ptr_nonnull(t->data);
    float *d = malloc((t->count ? t->count : 1) * sizeof *d);
    memcpy(d, t->data, t->count * sizeof *d);
    if (!strcmp(t->name, name)) d[0] = v, found = 1;
    ck_assert_int_eq(rb_st_writer_add_f32(w, t->name, t->rank, t->shape, d), RB_OK);
    free(d);
  }
  ck_assert_msg(found, "no tensor %s", name);
  ck_assert_int_eq(rb_st_writer_save(w, path), RB_OK);
  rb_st_writer_destroy(w);
  rb_st_close(f);
}

START_TEST(non_finite_reported) {
  const char *x = at("x.safetensors");
  write_input(x, NAN);
  ck_assert_msg(cli("run resnet18 --res 32 --input %s", x) == 0, "%s", out);
  ck_assert_msg(strstr(out, "3072 of 3072 input values"), "%s", out);
  ck_assert_msg(strstr(out, "output values") && strstr(out, "no top class"), "%s", out);
  ck_assert_msg(!strstr(out, "(logit nan)"), "a top class named from NaN: %s", out);
  write_input(x, INFINITY);
  ck_assert_msg(cli("run resnet18 --res 32 --input %s", x) == 0, "%s", out);
  ck_assert_msg(strstr(out, "3072 of 3072 input values"), "%s", out);
  ck_assert_msg(!strstr(out, "(logit nan)"), "a top class named from NaN: %s", out);
  const char *w = at("w.safetensors");
  patched_weights(w, "layer1.0.conv1.paths.0.conv.weight", NAN);
  ck_assert_msg(cli("run skresnet18 --block layer1.0 --res 40 --weights %s", w) == 0, "%s", out);
  ck_assert_msg(strstr(out, "1 of ") && strstr(out, "weight values") &&
                    strstr(out, "layer1.0.conv1.paths.0.conv.weight"), "%s", out);
  ck_assert_msg(strstr(out, "output values"), "%s", out);
  // Finite data: no warning.
  write_input(x, 0.5f);
  ck_assert_msg(cli("run resnet18 --res 32 --input %s", x) == 0, "%s", out);
  ck_assert_msg(!strstr(out, "warning") && strstr(out, "top class"), "%s", out);
}
END_TEST

// ---- smaller defects -----------------------------------------------------------------------

START_TEST(conv_parser_names_the_field) {
  rb_conv_desc d;
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic4ih8oc4oh1kh3dh2000000000ph0", &d), RB_ERR_INVALID_ARG, "dh2000000000");
  ck_assert_msg(!strstr(rb_last_error(), "pad_bottom"), "%s", rb_last_error());
  ASSERT_FAILS(rb_conv_desc_parse("mb1ic4ih8oc4oh1kh3sh2000000000", &d), RB_ERR_INVALID_ARG, "sh2000000000");
}
END_TEST

START_TEST(bn_fold_error_names_tensor_and_file) {
  const char *w = at("w.safetensors");
  patched_weights(w, "layer1.0.conv1.paths.0.bn.running_var", -1);
  ck_assert_int_eq(cli("run skresnet18 --block layer1.0 --res 40 --weights %s", w), 2);
  ck_assert_msg(strstr(out, w) && strstr(out, "layer1.0.conv1.paths.0.bn.running_var"), "%s", out);
}
END_TEST

START_TEST(stated_ranges_are_real) {
  ck_assert_int_eq(cli("run resnet18 --res 1"), 2);
  ck_assert_msg(strstr(out, "32..4096"), "%s", out);
  ck_assert_int_eq(cli("sweep --batch 2000000 --results %s", dir), 2);
  ck_assert_msg(strstr(out, "1..4096") && !strstr(out, "1048576"), "%s", out);
}
END_TEST

START_TEST(strict_parsing) {
  ck_assert_int_eq(cli("count resnet50 --res ' 64'"), 2);
  ck_assert_int_eq(cli("count resnet50 --res +64"), 2);
  ck_assert_int_eq(cli("count resnet50 --res 64"), 0);
  ck_assert_int_eq(cli("bench conv mb1ic8ih8oc8oh8kh1 --min-time 0x10"), 2);
  ck_assert_msg(strstr(out, "0x10"), "%s", out);
  ck_assert_int_eq(cli("bench conv mb1ic8ih8oc8oh8kh1 --min-time 1e1"), 2);
  ck_assert_int_eq(cli("bench conv mb1ic8ih8oc8oh8kh1 --peers ,,"), 2);
  ck_assert_msg(strstr(out, "empty item"), "%s", out);
  ck_assert_int_eq(cli("sweep --peers , --results %s", dir), 2);
  ck_assert_int_eq(cli("run resnet18 --res 32 --block 'layer 1.0'"), 2);
  ck_assert_msg(strstr(out, "layerS.I"), "%s", out);
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find("resnet18", &spec), RB_OK);
  int s, i;
  const char *bad[] = {"layer 1.0", "layer+1.0", "layer1. 0", "layer1.-0", "layer1.0 ", "layer1.99999999999", "layer01.0"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    ck_assert_msg(rb_graph_block_parse(&spec, bad[k], &s, &i) != RB_OK, "'%s' accepted", bad[k]);
  ck_assert_int_eq(rb_graph_block_parse(&spec, "layer2.1", &s, &i), RB_OK);
  ck_assert(s == 1 && i == 1);
}
END_TEST

START_TEST(memory_estimated_first) {
  struct timeval t0, t1;
  gettimeofday(&t0, NULL);
  ck_assert_int_eq(cli("run resnet18 --batch 64 --res 1024 --max-memory 1G"), 2);
  gettimeofday(&t1, NULL);
  ck_assert_msg(strstr(out, "needs about") && strstr(out, "GiB, more than --max-memory 1.00 GiB"), "%s", out);
  ck_assert_msg(t1.tv_sec - t0.tv_sec < 60, "the input was filled before the estimate");
  // The default limit is the machine's available memory: a width-4096 resnet50 (~590 GiB) never starts.
  // Bounded address space in the plain build, so an unfixed build fails instead of eating the machine.
  ck_assert_int_eq(shell("%s %s sweep --family resnet --depth 50 --width 4096 --results %s >%s 2>&1",
                         TU_ASAN ? "" : "ulimit -v 16000000;", cli_path(), dir, at("o")),
                   2);
  char *text = tu_slurp(at("o"), NULL);
  ck_assert_msg(strstr(text, "needs about") && strstr(text, "available memory"), "%s", text);
  free(text);
  ck_assert_int_eq(cli("sweep " GRID " --results %s --max-memory 1M", dir), 2);
  ck_assert_msg(strstr(out, "--max-memory 1.0 MiB"), "%s", out);
}
END_TEST

// The estimate against what rb_model_plan really allocates (glibc's malloc statistics).
START_TEST(memory_estimate_matches_plan) {
  if (TU_ASAN) return;  // ASan's allocator keeps its own books
  rb_model_spec spec;
  ck_assert_int_eq(rb_model_find(_i ? "resnest50d" : "resnet50", &spec), RB_OK);
  rb_graph *g;
  ck_assert_int_eq(rb_graph_build(&spec, 2, 96, 96, &g), RB_OK);
  const rb_kernels *k;
  ck_assert_int_eq(rb_kernels_get(RB_ISA_REF, &k), RB_OK);
  double est;
  ck_assert_int_eq(rb_model_plan_bytes(g, k, RB_CONV_DIRECT, &est), RB_OK);
  rb_random_weights rnd = {0};
  rb_model *m;
  const struct mallinfo2 before = mallinfo2();
  ck_assert_int_eq(rb_model_plan(g, k, RB_CONV_DIRECT, rb_weights_random, &rnd, &m), RB_OK);
  rb_random_weights_release(&rnd);  // the weight source's buffers are not the plan's
  const struct mallinfo2 after = mallinfo2();
  const double used = (double)(after.uordblks + after.hblkhd) - (double)(before.uordblks + before.hblkhd);
  ck_assert_msg(used > 0.8 * est && used < 1.25 * est, "estimate %.1f MB, allocated %.1f MB", est / 1e6,
                used / 1e6);
  rb_model_destroy(m);
  rb_graph_destroy(g);
}
END_TEST

START_TEST(exit_codes) {
  ck_assert_int_eq(cli("run resnet18 --res 32 --output %s", at("no/such/dir/y.safetensors")), 1);  // a failed write
  ck_assert_msg(strstr(out, "no/such/dir"), "%s", out);
  ck_assert_int_eq(cli("run nosuchnet"), 2);
  ck_assert_int_eq(cli("run resnet18 --bogus"), 2);
  ck_assert_int_eq(cli("bench conv nonsense"), 2);
  ck_assert_int_eq(cli("count resnet18 --res 8"), 2);
  ck_assert_int_eq(cli("info --domains l9"), 2);
  ck_assert_int_eq(cli("sweep --depth 51 --results %s", dir), 2);
  ck_assert_int_eq(cli("check --isa sse9"), 2);
}
END_TEST

START_TEST(bench_save_checks_directory_first) {
  const char *file = at("file");
  ck_assert_int_eq(shell("echo x > %s", file), 0);
  ck_assert_int_eq(cli("bench conv mb1ic8ih8oc8oh8kh1 --quick --peers none --domain core --results %s/sub", file), 2);
  ck_assert_msg(strstr(out, "not a directory") && !strstr(out, "median_ms"), "measured first: %s", out);
  ck_assert_int_eq(cli("bench model resnet18 --res 32 --quick --peers none --domain core --results %s/sub", file), 2);
  ck_assert_msg(!strstr(out, "median_ms"), "measured first: %s", out);
}
END_TEST

START_TEST(resume_with_huge_numbers) {
  const char *doc = at("doc.json");
  one_point_doc(doc);
  json_error_t err;
  json_t *d = json_load_file(doc, 0, &err);
  json_t *p0 = json_array_get(json_object_get(d, "points"), 0);
  json_object_set_new(p0, "depth", json_real(1e300));
  json_object_set_new(p0, "threads", json_real(-1e300));
  json_object_set_new(p0, "width", json_string("wide"));
  ck_assert_int_eq(json_dump_file(d, doc, JSON_INDENT(2)), 0);
  json_decref(d);
  ck_assert_msg(cli("sweep " GRID " --resume=%s --max-points 1", doc) == 0, "%s", out);
  ck_assert_msg(strstr(out, "d1e+300") && !strstr(out, "2147483648"), "%s", out);
  // A point that is not an object is a format error, before anything runs.
  ck_assert_int_eq(shell("printf '{\"grid\": {}, \"peaks\": [], \"points\": [1]}' > %s", doc), 0);
  ck_assert_int_eq(cli("sweep " GRID " --resume=%s", doc), 2);
  ck_assert_msg(strstr(out, "points[0] is not an object"), "%s", out);
}
END_TEST

Suite *reliability_suite(void) {
  Suite *s = suite_create("reliability");
  TCase *tc = tcase_create("reliability");
  tcase_set_timeout(tc, 900);  // real sweeps, some under qemu and ASan
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, fail_formats_its_own_message);
  tcase_add_test(tc, too_large_is_not_too_small);
  tcase_add_test(tc, fifo_inputs_refused);
  tcase_add_test(tc, concurrent_sweeps_keep_all);
  tcase_add_test(tc, concurrent_resumes_lose_nothing);
  tcase_add_loop_test(tc, interrupted_sweep_resumes, 0, 3);
  tcase_add_test(tc, output_symlink_followed);
  tcase_add_test(tc, output_special_files_refused);
  tcase_add_test(tc, output_dash_is_stdout);
  tcase_add_test(tc, output_equal_to_input_refused);
  tcase_add_test(tc, results_empty_refused);
  tcase_add_test(tc, markdown_beside_any_name);
  tcase_add_test(tc, long_resume_path_kept);
  tcase_add_test(tc, header_checked_before_data);
  tcase_add_test(tc, non_finite_reported);
  tcase_add_test(tc, conv_parser_names_the_field);
  tcase_add_test(tc, bn_fold_error_names_tensor_and_file);
  tcase_add_test(tc, stated_ranges_are_real);
  tcase_add_test(tc, strict_parsing);
  tcase_add_test(tc, memory_estimated_first);
  tcase_add_loop_test(tc, memory_estimate_matches_plan, 0, 2);
  tcase_add_test(tc, exit_codes);
  tcase_add_test(tc, bench_save_checks_directory_first);
  tcase_add_test(tc, resume_with_huge_numbers);
  suite_add_tcase(s, tc);
  return s;
}
