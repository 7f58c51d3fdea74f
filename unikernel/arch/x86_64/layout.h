/* Constants shared by the assembly and C halves of the x86-64 port. */
#ifndef UK_ARCH_LAYOUT_H
#define UK_ARCH_LAYOUT_H

#define KERNEL_PADDR     0x100000
/* Static (non-PIE) musl binaries link at 0x400000; the kernel ends below. */
#define KERNEL_END_MAX   0x400000

#define GDT_KCODE        0x08
#define GDT_KDATA        0x10
#define GDT_UCODE32      0x18
#define GDT_UDATA        0x20
#define GDT_UCODE        0x28
#define GDT_TSS          0x30

#define PTE_P            0x001
#define PTE_W            0x002
#define PTE_U            0x004
#define PTE_PWT          0x008
#define PTE_PCD          0x010
#define PTE_PS           0x080

/* 2 MiB entries from 0xfe000000 up (IO-APIC, LAPIC, virtio-mmio) are UC. */
#define MMIO_FIRST_PDE   (0xfe000000 >> 21)

#define CR0_PE           0x00000001
#define CR0_MP           0x00000002
#define CR0_EM           0x00000004
#define CR0_NE           0x00000020
#define CR0_WP           0x00010000
#define CR0_PG           0x80000000
#define CR4_PAE          0x00000020
#define CR4_OSFXSR       0x00000200
#define CR4_OSXMMEXCPT   0x00000400
#define CR4_FSGSBASE     0x00010000

#define MSR_EFER         0xc0000080
#define EFER_SCE         0x001
#define EFER_LME         0x100

#define BOOT_STACK_SIZE  16384
#define IST_STACK_SIZE   16384
#define SYSCALL_STACK_SIZE 65536
/* Kernel stack of every thread but the first (which has the one above). */
#define THREAD_KSTACK_SIZE 32768

/* The one syscall entry.S treats apart (it needs all registers). */
#define NR_CLONE         56

/* Interrupt vectors: IO-APIC GSI g arrives on IRQ_VECTOR_BASE + g. */
#define IRQ_VECTOR_BASE  0x20
#define IRQ_GSI_MAX      48
#define TIMER_VECTOR     0xf0
#define SPURIOUS_VECTOR  0xff

#endif
