/* Markdown output for reports: table rows with escaped cells, and numbers
 * formatted to a precision that suits a table (never a silent 0 for NaN). */
#ifndef ZW_REPORT_MD_H
#define ZW_REPORT_MD_H
#include <stddef.h>
#include <stdio.h>

/* Copies s into out with '|' escaped and newlines turned into spaces, so a
 * cell can never break its table row. */
void md_escape(const char *s, char *out, size_t cap);

/* 4 significant digits or so, no exponent between 1e-3 and 1e9; NaN -> "n/a". */
void md_num(char *out, size_t cap, double v);
/* A ratio: "12.3x", "0.52x"; NaN -> "n/a". */
void md_ratio(char *out, size_t cap, double r);

/* align: one of 'l', 'r', 'c' per column (NULL: all left). */
void md_table_head(FILE *f, const char *const *cells, int n, const char *align);
void md_table_row(FILE *f, const char *const *cells, int n);

#endif
