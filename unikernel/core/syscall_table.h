/* The dispatch table and the core's syscall implementations. Every entry
 * takes the six raw argument registers and returns a Linux result. */
#ifndef UK_CORE_SYSCALL_TABLE_H
#define UK_CORE_SYSCALL_TABLE_H
#include "syscall.h"
#include "sysnr.h"

struct syscall_entry {
	syscall_fn fn;
	const char *name;
};

extern const struct syscall_entry syscall_table[NR_MAX];

/* Looks nr up and calls it; unknown numbers return -ENOSYS and are logged
 * once each ("ZW: unimplemented syscall N"). */
long syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
/* How many distinct unimplemented numbers were seen. */
int syscall_unimplemented_seen(void);

/* Reads a user struct timespec as nanoseconds, saturating absurd values
 * (sys_time.c): 0, -EFAULT or -EINVAL. Shared by the sleeps and futex. */
long read_timespec(long tsp, uint64_t *ns);

#define SYSCALL_DECL(name) long sys_##name(long, long, long, long, long, long)
SYSCALL_DECL(read); SYSCALL_DECL(write); SYSCALL_DECL(open); SYSCALL_DECL(openat);
SYSCALL_DECL(close); SYSCALL_DECL(fstat); SYSCALL_DECL(newfstatat); SYSCALL_DECL(lseek);
SYSCALL_DECL(ioctl); SYSCALL_DECL(pread64); SYSCALL_DECL(pwrite64); SYSCALL_DECL(readv);
SYSCALL_DECL(writev); SYSCALL_DECL(access); SYSCALL_DECL(dup); SYSCALL_DECL(dup2);
SYSCALL_DECL(dup3); SYSCALL_DECL(fcntl);
SYSCALL_DECL(mmap); SYSCALL_DECL(mprotect); SYSCALL_DECL(munmap); SYSCALL_DECL(brk);
SYSCALL_DECL(mremap); SYSCALL_DECL(madvise);
SYSCALL_DECL(clock_gettime); SYSCALL_DECL(clock_getres); SYSCALL_DECL(clock_nanosleep);
SYSCALL_DECL(nanosleep); SYSCALL_DECL(gettimeofday); SYSCALL_DECL(time);
SYSCALL_DECL(rt_sigaction); SYSCALL_DECL(rt_sigprocmask); SYSCALL_DECL(sigaltstack);
SYSCALL_DECL(sched_yield); SYSCALL_DECL(sched_getaffinity);
SYSCALL_DECL(getpid); SYSCALL_DECL(getppid); SYSCALL_DECL(gettid); SYSCALL_DECL(getuid);
SYSCALL_DECL(getpgrp); SYSCALL_DECL(getpgid); SYSCALL_DECL(getsid); SYSCALL_DECL(setsid);
SYSCALL_DECL(setpgid); SYSCALL_DECL(setuid);
SYSCALL_DECL(exit); SYSCALL_DECL(exit_group); SYSCALL_DECL(uname); SYSCALL_DECL(getrandom);
SYSCALL_DECL(getrlimit); SYSCALL_DECL(setrlimit); SYSCALL_DECL(prlimit64);
SYSCALL_DECL(arch_prctl); SYSCALL_DECL(set_tid_address);
SYSCALL_DECL(futex); SYSCALL_DECL(tgkill); SYSCALL_DECL(tkill); SYSCALL_DECL(set_robust_list);
SYSCALL_DECL(pipe); SYSCALL_DECL(pipe2);
#undef SYSCALL_DECL

#endif
