/* Services the unikernel core provides to every other part (drivers, the
 * network stack, the socket layer). This header is the contract between
 * unikernel/core and unikernel/net: change it only in both at once.
 *
 * Changes:
 * 2026-12-03 core: added user_range_ok() (the -EFAULT check for user
 *   pointers); Linux errno values are in uk_errno.h (not included here, so
 *   lwIP's own errno.h cannot clash); irq_register_gsi(): GSI < 5 are ISA
 *   edge-triggered, GSI >= 5 (virtio-mmio) level-triggered active-high. */
#ifndef UK_KERNEL_H
#define UK_KERNEL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define PAGE_SIZE 4096UL

/* Console (COM1). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the VM; QEMU exits with (status << 1) | 1 via isa-debug-exit. */
__attribute__((noreturn)) void machine_exit(int status);

/* Memory: identity-mapped physical memory; the kernel and app share one
 * address space. page_alloc returns zeroed, page-aligned memory. */
void *page_alloc(size_t npages);
void page_free(void *p, size_t npages);
void *kmalloc(size_t size);           /* 16-byte aligned; never for the app */
void *kcalloc(size_t n, size_t size);
void kfree(void *p);

/* Nonzero when [p, p + n) lies in mapped RAM above page 0 (n = 0 always
 * passes): syscalls return -EFAULT otherwise instead of faulting. */
int user_range_ok(const void *p, size_t n);

/* Time: monotonic nanoseconds since boot (TSC), and wall clock. */
uint64_t time_ns(void);
uint64_t time_realtime_ns(void);

/* Interrupts. handler runs on an IST stack with interrupts off. */
typedef void (*irq_handler_t)(void *arg);
int irq_register_gsi(unsigned gsi, irq_handler_t handler, void *arg);
void irq_enable(void);
void irq_disable(void);
/* Returns the previous interrupt-enable state. */
int irq_save(void);
void irq_restore(int state);

/* Kernel command line (from PVH start info), and a lookup of key=value. */
const char *cmdline(void);
/* Copies the value of "key=" into out; returns 0 if found, -1 otherwise. */
int cmdline_get(const char *key, char *out, size_t cap);

/* The idle loop: block until an interrupt or deadline_ns (absolute
 * time_ns(); 0 = no deadline). The LAPIC timer is armed one-shot for the
 * deadline only; with nothing to do the CPU HLTs with interrupts on. Pollers
 * registered below run before every sleep decision. */
void idle_wait_until(uint64_t deadline_ns);

/* A subsystem that needs work done from the idle loop (the network stack
 * draining RX rings, running protocol timers). poll() returns nonzero if it
 * made progress; next_deadline_ns() says when it next needs to run (0 = none). */
struct poller {
	const char *name;
	int (*poll)(void);
	uint64_t (*next_deadline_ns)(void);
	struct poller *next;
};
void poller_register(struct poller *p);
/* Runs all pollers once; returns nonzero if any made progress. */
int pollers_run(void);

/* Counters the console report prints at exit (and on a debug request). */
struct kstats {
	uint64_t timer_irqs, other_irqs, wakeups, hlts, syscalls;
	uint64_t rx_frames, tx_frames, rx_dropped;
};
extern struct kstats kstats;

/* MMIO. */
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t mmio_read8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void mb(void) { __asm__ volatile("mfence" ::: "memory"); }

/* Freestanding helpers (core/lib.c). */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
