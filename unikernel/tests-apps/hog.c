/* Touches more demand-paged memory than the guest has: the kernel must
 * end the VM with its out-of-memory status (123) and say so, not fault or
 * hang. Prints how far it got every 4 MiB. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	size_t len = 256ul << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		dprintf(1, "hog: mmap failed\n");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096) {
		p[i] = 1;
		if (i % (4ul << 20) == 0)
			dprintf(1, "hog: %zu MiB touched\n", i >> 20);
	}
	dprintf(1, "hog: touched all 256 MiB\n");
	return 0;
}
