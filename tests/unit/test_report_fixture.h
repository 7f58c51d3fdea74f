/* Synthetic run directories for the report tests: two hosts, every
 * experiment the figures know, measured, estimated and unavailable values,
 * a power time series with phases, scale-to-zero policies. */
#ifndef ZW_TEST_REPORT_FIXTURE_H
#define ZW_TEST_REPORT_FIXTURE_H

/* Creates a temp root with runs "run-alpha" (host alpha) and "run-beta"
 * (host beta); returns 0. fixture_root holds the root's path. */
int fixture_make(void);
void fixture_remove(void);
/* Path of a run under the root (static buffer per call site index 0..3). */
const char *fixture_path(const char *name, int slot);
/* Writes a file under the root (mkdir of its directory included). */
int fixture_write(const char *rel, const char *text);

extern char fixture_root[64];

#endif
