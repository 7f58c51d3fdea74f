/* What the architecture-independent core needs from the x86-64 port. */
#ifndef UK_ARCH_H
#define UK_ARCH_H
#include <stddef.h>
#include <stdint.h>

/* Console. */
void serial_init(void);
void serial_write(const char *s, size_t n);
void serial_rx_interrupts(int on);
int serial_rx_drain(void);

/* CPU tables: GDT with a TSS whose IST stacks every vector uses, IDT. */
void gdt_init(void);
void idt_init(void);
void syscall_init(int ring3);
void tss_set_rsp0(uint64_t rsp0);

/* Called from the trap path for debug requests (NMI, a byte on COM1). */
void kstats_report(const char *why);

/* Ends the VM through isa-debug-exit; never returns. */
__attribute__((noreturn)) void arch_exit(int status);

/* Paging: identity map; these split 2 MiB pages into 4 KiB ones as needed. */
int paging_set_present(uintptr_t addr, int present);

/* Time sources. */
struct tsc_calibration {
	uint64_t hz;
	const char *method;   /* "kvmclock", "cpuid-15h", "hypervisor-leaf", "pit" */
	uint64_t err_ppm;     /* bound on the error of hz (0: exact by construction) */
};
int tsc_calibrate(struct tsc_calibration *out);
/* Reads the PIT's free-running channel 0 (16-bit, 1193182 Hz) or -1. */
int pit_read_count(void);
int pit_free_running_start(void);
uint64_t tsc_refine_against_pit(uint64_t est_hz, uint64_t *span_tsc);
/* CMOS RTC as seconds since 1970, or -ENODEV (microvm's rtc=off). */
int rtc_read_epoch_s(uint64_t *out);
#define PIT_HZ 1193182ULL

/* Interrupt controllers and the one-shot timer. */
int lapic_init(void);
unsigned lapic_id(void);
/* Vector handlers, for vectors that are not IO-APIC GSIs (the LAPIC timer). */
int irq_set_vector_handler(unsigned vector, void (*fn)(void *arg), void *arg);
int lapic_timer_mode_deadline(void);
void lapic_eoi(void);
void lapic_timer_arm_ns(uint64_t deadline_ns);
void lapic_timer_disarm(void);
int ioapic_init(void);
int ioapic_route(unsigned gsi, unsigned vector, int level_triggered);
void pic_disable(void);

/* Entering the app: iretq onto its entry with interrupts on. */
__attribute__((noreturn)) void arch_enter_app(uint64_t entry, uint64_t sp, int ring3);
void arch_set_fs_base(uint64_t base);
uint64_t arch_get_fs_base(void);
/* sti; hlt; cli — the interrupt shadow makes the pair race-free. */
void arch_halt(void);
uint64_t arch_random64(void);
uint32_t arch_hwcap(void);

#endif
