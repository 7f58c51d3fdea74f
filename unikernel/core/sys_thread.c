/* Thread syscalls: clone (threads only: CLONE_VM, no fork), futex,
 * gettid, set_tid_address, exit, tgkill. Signals are still never delivered:
 * tgkill to a live thread succeeds and nothing happens, which Go's
 * preemption requests tolerate (its goroutines also yield at calls). */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "thread.h"
#include "syscall_table.h"
#include "../arch/x86_64/arch.h"

#define CLONE_VM             0x00000100
#define CLONE_VFORK          0x00004000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000

#define FUTEX_WAIT           0
#define FUTEX_WAKE           1
#define FUTEX_REQUEUE        3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE        128
#define FUTEX_CLOCK_REALTIME 256

/* entry.S's struct clone_frame, lowest address first. */
struct clone_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx;
	uint64_t r9, r8, r10, rdx, rsi, rdi, nr, rip, rflags, rsp;
};
void thread_first_entry(void);
long sys_clone_frame(struct clone_frame *f);

static int put_tid(uint64_t addr, int tid)
{
	if (!user_range_ok((void *)addr, sizeof(int)))
		return -EFAULT;
	*(int *)addr = tid;
	return 0;
}

long sys_clone_frame(struct clone_frame *f)
{
	kstats.syscalls++;
	uint64_t flags = f->rdi, stack = f->rsi, ptid = f->rdx, ctid = f->r10, tls = f->r8;
	/* A new process (fork, vfork) would need a second address space. */
	if (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) {
		static int logged;
		if (!logged++)
			kprintf("ZW: clone without CLONE_VM (fork) is not supported\n");
		return -ENOSYS;
	}
	struct thread *t = thread_new();
	if (!t)
		return -EAGAIN;
	if ((flags & CLONE_PARENT_SETTID) && put_tid(ptid, t->tid) < 0)
		return -EFAULT;
	if ((flags & CLONE_CHILD_SETTID) && put_tid(ctid, t->tid) < 0)
		return -EFAULT;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_tid = ctid;
	t->fs_base = (flags & CLONE_SETTLS) ? tls : arch_get_fs_base();

	/* The child's kernel stack: its registers (the parent's, %rax = 0 and
	 * the new stack), below them what thread_switch() pops on the way to
	 * thread_first_entry. */
	struct clone_frame *cf = (void *)(uintptr_t)(t->kstack_top - sizeof(*cf));
	*cf = *f;
	cf->nr = 0;
	if (stack)
		cf->rsp = stack;
	uint64_t *sp = (uint64_t *)cf;
	*--sp = (uint64_t)(uintptr_t)thread_first_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (uint64_t)(uintptr_t)sp;
	thread_start(t);
	return t->tid;
}

long sys_gettid(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return thread_current->tid;
}

long sys_set_tid_address(long ptr, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	thread_current->clear_tid = (uint64_t)ptr;
	return thread_current->tid;
}

/* A thread in FUTEX_WAIT on addr that no wake has reached yet. */
static int futex_waiter(const struct thread *t, uint64_t addr)
{
	return t->futex_addr == addr && !t->futex_woken;
}

static int futex_wake(uint64_t addr, int n)
{
	int woken = 0;
	for (struct thread *t = thread_next(NULL); t && woken < n; t = thread_next(t))
		if (futex_waiter(t, addr)) {
			t->futex_woken = 1;
			thread_wake(t);
			woken++;
		}
	return woken;
}

/* Wakes up to n waiters on addr and moves up to moves more to addr2
 * (pthread_cond_broadcast hands waiters to the mutex this way). */
static int futex_requeue(uint64_t addr, int n, uint64_t addr2, int moves)
{
	int woken = futex_wake(addr, n);
	for (struct thread *t = thread_next(NULL); t && moves > 0; t = thread_next(t))
		if (futex_waiter(t, addr)) {
			t->futex_addr = addr2;
			moves--;
		}
	return woken;
}

static int futex_woken(void *arg)
{
	(void)arg;
	return thread_current->futex_woken;
}

long sys_futex(long uaddr, long op, long val, long timeout, long uaddr2, long val3)
{
	int cmd = (int)op & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
	if (uaddr % 4 || !user_range_ok((void *)uaddr, 4))
		return -EFAULT;
	switch (cmd) {
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake((uint64_t)uaddr, (int)val);
	case FUTEX_CMP_REQUEUE:
		if (*(volatile int *)uaddr != (int)val3)
			return -EAGAIN;
		/* fall through */
	case FUTEX_REQUEUE:
		if (uaddr2 % 4 || !user_range_ok((void *)uaddr2, 4))
			return -EFAULT;
		return futex_requeue((uint64_t)uaddr, (int)val, (uint64_t)uaddr2, (int)timeout);
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		if (*(volatile int *)uaddr != (int)val)
			return -EAGAIN;
		uint64_t deadline = 0;
		if (timeout) {
			uint64_t ns;
			long r = read_timespec(timeout, &ns);
			if (r < 0)
				return r;
			/* FUTEX_WAIT's timeout is relative; the BITSET one is
			 * absolute, on CLOCK_MONOTONIC unless CLOCK_REALTIME. */
			if (cmd == FUTEX_WAIT)
				deadline = time_ns() + ns;
			else if ((int)op & FUTEX_CLOCK_REALTIME)
				deadline = time_ns() + (ns > time_realtime_ns() ? ns - time_realtime_ns() : 0);
			else
				deadline = ns;
			if (!deadline)
				deadline = 1;
		}
		struct thread *cur = thread_current;
		cur->futex_addr = (uint64_t)uaddr;
		cur->futex_woken = 0;
		int r = wait_wakeup(futex_woken, NULL, deadline);
		int woken = cur->futex_woken;
		cur->futex_addr = 0;
		cur->futex_woken = 0;
		return woken ? 0 : r;
	}
	default: {
		static int logged;
		if (!logged++)
			kprintf("ZW: futex op %d is not supported\n", cmd);
		return -ENOSYS;
	}
	}
}

long sys_exit(long status, long a1, long a2, long a3, long a4, long a5)
{
	if (thread_count() <= 1)
		return sys_exit_group(status, a1, a2, a3, a4, a5);
	struct thread *cur = thread_current;
	/* What pthread_join and Go's exitThread wait on. */
	if (cur->clear_tid && user_range_ok((void *)cur->clear_tid, 4)) {
		*(int *)cur->clear_tid = 0;
		futex_wake(cur->clear_tid, 1);
	}
	thread_exit();
}

long sys_tgkill(long tgid, long tid, long sig, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if ((tgid != 1 && tgid != -1) || sig < 0 || sig > 64)
		return -EINVAL;
	return thread_by_tid((int)tid) ? 0 : -ESRCH;
}

long sys_tkill(long tid, long sig, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return sys_tgkill(1, tid, sig, 0, 0, 0);
}

long sys_set_robust_list(long head, long len, long a2, long a3, long a4, long a5)
{
	(void)head, (void)a2, (void)a3, (void)a4, (void)a5;
	return len == 24 ? 0 : -EINVAL;
}
