// The Check test runner: one suite per kernel family or module, listed in suites.inc and
// tests/<arch>/arch_suites.inc. It first says, once, what this CPU lets it test: the ISAs (kernel
// tables and FMA probes) and the peers' algorithms, each skip with its reason.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers/peer.h"
#include "resbench/probe.h"
#include "resbench/resbench.h"

#define RB_SUITE(name) Suite *name(void);
#include "suites.inc"
#include "arch_suites.inc"
#undef RB_SUITE

static void print_coverage(void) {
  printf("tested here (%s):\n", *rb_cpu_simd_features() ? rb_cpu_simd_features() : "no SIMD features known");
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_isa isa = (rb_isa)i;
    const rb_fma_probe *probe;
    const int has_probe = rb_fma_probe_get(isa, &probe) == RB_OK;
    const char *why = rb_isa_unavailable_reason(isa);
    printf("  ISA %-7s kernels: %s%s%s; FMA probe: %s\n", rb_isa_name(isa), why ? "skipped (" : "tested",
           why ? why : "", why ? ")" : "", has_probe ? "tested" : "skipped");
  }
  // Each peer's algorithms as the library itself answers on a small 3x3 layer.
  const rb_conv_desc d = rb_conv_desc_make(1, 8, 8, 16, 16, 3, 1, 1, 1, 1);
  static float w[16 * 16 * 9], in[8 * 8 * 16];
  const rb_conv_algo algos[] = {RB_CONV_DIRECT, RB_CONV_WINOGRAD_F4};
  if (rb_peer_count() == 0) printf("  peers: none in this build\n");
  for (size_t i = 0; i < rb_peer_count(); i++) {
    const rb_peer *p = rb_peer_at(i);
    printf("  peer %-12s", p->name);
    for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
      rb_peer_conv *c = NULL;
      const rb_status s = p->conv_create(&d, algos[a], 1, w, NULL, in, &c);
      printf("%s %s: %s%s%s", a ? ";" : "", rb_conv_algo_name(algos[a]), s == RB_OK ? "tested" : "skipped (",
             s == RB_OK ? "" : rb_last_error(), s == RB_OK ? "" : ")");
      if (c) p->conv_destroy(c);
    }
    printf("\n");
  }
  fflush(stdout);
}

// --list: the suites' names, one a line, in the order of suites.inc (the longest first), for
// tests/run_suites.sh, which runs each in its own process (CK_RUN_SUITE) and prints the coverage
// once (--coverage); RB_TEST_NO_COVERAGE=1 leaves it out of each suite's output.
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--list") == 0) {
#define RB_SUITE(name) printf("%.*s\n", (int)(sizeof #name - sizeof "_suite"), #name);
#include "suites.inc"
#include "arch_suites.inc"
#undef RB_SUITE
    return EXIT_SUCCESS;
  }
  if (argc > 1 && strcmp(argv[1], "--coverage") == 0) {
    print_coverage();
    return EXIT_SUCCESS;
  }
  if (argc > 1) {
    fprintf(stderr, "run_tests: unknown argument '%s' (--list, --coverage, or none: every suite)\n", argv[1]);
    return EXIT_FAILURE;
  }
  const char *quiet = getenv("RB_TEST_NO_COVERAGE");
  if (!quiet || strcmp(quiet, "1") != 0) print_coverage();
  SRunner *sr = srunner_create(NULL);
#define RB_SUITE(name) srunner_add_suite(sr, name());
#include "suites.inc"
#include "arch_suites.inc"
#undef RB_SUITE
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
