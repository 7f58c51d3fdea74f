#include "netcfg.h"

#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int with_socket(unsigned long req, void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, arg) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr };

	memcpy(sa, &sin, sizeof(sin));
}

int netcfg_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int rc;

	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	rc = with_socket(SIOCGIFFLAGS, &ifr);
	if (rc)
		return rc;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return with_socket(SIOCSIFFLAGS, &ifr);
}

int netcfg_address(const char *ifname, uint32_t ip, uint32_t netmask)
{
	struct ifreq ifr = { 0 };
	int rc;

	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	set_sin(&ifr.ifr_addr, ip);
	rc = with_socket(SIOCSIFADDR, &ifr);
	if (rc)
		return rc;
	set_sin(&ifr.ifr_netmask, netmask);
	rc = with_socket(SIOCSIFNETMASK, &ifr);
	if (rc)
		return rc;
	return netcfg_up(ifname);
}

int netcfg_default_route(uint32_t gw)
{
	struct rtentry rt = { 0 };

	set_sin(&rt.rt_dst, INADDR_ANY);
	set_sin(&rt.rt_genmask, INADDR_ANY);
	set_sin(&rt.rt_gateway, gw);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	return with_socket(SIOCADDRT, &rt);
}

int netcfg_wait_link(const char *ifname, int timeout_ms)
{
	/* virtio_net registers its netdev while the module loads, so this
	 * normally succeeds at once; the wait covers asynchronous probing. */
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (if_nametoindex(ifname))
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return -ENODEV;
}
