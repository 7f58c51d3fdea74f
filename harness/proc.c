#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile int zw_interrupted;

static void on_signal(int sig)
{
	zw_interrupted = sig;
}

void proc_install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking waits must return EINTR so runs unwind. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Container init processes are reparented to us when runc exits, so we
	 * can reap them and no zombie outlives a run. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !zw_interrupted)
		;
}

int proc_spawn(char *const argv[], unsigned flags, pid_t *pid, int *out_fd)
{
	int pfd[2] = { -1, -1 };
	pid_t parent = getpid();

	if (!(flags & PROC_NULL_STDOUT) && pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t child = fork();
	if (child < 0) {
		int err = -errno;
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return err;
	}
	if (child == 0) {
		setpgid(0, 0);
		/* Die with the harness even on SIGKILL, so nothing outlives it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (flags & PROC_NULL_STDOUT) {
			dup2(devnull, 1);
			if (!(flags & PROC_KEEP_STDERR))
				dup2(devnull, 2);
		} else {
			dup2(pfd[1], 1);
			if (flags & PROC_MERGE_STDERR)
				dup2(pfd[1], 2);
			else if (!(flags & PROC_KEEP_STDERR))
				dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		dprintf(2, "zerowatt: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(child, child); /* also from the parent: no race with kill(-pgid) */
	*pid = child;
	if (pfd[0] >= 0) {
		close(pfd[1]);
		fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
		*out_fd = pfd[0];
	} else if (out_fd) {
		*out_fd = -1;
	}
	return 0;
}

/* interruptible: give up with -EINTR when the lab is interrupted. Clean-up
 * waits are not: stopping must complete even while a run unwinds, and must
 * not swallow the interruption either. */
static int wait_pid(pid_t pid, double timeout_s, int *status, int interruptible)
{
	double deadline = timeout_s < 0 ? 0 : now_s() + timeout_s;
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			if (status)
				*status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (interruptible && zw_interrupted)
			return -EINTR;
		if (timeout_s >= 0 && now_s() >= deadline)
			return -ETIMEDOUT;
		sleep_s(0.002);
	}
}

int proc_wait(pid_t pid, double timeout_s, int *status)
{
	return wait_pid(pid, timeout_s, status, 1);
}

int proc_stop_group(pid_t pid, double grace_s, int *status)
{
	if (pid <= 0)
		return 0;
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	int r = wait_pid(pid, grace_s, status, 0);
	if (r == -ETIMEDOUT) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		r = wait_pid(pid, 5.0, status, 0);
	}
	/* Stragglers in the group (the workload's own children). */
	kill(-pid, SIGKILL);
	return r;
}

int proc_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int proc_run(char *const argv[], char *out, size_t cap, double timeout_s)
{
	pid_t pid;
	int fd = -1;
	int r = proc_spawn(argv, out ? PROC_MERGE_STDERR : PROC_NULL_STDOUT, &pid, out ? &fd : NULL);
	if (r < 0)
		return r;
	size_t len = 0;
	double deadline = now_s() + timeout_s;
	if (out)
		out[0] = '\0';
	while (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left_ms = (int)((deadline - now_s()) * 1000);
		if (left_ms <= 0)
			break;
		int n = poll(&p, 1, left_ms < 100 ? left_ms : 100);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		char tmp[4096];
		ssize_t got = read(fd, tmp, sizeof(tmp));
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		size_t take = (size_t)got;
		if (len + take >= cap)
			take = cap - 1 - len;
		memcpy(out + len, tmp, take);
		len += take;
		out[len] = '\0';
	}
	if (fd >= 0)
		close(fd);
	int status;
	double left = deadline - now_s();
	r = wait_pid(pid, left > 0 ? left : 0, &status, 0);
	if (r < 0) {
		proc_stop_group(pid, 0.5, &status);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int proc_runf(char *out, size_t cap, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char *argv[64];
	int argc = 0;
	for (char *tok = strtok(line, " "); tok && argc < 63; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc)
		return -EINVAL;
	return proc_run(argv, out, cap, 30.0);
}

long proc_status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t klen = strlen(key);
	long v = -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0) {
			v = strtol(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int proc_pin(const pid_t *pids, int n, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	int err = 0;
	for (int i = 0; i < n; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", pids[i]);
		DIR *d = opendir(path);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && sched_setaffinity(atoi(e->d_name), sizeof(set), &set) < 0)
				err = -errno;
		closedir(d);
	}
	return err;
}

int proc_cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}
