/* Trap stubs, the syscall entries and the jump into the app.
 *
 * Every IDT vector runs on an IST stack, so an interrupt that arrives while
 * the app runs in ring 0 never writes below the app's %rsp (its red zone).
 * The ring-0 syscall entry returns without SYSRET, which would drop to
 * ring 3: it restores RFLAGS with popfq from the kernel stack, then the
 * app's %rsp, and jumps back through %rcx, where SYSCALL left the return
 * address. */
#include "layout.h"

	.text
	.code64

/* struct trap_frame, lowest address first: r15 .. rax, vector, error, then
 * what the CPU pushed (rip, cs, rflags, rsp, ss). */
	.globl trap_stubs
	.balign 16
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/* The registers the C ABI preserves, in struct clone_frame's order. */
.macro PUSH_CALLEE_SAVED
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_CALLEE_SAVED
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
.endm

/* struct syscall_frame, lowest address first: r9 r8 r10 rdx rsi rdi nr
 * rip rflags rsp. Interrupts are off on entry (FMASK clears IF). Each
 * thread has its own kernel stack (syscall_kstack_top follows the running
 * thread), since a thread may block in a syscall while another runs. */
.macro SYSCALL_PUSH
	movq %rsp, syscall_user_rsp(%rip)
	movq syscall_kstack_top(%rip), %rsp
	pushq syscall_user_rsp(%rip)
	pushq %r11
	pushq %rcx
	pushq %rax
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r10
	pushq %r8
	pushq %r9
	cld
.endm

.macro SYSCALL_POP
	popq %r9
	popq %r8
	popq %r10
	popq %rdx
	popq %rsi
	popq %rdi
	addq $8, %rsp
	popq %rcx
	popq %r11
.endm

/* clone needs every register of the caller for the child (Go's child
 * reads R9, R12, R13 and RSI set before the syscall): struct clone_frame
 * is the callee-saved six below a syscall_frame. */
.macro CLONE_CALL
	PUSH_CALLEE_SAVED
	movq %rsp, %rdi
	call sys_clone_frame
	addq $48, %rsp
.endm

.macro SYSCALL_BODY
	SYSCALL_PUSH
	cmpq $NR_CLONE, %rax
	je 1f
	movq %rsp, %rdi
	call syscall_handle
	jmp 2f
1:	CLONE_CALL
2:	SYSCALL_POP
.endm

/* The ring-0 way back to the app, with the user %rsp on the kernel stack.
 * RFLAGS is restored from the kernel stack, so the app's stack is never
 * written: not its red zone, and not a stack the call just unmapped (musl's
 * detached threads unmap their own stack, then call exit). popfq may turn
 * interrupts on one instruction early; they run on IST stacks and never
 * switch threads, so the two instructions left are safe. */
.macro RETURN_RING0
	pushq %r11
	popfq
	popq %rsp
	jmp *%rcx
.endm

	.globl syscall_entry_ring0
syscall_entry_ring0:
	SYSCALL_BODY
	RETURN_RING0

	.globl syscall_entry_ring3
syscall_entry_ring3:
	SYSCALL_BODY
	popq %rsp
	sysretq

/* A new thread's first instructions: thread_switch() "returns" here with
 * %rsp at the clone_frame copied for the child; it leaves as the parent's
 * syscall would, with %rax = 0. */
	.globl thread_first_entry
thread_first_entry:
	POP_CALLEE_SAVED
	SYSCALL_POP
	xorl %eax, %eax
	cmpb $0, app_ring3(%rip)
	jne 1f
	RETURN_RING0
1:	popq %rsp
	sysretq

/* thread_switch(uint64_t *save_sp, uint64_t next_sp): the callee-saved
 * registers and the stack are all a blocked kernel path needs. */
	.globl thread_switch
thread_switch:
	PUSH_CALLEE_SAVED
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	POP_CALLEE_SAVED
	ret

/* arch_enter_app(entry, sp, ring3) */
	.globl arch_enter_app
arch_enter_app:
	testl %edx, %edx
	jnz 1f
	pushq $GDT_KDATA
	pushq %rsi
	pushq $0x202
	pushq $GDT_KCODE
	pushq %rdi
	jmp 2f
1:	pushq $(GDT_UDATA | 3)
	pushq %rsi
	pushq $0x202
	pushq $(GDT_UCODE | 3)
	pushq %rdi
2:	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	iretq

	.globl arch_halt
arch_halt:
	sti
	hlt
	cli
	ret

	.data
	.balign 8
	.globl syscall_kstack_top
syscall_kstack_top:
	.quad syscall_stack_top

	.section .bss
	.balign 16
syscall_user_rsp:
	.skip 8
	.balign 4096
syscall_stack:
	.skip SYSCALL_STACK_SIZE
	.globl syscall_stack_top
syscall_stack_top:
