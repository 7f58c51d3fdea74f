/* TCP sockets on lwIP's raw API (NO_SYS: everything runs in the app's
 * context, from syscalls or the idle-loop poller). lwIP calls back into
 * this file when data, acknowledgements, connections or errors arrive; the
 * callbacks only queue and notify, and the syscalls consume. See socket.h. */
#include "lwip/opt.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/netif.h"
#include "lwip/ip_addr.h"
#include "kernel.h"
#include "net_abi.h"
#include "net_internal.h"
#include "socket.h"

#define SOMAXCONN 4096
/* Sleep between retries when lwIP's heap, not the socket's own buffer,
 * refused a write and nothing of this socket is in flight to wake us. */
#define MEM_RETRY_NS 10000000ULL

unsigned usock_live;
static struct usock *out_head;
static struct usock *mem_waiters;

static void notify(struct usock *us)
{
	net_file_changed(us->file);
}

int usock_take_error(struct usock *us)
{
	int e = us->so_error;
	us->so_error = 0;
	return e;
}

static uint64_t deadline_after(uint64_t timeout_ns)
{
	return timeout_ns ? time_ns() + timeout_ns : 0;
}

/* --- output batching ------------------------------------------------- */

static void out_unlink(struct usock *us)
{
	if (!us->out_queued)
		return;
	if (us->out_prev)
		us->out_prev->out_next = us->out_next;
	else
		out_head = us->out_next;
	if (us->out_next)
		us->out_next->out_prev = us->out_prev;
	us->out_next = us->out_prev = NULL;
	us->out_queued = 0;
}

void usock_mark_output(struct usock *us)
{
	if (us->out_queued || us->cork)
		return;
	us->out_prev = NULL;
	us->out_next = out_head;
	if (out_head)
		out_head->out_prev = us;
	out_head = us;
	us->out_queued = 1;
}

/* A driver's ring was full and is not any more: every connection with
 * segments still unsent tries again, from the poller (drivers report this
 * from inside lwIP's output path, which must not be re-entered). */
static int retry_output;

void net_retry_output(void)
{
	retry_output = 1;
}

static int retry_unsent(void)
{
	if (!retry_output)
		return 0;
	retry_output = 0;
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->unsent)
			tcp_output(pcb);
	return 1;
}

/* Pushes what writes queued. Writes only queue (tcp_write) so that a
 * response written in pieces (writev, header then body) leaves in one
 * segment; this runs at the next point the app could wait: socket calls,
 * epoll/poll, and the poller before the CPU idles. */
int sock_flush_output(void)
{
	int n = retry_unsent();

	while (out_head) {
		struct usock *us = out_head;
		out_unlink(us);
		if (us->pcb && us->state != US_LISTEN) {
			tcp_output(us->pcb);
			n++;
		}
	}
	/* Data now in flight (or waiting for the peer's window) needs the
	 * TCP timer ticking: retransmission, persist probes. */
	if (n)
		net_timers_tcp_activity(time_ns());
	return n;
}

/* --- lwIP heap exhaustion --------------------------------------------- */

static void mem_wait(struct usock *us)
{
	if (us->mem_blocked)
		return;
	us->mem_blocked = 1;
	us->mem_next = mem_waiters;
	mem_waiters = us;
}

static void mem_unlink(struct usock *us)
{
	if (!us->mem_blocked)
		return;
	for (struct usock **pp = &mem_waiters; *pp; pp = &(*pp)->mem_next) {
		if (*pp == us) {
			*pp = us->mem_next;
			break;
		}
	}
	us->mem_blocked = 0;
	us->mem_next = NULL;
}

/* Memory came back (data acknowledged or read): let blocked writers retry. */
static void mem_released(void)
{
	while (mem_waiters) {
		struct usock *us = mem_waiters;
		mem_waiters = us->mem_next;
		us->mem_next = NULL;
		us->mem_blocked = 0;
		notify(us);
	}
}

/* --- lwIP callbacks --------------------------------------------------- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct usock *us = arg;

	if (!p) {
		us->rx_fin = 1;
		notify(us);
		return ERR_OK;
	}
	if (err != ERR_OK) {
		pbuf_free(p);
		return ERR_OK;
	}
	if (us->rd_shut) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	if (us->rx) {
		/* pbuf lengths are 16-bit; lwIP keeps what does not fit and
		 * offers it again once the app has read. */
		if ((uint32_t)us->rx->tot_len + p->tot_len > 0xffff)
			return ERR_MEM;
		pbuf_cat(us->rx, p);
	} else {
		us->rx = p;
	}
	notify(us);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct usock *us = arg;

	(void)pcb;
	(void)len;
	mem_released();
	notify(us);
	return ERR_OK;
}

static int lwip_err_to_errno(err_t err, int connecting)
{
	switch (err) {
	case ERR_RST:
		return connecting ? ECONNREFUSED : ECONNRESET;
	case ERR_ABRT:
		return connecting ? ETIMEDOUT : ECONNABORTED;
	case ERR_CLSD:
		return 0;
	case ERR_TIMEOUT:
		return ETIMEDOUT;
	case ERR_RTE:
		return ENETUNREACH;
	default:
		return EIO;
	}
}

/* lwIP has freed the PCB. */
static void on_err(void *arg, err_t err)
{
	struct usock *us = arg;

	if (!us)
		return;
	us->pcb = NULL;
	us->so_error = lwip_err_to_errno(err, us->state == US_CONNECTING);
	if (!us->so_error)
		us->rx_fin = 1;
	us->state = US_CLOSED;
	out_unlink(us);
	mem_unlink(us);
	notify(us);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct usock *us = arg;

	(void)err;
	us->state = US_CONNECTED;
	us->local_ip = ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip));
	us->local_port = pcb->local_port;
	notify(us);
	return ERR_OK;
}

static void attach(struct usock *us, struct tcp_pcb *pcb)
{
	us->pcb = pcb;
	tcp_arg(pcb, us);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

static void detach(struct tcp_pcb *pcb, int listening)
{
	tcp_arg(pcb, NULL);
	if (listening) {
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

void usock_apply_keepalive(struct usock *us)
{
	struct tcp_pcb *pcb = us->pcb;

	if (!pcb || us->state == US_LISTEN)
		return;
	if (us->keep_idle_ms)
		pcb->keep_idle = us->keep_idle_ms;
	if (us->keep_intvl_ms)
		pcb->keep_intvl = us->keep_intvl_ms;
	if (us->keep_cnt)
		pcb->keep_cnt = us->keep_cnt;
}

static struct usock *usock_alloc(void)
{
	struct usock *us = kcalloc(1, sizeof(*us));
	if (us)
		usock_live++;
	return us;
}

static void usock_free(struct usock *us)
{
	out_unlink(us);
	mem_unlink(us);
	if (us->rx)
		pbuf_free(us->rx);
	usock_live--;
	kfree(us);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct usock *ls = arg;

	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	/* A full queue refuses (lwIP resets the connection), as would a
	 * failed allocation. */
	if (!ls || ls->acc_count >= ls->acc_max)
		return ERR_MEM;
	struct usock *c = usock_alloc();
	if (!c)
		return ERR_MEM;
	c->state = US_CONNECTED;
	attach(c, newpcb);
	/* Linux children inherit the listener's TCP options. */
	c->nodelay = ls->nodelay;
	c->keepalive = ls->keepalive;
	c->keep_idle_ms = ls->keep_idle_ms;
	c->keep_intvl_ms = ls->keep_intvl_ms;
	c->keep_cnt = ls->keep_cnt;
	c->linger = ls->linger;
	c->rcvtimeo_ns = ls->rcvtimeo_ns;
	c->sndtimeo_ns = ls->sndtimeo_ns;
	if (c->nodelay)
		tcp_nagle_disable(newpcb);
	usock_apply_keepalive(c);
	c->local_ip = ip4_addr_get_u32(ip_2_ip4(&newpcb->local_ip));
	c->local_port = newpcb->local_port;
	c->peer_ip = ip4_addr_get_u32(ip_2_ip4(&newpcb->remote_ip));
	c->peer_port = newpcb->remote_port;
	if (ls->acc_tail)
		ls->acc_tail->acc_next = c;
	else
		ls->acc_head = c;
	ls->acc_tail = c;
	ls->acc_count++;
	notify(ls);
	return ERR_OK;
}

/* --- life cycle ------------------------------------------------------- */

struct usock *usock_new(long *err)
{
	struct usock *us = usock_alloc();
	if (!us) {
		*err = -ENOMEM;
		return NULL;
	}
	struct tcp_pcb *pcb = tcp_new();
	if (!pcb) {
		usock_free(us);
		*err = -ENOBUFS;
		return NULL;
	}
	us->state = US_NEW;
	attach(us, pcb);
	return us;
}

static void close_pcb(struct usock *us, int reset)
{
	struct tcp_pcb *pcb = us->pcb;

	if (!pcb)
		return;
	us->pcb = NULL;
	if (us->state == US_LISTEN) {
		detach(pcb, 1);
		tcp_close(pcb);
		return;
	}
	detach(pcb, 0);
	if (reset || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

void usock_destroy(struct usock *us)
{
	if (us->state == US_LISTEN) {
		/* Connections nobody accepted are reset, as Linux does. */
		while (us->acc_head) {
			struct usock *c = us->acc_head;
			us->acc_head = c->acc_next;
			close_pcb(c, 1);
			usock_free(c);
		}
		us->acc_tail = NULL;
		us->acc_count = 0;
	}
	/* Unread data or SO_LINGER 0: reset instead of a graceful close. */
	int reset = (us->rx != NULL) || (us->linger.onoff && us->linger.secs == 0);
	close_pcb(us, reset);
	usock_free(us);
}

/* --- addresses -------------------------------------------------------- */

static int address_is_local(uint32_t ip)
{
	if (ip == 0)
		return 1;
	for (struct netif *n = netif_list; n; n = n->next)
		if (ip4_addr_get_u32(netif_ip4_addr(n)) == ip)
			return 1;
	return 0;
}

long usock_bind(struct usock *us, uint32_t ip, uint16_t port)
{
	if (us->state != US_NEW || !us->pcb)
		return -EINVAL;
	if (!address_is_local(ip))
		return -EADDRNOTAVAIL;
	ip_addr_t a;
	ip_addr_set_ip4_u32(&a, ip);
	err_t err = tcp_bind(us->pcb, &a, port);
	if (err == ERR_USE || err == ERR_BUF)
		return -EADDRINUSE;
	if (err != ERR_OK)
		return -EINVAL;
	us->state = US_BOUND;
	us->local_ip = ip;
	us->local_port = us->pcb->local_port;
	return 0;
}

long usock_name(struct usock *us, int peer, uint32_t *ip, uint16_t *port)
{
	if (peer) {
		if (us->state != US_CONNECTED && !(us->state == US_CLOSED && us->peer_port))
			return -ENOTCONN;
		*ip = us->peer_ip;
		*port = us->peer_port;
		return 0;
	}
	*ip = us->local_ip;
	*port = us->local_port;
	return 0;
}

/* --- listen / accept -------------------------------------------------- */

long usock_listen(struct usock *us, long backlog)
{
	if (backlog < 0)
		backlog = 0;
	if (backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	/* Linux queues backlog + 1 connections. */
	unsigned max = (unsigned)backlog + 1;

	if (us->state == US_LISTEN) {
		us->acc_max = max;
		return 0;
	}
	if (us->state != US_NEW && us->state != US_BOUND)
		return -EINVAL;
	if (us->state == US_NEW) {
		long rc = usock_bind(us, 0, 0);
		if (rc < 0)
			return rc;
	}
	err_t err = ERR_OK;
	/* lwIP counts half-open connections against a u8 backlog. */
	u8_t syn_backlog = (u8_t)(max > 255 ? 255 : max);
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(us->pcb, syn_backlog, &err);
	if (!lpcb)
		return err == ERR_USE ? -EADDRINUSE : -ENOBUFS;
	/* lwIP freed the original PCB and its callbacks. */
	us->pcb = lpcb;
	us->state = US_LISTEN;
	us->acc_max = max;
	tcp_arg(lpcb, us);
	tcp_accept(lpcb, on_accept);
	return 0;
}

static int can_accept(void *arg)
{
	struct usock *ls = arg;
	return ls->acc_head != NULL || ls->state != US_LISTEN;
}

struct usock *usock_accept(struct usock *ls, int nonblock, long *err)
{
	if (ls->state != US_LISTEN) {
		*err = -EINVAL;
		return NULL;
	}
	net_kick();
	while (!ls->acc_head) {
		if (nonblock) {
			*err = -EAGAIN;
			return NULL;
		}
		if (wait_event(can_accept, ls, deadline_after(ls->rcvtimeo_ns)) < 0) {
			*err = -EAGAIN;
			return NULL;
		}
		if (ls->state != US_LISTEN) {
			*err = -EINVAL;
			return NULL;
		}
	}
	struct usock *c = ls->acc_head;
	ls->acc_head = c->acc_next;
	if (!ls->acc_head)
		ls->acc_tail = NULL;
	ls->acc_count--;
	c->acc_next = NULL;
	return c;
}

void usock_unaccept(struct usock *ls, struct usock *c)
{
	c->acc_next = ls->acc_head;
	ls->acc_head = c;
	if (!ls->acc_tail)
		ls->acc_tail = c;
	ls->acc_count++;
}

/* --- connect ---------------------------------------------------------- */

static int connect_done(void *arg)
{
	struct usock *us = arg;
	return us->state != US_CONNECTING;
}

long usock_connect(struct usock *us, uint32_t ip, uint16_t port, int nonblock)
{
	switch (us->state) {
	case US_CONNECTING:
		return -EALREADY;
	case US_CONNECTED:
		return -EISCONN;
	case US_LISTEN:
		return -EINVAL;
	case US_CLOSED:
		return us->so_error ? -usock_take_error(us) : -EISCONN;
	default:
		break;
	}
	if (!us->pcb)
		return -EINVAL;
	ip_addr_t a;
	ip_addr_set_ip4_u32(&a, ip);
	err_t err = tcp_connect(us->pcb, &a, port, on_connected);
	switch (err) {
	case ERR_OK:
		break;
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_MEM:
	case ERR_BUF:
		return -ENOBUFS;
	default:
		return -EINVAL;
	}
	us->state = US_CONNECTING;
	us->peer_ip = ip;
	us->peer_port = port;
	us->local_ip = ip4_addr_get_u32(ip_2_ip4(&us->pcb->local_ip));
	us->local_port = us->pcb->local_port;
	if (nonblock)
		return -EINPROGRESS;
	if (wait_event(connect_done, us, deadline_after(us->sndtimeo_ns)) < 0)
		return -EINPROGRESS;
	if (us->state == US_CONNECTED)
		return 0;
	int e = usock_take_error(us);
	return e ? -e : -ECONNREFUSED;
}

/* --- receive ---------------------------------------------------------- */

static int readable(void *arg)
{
	struct usock *us = arg;
	return us->rx || us->rx_fin || us->rd_shut || us->so_error || !us->pcb;
}

long usock_recv(struct usock *us, void *buf, size_t n, int msg_flags, int nonblock)
{
	size_t got = 0;

	if (msg_flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	if (us->state == US_LISTEN || us->state == US_NEW || us->state == US_BOUND)
		return -ENOTCONN;
	if (n == 0)
		return 0;
	if (msg_flags & LX_MSG_DONTWAIT)
		nonblock = 1;
	net_kick();
	for (;;) {
		if (us->rx) {
			size_t chunk = n - got;
			if (chunk > us->rx->tot_len)
				chunk = us->rx->tot_len;
			pbuf_copy_partial(us->rx, (char *)buf + got, (u16_t)chunk, 0);
			if (msg_flags & LX_MSG_PEEK)
				return (long)(got + chunk);
			us->rx = pbuf_free_header(us->rx, (u16_t)chunk);
			if (us->pcb)
				tcp_recved(us->pcb, (u16_t)chunk);
			got += chunk;
			mem_released();
			if (got == n || !(msg_flags & LX_MSG_WAITALL))
				return (long)got;
			continue;
		}
		if (us->so_error)
			return got ? (long)got : -usock_take_error(us);
		if (us->rx_fin || us->rd_shut || !us->pcb || us->state == US_CLOSED)
			return (long)got;
		if (nonblock)
			return got ? (long)got : -EAGAIN;
		sock_flush_output();
		if (wait_event(readable, us, deadline_after(us->rcvtimeo_ns)) < 0)
			return got ? (long)got : -EAGAIN;
	}
}

/* --- send ------------------------------------------------------------- */

/* Linux's rule: writable while the free space is at least half of what is
 * queued; and lwIP must have a segment slot left. */
static int send_space(struct usock *us)
{
	struct tcp_pcb *pcb = us->pcb;
	if (!pcb || us->mem_blocked)
		return 0;
	unsigned space = tcp_sndbuf(pcb);
	unsigned queued = TCP_SND_BUF - space;
	return space > 0 && space >= queued / 2 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN;
}

static int writable(void *arg)
{
	struct usock *us = arg;
	return send_space(us) || us->so_error || !us->pcb || us->wr_shut ||
	       us->state != US_CONNECTED;
}

long usock_send(struct usock *us, const void *buf, size_t n, int msg_flags, int nonblock)
{
	size_t sent = 0;

	if (msg_flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	if (msg_flags & LX_MSG_DONTWAIT)
		nonblock = 1;
	if (us->state == US_CONNECTING) {
		if (nonblock)
			return -EAGAIN;
		wait_event(connect_done, us, deadline_after(us->sndtimeo_ns));
	}
	for (;;) {
		if (us->so_error)
			return sent ? (long)sent : -usock_take_error(us);
		if (us->state != US_CONNECTED || !us->pcb || us->wr_shut)
			return sent ? (long)sent : -EPIPE;
		if (sent == n)
			break;
		struct tcp_pcb *pcb = us->pcb;
		size_t chunk = n - sent;
		if (chunk > tcp_sndbuf(pcb))
			chunk = tcp_sndbuf(pcb);
		err_t err = ERR_MEM;
		if (chunk > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN) {
			u8_t fl = TCP_WRITE_FLAG_COPY;
			if (msg_flags & LX_MSG_MORE || sent + chunk < n)
				fl |= TCP_WRITE_FLAG_MORE;
			err = tcp_write(pcb, (const char *)buf + sent, (u16_t)chunk, fl);
			/* Out of segments or heap for this much: try less. */
			while (err == ERR_MEM && chunk > TCP_MSS) {
				chunk /= 2;
				err = tcp_write(pcb, (const char *)buf + sent, (u16_t)chunk, fl);
			}
			if (err == ERR_MEM && tcp_sndbuf(pcb) > 0 &&
			    tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN)
				mem_wait(us);
		}
		if (err == ERR_OK) {
			sent += chunk;
			usock_mark_output(us);
			continue;
		}
		if (err != ERR_MEM)
			return sent ? (long)sent : -EPIPE;
		if (nonblock)
			return sent ? (long)sent : -EAGAIN;
		sock_flush_output();
		uint64_t deadline = deadline_after(us->sndtimeo_ns);
		if (us->mem_blocked) {
			uint64_t retry = time_ns() + MEM_RETRY_NS;
			if (!deadline || retry < deadline)
				deadline = retry;
		}
		if (wait_event(writable, us, deadline) < 0) {
			if (us->mem_blocked && (!us->sndtimeo_ns || time_ns() < deadline)) {
				mem_unlink(us);
				continue;
			}
			return sent ? (long)sent : -EAGAIN;
		}
	}
	return (long)sent;
}

/* --- shutdown, poll --------------------------------------------------- */

long usock_shutdown(struct usock *us, int how)
{
	if (how < LX_SHUT_RD || how > LX_SHUT_RDWR)
		return -EINVAL;
	if (us->state != US_CONNECTED && us->state != US_CONNECTING && us->state != US_CLOSED)
		return -ENOTCONN;
	if (how != LX_SHUT_WR && !us->rd_shut) {
		us->rd_shut = 1;
		if (us->rx) {
			if (us->pcb)
				tcp_recved(us->pcb, us->rx->tot_len);
			pbuf_free(us->rx);
			us->rx = NULL;
		}
	}
	if (how != LX_SHUT_RD && !us->wr_shut) {
		us->wr_shut = 1;
		if (us->pcb) {
			out_unlink(us);
			/* Sends what is queued, then FIN; the PCB lives on. */
			tcp_shutdown(us->pcb, 0, 1);
		}
	}
	notify(us);
	return 0;
}

uint32_t usock_poll(struct usock *us)
{
	uint32_t ev = 0;

	if (us->so_error)
		ev |= LX_EPOLLERR;
	switch (us->state) {
	case US_LISTEN:
		if (us->acc_head)
			ev |= LX_EPOLLIN | LX_EPOLLRDNORM;
		return ev;
	case US_NEW:
	case US_BOUND:
		return ev | LX_EPOLLOUT | LX_EPOLLWRNORM | LX_EPOLLHUP;
	case US_CONNECTING:
		return ev;
	default:
		break;
	}
	if (us->rx || us->rx_fin || us->rd_shut)
		ev |= LX_EPOLLIN | LX_EPOLLRDNORM;
	if (us->rx_fin || us->rd_shut)
		ev |= LX_EPOLLRDHUP;
	if (!us->pcb || us->state == US_CLOSED) {
		ev |= LX_EPOLLIN | LX_EPOLLRDNORM | LX_EPOLLOUT | LX_EPOLLWRNORM |
		      LX_EPOLLHUP | LX_EPOLLRDHUP;
	} else if (us->wr_shut || send_space(us)) {
		ev |= LX_EPOLLOUT | LX_EPOLLWRNORM;
	}
	if (us->wr_shut && (us->rx_fin || us->rd_shut))
		ev |= LX_EPOLLHUP;
	return ev;
}

/* --- file operations -------------------------------------------------- */

static long usock_file_read(struct file *f, void *buf, size_t n)
{
	return usock_recv(f->priv, buf, n, 0, f->flags & O_NONBLOCK);
}

static long usock_file_write(struct file *f, const void *buf, size_t n)
{
	return usock_send(f->priv, buf, n, 0, f->flags & O_NONBLOCK);
}

static uint32_t usock_file_poll(struct file *f)
{
	return usock_poll(f->priv);
}

static long usock_file_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
	struct usock *us = f->priv;
	int *p = (int *)arg;

	switch (req) {
	case LX_FIONBIO:
		if (!p)
			return -EFAULT;
		if (*p)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case LX_FIONREAD:
		if (!p)
			return -EFAULT;
		if (us->state == US_LISTEN)
			return -EINVAL;
		*p = us->rx ? us->rx->tot_len : 0;
		return 0;
	case LX_TIOCOUTQ:
		if (!p)
			return -EFAULT;
		*p = us->pcb && us->state != US_LISTEN ? (int)(TCP_SND_BUF - tcp_sndbuf(us->pcb)) : 0;
		return 0;
	default:
		return -ENOTTY;
	}
}

static void usock_file_release(struct file *f)
{
	struct usock *us = f->priv;

	epoll_file_gone(f);
	if (us) {
		us->file = NULL;
		usock_destroy(us);
	}
	f->priv = NULL;
}

const struct file_ops usock_fops = {
	.read = usock_file_read,
	.write = usock_file_write,
	.poll = usock_file_poll,
	.ioctl = usock_file_ioctl,
	.release = usock_file_release,
};

int sock_is_socket(struct file *f)
{
	return f && f->ops == &usock_fops;
}
