/* Linux x86-64 ABI values and layouts the core's syscalls use. LX_ prefixed
 * so host unit tests can include this beside the C library's headers. */
#ifndef UK_CORE_LINUX_H
#define UK_CORE_LINUX_H
#include <stdint.h>

#define LX_O_ACCMODE    0x3
#define LX_O_RDONLY     0x0
#define LX_O_WRONLY     0x1
#define LX_O_RDWR       0x2
#define LX_O_CREAT      0x40
#define LX_O_APPEND     0x400
#define LX_O_NONBLOCK   0x800
#define LX_O_DIRECTORY  0x10000
#define LX_O_CLOEXEC    0x80000

#define LX_F_DUPFD      0
#define LX_F_GETFD      1
#define LX_F_SETFD      2
#define LX_F_GETFL      3
#define LX_F_SETFL      4
#define LX_F_DUPFD_CLOEXEC 1030

#define LX_AT_FDCWD     (-100)
#define LX_AT_EMPTY_PATH 0x1000

#define LX_FIONBIO      0x5421
#define LX_TCGETS       0x5401
#define LX_TIOCGWINSZ   0x5413

#define LX_EPOLLIN      0x001
#define LX_EPOLLOUT     0x004
#define LX_EPOLLERR     0x008
#define LX_EPOLLHUP     0x010

#define LX_PROT_NONE    0
#define LX_MAP_SHARED   0x01
#define LX_MAP_PRIVATE  0x02
#define LX_MAP_FIXED    0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_MAP_FAILED   (-1L)
#define LX_MREMAP_MAYMOVE 1
#define LX_MREMAP_FIXED 2
#define LX_MADV_DONTNEED 4

#define LX_CLOCK_REALTIME           0
#define LX_CLOCK_MONOTONIC          1
#define LX_CLOCK_PROCESS_CPUTIME_ID 2
#define LX_CLOCK_THREAD_CPUTIME_ID  3
#define LX_CLOCK_MONOTONIC_RAW      4
#define LX_CLOCK_REALTIME_COARSE    5
#define LX_CLOCK_MONOTONIC_COARSE   6
#define LX_CLOCK_BOOTTIME           7
#define LX_TIMER_ABSTIME            1

#define LX_ARCH_SET_GS  0x1001
#define LX_ARCH_SET_FS  0x1002
#define LX_ARCH_GET_FS  0x1003
#define LX_ARCH_GET_GS  0x1004

#define LX_RLIMIT_STACK  3
#define LX_RLIMIT_NOFILE 7
#define LX_RLIMIT_NLIMITS 16
#define LX_RLIM_INFINITY (~0UL)

#define LX_S_IFCHR  0020000
#define LX_S_IFSOCK 0140000
#define LX_S_IFIFO  0010000

/* auxv */
#define LX_AT_NULL    0
#define LX_AT_PHDR    3
#define LX_AT_PHENT   4
#define LX_AT_PHNUM   5
#define LX_AT_PAGESZ  6
#define LX_AT_BASE    7
#define LX_AT_FLAGS   8
#define LX_AT_ENTRY   9
#define LX_AT_UID     11
#define LX_AT_EUID    12
#define LX_AT_GID     13
#define LX_AT_EGID    14
#define LX_AT_PLATFORM 15
#define LX_AT_HWCAP   16
#define LX_AT_CLKTCK  17
#define LX_AT_SECURE  23
#define LX_AT_RANDOM  25
#define LX_AT_HWCAP2  26
#define LX_AT_EXECFN  31

struct lx_timespec { int64_t tv_sec, tv_nsec; };
struct lx_timeval { int64_t tv_sec, tv_usec; };
struct lx_iovec { uint64_t base, len; };
struct lx_rlimit { uint64_t cur, max; };

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct lx_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct lx_timespec st_atim, st_mtim, st_ctim;
	int64_t reserved[3];
};

#endif
