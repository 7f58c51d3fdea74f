#include "report_md.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void md_escape(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	if (!cap)
		return;
	for (; s && *s && k + 2 < cap; s++) {
		if (*s == '|') {
			out[k++] = '\\';
			out[k++] = '|';
		} else if (*s == '\n' || *s == '\r' || *s == '\t') {
			out[k++] = ' ';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}

void md_num(char *out, size_t cap, double v)
{
	double a = fabs(v);
	if (isnan(v))
		snprintf(out, cap, "n/a");
	else if (isinf(v))
		snprintf(out, cap, "%s", v > 0 ? "inf" : "-inf");
	else if (v == 0)
		snprintf(out, cap, "0");
	else if (a >= 1e9 || a < 1e-3)
		snprintf(out, cap, "%.3e", v);
	else if (a >= 1000)
		snprintf(out, cap, "%.0f", v);
	else if (a >= 100)
		snprintf(out, cap, "%.1f", v);
	else if (a >= 10)
		snprintf(out, cap, "%.2f", v);
	else if (a >= 1)
		snprintf(out, cap, "%.3f", v);
	else
		snprintf(out, cap, "%.4f", v);
}

void md_ratio(char *out, size_t cap, double r)
{
	if (isnan(r))
		snprintf(out, cap, "n/a");
	else if (fabs(r) >= 100)
		snprintf(out, cap, "%.0fx", r);
	else if (fabs(r) >= 10)
		snprintf(out, cap, "%.1fx", r);
	else if (fabs(r) >= 0.1 || r == 0)
		snprintf(out, cap, "%.2fx", r);
	else
		snprintf(out, cap, "%.2gx", r); /* 0.023x, not 0.02x: small ratios keep two digits */
}

void md_table_row(FILE *f, const char *const *cells, int n)
{
	char buf[1024];
	fputc('|', f);
	for (int i = 0; i < n; i++) {
		md_escape(cells[i] ? cells[i] : "", buf, sizeof(buf));
		fprintf(f, " %s |", buf);
	}
	fputc('\n', f);
}

void md_table_head(FILE *f, const char *const *cells, int n, const char *align)
{
	md_table_row(f, cells, n);
	fputc('|', f);
	for (int i = 0; i < n; i++) {
		char a = align && (int)strlen(align) > i ? align[i] : 'l';
		fputs(a == 'r' ? "---:|" : a == 'c' ? ":---:|" : "---|", f);
	}
	fputc('\n', f);
}
