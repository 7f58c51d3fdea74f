#include "kvmcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc.h"

#define GUEST_MEM (64 * 1024)
#define GUEST_CODE 0x1000
#define WARMUP_ITERS 1000u
#define TIMED_ITERS 100000u
#define NATIVE_ITERS 10000000u

static void native_loop(uint32_t n)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}

static double native_ns_per_iter(void)
{
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_s();
		native_loop(NATIVE_ITERS);
		double dt = now_s() - t0;
		if (dt < best)
			best = dt;
	}
	return best * 1e9 / NATIVE_ITERS;
}

/* 16-bit real-mode code: mov ecx, n; 1: dec ecx; jnz 1b; hlt */
static void write_guest_code(uint8_t *mem, uint32_t n)
{
	uint8_t code[] = { 0x66, 0xb9, 0, 0, 0, 0, 0x66, 0x49, 0x75, 0xfc, 0xf4 };
	memcpy(code + 2, &n, 4);
	memcpy(mem + GUEST_CODE, code, sizeof(code));
}

struct kvm_guest {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

static void guest_close(struct kvm_guest *g)
{
	if (g->run && g->run != MAP_FAILED)
		munmap(g->run, g->run_size);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, GUEST_MEM);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->kvm >= 0)
		close(g->kvm);
}

static int guest_open(struct kvm_guest *g, char *why, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->kvm = g->vm = g->vcpu = -1;
	g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0);
	if (g->vm < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	g->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -1;
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
		.userspace_addr = (uintptr_t)g->mem,
	};
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0) {
		snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	int sz = ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0) {
		snprintf(why, len, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	g->run_size = (size_t)sz;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		snprintf(why, len, "mmap vcpu: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs the loop with n iterations; returns seconds spent in KVM_RUN. */
static double guest_run(struct kvm_guest *g, uint32_t n, char *why, size_t len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	write_guest_code(g->mem, n);
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(why, len, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs) < 0) {
		snprintf(why, len, "KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 0x2;
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs) < 0) {
		snprintf(why, len, "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	double t0 = now_s();
	for (;;) {
		if (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, len, "KVM_RUN: %s", strerror(errno));
			return -1;
		}
		if (g->run->exit_reason == KVM_EXIT_HLT)
			break;
		if (g->run->exit_reason != KVM_EXIT_INTR) {
			snprintf(why, len, "unexpected KVM exit %u", g->run->exit_reason);
			return -1;
		}
	}
	return now_s() - t0;
}

static void check(struct kvm_check *c)
{
	struct kvm_guest g;
	if (access("/dev/kvm", F_OK) != 0) {
		c->verdict = KVM_ABSENT;
		snprintf(c->why, sizeof(c->why), "/dev/kvm is absent (no hardware virtualisation, or the kvm module is not loaded)");
		return;
	}
	if (guest_open(&g, c->why, sizeof(c->why)) < 0 ||
	    guest_run(&g, WARMUP_ITERS, c->why, sizeof(c->why)) < 0) {
		guest_close(&g);
		c->verdict = KVM_BROKEN;
		return;
	}
	double t = guest_run(&g, TIMED_ITERS, c->why, sizeof(c->why));
	guest_close(&g);
	if (t < 0) {
		c->verdict = KVM_BROKEN;
		return;
	}
	c->native_ns_per_iter = native_ns_per_iter();
	c->guest_ns_per_iter = t * 1e9 / TIMED_ITERS;
	c->ratio = c->guest_ns_per_iter / c->native_ns_per_iter;
	if (c->ratio > KVM_TIMING_MAX_RATIO) {
		c->verdict = KVM_SLOW;
		snprintf(c->why, sizeof(c->why),
			 "guest loop %.1f ns/iter vs native %.2f ns/iter: %.0fx slower (nested virtualisation?)",
			 c->guest_ns_per_iter, c->native_ns_per_iter, c->ratio);
	} else {
		c->verdict = KVM_OK;
		snprintf(c->why, sizeof(c->why), "guest loop %.2f ns/iter vs native %.2f ns/iter (%.1fx)",
			 c->guest_ns_per_iter, c->native_ns_per_iter, c->ratio);
	}
}

const struct kvm_check *kvm_timing_check(void)
{
	static struct kvm_check cached;
	static int done;
	if (!done) {
		check(&cached);
		done = 1;
	}
	return &cached;
}
