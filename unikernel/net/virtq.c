/* Split virtqueue ring logic; see virtq.h. */
#include "virtq.h"
#include "net_abi.h"

/* The device reads and writes the rings concurrently: order our stores to
 * the ring before the index that publishes them, and our load of used->idx
 * before the entries it covers. */
static inline void virtq_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t avail_end(uint16_t size)
{
	/* flags, idx, ring[size], used_event */
	return sizeof(struct vring_desc) * size + 2 * (3 + (size_t)size);
}

size_t virtq_legacy_used_offset(uint16_t size, uint32_t align)
{
	return align_up(avail_end(size), align);
}

size_t virtq_legacy_bytes(uint16_t size, uint32_t align)
{
	/* flags, idx, ring[size] of 8 bytes, avail_event */
	size_t used = 2 * 3 + sizeof(struct vring_used_elem) * (size_t)size;
	return virtq_legacy_used_offset(size, align) + align_up(used, align);
}

int virtq_init(struct virtq *q, void *mem, uint16_t size, uint32_t align, void **cookies)
{
	if (size == 0 || (size & (size - 1)) || align == 0 || (align & (align - 1)))
		return -EINVAL;
	q->size = size;
	q->desc = mem;
	q->avail = (struct vring_avail *)((char *)mem + sizeof(struct vring_desc) * size);
	q->used = (struct vring_used *)((char *)mem + virtq_legacy_used_offset(size, align));
	q->cookie = cookies;
	for (uint16_t i = 0; i < size; i++) {
		q->desc[i].next = (uint16_t)(i + 1);
		q->desc[i].flags = 0;
		cookies[i] = NULL;
	}
	q->free_head = 0;
	q->num_free = size;
	q->avail_shadow = q->avail->idx;
	q->published = q->avail->idx;
	q->last_used = q->used->idx;
	q->bad_used = 0;
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
	if (n == 0 || cookie == NULL)
		return -EINVAL;
	if (n > q->num_free)
		return -ENOSPC;

	uint16_t head = q->free_head, idx = head, last = head;
	for (unsigned i = 0; i < n; i++) {
		struct vring_desc *d = &q->desc[idx];
		d->addr = bufs[i].addr;
		d->len = bufs[i].len;
		d->flags = bufs[i].device_writes ? VRING_DESC_F_WRITE : 0;
		if (i + 1 < n)
			d->flags |= VRING_DESC_F_NEXT;
		last = idx;
		idx = d->next;
	}
	/* The last descriptor's next still points into the free list. */
	q->free_head = q->desc[last].next;
	q->num_free = (uint16_t)(q->num_free - n);
	q->cookie[head] = cookie;
	q->avail->ring[q->avail_shadow & (q->size - 1)] = head;
	q->avail_shadow++;
	return head;
}

int virtq_publish(struct virtq *q)
{
	if (q->avail_shadow == q->published)
		return 0;
	virtq_fence();
	q->avail->idx = q->avail_shadow;
	q->published = q->avail_shadow;
	/* The device may set NO_NOTIFY at any moment; read it after the
	 * index store is visible. */
	virtq_fence();
	return !(*(volatile uint16_t *)&q->used->flags & VRING_USED_F_NO_NOTIFY);
}

int virtq_has_used(const struct virtq *q)
{
	return *(volatile const uint16_t *)&q->used->idx != q->last_used;
}

static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t idx = head;
	unsigned n = 1;

	/* Bounded by the ring size so a corrupted chain cannot loop forever. */
	while ((q->desc[idx].flags & VRING_DESC_F_NEXT) && n < q->size) {
		idx = q->desc[idx].next;
		n++;
	}
	q->desc[idx].next = q->free_head;
	q->desc[idx].flags &= (uint16_t)~VRING_DESC_F_NEXT;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
}

int virtq_get_used(struct virtq *q, void **cookie, uint32_t *len)
{
	while (virtq_has_used(q)) {
		virtq_fence();
		struct vring_used_elem e = q->used->ring[q->last_used & (q->size - 1)];
		q->last_used++;
		if (e.id >= q->size || q->cookie[e.id] == NULL) {
			q->bad_used++;
			continue;
		}
		*cookie = q->cookie[e.id];
		*len = e.len;
		q->cookie[e.id] = NULL;
		free_chain(q, (uint16_t)e.id);
		return 1;
	}
	return 0;
}

void virtq_set_interrupts(struct virtq *q, int enabled)
{
	if (enabled)
		q->avail->flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
	else
		q->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
	virtq_fence();
}
