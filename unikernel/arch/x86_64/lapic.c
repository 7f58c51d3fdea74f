/* The local APIC: EOIs and the one-shot timer. TSC-deadline mode when CPUID
 * offers it (the deadline is a TSC value, no calibration), else one-shot
 * count mode with the APIC timer's rate measured against the TSC. The timer
 * is armed only for the next deadline anybody waits for: tickless. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"
#include "uk_errno.h"
#include "../../core/time.h"

#define LAPIC_ID      0x020
#define LAPIC_TPR     0x080
#define LAPIC_EOI     0x0b0
#define LAPIC_SVR     0x0f0
#define LAPIC_LVT_TMR 0x320
#define LAPIC_LINT0   0x350
#define LAPIC_LINT1   0x360
#define LAPIC_LVT_ERR 0x370
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0
#define LVT_MASKED    (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)

static uintptr_t lapic_base;
static int deadline_mode;
static uint64_t apic_timer_hz;
static uint64_t ticks_per_ns_q24;   /* apic_timer_hz / 1e9, fixed point << 24 */
static unsigned current_div_shift;  /* the divide register holds 1 << this */

static inline uint32_t lapic_read(uint32_t reg) { return mmio_read32(lapic_base + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(lapic_base + reg, v); }

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

unsigned lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

int lapic_timer_mode_deadline(void)
{
	return deadline_mode;
}

/* Count mode: how fast the timer counts at divide-by-1. Both ends of the
 * interval are a register read followed by a TSC read, so the (under TCG,
 * large and variable) cost of the first MMIO access cancels out; QEMU's
 * APIC timer follows the host clock, so 0.5 ms is enough, and deadlines get
 * a 0.2% margin anyway. */
static int calibrate_count_mode(void)
{
	lapic_write(LAPIC_TMR_DIV, 0xb);
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | TIMER_VECTOR);
	lapic_write(LAPIC_TMR_INIT, 0xffffffffu);
	(void)lapic_read(LAPIC_TMR_CUR);
	uint32_t c0 = lapic_read(LAPIC_TMR_CUR);
	uint64_t t0 = time_ns();
	uint64_t t1;
	while ((t1 = time_ns()) - t0 < 500000)
		cpu_relax();
	uint32_t c1 = lapic_read(LAPIC_TMR_CUR);
	t1 = time_ns();
	lapic_write(LAPIC_TMR_INIT, 0);
	uint64_t ticks = c0 - c1;
	if (ticks == 0 || t1 <= t0)
		return -ENODEV;
	apic_timer_hz = ticks * 1000000000ULL / (t1 - t0);
	ticks_per_ns_q24 = (apic_timer_hz << 24) / 1000000000ULL;
	return 0;
}

int lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(cpuid(1, 0).edx & (1u << 9)))
		return -ENODEV;
	wrmsr(MSR_APIC_BASE, base | (1u << 11));
	lapic_base = (uintptr_t)(base & 0xfffff000u);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
	lapic_write(LAPIC_LINT0, LVT_MASKED);      /* the 8259's ExtINT: unused */
	lapic_write(LAPIC_LINT1, 0x400);           /* NMI: the debug request */
	lapic_write(LAPIC_LVT_ERR, LVT_MASKED | SPURIOUS_VECTOR);
	deadline_mode = (cpuid(1, 0).ecx >> 24) & 1;
	if (deadline_mode) {
		lapic_write(LAPIC_LVT_TMR, LVT_TSC_DEADLINE | TIMER_VECTOR);
		wrmsr(MSR_TSC_DEADLINE, 0);
		return 0;
	}
	int r = calibrate_count_mode();
	lapic_write(LAPIC_LVT_TMR, TIMER_VECTOR);  /* one-shot */
	return r;
}

void lapic_timer_arm_ns(uint64_t deadline_ns)
{
	if (deadline_mode) {
		wrmsr(MSR_TSC_DEADLINE, time_ns_to_tsc(deadline_ns));
		return;
	}
	uint64_t now = time_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
	/* Rounded up and 0.2% long, so the interrupt comes after the deadline
	 * rather than just before it (which would cost a second wakeup). */
	uint64_t ticks = (uint64_t)(((unsigned __int128)delta * ticks_per_ns_q24) >> 24);
	ticks += ticks / 512 + 1;
	/* Long sleeps count at a slower rate instead of waking every 4 s
	 * (2^32 ticks at QEMU's 1 GHz); divide-by-128 reaches ~9 minutes. */
	static const uint8_t div_code[8] = { 0xb, 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa };
	unsigned shift = 0;
	while (ticks > 0xffffffffu && shift < 7) {
		ticks = (ticks + 1) >> 1;
		shift++;
	}
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	if (shift != current_div_shift) {
		lapic_write(LAPIC_TMR_DIV, div_code[shift]);
		current_div_shift = shift;
	}
	lapic_write(LAPIC_TMR_INIT, (uint32_t)ticks);
}

void lapic_timer_disarm(void)
{
	if (deadline_mode)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_TMR_INIT, 0);
}
