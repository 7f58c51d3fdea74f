/* Until net/ links in, its syscalls exist as weak -ENOSYS stubs and
 * net_init as a weak success, so the kernel always builds and runs
 * non-network apps. net/'s strong definitions replace these. */
#include "kernel.h"
#include "uk_errno.h"
#include "syscall.h"

#define WEAK_ENOSYS(name)                                                    \
	__attribute__((weak)) long sys_##name(long a0, long a1, long a2, long a3, long a4, long a5) \
	{                                                                    \
		(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;  \
		return -ENOSYS;                                              \
	}

WEAK_ENOSYS(socket)
WEAK_ENOSYS(bind)
WEAK_ENOSYS(listen)
WEAK_ENOSYS(accept4)
WEAK_ENOSYS(accept)
WEAK_ENOSYS(connect)
WEAK_ENOSYS(setsockopt)
WEAK_ENOSYS(getsockopt)
WEAK_ENOSYS(getsockname)
WEAK_ENOSYS(getpeername)
WEAK_ENOSYS(shutdown)
WEAK_ENOSYS(sendto)
WEAK_ENOSYS(recvfrom)
WEAK_ENOSYS(epoll_create1)
WEAK_ENOSYS(epoll_create)
WEAK_ENOSYS(epoll_ctl)
WEAK_ENOSYS(epoll_wait)
WEAK_ENOSYS(epoll_pwait)
WEAK_ENOSYS(poll)

__attribute__((weak)) int net_init(void)
{
	return 0;
}
