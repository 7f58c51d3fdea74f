/* kmalloc: power-of-two size classes from 16 to 2048 bytes carved out of
 * single pages, larger requests as whole pages. Every page starts with a
 * 16-byte header saying which, so kfree needs no size. */
#include "kernel.h"

#define KM_MAGIC 0x6b6d616c6c6f6321ULL
#define KM_CLASSES 8            /* 16 << 0 .. 16 << 7 = 2048 */
#define KM_HDR 16

struct km_page {
	uint64_t magic;
	uint32_t cls;           /* size class, or KM_LARGE */
	uint32_t npages;        /* for large allocations */
};
#define KM_LARGE 0xffffffffu

struct km_free {
	struct km_free *next;
};

static struct km_free *free_lists[KM_CLASSES];

static int class_of(size_t size)
{
	size_t s = 16;
	for (int c = 0; c < KM_CLASSES; c++, s <<= 1)
		if (size <= s)
			return c;
	return -1;
}

static int refill(int cls)
{
	struct km_page *pg = page_alloc(1);
	if (!pg)
		return -1;
	pg->magic = KM_MAGIC;
	pg->cls = (uint32_t)cls;
	size_t sz = (size_t)16 << cls;
	for (size_t off = KM_HDR; off + sz <= PAGE_SIZE; off += sz) {
		struct km_free *f = (struct km_free *)((char *)pg + off);
		f->next = free_lists[cls];
		free_lists[cls] = f;
	}
	return 0;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	int cls = class_of(size);
	if (cls < 0) {
		size_t npages = (size + KM_HDR + PAGE_SIZE - 1) / PAGE_SIZE;
		struct km_page *pg = page_alloc(npages);
		if (!pg)
			return NULL;
		pg->magic = KM_MAGIC;
		pg->cls = KM_LARGE;
		pg->npages = (uint32_t)npages;
		return (char *)pg + KM_HDR;
	}
	if (!free_lists[cls] && refill(cls) < 0)
		return NULL;
	struct km_free *f = free_lists[cls];
	free_lists[cls] = f->next;
	memset(f, 0, (size_t)16 << cls);
	return f;
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kmalloc(n * size);  /* kmalloc already zeroes */
}

void kfree(void *p)
{
	if (!p)
		return;
	struct km_page *pg = (struct km_page *)((uintptr_t)p & ~(PAGE_SIZE - 1));
	if (pg->magic != KM_MAGIC)
		panic("kfree(%p): not a kmalloc pointer", p);
	if (pg->cls == KM_LARGE) {
		page_free(pg, pg->npages);
		return;
	}
	struct km_free *f = p;
	f->next = free_lists[pg->cls];
	free_lists[pg->cls] = f;
}
