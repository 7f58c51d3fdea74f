/* The check behind -EFAULT: a user pointer must lie in mapped RAM above
 * page 0, or in accessible pages of the demand-paged window. There is no
 * protection to consult; this only keeps a bad pointer from faulting the
 * kernel. */
#include "kernel.h"
#include "pmm.h"
#include "vmem.h"

int user_range_ok(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	if (n == 0)
		return 1;
	if (vmem_in_window(a))
		return vmem_range_ok(a, n);
	return a >= PAGE_SIZE && a + n >= a && a + n <= pmm_limit();
}
