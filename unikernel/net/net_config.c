/* Static IPv4 configuration from the kernel command line:
 * zw.ip=10.201.3.2/24 and zw.gw=10.201.3.1. */
#include "net_internal.h"
#include "net_abi.h"

int net_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t host = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return -EINVAL;
		}
		if (digits == 0)
			return -EINVAL;
		host = (host << 8) | v;
		if (part < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	*addr = __builtin_bswap32(host);
	return 0;
}

uint32_t net_prefix_mask(unsigned prefix)
{
	uint32_t host = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
	return __builtin_bswap32(host);
}

int net_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix)
{
	char ip[16];
	size_t n = 0;

	while (s[n] && s[n] != '/') {
		if (n + 1 >= sizeof(ip))
			return -EINVAL;
		ip[n] = s[n];
		n++;
	}
	ip[n] = '\0';
	if (net_parse_ipv4(ip, addr) < 0)
		return -EINVAL;
	if (s[n] == '\0') {
		*prefix = 24;
		return 0;
	}
	const char *p = s + n + 1;
	unsigned v = 0, digits = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (++digits > 2)
			return -EINVAL;
	}
	if (digits == 0 || *p != '\0' || v > 32)
		return -EINVAL;
	*prefix = v;
	return 0;
}
