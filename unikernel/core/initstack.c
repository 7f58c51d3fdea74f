#include "kernel.h"
#include "uk_errno.h"
#include "initstack.h"
#include "linux.h"

/* Bytes are placed from the top down; addresses are the app's view. */
struct builder {
	uint8_t *buf;
	uint64_t top, cur;   /* cur: lowest address used so far */
	uint64_t bottom;
};

static uint64_t push_bytes(struct builder *b, const void *p, size_t n)
{
	if (b->cur - b->bottom < n)
		return 0;
	b->cur -= n;
	memcpy(b->buf + (b->cur - b->bottom), p, n);
	return b->cur;
}

static uint64_t push_string(struct builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1);
}

int initstack_build(uint8_t *buf, size_t len, uint64_t top, const struct initstack_args *a, uint64_t *sp_out)
{
	struct builder b = { buf, top, top, top - len };
	uint64_t argv_addr[64], envp_addr[64];
	if (a->argc < 0 || a->argc > 64 || a->envc < 0 || a->envc > 64)
		return -E2BIG;

	uint64_t random_addr = push_bytes(&b, a->random, 16);
	uint64_t platform_addr = push_string(&b, a->platform ? a->platform : "x86_64");
	if (!random_addr || !platform_addr)
		return -E2BIG;
	for (int i = a->envc - 1; i >= 0; i--)
		if (!(envp_addr[i] = push_string(&b, a->envp[i])))
			return -E2BIG;
	for (int i = a->argc - 1; i >= 0; i--)
		if (!(argv_addr[i] = push_string(&b, a->argv[i])))
			return -E2BIG;

	/* Words: argc, argv[], NULL, envp[], NULL, auxv pairs (ours, then
	 * AT_RANDOM, AT_PLATFORM, AT_EXECFN, AT_NULL). */
	size_t nwords = 1 + (size_t)a->argc + 1 + (size_t)a->envc + 1 + 2 * ((size_t)a->naux + 4);
	uint64_t start = (b.cur - nwords * 8) & ~15ULL;
	if (start < b.bottom || b.cur - b.bottom < nwords * 8 + 16)
		return -E2BIG;
	uint64_t *w = (uint64_t *)(buf + (start - b.bottom));
	size_t k = 0;
	w[k++] = (uint64_t)a->argc;
	for (int i = 0; i < a->argc; i++)
		w[k++] = argv_addr[i];
	w[k++] = 0;
	for (int i = 0; i < a->envc; i++)
		w[k++] = envp_addr[i];
	w[k++] = 0;
	for (int i = 0; i < a->naux; i++) {
		w[k++] = a->aux[i].type;
		w[k++] = a->aux[i].value;
	}
	w[k++] = LX_AT_RANDOM;
	w[k++] = random_addr;
	w[k++] = LX_AT_PLATFORM;
	w[k++] = platform_addr;
	w[k++] = LX_AT_EXECFN;
	w[k++] = a->argc ? argv_addr[0] : 0;
	w[k++] = LX_AT_NULL;
	w[k++] = 0;
	*sp_out = start;
	return 0;
}
