/* The check behind -EFAULT: a user pointer must lie in mapped RAM above
 * page 0. There is no protection to consult; this only keeps a bad pointer
 * from faulting the kernel. */
#include "kernel.h"
#include "pmm.h"

int user_range_ok(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	if (n == 0)
		return 1;
	return a >= PAGE_SIZE && a + n >= a && a + n <= pmm_limit();
}
