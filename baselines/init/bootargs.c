#include "bootargs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bootargs_parse_ipv4(const char *s, uint32_t *out)
{
	unsigned long part[4];
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		part[i] = strtoul(p, &end, 10);
		if (part[i] > 255 || end - p > 3)
			return -EINVAL;
		if (i < 3 && *end != '.')
			return -EINVAL;
		p = end + (i < 3);
		if (i == 3 && *end != '\0')
			return -EINVAL;
	}
	*out = htonl((uint32_t)(part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3]));
	return 0;
}

static int parse_ip_prefix(const char *s, uint32_t *ip, uint32_t *mask)
{
	char addr[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len = 24;   /* the lab's slots are /24 */

	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (bootargs_parse_ipv4(addr, ip))
		return -EINVAL;
	if (slash) {
		char *end;

		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len < 1 || len > 32)
			return -EINVAL;
	}
	*mask = htonl(len == 32 ? 0xffffffffu : ~(0xffffffffu >> len));
	return 0;
}

int bootargs_is_vmm_word(const char *word)
{
	/* QEMU microvm appends one per virtio-mmio transport to the end of a
	 * Linux command line, which is after our "--"; this kernel finds the
	 * transports through ACPI and has no use for them. */
	return strncmp(word, "virtio_mmio.device=", 19) == 0;
}

/* Copies the next word of *cursor to *out, quotes removed, and points *word
 * at it. Returns 1, 0 at the end of the line, or -E2BIG when out is full. */
static int next_word(const char **cursor, char **out, const char *limit, char **word)
{
	const char *p = *cursor;
	int quoted = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0')
		return 0;
	*word = *out;
	while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (*out >= limit - 1)
			return -E2BIG;
		*(*out)++ = *p++;
	}
	*(*out)++ = '\0';
	*cursor = p;
	return 1;
}

int bootargs_parse(const char *cmdline, struct bootargs *ba)
{
	const char *cursor = cmdline;
	char *out;
	char *word;
	int after_dashes = 0;
	int rc;

	memset(ba, 0, sizeof(*ba));
	out = ba->buf;
	while ((rc = next_word(&cursor, &out, ba->buf + sizeof(ba->buf), &word)) > 0) {
		if (after_dashes) {
			if (bootargs_is_vmm_word(word))
				continue;
			if (ba->argc >= BOOTARGS_MAX_ARGV)
				return -E2BIG;
			ba->argv[ba->argc++] = word;
		} else if (strcmp(word, "--") == 0) {
			after_dashes = 1;
		} else if (strncmp(word, "zw.ip=", 6) == 0) {
			if (parse_ip_prefix(word + 6, &ba->ip, &ba->netmask))
				return -EINVAL;
			ba->has_ip = 1;
		} else if (strcmp(word, "zw.trace=1") == 0) {
			ba->trace = 1;
		} else if (strncmp(word, "zw.gw=", 6) == 0) {
			if (bootargs_parse_ipv4(word + 6, &ba->gw))
				return -EINVAL;
			ba->has_gw = 1;
		}
	}
	if (rc < 0)
		return rc;
	ba->argv[ba->argc] = NULL;
	return 0;
}
