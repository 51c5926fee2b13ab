// Files resbench reads and writes: inputs are opened only when they are regular files (a FIFO,
// device or directory is refused at once, never blocks), outputs are written atomically.
//
// Output paths:
//   "-"                  standard output (written as is: not atomic, never replaced)
//   a symlink            followed (up to 40 links); its final target is written atomically
//   a regular file       replaced atomically: hidden temporary .NAME.<pid>.<n> in the same directory
//                        (mode 0644), fsync, rename, fsync of the directory
//   a new name           created the same way
//   a directory, FIFO, device node or socket: refused (RB_ERR_IO naming the path and what it is)
// A SIGINT, SIGTERM or SIGHUP (still at its default action) that arrives while the temporary file
// exists removes it before it ends the process, so a stopped run leaves only whole files. SIGKILL
// can leave a hidden .NAME.<pid>.<n>, never a partial NAME. One save at a time per process.
#ifndef RESBENCH_FILEIO_H
#define RESBENCH_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "resbench/status.h"

#ifdef __cplusplus
extern "C" {
#endif

// Opens a regular file for reading; *fd (close it) and *size. RB_ERR_IO naming the path otherwise.
rb_status rb_file_open_read(const char *path, int *fd, uint64_t *size);
// Reads exactly n bytes at offset (RB_ERR_IO / RB_ERR_FORMAT when the file ends early), naming path.
rb_status rb_file_pread(const char *path, int fd, void *buf, size_t n, uint64_t offset);

typedef struct rb_file_part {
  const void *data;
  size_t len;
} rb_file_part;

// Writes the parts, in order, to path as described above. exclusive: never replace an existing
// file: when path exists, *taken = 1 and RB_ERR_IO (the file is created complete or not at all,
// with link(2), so two processes can never both claim one name). taken may be NULL.
rb_status rb_file_save_parts(const char *path, const rb_file_part *parts, size_t n, int exclusive, int *taken);
// One buffer, replacing path.
rb_status rb_file_save_atomic(const char *path, const void *data, size_t len);
// The checks rb_file_save_parts makes before writing (a non-regular target is refused), to fail
// before the work whose result it would hold.
rb_status rb_file_check_output(const char *path);
// 1 when both paths name the same existing file (after symlinks), else 0.
int rb_file_same(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
