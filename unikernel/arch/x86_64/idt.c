/* The IDT: all 256 vectors point at the stubs in entry.S and run on IST
 * stacks. Exceptions are fatal (register dump, exit status ZW_EXIT_FAULT)
 * except NMI, which is the harness's debug request for a ZWSTATS line. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"
#include "uk_errno.h"
#include "../../core/exitcodes.h"
#include "../../core/vmem.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type_attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct irq_slot {
	irq_handler_t fn;
	void *arg;
};

extern char trap_stubs[];
extern char __text_start[], __text_end[];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct irq_slot irq_slots[256];

enum { IST_EXCEPTION = 1, IST_CRITICAL = 2, IST_IRQ = 3 };

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV injection", "#VC VMM communication", "#SX security", "reserved 31",
};

static void set_gate(int vec, int ist)
{
	uint64_t off = (uint64_t)(uintptr_t)(trap_stubs + 16 * vec);
	idt[vec].off_lo = off & 0xffff;
	idt[vec].sel = GDT_KCODE;
	idt[vec].ist = (uint8_t)ist;
	idt[vec].type_attr = 0x8e; /* present, DPL 0, interrupt gate: IF cleared */
	idt[vec].off_mid = (off >> 16) & 0xffff;
	idt[vec].off_hi = (uint32_t)(off >> 32);
	idt[vec].zero = 0;
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		int ist = v >= 32 ? IST_IRQ : (v == 2 || v == 8 || v == 18) ? IST_CRITICAL : IST_EXCEPTION;
		set_gate(v, ist);
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" :: "m"(ptr));
}

int irq_set_vector_handler(unsigned vector, irq_handler_t fn, void *arg)
{
	if (vector < 32 || vector > 255)
		return -EINVAL;
	irq_slots[vector].fn = fn;
	irq_slots[vector].arg = arg;
	return 0;
}

static __attribute__((noreturn)) void fault(struct trap_frame *f)
{
	int in_kernel = f->rip >= (uintptr_t)__text_start && f->rip < (uintptr_t)__text_end;
	kprintf("\nZW: FAULT %s (vector %lu) error=0x%lx in %s, ring %lu\n",
		exception_names[f->vector], f->vector, f->error, in_kernel ? "kernel" : "app", f->cs & 3);
	kprintf("ZW:  rip=%016lx rsp=%016lx rflags=%016lx cr2=%016lx\n",
		f->rip, f->rsp, f->rflags, read_cr2());
	kprintf("ZW:  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("ZW:  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	kprintf("ZW:  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", f->r9, f->r10, f->r11, f->r12);
	kprintf("ZW:  r13=%016lx r14=%016lx r15=%016lx cr3=%016lx\n", f->r13, f->r14, f->r15, read_cr3());
	kprintf("ZW:  fs_base=%016lx cs=%lx ss=%lx\n", arch_get_fs_base(), f->cs, f->ss);
	machine_exit(in_kernel ? ZW_EXIT_PANIC : ZW_EXIT_FAULT);
}

void trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	if (v == 2) {
		kstats_report("nmi");
		return;
	}
	/* A first touch of demand-zero memory, from the app or from a
	 * syscall copying to it, is not a fault. */
	if (v == 14 && vmem_fault(read_cr2()))
		return;
	if (v < 32)
		fault(f);
	if (v == SPURIOUS_VECTOR)
		return;
	if (v == TIMER_VECTOR)
		kstats.timer_irqs++;
	else
		kstats.other_irqs++;
	if (irq_slots[v].fn)
		irq_slots[v].fn(irq_slots[v].arg);
	lapic_eoi();
}
