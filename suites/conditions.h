// The machine's state around a measurement, recorded in result documents so a reader can tell a
// quiet run from a disturbed one: load average and CPU clock at the start and end of a run, and
// warnings for a busy machine or a noisy point.
#ifndef RESBENCH_CONDITIONS_H
#define RESBENCH_CONDITIONS_H

#include <jansson.h>
#include <stddef.h>

// {"loadavg": [1, 5, 15 min] or null, "cpu_mhz": {"min", "median", "max", "cpus"} or null}, from
// /proc/loadavg and the "cpu MHz" lines of /proc/cpuinfo (absent on many aarch64 kernels).
json_t *rb_conditions_now(void);
// 1 and a warning in buf when the 1-minute load average is above 0.5 per logical CPU.
int rb_conditions_busy(const json_t *conditions, int logical_cpus, char *buf, size_t len);
// 1 and a warning when a point's (or a peer's, prefix "<peer>_") min and median differ by more than 10 %.
int rb_point_noisy(const json_t *point, const char *prefix, char *buf, size_t len);

#endif
