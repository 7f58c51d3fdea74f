/* IO-APIC routing and the legacy 8259 pair, which stays masked. microvm has
 * one IO-APIC at 0xfec00000 (GSI 0-23) and, unless ioapic2=off, a second
 * at 0xfec10000 (GSI 24-47). GSI g is delivered on vector IRQ_VECTOR_BASE+g.
 * ISA sources (GSI < 16 that are not virtio: serial, PIT) are edge-triggered;
 * virtio-mmio transports raise level-triggered, active-high lines. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"
#include "uk_errno.h"

#define IOAPIC0 0xfec00000u
#define IOAPIC1 0xfec10000u
#define IOREGSEL 0x00
#define IOWIN    0x10
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL  (1u << 15)

struct ioapic {
	uintptr_t base;
	unsigned gsi_base, pins;
};
static struct ioapic ioapics[2];
static int nr_ioapics;

static uint32_t ioapic_read(uintptr_t base, uint32_t reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void ioapic_write(uintptr_t base, uint32_t reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

void pic_disable(void)
{
	/* Remap the 8259s away from the exception vectors, then mask them:
	 * a stray IRQ7 would otherwise arrive as #DF's vector. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0xe0);
	outb(0xa1, 0xe8);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

int ioapic_init(void)
{
	const uintptr_t bases[2] = { IOAPIC0, IOAPIC1 };
	unsigned gsi = 0;
	nr_ioapics = 0;
	for (int i = 0; i < 2; i++) {
		uint32_t ver = ioapic_read(bases[i], 1);
		if (ver == 0xffffffffu || ver == 0)
			break;
		unsigned pins = ((ver >> 16) & 0xff) + 1;
		ioapics[nr_ioapics++] = (struct ioapic){ bases[i], gsi, pins };
		for (unsigned p = 0; p < pins; p++) {
			ioapic_write(bases[i], 0x10 + 2 * p, REDIR_MASKED);
			ioapic_write(bases[i], 0x11 + 2 * p, 0);
		}
		gsi += pins;
	}
	return nr_ioapics ? 0 : -ENODEV;
}

int ioapic_route(unsigned gsi, unsigned vector, int level_triggered)
{
	for (int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->pins)
			continue;
		unsigned pin = gsi - io->gsi_base;
		ioapic_write(io->base, 0x11 + 2 * pin, lapic_id() << 24);
		ioapic_write(io->base, 0x10 + 2 * pin, vector | (level_triggered ? REDIR_LEVEL : 0));
		return 0;
	}
	return -ENODEV;
}

static int gsi_is_level(unsigned gsi)
{
	/* ISA: PIT (0/2), keyboard, COM2/COM1 (3/4). Everything else on
	 * microvm is a virtio-mmio transport. */
	return gsi >= 5;
}

int irq_register_gsi(unsigned gsi, irq_handler_t handler, void *arg)
{
	if (gsi >= IRQ_GSI_MAX || !handler)
		return -EINVAL;
	int st = irq_save();
	int r = irq_set_vector_handler(IRQ_VECTOR_BASE + gsi, handler, arg);
	if (r == 0)
		r = ioapic_route(gsi, IRQ_VECTOR_BASE + gsi, gsi_is_level(gsi));
	irq_restore(st);
	return r;
}
