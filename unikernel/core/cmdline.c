#include "kernel.h"
#include "cmdline.h"

static char line[CMDLINE_MAX];
static char words[CMDLINE_MAX];

void cmdline_set(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= CMDLINE_MAX)
		n = CMDLINE_MAX - 1;
	memcpy(line, s ? s : "", n);
	line[n] = '\0';
}

const char *cmdline(void)
{
	return line;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The next space-separated word at or after p, or NULL. */
static const char *next_word(const char *p, size_t *len)
{
	while (is_space(*p))
		p++;
	const char *start = p;
	while (*p && !is_space(*p))
		p++;
	*len = (size_t)(p - start);
	return *len ? start : NULL;
}

int cmdline_get(const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key), len;
	for (const char *w = next_word(line, &len); w; w = next_word(w + len, &len)) {
		if (len == 2 && w[0] == '-' && w[1] == '-')
			break;
		if (len > klen && strncmp(w, key, klen) == 0 && w[klen] == '=') {
			size_t vlen = len - klen - 1;
			if (cap == 0)
				return 0;
			if (vlen >= cap)
				vlen = cap - 1;
			memcpy(out, w + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		if (len == klen && strncmp(w, key, klen) == 0) {
			/* A bare key reads as "1". */
			if (cap >= 2) {
				out[0] = '1';
				out[1] = '\0';
			}
			return 0;
		}
	}
	return -1;
}

int cmdline_app_args(const char **argv, int max_argv, const char **envp, int max_envp, int *envc)
{
	memcpy(words, line, sizeof(words));
	int argc = 0, nenv = 0, after_sep = 0;
	char *p = words;
	for (;;) {
		while (is_space(*p))
			*p++ = '\0';
		if (!*p)
			break;
		char *w = p;
		while (*p && !is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
		if (!after_sep) {
			if (strcmp(w, "--") == 0)
				after_sep = 1;
			else if (strncmp(w, "zw.", 3) != 0 && strchr(w, '=') && w[0] != '=' &&
				 nenv < max_envp - 1)
				envp[nenv++] = w;
			continue;
		}
		if (argc < max_argv - 1)
			argv[argc++] = w;
	}
	if (argc == 0 && max_argv > 1)
		argv[argc++] = "app";
	argv[argc] = NULL;
	envp[nenv] = NULL;
	*envc = nenv;
	return argc;
}
