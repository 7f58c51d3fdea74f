/* epoll, built like Linux's: each watched file keeps the list of items
 * watching it (file->watchers), and a readiness event puts those items on
 * their epoll's ready list; epoll_wait walks only the ready list, so its
 * cost does not grow with the number of idle connections.
 *  - Level-triggered items stay on the ready list while poll() reports
 *    something; edge-triggered ones leave it once reported until the next
 *    event; EPOLLONESHOT disables the item until EPOLL_CTL_MOD.
 *  - Sockets and epoll files announce their events: file_notify() calls
 *    epoll_file_notify() below.
 *    Other files (console, /dev/null, pipes of the core) do not, so their
 *    items are checked on every wait instead: level-triggered always. They
 *    are not notified when closed either, so each wait also drops an item
 *    whose descriptor no longer refers to its file. */
#include "kernel.h"
#include "syscall.h"
#include "net_abi.h"
#include "net_internal.h"

#define EPOLL_NEST_MAX 4

struct epoll;

struct epitem {
	struct epoll *ep;
	struct file *file;
	int fd;
	int announces;              /* file_notify() tells us of its events */
	uint32_t events;
	uint64_t data;
	struct epitem *ep_next, *ep_prev;       /* all items of ep */
	struct epitem *watch_next;              /* items watching file */
	struct epitem *rd_next, *rd_prev;       /* ep's ready list */
	int on_ready;
};

struct epoll {
	struct file *file;
	struct epitem *items;
	struct epitem *rd_head, *rd_tail;
	unsigned nitems;
};

static const struct file_ops epoll_fops;

static int file_announces(struct file *f)
{
	return sock_is_socket(f) || f->ops == &epoll_fops;
}

/* --- ready list ------------------------------------------------------- */

static void ready_add(struct epitem *it)
{
	struct epoll *ep = it->ep;

	if (it->on_ready)
		return;
	it->rd_next = NULL;
	it->rd_prev = ep->rd_tail;
	if (ep->rd_tail)
		ep->rd_tail->rd_next = it;
	else
		ep->rd_head = it;
	ep->rd_tail = it;
	it->on_ready = 1;
}

static void ready_del(struct epitem *it)
{
	struct epoll *ep = it->ep;

	if (!it->on_ready)
		return;
	if (it->rd_prev)
		it->rd_prev->rd_next = it->rd_next;
	else
		ep->rd_head = it->rd_next;
	if (it->rd_next)
		it->rd_next->rd_prev = it->rd_prev;
	else
		ep->rd_tail = it->rd_prev;
	it->rd_next = it->rd_prev = NULL;
	it->on_ready = 0;
}

/* --- items ------------------------------------------------------------ */

static void watch_unlink(struct epitem *it)
{
	for (struct epitem **pp = (struct epitem **)&it->file->watchers; *pp;
	     pp = &(*pp)->watch_next) {
		if (*pp == it) {
			*pp = it->watch_next;
			break;
		}
	}
	it->watch_next = NULL;
}

static void item_free(struct epitem *it)
{
	struct epoll *ep = it->ep;

	ready_del(it);
	if (it->ep_prev)
		it->ep_prev->ep_next = it->ep_next;
	else
		ep->items = it->ep_next;
	if (it->ep_next)
		it->ep_next->ep_prev = it->ep_prev;
	if (it->announces)
		watch_unlink(it);
	ep->nitems--;
	kfree(it);
}

static struct epitem *item_find(struct epoll *ep, struct file *f, int fd)
{
	if (file_announces(f)) {
		for (struct epitem *it = f->watchers; it; it = it->watch_next)
			if (it->ep == ep && it->fd == fd)
				return it;
		return NULL;
	}
	for (struct epitem *it = ep->items; it; it = it->ep_next)
		if (it->file == f && it->fd == fd)
			return it;
	return NULL;
}

static uint32_t item_revents(struct epitem *it)
{
	uint32_t want = it->events | LX_EPOLLERR | LX_EPOLLHUP;
	if (!(it->events & ~(LX_EPOLLET | LX_EPOLLONESHOT | LX_EPOLLEXCLUSIVE | LX_EPOLLWAKEUP)) &&
	    (it->events & LX_EPOLLONESHOT))
		return 0; /* disabled one-shot item */
	return it->file->ops->poll(it->file) & want;
}

static int nest_depth;

void epoll_file_notify(struct file *f)
{
	for (struct epitem *it = f->watchers; it; it = it->watch_next) {
		if (it->on_ready)
			continue;
		ready_add(it);
		/* The epoll itself became readable for whoever watches it. */
		if (it->ep->file && it->ep->file->watchers && nest_depth < EPOLL_NEST_MAX) {
			nest_depth++;
			net_file_changed(it->ep->file);
			nest_depth--;
		}
	}
}

void epoll_file_gone(struct file *f)
{
	while (f->watchers)
		item_free(f->watchers);
}

/* --- collecting events ------------------------------------------------ */

static int item_stale(struct epitem *it)
{
	return !it->announces && fd_get(it->fd) != it->file;
}

/* Reports up to max ready items into out (when out is not NULL). */
static int ep_collect(struct epoll *ep, struct lx_epoll_event *out, int max)
{
	int n = 0;
	struct epitem *it = ep->rd_head, *stop = ep->rd_tail;

	while (it && n < max) {
		struct epitem *next = it->rd_next;
		int last = it == stop;
		if (item_stale(it)) {
			item_free(it);
		} else {
			uint32_t rev = item_revents(it);
			if (!rev) {
				if (it->announces)
					ready_del(it);
			} else {
				if (out) {
					out[n].events = rev;
					out[n].data = it->data;
				}
				n++;
				if (out) {
					if (it->events & LX_EPOLLONESHOT) {
						it->events &= LX_EPOLLONESHOT | LX_EPOLLET;
						ready_del(it);
					} else if ((it->events & LX_EPOLLET) && it->announces) {
						ready_del(it);
					} else {
						/* Level-triggered: to the back, so busy
						 * descriptors cannot starve the rest. */
						ready_del(it);
						ready_add(it);
					}
				}
			}
		}
		if (last)
			break;
		it = next;
	}
	return n;
}

static int ep_has_events(void *arg)
{
	struct epoll *ep = arg;
	return ep_collect(ep, NULL, 1) > 0;
}

/* --- the epoll file --------------------------------------------------- */

static uint32_t epoll_file_poll(struct file *f)
{
	return ep_has_events(f->priv) ? LX_EPOLLIN | LX_EPOLLRDNORM : 0;
}

static long epoll_file_rw(struct file *f, void *buf, size_t n)
{
	(void)f; (void)buf; (void)n;
	return -EINVAL;
}

static long epoll_file_write(struct file *f, const void *buf, size_t n)
{
	(void)f; (void)buf; (void)n;
	return -EINVAL;
}

static long epoll_file_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
	(void)f; (void)req; (void)arg;
	return -ENOTTY;
}

static void epoll_file_release(struct file *f)
{
	struct epoll *ep = f->priv;

	epoll_file_gone(f);
	if (ep) {
		while (ep->items)
			item_free(ep->items);
		kfree(ep);
	}
	f->priv = NULL;
}

static const struct file_ops epoll_fops = {
	.read = epoll_file_rw,
	.write = epoll_file_write,
	.poll = epoll_file_poll,
	.ioctl = epoll_file_ioctl,
	.release = epoll_file_release,
};

static struct epoll *epoll_of(long fd, long *err)
{
	struct file *f = fd_get((int)fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &epoll_fops || !f->priv) {
		*err = -EINVAL;
		return NULL;
	}
	return f->priv;
}

/* --- system calls ----------------------------------------------------- */

long sys_epoll_create1(long flags, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	if ((int)flags & ~LX_EPOLL_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = kcalloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	struct file *f = file_new(&epoll_fops, FILE_EPOLL, ep);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	f->flags = 0;
	ep->file = f;
	int fd = fd_install(f);
	if (fd < 0) {
		f->priv = NULL;
		kfree(ep);
		if (file_discard)
			file_discard(f);
	}
	return fd;
}

long sys_epoll_create(long size, long a1, long a2, long a3, long a4, long a5)
{
	if ((int)size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0, a1, a2, a3, a4, a5);
}

long sys_epoll_ctl(long epfd, long op, long fd, long event, long a4, long a5)
{
	(void)a4; (void)a5;
	long err;
	struct file *epf = fd_get((int)epfd);
	struct file *f = fd_get((int)fd);
	if (!epf || !f)
		return -EBADF;
	struct epoll *ep = epoll_of(epfd, &err);
	if (!ep)
		return err;
	if (epf == f)
		return -EINVAL;
	if (!f->ops || !f->ops->poll)
		return -EPERM;
	const struct lx_epoll_event *ev = (const void *)event;
	if ((int)op != LX_EPOLL_CTL_DEL && (!ev || !user_range_ok(ev, sizeof(*ev))))
		return -EFAULT;

	struct epitem *it = item_find(ep, f, (int)fd);
	switch ((int)op) {
	case LX_EPOLL_CTL_ADD: {
		if (it)
			return -EEXIST;
		if (f->ops == &epoll_fops) {
			/* Watching an epoll that watches us would loop. */
			struct epoll *inner = f->priv;
			for (struct epitem *i = inner ? inner->items : NULL; i; i = i->ep_next)
				if (i->file == epf)
					return -ELOOP;
		}
		it = kcalloc(1, sizeof(*it));
		if (!it)
			return -ENOMEM;
		it->ep = ep;
		it->file = f;
		it->fd = (int)fd;
		it->events = ev->events;
		it->data = ev->data;
		it->announces = file_announces(f);
		it->ep_next = ep->items;
		if (ep->items)
			ep->items->ep_prev = it;
		ep->items = it;
		ep->nitems++;
		if (it->announces) {
			it->watch_next = f->watchers;
			f->watchers = it;
			if (item_revents(it))
				ready_add(it);
		} else {
			ready_add(it);
		}
		break;
	}
	case LX_EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		it->events = ev->events;
		it->data = ev->data;
		/* Re-arms one-shot and edge-triggered items, as on Linux. */
		if (!it->announces || item_revents(it))
			ready_add(it);
		break;
	case LX_EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(it);
		return 0;
	default:
		return -EINVAL;
	}
	if (ep->rd_head)
		net_file_changed(ep->file);
	return 0;
}

long sys_epoll_wait(long epfd, long events, long maxevents, long timeout, long a4, long a5)
{
	(void)a4; (void)a5;
	long err;
	struct epoll *ep = epoll_of(epfd, &err);
	if (!ep)
		return err;
	/* int arguments: only the low 32 bits of the register count. */
	int max = (int)maxevents, tmo = (int)timeout;
	if (max <= 0 || max > 0x7fffffff / (int)sizeof(struct lx_epoll_event))
		return -EINVAL;
	if (!events || !user_range_ok((void *)events, (size_t)max * sizeof(struct lx_epoll_event)))
		return -EFAULT;
	struct lx_epoll_event *out = (void *)events;
	uint64_t deadline = 0;
	if (tmo > 0)
		deadline = time_ns() + (uint64_t)tmo * 1000000ULL;

	net_kick();
	for (;;) {
		int n = ep_collect(ep, out, max);
		if (n > 0 || tmo == 0)
			return n;
		if (wait_event(ep_has_events, ep, deadline) < 0)
			return 0;
	}
}

long sys_epoll_pwait(long epfd, long events, long maxevents, long timeout, long sigmask,
		     long sigsetsize)
{
	/* No signals are ever delivered, so the mask changes nothing. */
	(void)sigmask;
	(void)sigsetsize;
	return sys_epoll_wait(epfd, events, maxevents, timeout, 0, 0);
}
