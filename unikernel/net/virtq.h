/* Split virtqueue ring logic (virtio 1.x section 2.6 / legacy section 2.4):
 * descriptor allocation and chaining, the avail and used rings and their
 * free-running 16-bit indices. No device register access here, so the host
 * unit tests (tests/unit/test_uknet_virtq.c) drive it against a simulated
 * device. The driver owns notification and interrupts. */
#ifndef UK_NET_VIRTQ_H
#define UK_NET_VIRTQ_H
#include <stddef.h>
#include <stdint.h>

#define VRING_DESC_F_NEXT      1
#define VRING_DESC_F_WRITE     2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* One buffer of a chain: device-readable (out) or device-writable (in). */
struct virtq_buf {
	uint64_t addr;      /* guest physical (identity mapped) */
	uint32_t len;
	int device_writes;
};

struct virtq {
	uint16_t size;              /* power of two */
	uint16_t num_free;
	uint16_t free_head;
	uint16_t avail_shadow;      /* next avail->idx to publish */
	uint16_t last_used;         /* next used->idx entry to consume */
	uint16_t published;         /* avail->idx as last published */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void **cookie;              /* per head descriptor; NULL when free */
	uint64_t bad_used;          /* used entries the device got wrong */
};

/* Bytes for the legacy contiguous layout: descriptors, avail ring, then the
 * used ring at the next multiple of align. */
size_t virtq_legacy_bytes(uint16_t size, uint32_t align);
/* Offset of the used ring in that layout. */
size_t virtq_legacy_used_offset(uint16_t size, uint32_t align);

/* Lays the rings out in mem (zeroed, virtq_legacy_bytes long, also fine for
 * the modern transport) and links all descriptors into the free list.
 * cookies has room for size pointers. Returns 0 or -EINVAL (size not a
 * power of two, or 0). */
int virtq_init(struct virtq *q, void *mem, uint16_t size, uint32_t align, void **cookies);

/* Queues one chain of n buffers (n >= 1) identified by cookie (not NULL).
 * Not visible to the device until virtq_publish(). Returns the head
 * descriptor index, -ENOSPC when fewer than n descriptors are free, or
 * -EINVAL. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie);

/* Makes every added chain visible to the device. Returns nonzero if the
 * device wants a notification (it has not set VRING_USED_F_NO_NOTIFY) and
 * something new was published. */
int virtq_publish(struct virtq *q);

/* Nonzero if the device has returned chains not yet collected. */
int virtq_has_used(const struct virtq *q);

/* Collects one returned chain: frees its descriptors and returns 1 with the
 * cookie and the byte count the device wrote; 0 if none is pending. An
 * entry naming a descriptor that is not an in-flight head is skipped and
 * counted in bad_used (a broken device must not corrupt the free list). */
int virtq_get_used(struct virtq *q, void **cookie, uint32_t *len);

/* Asks the device not to interrupt for this queue (or to again). */
void virtq_set_interrupts(struct virtq *q, int enabled);

#endif
