// Load average, CPU clock and noise warnings for result documents (see conditions.h).
#include "conditions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

json_t *rb_conditions_now(void) {
  json_t *c = json_object();
  double l[3];
  FILE *f = fopen("/proc/loadavg", "r");
  if (f && fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) == 3)
    json_object_set_new(c, "loadavg", json_pack("[f, f, f]", l[0], l[1], l[2]));
  else
    json_object_set_new(c, "loadavg", json_null());
  if (f) fclose(f);
  double mhz[1024];
  int n = 0;
  char line[512];
  if ((f = fopen("/proc/cpuinfo", "r"))) {
    while (n < 1024 && fgets(line, sizeof line, f))
      if (!strncmp(line, "cpu MHz", 7) && strchr(line, ':')) mhz[n++] = atof(strchr(line, ':') + 1);
    fclose(f);
  }
  if (n) {
    qsort(mhz, (size_t)n, sizeof *mhz, cmp_double);
    json_object_set_new(c, "cpu_mhz", json_pack("{s:f, s:f, s:f, s:i}", "min", mhz[0], "median", mhz[n / 2], "max",
                                                mhz[n - 1], "cpus", n));
  } else {
    json_object_set_new(c, "cpu_mhz", json_null());
  }
  return c;
}

int rb_conditions_busy(const json_t *c, int cpus, char *buf, size_t len) {
  const json_t *l = json_array_get(json_object_get(c, "loadavg"), 0);
  buf[0] = 0;
  if (!json_is_number(l) || cpus < 1 || json_number_value(l) <= 0.5 * cpus) return 0;
  snprintf(buf, len, "load average %.2f on %d logical CPU(s) (above 0.5 per CPU): other work shares the machine",
           json_number_value(l), cpus);
  return 1;
}

int rb_point_noisy(const json_t *p, const char *prefix, char *buf, size_t len) {
  char kmin[96], kmed[96];
  snprintf(kmin, sizeof kmin, "%smin_ms", prefix);
  snprintf(kmed, sizeof kmed, "%smedian_ms", prefix);
  const json_t *mn = json_object_get(p, kmin), *md = json_object_get(p, kmed);
  buf[0] = 0;
  if (!json_is_number(mn) || !json_is_number(md) || json_number_value(md) <= 0) return 0;
  const double d = (json_number_value(md) - json_number_value(mn)) / json_number_value(md);
  if (d <= 0.10) return 0;
  snprintf(buf, len, "%smin %.3f ms is %.0f %% below the median %.3f ms (more than 10 %%): a noisy measurement",
           prefix, json_number_value(mn), 100 * d, json_number_value(md));
  return 1;
}
