/* setsockopt/getsockopt for our TCP sockets. Options lwIP has no
 * counterpart for are accepted where Linux apps set them as hints, and
 * refused with ENOPROTOOPT otherwise. */
#include "lwip/opt.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "kernel.h"
#include "net_abi.h"
#include "net_internal.h"
#include "socket.h"

static int opt_int(const void *val, size_t len, int *out)
{
	if (!val)
		return -EFAULT;
	if (len < sizeof(int))
		return -EINVAL;
	*out = *(const int *)val;
	return 0;
}

static long set_timeout(uint64_t *ns, const void *val, size_t len)
{
	if (!val)
		return -EFAULT;
	if (len < sizeof(struct lx_timeval))
		return -EINVAL;
	const struct lx_timeval *tv = val;
	if (tv->sec < 0 || tv->usec < 0 || tv->usec >= 1000000)
		return -EINVAL;
	*ns = (uint64_t)tv->sec * 1000000000ULL + (uint64_t)tv->usec * 1000ULL;
	return 0;
}

static void set_so_option(struct usock *us, u8_t opt, int on)
{
	if (!us->pcb)
		return;
	if (on)
		ip_set_option(us->pcb, opt);
	else
		ip_reset_option(us->pcb, opt);
}

long usock_setsockopt(struct usock *us, int level, int name, const void *val, size_t len)
{
	int v = 0;
	long rc;

	if (level == LX_SOL_SOCKET) {
		switch (name) {
		case LX_SO_RCVTIMEO:
			return set_timeout(&us->rcvtimeo_ns, val, len);
		case LX_SO_SNDTIMEO:
			return set_timeout(&us->sndtimeo_ns, val, len);
		case LX_SO_LINGER:
			if (!val)
				return -EFAULT;
			if (len < sizeof(struct lx_linger))
				return -EINVAL;
			us->linger.onoff = ((const struct lx_linger *)val)->onoff;
			us->linger.secs = ((const struct lx_linger *)val)->linger;
			return 0;
		default:
			break;
		}
		if ((rc = opt_int(val, len, &v)) < 0)
			return rc;
		switch (name) {
		case LX_SO_REUSEADDR:
			us->reuseaddr = v != 0;
			set_so_option(us, SOF_REUSEADDR, v);
			return 0;
		case LX_SO_KEEPALIVE:
			us->keepalive = v != 0;
			set_so_option(us, SOF_KEEPALIVE, v);
			return 0;
		/* Buffer sizes are fixed when lwIP is built (TCP_WND,
		 * TCP_SND_BUF); getsockopt reports them. One process: reuseport
		 * changes nothing. */
		case LX_SO_RCVBUF:
		case LX_SO_SNDBUF:
		case LX_SO_REUSEPORT:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == LX_IPPROTO_TCP) {
		if ((rc = opt_int(val, len, &v)) < 0)
			return rc;
		switch (name) {
		case LX_TCP_NODELAY:
			us->nodelay = v != 0;
			if (us->pcb && us->state != US_LISTEN) {
				if (v)
					tcp_nagle_disable(us->pcb);
				else
					tcp_nagle_enable(us->pcb);
			}
			return 0;
		case LX_TCP_CORK:
			us->cork = v != 0;
			if (!us->cork && us->pcb && us->state == US_CONNECTED)
				usock_mark_output(us);
			return 0;
		case LX_TCP_KEEPIDLE:
		case LX_TCP_KEEPINTVL:
		case LX_TCP_KEEPCNT:
			if (v < 1)
				return -EINVAL;
			if (name == LX_TCP_KEEPIDLE)
				us->keep_idle_ms = (uint32_t)v * 1000;
			else if (name == LX_TCP_KEEPINTVL)
				us->keep_intvl_ms = (uint32_t)v * 1000;
			else
				us->keep_cnt = (uint32_t)v;
			usock_apply_keepalive(us);
			return 0;
		/* Hints with no counterpart in lwIP. */
		case LX_TCP_QUICKACK:
		case LX_TCP_DEFER_ACCEPT:
		case LX_TCP_MAXSEG:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	return -ENOPROTOOPT;
}

static long put_opt(void *val, int *len, const void *src, int size)
{
	if (!val || !len)
		return -EFAULT;
	if (*len < 0)
		return -EINVAL;
	int n = *len < size ? *len : size;
	memcpy(val, src, (size_t)n);
	*len = n;
	return 0;
}

long usock_getsockopt(struct usock *us, int level, int name, void *val, int *len)
{
	int v;

	if (level == LX_SOL_SOCKET) {
		switch (name) {
		case LX_SO_ERROR:
			v = usock_take_error(us);
			break;
		case LX_SO_TYPE:
			v = LX_SOCK_STREAM;
			break;
		case LX_SO_DOMAIN:
			v = LX_AF_INET;
			break;
		case LX_SO_PROTOCOL:
			v = LX_IPPROTO_TCP;
			break;
		case LX_SO_ACCEPTCONN:
			v = us->state == US_LISTEN;
			break;
		case LX_SO_REUSEADDR:
			v = us->reuseaddr;
			break;
		case LX_SO_KEEPALIVE:
			v = us->keepalive;
			break;
		case LX_SO_RCVBUF:
			v = TCP_WND;
			break;
		case LX_SO_SNDBUF:
			v = TCP_SND_BUF;
			break;
		case LX_SO_LINGER: {
			struct lx_linger l = { us->linger.onoff, us->linger.secs };
			return put_opt(val, len, &l, sizeof(l));
		}
		case LX_SO_RCVTIMEO:
		case LX_SO_SNDTIMEO: {
			uint64_t ns = name == LX_SO_RCVTIMEO ? us->rcvtimeo_ns : us->sndtimeo_ns;
			struct lx_timeval tv = { (long)(ns / 1000000000ULL),
						 (long)(ns % 1000000000ULL / 1000) };
			return put_opt(val, len, &tv, sizeof(tv));
		}
		default:
			return -ENOPROTOOPT;
		}
		return put_opt(val, len, &v, sizeof(v));
	}
	if (level == LX_IPPROTO_TCP) {
		switch (name) {
		case LX_TCP_NODELAY:
			v = us->nodelay;
			break;
		case LX_TCP_CORK:
			v = us->cork;
			break;
		case LX_TCP_MAXSEG:
			v = us->pcb && us->state != US_LISTEN ? us->pcb->mss : TCP_MSS;
			break;
		case LX_TCP_KEEPIDLE:
			v = (int)((us->keep_idle_ms ? us->keep_idle_ms : TCP_KEEPIDLE_DEFAULT) / 1000);
			break;
		case LX_TCP_KEEPINTVL:
			v = (int)((us->keep_intvl_ms ? us->keep_intvl_ms : TCP_KEEPINTVL_DEFAULT) / 1000);
			break;
		case LX_TCP_KEEPCNT:
			v = (int)(us->keep_cnt ? us->keep_cnt : TCP_KEEPCNT_DEFAULT);
			break;
		default:
			return -ENOPROTOOPT;
		}
		return put_opt(val, len, &v, sizeof(v));
	}
	return -ENOPROTOOPT;
}
