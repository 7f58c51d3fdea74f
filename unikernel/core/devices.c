/* The few files the app can open: the console on fds 0-2 (COM1; reading it
 * gives end-of-file, since COM1's input is the debug-request channel),
 * /dev/null, /dev/zero and /dev/urandom. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "fdext.h"
#include "linux.h"

uint64_t arch_random64(void);

static long console_read(struct file *f, void *buf, size_t n)
{
	(void)f, (void)buf, (void)n;
	return 0;
}

static long console_file_write(struct file *f, const void *buf, size_t n)
{
	(void)f;
	console_write(buf, n);
	return (long)n;
}

static uint32_t console_poll(struct file *f)
{
	(void)f;
	return LX_EPOLLIN | LX_EPOLLOUT;
}

static long null_read(struct file *f, void *buf, size_t n)
{
	(void)f, (void)buf, (void)n;
	return 0;
}

static long sink_write(struct file *f, const void *buf, size_t n)
{
	(void)f, (void)buf;
	return (long)n;
}

static long zero_read(struct file *f, void *buf, size_t n)
{
	(void)f;
	memset(buf, 0, n);
	return (long)n;
}

static long random_read(struct file *f, void *buf, size_t n)
{
	(void)f;
	unsigned char *p = buf;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = arch_random64();
		size_t k = n - i < 8 ? n - i : 8;
		memcpy(p + i, &r, k);
	}
	return (long)n;
}

static uint32_t always_ready(struct file *f)
{
	(void)f;
	return LX_EPOLLIN | LX_EPOLLOUT;
}

static const struct file_ops console_ops = { .read = console_read, .write = console_file_write, .poll = console_poll };
static const struct file_ops null_ops = { .read = null_read, .write = sink_write, .poll = always_ready };
static const struct file_ops zero_ops = { .read = zero_read, .write = sink_write, .poll = always_ready };
static const struct file_ops random_ops = { .read = random_read, .write = sink_write, .poll = always_ready };

struct file *devfile_open(const char *path, int flags, int *err)
{
	static const struct {
		const char *path;
		const struct file_ops *ops;
		int kind;
	} devs[] = {
		{ "/dev/null", &null_ops, FILE_DEVNULL },
		{ "/dev/zero", &zero_ops, FILE_DEVZERO },
		{ "/dev/urandom", &random_ops, FILE_DEVZERO },
		{ "/dev/random", &random_ops, FILE_DEVZERO },
		{ "/dev/console", &console_ops, FILE_CONSOLE },
		{ "/dev/tty", &console_ops, FILE_CONSOLE },
	};
	if (flags & (LX_O_DIRECTORY)) {
		*err = -ENOTDIR;
		return NULL;
	}
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		if (strcmp(path, devs[i].path) != 0)
			continue;
		struct file *f = file_new(devs[i].ops, devs[i].kind, NULL);
		if (!f) {
			*err = -ENOMEM;
			return NULL;
		}
		f->flags = flags & (LX_O_ACCMODE | LX_O_NONBLOCK | LX_O_APPEND);
		return f;
	}
	*err = -ENOENT;
	return NULL;
}

int console_files_install(void)
{
	struct file *f = file_new(&console_ops, FILE_CONSOLE, NULL);
	if (!f)
		return -ENOMEM;
	f->flags = LX_O_RDWR;
	/* One file, three descriptors: file_new's reference plus two. */
	f->refs = 3;
	for (int fd = 0; fd < 3; fd++)
		if (fd_install(f) != fd)
			return -EBUSY;
	return 0;
}
