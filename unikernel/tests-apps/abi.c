/* Syscall ABI test: across a syscall every register but rax, rcx and r11
 * keeps its value, the 128-byte red zone below %rsp is untouched (the
 * ring-0 return path must not write there), SSE registers survive, and the
 * direction and carry flags come back as they were. Exits 0 when all hold. */
#include <stdint.h>
#include <stdio.h>

static int check_gprs_and_redzone(void)
{
	uint64_t bad = 0;
	/* Fill the red zone and twelve registers, make the syscall, then
	 * compare everything without touching memory below %rsp. */
	__asm__ volatile(
		"movq $0x1111111111111111, %%rax\n\t"
		"pushq %%rbx\n\t pushq %%rbp\n\t pushq %%r12\n\t pushq %%r13\n\t pushq %%r14\n\t pushq %%r15\n\t"
		/* the 16 words of the red zone: -128(%rsp) .. -8(%rsp) */
		"movq $15, %%rcx\n\t"
		"2: movq %%rax, -128(%%rsp,%%rcx,8)\n\t"
		"decq %%rcx\n\t"
		"jns 2b\n\t"
		"movq $0xb0b0b0b0b0b0b0b0, %%rbx\n\t"
		"movq $0xb1b1b1b1b1b1b1b1, %%rbp\n\t"
		"movq $0xd2d2d2d2d2d2d2d2, %%rdx\n\t"
		"movq $0x5151515151515151, %%rsi\n\t"
		"movq $0xd1d1d1d1d1d1d1d1, %%rdi\n\t"
		"movq $0x0808080808080808, %%r8\n\t"
		"movq $0x0909090909090909, %%r9\n\t"
		"movq $0x1010101010101010, %%r10\n\t"
		"movq $0x1212121212121212, %%r12\n\t"
		"movq $0x1313131313131313, %%r13\n\t"
		"movq $0x1414141414141414, %%r14\n\t"
		"movq $0x1515151515151515, %%r15\n\t"
		"movq $110, %%rax\n\t"          /* getppid */
		"std\n\t"
		"stc\n\t"
		"syscall\n\t"
		/* CF into %al (rax is the result, free now); compares follow. */
		"setc %%al\n\t"
		"movq $0xb0b0b0b0b0b0b0b0, %%rcx\n\t cmpq %%rcx, %%rbx\n\t jne 9f\n\t"
		"movq $0xb1b1b1b1b1b1b1b1, %%rcx\n\t cmpq %%rcx, %%rbp\n\t jne 9f\n\t"
		"movq $0xd2d2d2d2d2d2d2d2, %%rcx\n\t cmpq %%rcx, %%rdx\n\t jne 9f\n\t"
		"movq $0x5151515151515151, %%rcx\n\t cmpq %%rcx, %%rsi\n\t jne 9f\n\t"
		"movq $0xd1d1d1d1d1d1d1d1, %%rcx\n\t cmpq %%rcx, %%rdi\n\t jne 9f\n\t"
		"movq $0x0808080808080808, %%rcx\n\t cmpq %%rcx, %%r8\n\t jne 9f\n\t"
		"movq $0x0909090909090909, %%rcx\n\t cmpq %%rcx, %%r9\n\t jne 9f\n\t"
		"movq $0x1010101010101010, %%rcx\n\t cmpq %%rcx, %%r10\n\t jne 9f\n\t"
		"movq $0x1212121212121212, %%rcx\n\t cmpq %%rcx, %%r12\n\t jne 9f\n\t"
		"movq $0x1313131313131313, %%rcx\n\t cmpq %%rcx, %%r13\n\t jne 9f\n\t"
		"movq $0x1414141414141414, %%rcx\n\t cmpq %%rcx, %%r14\n\t jne 9f\n\t"
		"movq $0x1515151515151515, %%rcx\n\t cmpq %%rcx, %%r15\n\t jne 9f\n\t"
		"movq $0x1111111111111111, %%rcx\n\t"
		"movq $15, %%rdx\n\t"
		"3: cmpq %%rcx, -128(%%rsp,%%rdx,8)\n\t"
		"jne 7f\n\t"
		"decq %%rdx\n\t"
		"jns 3b\n\t"
		/* Only now may the stack below %rsp be used (pushfq). */
		"testb %%al, %%al\n\t"
		"jz 8f\n\t"
		"pushfq\n\t"
		"popq %%rax\n\t"
		"cld\n\t"
		"btq $10, %%rax\n\t"
		"jnc 8f\n\t"
		"xorl %%eax, %%eax\n\t"
		"jmp 10f\n\t"
		"7: cld\n\t movl $2, %%eax\n\t jmp 10f\n\t"   /* red zone clobbered */
		"8: cld\n\t movl $3, %%eax\n\t jmp 10f\n\t"  /* flags lost */
		"9: cld\n\t movl $1, %%eax\n\t"               /* a register changed */
		"10: popq %%r15\n\t popq %%r14\n\t popq %%r13\n\t popq %%r12\n\t popq %%rbp\n\t popq %%rbx\n\t"
		"movq %%rax, %0\n\t"
		: "=m"(bad)
		:
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
	return (int)bad;
}

static int check_sse(void)
{
	double a = 1.25, b = -3.5, out_a = 0, out_b = 0;
	__asm__ volatile(
		"movsd %2, %%xmm6\n\t"
		"movsd %3, %%xmm7\n\t"
		"movq $39, %%rax\n\t"     /* getpid */
		"syscall\n\t"
		"movsd %%xmm6, %0\n\t"
		"movsd %%xmm7, %1\n\t"
		: "=m"(out_a), "=m"(out_b)
		: "m"(a), "m"(b)
		: "rax", "rcx", "r11", "xmm6", "xmm7", "memory");
	return out_a == a && out_b == b ? 0 : 4;
}

int main(void)
{
	int r = check_gprs_and_redzone();
	static const char *const what[] = { "ok", "a preserved register changed",
					    "the red zone below %rsp was written",
					    "RFLAGS (CF/DF) not restored" };
	printf("abi: registers, red zone, flags: %s\n", what[r]);
	int s = check_sse();
	printf("abi: SSE registers: %s\n", s ? "changed" : "ok");
	return r | s;
}
