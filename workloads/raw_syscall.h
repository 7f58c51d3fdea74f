/* The bare x86-64 `syscall` instruction. A benchmark calls the kernel
 * through these so that no libc wrapper, cache (getpid and friends have been
 * cached by some libcs) or cancellation point sits in the timed path. */
#ifndef ZW_RAW_SYSCALL_H
#define ZW_RAW_SYSCALL_H

static inline long raw_syscall0(long nr)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
