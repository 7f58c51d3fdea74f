/* kmain: from the PVH start info to the app's first instruction. */
#include "kernel.h"
#include "uk_errno.h"
#include "cmdline.h"
#include "exitcodes.h"
#include "fdext.h"
#include "loader.h"
#include "pmm.h"
#include "stats.h"
#include "time.h"
#include "syscall.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/layout.h"
#include "../arch/x86_64/pvh.h"

extern char __kernel_start[], _end[];
int idle_init(void);

#define LOW_MEMORY_END 0x100000ULL
#define RAM_LIMIT (1ULL << 32)   /* the boot page tables map the first 4 GiB */

struct boot_module {
	uint64_t addr, len;
};

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static void mem_init(const struct hvm_start_info *si, const struct boot_module *mod)
{
	if (si->version < 1 || !si->memmap_entries)
		panic("PVH start info v%u has no memory map", si->version);
	const struct hvm_memmap_entry *mm = (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t limit = 0, ignored = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (mm[i].type != HVM_MEMMAP_RAM)
			continue;
		uint64_t end = mm[i].addr + mm[i].size;
		if (end > RAM_LIMIT) {
			ignored += end - (mm[i].addr > RAM_LIMIT ? mm[i].addr : RAM_LIMIT);
			end = RAM_LIMIT;
		}
		if (end > limit)
			limit = end;
	}
	/* The bitmaps go right after the kernel image. */
	uint64_t bitmaps = page_up((uintptr_t)_end);
	uint64_t bitmaps_end = page_up(bitmaps + pmm_bitmap_bytes(limit));
	if (bitmaps_end > limit)
		panic("no RAM after the kernel (RAM ends at 0x%lx)", limit);
	pmm_init((void *)(uintptr_t)bitmaps, limit);
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == HVM_MEMMAP_RAM)
			pmm_add_free(mm[i].addr, mm[i].addr + mm[i].size < limit ? mm[i].addr + mm[i].size : limit);
	/* Low memory holds firmware tables and the start info; never used. */
	pmm_reserve(0, LOW_MEMORY_END);
	pmm_reserve((uintptr_t)__kernel_start, bitmaps_end);
	if (mod->len)
		pmm_reserve(mod->addr, mod->addr + mod->len);
	if (ignored)
		kprintf("ZW: %lu MiB of RAM above 4 GiB left unused\n", ignored >> 20);
}

/* Boot stages, timed by TSC and printed with zw.boottrace=1. */
static struct {
	const char *stage;
	uint64_t tsc;
} boot_trace[16];
static int boot_trace_n;

static void boot_mark(const char *stage)
{
	if (boot_trace_n < 16)
		boot_trace[boot_trace_n++] = (typeof(boot_trace[0])){ stage, rdtsc() };
}

static void boot_trace_print(void)
{
	char v[4];
	if (cmdline_get("zw.boottrace", v, sizeof(v)) != 0)
		return;
	uint64_t hz = time_clock_info()->hz;
	for (int i = 1; i < boot_trace_n; i++)
		kprintf("ZW: boot %-10s %6lu us\n", boot_trace[i].stage,
			(boot_trace[i].tsc - boot_trace[0].tsc) * 1000000 / hz);
}

static int ring3_requested(void)
{
	char v[8];
	return cmdline_get("zw.ring3", v, sizeof(v)) == 0 && strcmp(v, "0") != 0;
}

void kmain(uint32_t start_info_paddr)
{
	time_early_init();
	boot_mark("entry");
	serial_init();
	gdt_init();
	idt_init();

	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info_paddr;
	if (si->magic != HVM_START_MAGIC)
		panic("not booted through PVH (start info magic 0x%x)", si->magic);
	cmdline_set(si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "");
	struct boot_module mod = { 0, 0 };
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *ml = (const void *)(uintptr_t)si->modlist_paddr;
		mod = (struct boot_module){ ml[0].paddr, ml[0].size };
	}
	boot_mark("tables");
	mem_init(si, &mod);
	/* Unmap page 0 so a NULL dereference faults, in the app or here. */
	paging_set_present(0, 0);

	boot_mark("memory");
	int r = time_init();
	uint64_t t_clock = time_ns();
	boot_mark("clock");
	pic_disable();
	if (lapic_init() < 0)
		kprintf("ZW: no usable local APIC: sleeps will spin\n");
	if (ioapic_init() < 0)
		kprintf("ZW: no IO-APIC found\n");
	if (idle_init() < 0)
		kprintf("ZW: COM1 receive interrupt unavailable; use NMI for reports\n");
	boot_mark("interrupts");
	if (console_files_install() < 0)
		panic("console descriptors");
	r = net_init();
	if (r < 0)
		kprintf("ZW: network unavailable (%d)\n", r);

	boot_mark("net");
	if (!mod.len) {
		kprintf("ZW: no app: pass its static ELF with -initrd\n");
		machine_exit(ZW_EXIT_NOAPP);
	}
	struct app_start app;
	if (app_load((const void *)(uintptr_t)mod.addr, mod.len, &app) < 0)
		machine_exit(ZW_EXIT_NOAPP);
	/* The image is copied out; its pages are free RAM again. */
	pmm_add_free(mod.addr, mod.addr + mod.len);

	boot_mark("app-load");
	boot_trace_print();
	int ring3 = ring3_requested();
	syscall_init(ring3);
	/* Quiet unless asked: under QEMU every console byte is a VM exit (and
	 * a host write()), so this one line would cost ~0.5 ms of boot. */
	char v[4];
	if (cmdline_get("zw.verbose", v, sizeof(v)) == 0 || cmdline_get("zw.boottrace", v, sizeof(v)) == 0) {
		const struct clock_info *ci = time_clock_info();
		kprintf("ZW: zerowatt up in %lu us (clock %lu us, %s %lu.%03lu MHz +-%lu ppm, %s timer), "
			"%lu KiB free; starting %s in ring %d\n",
			time_ns() / 1000, t_clock / 1000, ci->method, ci->hz / 1000000,
			ci->hz / 1000 % 1000, ci->calib_err_ppm,
			lapic_timer_mode_deadline() ? "tsc-deadline" : "one-shot",
			pmm_free_pages() * (PAGE_SIZE / 1024), app.name, ring3 ? 3 : 0);
	}
	arch_enter_app(app.entry, app.sp, ring3);
}
