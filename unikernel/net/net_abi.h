/* Linux x86-64 ABI values the socket and epoll layer speaks: the app is an
 * unmodified static Linux binary, so these numbers are the interface. */
#ifndef UK_NET_ABI_H
#define UK_NET_ABI_H
#include <stdint.h>

/* errno values: the core's list (Linux's numbers), plus one it lacks. */
#include "uk_errno.h"
#ifndef ESOCKTNOSUPPORT
#define ESOCKTNOSUPPORT 94
#endif

/* File status flags. */
#ifndef O_NONBLOCK
#define O_NONBLOCK 04000
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 02000000
#endif

/* Sockets. */
#define LX_AF_UNIX        1
#define LX_AF_INET        2
#define LX_AF_INET6       10
#define LX_SOCK_STREAM    1
#define LX_SOCK_DGRAM     2
#define LX_SOCK_TYPE_MASK 0xf
#define LX_SOCK_NONBLOCK  O_NONBLOCK
#define LX_SOCK_CLOEXEC   O_CLOEXEC
#define LX_IPPROTO_IP     0
#define LX_IPPROTO_TCP    6

#define LX_SOL_SOCKET     1
#define LX_SO_REUSEADDR   2
#define LX_SO_TYPE        3
#define LX_SO_ERROR       4
#define LX_SO_SNDBUF      7
#define LX_SO_RCVBUF      8
#define LX_SO_KEEPALIVE   9
#define LX_SO_LINGER      13
#define LX_SO_REUSEPORT   15
#define LX_SO_RCVTIMEO    20
#define LX_SO_SNDTIMEO    21
#define LX_SO_ACCEPTCONN  30
#define LX_SO_PROTOCOL    38
#define LX_SO_DOMAIN      39

#define LX_TCP_NODELAY    1
#define LX_TCP_MAXSEG     2
#define LX_TCP_CORK       3
#define LX_TCP_KEEPIDLE   4
#define LX_TCP_KEEPINTVL  5
#define LX_TCP_KEEPCNT    6
#define LX_TCP_DEFER_ACCEPT 9
#define LX_TCP_QUICKACK   12

#define LX_MSG_OOB        0x1
#define LX_MSG_PEEK       0x2
#define LX_MSG_DONTWAIT   0x40
#define LX_MSG_WAITALL    0x100
#define LX_MSG_NOSIGNAL   0x4000
#define LX_MSG_MORE       0x8000

#define LX_SHUT_RD        0
#define LX_SHUT_WR        1
#define LX_SHUT_RDWR      2

#define LX_FIONREAD       0x541B
#define LX_FIONBIO        0x5421
#define LX_TIOCOUTQ       0x5411

struct lx_sockaddr_in {
	uint16_t family;
	uint16_t port;      /* network order */
	uint32_t addr;      /* network order */
	uint8_t zero[8];
};

struct lx_timeval { long sec; long usec; };
struct lx_linger { int onoff; int linger; };

/* epoll and poll: the same bit values. */
#define LX_EPOLLIN        0x001
#define LX_EPOLLPRI       0x002
#define LX_EPOLLOUT       0x004
#define LX_EPOLLERR       0x008
#define LX_EPOLLHUP       0x010
#define LX_POLLNVAL       0x020
#define LX_EPOLLRDNORM    0x040
#define LX_EPOLLRDBAND    0x080
#define LX_EPOLLWRNORM    0x100
#define LX_EPOLLWRBAND    0x200
#define LX_EPOLLRDHUP     0x2000
#define LX_EPOLLEXCLUSIVE (1u << 28)
#define LX_EPOLLWAKEUP    (1u << 29)
#define LX_EPOLLONESHOT   (1u << 30)
#define LX_EPOLLET        (1u << 31)
#define LX_EPOLL_CTL_ADD  1
#define LX_EPOLL_CTL_DEL  2
#define LX_EPOLL_CTL_MOD  3
#define LX_EPOLL_CLOEXEC  O_CLOEXEC

/* x86-64 packs epoll_event to 12 bytes. */
struct lx_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct lx_pollfd {
	int fd;
	short events;
	short revents;
};

#endif
