#include "kernel.h"
#include "uk_errno.h"
#include "appmem.h"
#include "pmm.h"
#include "../arch/x86_64/arch.h"

static uint64_t brk_base, brk_cur;   /* brk_cur is page-rounded up when mapped */
static uint64_t brk_mapped_end;
static uint64_t stack_size;

#define PAGES(len) (((len) + PAGE_SIZE - 1) / PAGE_SIZE)
#define PAGE_UP(a) (((a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

void appmem_set_brk_base(uint64_t end_of_image)
{
	brk_base = brk_cur = end_of_image;
	brk_mapped_end = PAGE_UP(end_of_image);
}

uint64_t appmem_brk(uint64_t addr)
{
	if (addr < brk_base)
		return brk_cur;
	uint64_t want_end = PAGE_UP(addr);
	if (want_end > brk_mapped_end) {
		size_t n = PAGES(want_end - brk_mapped_end);
		if (pmm_claim(brk_mapped_end, n) < 0)
			return brk_cur;
		pmm_set_app(brk_mapped_end, n, 1);
		brk_mapped_end = want_end;
	} else if (want_end < brk_mapped_end) {
		/* Shrinking: pages above the new end go back, and would read
		 * as zero if the break grows again, as Linux guarantees. */
		for (uint64_t a = want_end; a < brk_mapped_end; a += PAGE_SIZE)
			if (pmm_is_app(a))
				page_free((void *)(uintptr_t)a, 1);
		brk_mapped_end = want_end;
	}
	brk_cur = addr;
	return brk_cur;
}

long appmem_map(size_t len)
{
	if (len == 0)
		return -EINVAL;
	size_t n = PAGES(len);
	void *p = page_alloc(n);
	if (!p)
		return -ENOMEM;
	pmm_set_app((uintptr_t)p, n, 1);
	return (long)(uintptr_t)p;
}

long appmem_map_fixed(uint64_t addr, size_t len, int replace)
{
	if (addr % PAGE_SIZE || len == 0)
		return -EINVAL;
	size_t n = PAGES(len);
	if (addr + n * PAGE_SIZE < addr || addr + n * PAGE_SIZE > pmm_limit() || addr < PAGE_SIZE)
		return -ENOMEM;
	/* Every page must be free or already the app's. */
	for (size_t i = 0; i < n; i++) {
		uint64_t a = addr + i * PAGE_SIZE;
		if (pmm_is_app(a)) {
			if (!replace)
				return -EEXIST;
		} else if (!pmm_range_free(a, 1)) {
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t a = addr + i * PAGE_SIZE;
		if (pmm_is_app(a))
			memset((void *)(uintptr_t)a, 0, PAGE_SIZE);
		else if (pmm_claim(a, 1) == 0)
			pmm_set_app(a, 1, 1);
	}
	return (long)addr;
}

long appmem_unmap(uint64_t addr, size_t len)
{
	if (addr % PAGE_SIZE || len == 0 || addr + len < addr)
		return -EINVAL;
	size_t n = PAGES(len);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = addr + i * PAGE_SIZE;
		/* Only the app's pages: unmapping anything else is a no-op,
		 * as unmapping a hole is on Linux. */
		if (pmm_is_app(a))
			page_free((void *)(uintptr_t)a, 1);
	}
	return 0;
}

long appmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move)
{
	if (old % PAGE_SIZE || newlen == 0)
		return -EINVAL;
	size_t on = PAGES(oldlen), nn = PAGES(newlen);
	for (size_t i = 0; i < on; i++)
		if (!pmm_is_app(old + i * PAGE_SIZE))
			return -EFAULT;
	if (nn <= on) {
		appmem_unmap(old + nn * PAGE_SIZE, (on - nn) * PAGE_SIZE);
		return (long)old;
	}
	uint64_t tail = old + on * PAGE_SIZE;
	if (pmm_claim(tail, nn - on) == 0) {
		pmm_set_app(tail, nn - on, 1);
		return (long)old;
	}
	if (!may_move)
		return -ENOMEM;
	long p = appmem_map(newlen);
	if (p < 0)
		return p;
	memcpy((void *)p, (const void *)(uintptr_t)old, on * PAGE_SIZE);
	appmem_unmap(old, on * PAGE_SIZE);
	return p;
}

uint64_t appmem_stack(size_t size)
{
	size_t n = PAGES(size);
	uint8_t *p = page_alloc(n + 1);
	if (!p)
		return 0;
	/* The lowest page becomes a guard: an overflow faults loudly
	 * instead of running into whatever lies below. */
	if (paging_set_present((uintptr_t)p, 0) < 0)
		kprintf("ZW: no guard page below the app's stack\n");
	pmm_set_app((uintptr_t)p + PAGE_SIZE, n, 1);
	stack_size = n * PAGE_SIZE;
	return (uint64_t)(uintptr_t)p + (n + 1) * PAGE_SIZE;
}

uint64_t appmem_stack_size(void)
{
	return stack_size;
}
