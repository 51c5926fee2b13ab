#include "resbench/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[512];

const char *rb_status_name(rb_status s) {
  switch (s) {
    case RB_OK: return "RB_OK";
    case RB_ERR_NULL: return "RB_ERR_NULL";
    case RB_ERR_INVALID_ARG: return "RB_ERR_INVALID_ARG";
    case RB_ERR_SHAPE: return "RB_ERR_SHAPE";
    case RB_ERR_UNSUPPORTED: return "RB_ERR_UNSUPPORTED";
    case RB_ERR_NOMEM: return "RB_ERR_NOMEM";
    case RB_ERR_IO: return "RB_ERR_IO";
    case RB_ERR_FORMAT: return "RB_ERR_FORMAT";
    case RB_ERR_NOT_FOUND: return "RB_ERR_NOT_FOUND";
  }
  return "RB_ERR_UNKNOWN";
}

const char *rb_last_error(void) { return last_error; }

rb_status rb_fail(rb_status s, const char *fmt, ...) {
  // Formatted apart first: callers may pass rb_last_error() itself as an argument.
  char msg[sizeof last_error];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  memcpy(last_error, msg, sizeof msg);
  return s;
}
