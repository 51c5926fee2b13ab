// The Check test runner: one suite per kernel family or module, listed in suites.inc and
// tests/<arch>/arch_suites.inc.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define RB_SUITE(name) Suite *name(void);
#include "suites.inc"
#include "arch_suites.inc"
#undef RB_SUITE

int main(void) {
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
