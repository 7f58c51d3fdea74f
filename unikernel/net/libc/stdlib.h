/* lwIP's core includes <stdlib.h> for one call, atoi() in netif_find()
 * (parsing "en0"-style names). The kernel has no libc; this header, only on
 * the include path of kernel builds and after the core's own headers
 * (-idirafter), supplies that one function. */
#ifndef UK_NET_LIBC_STDLIB_H
#define UK_NET_LIBC_STDLIB_H
#include <stddef.h>

static inline int atoi(const char *s)
{
	int sign = 1, v = 0;

	if (*s == '-') {
		sign = -1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return sign * v;
}
#endif
