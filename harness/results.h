/* A run directory: results/<UTC time>-<host>/ with meta.json and a tidy
 * samples.csv (one row per sample). Both are rewritten atomically (temp file
 * + rename) after every completed repetition, so an interrupted run keeps
 * everything it completed. */
#ifndef ZW_RESULTS_H
#define ZW_RESULTS_H
#include <stddef.h>

struct cJSON;

/* method: how a value was obtained. */
#define METHOD_MEASURED    "measured"
#define METHOD_ESTIMATED   "estimated"
#define METHOD_UNAVAILABLE "unavailable"

struct sample {
	char experiment[24];
	char target[24];
	char metric[48];
	double value;          /* NaN only with METHOD_UNAVAILABLE */
	char unit[16];
	int repetition;
	char method[12];
	char source[48];       /* e.g. "clock:monotonic", "rapl:package-0", "model:ccf" */
	char boundary[16];     /* energy only: package, dram, platform, model; else "" */
	char phase[16];        /* e.g. "boot", "load", "idle"; "" when not a time series */
	double t_s;            /* seconds since run start (time series), else NaN */
};

struct run {
	char dir[1024];
	double t0;             /* now_s() at open */
	struct sample *samples;
	size_t n, cap;
	struct cJSON *meta;    /* written as meta.json */
};

/* Creates <root>/<UTC>-<host>/ (root defaults to $ZW_RESULTS or ./results)
 * and fills meta.json with host facts (host_meta.c). */
int run_open(struct run *run, const char *root, int argc, char **argv);
/* Opens an existing run directory to add to it (a suite's post-steps). */
int run_reopen(struct run *run, const char *dir);
int run_add(struct run *run, const struct sample *s);
/* Convenience: builds a sample; method/source/boundary may be NULL. */
int run_addv(struct run *run, const char *experiment, const char *target, const char *metric,
	     double value, const char *unit, int repetition, const char *method, const char *source);
int run_flush(struct run *run);
void run_close(struct run *run);

/* CSV escaping/writing used by run_flush, exposed for tests. */
int results_write_csv(const char *path, const struct sample *s, size_t n);
int results_read_csv(const char *path, struct sample **out, size_t *n);
/* A whole file as a NUL-terminated string (caller frees), or NULL. */
char *read_text_file(const char *path);
/* mkdir -p. 0 or -errno. */
int mkdir_p(const char *path);
/* Atomic file write: path.tmp then rename. */
int write_file_atomic(const char *path, const char *data, size_t len);

/* Host facts for meta.json: host, CPU model, microcode, kernel, cmdline,
 * governor, turbo, SMT, mitigations, tool versions, git commit. */
void host_meta_fill(struct cJSON *meta);
/* Host state that can change during a run (governor, turbo, throttling, swap). */
void host_state_snapshot(struct cJSON *obj);

#endif
