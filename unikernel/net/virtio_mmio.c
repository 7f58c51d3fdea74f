/* The virtio-mmio transport; see virtio_mmio.h. */
#include "kernel.h"
#include "net_abi.h"
#include "virtio_mmio.h"

enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008,
	R_DEVICE_FEATURES = 0x010, R_DEVICE_FEATURES_SEL = 0x014,
	R_DRIVER_FEATURES = 0x020, R_DRIVER_FEATURES_SEL = 0x024,
	R_GUEST_PAGE_SIZE = 0x028,      /* legacy */
	R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038,
	R_QUEUE_ALIGN = 0x03c,          /* legacy */
	R_QUEUE_PFN = 0x040,            /* legacy */
	R_QUEUE_READY = 0x044,          /* modern */
	R_QUEUE_NOTIFY = 0x050,
	R_INTERRUPT_STATUS = 0x060, R_INTERRUPT_ACK = 0x064,
	R_STATUS = 0x070,
	R_QUEUE_DESC_LOW = 0x080, R_QUEUE_DESC_HIGH = 0x084,
	R_QUEUE_DRIVER_LOW = 0x090, R_QUEUE_DRIVER_HIGH = 0x094,
	R_QUEUE_DEVICE_LOW = 0x0a0, R_QUEUE_DEVICE_HIGH = 0x0a4,
	R_CONFIG = 0x100,
};

enum {
	S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8,
	S_FAILED = 128,
};

#define VMMIO_MAGIC 0x74726976u /* "virt" */
#define LEGACY_ALIGN 4096u

static uint32_t rd(struct vmmio_dev *d, unsigned off)
{
	return mmio_read32(d->base + off);
}

static void wr(struct vmmio_dev *d, unsigned off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

static int slot_present(unsigned slot)
{
	uintptr_t base = VMMIO_BASE + slot * VMMIO_STRIDE;
	uint32_t version = mmio_read32(base + R_VERSION);
	return mmio_read32(base + R_MAGIC) == VMMIO_MAGIC && (version == 1 || version == 2);
}

int vmmio_find(uint32_t device_id, struct vmmio_dev *d)
{
	/* QEMU microvm (hw/i386/microvm.c) wires transport n to GSI
	 * 24 + n when it has a second IO-APIC (24 transports), else to
	 * 16 + n with ACPI on, or 5 + n with ACPI off (8 transports). Both
	 * candidates of the 8-transport case are registered: the unused
	 * line never fires. */
	unsigned nslots = slot_present(8) ? 24 : 8;

	for (unsigned slot = 0; slot < nslots; slot++) {
		if (!slot_present(slot))
			continue;
		uintptr_t base = VMMIO_BASE + slot * VMMIO_STRIDE;
		if (mmio_read32(base + R_DEVICE_ID) != device_id)
			continue;
		d->base = base;
		d->slot = slot;
		d->version = mmio_read32(base + R_VERSION);
		d->nslots = nslots;
		if (nslots == 24) {
			d->gsi[0] = 24 + slot;
			d->ngsi = 1;
		} else {
			d->gsi[0] = 16 + slot;
			d->gsi[1] = 5 + slot;
			d->ngsi = 2;
		}
		return 0;
	}
	return -ENODEV;
}

void vmmio_begin(struct vmmio_dev *d)
{
	wr(d, R_STATUS, 0);
	wr(d, R_STATUS, S_ACKNOWLEDGE);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
}

uint64_t vmmio_negotiate(struct vmmio_dev *d, uint64_t wanted, int *err)
{
	uint64_t offered;

	*err = 0;
	wr(d, R_DEVICE_FEATURES_SEL, 0);
	offered = rd(d, R_DEVICE_FEATURES);
	if (d->version == 2) {
		wr(d, R_DEVICE_FEATURES_SEL, 1);
		offered |= (uint64_t)rd(d, R_DEVICE_FEATURES) << 32;
		wanted |= 1ULL << VIRTIO_F_VERSION_1;
	}
	uint64_t accepted = offered & wanted;
	wr(d, R_DRIVER_FEATURES_SEL, 0);
	wr(d, R_DRIVER_FEATURES, (uint32_t)accepted);
	if (d->version == 2) {
		wr(d, R_DRIVER_FEATURES_SEL, 1);
		wr(d, R_DRIVER_FEATURES, (uint32_t)(accepted >> 32));
		if (!(accepted & (1ULL << VIRTIO_F_VERSION_1))) {
			*err = -EIO;
			return 0;
		}
		wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
		if (!(rd(d, R_STATUS) & S_FEATURES_OK)) {
			*err = -EIO;
			return 0;
		}
	} else {
		wr(d, R_GUEST_PAGE_SIZE, PAGE_SIZE);
	}
	return accepted;
}

int vmmio_queue_setup(struct vmmio_dev *d, unsigned idx, uint16_t max_size,
		      struct virtq *q, void **cookies)
{
	wr(d, R_QUEUE_SEL, idx);
	if (d->version == 2 && rd(d, R_QUEUE_READY))
		return -EIO;
	if (d->version == 1 && rd(d, R_QUEUE_PFN))
		return -EIO;
	uint32_t dev_max = rd(d, R_QUEUE_NUM_MAX);
	if (dev_max == 0)
		return -ENODEV;
	uint16_t size = 1;
	while ((uint32_t)size * 2 <= dev_max && size * 2 <= max_size)
		size = (uint16_t)(size * 2);

	size_t bytes = virtq_legacy_bytes(size, LEGACY_ALIGN);
	size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	void *mem = page_alloc(pages);
	if (!mem)
		return -ENOMEM;
	int rc = virtq_init(q, mem, size, LEGACY_ALIGN, cookies);
	if (rc < 0) {
		page_free(mem, pages);
		return rc;
	}
	wr(d, R_QUEUE_NUM, size);
	uint64_t pa = (uintptr_t)mem;
	if (d->version == 1) {
		wr(d, R_QUEUE_ALIGN, LEGACY_ALIGN);
		wr(d, R_QUEUE_PFN, (uint32_t)(pa / PAGE_SIZE));
	} else {
		uint64_t avail = (uintptr_t)q->avail, used = (uintptr_t)q->used;
		wr(d, R_QUEUE_DESC_LOW, (uint32_t)pa);
		wr(d, R_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
		wr(d, R_QUEUE_DRIVER_LOW, (uint32_t)avail);
		wr(d, R_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
		wr(d, R_QUEUE_DEVICE_LOW, (uint32_t)used);
		wr(d, R_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
		wr(d, R_QUEUE_READY, 1);
	}
	return 0;
}

void vmmio_driver_ok(struct vmmio_dev *d)
{
	wr(d, R_STATUS, rd(d, R_STATUS) | S_DRIVER_OK);
}

void vmmio_failed(struct vmmio_dev *d)
{
	wr(d, R_STATUS, rd(d, R_STATUS) | S_FAILED);
}

void vmmio_notify(struct vmmio_dev *d, unsigned idx)
{
	wr(d, R_QUEUE_NOTIFY, idx);
}

uint32_t vmmio_irq_ack(struct vmmio_dev *d)
{
	uint32_t st = rd(d, R_INTERRUPT_STATUS);
	if (st)
		wr(d, R_INTERRUPT_ACK, st);
	return st;
}

uint8_t vmmio_config8(struct vmmio_dev *d, unsigned off)
{
	return mmio_read8(d->base + R_CONFIG + off);
}
