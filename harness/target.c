#include "target.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account.h"
#include "httpclient.h"
#include "lab.h"
#include "log.h"
#include "proc.h"

/* Guest RAM for both VM targets: Debian's cloud kernel needs 72 MiB to boot
 * and room for connections; the unikernel gets the same for fairness (its
 * 16 MiB minimum is a benchmark of its own). */
#define DEFAULT_MEM_MIB 128
#define DEFAULT_READY_TIMEOUT_S 60.0
#define DEFAULT_HTTPD_PORT 8080

static const char *const preferred_order[] = { "native", "container", "vm", "unikernel", "unikernel-ring3", "nginx" };

const struct target_ops *target_find(const char *name)
{
	ZW_FOREACH(zw_targets, struct target_ops, it)
		if (strcmp((*it)->name, name) == 0)
			return *it;
	return NULL;
}

static int order_of(const char *name)
{
	for (size_t i = 0; i < sizeof(preferred_order) / sizeof(preferred_order[0]); i++)
		if (strcmp(preferred_order[i], name) == 0)
			return (int)i;
	return 100;
}

int target_list(const struct target_ops **out, int max)
{
	int n = 0;
	ZW_FOREACH(zw_targets, struct target_ops, it)
		if (n < max)
			out[n++] = *it;
	/* Stable insertion sort: section order depends on link order. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && order_of(out[j]->name) < order_of(out[j - 1]->name); j--) {
			const struct target_ops *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

const char *zw_build_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("ZW_BUILD");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	/* The binary lives in build/, next to everything it runs. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(dir, sizeof(dir), "%s", exe);
	} else {
		snprintf(dir, sizeof(dir), "build");
	}
	return dir;
}

/* Servers take --port and print READY: httpd and its ports to other
 * languages, named <lang>httpd (gohttpd). */
static int is_server_name(const char *name)
{
	size_t n = strlen(name);
	return n >= 5 && strcmp(name + n - 5, "httpd") == 0;
}

static int workload_setup(struct workload *wl, const char *name, const char *const *extra, int port)
{
	int argc = 0;
	wl->name = name;
	snprintf(wl->path, sizeof(wl->path), "%s/workloads/%s", zw_build_dir(), name);
	if (access(wl->path, X_OK) != 0) {
		pr_err("workload %s not built (%s missing): run make build", name, wl->path);
		return -ENOENT;
	}
	wl->argv[argc++] = name;
	wl->is_server = is_server_name(name);
	if (wl->is_server) {
		snprintf(wl->port_arg, sizeof(wl->port_arg), "%d", port);
		wl->argv[argc++] = "--port";
		wl->argv[argc++] = wl->port_arg;
	}
	for (int i = 0; extra && extra[i] && argc < 15; i++)
		wl->argv[argc++] = extra[i];
	wl->argv[argc] = NULL;
	return 0;
}

int target_init(struct target_instance *ti, const struct target_ops *ops, struct lab *lab,
		const char *workload, const char *const *extra_args,
		const struct target_options *opt)
{
	memset(ti, 0, sizeof(*ti));
	ti->ops = ops;
	ti->lab = lab;
	ti->out_fd = -1;
	ti->slot = -1;
	console_init(&ti->console);
	if (opt)
		ti->opt = *opt;
	if (!ti->opt.mem_mib)
		ti->opt.mem_mib = DEFAULT_MEM_MIB;
	if (!ti->opt.vcpus)
		ti->opt.vcpus = 1;
	if (ti->opt.ready_timeout_s <= 0)
		ti->opt.ready_timeout_s = DEFAULT_READY_TIMEOUT_S;
	snprintf(ti->accel, sizeof(ti->accel), "none");
	ti->slot = lab_slot_alloc(lab);
	if (ti->slot < 0)
		return ti->slot;
	ti->port = ops->shares_network_stack ? DEFAULT_HTTPD_PORT + ti->slot : DEFAULT_HTTPD_PORT;
	int r = workload_setup(&ti->wl, workload, extra_args, ti->port);
	if (r < 0) {
		lab_slot_free(lab, ti->slot);
		ti->slot = -1;
		return r;
	}
	snprintf(ti->id, sizeof(ti->id), "zw-%d-%d-%u", lab->owner, ti->slot, lab->seq++);
	lab_slot_guest_addr(ti->slot, ti->addr);
	return 0;
}

int target_prepare(struct target_instance *ti)
{
	return ti->ops->prepare ? ti->ops->prepare(ti) : 0;
}

int target_start(struct target_instance *ti)
{
	console_free(&ti->console);
	ti->exited = 0;
	ti->exit_status = 0;
	ti->t_ready = 0;
	ti->t_launch = now_s();
	int r = ti->ops->start(ti);
	if (r < 0)
		return r;
	ti->running = 1;
	lab_register_live(ti->lab, ti);
	return 0;
}

void target_pump_console(struct target_instance *ti)
{
	if (ti->out_fd < 0)
		return;
	long r = console_read_fd(&ti->console, ti->out_fd);
	if (r == 0) {
		close(ti->out_fd);
		ti->out_fd = -1;
	}
}

static void reap(struct target_instance *ti, int wait_status)
{
	ti->exited = 1;
	ti->running = 0;
	ti->exit_status = ti->ops->exit_status ? ti->ops->exit_status(ti, wait_status)
			  : WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
	ti->pid = 0;
	lab_unregister_live(ti->lab, ti);
}

/* Returns 1 if the instance's process has exited (and reaps it). */
static int check_exited(struct target_instance *ti)
{
	if (ti->exited)
		return 1;
	if (ti->pid <= 0)
		return 0;
	int st;
	pid_t r = waitpid(ti->pid, &st, WNOHANG);
	if (r == ti->pid) {
		target_pump_console(ti);
		reap(ti, st);
		return 1;
	}
	return 0;
}

int target_exited(struct target_instance *ti)
{
	return ti->exited || (ti->running && check_exited(ti));
}

static int parse_ready(const char *line, int *port)
{
	const char *p = strstr(line, "READY ");
	if (!p)
		return 0;
	char *end;
	long v = strtol(p + 6, &end, 10);
	if (end == p + 6 || v <= 0 || v > 65535)
		return 0;
	*port = (int)v;
	return 1;
}

/* Sleeps until the console has output or a few ms pass. */
static void wait_console(struct target_instance *ti)
{
	struct pollfd p = { ti->out_fd, POLLIN, 0 };
	if (ti->out_fd >= 0)
		poll(&p, 1, 5);
	else
		sleep_s(0.005);
}

int target_wait_ready(struct target_instance *ti, double timeout_s)
{
	double deadline = now_s() + (timeout_s > 0 ? timeout_s : ti->opt.ready_timeout_s);
	char line[1024];
	for (;;) {
		target_pump_console(ti);
		struct http_result res;
		if (ti->ops->ready_by_http && http_get(ti->addr, ti->port, "/", 0.2, &res) == 0) {
			ti->t_ready = now_s();
			return 0;
		}
		while (console_next_line(&ti->console, line, sizeof(line))) {
			int port;
			if (parse_ready(line, &port)) {
				ti->t_ready = now_s();
				ti->port = port;
				return 0;
			}
		}
		if (check_exited(ti))
			return -ECHILD;
		if (zw_interrupted)
			return -EINTR;
		if (now_s() >= deadline)
			return -ETIMEDOUT;
		wait_console(ti);
	}
}

int target_poll_ready(struct target_instance *ti)
{
	char line[1024];
	target_pump_console(ti);
	while (!ti->t_ready && console_next_line(&ti->console, line, sizeof(line))) {
		int port;
		if (parse_ready(line, &port)) {
			ti->t_ready = now_s();
			ti->port = port;
		}
	}
	if (check_exited(ti))
		return -ECHILD;
	return ti->t_ready > 0;
}

int target_wait_exit(struct target_instance *ti, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	for (;;) {
		target_pump_console(ti);
		if (check_exited(ti)) {
			/* Drain what the pipe still holds after exit. */
			target_pump_console(ti);
			return 0;
		}
		if (zw_interrupted)
			return -EINTR;
		if (now_s() >= deadline)
			return -ETIMEDOUT;
		wait_console(ti);
	}
}

int target_stop(struct target_instance *ti)
{
	if (!ti->running)
		return 0;
	int r = 0;
	if (check_exited(ti))
		goto out;
	if (ti->ops->stop) {
		r = ti->ops->stop(ti);
	} else {
		int st;
		r = proc_stop_group(ti->pid, 3.0, &st);
		if (r == 0)
			reap(ti, st);
	}
out:
	target_pump_console(ti);
	if (ti->out_fd >= 0) {
		close(ti->out_fd);
		ti->out_fd = -1;
	}
	ti->running = 0;
	lab_unregister_live(ti->lab, ti);
	return r;
}

void target_cleanup(struct target_instance *ti)
{
	if (ti->running)
		target_stop(ti);
	if (ti->ops && ti->ops->cleanup)
		ti->ops->cleanup(ti);
	if (ti->lab && ti->slot > 0)
		lab_slot_free(ti->lab, ti->slot);
	ti->slot = -1;
	console_free(&ti->console);
}

int target_pids(struct target_instance *ti, pid_t *out, int max)
{
	if (ti->ops->pids)
		return ti->ops->pids(ti, out, max);
	if (!ti->running || ti->pid <= 0)
		return 0;
	struct account_env env;
	account_env_default(&env);
	return account_tree(&env, &ti->pid, 1, out, max);
}

void target_report_console(struct target_instance *ti, int lines)
{
	char tail[4096];
	target_pump_console(ti);
	console_tail(&ti->console, lines, tail, sizeof(tail));
	if (!tail[0]) {
		fprintf(stderr, "  [%s] (no console output)\n", ti->ops->name);
		return;
	}
	fprintf(stderr, "  [%s] last console lines:\n", ti->ops->name);
	for (char *line = strtok(tail, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(stderr, "  [%s] | %s\n", ti->ops->name, line);
}
