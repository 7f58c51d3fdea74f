#include "kernel.h"
#include "uk_errno.h"
#include "loader.h"
#include "elf.h"
#include "initstack.h"
#include "cmdline.h"
#include "appmem.h"
#include "pmm.h"
#include "linux.h"
#include "../arch/x86_64/arch.h"

#define DEFAULT_STACK_KIB 512

static int ranges_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

/* Static-pie: any free run of pages, aligned as the segments ask. */
static long place_relocatable(const struct elf_image *im)
{
	size_t npages = (im->hi - im->lo) / PAGE_SIZE;
	size_t extra = im->align > PAGE_SIZE ? im->align / PAGE_SIZE : 0;
	uint8_t *p = page_alloc(npages + extra);
	if (!p)
		return -ENOMEM;
	uint64_t base = ((uint64_t)(uintptr_t)p + im->align - 1) & ~(im->align - 1);
	size_t head = (base - (uintptr_t)p) / PAGE_SIZE;
	if (head)
		page_free(p, head);
	if (extra - head)
		page_free((void *)(uintptr_t)(base + npages * PAGE_SIZE), extra - head);
	return (long)base;
}

static uint64_t stack_size_option(void)
{
	char buf[24];
	uint64_t kib = DEFAULT_STACK_KIB;
	if (cmdline_get("zw.stack_kib", buf, sizeof(buf)) == 0) {
		uint64_t v = 0;
		for (const char *s = buf; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (uint64_t)(*s - '0');
		if (v >= 16 && v <= (1u << 20))
			kib = v;
		else
			kprintf("ZW: zw.stack_kib=%s out of range (16..1048576); using %lu\n", buf, kib);
	}
	return kib * 1024;
}

int app_load(const void *img, uint64_t len, struct app_start *out)
{
	struct elf_image im;
	const char *why = "";
	int r = elf_parse(img, len, &im, &why);
	if (r < 0) {
		kprintf("ZW: cannot run the app: %s\n", why);
		return r;
	}
	uint64_t mod0 = (uintptr_t)img, mod1 = mod0 + len;
	uint64_t bias = 0;
	size_t npages = (im.hi - im.lo) / PAGE_SIZE;
	if (im.relocatable) {
		long base = place_relocatable(&im);
		if (base < 0) {
			kprintf("ZW: no room for the app's %lu KiB\n", (im.hi - im.lo) / 1024);
			return (int)base;
		}
		bias = (uint64_t)base - im.lo;
	} else {
		if (ranges_overlap(im.lo, im.hi, mod0, mod1)) {
			kprintf("ZW: the app links at 0x%lx-0x%lx, where the initrd was placed; "
				"give the VM more memory\n", im.lo, im.hi);
			return -ENOMEM;
		}
		if (im.hi > pmm_limit() || pmm_claim(im.lo, npages) < 0) {
			kprintf("ZW: the app links at 0x%lx-0x%lx, which is not free RAM here\n",
				im.lo, im.hi);
			return -ENOMEM;
		}
	}
	pmm_set_app(im.lo + bias, npages, 1);
	elf_copy_segments(img, &im, (void *)(uintptr_t)(im.lo + bias));
	appmem_set_brk_base(im.hi + bias);

	uint64_t ssize = stack_size_option();
	uint64_t top = appmem_stack(ssize);
	if (!top) {
		kprintf("ZW: no room for a %lu KiB stack\n", ssize / 1024);
		return -ENOMEM;
	}

	static const char *argv[CMDLINE_MAX_ARGS + 1], *envp[CMDLINE_MAX_ARGS + 1];
	int envc;
	int argc = cmdline_app_args(argv, CMDLINE_MAX_ARGS + 1, envp, CMDLINE_MAX_ARGS + 1, &envc);
	const struct auxv_entry aux[] = {
		{ LX_AT_PHDR, im.phdr_vaddr ? im.phdr_vaddr + bias : 0 },
		{ LX_AT_PHENT, im.phentsize },
		{ LX_AT_PHNUM, im.phnum },
		{ LX_AT_PAGESZ, PAGE_SIZE },
		{ LX_AT_BASE, 0 },
		{ LX_AT_FLAGS, 0 },
		{ LX_AT_ENTRY, im.entry + bias },
		{ LX_AT_UID, 0 }, { LX_AT_EUID, 0 }, { LX_AT_GID, 0 }, { LX_AT_EGID, 0 },
		{ LX_AT_HWCAP, arch_hwcap() },
		{ LX_AT_HWCAP2, 0 },
		{ LX_AT_CLKTCK, 100 },
		{ LX_AT_SECURE, 0 },
	};
	struct initstack_args a = {
		.argc = argc, .argv = argv, .envc = envc, .envp = envp,
		.aux = aux, .naux = sizeof(aux) / sizeof(aux[0]), .platform = "x86_64",
	};
	uint64_t r0 = arch_random64(), r1 = arch_random64();
	memcpy(a.random, &r0, 8);
	memcpy(a.random + 8, &r1, 8);
	r = initstack_build((uint8_t *)(uintptr_t)(top - ssize), ssize, top, &a, &out->sp);
	if (r < 0) {
		kprintf("ZW: arguments do not fit the app's stack\n");
		return r;
	}
	out->entry = im.entry + bias;
	out->load_lo = im.lo + bias;
	out->load_hi = im.hi + bias;
	out->name = argv[0];
	return 0;
}
