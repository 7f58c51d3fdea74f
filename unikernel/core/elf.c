#include "kernel.h"
#include "uk_errno.h"
#include "elf.h"

#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define SPAN_MAX (1ULL << 32)

struct elf64_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -ENOEXEC;
}

int elf_parse(const void *img, size_t len, struct elf_image *out, const char **why)
{
	const struct elf64_ehdr *eh = img;
	if (len < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0)
		return fail(why, "not an ELF file");
	if (eh->ident[4] != 2 || eh->ident[5] != 1)
		return fail(why, "not a little-endian 64-bit ELF");
	if (eh->machine != EM_X86_64)
		return fail(why, "not an x86-64 ELF");
	if (eh->type != ET_EXEC && eh->type != ET_DYN)
		return fail(why, "not an executable");
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 || eh->phnum > 64)
		return fail(why, "bad program header table");
	if (eh->phoff > len || (uint64_t)eh->phnum * eh->phentsize > len - eh->phoff)
		return fail(why, "program headers past the end of the file");

	const struct elf64_phdr *ph = (const void *)((const char *)img + eh->phoff);
	uint64_t lo = ~0ULL, hi = 0, phdr_vaddr = 0, align = PAGE_SIZE;
	int loads = 0;
	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type == PT_INTERP)
			return fail(why, "dynamically linked (has PT_INTERP); build it static");
		if (ph[i].type == PT_PHDR)
			phdr_vaddr = ph[i].vaddr;
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		if (ph[i].filesz > ph[i].memsz)
			return fail(why, "segment file size exceeds its memory size");
		if (ph[i].offset > len || ph[i].filesz > len - ph[i].offset)
			return fail(why, "segment past the end of the file");
		if (ph[i].vaddr + ph[i].memsz < ph[i].vaddr || ph[i].vaddr + ph[i].memsz > SPAN_MAX)
			return fail(why, "segment address out of range");
		if (ph[i].align > align) {
			if (ph[i].align & (ph[i].align - 1))
				return fail(why, "segment alignment not a power of two");
			align = ph[i].align;
		}
		uint64_t s = ph[i].vaddr & ~(PAGE_SIZE - 1);
		uint64_t e = (ph[i].vaddr + ph[i].memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		if (s < lo)
			lo = s;
		if (e > hi)
			hi = e;
		/* The headers are loaded if a segment's file range covers them. */
		if (!phdr_vaddr && eh->phoff >= ph[i].offset &&
		    eh->phoff + (uint64_t)eh->phnum * eh->phentsize <= ph[i].offset + ph[i].filesz)
			phdr_vaddr = ph[i].vaddr + (eh->phoff - ph[i].offset);
		loads++;
	}
	if (!loads)
		return fail(why, "no loadable segments");
	if (eh->type == ET_EXEC && lo < PAGE_SIZE)
		return fail(why, "segment at page 0");
	if (eh->entry < lo || eh->entry >= hi)
		return fail(why, "entry point outside the loaded segments");
	*out = (struct elf_image){
		.entry = eh->entry, .lo = lo, .hi = hi, .phdr_vaddr = phdr_vaddr,
		.phnum = eh->phnum, .phentsize = eh->phentsize,
		.relocatable = eh->type == ET_DYN, .align = align,
	};
	return 0;
}

void elf_copy_segments(const void *img, const struct elf_image *im, void *dest)
{
	const struct elf64_ehdr *eh = img;
	const struct elf64_phdr *ph = (const void *)((const char *)img + eh->phoff);
	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		char *d = (char *)dest + (ph[i].vaddr - im->lo);
		memcpy(d, (const char *)img + ph[i].offset, ph[i].filesz);
		memset(d + ph[i].filesz, 0, ph[i].memsz - ph[i].filesz);
	}
}
