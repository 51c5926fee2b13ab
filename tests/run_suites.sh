#!/bin/sh
# Runs every suite of the Check test binary, each in its own process (CK_RUN_SUITE), JOBS at a
# time in the binary's --list order (the longest first), and prints each suite's output whole, in
# that order, then which failed. Exit status 0 only if every suite passed.
#   tests/run_suites.sh JOBS LOGDIR COMMAND...    (COMMAND: the binary, or qemu-aarch64 BINARY)
set -u
[ $# -ge 3 ] || { echo "usage: tests/run_suites.sh JOBS LOGDIR COMMAND..." >&2; exit 2; }
jobs=$1 logs=$2
shift 2
suites=$("$@" --list) || { echo "run_suites: '$* --list' failed" >&2; exit 1; }
[ -n "$suites" ] || { echo "run_suites: no suites listed" >&2; exit 1; }
mkdir -p "$logs" && rm -f "$logs"/*.log "$logs"/*.rc
"$@" --coverage || exit 1
start=$(date +%s)
# Each job writes its output and then its exit status; a missing .rc means the job died.
printf '%s\n' $suites | RB_TEST_NO_COVERAGE=1 xargs -P "$jobs" -I @name@ \
  sh -c 's=$1; shift; CK_RUN_SUITE="$s" "$@" > "$0/$s.log" 2>&1; echo $? > "$0/$s.rc"' "$logs" @name@ "$@"
failed=""
for s in $suites; do
  cat "$logs/$s.log" 2>/dev/null
  rc=$(cat "$logs/$s.rc" 2>/dev/null || echo missing)
  [ "$rc" = 0 ] || failed="$failed $s($rc)"
done
n=$(printf '%s\n' $suites | wc -l)
echo "run_suites: $n suites, $jobs at a time, in $(( $(date +%s) - start )) s"
if [ -n "$failed" ]; then
  echo "run_suites: FAILED:$failed (logs in $logs)"
  exit 1
fi
echo "run_suites: all passed"
