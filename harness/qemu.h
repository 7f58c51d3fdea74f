/* The one place QEMU microvm command lines are made, shared by the vm and
 * unikernel targets so both get the same device model, RAM and vCPUs and
 * differ only in the kernel. */
#ifndef ZW_QEMU_H
#define ZW_QEMU_H
#include <stddef.h>

struct qemu_vm {
	const char *kernel;      /* -kernel */
	const char *initrd;      /* -initrd, may be NULL */
	const char *append;      /* -append, may be NULL */
	unsigned mem_mib;
	unsigned vcpus;
	const char *accel;       /* "kvm" or "tcg" */
	const char *tap;         /* tap name inside the lab netns, NULL for none */
	const char *mac;         /* guest MAC, NULL for QEMU's default */
	int debug_exit;          /* add isa-debug-exit at 0xf4 so the guest sets QEMU's exit status */
	int linux_guest;         /* guest is Linux (vm target); see qemu.c */
	const char *qmp_path;    /* QMP unix socket, NULL for none (debug requests: inject-nmi) */
	const char *cpu;         /* -cpu model, NULL: per accelerator default (qemu.c) */
};

/* Fills argv (NULL-terminated) using storage in buf. Returns argc or -ENOSPC. */
int qemu_build_argv(const struct qemu_vm *vm, char **argv, int max, char *buf, size_t buflen);

/* QEMU's exit status with isa-debug-exit is (value << 1) | 1; a plain 0 means
 * the guest powered off. Maps a raw wait status to the guest's status, or -1
 * for a QEMU crash / signal. */
int qemu_guest_status(int wait_status);

/* "kvm" when KVM is usable for timing on this host (cached per process),
 * else "tcg". why gets the verdict. */
const char *qemu_choose_accel(char *why, size_t len);

const char *qemu_binary(void);
/* The -cpu model used when struct qemu_vm leaves cpu NULL. */
const char *qemu_default_cpu(const char *accel);

/* Sends one QMP command (e.g. "inject-nmi") over the socket at path after the
 * capabilities handshake. Returns 0 when QEMU answered "return". */
int qemu_qmp_command(const char *path, const char *command, double timeout_s);
/* "QEMU emulator version 7.2.x" for meta.json. */
int qemu_version(char *out, size_t len);

#endif
