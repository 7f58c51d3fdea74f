/* Static x86-64 ELF executables: ET_EXEC at their link address, or
 * static-pie ET_DYN anywhere (musl's rcrt1 relocates itself). Dynamic
 * executables (PT_INTERP) are refused: there is no loader to run. */
#ifndef UK_CORE_ELF_H
#define UK_CORE_ELF_H
#include <stddef.h>
#include <stdint.h>

struct elf_image {
	uint64_t entry;          /* link-time addresses; add the bias */
	uint64_t lo, hi;         /* page-aligned span of the PT_LOAD segments */
	uint64_t phdr_vaddr;     /* where the program headers sit once loaded */
	uint16_t phnum, phentsize;
	int relocatable;         /* ET_DYN */
	uint64_t align;          /* largest PT_LOAD alignment */
};

/* Validates img (len bytes); -ENOEXEC with why set to a reason. */
int elf_parse(const void *img, size_t len, struct elf_image *out, const char **why);
/* Copies file contents and zeroes the rest of each segment. dest is where
 * address im->lo + bias lives (identity-mapped in the kernel, a buffer in
 * tests); [dest, dest + hi - lo) must be writable and already zeroed. */
void elf_copy_segments(const void *img, const struct elf_image *im, void *dest);

#endif
