/* The virtio-mmio transport (virtio 1.x section 4.2), legacy (version 1,
 * QEMU 7.2 microvm's default) and modern (version 2, with
 * -global virtio-mmio.force-legacy=false). */
#ifndef UK_NET_VIRTIO_MMIO_H
#define UK_NET_VIRTIO_MMIO_H
#include <stdint.h>
#include "virtq.h"

/* QEMU microvm: transports at VMMIO_BASE + n * VMMIO_STRIDE. 8 of them with
 * ioapic2=off, 24 with the default second IO-APIC. */
#define VMMIO_BASE      0xfeb00000UL
#define VMMIO_STRIDE    0x200
#define VMMIO_MAX_SLOTS 24

#define VIRTIO_ID_NET 1

#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_ANY_LAYOUT      27
#define VIRTIO_F_VERSION_1       32

struct vmmio_dev {
	uintptr_t base;
	unsigned slot;
	unsigned version;       /* 1 legacy, 2 modern */
	unsigned nslots;        /* transports the machine has */
	/* Interrupt lines the transport may use, most likely first. */
	unsigned gsi[2];
	unsigned ngsi;
};

/* Finds the first transport with a device of this id; 0 or -ENODEV. */
int vmmio_find(uint32_t device_id, struct vmmio_dev *d);
/* Reset, then ACKNOWLEDGE | DRIVER. */
void vmmio_begin(struct vmmio_dev *d);
/* Offers wanted & device features (adding VERSION_1 on modern), sets
 * FEATURES_OK on modern. Returns the accepted set, or 0 with -EIO in *err. */
uint64_t vmmio_negotiate(struct vmmio_dev *d, uint64_t wanted, int *err);
/* Allocates and programs queue idx with at most max_size entries. */
int vmmio_queue_setup(struct vmmio_dev *d, unsigned idx, uint16_t max_size,
		      struct virtq *q, void **cookies);
void vmmio_driver_ok(struct vmmio_dev *d);
void vmmio_failed(struct vmmio_dev *d);
void vmmio_notify(struct vmmio_dev *d, unsigned idx);
/* Reads and acknowledges the interrupt status; returns what was set. */
uint32_t vmmio_irq_ack(struct vmmio_dev *d);
uint8_t vmmio_config8(struct vmmio_dev *d, unsigned off);

#endif
