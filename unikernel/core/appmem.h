/* The app's memory: its image, brk heap, anonymous mmaps and stack, all
 * identity-mapped pages marked app-owned in the page allocator. */
#ifndef UK_CORE_APPMEM_H
#define UK_CORE_APPMEM_H
#include <stddef.h>
#include <stdint.h>

void appmem_set_brk_base(uint64_t end_of_image);
/* brk(2): returns the new break, or the current one when addr cannot be had. */
uint64_t appmem_brk(uint64_t addr);
/* Anonymous mapping anywhere: address or -ENOMEM. */
long appmem_map(size_t len);
/* MAP_FIXED: replace (zero) app pages, claim free ones. replace=0 is
 * MAP_FIXED_NOREPLACE: -EEXIST if anything is there. */
long appmem_map_fixed(uint64_t addr, size_t len, int replace);
long appmem_unmap(uint64_t addr, size_t len);
long appmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move);
/* A stack of size bytes with an unmapped guard page below; returns its top. */
uint64_t appmem_stack(size_t size);
uint64_t appmem_stack_size(void);

#endif
