/* Declarations shared by the files of unikernel/net/ (not by the core). */
#ifndef UK_NET_INTERNAL_H
#define UK_NET_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "file.h"

struct netif;

/* net_config.c: parsing the zw.ip= / zw.gw= command-line values. Addresses
 * are returned in network byte order. 0 or -EINVAL. */
int net_parse_ipv4(const char *s, uint32_t *addr);
int net_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix);
uint32_t net_prefix_mask(unsigned prefix);

/* timers.c: lwIP's timers, armed only while something needs them. */
void net_timers_init(void);
/* A frame was sent or received on a real link: (re)starts ARP ageing,
 * catching up the seconds it was paused, and wakes a quiet TCP timer. */
void net_timers_link_activity(uint64_t now_ns);
/* lwIP is about to see new segments (loopback): wakes a quiet TCP timer,
 * bringing lwIP's slow clock up to date first. */
void net_timers_tcp_activity(uint64_t now_ns);
/* Runs what is due; returns nonzero if anything ran. */
int net_timers_run(uint64_t now_ns);
/* Next deadline (absolute time_ns), 0 when nothing is armed. */
uint64_t net_timers_next(void);
extern int net_debug;

/* netpoll.c: the stack's poller. Devices register a drain function that
 * processes up to budget received frames, reclaims sent ones and refills
 * the receive ring, returning how much work it did; a cheap test for frames
 * waiting; and a test for a receive ring left short of buffers (the pbuf
 * pool ran dry), which is retried when the app frees data and every
 * NET_STARVED_RETRY_NS while idle. */
struct net_device {
	const char *name;
	int (*drain)(int budget);
	int (*pending)(void);
	int (*starved)(void);
	struct net_device *next;
};
#define NET_STARVED_RETRY_NS 1000000ULL
void net_device_register(struct net_device *d);
/* A driver refused a received frame (counted in kstats.rx_dropped). */
void net_count_dropped(void);
/* A driver's transmit ring has room again after refusing frames. */
void net_retry_output(void);
/* One pass of the stack: drain devices and loopback, run due timers, flush
 * pending TCP output. Nonzero if it made progress. */
int net_poll(void);
/* Cheap variant for syscall entry: polls only if something is pending. */
void net_kick(void);
uint64_t net_poll_deadline(void);
void net_poller_start(void);

/* socket.c */
/* Pushes output that writes queued; returns how many sockets it pushed. */
int sock_flush_output(void);
int sock_is_socket(struct file *f);

/* epoll.c: epoll_file_notify() (file.h) hears of readiness changes of
 * files with watchers; epoll_file_gone() drops a file that is going away
 * from every epoll set. */
void epoll_file_gone(struct file *f);

/* virtio_net.c: probes the virtio-mmio transports; 0, or -ENODEV. */
int virtio_net_probe(struct netif *netif, uint32_t ip, uint32_t mask, uint32_t gw);
void virtio_net_describe(char *buf, size_t cap);

/* Readiness change on f: wakes waiters, and file_notify() passes it on to
 * epoll_file_notify() for the epoll sets watching f. */
static inline void net_file_changed(struct file *f)
{
	if (f)
		file_notify(f);
}

#endif
