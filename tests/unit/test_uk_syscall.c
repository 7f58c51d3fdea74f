/* The unikernel's syscall table and the core's syscalls, run on the host:
 * dispatch by number, -ENOSYS logged once per unknown number, descriptor
 * syscalls over the device files, -EFAULT for bad pointers, and the
 * process-level answers a single-process system gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel.h"
#include "file.h"
#include "fdext.h"
#include "linux.h"
#include "syscall_table.h"
#include "thread.h"
#include "vmem.h"
#include "test_uk_mocks.h"

static long sc(long nr, long a0, long a1, long a2, long a3)
{
	return syscall_dispatch(nr, a0, a1, a2, a3, 0, 0);
}
#define L(p) ((long)(uintptr_t)(p))
#define BAD_PTR 16L   /* inside page 0: user_range_ok refuses it */

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Files a test opened must be closed inside it: cmocka checks for leaks
 * when the test function returns. */
static void close_from(int first)
{
	for (int fd = first; fd < FD_MAX; fd++)
		fd_close(fd);
}

static int setup(void **state)
{
	(void)state;
	mock_console_reset();
	return console_files_install();
}

static int teardown(void **state)
{
	(void)state;
	for (int fd = 0; fd < FD_MAX; fd++)
		fd_close(fd);
	return 0;
}

static void test_unknown_syscall_enosys_logged_once(void **state)
{
	(void)state;
	int before = syscall_unimplemented_seen();
	assert_int_equal(sc(57, 0, 0, 0, 0), -38);   /* fork */
	assert_int_equal(sc(57, 0, 0, 0, 0), -38);
	assert_int_equal(count(mock_console, "ZW: unimplemented syscall 57\n"), 1);
	assert_int_equal(syscall_unimplemented_seen(), before + 1);
	assert_int_equal(sc(-1, 0, 0, 0, 0), -38);
	assert_int_equal(sc(100000, 0, 0, 0, 0), -38);
	assert_int_equal(sc(NR_MAX, 0, 0, 0, 0), -38);
	assert_int_equal(count(mock_console, "unimplemented syscall -1\n"), 1);
}

static void test_table_names_match_numbers(void **state)
{
	(void)state;
	assert_string_equal(syscall_table[NR_write].name, "write");
	assert_ptr_equal(syscall_table[NR_write].fn, sys_write);
	assert_ptr_equal(syscall_table[NR_getppid].fn, sys_getppid);
	assert_ptr_equal(syscall_table[NR_exit_group].fn, sys_exit_group);
	assert_ptr_equal(syscall_table[NR_epoll_wait].fn, sys_epoll_wait);
	assert_null(syscall_table[57].fn);
	int implemented = 0;
	for (int i = 0; i < NR_MAX; i++)
		if (syscall_table[i].fn) {
			implemented++;
			assert_non_null(syscall_table[i].name);
		}
	assert_true(implemented > 60);
}

static void test_network_calls_enosys_without_net(void **state)
{
	(void)state;
	/* net/'s strong definitions are not linked here: the weak stubs answer. */
	assert_int_equal(sc(NR_socket, 2, 1, 0, 0), -38);
	assert_int_equal(sc(NR_epoll_create1, 0, 0, 0, 0), -38);
	assert_int_equal(sc(NR_poll, 0, 0, 0, 0), -38);
}

static void test_write_and_writev_reach_the_console(void **state)
{
	(void)state;
	assert_int_equal(sc(NR_write, 1, L("hello\n"), 6, 0), 6);
	struct lx_iovec iov[3] = { { L("a"), 1 }, { L("bc"), 2 }, { L("\n"), 1 } };
	assert_int_equal(sc(NR_writev, 2, L(iov), 3, 0), 4);
	assert_string_equal(mock_console, "hello\nabc\n");
	assert_int_equal(sc(NR_write, 1, BAD_PTR, 6, 0), -14);
	assert_int_equal(sc(NR_write, 1, L("x"), -1, 0), -22);
	assert_int_equal(sc(NR_write, 99, L("x"), 1, 0), -9);
	assert_int_equal(sc(NR_writev, 1, L(iov), -1, 0), -22);
	assert_int_equal(sc(NR_writev, 1, BAD_PTR, 2, 0), -14);
	iov[1].base = BAD_PTR;
	assert_int_equal(sc(NR_writev, 1, L(iov), 3, 0), -14);
}

static void test_open_devices(void **state)
{
	(void)state;
	long fd = sc(NR_openat, LX_AT_FDCWD, L("/dev/zero"), LX_O_RDONLY, 0);
	assert_int_equal(fd, 3);
	char buf[8];
	memset(buf, 1, sizeof(buf));
	assert_int_equal(sc(NR_read, fd, L(buf), 8, 0), 8);
	assert_int_equal(buf[0] | buf[7], 0);
	struct lx_iovec iov[2] = { { L(buf), 3 }, { L(buf + 3), 5 } };
	memset(buf, 1, sizeof(buf));
	assert_int_equal(sc(NR_readv, fd, L(iov), 2, 0), 8);
	assert_int_equal(buf[4], 0);
	long nfd = sc(NR_open, L("/dev/null"), LX_O_WRONLY, 0, 0);
	assert_int_equal(nfd, 4);
	assert_int_equal(sc(NR_write, nfd, L(buf), 8, 0), 8);
	assert_int_equal(sc(NR_read, nfd, L(buf), 8, 0), 0);
	assert_int_equal(sc(NR_open, L("/etc/passwd"), 0, 0, 0), -2);
	assert_int_equal(sc(NR_open, L("/tmp/new"), LX_O_CREAT | LX_O_WRONLY, 0644, 0), -30);
	assert_int_equal(sc(NR_open, BAD_PTR, 0, 0, 0), -14);
	assert_int_equal(sc(NR_access, L("/dev/null"), 0, 0, 0), 0);
	assert_int_equal(sc(NR_access, L("/nope"), 0, 0, 0), -2);
	assert_int_equal(sc(NR_close, fd, 0, 0, 0), 0);
	assert_int_equal(sc(NR_close, fd, 0, 0, 0), -9);
	assert_int_equal(sc(NR_lseek, nfd, 0, 0, 0), -29);
	assert_int_equal(sc(NR_pread64, nfd, L(buf), 1, 0), -29);
	close_from(3);
}

static void test_dup_and_fcntl(void **state)
{
	(void)state;
	long nfd = sc(NR_open, L("/dev/null"), LX_O_RDWR, 0, 0);
	assert_int_equal(sc(NR_dup, nfd, 0, 0, 0), nfd + 1);
	assert_int_equal(sc(NR_dup2, nfd, 20, 0, 0), 20);
	assert_int_equal(sc(NR_dup3, nfd, nfd, 0, 0), -22);
	assert_int_equal(sc(NR_fcntl, nfd, LX_F_DUPFD, 30, 0), 30);
	assert_int_equal(sc(NR_fcntl, nfd, LX_F_GETFL, 0, 0), LX_O_RDWR);
	assert_int_equal(sc(NR_fcntl, nfd, LX_F_SETFL, LX_O_NONBLOCK, 0), 0);
	/* The flag lives on the file, so every duplicate sees it. */
	assert_int_equal(sc(NR_fcntl, 20, LX_F_GETFL, 0, 0), LX_O_RDWR | LX_O_NONBLOCK);
	int off = 0;
	assert_int_equal(sc(NR_ioctl, 20, LX_FIONBIO, L(&off), 0), 0);
	assert_int_equal(sc(NR_fcntl, nfd, LX_F_GETFL, 0, 0), LX_O_RDWR);
	assert_int_equal(sc(NR_fcntl, nfd, 12345, 0, 0), -22);
	assert_int_equal(sc(NR_fcntl, 77, LX_F_GETFL, 0, 0), -9);
	close_from(3);
}

static void test_ioctl_and_fstat(void **state)
{
	(void)state;
	char ws[8];
	assert_int_equal(sc(NR_ioctl, 1, LX_TIOCGWINSZ, L(ws), 0), -25);  /* ENOTTY */
	assert_int_equal(sc(NR_ioctl, 42, LX_TCGETS, L(ws), 0), -9);
	struct lx_stat st;
	assert_int_equal(sc(NR_fstat, 1, L(&st), 0, 0), 0);
	assert_int_equal(st.st_mode & 0170000, LX_S_IFCHR);
	assert_int_equal(sc(NR_newfstatat, 1, L(""), L(&st), LX_AT_EMPTY_PATH), 0);
	assert_int_equal(sc(NR_newfstatat, LX_AT_FDCWD, L("/dev/null"), L(&st), 0), 0);
	assert_int_equal(st.st_rdev, (1 << 8) | 3);
	assert_int_equal(sc(NR_newfstatat, LX_AT_FDCWD, L("/etc"), L(&st), 0), -2);
	assert_int_equal(sc(NR_fstat, 1, BAD_PTR, 0, 0), -14);
}

static void test_process_identity(void **state)
{
	(void)state;
	assert_int_equal(sc(NR_getpid, 0, 0, 0, 0), 1);
	assert_int_equal(sc(NR_gettid, 0, 0, 0, 0), 1);
	assert_int_equal(sc(NR_getppid, 0, 0, 0, 0), 0);
	assert_int_equal(sc(NR_getuid, 0, 0, 0, 0), 0);
	assert_int_equal(sc(NR_geteuid, 0, 0, 0, 0), 0);
	assert_int_equal(sc(NR_set_tid_address, 0x1000, 0, 0, 0), 1);
	struct lx_utsname u;
	assert_int_equal(sc(NR_uname, L(&u), 0, 0, 0), 0);
	assert_string_equal(u.sysname, "Linux");
	assert_string_equal(u.machine, "x86_64");
	assert_non_null(strstr(u.version, "zerowatt"));
	assert_int_equal(sc(NR_uname, BAD_PTR, 0, 0, 0), -14);
}

static void test_signals_accepted_and_remembered(void **state)
{
	(void)state;
	uint64_t act[4] = { 0x401000, 0x04000000, 0x402000, 0 }, old[4] = { 9, 9, 9, 9 };
	assert_int_equal(sc(NR_rt_sigaction, 13, L(act), 0, 8), 0);        /* SIGPIPE */
	assert_int_equal(sc(NR_rt_sigaction, 13, 0, L(old), 8), 0);
	assert_memory_equal(old, act, sizeof(act));
	assert_int_equal(sc(NR_rt_sigaction, 9, L(act), 0, 8), -22);       /* SIGKILL */
	assert_int_equal(sc(NR_rt_sigaction, 65, 0, 0, 8), -22);
	assert_int_equal(sc(NR_rt_sigaction, 13, 0, 0, 16), -22);
	uint64_t set = 1 << 12, oset = 77;
	assert_int_equal(sc(NR_rt_sigprocmask, 0, L(&set), 0, 8), 0);
	assert_int_equal(sc(NR_rt_sigprocmask, 1, 0, L(&oset), 8), 0);
	assert_int_equal(oset, set);
	assert_int_equal(sc(NR_rt_sigprocmask, 7, L(&set), 0, 8), -22);
}

static void test_limits_and_random(void **state)
{
	(void)state;
	struct lx_rlimit rl;
	assert_int_equal(syscall_dispatch(NR_prlimit64, 0, LX_RLIMIT_NOFILE, 0, L(&rl), 0, 0), 0);
	assert_int_equal(rl.cur, FD_MAX);
	assert_int_equal(sc(NR_getrlimit, LX_RLIMIT_STACK, L(&rl), 0, 0), 0);
	assert_int_equal(rl.cur, 512 * 1024);
	assert_int_equal(sc(NR_getrlimit, 99, L(&rl), 0, 0), -22);
	assert_int_equal(syscall_dispatch(NR_prlimit64, 4242, 0, 0, L(&rl), 0, 0), -3);
	unsigned char r[37];
	memset(r, 0, sizeof(r));
	assert_int_equal(sc(NR_getrandom, L(r), sizeof(r), 0, 0), (long)sizeof(r));
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(r); i++)
		nonzero += r[i] != 0;
	assert_true(nonzero > 20);
	assert_int_equal(sc(NR_getrandom, BAD_PTR, 8, 0, 0), -14);
}

static void test_clocks_and_sleep(void **state)
{
	(void)state;
	struct lx_timespec ts;
	mock_time_ns = 7500000001ULL;
	assert_int_equal(sc(NR_clock_gettime, LX_CLOCK_MONOTONIC, L(&ts), 0, 0), 0);
	assert_int_equal(ts.tv_sec, 7);
	assert_int_equal(ts.tv_nsec, 500000001);
	assert_int_equal(sc(NR_clock_gettime, LX_CLOCK_REALTIME, L(&ts), 0, 0), 0);
	assert_int_equal(ts.tv_sec, 1700000000);
	assert_int_equal(sc(NR_clock_gettime, 99, L(&ts), 0, 0), -22);
	assert_int_equal(sc(NR_clock_gettime, LX_CLOCK_MONOTONIC, BAD_PTR, 0, 0), -14);
	struct lx_timeval tv;
	assert_int_equal(sc(NR_gettimeofday, L(&tv), 0, 0, 0), 0);
	assert_int_equal(tv.tv_sec, 1700000000);
	assert_int_equal(sc(NR_time, 0, 0, 0, 0), 1700000000);
	struct lx_timespec nap = { 1, 250 };
	assert_int_equal(sc(NR_nanosleep, L(&nap), 0, 0, 0), 0);
	assert_int_equal(mock_last_wait_deadline, mock_time_ns + 1000000250ULL);
	nap.tv_nsec = 1000000000;
	assert_int_equal(sc(NR_nanosleep, L(&nap), 0, 0, 0), -22);
	/* Absolute REALTIME sleep: 2 s after "now" becomes a monotonic deadline. */
	struct lx_timespec abs = { 1700000002, 0 };
	assert_int_equal(sc(NR_clock_nanosleep, LX_CLOCK_REALTIME, LX_TIMER_ABSTIME, L(&abs), 0), 0);
	assert_int_equal(mock_last_wait_deadline, mock_time_ns + 2000000000ULL);
}

static void test_memory_calls(void **state)
{
	(void)state;
	assert_int_equal(sc(NR_brk, 0, 0, 0, 0), 0x500000);
	assert_int_equal(sc(NR_brk, 0x600000, 0, 0, 0), 0x600000);
	/* File-backed mappings of anything but /dev/zero are refused. */
	assert_int_equal(syscall_dispatch(NR_mmap, 0, 4096, 3, LX_MAP_PRIVATE, 1, 0), -19);
	assert_int_equal(syscall_dispatch(NR_mmap, 0, 0, 3, LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, -1, 0), -22);
	assert_int_equal(syscall_dispatch(NR_mmap, 0, 4096, 3, LX_MAP_ANONYMOUS, -1, 0), -22);
	assert_int_equal(syscall_dispatch(NR_mmap, 0x700000, 4096, 3,
					  LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, -1, 0), 0x700000);
	assert_int_equal(sc(NR_mprotect, 0x700000, 4096, 1, 0), 0);
	assert_int_equal(sc(NR_mprotect, 0x700001, 4096, 1, 0), -22);
	assert_int_equal(sc(NR_munmap, 0x700000, 0, 0, 0), -22);
	assert_int_equal(sc(NR_madvise, 0x700000, 4096, 8, 0), 0);  /* MADV_FREE */
}

static void test_memory_routing_to_the_window(void **state)
{
	(void)state;
	const long anon = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;
	/* A PROT_NONE reservation is only address space: the window. */
	mock_vmem_last.op = NULL;
	long r = syscall_dispatch(NR_mmap, 0, 1L << 30, LX_PROT_NONE, anon, -1, 0);
	assert_true(vmem_in_window((uint64_t)r));
	assert_string_equal(mock_vmem_last.op, "map");
	assert_int_equal(mock_vmem_last.prot_none, 1);
	/* Large read-write mappings too; small ones stay eager (appmem). */
	mock_vmem_last.op = NULL;
	r = syscall_dispatch(NR_mmap, 0, VMEM_LAZY_MIN, 3, anon, -1, 0);
	assert_true(vmem_in_window((uint64_t)r));
	assert_int_equal(mock_vmem_last.prot_none, 0);
	mock_vmem_last.op = NULL;
	assert_int_equal(syscall_dispatch(NR_mmap, 0, 4096, 3, anon, -1, 0), -12); /* appmem mock */
	assert_null(mock_vmem_last.op);
	/* Go's hint and a fixed map inside a reservation. */
	assert_int_equal(syscall_dispatch(NR_mmap, 0xc000000000L, 64L << 20, LX_PROT_NONE, anon, -1, 0),
			 0xc000000000L);
	assert_int_equal(syscall_dispatch(NR_mmap, 0xc000000000L, 1L << 20, 3, anon | LX_MAP_FIXED, -1, 0),
			 0xc000000000L);
	assert_int_equal(mock_vmem_last.fixed, 1);
	assert_int_equal(mock_vmem_last.noreplace, 0);
	assert_int_equal(sc(NR_mprotect, 0xc000000000L, 4096, 3, 0), 0);
	assert_string_equal(mock_vmem_last.op, "protect");
	assert_int_equal(sc(NR_madvise, 0xc000000000L, 4096, LX_MADV_DONTNEED, 0), 0);
	assert_string_equal(mock_vmem_last.op, "discard");
	assert_int_equal(sc(NR_munmap, 0xc000000000L, 64L << 20, 0, 0), 0);
	assert_string_equal(mock_vmem_last.op, "unmap");
	assert_int_equal(mock_vmem_last.len, 64L << 20);
}

static void test_threads_with_one_thread(void **state)
{
	(void)state;
	int word = 5;
	assert_int_equal(sc(NR_gettid, 0, 0, 0, 0), 1);
	assert_int_equal(sc(NR_tgkill, 1, 1, 23, 0), 0);   /* accepted, not delivered */
	assert_int_equal(sc(NR_tgkill, 1, 99, 23, 0), -3);  /* ESRCH */
	assert_int_equal(sc(NR_tgkill, 1, 1, 65, 0), -22);
	assert_int_equal(sc(NR_set_robust_list, 0x1000, 24, 0, 0), 0);
	assert_int_equal(sc(NR_set_robust_list, 0x1000, 8, 0, 0), -22);
	/* futex: value mismatch, nobody to wake, a timed wait that times out. */
	assert_int_equal(sc(NR_futex, L(&word), 128 | 0, 4, 0), -11);      /* EAGAIN */
	assert_int_equal(sc(NR_futex, L(&word), 128 | 1, 1, 0), 0);
	struct lx_timespec ts = { 0, 5000 };
	assert_int_equal(syscall_dispatch(NR_futex, L(&word), 128 | 0, 5, L(&ts), 0, 0), -110);
	assert_int_equal(mock_last_wait_deadline, mock_time_ns + 5000);
	assert_int_equal(sc(NR_futex, L(&word) + 1, 1, 1, 0), -14);       /* misaligned */
	assert_int_equal(sc(NR_futex, L(&word), 12, 1, 0), -38);          /* unsupported op */
	/* The only thread's exit ends the process with its status. */
	mock_exit_armed = 1;
	int st = setjmp(mock_exit_jmp);
	if (st == 0)
		sc(NR_exit, 3, 0, 0, 0);
	mock_exit_armed = 0;
	assert_int_equal(st, 3 + 1);
}

static void test_pipes(void **state)
{
	(void)state;
	int fds[2];
	char buf[8];
	assert_int_equal(sc(NR_pipe2, L(fds), 1, 0, 0), -22);             /* unknown flag */
	assert_int_equal(sc(NR_pipe2, BAD_PTR, 0, 0, 0), -14);
	assert_int_equal(sc(NR_pipe2, L(fds), LX_O_NONBLOCK, 0, 0), 0);
	assert_true(fds[0] >= 3 && fds[1] == fds[0] + 1);
	assert_int_equal(sc(NR_read, fds[0], L(buf), 1, 0), -11);         /* empty: EAGAIN */
	int notified = mock_notifications;
	assert_int_equal(sc(NR_write, fds[1], L("abc"), 3, 0), 3);
	assert_true(mock_notifications > notified);                         /* waiters re-check */
	assert_int_equal(sc(NR_read, fds[0], L(buf), 2, 0), 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(sc(NR_write, fds[0], L("x"), 1, 0), -22);        /* read end */
	assert_int_equal(sc(NR_close, fds[1], 0, 0, 0), 0);
	assert_int_equal(sc(NR_read, fds[0], L(buf), 8, 0), 1);
	assert_int_equal(sc(NR_read, fds[0], L(buf), 8, 0), 0);           /* EOF */
	assert_int_equal(sc(NR_close, fds[0], 0, 0, 0), 0);
	/* Blocking: a reader of an empty pipe waits with no deadline; a
	 * writer without readers gets EPIPE. */
	assert_int_equal(sc(NR_pipe, L(fds), 0, 0, 0), 0);
	mock_last_wait_deadline = 12345;
	sc(NR_read, fds[0], L(buf), 1, 0);
	assert_int_equal(mock_last_wait_deadline, 0);
	assert_int_equal(sc(NR_close, fds[0], 0, 0, 0), 0);
	assert_int_equal(sc(NR_write, fds[1], L("x"), 1, 0), -32);
	assert_int_equal(sc(NR_close, fds[1], 0, 0, 0), 0);
}

static void test_arch_prctl_sets_fs(void **state)
{
	(void)state;
	assert_int_equal(sc(NR_arch_prctl, LX_ARCH_SET_FS, 0x405000, 0, 0), 0);
	assert_int_equal(mock_fs_base, 0x405000);
	uint64_t got = 0;
	assert_int_equal(sc(NR_arch_prctl, LX_ARCH_GET_FS, L(&got), 0, 0), 0);
	assert_int_equal(got, 0x405000);
	assert_int_equal(sc(NR_arch_prctl, LX_ARCH_SET_GS, 0x1000, 0, 0), -22);
}

static void test_exit_group_passes_status(void **state)
{
	(void)state;
	mock_exit_armed = 1;
	int r = setjmp(mock_exit_jmp);
	if (r == 0) {
		sc(NR_exit_group, 0x107, 0, 0, 0);
		fail_msg("exit_group returned");
	}
	mock_exit_armed = 0;
	/* Linux keeps the low 8 bits. */
	assert_int_equal(r - 1, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_syscall_enosys_logged_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_names_match_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_calls_enosys_without_net, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_and_writev_reach_the_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dup_and_fcntl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioctl_and_fstat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_accepted_and_remembered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_and_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clocks_and_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_routing_to_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_with_one_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arch_prctl_sets_fs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_group_passes_status, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
