// Result records: context object, results directory naming, atomic JSON save, load, listing.
#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../kernels/table.h"

#ifndef RB_GIT_REV
#define RB_GIT_REV "unknown"
#endif
#ifndef RB_CC_VERSION
#define RB_CC_VERSION "unknown"
#endif
#ifndef RB_CFLAGS
#define RB_CFLAGS "unknown"
#endif

// Flags that matter for these kernels; the full list is long and says nothing more about speed.
static int relevant_flag(const char *f) {
  static const char *const prefixes[] = {"avx512", "amx", "sve", "sme"};
  static const char *const exact[] = {"avx", "avx2", "fma", "f16c", "asimd", "asimdhp", "asimddp", "fphp",
                                      "bf16", "i8mm", "avx_vnni", "sse4_2"};
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
    if (strncmp(f, prefixes[i], strlen(prefixes[i])) == 0)
      return 1;
  for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
    if (strcmp(f, exact[i]) == 0)
      return 1;
  return 0;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

// CPU model and relevant flags from /proc/cpuinfo (first processor only).
static void read_cpuinfo(char *model, size_t len, json_t *flags) {
  snprintf(model, len, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f)
    return;
  char line[8192], implementer[64] = "", part[64] = "", hardware[256] = "";
  int have_model = 0, have_flags = 0;
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon)
      continue;
    *colon = '\0';
    char *key = trim(line), *val = trim(colon + 1);
    if (!have_model && (strcmp(key, "model name") == 0 || strcmp(key, "Model name") == 0) && *val) {
      snprintf(model, len, "%s", val);
      have_model = 1;
    } else if (!*hardware && strcmp(key, "Hardware") == 0) {
      snprintf(hardware, sizeof hardware, "%s", val);
    } else if (!*implementer && strcmp(key, "CPU implementer") == 0) {
      snprintf(implementer, sizeof implementer, "%s", val);
    } else if (!*part && strcmp(key, "CPU part") == 0) {
      snprintf(part, sizeof part, "%s", val);
    } else if (!have_flags && (strcmp(key, "flags") == 0 || strcmp(key, "Features") == 0)) {
      have_flags = 1;
      for (char *save = NULL, *tok = strtok_r(val, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        if (relevant_flag(tok))
          json_array_append_new(flags, json_string(tok));
    }
  }
  fclose(f);
  if (!have_model && *hardware)
    snprintf(model, len, "%s", hardware);
  else if (!have_model && *part)
    snprintf(model, len, "arm implementer %s part %s", *implementer ? implementer : "?", part);
}

// x86's "cpu family" and "model" as "f26m17": the model name alone ("AMD EPYC") is the same for an
// AVX2 Zen 2 and an AVX-512 Zen 5, whose results must not share a directory. "" when absent (arm:
// its implementer and part are in the model string already).
static void cpu_id(char *buf, size_t len) {
  buf[0] = '\0';
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f)
    return;
  char line[512];
  long fam = -1, mod = -1;
  while (fgets(line, sizeof line, f) && (fam < 0 || mod < 0)) {
    char *colon = strchr(line, ':');
    if (!colon)
      continue;
    *colon = '\0';
    const char *key = trim(line);
    if (fam < 0 && strcmp(key, "cpu family") == 0)
      fam = strtol(colon + 1, NULL, 10);
    else if (mod < 0 && strcmp(key, "model") == 0)
      mod = strtol(colon + 1, NULL, 10);
  }
  fclose(f);
  if (fam >= 0 && mod >= 0)
    snprintf(buf, len, "f%ldm%ld", fam, mod);
}

static void utc_format(char *buf, size_t len, const char *fmt) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  if (strftime(buf, len, fmt, &tm) == 0 && len > 0)
    buf[0] = '\0';
}

void rb_results_timestamp(char *buf, size_t len) { utc_format(buf, len, "%Y%m%dT%H%M%SZ"); }

static char *command_line;

// argv[0] becomes "resbench"; an argument with characters a shell treats specially is single-quoted.
void rb_results_set_command(int argc, char **argv) {
  free(command_line);
  command_line = NULL;
  size_t len = 16;
  for (int i = 1; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
  char *s = malloc(len);
  if (!s) return;
  strcpy(s, "resbench");
  char *o = s + strlen(s);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const int plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+-@%") == strlen(a);
    *o++ = ' ';
    if (!plain) *o++ = '\'';
    for (; *a; a++) {
      if (*a == '\'' && !plain) {
        memcpy(o, "'\\''", 4);
        o += 4;
      } else {
        *o++ = *a;
      }
    }
    if (!plain) *o++ = '\'';
  }
  *o = 0;
  command_line = s;
}

json_t *rb_results_context(int argc, char **argv) {
  json_t *ctx = json_object();
  char host[256] = "unknown";
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = '\0';
  json_object_set_new(ctx, "host", json_string(host));

  char model[256];
  json_t *flags = json_array();
  read_cpuinfo(model, sizeof model, flags);
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  char id[48];
  cpu_id(id, sizeof id);
  json_object_set_new(ctx, "cpu", json_pack("{s:s, s:s, s:o, s:I}", "model", model, "id", id, "flags", flags,
                                            "logical_cpus", (json_int_t)(ncpu > 0 ? ncpu : 0)));

  json_t *avail = json_array();
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (rb_isa_available((rb_isa)i))
      json_array_append_new(avail, json_string(rb_isa_name((rb_isa)i)));
  const rb_kernels *k;
  // An invalid RESBENCH_ISA gives null, not a guess.
  json_t *def = rb_kernels_default(&k) == RB_OK ? json_string(k->isa_name) : json_null();
  json_object_set_new(ctx, "isa", json_pack("{s:o, s:o}", "available", avail, "default", def));

  json_object_set_new(ctx, "compiler", json_pack("{s:s, s:s}", "version", RB_CC_VERSION, "flags", RB_CFLAGS));

  char hwloc_v[32];
  unsigned hv = hwloc_get_api_version();
  snprintf(hwloc_v, sizeof hwloc_v, "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
  json_object_set_new(ctx, "libraries",
                      json_pack("{s:s, s:s, s:s}", "google_benchmark",
                                "1.7.1 (Debian build, reports itself as a debug library)", "hwloc", hwloc_v,
                                "jansson", JANSSON_VERSION));

  json_object_set_new(ctx, "git_revision", json_string(RB_GIT_REV));
  char date[32];
  utc_format(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ");
  json_object_set_new(ctx, "date", json_string(date));

  if (command_line) {
    json_object_set_new(ctx, "command", json_string(command_line));
    argc = 0;  // the typed command line wins
  }
  size_t clen = 1;
  for (int i = 0; i < argc; i++)
    clen += strlen(argv[i]) + 1;
  char *cmd = argc ? malloc(clen) : NULL;
  if (cmd) {
    cmd[0] = '\0';
    for (int i = 0; i < argc; i++) {
      if (i)
        strcat(cmd, " ");
      strcat(cmd, argv[i]);
    }
    json_object_set_new(ctx, "command", json_string(cmd));
    free(cmd);
  }
  json_object_set_new(ctx, "resbench_schema", json_integer(1));
  return ctx;
}

// Lowercase, runs of characters outside [a-z0-9] -> one '-', trimmed, at most max chars.
static void sanitize(const char *s, char *out, size_t max) {
  size_t n = 0;
  int dash = 0;
  for (; *s && n < max; s++) {
    char c = *s;
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && n > 0 && n + 1 < max)
        out[n++] = '-';
      dash = 0;
      out[n++] = c;
    } else {
      dash = 1;
    }
  }
  out[n] = '\0';
  if (n == 0)
    snprintf(out, max + 1, "unknown");
}

rb_status rb_results_dir_for(const char *root, const char *host, const char *cpu, char *buf, size_t len) {
  if (!buf || !host || !cpu)
    return rb_fail(RB_ERR_NULL, "rb_results_dir_for: NULL argument");
  if (root && !*root)  // "" would put the results at the filesystem root
    return rb_fail(RB_ERR_INVALID_ARG, "--results: empty directory name (use . for this directory)");
  char h[41], c[41];
  sanitize(host, h, 40);
  sanitize(cpu, c, 40);
  int n = snprintf(buf, len, "%s/%s-%s", root ? root : "results", h, c);
  if (n < 0 || (size_t)n >= len)
    return rb_fail(RB_ERR_INVALID_ARG, "results directory '%s/%s-%s' does not fit in %zu bytes",
                   root ? root : "results", h, c, len);
  return RB_OK;
}

rb_status rb_results_dir(const char *root, char *buf, size_t len) {
  char host[256] = "unknown", model[256];
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = '\0';
  json_t *flags = json_array();
  read_cpuinfo(model, sizeof model, flags);
  json_decref(flags);
  rb_status st = rb_results_dir_for(root, host, model, buf, len);
  char id[48];
  cpu_id(id, sizeof id);
  const size_t n = strlen(buf);
  if (st == RB_OK && *id && (size_t)snprintf(buf + n, len - n, "-%s", id) >= len - n)
    st = rb_fail(RB_ERR_INVALID_ARG, "results directory '%s-%s' does not fit in %zu bytes", buf, id, len);
  return st;
}

rb_status rb_results_mkdir(const char *dir) {
  if (!dir || !*dir)
    return rb_fail(RB_ERR_NULL, "rb_results_mkdir: empty directory name");
  char *p = strdup(dir);
  if (!p)
    return rb_fail(RB_ERR_NOMEM, "rb_results_mkdir: out of memory");
  for (char *s = p + 1;; s++) {
    int end = *s == '\0';
    if (*s == '/' || end) {
      *s = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        rb_status st = rb_fail(RB_ERR_IO, "cannot create directory '%s': %s", p, strerror(errno));
        free(p);
        return st;
      }
      struct stat sb;
      if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rb_status st = rb_fail(RB_ERR_IO, "cannot create directory '%s': exists and is not a directory", p);
        free(p);
        return st;
      }
      if (end)
        break;
      *s = '/';
    }
  }
  free(p);
  return RB_OK;
}

rb_status rb_json_save_atomic(const json_t *doc, const char *path) {
  if (!doc || !path) return rb_fail(RB_ERR_NULL, "rb_json_save_atomic: NULL argument");
  char *text = json_dumps(doc, JSON_INDENT(2));
  if (!text) return rb_fail(RB_ERR_NOMEM, "cannot serialise the JSON document for '%s'", path);
  const size_t n = strlen(text);
  char *line = realloc(text, n + 2);  // with a final newline
  if (!line) {
    free(text);
    return rb_fail(RB_ERR_NOMEM, "cannot serialise the JSON document for '%s'", path);
  }
  line[n] = '\n', line[n + 1] = 0;
  const rb_status st = rb_file_save_atomic(path, line, n + 1);
  free(line);
  return st;
}

// Result documents are small; a larger file is not one (and is not read whole to find out).
#define RB_JSON_MAX_BYTES (256u << 20)

rb_status rb_json_load(const char *path, json_t **doc) {
  if (!path || !doc)
    return rb_fail(RB_ERR_NULL, "rb_json_load: NULL argument");
  *doc = NULL;
  int fd;
  uint64_t size;
  rb_status st = rb_file_open_read(path, &fd, &size);
  if (st != RB_OK)
    return st;
  char *text = NULL;
  if (size > RB_JSON_MAX_BYTES)
    st = rb_fail(RB_ERR_FORMAT, "%s: %llu bytes, larger than a result document can be (%u MiB)", path,
                 (unsigned long long)size, RB_JSON_MAX_BYTES >> 20);
  else if (!(text = malloc(size ? (size_t)size : 1)))
    st = rb_fail(RB_ERR_NOMEM, "%s: out of memory for %llu bytes", path, (unsigned long long)size);
  else
    st = rb_file_pread(path, fd, text, (size_t)size, 0);
  close(fd);
  if (st == RB_OK) {
    json_error_t err;
    *doc = json_loadb(text, (size_t)size, 0, &err);
    if (!*doc)
      st = rb_fail(RB_ERR_FORMAT, "%s:%d: invalid JSON: %s", path, err.line, err.text);
  }
  free(text);
  return st;
}

static int cmp_desc(const void *a, const void *b) { return strcmp(*(char *const *)b, *(char *const *)a); }

rb_status rb_results_list(const char *dir, const char *prefix, char ***paths, int *count) {
  if (!dir || !paths || !count)
    return rb_fail(RB_ERR_NULL, "rb_results_list: NULL argument");
  *paths = NULL;
  *count = 0;
  if (!prefix)
    prefix = "";
  DIR *d = opendir(dir);
  if (!d)
    return rb_fail(RB_ERR_IO, "cannot open directory '%s': %s", dir, strerror(errno));
  char **names = NULL;
  int n = 0, cap = 0;
  size_t plen = strlen(prefix);
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0 || strncmp(e->d_name, prefix, plen) != 0)
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      char **nn = realloc(names, (size_t)cap * sizeof *names);
      if (!nn)
        goto nomem;
      names = nn;
    }
    if (!(names[n] = strdup(e->d_name)))
      goto nomem;
    n++;
  }
  closedir(d);
  // Names carry a fixed-width UTC stamp after the prefix: descending name order is newest first.
  qsort(names, (size_t)n, sizeof *names, cmp_desc);
  for (int i = 0; i < n; i++) {
    size_t l = strlen(dir) + strlen(names[i]) + 2;
    char *full = malloc(l);
    if (!full) {
      for (int j = 0; j < n; j++)
        free(names[j]);
      free(names);
      return rb_fail(RB_ERR_NOMEM, "rb_results_list: out of memory");
    }
    snprintf(full, l, "%s/%s", dir, names[i]);
    free(names[i]);
    names[i] = full;
  }
  *paths = names;
  *count = n;
  return RB_OK;
nomem:
  closedir(d);
  for (int j = 0; j < n; j++)
    free(names[j]);
  free(names);
  return rb_fail(RB_ERR_NOMEM, "rb_results_list: out of memory");
}

void rb_results_list_free(char **paths, int count) {
  for (int i = 0; i < count; i++)
    free(paths[i]);
  free(paths);
}
