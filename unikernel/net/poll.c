/* poll(2) over any descriptor: one pass over the array computes readiness
 * from each file's poll(); with nothing ready the caller sleeps in the idle
 * loop until a pass finds something or the timeout passes. */
#include "kernel.h"
#include "syscall.h"
#include "net_abi.h"
#include "net_internal.h"

struct poll_set {
	struct lx_pollfd *fds;
	unsigned long n;
};

static int poll_scan(struct poll_set *ps)
{
	int ready = 0;

	for (unsigned long i = 0; i < ps->n; i++) {
		struct lx_pollfd *p = &ps->fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		struct file *f = fd_get(p->fd);
		if (!f) {
			p->revents = LX_POLLNVAL;
		} else if (!f->ops->poll) {
			/* Like a regular file: always ready. */
			p->revents = (short)(p->events & (LX_EPOLLIN | LX_EPOLLOUT |
							  LX_EPOLLRDNORM | LX_EPOLLWRNORM));
		} else {
			uint32_t want = (uint16_t)p->events | LX_EPOLLERR | LX_EPOLLHUP;
			p->revents = (short)(f->ops->poll(f) & want);
		}
		if (p->revents)
			ready++;
	}
	return ready;
}

static int poll_ready(void *arg)
{
	return poll_scan(arg) > 0;
}

long sys_poll(long fds, long nfds, long timeout, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	struct poll_set ps = { (struct lx_pollfd *)fds, (unsigned long)nfds };
	int tmo = (int)timeout;

	if (ps.n > FD_MAX)
		return -EINVAL;
	if (!user_range_ok(ps.fds, ps.n * sizeof(*ps.fds)) || (!ps.fds && ps.n))
		return -EFAULT;
	uint64_t deadline = tmo > 0 ? time_ns() + (uint64_t)tmo * 1000000ULL : 0;

	net_kick();
	for (;;) {
		int ready = poll_scan(&ps);
		if (ready || tmo == 0)
			return ready;
		/* poll(NULL, 0, t) is a sleep. */
		if (wait_event(poll_ready, &ps, deadline) < 0)
			return 0;
	}
}
