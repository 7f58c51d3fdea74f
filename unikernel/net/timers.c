/* lwIP's timers (LWIP_TIMERS_CUSTOM), armed only while something needs
 * them, so an idle unikernel sets no deadline and the core's tickless idle
 * loop sleeps until the next frame.
 *  - TCP: lwIP's timer ticks every TCP_TMR_INTERVAL while it has PCBs. We
 *    tick like that only while a PCB has short-term work (data in flight, a
 *    delayed ACK, a handshake, a persist probe...). When every PCB is merely
 *    waiting for a timeout measured in lwIP's slow ticks (TIME_WAIT,
 *    FIN_WAIT_2, keepalive idle) or for nothing at all (an idle connection),
 *    the timer goes quiet: one deadline at the first such expiry, the way
 *    Linux keeps one timer per socket. lwIP's slow-tick clock (tcp_ticks) is
 *    advanced by the ticks skipped before lwIP runs again, so every timeout
 *    still counts wall time.
 *  - ARP: every second while the link saw traffic in the last
 *    ARP_IDLE_AFTER_S seconds. When traffic resumes after a pause, the
 *    missed ticks are replayed at once, so cache entries expire as if the
 *    timer had kept running. */
#include "lwip/opt.h"
#include "lwip/timeouts.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "kernel.h"
#include "net_internal.h"

#define MS 1000000ULL
#define ARP_IDLE_AFTER_S 1
#define SLOW_NS ((uint64_t)TCP_SLOW_INTERVAL * MS)
#define NO_EXPIRY UINT32_MAX

static uint64_t tcp_due, arp_due;
static int tcp_quiet;               /* tcp_due is a far expiry, not a tick */
static uint64_t tcp_synced_ns;      /* wall time tcp_ticks corresponds to */
static uint64_t arp_last_tick, link_last_active;
static int arp_ever;
/* zw.net_debug=1: one console line per timer run, to see what wakes an
 * idle machine. */
int net_debug;

void sys_timeouts_init(void)
{
	net_timers_init();
}

void net_timers_init(void)
{
	tcp_due = arp_due = 0;
	tcp_quiet = 0;
	tcp_synced_ns = time_ns();
	arp_last_tick = link_last_active = 0;
	arp_ever = 0;
}

/* Leaves quiet mode: lwIP's slow clock catches up with the wall clock
 * before lwIP sees anything new, then regular ticks resume. */
static void tcp_wake(uint64_t now)
{
	if (!tcp_quiet)
		return;
	uint64_t skipped = (now - tcp_synced_ns) / SLOW_NS;
	tcp_ticks += (u32_t)skipped;
	tcp_synced_ns += skipped * SLOW_NS;
	tcp_quiet = 0;
	tcp_due = now + TCP_TMR_INTERVAL * MS;
}

void net_timers_tcp_activity(uint64_t now)
{
	tcp_wake(now);
}

/* Called by lwIP when a PCB enters the active or TIME_WAIT lists. */
void tcp_timer_needed(void)
{
	uint64_t now = time_ns();

	tcp_wake(now);
	if (!tcp_due) {
		tcp_due = now + TCP_TMR_INTERVAL * MS;
		tcp_synced_ns = now;
	}
}

/* Slow ticks until a limit measured from pcb->tmr is passed (lwIP acts
 * when tcp_ticks - tmr > limit). */
static u32_t ticks_until(u32_t tmr, u32_t limit_ticks)
{
	u32_t idle = tcp_ticks - tmr;
	return idle > limit_ticks ? 1 : limit_ticks - idle + 1;
}

/* Slow ticks until some PCB needs lwIP's timer: 0 if one needs the regular
 * ticks now, NO_EXPIRY if none ever will without new traffic. */
static u32_t tcp_quiet_ticks(void)
{
	u32_t best = NO_EXPIRY;

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		if (pcb->unacked || pcb->unsent || pcb->rtime >= 0 || pcb->persist_backoff ||
		    pcb->refused_data || pcb->ooseq ||
		    (pcb->flags & (TF_ACK_DELAY | TF_ACK_NOW | TF_CLOSEPEND | TF_NAGLEMEMERR)))
			return 0;
		u32_t t = NO_EXPIRY;
		switch (pcb->state) {
		case ESTABLISHED:
		case CLOSE_WAIT:
			if (ip_get_option(pcb, SOF_KEEPALIVE)) {
				if (pcb->keep_cnt_sent)
					return 0;
				t = ticks_until(pcb->tmr, pcb->keep_idle / TCP_SLOW_INTERVAL);
			}
			break;
		case FIN_WAIT_2:
			if (pcb->flags & TF_RXCLOSED)
				t = ticks_until(pcb->tmr, TCP_FIN_WAIT_TIMEOUT / TCP_SLOW_INTERVAL);
			break;
		default:
			/* Handshakes and closing states retransmit. */
			return 0;
		}
		if (t < best)
			best = t;
	}
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
		u32_t t = ticks_until(pcb->tmr, 2 * TCP_MSL / TCP_SLOW_INTERVAL);
		if (t < best)
			best = t;
	}
	return best;
}

/* Our count of tcp_tmr() calls: lwIP runs its slow half on odd calls and
 * keeps its own counter private. */
static unsigned tcp_tmr_calls;

static int tcp_timer_run(uint64_t now)
{
	if (!tcp_due || now < tcp_due)
		return 0;
	tcp_wake(now);
	int slow = (++tcp_tmr_calls & 1) != 0;
	tcp_tmr();
	if (slow)
		tcp_synced_ns = now;
	if (!tcp_active_pcbs && !tcp_tw_pcbs) {
		tcp_due = 0;
		return 1;
	}
	/* Quiet only right after a slow tick, so that what is skipped is
	 * whole slow ticks from now. */
	u32_t quiet = slow ? tcp_quiet_ticks() : 0;
	if (quiet == 0) {
		tcp_due = now + TCP_TMR_INTERVAL * MS;
	} else {
		tcp_quiet = 1;
		tcp_due = quiet == NO_EXPIRY ? 0 : now + (uint64_t)(quiet - 1) * SLOW_NS + 1;
	}
	if (net_debug)
		kprintf("net: %lu ms: tcp tick (%s), next in %ld ms\n", (unsigned long)(now / MS),
			slow ? "slow" : "fast",
			tcp_due ? (long)((tcp_due - now) / MS) : -1L);
	return 1;
}

void net_timers_link_activity(uint64_t now)
{
	tcp_wake(now);
	link_last_active = now;
	if (arp_due)
		return;
	if (arp_ever) {
		uint64_t missed = (now - arp_last_tick) / (ARP_TMR_INTERVAL * MS);
		/* Past ARP_MAXAGE ticks every entry has expired anyway. */
		if (missed > ARP_MAXAGE + 1)
			missed = ARP_MAXAGE + 1;
		while (missed--)
			etharp_tmr();
	}
	arp_ever = 1;
	arp_last_tick = now;
	arp_due = now + ARP_TMR_INTERVAL * MS;
}

int net_timers_run(uint64_t now)
{
	int ran = 0;

	PBUF_CHECK_FREE_OOSEQ();
	if (tcp_timer_run(now))
		ran = 1;
	if (arp_due && now >= arp_due) {
		etharp_tmr();
		ran = 1;
		arp_last_tick = now;
		if (now - link_last_active < ARP_IDLE_AFTER_S * 1000 * MS)
			arp_due = now + ARP_TMR_INTERVAL * MS;
		else
			arp_due = 0;
		if (net_debug)
			kprintf("net: %lu ms: arp tick, %s\n", (unsigned long)(now / MS),
				arp_due ? "again in 1 s" : "link idle: paused");
	}
	return ran;
}

uint64_t net_timers_next(void)
{
	if (tcp_due && arp_due)
		return tcp_due < arp_due ? tcp_due : arp_due;
	return tcp_due ? tcp_due : arp_due;
}
