/* The scheduler (thread.h): a list of threads and a switch. Everything here
 * runs in syscalls with interrupts off, so there is nothing to lock. */
#include "kernel.h"
#include "uk_errno.h"
#include "thread.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/layout.h"

extern uint64_t syscall_kstack_top;   /* entry.S: the running thread's */
void thread_switch(uint64_t *save_sp, uint64_t next_sp);

/* The app's first thread runs on entry.S's static syscall stack; its
 * kstack_top is recorded when it is first switched away from. */
static struct thread first = { .tid = 1, .state = THREAD_RUNNING };
struct thread *thread_current = &first;
uint64_t thread_switches;
static struct thread *threads = &first;
static int next_tid = 2;
static int live = 1;

int thread_count(void)
{
	return live;
}

struct thread *thread_by_tid(int tid)
{
	for (struct thread *t = threads; t; t = t->next)
		if (t->tid == tid && t->state != THREAD_DEAD)
			return t;
	return NULL;
}

struct thread *thread_next(struct thread *t)
{
	return t ? t->next : threads;
}

struct thread *thread_new(void)
{
	struct thread *t = kcalloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = page_alloc(THREAD_KSTACK_SIZE / PAGE_SIZE);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->kstack_top = (uint64_t)(uintptr_t)t->kstack + THREAD_KSTACK_SIZE;
	t->tid = next_tid++;
	t->state = THREAD_WAITING; /* not runnable until thread_start */
	t->deadline_ns = 0;
	return t;
}

void thread_start(struct thread *t)
{
	struct thread **tail = &threads;
	while (*tail)
		tail = &(*tail)->next;
	*tail = t;
	t->state = THREAD_READY;
	live++;
}

/* Frees dead threads' stacks; never the one we are standing on. */
static void reap(void)
{
	for (struct thread **pp = &threads; *pp;) {
		struct thread *t = *pp;
		if (t->state == THREAD_DEAD && t != thread_current && t->kstack) {
			*pp = t->next;
			page_free(t->kstack, THREAD_KSTACK_SIZE / PAGE_SIZE);
			kfree(t);
		} else {
			pp = &t->next;
		}
	}
}

/* Round robin: the first ready thread after the current one. */
static struct thread *pick_ready(void)
{
	struct thread *cur = thread_current;
	for (struct thread *t = cur->next; t; t = t->next)
		if (t->state == THREAD_READY)
			return t;
	for (struct thread *t = threads; t && t != cur; t = t->next)
		if (t->state == THREAD_READY)
			return t;
	return NULL;
}

static void switch_to(struct thread *next)
{
	struct thread *prev = thread_current;
	thread_switches++;
	prev->fs_base = arch_get_fs_base();
	prev->kstack_top = syscall_kstack_top;
	thread_current = next;
	next->state = THREAD_RUNNING;
	syscall_kstack_top = next->kstack_top;
	arch_set_fs_base(next->fs_base);
	thread_switch(&prev->ksp, next->ksp);
	reap();
}

int thread_block(uint64_t deadline_ns)
{
	struct thread *cur = thread_current;
	if (live <= 1 && cur->state != THREAD_DEAD)
		return 0;
	struct thread *next = pick_ready();
	if (!next)
		return 0;
	if (cur->state != THREAD_DEAD) {
		cur->state = THREAD_WAITING;
		cur->deadline_ns = deadline_ns;
	}
	switch_to(next);
	return 1;
}

void thread_wake(struct thread *t)
{
	if (t->state == THREAD_WAITING)
		t->state = THREAD_READY;
}

void threads_wake_waiting(void)
{
	uint64_t now = 0;
	for (struct thread *t = threads; t; t = t->next) {
		if (t->state != THREAD_WAITING)
			continue;
		if (!t->wants_events) {
			if (!t->deadline_ns)
				continue;
			if (!now)
				now = time_ns();
			if (now < t->deadline_ns)
				continue;
		}
		t->state = THREAD_READY;
	}
}

uint64_t threads_earliest_deadline(uint64_t own)
{
	uint64_t next = own;
	for (struct thread *t = threads; t; t = t->next)
		if (t->state == THREAD_WAITING && t->deadline_ns && (!next || t->deadline_ns < next))
			next = t->deadline_ns;
	return next;
}

void thread_yield(void)
{
	struct thread *next = pick_ready();
	if (!next)
		return;
	thread_current->state = THREAD_READY;
	switch_to(next);
}

void thread_exit(void)
{
	struct thread *cur = thread_current;
	cur->state = THREAD_DEAD;
	live--;
	/* Until another thread is ready, this dead one keeps the idle loop
	 * for everybody: idle_wait_until() switches away as soon as it can. */
	for (;;)
		idle_wait_until(0);
}
