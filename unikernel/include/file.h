/* The app's file descriptors. The core owns the table and the console,
 * /dev/null and /dev/zero; the network part provides sockets and epoll as
 * file_ops. Every function returns a Linux-style result: >= 0 or -errno.
 *
 * Changes:
 * 2026-12-03 core: added the weak hook epoll_file_notify(), which
 *   file_notify() calls when f->watchers is set and net/ defines it. The
 *   core reads f->flags & O_NONBLOCK (0x800) itself for fcntl/FIONBIO.
 * 2026-12-03 net: added the weak file_discard(), to free a file_new()
 *   result that never got a descriptor (fd_install() said -EMFILE in
 *   socket/accept4/epoll_create1). Until the core defines it, net/ leaves
 *   such a file allocated rather than guess how it was allocated. */
#ifndef UK_FILE_H
#define UK_FILE_H
#include <stddef.h>
#include <stdint.h>

struct file;
struct iovec_k { void *base; size_t len; };

/* poll event bits use Linux's values (EPOLLIN = 0x1, EPOLLOUT = 0x4, ...). */
struct file_ops {
	long (*read)(struct file *f, void *buf, size_t n);
	long (*write)(struct file *f, const void *buf, size_t n);
	/* Current readiness, as EPOLL* bits. */
	uint32_t (*poll)(struct file *f);
	long (*ioctl)(struct file *f, unsigned long req, unsigned long arg);
	/* Called when the last descriptor referring to f closes. */
	void (*release)(struct file *f);
};

struct file {
	const struct file_ops *ops;
	void *priv;
	int flags;          /* O_NONBLOCK etc., Linux values */
	int refs;
	int kind;           /* FILE_CONSOLE, FILE_SOCKET, FILE_EPOLL, ... */
	/* Epoll instances watching this file, maintained by net/epoll.c. */
	void *watchers;
};

enum { FILE_CONSOLE = 1, FILE_DEVNULL, FILE_DEVZERO, FILE_SOCKET, FILE_EPOLL, FILE_PIPE };

#define FD_MAX 4096

struct file *file_new(const struct file_ops *ops, int kind, void *priv);
/* Installs f at the lowest free descriptor; returns fd or -EMFILE. */
int fd_install(struct file *f);
struct file *fd_get(int fd);
int fd_close(int fd);
/* Frees f from file_new() that was never installed, without release(). */
void file_discard(struct file *f) __attribute__((weak));

/* Wake anyone blocked on f (epoll_wait, blocking read/accept): the network
 * part calls this when a socket's readiness changes. */
void file_notify(struct file *f);
/* Defined by net/epoll.c if it wants to hear about readiness changes
 * directly; file_notify() calls it for files with watchers. */
void epoll_file_notify(struct file *f) __attribute__((weak));

/* Blocks (idle loop) until cond(arg) is true or the absolute deadline passes
 * (0 = forever). Returns 0 when cond held, -ETIMEDOUT otherwise. */
int wait_event(int (*cond)(void *arg), void *arg, uint64_t deadline_ns);
/* The same for a condition that only an explicit wake-up (a futex wake)
 * or the deadline can make true (cond may be NULL: sleep until the
 * deadline), so readiness events elsewhere need not wake this waiter. */
int wait_wakeup(int (*cond)(void *arg), void *arg, uint64_t deadline_ns);

#endif
