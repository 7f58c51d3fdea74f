/* The freestanding memory and string helpers kernel.h promises. memset and
 * memcpy move 8-byte words in unrolled loops: under TCG a rep-string
 * instruction costs a translated-block round trip per element, which made
 * zeroing a 512 KiB stack take milliseconds. Built with
 * -fno-tree-loop-distribute-patterns so GCC cannot turn these loops back
 * into calls to themselves. */
#include "kernel.h"

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if ((((uintptr_t)dp ^ (uintptr_t)sp) & 7) == 0) {
		while (n && ((uintptr_t)dp & 7)) {
			*dp++ = *sp++;
			n--;
		}
		word_t *dw = (word_t *)dp;
		const word_t *sw = (const word_t *)sp;
		for (; n >= 64; n -= 64, dw += 8, sw += 8) {
			dw[0] = sw[0]; dw[1] = sw[1]; dw[2] = sw[2]; dw[3] = sw[3];
			dw[4] = sw[4]; dw[5] = sw[5]; dw[6] = sw[6]; dw[7] = sw[7];
		}
		for (; n >= 8; n -= 8)
			*dw++ = *sw++;
		dp = (unsigned char *)dw;
		sp = (const unsigned char *)sw;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n && ((uintptr_t)p & 7)) {
		*p++ = (unsigned char)c;
		n--;
	}
	uint64_t v = 0x0101010101010101ULL * (unsigned char)c;
	word_t *w = (word_t *)p;
	for (; n >= 64; n -= 64, w += 8) {
		w[0] = v; w[1] = v; w[2] = v; w[3] = v;
		w[4] = v; w[5] = v; w[6] = v; w[7] = v;
	}
	for (; n >= 8; n -= 8)
		*w++ = v;
	p = (unsigned char *)w;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
