/* SYSCALL setup and the C side of the entry in entry.S. */
#include "arch.h"
#include "cpu.h"
#include "layout.h"
#include "kernel.h"
#include "../../core/syscall_table.h"

struct syscall_frame {
	uint64_t r9, r8, r10, rdx, rsi, rdi, nr, rip, rflags, rsp;
};

/* Read by thread_first_entry: which way a new thread returns to the app. */
uint8_t app_ring3;

void syscall_entry_ring0(void);
void syscall_entry_ring3(void);

long syscall_handle(struct syscall_frame *f)
{
	kstats.syscalls++;
	return syscall_dispatch((long)f->nr, (long)f->rdi, (long)f->rsi, (long)f->rdx,
				(long)f->r10, (long)f->r8, (long)f->r9);
}

void syscall_init(int ring3)
{
	app_ring3 = ring3 != 0;
	/* SYSCALL loads CS = STAR[47:32] (SS = +8); SYSRET loads
	 * CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both with RPL 3. */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_UCODE32 | 3) << 48) | ((uint64_t)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)(ring3 ? syscall_entry_ring3 : syscall_entry_ring0));
	/* Entry runs with IF, DF, TF and AC clear. */
	wrmsr(MSR_FMASK, 0x200 | 0x400 | 0x100 | 0x40000);
}
