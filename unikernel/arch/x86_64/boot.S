/* PVH entry: QEMU loads this ELF at its physical addresses and jumps to
 * pvh_start32 in 32-bit protected mode, paging off, with %ebx pointing at
 * struct hvm_start_info. We build an identity map of the first 4 GiB with
 * 2 MiB pages (U set everywhere so the ring-3 option needs no remapping),
 * enter long mode and call kmain(start_info). */
#include "layout.h"

	.section .note.pvh, "a"
	.balign 4
	/* XEN_ELFNOTE_PHYS32_ENTRY. QEMU reads the descriptor as a host
	 * size_t for 64-bit ELFs, so it is 8 bytes wide. */
	.long 4
	.long 8
	.long 18
	.asciz "Xen"
	.balign 4
	.quad pvh_start32

	.section .boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, pvh_start_info_paddr

	/* .bss is not cleared here: the PVH loader loads this ELF and, as any
	 * ELF loader, zero-fills each segment past its file size (QEMU does,
	 * into fresh zeroed RAM). Clearing 2 MiB again costs ~8 ms under TCG. */
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	movl $boot_pdpt, %eax
	orl $(PTE_P | PTE_W | PTE_U), %eax
	movl %eax, boot_pml4
	movl $boot_pd, %eax
	orl $(PTE_P | PTE_W | PTE_U), %eax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b

	/* 2048 2 MiB entries; the top 32 MiB (IO-APIC, LAPIC, virtio-mmio)
	 * uncached. */
	movl $boot_pd, %edi
	xorl %esi, %esi                 /* entry index */
2:	movl %esi, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_U | PTE_PS), %eax
	cmpl $MMIO_FIRST_PDE, %esi
	jb 3f
	orl $(PTE_PWT | PTE_PCD), %eax
3:	movl %eax, (%edi)
	movl %esi, %edx
	shrl $11, %edx                  /* bits 32+ of the address: 0 below 4 GiB */
	movl %edx, 4(%edi)
	addl $8, %edi
	incl %esi
	cmpl $2048, %esi
	jb 2b

	lgdt boot_gdt_ptr

	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4

	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_SCE), %eax
	wrmsr

	/* Paging on; FPU/SSE usable by the app: MP set, EM clear. */
	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $(CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_WP), %eax
	movl %eax, %cr0

	ljmp $GDT_KCODE, $long_entry

	.code64
long_entry:
	movw $GDT_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	leaq boot_stack_top(%rip), %rsp
	fninit
	movl pvh_start_info_paddr(%rip), %edi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .boot.data, "aw"
	.balign 16
	.globl boot_gdt
boot_gdt:
	.quad 0                         /* null */
	.quad 0x00af9a000000ffff        /* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff        /* 0x10 kernel data */
	.quad 0x00cffa000000ffff        /* 0x18 user code, 32-bit (SYSRET layout) */
	.quad 0x00cff2000000ffff        /* 0x20 user data */
	.quad 0x00affa000000ffff        /* 0x28 user code, 64-bit */
	.quad 0, 0                      /* 0x30 TSS, filled in by gdt.c */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.globl pvh_start_info_paddr
pvh_start_info_paddr:
	.long 0

	.section .bss
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096 * 4
	.balign 16
boot_stack:	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
