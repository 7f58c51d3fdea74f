/* zwinit: PID 1 of the Linux VM baseline. It does only what the workload
 * needs and nothing a distribution init would: mounts, the virtio-mmio and
 * virtio-net modules from the kernel's own package, a static address on eth0,
 * then the workload on the console. When the workload exits, its status
 * leaves the VM through QEMU's isa-debug-exit port, so the harness sees it as
 * QEMU's exit status ((status << 1) | 1).
 *
 * Statuses of its own, reported when the workload never ran:
 *   125  the init failed (module, mount, network); the console says why
 *   126  the workload could not be executed
 *   127  the workload is not in the initramfs */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootargs.h"
#include "netcfg.h"

#define INIT_FAILED      125
#define EXEC_FAILED      126
#define NOT_FOUND        127
#define DEBUG_EXIT_PORT  0xf4
#define MODULE_LIST      "/lib/modules/load.order"
#define WORKLOAD_DIR     "/bin/"

static double uptime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int tracing;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof(line), "zwinit: ");

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, n) < 0) {
		/* no console: nothing else can report it */
	}
}

static __attribute__((noreturn)) void power_off(int status)
{
	sync();
	/* QEMU exits at once with (status << 1) | 1. ioperm only fails without
	 * CAP_SYS_RAWIO, which PID 1 has; then the plain power-off below makes
	 * QEMU exit 0, which the harness reads as "no status reported". */
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)status, DEBUG_EXIT_PORT);
	else
		say("ioperm(0x%x): %s; powering off without a status", DEBUG_EXIT_PORT,
		    strerror(errno));
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void fail(const char *what, int err)
{
	say("%s: %s", what, strerror(err));
	power_off(INIT_FAILED);
}

static void ensure_console(void)
{
	int fd;

	/* The kernel opened /dev/console for us when the archive has the node. */
	if (fcntl(1, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static void mount_filesystems(void)
{
	static const struct { const char *src, *dir, *type; } fs[] = {
		{ "devtmpfs", "/dev", "devtmpfs" },   /* /dev/null for the workload */
		{ "proc", "/proc", "proc" },          /* /proc/cmdline */
		{ "sysfs", "/sys", "sysfs" },
	};

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		mkdir(fs[i].dir, 0755);
		if (mount(fs[i].src, fs[i].dir, fs[i].type, MS_NOSUID, NULL) < 0) {
			char what[64];

			snprintf(what, sizeof(what), "mount %s", fs[i].dir);
			fail(what, errno);
		}
	}
	ensure_console();
}

static void trace(const char *step)
{
	if (tracing)
		say("%.3f s %s", uptime_s(), step);
}

static void load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char what[300];

	snprintf(what, sizeof(what), "module %s", path);
	if (fd < 0)
		fail(what, errno);
	/* finit_module lets the kernel read the file itself: no copy, and no
	 * modprobe or depmod in the image; load.order already has dependencies
	 * first. */
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		fail(what, errno);
	close(fd);
	trace(path);
}

static void load_modules(void)
{
	FILE *list = fopen(MODULE_LIST, "re");
	char line[256];

	if (!list)
		fail(MODULE_LIST, errno);
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && line[0] != '#')
			load_module(line);
	}
	fclose(list);
}

static void read_bootargs(struct bootargs *ba)
{
	char cmdline[BOOTARGS_BUF];
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int rc;

	if (fd < 0)
		fail("/proc/cmdline", errno);
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	if (n < 0)
		fail("/proc/cmdline", errno);
	close(fd);
	cmdline[n] = '\0';
	rc = bootargs_parse(cmdline, ba);
	if (rc)
		fail("kernel command line (zw.ip=ADDR/LEN zw.gw=ADDR -- WORKLOAD ARGS...)", -rc);
	if (ba->argc == 0) {
		say("no workload on the kernel command line (expected '-- WORKLOAD ARGS...')");
		power_off(INIT_FAILED);
	}
}

static void configure_network(const struct bootargs *ba)
{
	int rc = netcfg_up("lo");

	if (rc)
		fail("lo up", -rc);
	if (!ba->has_ip)
		return;
	rc = netcfg_wait_link("eth0", 2000);
	if (rc)
		fail("eth0 (virtio_net loaded, but no interface: is there a virtio-net-device?)", -rc);
	rc = netcfg_address("eth0", ba->ip, ba->netmask);
	if (rc)
		fail("eth0 address", -rc);
	if (ba->has_gw) {
		rc = netcfg_default_route(ba->gw);
		if (rc)
			fail("default route", -rc);
	}
}

static int run_workload(struct bootargs *ba)
{
	static char *const envp[] = { "PATH=/bin", "HOME=/", NULL };
	char path[256];
	pid_t pid, got;
	int status;

	if (strchr(ba->argv[0], '/'))
		snprintf(path, sizeof(path), "%s", ba->argv[0]);
	else
		snprintf(path, sizeof(path), WORKLOAD_DIR "%s", ba->argv[0]);
	if (access(path, F_OK) < 0) {
		say("workload %s is not in the initramfs", path);
		return NOT_FOUND;
	}
	say("exec %s at %.3f s", path, uptime_s());
	pid = fork();
	if (pid < 0)
		fail("fork", errno);
	if (pid == 0) {
		setsid();
		execve(path, ba->argv, envp);
		say("exec %s: %s", path, strerror(errno));
		_exit(EXEC_FAILED);
	}
	/* As PID 1 we also reap whatever the workload orphans. */
	for (;;) {
		got = waitpid(-1, &status, 0);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			fail("waitpid", errno);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	say("%s killed by signal %d", ba->argv[0], WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

int main(void)
{
	static struct bootargs ba;
	int status;

	ensure_console();
	mount_filesystems();
	read_bootargs(&ba);
	tracing = ba.trace;
	trace("mounted, command line read");
	load_modules();
	configure_network(&ba);
	trace("network configured");
	status = run_workload(&ba);
	say("%s exited with status %d at %.3f s", ba.argv[0], status, uptime_s());
	power_off(status);
}
