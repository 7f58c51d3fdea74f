/* Static IPv4 set-up of the guest's interfaces with plain ioctls, so the
 * init needs no ip(8) and no netlink code. */
#ifndef ZW_NETCFG_H
#define ZW_NETCFG_H
#include <stdint.h>

/* Brings ifname up; the kernel gives lo 127.0.0.1 by itself. 0 or -errno. */
int netcfg_up(const char *ifname);
/* Address and netmask (network byte order) on ifname, then up. 0 or -errno. */
int netcfg_address(const char *ifname, uint32_t ip, uint32_t netmask);
/* Default route through gw. 0 or -errno. */
int netcfg_default_route(uint32_t gw);
/* Waits up to timeout_ms for ifname to exist. 0 or -ENODEV. */
int netcfg_wait_link(const char *ifname, int timeout_ms);

#endif
