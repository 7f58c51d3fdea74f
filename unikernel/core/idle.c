/* The idle loop, tickless: the LAPIC timer is armed one-shot for the
 * earliest deadline anybody waits for (a sleeping syscall, a poller's
 * protocol timer) and for nothing else; with nothing to do the CPU halts
 * with interrupts on. Kernel code otherwise runs with interrupts off, so the
 * only places an interrupt handler can run are this HLT and app code. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "stats.h"
#include "thread.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/layout.h"

static struct poller *pollers;
static volatile int work_pending;    /* set by file_notify and interrupts */
static uint64_t armed_deadline;      /* 0 = timer idle */

void poller_register(struct poller *p)
{
	p->next = pollers;
	pollers = p;
}

int pollers_run(void)
{
	int progress = 0;
	for (struct poller *p = pollers; p; p = p->next)
		if (p->poll && p->poll())
			progress = 1;
	return progress;
}

void file_notify(struct file *f)
{
	work_pending = 1;
	if (f && f->watchers && epoll_file_notify)
		epoll_file_notify(f);
}

static void timer_interrupt(void *arg)
{
	(void)arg;
	armed_deadline = 0;
}

static void serial_interrupt(void *arg)
{
	(void)arg;
	if (serial_rx_drain() > 0)
		kstats_report("serial");
}

int idle_init(void)
{
	irq_set_vector_handler(TIMER_VECTOR, timer_interrupt, NULL);
	int r = irq_register_gsi(4, serial_interrupt, NULL);
	if (r == 0)
		serial_rx_interrupts(1);
	return r;
}

static void timer_set(uint64_t deadline)
{
	if (deadline == armed_deadline)
		return;
	if (deadline)
		lapic_timer_arm_ns(deadline);
	else
		lapic_timer_disarm();
	armed_deadline = deadline;
}

void idle_wait_until(uint64_t deadline_ns)
{
	int st = irq_save();
	if (pollers_run() || work_pending) {
		work_pending = 0;
		/* Whatever happened may be what another thread waits for. */
		threads_wake_waiting();
		irq_restore(st);
		return;
	}
	/* Another thread that can run does, rather than the CPU halting; we
	 * come back when an event or a futex wakes us. */
	if (thread_block(deadline_ns)) {
		irq_restore(st);
		return;
	}
	uint64_t next = threads_earliest_deadline(deadline_ns);
	for (struct poller *p = pollers; p; p = p->next) {
		uint64_t d = p->next_deadline_ns ? p->next_deadline_ns() : 0;
		if (d && (!next || d < next))
			next = d;
	}
	uint64_t now = time_ns();
	if (next && now >= next) {
		threads_wake_waiting();
		irq_restore(st);
		return;
	}
	/* A timer armed for a deadline nobody waits for any more would be a
	 * useless wakeup: re-arm for exactly what is wanted now. */
	timer_set(next);
	kstats.hlts++;
	kstats_debug_request = 0;
	arch_halt();
	if (!kstats_debug_request)
		kstats.wakeups++;
	kstats_halted_ns += time_ns() - now;
	threads_wake_waiting();
	irq_restore(st);
}

static int wait_common(int (*cond)(void *arg), void *arg, uint64_t deadline_ns, int wants_events)
{
	thread_current->wants_events = wants_events;
	for (;;) {
		if (cond && cond(arg))
			return 0;
		if (deadline_ns && time_ns() >= deadline_ns)
			return -ETIMEDOUT;
		idle_wait_until(deadline_ns);
	}
}

int wait_event(int (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
	return wait_common(cond, arg, deadline_ns, 1);
}

int wait_wakeup(int (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
	return wait_common(cond, arg, deadline_ns, 0);
}

void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

int irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	return (flags >> 9) & 1;
}

void irq_restore(int state)
{
	if (state)
		irq_enable();
}
