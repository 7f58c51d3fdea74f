#include "newc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEWC_MAGIC "070701"

void newc_init(struct newc *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->next_ino = 1;   /* 0 is never a file's inode, hard links are keyed on it */
}

void newc_header(char hdr[NEWC_HEADER_LEN], unsigned ino, unsigned mode, unsigned nlink,
		 size_t filesize, unsigned rdev_major, unsigned rdev_minor, size_t namesize)
{
	char tmp[NEWC_HEADER_LEN + 1];

	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
	 * rdevminor namesize check: 13 fields of 8 hex digits. */
	snprintf(tmp, sizeof(tmp), NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, 0u, (unsigned)filesize, 0u, 0u, rdev_major, rdev_minor,
		 (unsigned)namesize, 0u);
	memcpy(hdr, tmp, NEWC_HEADER_LEN);
}

/* Keeps the first error: later entries are skipped, newc_finish reports it. */
static int set_error(struct newc *w, int err)
{
	if (!w->error)
		w->error = err;
	return w->error;
}

static void put(struct newc *w, const void *data, size_t len)
{
	if (w->error || len == 0)
		return;
	if (fwrite(data, 1, len, w->out) != len)
		set_error(w, -EIO);
	w->offset += len;
}

static void pad4(struct newc *w)
{
	static const char zero[4];

	put(w, zero, (4 - w->offset % 4) % 4);
}

static int entry(struct newc *w, const char *name, unsigned mode, const void *data, size_t len,
		 unsigned maj, unsigned min)
{
	char hdr[NEWC_HEADER_LEN];
	size_t namesize;

	while (*name == '/')
		name++;
	if (*name == '\0')
		return set_error(w, -EINVAL);
	namesize = strlen(name) + 1;
	if (len > 0xffffffffu)
		return set_error(w, -EFBIG);
	newc_header(hdr, w->next_ino++, mode, S_ISDIR(mode) ? 2 : 1, len, maj, min, namesize);
	put(w, hdr, sizeof(hdr));
	put(w, name, namesize);
	pad4(w);
	put(w, data, len);
	pad4(w);
	return w->error;
}

int newc_dir(struct newc *w, const char *name, unsigned perm)
{
	return entry(w, name, S_IFDIR | (perm & 07777), NULL, 0, 0, 0);
}

int newc_file(struct newc *w, const char *name, unsigned perm, const void *data, size_t len)
{
	return entry(w, name, S_IFREG | (perm & 07777), data, len, 0, 0);
}

int newc_file_from(struct newc *w, const char *name, unsigned perm, const char *src)
{
	FILE *f = fopen(src, "rb");
	char *data = NULL;
	long len;
	int rc;

	if (!f)
		return set_error(w, -errno);
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return set_error(w, -EIO);
	}
	if (len > 0) {
		data = malloc(len);
		int err = !data ? -ENOMEM : fread(data, 1, len, f) != (size_t)len ? -EIO : 0;

		if (err) {
			free(data);
			fclose(f);
			return set_error(w, err);
		}
	}
	fclose(f);
	rc = newc_file(w, name, perm, data, len);
	free(data);
	return rc;
}

int newc_node(struct newc *w, const char *name, unsigned mode, unsigned major, unsigned minor)
{
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return set_error(w, -EINVAL);
	return entry(w, name, mode, NULL, 0, major, minor);
}

int newc_symlink(struct newc *w, const char *name, const char *target)
{
	return entry(w, name, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

int newc_finish(struct newc *w)
{
	char hdr[NEWC_HEADER_LEN];
	static const char trailer[] = "TRAILER!!!";

	newc_header(hdr, 0, 0, 1, 0, 0, 0, sizeof(trailer));
	put(w, hdr, sizeof(hdr));
	put(w, trailer, sizeof(trailer));
	pad4(w);
	if (!w->error && fflush(w->out))
		set_error(w, -EIO);
	return w->error;
}

static int parse_perm(const char *s, unsigned *perm)
{
	char *end;
	unsigned long v = strtoul(s, &end, 8);

	if (*s == '\0' || *end != '\0' || v > 07777)
		return -EINVAL;
	*perm = (unsigned)v;
	return 0;
}

int newc_spec_line(struct newc *w, const char *line)
{
	char kind[8], a[256], b[256], c[16], d[16], e[16];
	unsigned perm, maj, min;
	int n;

	if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
		return 0;
	n = sscanf(line, "%7s %255s %255s %15s %15s %15s %15s", kind, a, b, c, d, e, e);
	if (n == 3 && strcmp(kind, "dir") == 0 && !parse_perm(b, &perm))
		return newc_dir(w, a, perm);
	if (n == 4 && strcmp(kind, "file") == 0 && !parse_perm(c, &perm))
		return newc_file_from(w, a, perm, b);
	if (n == 3 && strcmp(kind, "slink") == 0)
		return newc_symlink(w, a, b);
	if (n == 6 && strcmp(kind, "nod") == 0 && !parse_perm(b, &perm) &&
	    (strcmp(c, "c") == 0 || strcmp(c, "b") == 0) &&
	    sscanf(d, "%u", &maj) == 1 && sscanf(e, "%u", &min) == 1)
		return newc_node(w, a, (c[0] == 'c' ? S_IFCHR : S_IFBLK) | perm, maj, min);
	return -EINVAL;
}
