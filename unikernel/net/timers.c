/* lwIP's timers (LWIP_TIMERS_CUSTOM): the TCP timer and ARP ageing, each
 * armed only while it has work, so an idle unikernel sets no deadline and
 * the core's tickless idle loop sleeps until the next frame.
 *  - TCP: every TCP_TMR_INTERVAL while lwIP has active or TIME_WAIT PCBs,
 *    exactly when lwIP's own timer code would run it (tcp_timer_needed()).
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
#define ARP_IDLE_AFTER_S 5

static uint64_t tcp_due, arp_due;
static uint64_t arp_last_tick, link_last_active;
static int arp_ever;

void sys_timeouts_init(void)
{
	net_timers_init();
}

void net_timers_init(void)
{
	tcp_due = arp_due = 0;
	arp_last_tick = link_last_active = 0;
	arp_ever = 0;
}

/* Called by lwIP when a PCB enters the active or TIME_WAIT lists. */
void tcp_timer_needed(void)
{
	if (!tcp_due)
		tcp_due = time_ns() + TCP_TMR_INTERVAL * MS;
}

void net_timers_link_activity(uint64_t now)
{
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
	if (tcp_due && now >= tcp_due) {
		tcp_tmr();
		ran = 1;
		if (tcp_active_pcbs || tcp_tw_pcbs) {
			tcp_due += TCP_TMR_INTERVAL * MS;
			/* After a long stall do not replay a burst of ticks. */
			if (tcp_due <= now)
				tcp_due = now + TCP_TMR_INTERVAL * MS;
		} else {
			tcp_due = 0;
		}
	}
	if (arp_due && now >= arp_due) {
		etharp_tmr();
		ran = 1;
		arp_last_tick = now;
		if (now - link_last_active < ARP_IDLE_AFTER_S * 1000 * MS || tcp_due)
			arp_due = now + ARP_TMR_INTERVAL * MS;
		else
			arp_due = 0;
	}
	return ran;
}

uint64_t net_timers_next(void)
{
	if (tcp_due && arp_due)
		return tcp_due < arp_due ? tcp_due : arp_due;
	return tcp_due ? tcp_due : arp_due;
}
