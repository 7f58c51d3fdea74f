/* The few <string.h> functions lwIP's sources include, mapped to the
 * kernel's own (core/lib.c). Only on the include path of kernel builds, and
 * after the core's own headers (-idirafter), so a libc the core adds wins. */
#ifndef UK_NET_LIBC_STRING_H
#define UK_NET_LIBC_STRING_H
#include "kernel.h"
#endif
