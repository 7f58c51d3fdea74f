/* A target is a platform the same static workload binary runs on: native,
 * container, vm, unikernel. One ops struct per kind, one file per kind,
 * registered with TARGET_REGISTER; callers only ever see target_ops. */
#ifndef ZW_TARGET_H
#define ZW_TARGET_H
#include <stddef.h>
#include <sys/types.h>

#include "console.h"
#include "registry.h"

struct lab;
struct cJSON;

struct workload {
	const char *name;          /* "httpd", "sysbench" */
	char path[512];            /* the static ELF on the host, byte-identical on every target */
	const char *argv[16];      /* argv[0] is the workload name; NULL-terminated */
	int is_server;             /* prints READY <port> and serves until stopped */
	char port_arg[12];          /* storage for the --port value in argv */
};

struct target_options {
	unsigned mem_mib;          /* guest RAM for VM-like targets (default 64) */
	unsigned vcpus;            /* default 1 */
	const char *accel;         /* "kvm", "tcg" or NULL: decided by the KVM timing check */
	int ring3;                 /* unikernel: run the app in ring 3 */
	double ready_timeout_s;    /* default 60 */
};

struct target_instance {
	const struct target_ops *ops;
	struct lab *lab;
	int slot;                  /* lab address slot, see lab.h */
	char id[48];               /* unique name in this run: zw-<labpid>-<slot>-<seq> */
	struct workload wl;
	struct target_options opt;

	char addr[16];             /* where clients connect, inside the lab netns */
	int port;                  /* the workload's port */
	char accel[8];             /* accelerator actually used, or "none" */

	pid_t pid;                 /* process the harness launched and reaps (group leader) */
	int out_fd;                /* its stdout / serial console, non-blocking; -1 when none */
	struct console console;    /* everything read from out_fd, last lines kept */

	double t_launch;           /* now_s() just before start */
	double t_ready;            /* when READY was seen */
	int running;
	int exited;
	int exit_status;           /* the workload's exit status as the target reports it; -1 crash */

	void *priv;                /* per-kind state */
};

struct target_ops {
	const char *name;
	const char *summary;
	/* Instances share the host's network stack (native): each gets its own
	 * port instead of its own address. */
	int shares_network_stack;
	/* A variant (e.g. unikernel-ring3) that "all" leaves out: run when named. */
	int explicit_only;
	/* The server prints no READY line (a third-party reference server):
	 * ready means it answers HTTP on addr:port. */
	int ready_by_http;
	/* Can this host run the kind at all? 0, or -1 with a reason and fix in why. */
	int (*available)(char *why, size_t len);
	/* Untimed one-off work: bundles, images, taps. */
	int (*prepare)(struct target_instance *ti);
	/* Launch; returns once the process exists. Sets ti->pid and ti->out_fd. */
	int (*start)(struct target_instance *ti);
	/* Translate the raw wait status of ti->pid into the workload's exit status
	 * (e.g. QEMU's isa-debug-exit code); NULL means WEXITSTATUS. */
	int (*exit_status)(struct target_instance *ti, int wait_status);
	/* Ask the instance to stop and reap it; NULL means SIGTERM to the group. */
	int (*stop)(struct target_instance *ti);
	/* Remove everything prepare/start created. Idempotent; safe after a crash. */
	void (*cleanup)(struct target_instance *ti);
	/* Processes whose CPU time and memory the instance costs. */
	int (*pids)(struct target_instance *ti, pid_t *out, int max);
	/* Facts for meta.json: kernel version, image size, runtime, accelerator. */
	void (*describe)(struct target_instance *ti, struct cJSON *obj);
	/* Ask a running instance for internal counters (unikernel timer/HLT
	 * counts) and add them to obj; NULL when the kind has none. */
	int (*counters)(struct target_instance *ti, struct cJSON *obj);
};

#define TARGET_REGISTER(ops) ZW_REGISTER(zw_targets, struct target_ops, ops)

const struct target_ops *target_find(const char *name);
/* Iterate all registered kinds, in the order native, container, vm, unikernel, others. */
int target_list(const struct target_ops **out, int max);

/* Fill defaults and the workload; does not start anything. */
int target_init(struct target_instance *ti, const struct target_ops *ops, struct lab *lab,
		const char *workload, const char *const *extra_args,
		const struct target_options *opt);
int target_prepare(struct target_instance *ti);
int target_start(struct target_instance *ti);
/* Reads the console until "READY <port>"; -ETIMEDOUT, -ECHILD (exited first), -EINTR. */
int target_wait_ready(struct target_instance *ti, double timeout_s);
/* Non-blocking step of target_wait_ready for event loops (the scale-to-zero
 * waker): pulls console output and reaps an exited process. Returns 1 once
 * "READY <port>" has been seen since the start (sets t_ready and port), 0
 * while still booting, -ECHILD once the process has exited. */
int target_poll_ready(struct target_instance *ti);
/* Waits for the workload to exit by itself (batch workloads such as sysbench). */
int target_wait_exit(struct target_instance *ti, double timeout_s);
int target_stop(struct target_instance *ti);
/* Nonzero once the instance's process has exited on its own (reaped): a
 * measurement window it did not live through is void. */
int target_exited(struct target_instance *ti);
void target_cleanup(struct target_instance *ti);
int target_pids(struct target_instance *ti, pid_t *out, int max);
/* Pull new console output (non-blocking). */
void target_pump_console(struct target_instance *ti);
/* Print the last console lines to stderr, prefixed with the target's name. */
void target_report_console(struct target_instance *ti, int lines);

/* Path of a built artefact, relative to the repository's build dir. */
const char *zw_build_dir(void);

#endif
