/* virtio-net over virtio-mmio, as an lwIP netif. Receive buffers are pbufs
 * from lwIP's pool, handed to the device whole and passed up without a copy
 * (small frames are copied out so the pool buffer goes straight back to the
 * ring); transmit chains point at the pbufs themselves, held by a reference
 * until the device returns them. The interrupt handler only acknowledges;
 * netpoll.c drains the rings in the app's context. */
#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "netif/ethernet.h"
#include "kernel.h"
#include "net_abi.h"
#include "net_internal.h"
#include "virtio_mmio.h"

#define VIRTIO_NET_F_MAC 5

#define RX_RING_MAX 128
#define TX_RING_MAX 256
#define TX_MAX_SEGS 16
#define ETH_FRAME_MAX (1500 + 14)
/* Frames up to this size are copied into a right-sized heap pbuf, so a
 * pool buffer is not pinned by a small request waiting to be read. */
#define RX_COPYBREAK 256

struct vnet {
	struct vmmio_dev dev;
	struct virtq rx, tx;
	void *rx_cookies[RX_RING_MAX];
	void *tx_cookies[TX_RING_MAX];
	unsigned hdr_len;       /* 10 legacy, 12 modern */
	unsigned rx_buf_len;
	unsigned rx_posted;
	uint64_t features;
	struct netif *netif;
	int tx_stalled;          /* ring was full: interrupt on completion */
	uint64_t rx_nobuf, tx_ring_full, rx_bad;
};

static struct vnet vnet;
/* The device only reads transmit headers, and ours are all zero (no
 * offloads): one shared header serves every frame. */
static const uint8_t tx_header[12];

_Static_assert(PBUF_POOL_BUFSIZE >= 12 + ETH_FRAME_MAX, "a pool pbuf must hold a whole frame and its virtio header");

/* One per candidate interrupt line, to learn which one the machine uses. */
struct vnet_line {
	unsigned gsi;
	volatile uint64_t irqs;
};
static struct vnet_line vnet_lines[2];
static int vnet_line_reported;

static void vnet_irq(void *arg)
{
	struct vnet_line *line = arg;

	if (vmmio_irq_ack(&vnet.dev))
		line->irqs++;
}

/* Logged once, from the poller (not from the handler): which GSI the
 * device's interrupts arrive on. */
static void vnet_report_line(void)
{
	if (vnet_line_reported)
		return;
	for (unsigned i = 0; i < vnet.dev.ngsi; i++) {
		if (vnet_lines[i].irqs) {
			vnet_line_reported = 1;
			kprintf("net: virtio-net interrupts arrive on GSI %u\n", vnet_lines[i].gsi);
		}
	}
}

static int rx_post(struct pbuf *p)
{
	struct virtq_buf b = {
		.addr = (uintptr_t)p->payload, .len = vnet.rx_buf_len, .device_writes = 1,
	};
	if (virtq_add(&vnet.rx, &b, 1, p) < 0)
		return -ENOSPC;
	vnet.rx_posted++;
	return 0;
}

static int rx_refill(void)
{
	int added = 0;

	while (vnet.rx.num_free > 0) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)vnet.rx_buf_len, PBUF_POOL);
		if (!p) {
			vnet.rx_nobuf++;
			break;
		}
		if (p->next || rx_post(p) < 0) {
			pbuf_free(p);
			break;
		}
		added++;
	}
	if (virtq_publish(&vnet.rx))
		vmmio_notify(&vnet.dev, 0);
	return added;
}

static void rx_drop(struct pbuf *p)
{
	net_count_dropped();
	/* Same buffer straight back: its size never changed. */
	if (rx_post(p) < 0)
		pbuf_free(p);
}

static int rx_drain(int budget)
{
	int done = 0;
	void *cookie;
	uint32_t len;

	while (done < budget && virtq_get_used(&vnet.rx, &cookie, &len)) {
		struct pbuf *p = cookie;
		vnet.rx_posted--;
		done++;
		kstats.rx_frames++;
		if (len < vnet.hdr_len + 14 || len > vnet.rx_buf_len) {
			vnet.rx_bad++;
			rx_drop(p);
			continue;
		}
		unsigned frame = len - vnet.hdr_len;
		const uint8_t *eth = (const uint8_t *)p->payload + vnet.hdr_len;
		/* Only what lwIP will look at (IPv4, ARP) restarts its timers:
		 * stray IPv6 multicast from the host must not tick ARP and TCP
		 * on an idle machine. */
		if (eth[12] == 0x08 && (eth[13] == 0x00 || eth[13] == 0x06))
			net_timers_link_activity(time_ns());
		struct pbuf *up = NULL;
		if (frame <= RX_COPYBREAK)
			up = pbuf_alloc(PBUF_RAW, (u16_t)frame, PBUF_RAM);
		if (up) {
			pbuf_take(up, (uint8_t *)p->payload + vnet.hdr_len, (u16_t)frame);
			if (rx_post(p) < 0)
				pbuf_free(p);
		} else {
			up = p;
			pbuf_realloc(up, (u16_t)len);
			pbuf_remove_header(up, vnet.hdr_len);
		}
		if (vnet.netif->input(up, vnet.netif) != ERR_OK) {
			net_count_dropped();
			pbuf_free(up);
		}
	}
	rx_refill();
	return done;
}

/* Sent frames are reclaimed on every send and every poll; the transmit
 * interrupt is enabled only while the ring is full, the one time the stack
 * has to wait for the device (an interrupt per frame costs more than it
 * brings otherwise: about a third of the request rate under TCG). */
static int tx_reclaim(void)
{
	int done = 0;
	void *cookie;
	uint32_t len;

	while (virtq_get_used(&vnet.tx, &cookie, &len)) {
		pbuf_free(cookie);
		done++;
	}
	if (done && vnet.tx_stalled) {
		vnet.tx_stalled = 0;
		virtq_set_interrupts(&vnet.tx, 0);
		/* Segments refused while the ring was full wait on lwIP's
		 * unsent queues; push them now that there is room. */
		net_retry_output();
	}
	return done;
}

static int tx_add(struct virtq_buf *bufs, unsigned n, struct pbuf *frame)
{
	if (virtq_add(&vnet.tx, bufs, n, frame) >= 0)
		return 0;
	/* Full: ask for an interrupt when the device returns frames, then
	 * look once more in case it did so before the request. */
	vnet.tx_stalled = 1;
	virtq_set_interrupts(&vnet.tx, 1);
	void *cookie;
	uint32_t len;
	while (virtq_get_used(&vnet.tx, &cookie, &len))
		pbuf_free(cookie);
	return virtq_add(&vnet.tx, bufs, n, frame) >= 0 ? 0 : -ENOSPC;
}

static err_t vnet_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct virtq_buf bufs[1 + TX_MAX_SEGS];
	struct pbuf *frame = p;
	unsigned n = 0;

	(void)netif;
	tx_reclaim();
	if (p->tot_len > ETH_FRAME_MAX)
		return ERR_VAL;
	if (pbuf_clen(p) > TX_MAX_SEGS) {
		frame = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!frame)
			return ERR_MEM;
	} else {
		pbuf_ref(p);
	}
	bufs[n++] = (struct virtq_buf){ (uintptr_t)tx_header, vnet.hdr_len, 0 };
	for (struct pbuf *q = frame; q; q = q->next)
		if (q->len)
			bufs[n++] = (struct virtq_buf){ (uintptr_t)q->payload, q->len, 0 };
	if (tx_add(bufs, n, frame) < 0) {
		vnet.tx_ring_full++;
		pbuf_free(frame);
		return ERR_MEM;
	}
	if (virtq_publish(&vnet.tx))
		vmmio_notify(&vnet.dev, 1);
	kstats.tx_frames++;
	net_timers_link_activity(time_ns());
	return ERR_OK;
}

static int vnet_drain(int budget)
{
	vnet_report_line();
	return rx_drain(budget) + tx_reclaim();
}

static int vnet_pending(void)
{
	return virtq_has_used(&vnet.rx) || virtq_has_used(&vnet.tx);
}

static int vnet_starved(void)
{
	return vnet.rx_posted < vnet.rx.size / 2;
}

static struct net_device vnet_device = {
	.name = "virtio-net",
	.drain = vnet_drain,
	.pending = vnet_pending,
	.starved = vnet_starved,
};

static err_t vnet_netif_init(struct netif *netif)
{
	netif->name[0] = 'v';
	netif->name[1] = 'n';
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	for (int i = 0; i < ETH_HWADDR_LEN; i++)
		netif->hwaddr[i] = vmmio_config8(&vnet.dev, (unsigned)i);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = vnet_linkoutput;
	return ERR_OK;
}

/* zw.net_rxq= / zw.net_txq= shrink a ring (tests use tiny ones to drive
 * the full-ring paths); the device's maximum and ours still apply. */
static uint16_t ring_size(const char *key, uint16_t max)
{
	char v[8];
	unsigned n = 0;

	if (cmdline_get(key, v, sizeof(v)) != 0)
		return max;
	for (const char *c = v; *c >= '0' && *c <= '9'; c++)
		n = n * 10 + (unsigned)(*c - '0');
	if (n < 2 || n > max) {
		kprintf("net: ignoring %s=%s (want 2..%u)\n", key, v, max);
		return max;
	}
	return (uint16_t)n;
}

static int vnet_setup(void)
{
	int err;

	vmmio_begin(&vnet.dev);
	uint64_t want = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_F_ANY_LAYOUT);
	vnet.features = vmmio_negotiate(&vnet.dev, want, &err);
	if (err < 0)
		return err;
	if (!(vnet.features & (1ULL << VIRTIO_NET_F_MAC)))
		return -EIO;
	vnet.hdr_len = vnet.dev.version == 2 ? 12 : 10;
	vnet.rx_buf_len = vnet.hdr_len + ETH_FRAME_MAX;
	err = vmmio_queue_setup(&vnet.dev, 0, ring_size("zw.net_rxq", RX_RING_MAX), &vnet.rx,
				vnet.rx_cookies);
	if (err < 0)
		return err;
	err = vmmio_queue_setup(&vnet.dev, 1, ring_size("zw.net_txq", TX_RING_MAX), &vnet.tx,
				vnet.tx_cookies);
	if (err < 0)
		return err;
	return 0;
}

int virtio_net_probe(struct netif *netif, uint32_t ip, uint32_t mask, uint32_t gw)
{
	int err = vmmio_find(VIRTIO_ID_NET, &vnet.dev);
	if (err < 0)
		return err;
	err = vnet_setup();
	if (err < 0) {
		vmmio_failed(&vnet.dev);
		return err;
	}
	vnet.netif = netif;
	ip4_addr_t a, m, g;
	ip4_addr_set_u32(&a, ip);
	ip4_addr_set_u32(&m, mask);
	ip4_addr_set_u32(&g, gw);
	if (!netif_add(netif, &a, &m, &g, NULL, vnet_netif_init, ethernet_input))
		return -EIO;
	int irq_ok = 0;
	for (unsigned i = 0; i < vnet.dev.ngsi; i++) {
		vnet_lines[i].gsi = vnet.dev.gsi[i];
		if (irq_register_gsi(vnet.dev.gsi[i], vnet_irq, &vnet_lines[i]) == 0)
			irq_ok = 1;
	}
	if (!irq_ok) {
		vmmio_failed(&vnet.dev);
		netif_remove(netif);
		return -EIO;
	}
	rx_refill();
	virtq_set_interrupts(&vnet.tx, 0);
	vmmio_driver_ok(&vnet.dev);
	net_device_register(&vnet_device);
	netif_set_default(netif);
	netif_set_link_up(netif);
	netif_set_up(netif);
	return 0;
}

void virtio_net_describe(char *buf, size_t cap)
{
	const uint8_t *mac = vnet.netif ? vnet.netif->hwaddr : tx_header;
	char gsi[24];

	if (vnet.dev.ngsi > 1)
		snprintf(gsi, sizeof(gsi), "%u or %u", vnet.dev.gsi[0], vnet.dev.gsi[1]);
	else
		snprintf(gsi, sizeof(gsi), "%u", vnet.dev.gsi[0]);
	snprintf(buf, cap,
		 "virtio-net mmio slot %u/%u v%u gsi %s mac %02x:%02x:%02x:%02x:%02x:%02x "
		 "rx ring %u tx ring %u",
		 vnet.dev.slot, vnet.dev.nslots, vnet.dev.version, gsi,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], vnet.rx.size, vnet.tx.size);
}
