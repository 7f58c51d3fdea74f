/* Small machine services: exit through isa-debug-exit, FS base, randomness,
 * the HWCAP word, and page-table edits on the boot identity map. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"
#include "uk_errno.h"

extern uint64_t boot_pd[];

__attribute__((noreturn)) void arch_exit(int status)
{
	/* QEMU exits with (status << 1) | 1 (MACHINE.md). */
	outl(0xf4, (uint32_t)status);
	static const char msg[] = "ZW: isa-debug-exit is absent; halting\n";
	serial_write(msg, sizeof(msg) - 1);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static int have_fsgsbase = -1;

static int fsgsbase_enable(void)
{
	if (have_fsgsbase < 0) {
		have_fsgsbase = (cpuid(0, 0).eax >= 7) && (cpuid(7, 0).ebx & 1);
		if (have_fsgsbase)
			write_cr4(read_cr4() | CR4_FSGSBASE);
	}
	return have_fsgsbase;
}

void arch_set_fs_base(uint64_t base)
{
	if (fsgsbase_enable())
		__asm__ volatile("wrfsbase %0" :: "r"(base));
	else
		wrmsr(MSR_FS_BASE, base);
}

uint64_t arch_get_fs_base(void)
{
	return rdmsr(MSR_FS_BASE);
}

uint64_t arch_random64(void)
{
	static uint64_t state;
	if (cpuid(1, 0).ecx & (1u << 30)) {
		for (int i = 0; i < 16; i++) {
			uint64_t v;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	/* No RDRAND (TCG's default CPU): splitmix64 over the TSC. Not
	 * cryptographic; documented in the README. */
	state += 0x9e3779b97f4a7c15ULL ^ rdtsc();
	uint64_t z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t arch_hwcap(void)
{
	return cpuid(1, 0).edx;
}

/* Replaces the 2 MiB mapping around addr by 512 4 KiB ones (same frames). */
static uint64_t *split_large(uint64_t *pde)
{
	uint64_t *pt = page_alloc(1);
	if (!pt)
		return NULL;
	uint64_t frame = *pde & 0x000fffffffe00000ULL;
	uint64_t flags = *pde & (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD);
	for (int i = 0; i < 512; i++)
		pt[i] = (frame + (uint64_t)i * 4096) | flags;
	*pde = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W | PTE_U;
	write_cr3(read_cr3());
	return pt;
}

int paging_set_present(uintptr_t addr, int present)
{
	if (addr >= (1ULL << 32))
		return -EINVAL;
	uint64_t *pde = &boot_pd[addr >> 21];
	uint64_t *pt;
	if (*pde & PTE_PS) {
		pt = split_large(pde);
		if (!pt)
			return -ENOMEM;
	} else {
		pt = (uint64_t *)(uintptr_t)(*pde & 0x000ffffffffff000ULL);
	}
	uint64_t *pte = &pt[(addr >> 12) & 511];
	if (present)
		*pte |= PTE_P;
	else
		*pte &= ~(uint64_t)PTE_P;
	invlpg(addr);
	return 0;
}
