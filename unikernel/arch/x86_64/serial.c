/* COM1 (16550 at 0x3f8): polled transmit; receive only raises an interrupt
 * that arch code turns into a debug request. */
#include "arch.h"
#include "cpu.h"

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER  1
#define REG_FCR  2
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define LSR_DR   0x01
#define LSR_THRE 0x20

static int serial_present;

void serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x80);      /* DLAB: divisor 1 = 115200 baud */
	outb(COM1 + REG_DATA, 1);
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x03);      /* 8N1 */
	outb(COM1 + REG_FCR, 0x07);      /* FIFOs on and cleared */
	outb(COM1 + REG_MCR, 0x0b);      /* DTR, RTS, OUT2 (IRQ gate on PCs) */
	/* Without a UART every port reads 0xff. */
	serial_present = inb(COM1 + REG_LSR) != 0xff;
}

void serial_write(const char *s, size_t n)
{
	if (!serial_present)
		return;
	for (size_t i = 0; i < n; i++) {
		/* QEMU's UART is always ready; real ones need the wait. */
		for (int spin = 0; spin < 100000 && !(inb(COM1 + REG_LSR) & LSR_THRE); spin++)
			cpu_relax();
		outb(COM1 + REG_DATA, (uint8_t)s[i]);
	}
}

void serial_rx_interrupts(int on)
{
	if (serial_present)
		outb(COM1 + REG_IER, on ? 0x01 : 0);
}

/* Drains the receive FIFO; returns how many bytes were waiting. */
int serial_rx_drain(void)
{
	int n = 0;
	while (serial_present && (inb(COM1 + REG_LSR) & LSR_DR) && n < 64) {
		(void)inb(COM1 + REG_DATA);
		n++;
	}
	return n;
}
