/* The PVH boot ABI's start-of-day structures (Xen's hvm_start_info,
 * versions 0 and 1), as QEMU fills them for -kernel/-initrd/-append. */
#ifndef UK_ARCH_PVH_H
#define UK_ARCH_PVH_H
#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version >= 1 */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;      /* 1 = RAM */
	uint32_t reserved;
};

#define HVM_MEMMAP_RAM 1

#endif
