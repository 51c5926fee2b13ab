// Result records: one JSON document per run under results/<host>-<cpu>/, holding the full context
// of the run and one record per measured point. Written atomically (temporary file, fsync,
// rename), so an interrupted run never leaves a half-written file. Schema: results/README.md.
#ifndef RESBENCH_RESULTS_H
#define RESBENCH_RESULTS_H

#include <jansson.h>

#include "resbench/fileio.h"  // rb_file_save_atomic
#include "resbench/status.h"

// The context object: host, CPU model and flags, ISAs available and used, compiler and flags,
// library versions (Google Benchmark noted as Debian's debug build, oneDNN, libxsmm, hwloc,
// jansson), git revision (RESBENCH_GIT_REV or `git rev-parse` at build time; "unknown"),
// date (UTC, ISO 8601), command line. New reference; extra fields may be added by the caller.
json_t *rb_results_context(int argc, char **argv);
// The whole command line as the user typed it ("resbench bench conv ..."), shell-quoted where needed;
// the context's "command" is then this instead of the argc/argv it is given. The CLI's main sets it
// before getopt reorders argv.
void rb_results_set_command(int argc, char **argv);

// "results/<host>-<cpu>" with the CPU model reduced to [a-z0-9-] ("results/c1-amd-epyc-9r14").
// root: the results directory ("results" when NULL).
rb_status rb_results_dir(const char *root, char *buf, size_t len);
// The same for a given host name and CPU model (each reduced to [a-z0-9-], at most 40 chars).
rb_status rb_results_dir_for(const char *root, const char *host, const char *cpu, char *buf, size_t len);
// Creates dir and its parents (mkdir -p).
rb_status rb_results_mkdir(const char *dir);

// Writes doc (indented, with a final newline) to path with rb_file_save_atomic (resbench/fileio.h).
rb_status rb_json_save_atomic(const json_t *doc, const char *path);
// Loads a JSON document (RB_ERR_IO / RB_ERR_FORMAT naming the file and the parse error).
rb_status rb_json_load(const char *path, json_t **doc);

// The current UTC time as YYYYMMDDTHHMMSSZ (file-name stamp; len >= 17).
void rb_results_timestamp(char *buf, size_t len);
// The *.json files in dir whose names start with prefix, as "dir/name", newest first (descending
// name: names end in the fixed-width stamp). Free with rb_results_list_free.
rb_status rb_results_list(const char *dir, const char *prefix, char ***paths, int *count);
void rb_results_list_free(char **paths, int count);

#endif
