/* Process-level syscalls of a single-process system: the app is pid 1
 * (its first thread tid 1; threads are sys_thread.c's) with no parent,
 * owned by root. Signals are accepted and remembered but never delivered. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "linux.h"
#include "appmem.h"
#include "syscall_table.h"
#include "thread.h"
#include "../arch/x86_64/arch.h"

#define APP_PID 1
#define NSIG 64

struct lx_sigaction {
	uint64_t handler, flags, restorer, mask;
};
static struct lx_sigaction sigactions[NSIG];
static uint64_t sigmask;

long sys_getpid(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return APP_PID;
}

long sys_getppid(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return 0;
}

long sys_getuid(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return 0;
}

long sys_setuid(long id, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return id == 0 ? 0 : -EPERM;
}

long sys_getpgrp(long a0, long a1, long a2, long a3, long a4, long a5)
{
	return sys_getpid(a0, a1, a2, a3, a4, a5);
}

long sys_getpgid(long pid, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return pid == 0 || pid == APP_PID ? APP_PID : -ESRCH;
}

long sys_getsid(long pid, long a1, long a2, long a3, long a4, long a5)
{
	return sys_getpgid(pid, a1, a2, a3, a4, a5);
}

long sys_setsid(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -EPERM; /* already a session leader, as init is */
}

long sys_setpgid(long pid, long pgid, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return (pid == 0 || pid == APP_PID) && (pgid == 0 || pgid == APP_PID) ? 0 : -EPERM;
}

long sys_exit_group(long status, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	machine_exit((int)(status & 0xff));
}

long sys_uname(long bufp, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (!user_range_ok((void *)bufp, sizeof(struct lx_utsname)))
		return -EFAULT;
	struct lx_utsname *u = (void *)bufp;
	memset(u, 0, sizeof(*u));
	/* Linux-compatible: programs that look at sysname/release see a
	 * Linux they know; nodename and version say what this really is. */
	memcpy(u->sysname, "Linux", 6);
	memcpy(u->nodename, "zerowatt", 9);
	memcpy(u->release, "6.1.0-zerowatt", 15);
	memcpy(u->version, "#1 zerowatt unikernel", 22);
	memcpy(u->machine, "x86_64", 7);
	memcpy(u->domainname, "(none)", 7);
	return 0;
}

long sys_getrandom(long bufp, long len, long flags, long a3, long a4, long a5)
{
	(void)flags, (void)a3, (void)a4, (void)a5;
	if (len < 0)
		return -EINVAL;
	if (len > 33554431)
		len = 33554431; /* Linux's per-call cap */
	if (!user_range_ok((void *)bufp, (size_t)len))
		return -EFAULT;
	unsigned char *p = (void *)bufp;
	for (long i = 0; i < len; i += 8) {
		uint64_t r = arch_random64();
		long k = len - i < 8 ? len - i : 8;
		memcpy(p + i, &r, (size_t)k);
	}
	return len;
}

static void rlimit_of(long res, struct lx_rlimit *out)
{
	out->cur = out->max = LX_RLIM_INFINITY;
	if (res == LX_RLIMIT_NOFILE)
		out->cur = out->max = FD_MAX;
	else if (res == LX_RLIMIT_STACK)
		out->cur = out->max = appmem_stack_size();
}

long sys_prlimit64(long pid, long res, long newp, long oldp, long a4, long a5)
{
	(void)a4, (void)a5;
	if (pid != 0 && pid != APP_PID)
		return -ESRCH;
	if (res < 0 || res >= LX_RLIMIT_NLIMITS)
		return -EINVAL;
	if (newp && !user_range_ok((void *)newp, sizeof(struct lx_rlimit)))
		return -EFAULT;
	if (oldp) {
		if (!user_range_ok((void *)oldp, sizeof(struct lx_rlimit)))
			return -EFAULT;
		rlimit_of(res, (struct lx_rlimit *)oldp);
	}
	/* New limits are accepted and not enforced: the real ones are
	 * the table's size and the stack we allocated. */
	return 0;
}

long sys_getrlimit(long res, long rlp, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (!rlp)
		return -EFAULT;
	return sys_prlimit64(0, res, 0, rlp, 0, 0);
}

long sys_setrlimit(long res, long rlp, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return sys_prlimit64(0, res, rlp, 0, 0, 0);
}

long sys_arch_prctl(long code, long addr, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	switch (code) {
	case LX_ARCH_SET_FS:
		arch_set_fs_base((uint64_t)addr);
		return 0;
	case LX_ARCH_GET_FS:
		if (!user_range_ok((void *)addr, 8))
			return -EFAULT;
		*(uint64_t *)addr = arch_get_fs_base();
		return 0;
	default:
		/* GS stays the kernel's to keep (no swapgs is needed because
		 * nobody else uses it). */
		return -EINVAL;
	}
}

long sys_rt_sigaction(long sig, long act, long oact, long setsize, long a4, long a5)
{
	(void)a4, (void)a5;
	if (sig < 1 || sig > NSIG || setsize != 8)
		return -EINVAL;
	if (act && (sig == 9 || sig == 19))
		return -EINVAL; /* SIGKILL, SIGSTOP */
	if (oact) {
		if (!user_range_ok((void *)oact, sizeof(struct lx_sigaction)))
			return -EFAULT;
		*(struct lx_sigaction *)oact = sigactions[sig - 1];
	}
	if (act) {
		if (!user_range_ok((void *)act, sizeof(struct lx_sigaction)))
			return -EFAULT;
		sigactions[sig - 1] = *(const struct lx_sigaction *)act;
	}
	return 0;
}

long sys_rt_sigprocmask(long how, long set, long oset, long setsize, long a4, long a5)
{
	(void)a4, (void)a5;
	if (setsize != 8)
		return -EINVAL;
	if (oset) {
		if (!user_range_ok((void *)oset, 8))
			return -EFAULT;
		*(uint64_t *)oset = sigmask;
	}
	if (set) {
		if (!user_range_ok((void *)set, 8))
			return -EFAULT;
		uint64_t s = *(const uint64_t *)set;
		switch (how) {
		case 0: sigmask |= s; break;   /* SIG_BLOCK */
		case 1: sigmask &= ~s; break;  /* SIG_UNBLOCK */
		case 2: sigmask = s; break;    /* SIG_SETMASK */
		default: return -EINVAL;
		}
	}
	return 0;
}

long sys_sigaltstack(long ss, long oss, long a2, long a3, long a4, long a5)
{
	(void)ss, (void)a2, (void)a3, (void)a4, (void)a5;
	if (oss) {
		if (!user_range_ok((void *)oss, 24))
			return -EFAULT;
		memset((void *)oss, 0, 24);
		((int *)oss)[2] = 2; /* SS_DISABLE */
	}
	return 0;
}

long sys_sched_yield(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	pollers_run();
	thread_yield();
	return 0;
}

long sys_sched_getaffinity(long pid, long len, long maskp, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (pid != 0 && pid != APP_PID)
		return -ESRCH;
	if (len < 8 || len % 8)
		return -EINVAL;
	if (!user_range_ok((void *)maskp, 8))
		return -EFAULT;
	*(uint64_t *)maskp = 1; /* CPU 0 */
	return 8;
}
