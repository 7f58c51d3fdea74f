/* TCP sockets of ours on lwIP's raw API: the state one socket keeps and
 * the operations the syscall layer (socket_sys.c) calls. Addresses are in
 * network byte order, ports in host order. Results are >= 0 or -errno. */
#ifndef UK_NET_SOCKET_H
#define UK_NET_SOCKET_H
#include <stddef.h>
#include <stdint.h>
#include "file.h"

struct tcp_pcb;
struct pbuf;

enum usock_state {
	US_NEW,         /* has a PCB, unbound */
	US_BOUND,
	US_LISTEN,
	US_CONNECTING,
	US_CONNECTED,   /* also after EOF or shutdown, until the PCB goes */
	US_CLOSED,      /* lwIP freed the PCB: reset, abort or timeout */
};

struct usock {
	struct file *file;          /* NULL while waiting in an accept queue */
	struct tcp_pcb *pcb;        /* NULL once lwIP has freed it */
	enum usock_state state;
	struct pbuf *rx;            /* received, not yet read */
	int so_error;               /* positive errno, reported once */
	uint8_t rx_fin, rd_shut, wr_shut;
	uint8_t nodelay, keepalive, reuseaddr, cork, mem_blocked;
	struct { int onoff, secs; } linger;
	uint32_t keep_idle_ms, keep_intvl_ms, keep_cnt;
	uint64_t rcvtimeo_ns, sndtimeo_ns;
	uint32_t local_ip, peer_ip;
	uint16_t local_port, peer_port;
	/* Listening sockets: accepted connections not yet taken. */
	struct usock *acc_head, *acc_tail, *acc_next;
	unsigned acc_count, acc_max;
	/* Sockets with output written but not yet pushed (netpoll flushes). */
	struct usock *out_next, *out_prev;
	uint8_t out_queued;
	/* Sockets waiting for lwIP heap to free up. */
	struct usock *mem_next;
};

extern const struct file_ops usock_fops;

struct usock *usock_new(long *err);
/* Closes the connection (gracefully unless data was left unread or
 * SO_LINGER 0 asks for a reset) and frees the socket. */
void usock_destroy(struct usock *us);

long usock_bind(struct usock *us, uint32_t ip, uint16_t port);
long usock_listen(struct usock *us, long backlog);
/* Takes the oldest accepted connection (waiting unless nonblock). */
struct usock *usock_accept(struct usock *ls, int nonblock, long *err);
/* Puts a taken connection back at the head (no descriptor was free). */
void usock_unaccept(struct usock *ls, struct usock *child);
long usock_connect(struct usock *us, uint32_t ip, uint16_t port, int nonblock);
long usock_recv(struct usock *us, void *buf, size_t n, int msg_flags, int nonblock);
long usock_send(struct usock *us, const void *buf, size_t n, int msg_flags, int nonblock);
long usock_shutdown(struct usock *us, int how);
long usock_setsockopt(struct usock *us, int level, int name, const void *val, size_t len);
long usock_getsockopt(struct usock *us, int level, int name, void *val, int *len);
/* peer = 0: local address; 1: peer (-ENOTCONN when there is none). */
long usock_name(struct usock *us, int peer, uint32_t *ip, uint16_t *port);
uint32_t usock_poll(struct usock *us);

/* Shared by socket.c and socket_opt.c. */
int usock_take_error(struct usock *us);
void usock_mark_output(struct usock *us);
void usock_apply_keepalive(struct usock *us);

/* Live sockets, for leak checks and the exit report. */
extern unsigned usock_live;

#endif
