/* Host stand-ins for the unikernel core's services (kernel.h, file.h), so
 * that lwIP and unikernel/net's socket, epoll and poll code run unchanged
 * in a cmocka program. Time is virtual: a wait with nothing to do jumps
 * the clock to the next deadline instead of sleeping. */
#ifndef TEST_UKNET_FAKES_H
#define TEST_UKNET_FAKES_H
#include <stdint.h>
#include "kernel.h"
#include "file.h"

/* Brings up lwIP with the loopback interface and net/'s poller. */
void fake_net_setup(void);
/* Closes every descriptor still open; returns how many there were. */
int fake_close_all(void);
/* Runs pollers until nothing more happens (or the clock passes t). */
void fake_run_until_idle(void);
void fake_advance_ns(uint64_t ns);

extern uint64_t fake_now_ns;
/* A blocking wait found nothing that could ever wake it (on the real
 * machine it would sleep forever): counted, and the wait returns. */
extern int fake_stuck_waits;
extern int fake_notifies;
/* A limit on descriptors, to test EMFILE paths. */
extern int fake_fd_limit;


/* Helpers over the syscalls, for the socket and epoll tests. */
struct lx_sockaddr_in;
void tu_addr(struct lx_sockaddr_in *sa, uint32_t ip_host_order, uint16_t port);
/* A listening socket on 127.0.0.1:port; asserts on failure. */
int tu_listen(uint16_t port, int backlog);
/* A connected (or, nonblock, connecting) socket to 127.0.0.1:port. */
int tu_connect(uint16_t port, int nonblock);
/* accept4 that must succeed. */
int tu_accept(int lfd, int flags);
#endif
