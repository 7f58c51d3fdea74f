/* The app's demand-paged window: virtual address space above all RAM where
 * reservations cost nothing and pages are allocated (zeroed) on first
 * touch, as Linux gives anonymous memory. Go's runtime needs exactly this:
 * it reserves hundreds of MiB PROT_NONE and maps large read-write ranges it
 * only partly uses. Small ordinary mappings still come straight from the
 * identity-mapped RAM (appmem.c): no faults, 2 MiB TLB entries. */
#ifndef UK_CORE_VMEM_H
#define UK_CORE_VMEM_H
#include <stddef.h>
#include <stdint.h>

#define VMEM_BASE     0x0000008000000000ULL  /* 512 GiB: PML4 entry 1 */
#define VMEM_END      0x00007f0000000000ULL
/* Anonymous mappings at least this large go to the window even without a
 * hint; smaller ones are served eagerly from RAM. */
#define VMEM_LAZY_MIN (4UL << 20)

int vmem_in_window(uint64_t addr);
/* prot_none: reserve only (access faults). hint: used if free (fixed: must
 * be used, replacing what is there unless noreplace). Returns the address
 * or -errno. */
long vmem_map(uint64_t hint, size_t len, int prot_none, int fixed, int noreplace);
long vmem_unmap(uint64_t addr, size_t len);
/* Makes [addr, len) accessible (demand-zero) when prot is not PROT_NONE;
 * there is no protection otherwise, as in the rest of the kernel. */
long vmem_protect(uint64_t addr, size_t len, int prot_none);
/* MADV_DONTNEED: resident pages go back and read as zero again. */
long vmem_discard(uint64_t addr, size_t len);
long vmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move);
/* Nonzero when every page of the range is accessible. */
int vmem_range_ok(uint64_t addr, size_t len);
/* The page-fault hook: nonzero if addr was a demand-zero page now mapped. */
int vmem_fault(uint64_t addr);
uint64_t vmem_resident_pages(void);

#endif
