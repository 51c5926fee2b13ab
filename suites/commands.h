// Subcommands of the resbench CLI (suites/cmd_*.c); each returns the process exit status:
// 0 success, 1 a failed check or run, 2 bad arguments or input.
#ifndef RESBENCH_COMMANDS_H
#define RESBENCH_COMMANDS_H

// Parses an integer option in lo..hi; on failure prints "resbench CMD: OPT must be ..." and returns 0.
int rb_cli_int(const char *cmd, const char *opt, const char *s, int lo, int hi, int *out);
// The same for a number of seconds in 0..3600.
int rb_cli_seconds(const char *cmd, const char *opt, const char *s, double *out);

int rb_cmd_models(int argc, char **argv);
int rb_cmd_count(int argc, char **argv);
int rb_cmd_run(int argc, char **argv);
int rb_cmd_info(int argc, char **argv);
int rb_cmd_bench(int argc, char **argv);
int rb_cmd_sweep(int argc, char **argv);
int rb_cmd_compare(int argc, char **argv);
int rb_cmd_table(int argc, char **argv);
int rb_cmd_plot(int argc, char **argv);
int rb_cmd_merge(int argc, char **argv);

#endif
