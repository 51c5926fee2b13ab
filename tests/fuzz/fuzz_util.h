// Shared by the libFuzzer targets (make fuzz): the input as a file, for readers that take a path.
#ifndef RESBENCH_FUZZ_UTIL_H
#define RESBENCH_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

// The data as a regular file (a memfd, no disk): its /proc/self/fd path, valid until the next call.
static inline const char *fuzz_as_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  static char path[64];
  if (fd < 0) {
    fd = memfd_create("resbench-fuzz", 0);
    if (fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  if (ftruncate(fd, 0) != 0) abort();
  for (size_t done = 0; done < size;) {
    const ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
    if (w <= 0) abort();
    done += (size_t)w;
  }
  return path;
}

#endif
