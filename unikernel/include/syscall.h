/* The Linux syscall ABI subset. The core dispatches by number through one
 * table; the network part implements the socket and epoll calls declared
 * here (net/), the core the rest. Arguments arrive as raw registers. */
#ifndef UK_SYSCALL_H
#define UK_SYSCALL_H
#include <stdint.h>

typedef long (*syscall_fn)(long a0, long a1, long a2, long a3, long a4, long a5);

/* Provided by net/: Linux semantics, -errno on failure. */
long sys_socket(long domain, long type, long protocol, long, long, long);
long sys_bind(long fd, long addr, long addrlen, long, long, long);
long sys_listen(long fd, long backlog, long, long, long, long);
long sys_accept4(long fd, long addr, long addrlen, long flags, long, long);
long sys_accept(long fd, long addr, long addrlen, long, long, long);
long sys_connect(long fd, long addr, long addrlen, long, long, long);
long sys_setsockopt(long fd, long level, long name, long val, long len, long);
long sys_getsockopt(long fd, long level, long name, long val, long len, long);
long sys_getsockname(long fd, long addr, long addrlen, long, long, long);
long sys_getpeername(long fd, long addr, long addrlen, long, long, long);
long sys_shutdown(long fd, long how, long, long, long, long);
long sys_sendto(long fd, long buf, long len, long flags, long addr, long addrlen);
long sys_recvfrom(long fd, long buf, long len, long flags, long addr, long addrlen);
long sys_epoll_create1(long flags, long, long, long, long, long);
long sys_epoll_create(long size, long, long, long, long, long);
long sys_epoll_ctl(long epfd, long op, long fd, long event, long, long);
long sys_epoll_wait(long epfd, long events, long maxevents, long timeout, long, long);
long sys_epoll_pwait(long epfd, long events, long maxevents, long timeout, long sigmask, long sigsetsize);
/* poll(2) over any file; lives in net/ because it shares epoll's readiness code. */
long sys_poll(long fds, long nfds, long timeout, long, long, long);

/* Called once by the core after memory, interrupts and time are up. */
int net_init(void);

#endif
