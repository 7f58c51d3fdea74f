/* lwIP's port header for the freestanding unikernel (and the host tests).
 * Everything the stack needs from its platform goes through the few
 * functions declared here, implemented in net/lwip_port.c (kernel) or by
 * the test fakes (host). */
#ifndef UK_LWIP_ARCH_CC_H
#define UK_LWIP_ARCH_CC_H
#include <stdint.h>

#define LWIP_NO_INTTYPES_H 1
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"
#define LWIP_NO_CTYPE_H 1

/* The kernel has no libc: no <limits.h> chain, no <unistd.h>. The host
 * test build (UK_NET_HOST) uses the host's headers as they are. */
#ifndef UK_NET_HOST
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_UNISTD_H 1
#define INT_MAX __INT_MAX__
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__
#endif

#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_END
#define PACK_STRUCT_FIELD(x) x

void uk_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void uk_lwip_assert(const char *msg, const char *file, int line);
uint32_t uk_net_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { uk_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) uk_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() uk_net_rand()

#endif
