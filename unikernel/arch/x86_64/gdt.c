/* The GDT built by boot.S, plus a TSS whose interrupt stack table gives
 * every vector its own stack: exceptions IST1, NMI/#DF/#MC IST2, IRQs IST3. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

extern uint64_t boot_gdt[];
static struct tss tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ring0_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(void)
{
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
	tss.rsp[0] = (uint64_t)(uintptr_t)(ring0_stack + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */

	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	boot_gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				(0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
				(((base >> 24) & 0xff) << 56);
	boot_gdt[GDT_TSS / 8 + 1] = base >> 32;

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { 8 * 8 - 1, (uint64_t)(uintptr_t)boot_gdt };
	__asm__ volatile("lgdt %0" :: "m"(ptr));
	__asm__ volatile("ltr %w0" :: "r"(GDT_TSS));
}

void tss_set_rsp0(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}
