/* One table from syscall number to implementation. The network calls are
 * net/'s (weak -ENOSYS stubs in net_stubs.c until it links in). */
#include "kernel.h"
#include "uk_errno.h"
#include "syscall_table.h"

#define E(nr, fn) [NR_##nr] = { fn, #nr }

const struct syscall_entry syscall_table[NR_MAX] = {
	E(read, sys_read), E(write, sys_write), E(open, sys_open), E(openat, sys_openat),
	E(close, sys_close), E(fstat, sys_fstat), E(newfstatat, sys_newfstatat),
	E(lseek, sys_lseek), E(ioctl, sys_ioctl), E(pread64, sys_pread64),
	E(pwrite64, sys_pwrite64), E(readv, sys_readv), E(writev, sys_writev),
	E(access, sys_access), E(dup, sys_dup), E(dup2, sys_dup2), E(dup3, sys_dup3),
	E(fcntl, sys_fcntl),
	E(mmap, sys_mmap), E(mprotect, sys_mprotect), E(munmap, sys_munmap), E(brk, sys_brk),
	E(mremap, sys_mremap), E(madvise, sys_madvise),
	E(clock_gettime, sys_clock_gettime), E(clock_getres, sys_clock_getres),
	E(clock_nanosleep, sys_clock_nanosleep), E(nanosleep, sys_nanosleep),
	E(gettimeofday, sys_gettimeofday), E(time, sys_time),
	E(rt_sigaction, sys_rt_sigaction), E(rt_sigprocmask, sys_rt_sigprocmask),
	E(sigaltstack, sys_sigaltstack),
	E(sched_yield, sys_sched_yield), E(sched_getaffinity, sys_sched_getaffinity),
	E(getpid, sys_getpid), E(getppid, sys_getppid), E(gettid, sys_gettid),
	E(getuid, sys_getuid), E(geteuid, sys_getuid), E(getgid, sys_getuid),
	E(getegid, sys_getuid), E(setuid, sys_setuid), E(setgid, sys_setuid),
	E(getpgrp, sys_getpgrp), E(getpgid, sys_getpgid), E(getsid, sys_getsid),
	E(setsid, sys_setsid), E(setpgid, sys_setpgid),
	E(exit, sys_exit), E(exit_group, sys_exit_group), E(uname, sys_uname),
	E(getrandom, sys_getrandom), E(getrlimit, sys_getrlimit), E(setrlimit, sys_setrlimit),
	E(prlimit64, sys_prlimit64), E(arch_prctl, sys_arch_prctl),
	E(set_tid_address, sys_set_tid_address), E(futex, sys_futex), E(tgkill, sys_tgkill),
	E(tkill, sys_tkill), E(set_robust_list, sys_set_robust_list),
	E(pipe, sys_pipe), E(pipe2, sys_pipe2),
	/* net/ */
	E(socket, sys_socket), E(bind, sys_bind), E(listen, sys_listen), E(accept, sys_accept),
	E(accept4, sys_accept4), E(connect, sys_connect), E(setsockopt, sys_setsockopt),
	E(getsockopt, sys_getsockopt), E(getsockname, sys_getsockname),
	E(getpeername, sys_getpeername), E(shutdown, sys_shutdown), E(sendto, sys_sendto),
	E(recvfrom, sys_recvfrom), E(epoll_create, sys_epoll_create),
	E(epoll_create1, sys_epoll_create1), E(epoll_ctl, sys_epoll_ctl),
	E(epoll_wait, sys_epoll_wait), E(epoll_pwait, sys_epoll_pwait), E(poll, sys_poll),
};

static uint64_t unimplemented_seen[NR_MAX / 64 + 1];
static int unimplemented_count;

static long unimplemented(long nr)
{
	/* Numbers past the table share the last bit: logged once in all. */
	unsigned long slot = (unsigned long)nr < NR_MAX ? (unsigned long)nr : NR_MAX;
	uint64_t bit = 1ULL << (slot % 64);
	if (!(unimplemented_seen[slot / 64] & bit)) {
		unimplemented_seen[slot / 64] |= bit;
		unimplemented_count++;
		kprintf("ZW: unimplemented syscall %ld\n", nr);
	}
	return -ENOSYS;
}

long syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if ((unsigned long)nr >= NR_MAX || !syscall_table[nr].fn)
		return unimplemented(nr);
	return syscall_table[nr].fn(a0, a1, a2, a3, a4, a5);
}

int syscall_unimplemented_seen(void)
{
	return unimplemented_count;
}
