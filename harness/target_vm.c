/* vm: the Linux baseline. Debian's cloud kernel and a minimal initramfs
 * (baselines/) run the same static workload under QEMU microvm, with the
 * device model, RAM and vCPUs the unikernel gets (qemu.h); only the kernel
 * differs. The guest's zwinit takes its address and the workload's argv from
 * the kernel command line (vm_cmdline.h) and reports the workload's exit
 * status through isa-debug-exit. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "lab.h"
#include "log.h"
#include "proc.h"
#include "qemu.h"
#include "target.h"
#include "vm_cmdline.h"

/* Debian's cloud kernel runs out of memory parsing its own BTF with 64 MiB
 * and boots with 72; 96 leaves room for the workload's connections. */
#define VM_MIN_MEM_MIB 96
#define VM_FIX "run make baselines"

/* Statuses zwinit reports when the workload never ran (baselines/init/zwinit.c). */
#define ZWINIT_FAILED    125
#define ZWINIT_NOEXEC    126
#define ZWINIT_NOTFOUND  127

struct vm_priv {
	char kernel[512];
	char initramfs[512];
	char tap[16];
	char cmdline[VM_CMDLINE_MAX];
	char accel_why[256];
	unsigned mem_mib;
	char *argv[64];
	char argbuf[8192];
};

static void vm_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/vm/%s", zw_build_dir(), name);
}

static int file_size(const char *path, long long *size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*size = st.st_size;
	return 0;
}

/* "6.1.0-57-cloud-amd64 6.1.192-3" as fetch-kernel.sh wrote it. */
static int kernel_version(char *release, size_t rlen, char *version, size_t vlen)
{
	char path[512], line[256], r[128] = "", v[128] = "";
	FILE *f;

	vm_path(path, sizeof(path), "kernel.version");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%127s %127s", r, v) < 1) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	snprintf(release, rlen, "%s", r);
	snprintf(version, vlen, "%s", v);
	return 0;
}

/* Host TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW, or 0 when the
 * TSC is not invariant. The guest's TSC runs at this rate under TCG (QEMU
 * reads the host's) and under KVM, so Linux need not calibrate it against
 * the PIT, which fails when a busy host makes TCG slow (vm_cmdline.c). */
static unsigned long host_tsc_khz(void)
{
	static unsigned long cached;
	static int done;
	char line[4096];
	int invariant = 0;
	FILE *f;

	if (done)
		return cached;
	done = 1;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0) {
			invariant = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
			break;
		}
	fclose(f);
	if (!invariant)
		return 0;

	double rates[3];
	for (int i = 0; i < 3; i++) {
		struct timespec t0, t1;
		unsigned long long c0 = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
		unsigned long long c0b = __rdtsc();
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		unsigned long long c1 = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
		unsigned long long c1b = __rdtsc();
		double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		rates[i] = ((c1 + c1b) / 2.0 - (c0 + c0b) / 2.0) / dt / 1e3;
	}
	/* Median of three: one preempted sample does not move it. */
	double lo = rates[0] < rates[1] ? rates[0] : rates[1];
	double hi = rates[0] < rates[1] ? rates[1] : rates[0];
	double med = rates[2] < lo ? lo : rates[2] > hi ? hi : rates[2];
	cached = med > 1e5 ? (unsigned long)(med + 0.5) : 0;
	return cached;
}

static int vm_available(char *why, size_t len)
{
	char path[512], qv[128];

	vm_path(path, sizeof(path), "vmlinux");
	if (access(path, R_OK) != 0) {
		snprintf(why, len, "Debian's cloud kernel is not fetched (%s missing): " VM_FIX, path);
		return -1;
	}
	vm_path(path, sizeof(path), "zwinit");
	if (access(path, R_OK) != 0) {
		snprintf(why, len, "the guest init is not built (%s missing): " VM_FIX, path);
		return -1;
	}
	if (qemu_version(qv, sizeof(qv)) != 0) {
		snprintf(why, len, "%s does not run: apt-get install qemu-system-x86 (make deps)",
			 qemu_binary());
		return -1;
	}
	return 0;
}

/* The initramfs must carry the workload the other targets run, so it has to
 * be newer than that binary and than the init. */
static int check_initramfs(struct target_instance *ti, struct vm_priv *vm)
{
	const char *deps[] = { ti->wl.path, NULL };
	char zwinit[512];
	struct stat img, st;

	vm_path(zwinit, sizeof(zwinit), "zwinit");
	deps[1] = zwinit;
	if (stat(vm->initramfs, &img) < 0) {
		pr_err("vm: no initramfs for %s (%s missing): " VM_FIX, ti->wl.name, vm->initramfs);
		return -ENOENT;
	}
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
		if (stat(deps[i], &st) == 0 &&
		    (st.st_mtim.tv_sec > img.st_mtim.tv_sec ||
		     (st.st_mtim.tv_sec == img.st_mtim.tv_sec && st.st_mtim.tv_nsec > img.st_mtim.tv_nsec))) {
			pr_err("vm: %s is older than %s, so it may not hold the same binary: " VM_FIX,
			       vm->initramfs, deps[i]);
			return -ESTALE;
		}
	return 0;
}

static int vm_prepare(struct target_instance *ti)
{
	struct vm_priv *vm = calloc(1, sizeof(*vm));
	char host[16];
	int r;

	if (!vm)
		return -ENOMEM;
	ti->priv = vm;
	vm_path(vm->kernel, sizeof(vm->kernel), "vmlinux");
	snprintf(vm->initramfs, sizeof(vm->initramfs), "%s/vm/initramfs-%s.cpio", zw_build_dir(),
		 ti->wl.name);
	if (access(vm->kernel, R_OK) != 0) {
		pr_err("vm: %s missing: " VM_FIX, vm->kernel);
		return -ENOENT;
	}
	r = check_initramfs(ti, vm);
	if (r < 0)
		return r;

	const char *accel = ti->opt.accel ? ti->opt.accel
					  : qemu_choose_accel(vm->accel_why, sizeof(vm->accel_why));
	snprintf(ti->accel, sizeof(ti->accel), "%s", accel);
	vm->mem_mib = ti->opt.mem_mib;
	if (vm->mem_mib < VM_MIN_MEM_MIB) {
		static int warned;

		if (!warned++)
			pr_warn("vm: Debian's cloud kernel does not boot in %u MiB; giving it %u MiB "
				"(pass --mem %u for the same RAM on every target)",
				vm->mem_mib, VM_MIN_MEM_MIB, VM_MIN_MEM_MIB);
		vm->mem_mib = VM_MIN_MEM_MIB;
	}

	lab_slot_host_addr(ti->slot, host);
	struct vm_cmdline_params p = {
		.guest_ip = ti->addr,
		.prefix_len = 24,
		.gateway = host,
		.tsc_khz = host_tsc_khz(),
		.trace = getenv("ZW_VM_TRACE") != NULL,
		.extra = getenv("ZW_VM_APPEND"),
		.argv = ti->wl.argv,
	};
	r = vm_cmdline_build(&p, vm->cmdline, sizeof(vm->cmdline));
	if (r < 0) {
		pr_err("vm: cannot put the workload's arguments%s on a kernel command line: %s%s",
		       p.extra ? " or ZW_VM_APPEND" : "", strerror(-r),
		       r == -EINVAL ? " (no double quotes, newlines or '--')" : "");
		return r;
	}

	r = lab_tap_create(ti->lab, ti->slot, vm->tap);
	if (r < 0) {
		vm->tap[0] = '\0';
		return r;
	}
	struct qemu_vm q = {
		.kernel = vm->kernel,
		.initrd = vm->initramfs,
		.append = vm->cmdline,
		.mem_mib = vm->mem_mib,
		.vcpus = ti->opt.vcpus,
		.accel = ti->accel,
		.tap = vm->tap,
		.debug_exit = 1,
		.linux_guest = 1,
	};
	r = qemu_build_argv(&q, vm->argv, sizeof(vm->argv) / sizeof(vm->argv[0]), vm->argbuf,
			    sizeof(vm->argbuf));
	return r < 0 ? r : 0;
}

static int vm_start(struct target_instance *ti)
{
	struct vm_priv *vm = ti->priv;

	/* QEMU's own errors (a missing file, a bad option) land in the console
	 * too, so the harness shows them with the guest's last lines. */
	return proc_spawn(vm->argv, PROC_MERGE_STDERR, &ti->pid, &ti->out_fd);
}

static int vm_exit_status(struct target_instance *ti, int wait_status)
{
	char line[256];

	/* QEMU's last words (e.g. "terminating on signal 15") are in the pipe. */
	target_pump_console(ti);
	if (WIFSIGNALED(wait_status))
		return -1;   /* stopped by the harness, or QEMU crashed */
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
		/* zwinit always reports through isa-debug-exit, so a plain exit means
		 * the guest reset itself: a panic (panic=-1) or a triple fault. */
		char oom[256];
		int out_of_memory = console_last_line_with(&ti->console, 0, "on memory", oom, sizeof(oom)) ||
				    console_last_line_with(&ti->console, 0, "Out of memory", oom, sizeof(oom));

		if (console_last_line_with(&ti->console, 0, "Kernel panic", line, sizeof(line)))
			pr_err("vm: the guest kernel panicked: %s (%s)", line,
			       out_of_memory ? "fix: give the VM more memory with --mem"
					     : "the console below says why; the kernel command line is in meta.json");
		else if (!console_last_line_with(&ti->console, 0, "terminating on signal", line, sizeof(line)))
			pr_err("vm: the guest reset without reporting a status (panic or triple fault)");
		return -1;
	}
	int status = qemu_guest_status(wait_status);
	if (status < 0)
		pr_err("vm: QEMU failed (exit %d) before the guest reported a status",
		       WEXITSTATUS(wait_status));
	else if (status >= ZWINIT_FAILED && status <= ZWINIT_NOTFOUND &&
		 console_last_line_with(&ti->console, 0, "zwinit:", line, sizeof(line)))
		pr_err("vm: the guest init failed before or while starting %s (status %d): %s "
		       "(fix: " VM_FIX " to rebuild the initramfs from the kernel package)",
		       ti->wl.name, status, line);
	return status;
}

static void vm_cleanup(struct target_instance *ti)
{
	struct vm_priv *vm = ti->priv;

	if (!vm)
		return;
	if (vm->tap[0])
		lab_link_delete(vm->tap);
	free(vm);
	ti->priv = NULL;
}

static void vm_describe(struct target_instance *ti, cJSON *obj)
{
	struct vm_priv *vm = ti->priv;
	char release[128], version[128], path[512], qv[128];
	long long kernel = -1, bzimage = -1, initramfs = -1, workload = -1;

	if (kernel_version(release, sizeof(release), version, sizeof(version)) == 0) {
		cJSON_AddStringToObject(obj, "kernel", release);
		cJSON_AddStringToObject(obj, "kernel_package_version", version);
	} else {
		cJSON_AddStringToObject(obj, "kernel", "unavailable");
	}
	cJSON_AddStringToObject(obj, "kernel_boot",
				"PVH entry of the ELF image inside Debian's bzImage (no decompressor, no KASLR)");
	vm_path(path, sizeof(path), "vmlinuz");
	file_size(path, &bzimage);
	if (vm) {
		file_size(vm->kernel, &kernel);
		file_size(vm->initramfs, &initramfs);
	}
	file_size(ti->wl.path, &workload);
	if (kernel >= 0)
		cJSON_AddNumberToObject(obj, "kernel_bytes", (double)kernel);
	if (bzimage >= 0)
		cJSON_AddNumberToObject(obj, "kernel_bzimage_bytes", (double)bzimage);
	if (initramfs >= 0)
		cJSON_AddNumberToObject(obj, "initramfs_bytes", (double)initramfs);
	if (kernel >= 0 && initramfs >= 0)
		cJSON_AddNumberToObject(obj, "image_bytes", (double)(kernel + initramfs));
	if (workload >= 0)
		cJSON_AddNumberToObject(obj, "workload_bytes", (double)workload);
	cJSON_AddStringToObject(obj, "accelerator", ti->accel);
	if (vm && vm->accel_why[0])
		cJSON_AddStringToObject(obj, "accelerator_reason", vm->accel_why);
	if (vm) {
		cJSON_AddNumberToObject(obj, "mem_mib", vm->mem_mib);
		cJSON_AddStringToObject(obj, "kernel_cmdline", vm->cmdline);
	}
	cJSON_AddNumberToObject(obj, "vcpus", ti->opt.vcpus);
	cJSON_AddStringToObject(obj, "cpu_model", qemu_default_cpu(ti->accel));
	cJSON_AddStringToObject(obj, "mitigations", "kernel default (no mitigations= option)");
	if (qemu_version(qv, sizeof(qv)) == 0)
		cJSON_AddStringToObject(obj, "qemu", qv);
}

static const struct target_ops vm_ops = {
	.name = "vm",
	.summary = "Debian's cloud kernel and a minimal initramfs under QEMU microvm",
	.available = vm_available,
	.prepare = vm_prepare,
	.start = vm_start,
	.exit_status = vm_exit_status,
	.cleanup = vm_cleanup,
	.describe = vm_describe,
};
TARGET_REGISTER(vm_ops);
