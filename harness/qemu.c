#include "qemu.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmcheck.h"
#include "proc.h"

/* The machine both VM-like targets share. microvm without option ROMs, RTC or
 * the second IO-APIC boots fastest (MACHINE.md: ~60 ms to a PVH kernel under
 * TCG). With ioapic2=off and ACPI on (the default), virtio-mmio transport n
 * interrupts on GSI 16+n as the ACPI tables say (5+n only with acpi=off). */
#define MICROVM_MACHINE "microvm,x-option-roms=off,isa-serial=on,rtc=off,ioapic2=off"
/* Linux reads the CMOS clock twice while booting (timekeeping, then rtc_cmos)
 * and waits a second each time for one that is absent; the unikernel never
 * touches it, so only a Linux guest gets the RTC. */
#define MICROVM_MACHINE_LINUX "microvm,x-option-roms=off,isa-serial=on,rtc=on,ioapic2=off"

/* Under KVM the guest sees the host CPU, as in production. Under TCG both
 * VM targets get QEMU's default model plus ARAT (an always-running APIC
 * timer, which every server CPU of the last decade has): without it Linux
 * assumes the APIC timer stops in deep C-states, finds no broadcast timer on
 * microvm and keeps a 250 Hz tick when idle (250 guest interrupts/s against
 * about 8 with it). Same CPU for both, so only the kernel differs. */
const char *qemu_default_cpu(const char *accel)
{
	return accel && strcmp(accel, "kvm") == 0 ? "host" : "qemu64,+arat";
}

const char *qemu_binary(void)
{
	return "qemu-system-x86_64";
}

struct argv_builder {
	char **argv;
	int argc, max;
	char *buf;
	size_t used, cap;
	int overflow;
};

static void add(struct argv_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct argv_builder *b, const char *fmt, ...)
{
	if (b->argc + 1 >= b->max) {
		b->overflow = 1;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->buf + b->used, b->cap - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->used) {
		b->overflow = 1;
		return;
	}
	b->argv[b->argc++] = b->buf + b->used;
	b->used += (size_t)n + 1;
}

int qemu_build_argv(const struct qemu_vm *vm, char **argv, int max, char *buf, size_t buflen)
{
	struct argv_builder b = { argv, 0, max, buf, 0, buflen, 0 };
	const char *accel = vm->accel ? vm->accel : "tcg";
	const char *cpu = vm->cpu;
	if (!cpu)
		cpu = qemu_default_cpu(accel);

	add(&b, "%s", qemu_binary());
	add(&b, "-M");
	add(&b, "%s", vm->linux_guest ? MICROVM_MACHINE_LINUX : MICROVM_MACHINE);
	add(&b, "-accel");
	add(&b, "%s", accel);
	if (cpu) {
		add(&b, "-cpu");
		add(&b, "%s", cpu);
	}
	add(&b, "-m");
	add(&b, "%u", vm->mem_mib ? vm->mem_mib : 64);
	add(&b, "-smp");
	add(&b, "%u", vm->vcpus ? vm->vcpus : 1);
	add(&b, "-nodefaults");
	add(&b, "-no-user-config");
	add(&b, "-nographic");
	add(&b, "-no-reboot");
	/* The serial console is the instance's stdout: READY and the workload's
	 * output arrive on the harness's pipe. */
	add(&b, "-serial");
	add(&b, "stdio");
	add(&b, "-kernel");
	add(&b, "%s", vm->kernel);
	if (vm->initrd) {
		add(&b, "-initrd");
		add(&b, "%s", vm->initrd);
	}
	if (vm->append) {
		add(&b, "-append");
		add(&b, "%s", vm->append);
	}
	if (vm->tap) {
		add(&b, "-netdev");
		add(&b, "tap,id=n0,ifname=%s,script=no,downscript=no", vm->tap);
		add(&b, "-device");
		if (vm->mac)
			add(&b, "virtio-net-device,netdev=n0,mac=%s", vm->mac);
		else
			add(&b, "virtio-net-device,netdev=n0");
	}
	if (vm->debug_exit) {
		add(&b, "-device");
		add(&b, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	}
	if (vm->qmp_path) {
		add(&b, "-qmp");
		add(&b, "unix:%s,server=on,wait=off", vm->qmp_path);
	}
	if (b.overflow)
		return -ENOSPC;
	argv[b.argc] = NULL;
	return b.argc;
}

int qemu_guest_status(int wait_status)
{
	if (!WIFEXITED(wait_status))
		return -1;
	int code = WEXITSTATUS(wait_status);
	if (code == 0)
		return 0; /* guest powered off (ACPI / triple fault with -no-reboot) */
	if (code & 1)
		return code >> 1;
	return -1; /* QEMU itself failed (bad option, missing file) */
}

const char *qemu_choose_accel(char *why, size_t len)
{
	const struct kvm_check *c = kvm_timing_check();
	if (why)
		snprintf(why, len, "%s", c->why);
	return c->verdict == KVM_OK ? "kvm" : "tcg";
}

int qemu_version(char *out, size_t len)
{
	char buf[512];
	char *argv[] = { (char *)qemu_binary(), "--version", NULL };
	int r = proc_run(argv, buf, sizeof(buf), 10.0);
	if (r != 0)
		return r < 0 ? r : -EIO;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	snprintf(out, len, "%s", buf);
	return 0;
}

static int qmp_read_until(int fd, const char *needle, double timeout_s)
{
	char buf[4096];
	size_t len = 0;
	double deadline = now_s() + timeout_s;
	while (now_s() < deadline) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -EIO;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, needle))
			return 0;
		if (strstr(buf, "\"error\""))
			return -EIO;
		if (len > sizeof(buf) / 2) {
			memmove(buf, buf + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
	return -ETIMEDOUT;
}

int qemu_qmp_command(const char *path, const char *command, double timeout_s)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int r = -ETIMEDOUT;
	double deadline = now_s() + timeout_s;
	while (now_s() < deadline) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			r = 0;
			break;
		}
		sleep_s(0.01);
	}
	if (r == 0)
		r = qmp_read_until(fd, "\"QMP\"", timeout_s);
	if (r == 0) {
		const char *caps = "{\"execute\":\"qmp_capabilities\"}\n";
		r = write(fd, caps, strlen(caps)) < 0 ? -errno : qmp_read_until(fd, "\"return\"", timeout_s);
	}
	if (r == 0) {
		char cmd[256];
		int n = snprintf(cmd, sizeof(cmd), "{\"execute\":\"%s\"}\n", command);
		r = write(fd, cmd, (size_t)n) < 0 ? -errno : qmp_read_until(fd, "\"return\"", timeout_s);
	}
	close(fd);
	return r;
}
