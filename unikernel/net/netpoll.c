/* The network stack's poller: the only place lwIP runs, apart from the
 * socket calls themselves. The core's idle loop calls it before every sleep
 * decision; socket calls kick it on entry so a busy app sees fresh frames
 * without first going idle. Interrupt handlers only note that work is
 * pending; everything else happens here, in the app's context. */
#include "lwip/opt.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "kernel.h"
#include "net_internal.h"

/* Frames per device per pass: bounds the time one pass takes under a
 * flood, so blocked calls get to re-check their condition. */
#define NET_POLL_BUDGET 64

static struct net_device *devices;
static uint64_t driver_dropped;

void net_count_dropped(void)
{
	driver_dropped++;
}

/* kstats.rx_dropped: frames a driver refused (runts, oversized, device
 * errors) plus those lwIP discarded (bad headers or checksums, unknown
 * protocols, not addressed to us, segments for no connection). */
static void update_dropped(void)
{
	kstats.rx_dropped = driver_dropped + lwip_stats.link.drop + lwip_stats.etharp.drop +
			    lwip_stats.ip.drop + lwip_stats.icmp.drop + lwip_stats.tcp.drop;
}

void net_device_register(struct net_device *d)
{
	d->next = devices;
	devices = d;
}

static int loopback_pending(void)
{
	for (struct netif *n = netif_list; n; n = n->next)
		if (n->loop_first)
			return 1;
	return 0;
}

int net_poll(void)
{
	/* Output first: on loopback it is the input of this same pass. */
	int progress = sock_flush_output() > 0;

	for (struct net_device *d = devices; d; d = d->next)
		if (d->drain(NET_POLL_BUDGET) > 0)
			progress = 1;
	if (loopback_pending()) {
		net_timers_tcp_activity(time_ns());
		netif_poll_all();
		progress = 1;
	}
	if (net_timers_run(time_ns()))
		progress = 1;
	if (sock_flush_output() > 0)
		progress = 1;
	update_dropped();
	return progress;
}

void net_kick(void)
{
	int pending = loopback_pending();

	for (struct net_device *d = devices; d && !pending; d = d->next)
		pending = d->pending() || d->starved();
	if (pending) {
		net_poll();
		return;
	}
	uint64_t due = net_timers_next();
	if (due && due <= time_ns())
		net_timers_run(time_ns());
	sock_flush_output();
}

uint64_t net_poll_deadline(void)
{
	/* Work already waiting: run again right away. */
	if (loopback_pending())
		return time_ns();
	uint64_t due = net_timers_next();
	for (struct net_device *d = devices; d; d = d->next) {
		if (d->pending())
			return time_ns();
		if (d->starved()) {
			uint64_t retry = time_ns() + NET_STARVED_RETRY_NS;
			if (!due || retry < due)
				due = retry;
		}
	}
	return due;
}

static int net_poller_poll(void)
{
	return net_poll();
}

static struct poller net_poller = {
	.name = "net",
	.poll = net_poller_poll,
	.next_deadline_ns = net_poll_deadline,
};

void net_poller_start(void)
{
	poller_register(&net_poller);
}
