/* pipe and pipe2: a byte ring between two files. Go's network poller
 * needs one (it writes a byte to wake its epoll_wait); blocking reads and
 * writes wait like sockets do, and every change notifies the idle loop so
 * a thread waiting on the other end re-checks. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "fdext.h"
#include "linux.h"
#include "syscall_table.h"

#define PIPE_BUF_SIZE 16384
#define LX_O_CLOEXEC  0x80000

struct pipe {
	unsigned char *buf;
	size_t head, len;               /* head: next byte to read */
	int readers, writers;
	struct file *rfile, *wfile;
};

static void pipe_changed(struct pipe *p)
{
	if (p->rfile)
		file_notify(p->rfile);
	if (p->wfile)
		file_notify(p->wfile);
}

static int readable(void *arg)
{
	struct pipe *p = arg;
	return p->len > 0 || p->writers == 0;
}

static int writable(void *arg)
{
	struct pipe *p = arg;
	return p->len < PIPE_BUF_SIZE || p->readers == 0;
}

static long pipe_read(struct file *f, void *dst, size_t n)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	if (!readable(p)) {
		if (f->flags & LX_O_NONBLOCK)
			return -EAGAIN;
		wait_event(readable, p, 0);
	}
	size_t done = 0;
	while (done < n && p->len > 0) {
		size_t chunk = PIPE_BUF_SIZE - p->head;
		if (chunk > p->len)
			chunk = p->len;
		if (chunk > n - done)
			chunk = n - done;
		memcpy((unsigned char *)dst + done, p->buf + p->head, chunk);
		p->head = (p->head + chunk) % PIPE_BUF_SIZE;
		p->len -= chunk;
		done += chunk;
	}
	if (done)
		pipe_changed(p);
	return (long)done;
}

static long pipe_write(struct file *f, const void *src, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	while (done < n) {
		if (p->readers == 0)
			return done ? (long)done : -EPIPE;
		if (p->len == PIPE_BUF_SIZE) {
			if (f->flags & LX_O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			wait_event(writable, p, 0);
			continue;
		}
		size_t tail = (p->head + p->len) % PIPE_BUF_SIZE;
		size_t chunk = PIPE_BUF_SIZE - tail;   /* up to the end of the ring */
		if (chunk > PIPE_BUF_SIZE - p->len)
			chunk = PIPE_BUF_SIZE - p->len;
		if (chunk > n - done)
			chunk = n - done;
		memcpy(p->buf + tail, (const unsigned char *)src + done, chunk);
		p->len += chunk;
		done += chunk;
		pipe_changed(p);
	}
	return (long)done;
}

static uint32_t pipe_poll_read(struct file *f)
{
	struct pipe *p = f->priv;
	return (p->len ? LX_EPOLLIN : 0) | (p->writers ? 0 : LX_EPOLLHUP);
}

static uint32_t pipe_poll_write(struct file *f)
{
	struct pipe *p = f->priv;
	return (p->len < PIPE_BUF_SIZE ? LX_EPOLLOUT : 0) | (p->readers ? 0 : LX_EPOLLERR);
}

static void pipe_put(struct pipe *p)
{
	pipe_changed(p);
	if (p->readers == 0 && p->writers == 0) {
		page_free(p->buf, PIPE_BUF_SIZE / PAGE_SIZE);
		kfree(p);
	}
}

static void pipe_release_read(struct file *f)
{
	struct pipe *p = f->priv;
	p->readers--;
	p->rfile = NULL;
	pipe_put(p);
}

static void pipe_release_write(struct file *f)
{
	struct pipe *p = f->priv;
	p->writers--;
	p->wfile = NULL;
	pipe_put(p);
}

static const struct file_ops pipe_read_ops = {
	.read = pipe_read, .poll = pipe_poll_read, .release = pipe_release_read,
};
static const struct file_ops pipe_write_ops = {
	.write = pipe_write, .poll = pipe_poll_write, .release = pipe_release_write,
};

long sys_pipe2(long fdsp, long flags, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (flags & ~(long)(LX_O_NONBLOCK | LX_O_CLOEXEC))
		return -EINVAL;
	if (!user_range_ok((void *)fdsp, 2 * sizeof(int)))
		return -EFAULT;
	struct pipe *p = kcalloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->buf = page_alloc(PIPE_BUF_SIZE / PAGE_SIZE);
	p->rfile = file_new(&pipe_read_ops, FILE_PIPE, p);
	p->wfile = file_new(&pipe_write_ops, FILE_PIPE, p);
	long err = -ENOMEM;
	int rfd = -1, wfd = -1;
	if (p->buf && p->rfile && p->wfile) {
		p->readers = p->writers = 1;
		p->rfile->flags = p->wfile->flags = (int)(flags & LX_O_NONBLOCK);
		rfd = fd_install(p->rfile);
		if (rfd >= 0)
			wfd = fd_install(p->wfile);
		err = -EMFILE;
	}
	if (wfd < 0) {
		if (rfd >= 0)
			fd_table_forget(rfd);
		if (p->rfile)
			file_discard(p->rfile);
		if (p->wfile)
			file_discard(p->wfile);
		if (p->buf)
			page_free(p->buf, PIPE_BUF_SIZE / PAGE_SIZE);
		kfree(p);
		return err;
	}
	((int *)fdsp)[0] = rfd;
	((int *)fdsp)[1] = wfd;
	return 0;
}

long sys_pipe(long fdsp, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return sys_pipe2(fdsp, 0, 0, 0, 0, 0);
}
