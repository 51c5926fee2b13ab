// Status codes and error messages. Every public function returns rb_status (or NULL plus a
// status); on failure rb_last_error() holds a message that names the bad value.
#ifndef RESBENCH_STATUS_H
#define RESBENCH_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rb_status {
  RB_OK = 0,
  RB_ERR_NULL,         // a required pointer is NULL
  RB_ERR_INVALID_ARG,  // a size, count or flag out of range
  RB_ERR_SHAPE,        // tensors or descriptors that do not fit together
  RB_ERR_UNSUPPORTED,  // valid, but not available: an ISA the CPU lacks, an algorithm that does not apply
  RB_ERR_NOMEM,
  RB_ERR_IO,           // a file that cannot be opened, read or written
  RB_ERR_FORMAT,       // a file that is truncated or corrupt
  RB_ERR_NOT_FOUND,    // an unknown name or a missing key
} rb_status;

// "RB_ERR_SHAPE" etc.
const char *rb_status_name(rb_status s);

// The message of the last failure on this thread ("" when none).
const char *rb_last_error(void);

// Records a printf-style message for this thread and returns s; used by every error path.
rb_status rb_fail(rb_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
