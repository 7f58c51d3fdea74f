/* The demand-paged window (vmem.h). Two structures: a sorted list of
 * reserved ranges, which is what address-space allocation consults, and the
 * page tables, where a non-present entry with PTE_DEMAND set means "zero
 * page on first touch". A PROT_NONE reservation has no entries at all, so
 * reserving a huge range costs one list slot. */
#include "kernel.h"
#include "uk_errno.h"
#include "vmem.h"
#include "exitcodes.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/layout.h"

extern uint64_t boot_pml4[];

#define PTE_DEMAND  (1ULL << 9)   /* software bit, only in non-present entries */
#define PTE_ADDR    0x000ffffffffff000ULL
#define RANGES_MAX  1024
#define PAGE_UP(a)  (((a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct range { uint64_t start, end; };
static struct range ranges[RANGES_MAX];
static int nranges;
static uint64_t resident;

int vmem_in_window(uint64_t addr)
{
	return addr >= VMEM_BASE && addr < VMEM_END;
}

/* --- reservations ------------------------------------------------------ */

static int ranges_overlap(uint64_t start, uint64_t end)
{
	for (int i = 0; i < nranges; i++)
		if (ranges[i].start < end && start < ranges[i].end)
			return 1;
	return 0;
}

static int ranges_add(uint64_t start, uint64_t end)
{
	int i = 0;
	while (i < nranges && ranges[i].start < start)
		i++;
	/* Touching neighbours merge, so the list stays short. */
	int merge_prev = i > 0 && ranges[i - 1].end == start;
	int merge_next = i < nranges && ranges[i].start == end;
	if (merge_prev && merge_next) {
		ranges[i - 1].end = ranges[i].end;
		memmove(&ranges[i], &ranges[i + 1], (size_t)(nranges - i - 1) * sizeof(ranges[0]));
		nranges--;
	} else if (merge_prev) {
		ranges[i - 1].end = end;
	} else if (merge_next) {
		ranges[i].start = start;
	} else {
		if (nranges == RANGES_MAX)
			return -ENOMEM;
		memmove(&ranges[i + 1], &ranges[i], (size_t)(nranges - i) * sizeof(ranges[0]));
		ranges[i] = (struct range){ start, end };
		nranges++;
	}
	return 0;
}

static int ranges_remove(uint64_t start, uint64_t end)
{
	for (int i = 0; i < nranges; i++) {
		struct range *r = &ranges[i];
		if (r->end <= start || r->start >= end)
			continue;
		if (r->start < start && r->end > end) {
			/* A hole in the middle splits the range in two. */
			if (nranges == RANGES_MAX)
				return -ENOMEM;
			memmove(&ranges[i + 1], &ranges[i], (size_t)(nranges - i) * sizeof(ranges[0]));
			nranges++;
			ranges[i].end = start;
			ranges[i + 1].start = end;
			return 0;
		}
		if (r->start >= start && r->end <= end) {
			memmove(&ranges[i], &ranges[i + 1], (size_t)(nranges - i - 1) * sizeof(ranges[0]));
			nranges--;
			i--;
		} else if (r->start < start) {
			r->end = start;
		} else {
			r->start = end;
		}
	}
	return 0;
}

/* Top-down first fit, as Linux places mappings below mmap_base; hinted
 * ranges (Go asks for 0xc000000000) grow upwards far below. */
static uint64_t ranges_find_gap(uint64_t len)
{
	uint64_t top = VMEM_END;
	for (int i = nranges - 1; i >= -1; i--) {
		uint64_t bottom = i >= 0 ? ranges[i].end : VMEM_BASE;
		if (top >= bottom + len && top - len >= bottom)
			return top - len;
		if (i >= 0)
			top = ranges[i].start;
	}
	return 0;
}

/* --- page tables --------------------------------------------------------- */

/* The entry for va, creating the tables above it when create is set; NULL
 * if a table is missing (and not created) or memory ran out. */
static uint64_t *pte_of(uint64_t va, int create)
{
	uint64_t *table = boot_pml4;
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &table[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			void *page = page_alloc(1);
			if (!page)
				return NULL;
			*e = (uint64_t)(uintptr_t)page | PTE_P | PTE_W | PTE_U;
		}
		if (*e & PTE_PS)
			return NULL; /* the identity map's large pages: not ours */
		table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	return &table[(va >> 12) & 511];
}

/* Where the next page table's 2 MiB begins: a missing table is skipped
 * whole. */
static uint64_t next_table_start(uint64_t va)
{
	return (va | ((1ULL << 21) - 1)) + 1;
}

static void pte_release(uint64_t *pte, uint64_t va, uint64_t new_value)
{
	if (*pte & PTE_P) {
		page_free((void *)(uintptr_t)(*pte & PTE_ADDR), 1);
		resident--;
		*pte = new_value;
		invlpg(va);
	} else {
		*pte = new_value;
	}
}

/* Sets every entry of the range to new_value (0 or PTE_DEMAND), freeing
 * resident pages. Clearing skips whole missing tables, so unmapping a huge
 * reservation that was never touched is quick. */
static int ptes_set(uint64_t start, uint64_t end, uint64_t new_value)
{
	for (uint64_t va = start; va < end;) {
		uint64_t *pte = pte_of(va, new_value != 0);
		if (!pte) {
			if (new_value)
				return -ENOMEM;
			va = next_table_start(va);
			continue;
		}
		pte_release(pte, va, new_value);
		va += PAGE_SIZE;
	}
	return 0;
}

/* --- the syscalls' side ---------------------------------------------- */

static int args_ok(uint64_t addr, size_t len)
{
	return addr % PAGE_SIZE == 0 && len > 0 && addr + len > addr &&
	       vmem_in_window(addr) && addr + len <= VMEM_END;
}

long vmem_map(uint64_t hint, size_t len, int prot_none, int fixed, int noreplace)
{
	len = PAGE_UP(len);
	if (len == 0 || len > VMEM_END - VMEM_BASE)
		return -ENOMEM;
	uint64_t addr, page = hint & ~(PAGE_SIZE - 1);
	if (fixed) {
		if (!args_ok(hint, len))
			return -EINVAL;
		if (noreplace && ranges_overlap(hint, hint + len))
			return -EEXIST;
		addr = hint;
	} else if (hint && args_ok(page, len) && !ranges_overlap(page, page + len)) {
		addr = page;
	} else {
		addr = ranges_find_gap(len);
		if (!addr)
			return -ENOMEM;
	}
	/* A fixed mapping replaces: what was there reads as zero again. */
	int r = ptes_set(addr, addr + len, prot_none ? 0 : PTE_DEMAND);
	if (r == 0)
		r = ranges_add(addr, addr + len);
	if (r < 0) {
		ptes_set(addr, addr + len, 0);
		return r;
	}
	return (long)addr;
}

long vmem_unmap(uint64_t addr, size_t len)
{
	len = PAGE_UP(len);
	if (!args_ok(addr, len))
		return -EINVAL;
	ptes_set(addr, addr + len, 0);
	return ranges_remove(addr, addr + len);
}

long vmem_protect(uint64_t addr, size_t len, int prot_none)
{
	len = PAGE_UP(len);
	if (!args_ok(addr, len))
		return -EINVAL;
	if (prot_none)
		return 0;
	for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE) {
		if (!ranges_overlap(va, va + PAGE_SIZE))
			return -ENOMEM;
		uint64_t *pte = pte_of(va, 1);
		if (!pte)
			return -ENOMEM;
		if (!(*pte & PTE_P))
			*pte = PTE_DEMAND;
	}
	return 0;
}

long vmem_discard(uint64_t addr, size_t len)
{
	len = PAGE_UP(len);
	if (!args_ok(addr, len))
		return -EINVAL;
	for (uint64_t va = addr; va < addr + len;) {
		uint64_t *pte = pte_of(va, 0);
		if (!pte) {
			va = next_table_start(va);
			continue;
		}
		if (*pte & PTE_P)
			pte_release(pte, va, PTE_DEMAND);
		va += PAGE_SIZE;
	}
	return 0;
}

long vmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move)
{
	oldlen = PAGE_UP(oldlen);
	newlen = PAGE_UP(newlen);
	if (!args_ok(old, oldlen) || newlen == 0)
		return -EINVAL;
	if (newlen <= oldlen) {
		if (newlen < oldlen)
			vmem_unmap(old + newlen, oldlen - newlen);
		return (long)old;
	}
	uint64_t tail = old + oldlen, grow = newlen - oldlen;
	if (args_ok(tail, grow) && !ranges_overlap(tail, tail + grow))
		return vmem_map(tail, grow, 0, 1, 1) < 0 ? -ENOMEM : (long)old;
	if (!may_move)
		return -ENOMEM;
	long moved = vmem_map(0, newlen, 0, 0, 0);
	if (moved < 0)
		return moved;
	memcpy((void *)moved, (const void *)(uintptr_t)old, oldlen);
	vmem_unmap(old, oldlen);
	return moved;
}

int vmem_range_ok(uint64_t addr, size_t len)
{
	if (len == 0)
		return 1;
	if (addr + len < addr || !vmem_in_window(addr) || addr + len > VMEM_END)
		return 0;
	for (uint64_t va = addr & ~(PAGE_SIZE - 1); va < addr + len; va += PAGE_SIZE) {
		uint64_t *pte = pte_of(va, 0);
		if (!pte || !(*pte & (PTE_P | PTE_DEMAND)))
			return 0;
	}
	return 1;
}

int vmem_fault(uint64_t addr)
{
	if (!vmem_in_window(addr))
		return 0;
	uint64_t *pte = pte_of(addr, 0);
	if (!pte || (*pte & PTE_P) || !(*pte & PTE_DEMAND))
		return 0;
	void *page = page_alloc(1);
	if (!page) {
		/* Linux would OOM-kill the process; this is the whole VM. */
		kprintf("ZW: out of memory: no free page for the app's touch at %lx (%lu KiB demand-paged)\n",
			addr, resident * (PAGE_SIZE / 1024));
		machine_exit(ZW_EXIT_OOM);
	}
	*pte = (uint64_t)(uintptr_t)page | PTE_P | PTE_W | PTE_U;
	invlpg(addr);
	resident++;
	return 1;
}

uint64_t vmem_resident_pages(void)
{
	return resident;
}
