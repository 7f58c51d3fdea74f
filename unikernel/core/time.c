/* Monotonic time from the TSC: ns = base_ns + (tsc - base_tsc) * scale.
 * When the frequency came from a 10 ms PIT measurement (TCG), it is refined
 * against the free-running PIT as time passes (after >= 1 s, then each 8x
 * longer span), rebasing so the clock stays continuous and monotonic. The
 * refinement is lazy — done on a clock read — so an idle guest takes no
 * extra wakeups for it. REALTIME = an epoch taken at boot + monotonic. */
#include "kernel.h"
#include "uk_errno.h"
#include "time.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"

static struct {
	uint64_t boot_tsc;
	uint64_t base_tsc, base_ns;
	uint64_t ns_per_tsc_q32;   /* 1e9 / hz, fixed point << 32 */
	uint64_t tsc_per_ns_q24;   /* hz / 1e9, fixed point << 24 */
	uint64_t next_refine_tsc;  /* 0: no more refinement */
	uint64_t last_span_tsc;
	uint64_t err_ppm;          /* bound on the current estimate's error */
	uint64_t epoch_ns;
	struct clock_info info;
} clk;

void time_early_init(void)
{
	clk.boot_tsc = rdtsc();
	clk.base_tsc = clk.boot_tsc;
}

static void set_rate(uint64_t hz)
{
	clk.info.hz = hz;
	clk.ns_per_tsc_q32 = (1000000000ULL << 32) / hz;
	clk.tsc_per_ns_q24 = mul_div_u64(hz, 1ULL << 24, 1000000000ULL);
}

static uint64_t ns_at(uint64_t tsc)
{
	return clk.base_ns + (uint64_t)(((unsigned __int128)(tsc - clk.base_tsc) * clk.ns_per_tsc_q32) >> 32);
}

static void maybe_refine(uint64_t tsc)
{
	uint64_t span;
	uint64_t hz = tsc_refine_against_pit(clk.info.hz, &span);
	if (!hz) {
		clk.next_refine_tsc = 0;
		return;
	}
	uint64_t now_ns = ns_at(tsc);
	clk.base_tsc = tsc;
	clk.base_ns = now_ns;
	set_rate(hz);
	clk.info.refinements++;
	clk.last_span_tsc = span;
	/* Edge timing is good to a few microseconds: bound the error by
	 * 20 us over the span, plus 1 ppm. */
	uint64_t span_ms = span / (hz / 1000);
	clk.err_ppm = 20000 / (span_ms ? span_ms : 1) + 1;
	clk.next_refine_tsc = tsc + 7 * span;
}

uint64_t time_ns(void)
{
	if (!clk.ns_per_tsc_q32)
		return 0;
	uint64_t tsc = rdtsc();
	if (clk.next_refine_tsc && tsc >= clk.next_refine_tsc) {
		/* Only while the estimate cannot mistake a 55 ms PIT wrap:
		 * error * elapsed must stay well under half a wrap (27 ms). */
		uint64_t elapsed_ms = (tsc - clk.boot_tsc) / (clk.info.hz / 1000);
		if (clk.err_ppm * elapsed_ms < 15000000)
			maybe_refine(tsc);
		else
			clk.next_refine_tsc = 0;
	}
	return ns_at(tsc);
}

uint64_t time_ns_to_tsc(uint64_t ns)
{
	if (ns <= clk.base_ns)
		return clk.base_tsc;
	return clk.base_tsc + (uint64_t)(((unsigned __int128)(ns - clk.base_ns) * clk.tsc_per_ns_q24) >> 24);
}

uint64_t time_realtime_ns(void)
{
	return clk.epoch_ns + time_ns();
}

const struct clock_info *time_clock_info(void)
{
	return &clk.info;
}

static uint64_t parse_u64(const char *s, int *ok)
{
	uint64_t v = 0;
	*ok = *s != '\0';
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			*ok = 0;
			break;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

static void realtime_init(void)
{
	char buf[32];
	int ok = 0;
	if (cmdline_get("zw.epoch_ns", buf, sizeof(buf)) == 0) {
		uint64_t e = parse_u64(buf, &ok);
		if (ok) {
			/* The harness took it at launch; time_ns() counts from
			 * the first kernel instruction, a few ms later. */
			clk.epoch_ns = e;
			return;
		}
		kprintf("ZW: zw.epoch_ns=%s is not a number; ignored\n", buf);
	}
	uint64_t s;
	if (rtc_read_epoch_s(&s) == 0) {
		clk.epoch_ns = s * 1000000000ULL - time_ns();
		return;
	}
	kprintf("ZW: no zw.epoch_ns and no RTC: CLOCK_REALTIME starts at 1970\n");
}

int time_init(void)
{
	struct tsc_calibration cal;
	int r = tsc_calibrate(&cal);
	if (r < 0) {
		/* Honest failure: print it; time still advances. */
		kprintf("ZW: WARNING: no TSC frequency source; assuming 1 GHz\n");
		cal = (struct tsc_calibration){ 1000000000ULL, "assumed", 1000000 };
	}
	set_rate(cal.hz);
	clk.info.method = cal.method;
	clk.info.calib_err_ppm = cal.err_ppm;
	if (strcmp(cal.method, "pit") == 0) {
		/* Twice the measured bound, so the first refinement cannot
		 * mistake a 55 ms PIT wrap; at ~500 ppm it may wait ~15 s. */
		clk.err_ppm = 2 * cal.err_ppm + 50;
		clk.last_span_tsc = cal.hz / 500;
		clk.next_refine_tsc = rdtsc() + cal.hz; /* after 1 s */
	}
	realtime_init();
	return r;
}
