// Topology and measurement domains: synthetic machines give the expected domains and thread
// placements, domain lists parse (or name the bad word), XML round trips, and binding on this
// machine puts OpenMP thread i on PU pus[i]. Also `resbench info` as a user runs it.
#define _GNU_SOURCE  // sched_getcpu
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resbench/probe.h"
#include "testutil.h"
#include "topology.h"

static rb_domain dom;  // 4 KiB of PUs: static, not on the stack of every test

static rb_topology *synthetic(const char *desc) {
  rb_topology *t;
  ck_assert_msg(rb_topology_load_synthetic(desc, &t) == RB_OK, "%s: %s", desc, rb_last_error());
  return t;
}

// The domain has n threads pinned to PUs first, first + step, ...
static void assert_domain(const rb_topology *t, rb_domain_kind kind, int n, int first, int step) {
  ck_assert_msg(rb_topology_domain(t, kind, &dom) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(dom.kind, kind);
  ck_assert_str_eq(dom.name, rb_domain_kind_name(kind));
  ck_assert_msg(dom.threads == n, "domain %s: %d threads, want %d", dom.name, dom.threads, n);
  for (int i = 0; i < n; i++)
    ck_assert_msg(dom.pus[i] == first + i * step, "domain %s: thread %d on PU %d, want %d", dom.name, i, dom.pus[i],
                  first + i * step);
}

// 2 packages x 2 NUMA nodes x 2 L3 x 4 cores x 2 PUs: one thread per core on its first PU (even
// PUs); an L3 domain is 4 cores, a NUMA node 8, the machine 32.
START_TEST(synthetic_domains) {
  rb_topology *t = synthetic("pack:2 numa:2 l3:2(size=33554432) core:4 pu:2");
  const rb_topology_counts c = rb_topology_get_counts(t);
  ck_assert_int_eq(c.packages, 2);
  ck_assert_int_eq(c.numa_nodes, 4);
  ck_assert_int_eq(c.l3_domains, 8);
  ck_assert_int_eq(c.cores, 32);
  ck_assert_int_eq(c.pus, 64);
  ck_assert_uint_eq(c.l3_bytes, 33554432);
  ck_assert_int_eq(rb_topology_is_this_system(t), 0);
  assert_domain(t, RB_DOMAIN_CORE, 1, 0, 2);
  assert_domain(t, RB_DOMAIN_L3, 4, 0, 2);
  assert_domain(t, RB_DOMAIN_NUMA, 8, 0, 2);
  assert_domain(t, RB_DOMAIN_MACHINE, 32, 0, 2);
  rb_topology_destroy(t);

  // NUMA nodes wider than an L3 and one PU per core: consecutive PUs.
  t = synthetic("numa:2 pack:2 l3:3 core:2 pu:1");
  assert_domain(t, RB_DOMAIN_CORE, 1, 0, 1);
  assert_domain(t, RB_DOMAIN_L3, 2, 0, 1);
  assert_domain(t, RB_DOMAIN_NUMA, 12, 0, 1);
  assert_domain(t, RB_DOMAIN_MACHINE, 24, 0, 1);
  rb_topology_destroy(t);
}
END_TEST

// Without L3 the l3 domain is the machine; with one NUMA node, so is numa. Without a Core level
// every PU is a core.
START_TEST(synthetic_without_l3_or_cores) {
  rb_topology *t = synthetic("pack:2 core:2 pu:2");
  const rb_topology_counts c = rb_topology_get_counts(t);
  ck_assert_int_eq(c.l3_domains, 0);
  ck_assert_uint_eq(c.l3_bytes, 0);
  ck_assert_int_eq(c.numa_nodes, 1);
  ck_assert_int_eq(c.cores, 4);
  assert_domain(t, RB_DOMAIN_CORE, 1, 0, 2);
  assert_domain(t, RB_DOMAIN_L3, 4, 0, 2);
  assert_domain(t, RB_DOMAIN_NUMA, 4, 0, 2);
  assert_domain(t, RB_DOMAIN_MACHINE, 4, 0, 2);
  rb_topology_destroy(t);

  t = synthetic("pack:2 pu:3");
  ck_assert_int_eq(rb_topology_get_counts(t).cores, 6);
  assert_domain(t, RB_DOMAIN_CORE, 1, 0, 1);
  assert_domain(t, RB_DOMAIN_MACHINE, 6, 0, 1);
  rb_topology_destroy(t);
}
END_TEST

// HWLOC_SYNTHETIC applies to the plain load; such a topology is not this machine, so binding is
// refused instead of pinning threads by a made-up map.
START_TEST(synthetic_from_environment) {
  setenv("HWLOC_SYNTHETIC", "pack:1 l3:2 core:3 pu:2", 1);
  rb_topology *t;
  const rb_status s = rb_topology_load(&t);
  unsetenv("HWLOC_SYNTHETIC");
  ck_assert_msg(s == RB_OK, "%s", rb_last_error());
  const rb_topology_counts c = rb_topology_get_counts(t);
  ck_assert_int_eq(c.l3_domains, 2);
  ck_assert_int_eq(c.cores, 6);
  ck_assert_int_eq(c.pus, 12);
  ck_assert_int_eq(rb_topology_is_this_system(t), 0);
  assert_domain(t, RB_DOMAIN_L3, 3, 0, 2);
  ASSERT_FAILS(rb_domain_bind(t, &dom), RB_ERR_UNSUPPORTED, "not this machine's");
  rb_topology_destroy(t);
}
END_TEST

START_TEST(load_errors) {
  rb_topology *t = (rb_topology *)&dom;
  ASSERT_FAILS(rb_topology_load_synthetic("pack:x core:2", &t), RB_ERR_INVALID_ARG, "'pack:x core:2'");
  ck_assert_ptr_null(t);
  ASSERT_FAILS(rb_topology_load_synthetic(NULL, &t), RB_ERR_NULL, "NULL");
  ASSERT_FAILS(rb_topology_load(NULL), RB_ERR_NULL, "NULL");
  ASSERT_FAILS(rb_topology_load_xml("/nonexistent/topo.xml", &t), RB_ERR_IO, "/nonexistent/topo.xml");
  t = synthetic("pack:1 core:2 pu:1");
  ASSERT_FAILS(rb_topology_domain(t, RB_DOMAIN_COUNT, &dom), RB_ERR_INVALID_ARG, "4");
  ASSERT_FAILS(rb_topology_domain(t, RB_DOMAIN_CORE, NULL), RB_ERR_NULL, "NULL");
  rb_topology_destroy(t);
  rb_topology_destroy(NULL);
}
END_TEST

START_TEST(domain_parsing) {
  rb_domain_kind k[RB_DOMAIN_COUNT];
  int n = -1;
  ck_assert_int_eq(rb_domain_list_parse("core,l3,numa,machine", k, &n), RB_OK);
  ck_assert_int_eq(n, 4);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(k[i], (rb_domain_kind)i);
  ck_assert_int_eq(rb_domain_list_parse("machine,core", k, &n), RB_OK);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(k[0], RB_DOMAIN_MACHINE);
  ck_assert_int_eq(k[1], RB_DOMAIN_CORE);
  ck_assert_int_eq(rb_domain_list_parse("numa", k, &n), RB_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(k[0], RB_DOMAIN_NUMA);
  for (int i = 0; i < RB_DOMAIN_COUNT; i++) {
    rb_domain_kind one;
    ck_assert_int_eq(rb_domain_kind_parse(rb_domain_kind_name((rb_domain_kind)i), &one), RB_OK);
    ck_assert_int_eq(one, (rb_domain_kind)i);
  }

  ASSERT_FAILS(rb_domain_list_parse("core,l2", k, &n), RB_ERR_INVALID_ARG,
               "unknown domain 'l2': use core, l3, numa, machine");
  ck_assert_int_eq(n, 0);
  ASSERT_FAILS(rb_domain_list_parse("L3", k, &n), RB_ERR_INVALID_ARG, "unknown domain 'L3'");
  ASSERT_FAILS(rb_domain_list_parse("core, l3", k, &n), RB_ERR_INVALID_ARG, "unknown domain ' l3'");
  ASSERT_FAILS(rb_domain_list_parse("core,,l3", k, &n), RB_ERR_INVALID_ARG, "empty domain name in 'core,,l3'");
  ASSERT_FAILS(rb_domain_list_parse("core,", k, &n), RB_ERR_INVALID_ARG, "empty domain name in 'core,'");
  ASSERT_FAILS(rb_domain_list_parse("", k, &n), RB_ERR_INVALID_ARG, "empty domain list");
  ASSERT_FAILS(rb_domain_list_parse("core,numa,core", k, &n), RB_ERR_INVALID_ARG,
               "domain 'core' listed twice in 'core,numa,core'");
  ASSERT_FAILS(rb_domain_list_parse("core,a-very-long-domain-name-that-is-not-a-domain-at-all", k, &n),
               RB_ERR_INVALID_ARG, "'a-very-long-domain-name-that-is-not-a-domain-at-all'");
  ASSERT_FAILS(rb_domain_list_parse(NULL, k, &n), RB_ERR_NULL, "NULL");
  rb_domain_kind one;
  ASSERT_FAILS(rb_domain_kind_parse("socket", &one), RB_ERR_INVALID_ARG, "unknown domain 'socket'");
  ck_assert_str_eq(rb_domain_kind_name(RB_DOMAIN_COUNT), "unknown");
}
END_TEST

// Saved XML loads back (by path and through HWLOC_XMLFILE) with the same counts and domains,
// leaves no temporary file, and replaces an older file. Unwritable places are named errors.
START_TEST(xml_round_trip) {
  char dir[] = "/tmp/resbench-topo-XXXXXX", path[256];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/topo.xml", dir);
  FILE *old = fopen(path, "w");
  ck_assert_ptr_nonnull(old);
  fputs("stale", old);
  fclose(old);
  rb_topology *t = synthetic("pack:2 numa:2 l3:2(size=33554432) core:4 pu:2");
  ck_assert_msg(rb_topology_save_xml(t, path) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(tu_count_entries(dir, ""), 1);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0644);

  const rb_topology_counts want = rb_topology_get_counts(t);
  rb_topology *back[2];
  ck_assert_msg(rb_topology_load_xml(path, &back[0]) == RB_OK, "%s", rb_last_error());
  setenv("HWLOC_XMLFILE", path, 1);
  const rb_status s = rb_topology_load(&back[1]);
  unsetenv("HWLOC_XMLFILE");
  ck_assert_msg(s == RB_OK, "%s", rb_last_error());
  for (int i = 0; i < 2; i++) {
    const rb_topology_counts got = rb_topology_get_counts(back[i]);
    ck_assert_int_eq(got.packages, want.packages);
    ck_assert_int_eq(got.numa_nodes, want.numa_nodes);
    ck_assert_int_eq(got.l3_domains, want.l3_domains);
    ck_assert_int_eq(got.cores, want.cores);
    ck_assert_int_eq(got.pus, want.pus);
    ck_assert_uint_eq(got.l3_bytes, want.l3_bytes);
    ck_assert_int_eq(rb_topology_is_this_system(back[i]), 0);
    assert_domain(back[i], RB_DOMAIN_NUMA, 8, 0, 2);
    rb_topology_destroy(back[i]);
  }

  char bad[300];
  snprintf(bad, sizeof bad, "%s/missing/topo.xml", dir);
  ASSERT_FAILS(rb_topology_save_xml(t, bad), RB_ERR_IO, bad);
  ck_assert_int_eq(tu_count_entries(dir, ""), 1);
  rb_topology_destroy(t);
  unlink(path);
  rmdir(dir);
}
END_TEST

// Busy for ~ms milliseconds, so the scheduler has had every chance to move the thread.
static void spin(double ms) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do clock_gettime(CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6 < ms);
}

// After binding, OpenMP thread i runs on PU d->pus[i] (sched_getcpu); returns 0 when the
// platform cannot say where a thread runs (sched_getcpu fails).
static int check_placement(const rb_topology *t, const rb_domain *d) {
  ck_assert_msg(rb_domain_bind(t, d) == RB_OK, "%s", rb_last_error());
  int where[RB_MAX_DOMAIN_THREADS], team = 0;
  for (int round = 0; round < 2; round++) {  // the placement holds for later regions too
#pragma omp parallel num_threads(d->threads)
    {
      spin(20);
      where[omp_get_thread_num()] = sched_getcpu();
#pragma omp single
      team = omp_get_num_threads();
    }
    ck_assert_int_eq(team, d->threads);
    if (where[0] < 0) return 0;
    for (int i = 0; i < d->threads; i++)
      ck_assert_msg(where[i] == d->pus[i], "round %d: thread %d on CPU %d, want PU %d", round, i, where[i], d->pus[i]);
  }
  return 1;
}

START_TEST(bind_on_this_machine) {
  rb_topology *t;
  ck_assert_msg(rb_topology_load(&t) == RB_OK, "%s", rb_last_error());
  if (!rb_topology_is_this_system(t)) {
    fprintf(stderr, "note: bind test skipped: HWLOC_SYNTHETIC or HWLOC_XMLFILE is set\n");
    rb_topology_destroy(t);
    return;
  }
  ck_assert_msg(rb_topology_domain(t, RB_DOMAIN_MACHINE, &dom) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(dom.threads, rb_topology_get_counts(t).cores);
  if (!check_placement(t, &dom)) {
    fprintf(stderr, "note: bind test skipped: sched_getcpu does not work here\n");
    rb_topology_destroy(t);
    return;
  }
  // Reversed, so the default placement (thread i on CPU i) cannot pass by luck.
  rb_domain rev = dom;
  for (int i = 0; i < dom.threads; i++) rev.pus[i] = dom.pus[dom.threads - 1 - i];
  check_placement(t, &rev);
  ck_assert_msg(rb_topology_domain(t, RB_DOMAIN_CORE, &dom) == RB_OK, "%s", rb_last_error());
  check_placement(t, &dom);

  rev.pus[0] = 1 << 20;
  ASSERT_FAILS(rb_domain_bind(t, &rev), RB_ERR_INVALID_ARG, "PU 1048576");
  rev.threads = 0;
  ASSERT_FAILS(rb_domain_bind(t, &rev), RB_ERR_INVALID_ARG, "0 threads");
  rb_topology_destroy(t);
}
END_TEST

// The CPU model is what hwloc's CPUModel says, with CPUID's padding gone.
START_TEST(cpu_model) {
  rb_topology *t;
  ck_assert_msg(rb_topology_load(&t) == RB_OK, "%s", rb_last_error());
  const char *m = rb_topology_cpu_model(t);
  ck_assert_ptr_nonnull(m);
  const size_t n = strlen(m);
  ck_assert(n == 0 || (m[0] != ' ' && m[n - 1] != ' ' && !strstr(m, "  ")));
  rb_topology_destroy(t);
  ck_assert_str_eq(rb_topology_cpu_model(NULL), "");
}
END_TEST

static int run_cli(const char *env, const char *args, char *buf, size_t len) {
  return tu_run_cli_env(env, args, buf, len);
}

static char out[1 << 16];

// On a synthetic machine `info --json` lists the domains without measuring (no binding there).
START_TEST(cli_info_synthetic) {
  const char *env = "HWLOC_SYNTHETIC='pack:2 numa:2 l3:2(size=33554432) core:4 pu:2'";
  ck_assert_msg(run_cli(env, "info --json", out, sizeof out) == 0, "%s", out);
  json_error_t err;
  json_t *o = json_loads(out, 0, &err);
  ck_assert_msg(json_is_object(o), "not JSON: %.300s", out);
  ck_assert(json_is_false(json_object_get(o, "this_system")));
  json_t *topo = json_object_get(o, "topology");
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "packages")), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "numa_nodes")), 4);
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "l3_domains")), 8);
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "l3_bytes")), 33554432);
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "cores")), 32);
  ck_assert_int_eq(json_integer_value(json_object_get(topo, "pus")), 64);
  ck_assert(json_is_true(json_object_get(json_object_get(json_object_get(o, "isa"), "ref"), "kernels")));
  json_t *doms = json_object_get(o, "domains");
  ck_assert_int_eq(json_array_size(doms), 4);
  const int threads[4] = {1, 4, 8, 32};
  for (size_t i = 0; i < 4; i++) {
    json_t *d = json_array_get(doms, i);
    ck_assert_str_eq(json_string_value(json_object_get(d, "domain")), rb_domain_kind_name((rb_domain_kind)i));
    ck_assert_int_eq(json_integer_value(json_object_get(d, "threads")), threads[i]);
    json_t *pus = json_object_get(d, "pus");
    ck_assert_int_eq(json_array_size(pus), threads[i]);
    for (int k = 0; k < threads[i]; k++) ck_assert_int_eq(json_integer_value(json_array_get(pus, k)), 2 * k);
    ck_assert_ptr_null(json_object_get(d, "fma_gflops"));
  }
  json_decref(o);

  ck_assert_msg(run_cli(env, "info --domains machine,l3", out, sizeof out) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "2 packages, 4 NUMA nodes, 8 L3 domains (32 MiB each), 32 cores, 64 PUs"));
  ck_assert_ptr_nonnull(strstr(out, "0,2,4,6,8,"));
  ck_assert_ptr_nonnull(strstr(out, "Peaks not measured"));
  ck_assert_ptr_null(strstr(out, "\ncore "));
  ck_assert_ptr_null(strstr(out, "no L3"));

  ck_assert_msg(run_cli("HWLOC_SYNTHETIC='pack:2 core:2 pu:2'", "info --domains l3", out, sizeof out) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "0,2,4,6 (no L3: the machine)"));
}
END_TEST

// --no-peak on this machine: no probe runs, and every figure says "not measured".
START_TEST(cli_info_no_peak) {
  ck_assert_msg(run_cli("", "info --no-peak --domains core,machine", out, sizeof out) == 0, "%s", out);
  ck_assert_msg(strstr(out, "not measured") && strstr(out, "Peaks not measured (--no-peak)"), "%s", out);
  ck_assert_msg(!strstr(out, "best of"), "%s", out);
  ck_assert_msg(run_cli("", "info --json --no-peak --domains core", out, sizeof out) == 0, "%s", out);
  json_error_t err;
  json_t *o = json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, &err);
  ck_assert_msg(o != NULL, "%s: %s", err.text, out);
  const json_t *d = json_array_get(json_object_get(o, "domains"), 0);
  ck_assert(json_is_false(json_object_get(d, "measured")));
  ck_assert_ptr_null(json_object_get(d, "fma_gflops"));
  // The ISA list as the ISA list has it: every ISA, with the reason where it is not available.
  const json_t *isa = json_object_get(o, "isa");
  ck_assert_int_eq(json_object_size(isa), RB_ISA_COUNT);
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const json_t *e = json_object_get(isa, rb_isa_name((rb_isa)i));
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(json_is_true(json_object_get(e, "kernels")), rb_isa_available((rb_isa)i));
    if (!rb_isa_available((rb_isa)i))
      ck_assert_str_eq(json_string_value(json_object_get(e, "reason")), rb_isa_unavailable_reason((rb_isa)i));
  }
  json_decref(o);
}
END_TEST

START_TEST(cli_info_bad_arguments) {
  ck_assert_int_eq(run_cli("", "info --domains l2", out, sizeof out), 2);
  ck_assert_ptr_nonnull(strstr(out, "unknown domain 'l2': use core, l3, numa, machine"));
  ck_assert_int_eq(run_cli("", "info --domains core,core", out, sizeof out), 2);
  ck_assert_ptr_nonnull(strstr(out, "listed twice"));
  ck_assert_int_eq(run_cli("", "info --bogus", out, sizeof out), 2);
  ck_assert_int_eq(run_cli("", "info extra", out, sizeof out), 2);
  ck_assert_ptr_nonnull(strstr(out, "unexpected argument 'extra'"));
  ck_assert_int_eq(run_cli("", "info --xml", out, sizeof out), 2);
  ck_assert_int_eq(run_cli("", "info --domains core --quick --xml /nonexistent/dir/t.xml", out, sizeof out), 1);
  ck_assert_ptr_nonnull(strstr(out, "/nonexistent/dir/t.xml"));
}
END_TEST

// On this machine, quick peaks are positive numbers and --xml writes a topology that loads back.
START_TEST(cli_info_this_machine) {
  char dir[] = "/tmp/resbench-info-XXXXXX", args[512], path[300];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/topo.xml", dir);
  snprintf(args, sizeof args, "info --json --quick --domains core --xml %s", path);
  ck_assert_msg(run_cli("", args, out, sizeof out) == 0, "%s", out);
  json_error_t err;
  json_t *o = json_loads(out, 0, &err);
  ck_assert_msg(json_is_object(o), "not JSON: %.300s", out);
  ck_assert(json_is_true(json_object_get(o, "this_system")));
  json_t *d = json_array_get(json_object_get(o, "domains"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "threads")), 1);
  ck_assert(json_real_value(json_object_get(d, "fma_gflops")) > 0);
  ck_assert(json_real_value(json_object_get(d, "stream_gbs")) > 0);
  // info measures every probe the CPU runs (the avx2 one too): each is there, and on hardware none
  // is above the widest by more than noise. Under an emulator (RESBENCH_EMULATED, set by make test
  // with qemu) the probes run at the emulator's speed, where scalar and NEON came out within 5% of
  // each other and a noisy quick probe once put scalar 1.5x above NEON: only their presence counts.
  // The quick probes are timed apart, and make test runs two suites at once on a shared machine: a
  // Zen 4 guest (avx2 and avx512 peaks equal) once read avx2 116 GFLOP/s against a widest 61. So a
  // ratio past 1.5 is measured again, up to three times: noise passes one of them, a probe that
  // counts its FLOPs wrong fails all.
  const int emulated = getenv("RESBENCH_EMULATED") != NULL;
  if (emulated) printf("note: info probe ratios not checked: emulated (RESBENCH_EMULATED)\n");
  const json_t *per = json_object_get(d, "isa_fma_gflops");
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const json_t *v = json_object_get(per, rb_isa_name((rb_isa)i));
    ck_assert_msg((v != NULL) == (rb_cpu_supports((rb_isa)i) != 0), "%s probe %s", rb_isa_name((rb_isa)i),
                  v ? "measured but the CPU lacks it" : "missing");
    if (v) ck_assert_msg(json_real_value(v) > 0, "%s probe %g", rb_isa_name((rb_isa)i), json_real_value(v));
  }
  char worst[200] = "";
  for (int attempt = 0; !emulated && attempt < 3; attempt++) {
    json_t *m = o;
    if (attempt > 0) {
      printf("note: info probes measured again (%s)\n", worst);
      ck_assert_msg(run_cli("", "info --json --quick --domains core", out, sizeof out) == 0, "%s", out);
      m = json_loads(out, 0, &err);
      ck_assert_msg(json_is_object(m), "not JSON: %.300s", out);
    }
    const json_t *dm = json_array_get(json_object_get(m, "domains"), 0);
    const double widest = json_real_value(json_object_get(dm, "fma_gflops"));
    const json_t *probes = json_object_get(dm, "isa_fma_gflops");
    worst[0] = 0;
    for (int i = 0; i < RB_ISA_COUNT; i++) {
      const json_t *v = json_object_get(probes, rb_isa_name((rb_isa)i));
      if (v && !(json_real_value(v) < 1.5 * widest))
        snprintf(worst, sizeof worst, "%s probe %g GFLOP/s, the widest %g", rb_isa_name((rb_isa)i), json_real_value(v),
                 widest);
    }
    if (m != o) json_decref(m);
    if (!worst[0]) break;
  }
  ck_assert_msg(!worst[0], "three times: %s", worst);
  ck_assert_str_eq(json_string_value(json_object_get(o, "xml")), path);
  rb_topology *t, *here;
  ck_assert_msg(rb_topology_load_xml(path, &t) == RB_OK, "%s", rb_last_error());
  ck_assert_msg(rb_topology_load(&here) == RB_OK, "%s", rb_last_error());
  ck_assert_int_eq(rb_topology_get_counts(t).pus, rb_topology_get_counts(here).pus);
  json_t *counts = json_object_get(o, "topology");
  ck_assert_int_eq(rb_topology_get_counts(t).cores, json_integer_value(json_object_get(counts, "cores")));
  rb_topology_destroy(t);
  rb_topology_destroy(here);
  json_decref(o);
  unlink(path);
  rmdir(dir);
}
END_TEST

Suite *topology_suite(void) {
  Suite *s = suite_create("topology");
  TCase *tc = tcase_create("topology");
  tcase_set_timeout(tc, 120);  // the CLI runs under qemu for aarch64
  tcase_add_test(tc, synthetic_domains);
  tcase_add_test(tc, synthetic_without_l3_or_cores);
  tcase_add_test(tc, synthetic_from_environment);
  tcase_add_test(tc, load_errors);
  tcase_add_test(tc, domain_parsing);
  tcase_add_test(tc, xml_round_trip);
  tcase_add_test(tc, bind_on_this_machine);
  tcase_add_test(tc, cpu_model);
  tcase_add_test(tc, cli_info_synthetic);
  tcase_add_test(tc, cli_info_no_peak);
  tcase_add_test(tc, cli_info_bad_arguments);
  tcase_add_test(tc, cli_info_this_machine);
  suite_add_tcase(s, tc);
  return s;
}
