/* A bitmap page allocator. Allocation is first-fit from the top of memory
 * down, so the pages just above the app's image stay free for its brk as
 * long as possible. */
#include "kernel.h"
#include "uk_errno.h"
#include "pmm.h"

static uint64_t *used_map, *app_map;
static uint64_t nr_pages, free_count;
/* No free run ends above this page: where top-down searches begin. */
static uint64_t search_top;

#define BIT(map, i) (((map)[(i) / 64] >> ((i) % 64)) & 1)

static inline void set_bit(uint64_t *map, uint64_t i) { map[i / 64] |= 1ULL << (i % 64); }
static inline void clear_bit(uint64_t *map, uint64_t i) { map[i / 64] &= ~(1ULL << (i % 64)); }

size_t pmm_bitmap_bytes(uint64_t limit)
{
	uint64_t pages = limit / PAGE_SIZE;
	return 2 * ((pages + 63) / 64) * 8;
}

void pmm_init(void *bitmaps, uint64_t limit)
{
	nr_pages = limit / PAGE_SIZE;
	size_t words = (nr_pages + 63) / 64;
	used_map = bitmaps;
	app_map = used_map + words;
	memset(used_map, 0xff, words * 8);
	memset(app_map, 0, words * 8);
	free_count = 0;
	search_top = 0;
}

void pmm_add_free(uint64_t start, uint64_t end)
{
	uint64_t first = (start + PAGE_SIZE - 1) / PAGE_SIZE, last = end / PAGE_SIZE;
	if (last > nr_pages)
		last = nr_pages;
	for (uint64_t i = first; i < last; i++)
		if (BIT(used_map, i)) {
			clear_bit(used_map, i);
			free_count++;
		}
	if (last > search_top)
		search_top = last;
}

void pmm_reserve(uint64_t start, uint64_t end)
{
	uint64_t first = start / PAGE_SIZE, last = (end + PAGE_SIZE - 1) / PAGE_SIZE;
	if (last > nr_pages)
		last = nr_pages;
	for (uint64_t i = first; i < last; i++)
		if (!BIT(used_map, i)) {
			set_bit(used_map, i);
			free_count--;
		}
}

uint64_t pmm_free_pages(void)
{
	return free_count;
}

uint64_t pmm_limit(void)
{
	return nr_pages * PAGE_SIZE;
}

void *page_alloc(size_t npages)
{
	if (npages == 0 || npages > free_count)
		return NULL;
	uint64_t run = 0;
	for (uint64_t i = search_top; i-- > 0;) {
		/* Skip whole words of used pages quickly. */
		if (i % 64 == 63 && used_map[i / 64] == ~0ULL) {
			run = 0;
			i -= 63;
			continue;
		}
		if (BIT(used_map, i)) {
			run = 0;
			continue;
		}
		if (++run == npages) {
			for (uint64_t j = i; j < i + npages; j++)
				set_bit(used_map, j);
			free_count -= npages;
			void *p = (void *)(uintptr_t)(i * PAGE_SIZE);
			memset(p, 0, npages * PAGE_SIZE);
			return p;
		}
	}
	return NULL;
}

void page_free(void *p, size_t npages)
{
	uint64_t first = (uintptr_t)p / PAGE_SIZE;
	for (uint64_t i = first; i < first + npages && i < nr_pages; i++) {
		if (!BIT(used_map, i))
			panic("page_free: page 0x%lx is already free", (unsigned long)(i * PAGE_SIZE));
		clear_bit(used_map, i);
		clear_bit(app_map, i);
		free_count++;
	}
	if (first + npages > search_top)
		search_top = first + npages < nr_pages ? first + npages : nr_pages;
}

int pmm_range_free(uint64_t addr, size_t npages)
{
	uint64_t first = addr / PAGE_SIZE;
	if (addr % PAGE_SIZE || first + npages > nr_pages || first + npages < first)
		return 0;
	for (uint64_t i = first; i < first + npages; i++)
		if (BIT(used_map, i))
			return 0;
	return 1;
}

int pmm_claim(uint64_t addr, size_t npages)
{
	if (!pmm_range_free(addr, npages))
		return -ENOMEM;
	uint64_t first = addr / PAGE_SIZE;
	for (uint64_t i = first; i < first + npages; i++)
		set_bit(used_map, i);
	free_count -= npages;
	memset((void *)(uintptr_t)addr, 0, npages * PAGE_SIZE);
	return 0;
}

void pmm_set_app(uint64_t addr, size_t npages, int owned)
{
	uint64_t first = addr / PAGE_SIZE;
	for (uint64_t i = first; i < first + npages && i < nr_pages; i++) {
		if (owned)
			set_bit(app_map, i);
		else
			clear_bit(app_map, i);
	}
}

int pmm_is_app(uint64_t addr)
{
	uint64_t i = addr / PAGE_SIZE;
	return i < nr_pages && BIT(app_map, i);
}
