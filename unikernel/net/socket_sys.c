/* The socket system calls: argument checks, descriptors and sockaddr
 * conversion around socket.c. The app shares our address space, so its
 * pointers are used directly once user_range_ok() accepts them. */
#include "kernel.h"
#include "syscall.h"
#include "net_abi.h"
#include "net_internal.h"
#include "socket.h"

/* Linux caps a single read or write at this. */
#define MAX_RW_COUNT 0x7ffff000L

static struct usock *sock_of(long fd, long *err)
{
	struct file *f = fd_get((int)fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!sock_is_socket(f) || !f->priv) {
		*err = -ENOTSOCK;
		return NULL;
	}
	return f->priv;
}

static int nonblocking(struct usock *us)
{
	return us->file && (us->file->flags & O_NONBLOCK);
}

static long read_sockaddr(long addr, long len, uint32_t *ip, uint16_t *port)
{
	const struct lx_sockaddr_in *sa = (const void *)addr;
	int n = (int)len; /* socklen_t */

	if (n < 0)
		return -EINVAL;
	if (!sa || !user_range_ok(sa, (size_t)n))
		return -EFAULT;
	if (n < (int)sizeof(uint16_t))
		return -EINVAL;
	if (sa->family != LX_AF_INET)
		return -EAFNOSUPPORT;
	if (n < (int)sizeof(*sa))
		return -EINVAL;
	*ip = sa->addr;
	*port = __builtin_bswap16(sa->port);
	return 0;
}

static long write_sockaddr(long addr, long addrlen, uint32_t ip, uint16_t port)
{
	int *lenp = (int *)addrlen;

	if (!addr)
		return 0;
	if (!lenp || !user_range_ok(lenp, sizeof(*lenp)))
		return -EFAULT;
	if (*lenp < 0)
		return -EINVAL;
	struct lx_sockaddr_in sa = {
		.family = LX_AF_INET, .port = __builtin_bswap16(port), .addr = ip,
	};
	size_t n = (size_t)*lenp < sizeof(sa) ? (size_t)*lenp : sizeof(sa);
	if (!user_range_ok((void *)addr, n))
		return -EFAULT;
	memcpy((void *)addr, &sa, n);
	*lenp = (int)sizeof(sa);
	return 0;
}

static long install(struct usock *us, int flags)
{
	struct file *f = file_new(&usock_fops, FILE_SOCKET, us);
	if (!f)
		return -ENOMEM;
	f->flags = flags & O_NONBLOCK;
	us->file = f;
	int fd = fd_install(f);
	if (fd < 0) {
		us->file = NULL;
		f->priv = NULL;
		if (file_discard)
			file_discard(f);
	}
	return fd;
}

long sys_socket(long domain, long type, long protocol, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	if ((int)domain != LX_AF_INET)
		return -EAFNOSUPPORT;
	int flags = (int)type & ~LX_SOCK_TYPE_MASK;
	if (flags & ~(LX_SOCK_NONBLOCK | LX_SOCK_CLOEXEC))
		return -EINVAL;
	if (((int)type & LX_SOCK_TYPE_MASK) != LX_SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if ((int)protocol != 0 && (int)protocol != LX_IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	long err = 0;
	struct usock *us = usock_new(&err);
	if (!us)
		return err;
	long fd = install(us, (flags & LX_SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (fd < 0)
		usock_destroy(us);
	return fd;
}

long sys_bind(long fd, long addr, long addrlen, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	uint32_t ip;
	uint16_t port;
	if ((err = read_sockaddr(addr, addrlen, &ip, &port)) < 0)
		return err;
	return usock_bind(us, ip, port);
}

long sys_listen(long fd, long backlog, long a2, long a3, long a4, long a5)
{
	(void)a2; (void)a3; (void)a4; (void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	return usock_listen(us, (int)backlog);
}

long sys_accept4(long fd, long addr, long addrlen, long flags, long a4, long a5)
{
	(void)a4; (void)a5;
	long err;
	if ((int)flags & ~(LX_SOCK_NONBLOCK | LX_SOCK_CLOEXEC))
		return -EINVAL;
	struct usock *ls = sock_of(fd, &err);
	if (!ls)
		return err;
	int *lenp = (int *)addrlen;
	if (addr) {
		if (!lenp || !user_range_ok(lenp, sizeof(*lenp)))
			return -EFAULT;
		if (*lenp < 0)
			return -EINVAL;
		if (!user_range_ok((void *)addr, (size_t)*lenp))
			return -EFAULT;
	}
	struct usock *c = usock_accept(ls, nonblocking(ls), &err);
	if (!c)
		return err;
	long nfd = install(c, (flags & LX_SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (nfd < 0) {
		usock_unaccept(ls, c);
		return nfd;
	}
	write_sockaddr(addr, addrlen, c->peer_ip, c->peer_port);
	return nfd;
}

long sys_accept(long fd, long addr, long addrlen, long a3, long a4, long a5)
{
	(void)a3;
	return sys_accept4(fd, addr, addrlen, 0, a4, a5);
}

long sys_connect(long fd, long addr, long addrlen, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	uint32_t ip;
	uint16_t port;
	if ((err = read_sockaddr(addr, addrlen, &ip, &port)) < 0)
		return err;
	return usock_connect(us, ip, port, nonblocking(us));
}

long sys_setsockopt(long fd, long level, long name, long val, long len, long a5)
{
	(void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	if ((int)len < 0)
		return -EINVAL;
	if (!user_range_ok((const void *)val, (size_t)(int)len))
		return -EFAULT;
	return usock_setsockopt(us, (int)level, (int)name, (const void *)val, (size_t)(int)len);
}

long sys_getsockopt(long fd, long level, long name, long val, long len, long a5)
{
	(void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	int *lenp = (int *)len;
	if (!lenp || !user_range_ok(lenp, sizeof(*lenp)))
		return -EFAULT;
	if (*lenp < 0)
		return -EINVAL;
	if (!user_range_ok((void *)val, (size_t)*lenp))
		return -EFAULT;
	return usock_getsockopt(us, (int)level, (int)name, (void *)val, lenp);
}

static long name_of(long fd, long addr, long addrlen, int peer)
{
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	if (!addr || !addrlen)
		return -EFAULT;
	uint32_t ip;
	uint16_t port;
	if ((err = usock_name(us, peer, &ip, &port)) < 0)
		return err;
	return write_sockaddr(addr, addrlen, ip, port);
}

long sys_getsockname(long fd, long addr, long addrlen, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	return name_of(fd, addr, addrlen, 0);
}

long sys_getpeername(long fd, long addr, long addrlen, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	return name_of(fd, addr, addrlen, 1);
}

long sys_shutdown(long fd, long how, long a2, long a3, long a4, long a5)
{
	(void)a2; (void)a3; (void)a4; (void)a5;
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	return usock_shutdown(us, (int)how);
}

long sys_sendto(long fd, long buf, long len, long flags, long addr, long addrlen)
{
	(void)addr; (void)addrlen; /* ignored on a connected stream, as on Linux */
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	if (len < 0)
		return -EINVAL;
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!user_range_ok((const void *)buf, (size_t)len))
		return -EFAULT;
	return usock_send(us, (const void *)buf, (size_t)len, (int)flags, nonblocking(us));
}

long sys_recvfrom(long fd, long buf, long len, long flags, long addr, long addrlen)
{
	long err;
	struct usock *us = sock_of(fd, &err);
	if (!us)
		return err;
	if (len < 0)
		return -EINVAL;
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!user_range_ok((void *)buf, (size_t)len))
		return -EFAULT;
	long n = usock_recv(us, (void *)buf, (size_t)len, (int)flags, nonblocking(us));
	/* A stream socket reports no source address. */
	if (n >= 0 && addr && addrlen && user_range_ok((void *)addrlen, sizeof(int)))
		*(int *)addrlen = 0;
	return n;
}
