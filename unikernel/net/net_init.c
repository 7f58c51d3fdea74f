/* net_init(): lwIP, the loopback interface, and the virtio-net interface
 * configured from the kernel command line (zw.ip=ADDR/PREFIX, zw.gw=ADDR).
 * Without zw.ip only loopback comes up. */
#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "kernel.h"
#include "syscall.h"
#include "net_abi.h"
#include "net_internal.h"

static struct netif vnet_netif;

static void ip_str(uint32_t a, char *buf, size_t cap)
{
	const uint8_t *b = (const uint8_t *)&a;
	snprintf(buf, cap, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* Static memory lwIP reserves: its heap plus every pool. */
static size_t lwip_static_bytes(void)
{
	size_t total = MEM_SIZE;
	for (int i = 0; i < MEMP_MAX; i++)
		total += (size_t)memp_pools[i]->num * memp_pools[i]->size;
	return total;
}

int net_init(void)
{
	char val[64], ipbuf[16], gwbuf[16], dev[160];
	uint32_t ip = 0, gw = 0;
	unsigned prefix = 0;
	int have_ip = cmdline_get("zw.ip", val, sizeof(val)) == 0;

	if (have_ip && net_parse_cidr(val, &ip, &prefix) < 0) {
		kprintf("net: bad zw.ip=%s (want A.B.C.D/PREFIX)\n", val);
		return -EINVAL;
	}
	if (cmdline_get("zw.gw", val, sizeof(val)) == 0 && net_parse_ipv4(val, &gw) < 0) {
		kprintf("net: bad zw.gw=%s (want A.B.C.D)\n", val);
		return -EINVAL;
	}

	net_debug = cmdline_get("zw.net_debug", val, sizeof(val)) == 0 && strcmp(val, "0") != 0;
	lwip_init();
	net_timers_init();
	net_poller_start();
	kprintf("net: lwIP " LWIP_VERSION_STRING ", %lu KiB static (heap %u KiB, %u TCP PCBs, %u pool pbufs)\n",
		(unsigned long)(lwip_static_bytes() / 1024), (unsigned)(MEM_SIZE / 1024),
		(unsigned)MEMP_NUM_TCP_PCB, (unsigned)PBUF_POOL_SIZE);

	if (!have_ip) {
		kprintf("net: no zw.ip= on the command line: loopback only\n");
		return 0;
	}
	int err = virtio_net_probe(&vnet_netif, ip, net_prefix_mask(prefix), gw);
	if (err < 0) {
		kprintf("net: no usable virtio-net device (%d): loopback only\n", err);
		return err == -ENODEV ? 0 : err;
	}
	virtio_net_describe(dev, sizeof(dev));
	ip_str(ip, ipbuf, sizeof(ipbuf));
	ip_str(gw, gwbuf, sizeof(gwbuf));
	kprintf("net: %s ip %s/%u gw %s\n", dev, ipbuf, prefix, gwbuf);
	return 0;
}
