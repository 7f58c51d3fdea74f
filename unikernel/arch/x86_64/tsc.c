/* Where the TSC's frequency comes from, best source first: kvmclock's
 * scale (KVM), the hypervisor timing leaf 0x40000010, CPUID 0x15 with a
 * crystal rate, else a measurement against the PIT. Under TCG QEMU's TSC
 * follows the host's TSC and its PIT follows the host's monotonic clock, so
 * the PIT measurement holds there; core/time.c later refines it against the
 * free-running PIT over seconds. */
#include "arch.h"
#include "cpu.h"
#include "kernel.h"
#include "uk_errno.h"

/* Short, to keep boot fast: edges are timed to ~0.3 us, so 2 ms gives the
 * rate to ~300 ppm, and core/time.c refines it against the same PIT after
 * a second of uptime (to ~20 ppm) and later spans (to ~1 ppm). */
#define PIT_CALIBRATION_MS 2
#define PIT_CH0  0x40
#define PIT_CMD  0x43

static int pit_ok;

int pit_read_count(void)
{
	if (!pit_ok)
		return -1;
	outb(PIT_CMD, 0x00);            /* latch channel 0 */
	uint8_t lo = inb(PIT_CH0);
	uint8_t hi = inb(PIT_CH0);
	return lo | (hi << 8);
}

/* Channel 0, mode 0, reload 65536: it counts down and wraps for ever, and
 * after the first terminal count its output never changes again, so QEMU
 * arms no host timer for it (IRQ 0 stays masked anyway). */
int pit_free_running_start(void)
{
	outb(PIT_CMD, 0x30);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	pit_ok = 1;
	int first = pit_read_count();
	for (int i = 0; i < 100000; i++)
		if (pit_read_count() != first)
			return 0;
	pit_ok = 0;
	return -ENODEV;
}

struct pit_edge {
	uint64_t tsc;       /* midpoint of the window the count changed in */
	uint64_t window;    /* its width, TSC ticks */
	int count;
};

/* Waits for the count to change and brackets the change between the latch
 * before and the latch after; keeps the narrowest of a few edges. */
static struct pit_edge pit_edge(void)
{
	struct pit_edge best = { 0, ~0ULL, 0 };
	for (int tries = 0; tries < 4; tries++) {
		uint64_t before = rdtsc();
		int c0 = pit_read_count(), c;
		uint64_t t;
		for (;;) {
			t = rdtsc();
			c = pit_read_count();
			if (c != c0)
				break;
			before = t;
		}
		uint64_t after = rdtsc();
		if (after - before < best.window)
			best = (struct pit_edge){ before + (after - before) / 2, after - before, c };
	}
	return best;
}

static struct pit_edge pit_anchor;

static uint64_t pit_ticks_between(int from, int to)
{
	return (uint16_t)(from - to);  /* a down-counter, modulo 65536 */
}

/* Measures the TSC against the PIT for ms milliseconds; *err_ppm bounds
 * the error from the two edges' timing windows. */
static uint64_t tsc_measure_against_pit(unsigned ms, uint64_t *err_ppm)
{
	uint64_t want = PIT_HZ * ms / 1000, elapsed = 0;
	struct pit_edge a = pit_edge();
	int last = a.count;
	while (elapsed < want) {
		int c = pit_read_count();
		elapsed += pit_ticks_between(last, c);
		last = c;
	}
	struct pit_edge b = pit_edge();
	elapsed += pit_ticks_between(last, b.count);
	pit_anchor = b;
	*err_ppm = mul_div_u64(a.window + b.window, 1000000, b.tsc - a.tsc) + 1;
	return mul_div_u64(b.tsc - a.tsc, PIT_HZ, elapsed);
}

/* Refinement: the free-running PIT only tells ticks modulo 65536 (55 ms), so
 * the caller supplies its own estimate of the elapsed time, good to better
 * than +-20 ms, and gets the TSC rate over the whole span since the anchor
 * edge of the boot measurement. Returns 0 when the PIT is not in use. */
uint64_t tsc_refine_against_pit(uint64_t est_hz, uint64_t *span_tsc)
{
	if (!pit_ok || !pit_anchor.tsc)
		return 0;
	struct pit_edge e = pit_edge();
	uint64_t dt = e.tsc - pit_anchor.tsc;
	uint64_t predicted = mul_div_u64(dt, PIT_HZ, est_hz);
	uint64_t mod = pit_ticks_between(pit_anchor.count, e.count);
	/* The tick count congruent to mod (65536) nearest the prediction. */
	uint64_t base = predicted & ~0xffffULL;
	uint64_t best = base + mod;
	if (best > predicted + 32768 && best >= 65536)
		best -= 65536;
	else if (best + 32768 < predicted)
		best += 65536;
	*span_tsc = dt;
	return best ? mul_div_u64(dt, PIT_HZ, best) : 0;
}

struct pvclock_time_info {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

static int is_kvm(uint32_t *max_leaf)
{
	if (!(cpuid(1, 0).ecx & (1u << 31)))
		return 0;
	struct cpuid_regs r = cpuid(0x40000000, 0);
	*max_leaf = r.eax;
	return r.ebx == 0x4b4d564b && r.ecx == 0x564b4d56 && r.edx == 0x4d;
}

static uint64_t kvmclock_hz(void)
{
	static struct pvclock_time_info info __attribute__((aligned(64)));
	uint32_t max;
	if (!is_kvm(&max) || !(cpuid(0x40000001, 0).eax & (1u << 3)))
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&info | 1);
	uint32_t mul = *(volatile uint32_t *)&info.tsc_to_system_mul;
	int shift = *(volatile int8_t *)&info.tsc_shift;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!mul)
		return 0;
	/* ns = ((tsc << shift) * mul) >> 32, so hz = 1e9 * 2^32 / mul / 2^shift. */
	uint64_t hz = (1000000000ULL << 32) / mul;
	return shift >= 0 ? hz >> shift : hz << -shift;
}

int tsc_calibrate(struct tsc_calibration *out)
{
	int have_pit = pit_free_running_start() == 0;
	uint64_t hz = kvmclock_hz();
	if (hz) {
		*out = (struct tsc_calibration){ hz, "kvmclock", 0 };
		return 0;
	}
	if (cpuid(1, 0).ecx & (1u << 31)) {
		struct cpuid_regs r = cpuid(0x40000000, 0);
		if (r.eax >= 0x40000010 && cpuid(0x40000010, 0).eax) {
			*out = (struct tsc_calibration){ cpuid(0x40000010, 0).eax * 1000ULL, "hypervisor-leaf", 1 };
			return 0;
		}
	}
	if (cpuid(0, 0).eax >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			*out = (struct tsc_calibration){ (uint64_t)r.ecx * r.ebx / r.eax, "cpuid-15h", 0 };
			return 0;
		}
	}
	if (have_pit) {
		uint64_t err;
		uint64_t hz = tsc_measure_against_pit(PIT_CALIBRATION_MS, &err);
		*out = (struct tsc_calibration){ hz, "pit", err };
		return 0;
	}
	if (cpuid(0, 0).eax >= 0x16 && (cpuid(0x16, 0).eax & 0xffff)) {
		/* Whole MHz: up to 0.05% off at 1 GHz. */
		*out = (struct tsc_calibration){ (cpuid(0x16, 0).eax & 0xffff) * 1000000ULL, "cpuid-16h", 500 };
		return 0;
	}
	return -ENODEV;
}
