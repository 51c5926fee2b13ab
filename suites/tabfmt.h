// Tables for people and for tools: one table of text cells printed as Markdown, CSV or LaTeX
// (`resbench table`, `resbench compare`).
#ifndef RESBENCH_TABFMT_H
#define RESBENCH_TABFMT_H

#include <stdio.h>

#include "resbench/status.h"

typedef enum rb_tab_format { RB_TAB_MD = 0, RB_TAB_CSV, RB_TAB_LATEX } rb_tab_format;

// "md", "csv", "latex" (RB_ERR_INVALID_ARG naming the value otherwise).
rb_status rb_tab_format_parse(const char *s, rb_tab_format *f);

typedef struct rb_tab rb_tab;

// A table with the given column headers; align: one of 'l' / 'r' per column ("lrr").
rb_tab *rb_tab_new(const char *align, const char *const *headers);
void rb_tab_free(rb_tab *t);
// Appends a cell (printf-style); a row is complete after as many cells as columns.
void rb_tab_cell(rb_tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rb_tab_rows(const rb_tab *t);
// Prints the title (Markdown "### title", CSV "# title", LaTeX caption), the table, then notes
// (one paragraph; CSV "# notes", LaTeX below the tabular). Cells are escaped for the format.
void rb_tab_print(FILE *f, const rb_tab *t, rb_tab_format fmt, const char *title, const char *notes);

#endif
