/* Child processes the lab launches: each in its own process group, killed
 * with the harness (PR_SET_PDEATHSIG), output captured through a pipe. */
#ifndef ZW_PROC_H
#define ZW_PROC_H
#include <stddef.h>
#include <sys/types.h>

#define PROC_MERGE_STDERR 1u  /* child's stderr goes into the same pipe */
#define PROC_NULL_STDOUT  2u  /* no pipe: stdout/stderr to /dev/null */
#define PROC_KEEP_STDERR  4u  /* stderr stays the harness's stderr */

/* Starts argv[0] (absolute path or PATH lookup). *out_fd gets the read end
 * (non-blocking, close-on-exec) unless PROC_NULL_STDOUT. Returns 0 or -errno. */
int proc_spawn(char *const argv[], unsigned flags, pid_t *pid, int *out_fd);

/* Runs argv to completion, capturing up to cap-1 bytes of stdout+stderr into
 * out (NUL-terminated, may be NULL). Returns the exit status (0..255),
 * 128+signal if killed, or -errno if it could not start or timed out. */
int proc_run(char *const argv[], char *out, size_t cap, double timeout_s);

/* printf-style shell-free convenience: splits on spaces (no quoting). */
int proc_runf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Waits for pid up to timeout_s (<0: forever). Returns 0 and the raw wait
 * status, -ETIMEDOUT, or -EINTR when the lab was interrupted. */
int proc_wait(pid_t pid, double timeout_s, int *status);

/* SIGTERM to the group, then SIGKILL after grace_s; reaps pid. */
int proc_stop_group(pid_t pid, double grace_s, int *status);

int proc_alive(pid_t pid);


/* Monotonic clock in seconds. */
double now_s(void);
void sleep_s(double s);

/* Set by SIGINT/SIGTERM; long waits poll it and give up with -EINTR. */
extern volatile int zw_interrupted;
void proc_install_signal_handlers(void);

#endif

/* A "Key:   N kB" field of /proc/<pid>/status in KiB, or -1. */
long proc_status_kib(pid_t pid, const char *key);

/* Pins every thread of each pid to one CPU (so load generator and target
 * do not share a core). Returns 0 or -errno. */
int proc_pin(const pid_t *pids, int n, int cpu);
/* CPUs the harness may use; pin the target to the first and the load
 * generator to the last when there are at least two. */
int proc_cpu_count(void);
