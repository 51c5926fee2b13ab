// Subcommands of the resbench CLI (suites/cmd_*.c); each returns the process exit status:
// 0 success, 1 a failure while running (a failed check row, out of memory, a write that fails),
// 2 bad usage or bad input (arguments, files, sizes refused before anything runs). README: "Exit status".
#ifndef RESBENCH_COMMANDS_H
#define RESBENCH_COMMANDS_H

// Parses an integer option in lo..hi; on failure prints "resbench CMD: OPT must be ..." and returns 0.
int rb_cli_int(const char *cmd, const char *opt, const char *s, int lo, int hi, int *out);
// The same for a number of seconds in 0..3600 (digits with an optional fraction).
int rb_cli_seconds(const char *cmd, const char *opt, const char *s, double *out);
// A memory size: 512M, 8G, 1T (binary units K, M, G, T; digits alone are MiB) into bytes.
int rb_cli_bytes(const char *cmd, const char *opt, const char *s, double *out);
// The machine's available memory in bytes (MemAvailable), 0 when unknown.
double rb_available_memory(void);
// 1 when need <= limit (or limit is 0: unknown); else prints both figures and returns 0.
int rb_cli_memory_fits(const char *cmd, const char *what, double need, double limit, int limit_given);

int rb_cmd_models(int argc, char **argv);
int rb_cmd_count(int argc, char **argv);
int rb_cmd_run(int argc, char **argv);
int rb_cmd_info(int argc, char **argv);
int rb_cmd_bench(int argc, char **argv);
int rb_cmd_bench_passes(int argc, char **argv);  // `bench passes` (cmd_bench_passes.c)
int rb_cmd_sweep(int argc, char **argv);
int rb_cmd_compare(int argc, char **argv);
int rb_cmd_table(int argc, char **argv);
int rb_cmd_plot(int argc, char **argv);
int rb_cmd_merge(int argc, char **argv);

#endif
