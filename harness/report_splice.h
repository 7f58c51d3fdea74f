/* Splicing generated markdown into a hand-written document (PAPER.md)
 * between markers, so every table, figure and number in it comes from a run:
 *
 *   <!-- zw:table boot -->
 *   ...generated, replaced on every splice...
 *   <!-- /zw:table -->
 *
 * and inline: "<!-- zw:value boot native first_200_ms -->1.1 ms<!-- /zw:value -->".
 * The markers stay, so splicing again with the same run changes nothing.
 * Markers inside ``` fenced blocks are left alone (so the syntax can be shown). */
#ifndef ZW_REPORT_SPLICE_H
#define ZW_REPORT_SPLICE_H
#include <stddef.h>
#include <stdio.h>

#define SPLICE_MAX_ARGS 24

/* Writes the content for one marker; returns 0 or -EINVAL with err set. */
typedef int (*splice_fill_fn)(void *arg, FILE *out, const char *kind, int argc, char **argv, char *err,
			      size_t cap);

/* Copies in to out with every marked region refilled. is_inline(kind) says
 * whether the content sits on the marker's line (no line breaks around it).
 * Returns the number of regions filled, or -EINVAL with "line N: reason"
 * in err (unclosed or stray markers, a marker in a marker, fill errors). */
int splice_text(const char *in, FILE *out, splice_fill_fn fill, int (*is_inline)(const char *kind),
		void *arg, char *err, size_t cap);

/* Path of to relative to the directory from; both absolute and normalised
 * (as realpath gives). "/a/b", "/a/c/d" -> "../c/d"; same dir -> ".". */
void splice_relative(const char *from, const char *to, char *out, size_t cap);

#endif
