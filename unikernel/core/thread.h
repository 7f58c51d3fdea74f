/* Threads of the one process, scheduled cooperatively on the one CPU: a
 * thread runs until it blocks in a syscall (wait_event, futex, sleep,
 * sched_yield) or exits; there is no preemption, so a thread that never
 * makes a syscall keeps the CPU. Enough for runtimes that park their
 * threads in futexes and epoll, such as Go's. */
#ifndef UK_CORE_THREAD_H
#define UK_CORE_THREAD_H
#include <stdint.h>

enum thread_state { THREAD_RUNNING, THREAD_READY, THREAD_WAITING, THREAD_DEAD };

struct thread {
	int tid;
	enum thread_state state;
	uint64_t ksp;             /* saved kernel %rsp while not running */
	uint64_t kstack_top;
	void *kstack;             /* NULL for the first thread (static stack) */
	uint64_t fs_base;
	uint64_t clear_tid;       /* CLONE_CHILD_CLEARTID / set_tid_address */
	uint64_t deadline_ns;     /* while waiting; 0 = none */
	uint64_t futex_addr;      /* while in FUTEX_WAIT */
	int futex_woken;
	int wants_events;         /* waiting for readiness, not only a wake-up */
	struct thread *next;      /* all threads, in creation order */
};

extern struct thread *thread_current;
extern uint64_t thread_switches;   /* for the ZWSTATS line */

/* A new READY-to-be thread with its kernel stack, or NULL. */
struct thread *thread_new(void);
/* Makes t runnable; it starts at the frame its creator built. */
void thread_start(struct thread *t);
int thread_count(void);
struct thread *thread_by_tid(int tid);
/* Iterates over all threads: thread_next(NULL) is the first. */
struct thread *thread_next(struct thread *t);

/* The idle loop's side. thread_block: the caller waits (until deadline_ns)
 * while another thread runs; returns 1 after it was switched away and made
 * ready again, 0 if nobody else could run (the caller should halt). */
int thread_block(uint64_t deadline_ns);
/* After an event (interrupt, readiness change): every thread waiting for
 * events, and every one whose deadline has passed, re-checks what it waits
 * for. Threads in futex waits and plain sleeps are left alone: only a wake
 * or their deadline can end those. */
void threads_wake_waiting(void);
void thread_wake(struct thread *t);
/* The earliest deadline among waiting threads and own (0 = none). */
uint64_t threads_earliest_deadline(uint64_t own);
/* Another thread runs if one is ready; the caller stays ready. */
void thread_yield(void);
/* Ends the calling thread (never the last one); never returns. */
__attribute__((noreturn)) void thread_exit(void);

#endif
