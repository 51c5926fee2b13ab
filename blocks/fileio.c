// Reading regular files only, and atomic writes (see resbench/fileio.h).
#include "resbench/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "directory";
  if (S_ISFIFO(m)) return "FIFO";
  if (S_ISCHR(m)) return "character device";
  if (S_ISBLK(m)) return "block device";
  if (S_ISSOCK(m)) return "socket";
  return "special file";
}

rb_status rb_file_open_read(const char *path, int *fd, uint64_t *size) {
  if (!path || !fd || !size) return rb_fail(RB_ERR_NULL, "rb_file_open_read: NULL argument");
  *fd = -1;
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
  const int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (f < 0) return rb_fail(RB_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(f, &st) != 0) {
    const int e = errno;
    close(f);
    return rb_fail(RB_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(f);
    return rb_fail(RB_ERR_IO, "%s: is a %s, not a regular file", path, kind_of(st.st_mode));
  }
  const int fl = fcntl(f, F_GETFL);
  if (fl >= 0) (void)fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
  *fd = f;
  *size = (uint64_t)st.st_size;
  return RB_OK;
}

rb_status rb_file_pread(const char *path, int fd, void *buf, size_t n, uint64_t offset) {
  unsigned char *p = buf;
  while (n > 0) {
    const ssize_t r = pread(fd, p, n, (off_t)offset);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return rb_fail(RB_ERR_IO, "%s: cannot read at offset %llu: %s", path, (unsigned long long)offset,
                              strerror(errno));
    if (r == 0)
      return rb_fail(RB_ERR_FORMAT, "%s: file ends at offset %llu, %zu bytes short", path,
                     (unsigned long long)offset, n);
    p += r, n -= (size_t)r, offset += (uint64_t)r;
  }
  return RB_OK;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    const ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = EIO;
      return -1;
    }
    p += w, len -= (size_t)w;
  }
  return 0;
}

// The final target of path after symlinks (*out malloc'ed; path itself when it is no link).
static rb_status resolve_links(const char *path, char **out) {
  char *p = strdup(path);
  *out = NULL;
  for (int hops = 0; p; hops++) {
    struct stat st;
    if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode)) {  // a new name, or not a link
      *out = p;
      return RB_OK;
    }
    char target[PATH_MAX];
    const ssize_t n = hops == 40 ? -1 : readlink(p, target, sizeof target - 1);
    if (n < 0) {
      const rb_status s = hops == 40 ? rb_fail(RB_ERR_IO, "%s: too many levels of symbolic links", path)
                                     : rb_fail(RB_ERR_IO, "%s: cannot read symbolic link %s: %s", path, p,
                                               strerror(errno));
      free(p);
      return s;
    }
    target[n] = 0;
    const char *slash = strrchr(p, '/');
    char *next;
    if (target[0] == '/' || !slash) {
      next = strdup(target);
    } else {  // relative to the link's directory
      const size_t dl = (size_t)(slash - p) + 1, len = dl + (size_t)n + 1;
      if ((next = malloc(len))) snprintf(next, len, "%.*s%s", (int)dl, p, target);
    }
    free(p);
    p = next;
  }
  return rb_fail(RB_ERR_NOMEM, "%s: out of memory", path);
}

// A stop signal (SIGINT, SIGTERM, SIGHUP) while a temporary file exists removes it, then acts as it
// would have: any thread may take a process-directed signal, so masking one thread is not enough.
// One save at a time per process (resbench saves from its main thread).
static char in_flight[PATH_MAX + 16];
static volatile sig_atomic_t in_flight_set;

static void on_stop_signal(int sig) {
  if (in_flight_set) unlink(in_flight);  // async-signal-safe; ENOENT after the rename is harmless
  signal(sig, SIG_DFL);
  raise(sig);
}

// Installed once, for the signals still at their default action (a program's own handlers stay).
static void watch_stop_signals(void) {
  static int done;
  if (done) return;
  done = 1;
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction old;
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
      struct sigaction sa = {0};
      sa.sa_handler = on_stop_signal;
      sigemptyset(&sa.sa_mask);
      sigaction(sigs[i], &sa, NULL);
    }
  }
}

static rb_status save_stdout(const rb_file_part *parts, size_t n) {
  fflush(stdout);  // what was printed before comes first
  for (size_t i = 0; i < n; i++)
    if (write_all(STDOUT_FILENO, parts[i].data, parts[i].len) != 0)
      return rb_fail(RB_ERR_IO, "cannot write to standard output: %s", strerror(errno));
  return RB_OK;
}

rb_status rb_file_save_parts(const char *path, const rb_file_part *parts, size_t n, int exclusive, int *taken) {
  if (taken) *taken = 0;
  if (!path || (!parts && n)) return rb_fail(RB_ERR_NULL, "rb_file_save_parts: NULL argument");
  if (!*path) return rb_fail(RB_ERR_IO, "cannot write a file with an empty name");
  for (size_t i = 0; i < n; i++)
    if (!parts[i].data && parts[i].len) return rb_fail(RB_ERR_NULL, "rb_file_save_parts: NULL data");
  if (strcmp(path, "-") == 0) return save_stdout(parts, n);
  char *target;
  rb_status st = resolve_links(path, &target);
  if (st != RB_OK) return st;
  char *tmp = NULL;
  struct stat sb;
  if (stat(target, &sb) == 0) {
    if (!S_ISREG(sb.st_mode)) {
      st = rb_fail(RB_ERR_IO, "%s: is a %s, not a regular file: refusing to replace it", path, kind_of(sb.st_mode));
      goto out;
    }
    if (exclusive) {
      if (taken) *taken = 1;
      st = rb_fail(RB_ERR_IO, "%s: already exists", path);
      goto out;
    }
  }
  const char *slash = strrchr(target, '/');
  const size_t dl = slash ? (size_t)(slash - target) + 1 : 0, tl = strlen(target) + 32;
  if (!(tmp = malloc(tl)) || tl > sizeof in_flight) {
    st = rb_fail(RB_ERR_NOMEM, "%s: out of memory", path);
    goto out;
  }
  watch_stop_signals();
  // Not mkstemp: the name must be known (to the signal handler) before the file exists, since a
  // signal is taken right when the creating open() returns. Same directory: rename is atomic.
  static unsigned serial;
  int fd = -1;
  for (int tries = 0; fd < 0 && tries < 100; tries++) {
    snprintf(tmp, tl, "%.*s.%s.%ld.%u", (int)dl, target, target + dl, (long)getpid(), serial++);
    memcpy(in_flight, tmp, strlen(tmp) + 1);
    in_flight_set = 1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) in_flight_set = 0;
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    st = rb_fail(RB_ERR_IO, "%s: cannot create a temporary file in %.*s: %s", path, dl ? (int)dl : 1,
                 dl ? target : ".", strerror(errno));
    goto out;
  }
  const char *what = "write";
  // Created 0600 (nobody reads it half-written); an output is for everyone to read, like any other.
  int err = fchmod(fd, 0644) != 0 ? (what = "chmod", 1) : 0;
  for (size_t i = 0; i < n && !err; i++) err = write_all(fd, parts[i].data, parts[i].len) != 0;
  if (!err && fsync(fd) != 0) err = 1, what = "fsync";
  int e = errno;
  if (close(fd) != 0 && !err) err = 1, what = "close", e = errno;
  if (!err && exclusive) {  // link never replaces: of two processes, one gets the name
    if (link(tmp, target) != 0) {
      err = 1, what = "link", e = errno;
      if (e == EEXIST && taken) *taken = 1;
    }
  } else if (!err && rename(tmp, target) != 0) {
    err = 1, what = "rename", e = errno;
  }
  if (err || exclusive) unlink(tmp);
  in_flight_set = 0;
  if (err) {
    st = rb_fail(RB_ERR_IO, "%s: %s failed (temporary file removed): %s", path, what, strerror(e));
    goto out;
  }
  // Make the rename itself durable; the file is complete either way.
  char *dir = strndup(target, dl);
  if (dir) {
    const int dfd = open(dl ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)fsync(dfd);
      close(dfd);
    }
    free(dir);
  }
out:
  free(tmp);
  free(target);
  return st;
}

rb_status rb_file_save_atomic(const char *path, const void *data, size_t len) {
  const rb_file_part part = {data, len};
  return rb_file_save_parts(path, &part, 1, 0, NULL);
}

rb_status rb_file_check_output(const char *path) {
  if (!path) return rb_fail(RB_ERR_NULL, "rb_file_check_output: NULL path");
  if (!*path) return rb_fail(RB_ERR_IO, "cannot write a file with an empty name");
  if (strcmp(path, "-") == 0) return RB_OK;
  char *target;
  rb_status st = resolve_links(path, &target);
  if (st != RB_OK) return st;
  struct stat sb;
  if (stat(target, &sb) == 0 && !S_ISREG(sb.st_mode))
    st = rb_fail(RB_ERR_IO, "%s: is a %s, not a regular file: refusing to replace it", path, kind_of(sb.st_mode));
  free(target);
  return st;
}

int rb_file_same(const char *a, const char *b) {
  struct stat sa, sb;
  if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
