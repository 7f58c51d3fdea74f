/* Physical pages. Memory is identity-mapped, so a page's physical address
 * is also the pointer to it. Two bits per page: in use, and owned by the
 * app (its image, brk, mmaps and stack), so munmap can only ever release
 * what the app was given. */
#ifndef UK_CORE_PMM_H
#define UK_CORE_PMM_H
#include <stddef.h>
#include <stdint.h>

/* Tracks pages [0, limit); bitmaps is storage of pmm_bitmap_bytes(limit)
 * bytes. Every page starts in use; pmm_add_free opens up RAM. */
size_t pmm_bitmap_bytes(uint64_t limit);
void pmm_init(void *bitmaps, uint64_t limit);
void pmm_add_free(uint64_t start, uint64_t end);
void pmm_reserve(uint64_t start, uint64_t end);

/* Claims exactly [addr, addr + n pages): 0, or -ENOMEM if any is in use. */
int pmm_claim(uint64_t addr, size_t npages);
int pmm_range_free(uint64_t addr, size_t npages);
uint64_t pmm_free_pages(void);
uint64_t pmm_limit(void);

void pmm_set_app(uint64_t addr, size_t npages, int owned);
int pmm_is_app(uint64_t addr);

#endif
