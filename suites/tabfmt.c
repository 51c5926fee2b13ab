// Markdown / CSV / LaTeX tables (see tabfmt.h).
#define _GNU_SOURCE  // vasprintf
#include "tabfmt.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rb_tab {
  int ncols, ncells, cap;
  char *align;
  char **cells;  // headers first, then the rows
};

rb_status rb_tab_format_parse(const char *s, rb_tab_format *f) {
  static const char *const names[] = {"md", "csv", "latex"};
  for (int i = 0; i < 3; i++)
    if (s && strcmp(s, names[i]) == 0) {
      *f = (rb_tab_format)i;
      return RB_OK;
    }
  return rb_fail(RB_ERR_INVALID_ARG, "--format: unknown format '%s' (valid: md, csv, latex)", s ? s : "");
}

static void push(rb_tab *t, char *s) {
  if (t->ncells == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 64;
    char **c = realloc(t->cells, (size_t)t->cap * sizeof *c);
    if (!c) abort();  // a few kB of table text: out of memory here is not recoverable
    t->cells = c;
  }
  t->cells[t->ncells++] = s;
}

rb_tab *rb_tab_new(const char *align, const char *const *headers) {
  rb_tab *t = calloc(1, sizeof *t);
  if (!t || !(t->align = strdup(align))) abort();
  t->ncols = (int)strlen(align);
  for (int i = 0; i < t->ncols; i++) push(t, strdup(headers[i]));
  return t;
}

void rb_tab_free(rb_tab *t) {
  if (!t) return;
  for (int i = 0; i < t->ncells; i++) free(t->cells[i]);
  free(t->cells);
  free(t->align);
  free(t);
}

void rb_tab_cell(rb_tab *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0) abort();
  va_end(ap);
  push(t, s);
}

int rb_tab_rows(const rb_tab *t) { return t->ncells / t->ncols - 1; }

static void put_escaped(FILE *f, const char *s, rb_tab_format fmt) {
  if (fmt == RB_TAB_CSV) {
    if (!strpbrk(s, ",\"\n")) {
      fputs(s, f);
      return;
    }
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else if (fmt == RB_TAB_LATEX) {
    for (; *s; s++) {
      if (strchr("&%$#_{}", *s))
        fprintf(f, "\\%c", *s);
      else if (*s == '~')
        fputs("\\textasciitilde{}", f);
      else if (*s == '^')
        fputs("\\textasciicircum{}", f);
      else if (*s == '\\')
        fputs("\\textbackslash{}", f);
      else
        fputc(*s, f);
    }
  } else {
    for (; *s; s++) {
      if (*s == '|') fputc('\\', f);
      fputc(*s, f);
    }
  }
}

void rb_tab_print(FILE *f, const rb_tab *t, rb_tab_format fmt, const char *title, const char *notes) {
  const int rows = t->ncells / t->ncols;
  if (fmt == RB_TAB_MD) {
    if (title) fprintf(f, "### %s\n\n", title);
    for (int r = 0; r < rows; r++) {
      fputc('|', f);
      for (int c = 0; c < t->ncols; c++) {
        fputc(' ', f);
        put_escaped(f, t->cells[r * t->ncols + c], fmt);
        fputs(" |", f);
      }
      fputc('\n', f);
      if (r == 0) {
        fputc('|', f);
        for (int c = 0; c < t->ncols; c++) fputs(t->align[c] == 'r' ? "---:|" : "---|", f);
        fputc('\n', f);
      }
    }
    if (notes && *notes) fprintf(f, "\n%s\n", notes);
    fputc('\n', f);
  } else if (fmt == RB_TAB_CSV) {
    if (title) fprintf(f, "# %s\n", title);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < t->ncols; c++) {
        if (c) fputc(',', f);
        put_escaped(f, t->cells[r * t->ncols + c], fmt);
      }
      fputc('\n', f);
    }
    if (notes && *notes) fprintf(f, "# %s\n", notes);
    fputc('\n', f);
  } else {
    fprintf(f, "\\begin{table}\n\\centering\n");
    if (title) {
      fputs("\\caption{", f);
      put_escaped(f, title, fmt);
      fputs("}\n", f);
    }
    fprintf(f, "\\begin{tabular}{%s}\n\\hline\n", t->align);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < t->ncols; c++) {
        if (c) fputs(" & ", f);
        put_escaped(f, t->cells[r * t->ncols + c], fmt);
      }
      fputs(" \\\\\n", f);
      if (r == 0) fputs("\\hline\n", f);
    }
    fputs("\\hline\n\\end{tabular}\n", f);
    if (notes && *notes) {
      fputs("\\par\\smallskip\\footnotesize ", f);
      put_escaped(f, notes, fmt);
      fputc('\n', f);
    }
    fputs("\\end{table}\n\n", f);
  }
}
