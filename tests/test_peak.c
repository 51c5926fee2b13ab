// FMA probes do the arithmetic they claim (checksums against closed forms and a scalar
// simulation), CPU feature detection agrees with the kernel's /proc/cpuinfo, and the quick peak
// probes give positive finite figures. No timing is asserted.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peak.h"
#include "resbench/probe.h"
#include "testutil.h"

// The probes this build and CPU run (ref first); a missing one is a note (printed by the first
// test: each test runs in its own forked process), not a pass.
static int available_probes(const rb_fma_probe *p[RB_ISA_COUNT], int report) {
  int n = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    if (rb_fma_probe_get((rb_isa)i, &p[n]) == RB_OK)
      n++;
    else if (report)
      fprintf(stderr, "note: skipping FMA probe %s: %s\n", rb_isa_name((rb_isa)i), rb_last_error());
  }
  return n;
}

// With mul = 1 and add = 2^-10 both step forms add 2^-10 per step, exactly (values < 2^14).
START_TEST(probe_closed_form) {
  const rb_fma_probe *p[RB_ISA_COUNT];
  const int n = available_probes(p, 1);
  ck_assert_int_ge(n, 1);
  ck_assert_int_eq(p[0]->isa, RB_ISA_REF);
  for (int k = 0; k < n; k++) {
    const double lanes = p[k]->lanes;
    ck_assert_msg(lanes >= 16 && lanes < 1024, "%s: %g lanes", p[k]->name, lanes);
    ck_assert_str_eq(p[k]->name + strlen("rb_fma_probe__"), rb_isa_name(p[k]->isa));
    const long iters[] = {0, 1, 7, 1000};
    for (int j = 0; j < 4; j++) {
      const double want = lanes * (lanes - 1) / 2 + lanes * (double)iters[j] * 0x1p-10;
      const double got = p[k]->run(iters[j], 1.0f, 0x1p-10f);
      ck_assert_msg(got == want, "%s, %ld steps: sum %.17g, want %.17g", p[k]->name, iters[j], got, want);
    }
  }
}
END_TEST

// A step form's own closed form, where mul matters: x * 2 + 0 doubles every value (x 2^20 after
// 20 steps); x + 2^-3 * 2^-7 adds 2^-10.
START_TEST(probe_step_form) {
  const rb_fma_probe *p[RB_ISA_COUNT];
  const int n = available_probes(p, 0);
  for (int k = 0; k < n; k++) {
    const double lanes = p[k]->lanes, base = lanes * (lanes - 1) / 2;
    if (p[k]->step == RB_FMA_MULADD) {
      const double got = p[k]->run(20, 2.0f, 0.0f);
      ck_assert_msg(got == base * 0x1p20, "%s: x*2 sum %.17g, want %.17g", p[k]->name, got, base * 0x1p20);
    } else {
      ck_assert_int_eq(p[k]->step, RB_FMA_ACCUMULATE);
      const double got = p[k]->run(1000, 0x1p-3f, 0x1p-7f);
      const double want = base + lanes * 1000 * 0x1p-10;
      ck_assert_msg(got == want, "%s: x + m*a sum %.17g, want %.17g", p[k]->name, got, want);
    }
  }
}
END_TEST

// Inexact values: the probe's sum equals a scalar simulation of its step form, fused (fmaf) or,
// for the compiler-built ref, unfused (a baseline without FMA instructions multiplies, then adds).
// Values per form where rounding the product apart changes the sum (x + 0.999 * 0.37 would not).
START_TEST(probe_matches_simulation) {
  const rb_fma_probe *p[RB_ISA_COUNT];
  const int n = available_probes(p, 0);
  const long iters = 100;
  for (int k = 0; k < n; k++) {
    const int muladd = p[k]->step == RB_FMA_MULADD;
    const float mul = muladd ? 0.999f : 1000.1f, add = muladd ? 0.37f : 1000.3f;
    double fused = 0, unfused = 0;
    for (int i = 0; i < p[k]->lanes; i++) {
      volatile float f = (float)i, u = (float)i;
      for (long s = 0; s < iters; s++) {
        if (muladd) {
          f = fmaf(f, mul, add);
          volatile float prod = u * mul;
          u = prod + add;
        } else {
          f = fmaf(mul, add, f);
          volatile float prod = mul * add;
          u = u + prod;
        }
      }
      fused += f, unfused += u;
    }
    ck_assert_msg(fused != unfused, "%s: the simulation cannot tell fused from unfused", p[k]->name);
    const double got = p[k]->run(iters, mul, add);
    if (p[k]->isa == RB_ISA_REF)
      ck_assert_msg(got == fused || got == unfused, "%s: %.17g, want %.17g (fused) or %.17g", p[k]->name, got, fused,
                    unfused);
    else
      ck_assert_msg(got == fused, "%s: %.17g, want %.17g (fused)", p[k]->name, got, fused);
  }
}
END_TEST

START_TEST(probe_errors_and_best) {
  const rb_fma_probe *p = NULL;
  ASSERT_FAILS(rb_fma_probe_get(RB_ISA_COUNT, &p), RB_ERR_INVALID_ARG, "out of range");
  ASSERT_FAILS(rb_fma_probe_get(RB_ISA_REF, NULL), RB_ERR_NULL, "NULL");
#if defined(__x86_64__)
  ASSERT_FAILS(rb_fma_probe_get(RB_ISA_NEON, &p), RB_ERR_UNSUPPORTED, "aarch64");
  const rb_isa widest = rb_cpu_supports(RB_ISA_AVX512) ? RB_ISA_AVX512
                        : rb_cpu_supports(RB_ISA_AVX2) ? RB_ISA_AVX2
                                                       : RB_ISA_REF;
  // The probe runs exactly where the CPU does, whatever kernels exist.
  for (int i = RB_ISA_AVX2; i <= RB_ISA_AVX512; i++) {
    const rb_status s = rb_fma_probe_get((rb_isa)i, &p);
    ck_assert_int_eq(s == RB_OK, rb_cpu_supports((rb_isa)i));
    if (s != RB_OK)
      ck_assert_msg(strstr(rb_last_error(), "CPU lacks") || strstr(rb_last_error(), "capped by"), "%s", rb_last_error());
  }
  p = NULL;
#elif defined(__aarch64__)
  ASSERT_FAILS(rb_fma_probe_get(RB_ISA_AVX512, &p), RB_ERR_UNSUPPORTED, "x86-64");
  ASSERT_FAILS(rb_fma_probe_get(RB_ISA_AVX2, &p), RB_ERR_UNSUPPORTED, "x86-64");
  const rb_isa widest = rb_cpu_supports(RB_ISA_NEON) ? RB_ISA_NEON : RB_ISA_REF;
#else
  const rb_isa widest = RB_ISA_REF;
#endif
  ck_assert_ptr_null(p);
  ck_assert_int_eq(rb_fma_probe_best()->isa, widest);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_REF), 1);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_COUNT), 0);
  // An ISA with a kernel table runs its probe too.
  for (int i = 0; i < RB_ISA_COUNT; i++)
    if (rb_isa_available((rb_isa)i)) ck_assert_int_eq(rb_fma_probe_get((rb_isa)i, &p), RB_OK);
}
END_TEST

// Each SIMD feature we report is in the kernel's /proc/cpuinfo flags and each of the kernel's
// AVX-512 flags is reported (same names). Under qemu /proc/cpuinfo is the host's: checked on
// x86-64 only; on aarch64 the CPU qemu emulates has Advanced SIMD.
START_TEST(cpu_features_agree_with_kernel) {
  const char *ours = rb_cpu_simd_features();
  ck_assert_ptr_nonnull(ours);
#if defined(__x86_64__)
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) {
    fprintf(stderr, "note: no /proc/cpuinfo: CPU feature cross-check skipped\n");
    return;
  }
  static char line[1 << 14], flags[1 << 14];
  flags[0] = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "flags", 5) == 0) {
      snprintf(flags, sizeof flags, " %s ", strchr(line, ':') + 1);
      break;
    }
  fclose(f);
  for (char *nl = strchr(flags, '\n'); nl; nl = strchr(nl, '\n')) *nl = ' ';
  ck_assert_msg(flags[0], "no flags line in /proc/cpuinfo");
  char copy[512], word[64];
  snprintf(copy, sizeof copy, "%s", ours);
  for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
    snprintf(word, sizeof word, " %s ", w);
    ck_assert_msg(strstr(flags, word), "we report '%s', /proc/cpuinfo does not", w);
  }
  snprintf(copy, sizeof copy, " %s ", ours);
  const char *known[] = {"avx", "fma", "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512ifma",
                         "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq",
                         "avx512_bf16", "avx512_fp16", "avx512_vp2intersect"};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    snprintf(word, sizeof word, " %s ", known[i]);
    ck_assert_msg(!strstr(flags, word) || strstr(copy, word), "/proc/cpuinfo has '%s', we do not", known[i]);
  }
  const int has512 = strstr(flags, " avx512f ") && strstr(flags, " avx512bw ") && strstr(flags, " avx512vl ") &&
                     strstr(flags, " avx512dq ");
  // RESBENCH_MAX_ISA caps what we run below what the CPU has.
  rb_isa cap = RB_ISA_COUNT;
  const char *env = getenv("RESBENCH_MAX_ISA");
  if (env && *env) ck_assert_int_eq(rb_isa_parse(env, &cap), RB_OK);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_AVX512), has512 != 0 && cap >= RB_ISA_AVX512);
  const int has2 = strstr(flags, " avx2 ") && strstr(flags, " fma ");
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_AVX2), has2 != 0 && cap >= RB_ISA_AVX2);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_NEON), 0);
#elif defined(__aarch64__)
  ck_assert_msg(strncmp(ours, "asimd", 5) == 0, "features '%s'", ours);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_NEON), 1);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_AVX512), 0);
  ck_assert_int_eq(rb_cpu_supports(RB_ISA_AVX2), 0);
#endif
}
END_TEST

static rb_domain dom;

// Quick peaks of the core and machine domains on this machine: positive, finite, labelled.
START_TEST(peak_quick) {
  rb_topology *t;
  ck_assert_msg(rb_topology_load(&t) == RB_OK, "%s", rb_last_error());
  if (!rb_topology_is_this_system(t)) {
    fprintf(stderr, "note: peak test skipped: HWLOC_SYNTHETIC or HWLOC_XMLFILE is set\n");
    rb_topology_destroy(t);
    return;
  }
  const rb_domain_kind kinds[] = {RB_DOMAIN_CORE, RB_DOMAIN_MACHINE};
  for (int k = 0; k < 2; k++) {
    ck_assert_int_eq(rb_topology_domain(t, kinds[k], &dom), RB_OK);
    rb_peak p;
    // Ask for ref's probe too: the per-ISA figures are measured for exactly what is asked.
    ck_assert_msg(rb_peak_measure(t, &dom, 1, 1u << RB_ISA_REF, &p) == RB_OK, "%s", rb_last_error());
    ck_assert_int_eq(p.measured, 1);
    ck_assert_int_eq(p.domain, kinds[k]);
    // The spread: min <= median <= best, over the runs made, after the warm load.
    ck_assert_int_eq(p.fma_runs, 2);
    ck_assert_msg(p.fma_min_gflops > 0 && p.fma_min_gflops <= p.fma_median_gflops &&
                      p.fma_median_gflops <= p.fma_gflops,
                  "runs %g <= %g <= %g", p.fma_min_gflops, p.fma_median_gflops, p.fma_gflops);
    ck_assert_msg(p.warmup_seconds >= 0.05, "warm-up %g s", p.warmup_seconds);
    const rb_isa widest = rb_fma_probe_best()->isa;
    for (int i = 0; i < RB_ISA_COUNT; i++) {
      if (i == (int)widest)
        ck_assert(p.isa_gflops[i] == p.fma_gflops);
      else if (i == RB_ISA_REF)
        ck_assert_msg(p.isa_gflops[i] > 0, "ref probe %g", p.isa_gflops[i]);
      else
        ck_assert_msg(p.isa_gflops[i] == 0, "%s measured unasked", rb_isa_name((rb_isa)i));
    }
    ck_assert(fabs(rb_peak_pct(&p, p.fma_gflops / 2) - 50) < 1e-9);
    ck_assert(fabs(rb_peak_isa_pct(&p, RB_ISA_REF, p.isa_gflops[RB_ISA_REF]) - 100) < 1e-9);
    ck_assert_int_eq(p.threads, dom.threads);
    ck_assert_msg(isfinite(p.fma_gflops) && p.fma_gflops > 0, "FMA %g GFLOP/s", p.fma_gflops);
    ck_assert_msg(isfinite(p.stream_gbs) && p.stream_gbs > 0, "triad %g GB/s", p.stream_gbs);
    ck_assert_msg(isfinite(p.seconds) && p.seconds > 0, "%g s", p.seconds);
    ck_assert_str_eq(p.fma_isa, rb_isa_name(rb_fma_probe_best()->isa));
    ck_assert_uint_eq(p.stream_array_bytes, 8u << 20);
  }
  rb_topology_destroy(t);
}
END_TEST

START_TEST(peak_errors) {
  rb_peak p;
  // --no-peak: a record without figures, whose percentages are NAN (reports say "not measured").
  dom.kind = RB_DOMAIN_CORE, dom.threads = 1;
  rb_peak_skip(&dom, &p);
  ck_assert_int_eq(p.measured, 0);
  ck_assert_int_eq(p.threads, 1);
  ck_assert(isnan(rb_peak_pct(&p, 10)) && isnan(rb_peak_isa_pct(&p, RB_ISA_REF, 10)));
  rb_topology *t;
  ck_assert_int_eq(rb_topology_load_synthetic("pack:1 core:2 pu:1", &t), RB_OK);
  ck_assert_int_eq(rb_topology_domain(t, RB_DOMAIN_MACHINE, &dom), RB_OK);
  ASSERT_FAILS(rb_peak_measure(t, &dom, 1, 0, &p), RB_ERR_UNSUPPORTED, "not this machine's");
  ASSERT_FAILS(rb_peak_measure(t, NULL, 1, 0, &p), RB_ERR_NULL, "NULL");
  ASSERT_FAILS(rb_peak_measure(NULL, &dom, 1, 0, &p), RB_ERR_NULL, "NULL");
  rb_topology_destroy(t);
}
END_TEST

Suite *peak_suite(void) {
  Suite *s = suite_create("peak");
  TCase *tc = tcase_create("peak");
  tcase_set_timeout(tc, 120);  // qemu emulates every FMA
  tcase_add_test(tc, probe_closed_form);
  tcase_add_test(tc, probe_step_form);
  tcase_add_test(tc, probe_matches_simulation);
  tcase_add_test(tc, probe_errors_and_best);
  tcase_add_test(tc, cpu_features_agree_with_kernel);
  tcase_add_test(tc, peak_quick);
  tcase_add_test(tc, peak_errors);
  suite_add_tcase(s, tc);
  return s;
}
