/* The descriptor table: one process, FD_MAX slots, lowest free first.
 * A struct file counts its descriptors; the last close releases it. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"

static struct file *fd_table[FD_MAX];

struct file *file_new(const struct file_ops *ops, int kind, void *priv)
{
	struct file *f = kcalloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->kind = kind;
	f->priv = priv;
	f->refs = 1;
	return f;
}

void file_discard(struct file *f)
{
	kfree(f);
}

static void file_put(struct file *f)
{
	if (--f->refs > 0)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	kfree(f);
}

static int install_from(struct file *f, int lowest)
{
	for (int fd = lowest; fd < FD_MAX; fd++)
		if (!fd_table[fd]) {
			fd_table[fd] = f;
			return fd;
		}
	return -EMFILE;
}

int fd_install(struct file *f)
{
	if (!f)
		return -EINVAL;
	return install_from(f, 0);
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	return fd_table[fd];
}

int fd_close(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	fd_table[fd] = NULL;
	file_put(f);
	return 0;
}

int fd_dup(int oldfd, int lowest)
{
	struct file *f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	if (lowest < 0 || lowest >= FD_MAX)
		return -EINVAL;
	int fd = install_from(f, lowest);
	if (fd >= 0)
		f->refs++;
	return fd;
}

int fd_dup_to(int oldfd, int newfd)
{
	struct file *f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	if (newfd == oldfd)
		return newfd;
	f->refs++;
	struct file *old = fd_table[newfd];
	fd_table[newfd] = f;
	if (old)
		file_put(old);
	return newfd;
}

int fd_count(void)
{
	int n = 0;
	for (int fd = 0; fd < FD_MAX; fd++)
		n += fd_table[fd] != NULL;
	return n;
}

void fd_table_forget(int fd)
{
	if (fd >= 0 && fd < FD_MAX)
		fd_table[fd] = NULL;
}
