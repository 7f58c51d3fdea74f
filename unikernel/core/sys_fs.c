/* Descriptor syscalls over file_ops: read/write and their vector and
 * positional forms, open/openat of the device files, close, dup*, fcntl,
 * ioctl, fstat. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "fdext.h"
#include "linux.h"
#include "syscall_table.h"

#define UNUSED4(a, b, c, d) ((void)(a), (void)(b), (void)(c), (void)(d))
#define IOV_MAX 1024
/* writev gathers small vectors into one write, so a socket sees one send
 * (one TCP segment) instead of one per iovec. */
#define GATHER_MAX 16384

static struct file *file_of(long fd, long *err)
{
	struct file *f = fd_get((int)fd);
	if (!f || fd < 0 || fd > 0x7fffffff)
		*err = -EBADF;
	return f;
}

long sys_read(long fd, long buf, long n, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	if (n < 0)
		return -EINVAL;
	if (!user_range_ok((void *)buf, (size_t)n))
		return -EFAULT;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, (void *)buf, (size_t)n);
}

long sys_write(long fd, long buf, long n, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	if (n < 0)
		return -EINVAL;
	if (!user_range_ok((const void *)buf, (size_t)n))
		return -EFAULT;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, (const void *)buf, (size_t)n);
}

static long check_iov(const struct lx_iovec *iov, long cnt, size_t *total)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	if (!user_range_ok(iov, (size_t)cnt * sizeof(*iov)))
		return -EFAULT;
	*total = 0;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].len > 0x7ffff000UL || *total + iov[i].len > 0x7ffff000UL)
			return -EINVAL;
		if (iov[i].len && !user_range_ok((void *)iov[i].base, iov[i].len))
			return -EFAULT;
		*total += iov[i].len;
	}
	return 0;
}

long sys_readv(long fd, long iovp, long cnt, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	const struct lx_iovec *iov = (const void *)iovp;
	size_t total;
	long r = check_iov(iov, cnt, &total);
	if (r < 0)
		return r;
	if (!f->ops->read)
		return -EINVAL;
	long done = 0;
	for (long i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		r = f->ops->read(f, (void *)iov[i].base, iov[i].len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return done;
}

long sys_writev(long fd, long iovp, long cnt, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	static char gather[GATHER_MAX];
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	const struct lx_iovec *iov = (const void *)iovp;
	size_t total;
	long r = check_iov(iov, cnt, &total);
	if (r < 0)
		return r;
	if (!f->ops->write)
		return -EINVAL;
	if (cnt > 1 && total <= GATHER_MAX) {
		size_t off = 0;
		for (long i = 0; i < cnt; i++) {
			memcpy(gather + off, (const void *)iov[i].base, iov[i].len);
			off += iov[i].len;
		}
		return f->ops->write(f, gather, total);
	}
	long done = 0;
	for (long i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		r = f->ops->write(f, (const void *)iov[i].base, iov[i].len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return done;
}

long sys_pread64(long fd, long buf, long n, long off, long a4, long a5)
{
	UNUSED4(buf, n, off, a4);
	(void)a5;
	long err = 0;
	return file_of(fd, &err) ? -ESPIPE : err;
}

long sys_pwrite64(long fd, long buf, long n, long off, long a4, long a5)
{
	return sys_pread64(fd, buf, n, off, a4, a5);
}

long sys_lseek(long fd, long off, long whence, long a3, long a4, long a5)
{
	UNUSED4(off, whence, a3, a4);
	(void)a5;
	long err = 0;
	return file_of(fd, &err) ? -ESPIPE : err;
}

static long path_ok(long path)
{
	const char *p = (const char *)path;
	/* Paths are short here; check the pointer, then the string in bounds. */
	if (!user_range_ok(p, 1))
		return -EFAULT;
	for (size_t i = 0; i < 4096; i++) {
		if (!user_range_ok(p + i, 1))
			return -EFAULT;
		if (!p[i])
			return 0;
	}
	return -ENAMETOOLONG;
}

long sys_openat(long dirfd, long path, long flags, long mode, long a4, long a5)
{
	UNUSED4(dirfd, mode, a4, a5);
	long r = path_ok(path);
	if (r < 0)
		return r;
	int err = 0;
	struct file *f = devfile_open((const char *)path, (int)flags, &err);
	if (!f)
		return (flags & LX_O_CREAT) && err == -ENOENT ? -EROFS : err;
	int fd = fd_install(f);
	if (fd < 0)
		kfree(f);  /* device files have no release op */
	return fd;
}

long sys_open(long path, long flags, long mode, long a3, long a4, long a5)
{
	(void)a3;
	return sys_openat(LX_AT_FDCWD, path, flags, mode, a4, a5);
}

long sys_access(long path, long mode, long a2, long a3, long a4, long a5)
{
	UNUSED4(mode, a2, a3, a4);
	(void)a5;
	long r = path_ok(path);
	if (r < 0)
		return r;
	int err = 0;
	struct file *f = devfile_open((const char *)path, 0, &err);
	if (!f)
		return err;
	kfree(f);
	return 0;
}

long sys_close(long fd, long a1, long a2, long a3, long a4, long a5)
{
	UNUSED4(a1, a2, a3, a4);
	(void)a5;
	if (fd < 0 || fd > 0x7fffffff)
		return -EBADF;
	return fd_close((int)fd);
}

long sys_dup(long fd, long a1, long a2, long a3, long a4, long a5)
{
	UNUSED4(a1, a2, a3, a4);
	(void)a5;
	if (fd < 0 || fd > 0x7fffffff)
		return -EBADF;
	return fd_dup((int)fd, 0);
}

long sys_dup2(long oldfd, long newfd, long a2, long a3, long a4, long a5)
{
	UNUSED4(a2, a3, a4, a5);
	if (oldfd < 0 || oldfd > 0x7fffffff || newfd < 0 || newfd > 0x7fffffff)
		return -EBADF;
	return fd_dup_to((int)oldfd, (int)newfd);
}

long sys_dup3(long oldfd, long newfd, long flags, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	if (oldfd == newfd)
		return -EINVAL;
	if (flags & ~LX_O_CLOEXEC)
		return -EINVAL;
	return sys_dup2(oldfd, newfd, 0, 0, 0, 0);
}

long sys_fcntl(long fd, long cmd, long arg, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	switch (cmd) {
	case LX_F_DUPFD:
	case LX_F_DUPFD_CLOEXEC:
		return fd_dup((int)fd, (int)arg);
	case LX_F_GETFD:
	case LX_F_SETFD:
		return 0; /* no exec, so close-on-exec means nothing */
	case LX_F_GETFL:
		return f->flags;
	case LX_F_SETFL: {
		const int settable = LX_O_NONBLOCK | LX_O_APPEND;
		f->flags = (f->flags & ~settable) | ((int)arg & settable);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

long sys_ioctl(long fd, long req, long arg, long a3, long a4, long a5)
{
	UNUSED4(a3, a4, a5, 0);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	if (req == LX_FIONBIO) {
		if (!user_range_ok((void *)arg, sizeof(int)))
			return -EFAULT;
		if (*(int *)arg)
			f->flags |= LX_O_NONBLOCK;
		else
			f->flags &= ~LX_O_NONBLOCK;
		return 0;
	}
	if (f->ops->ioctl)
		return f->ops->ioctl(f, (unsigned long)req, (unsigned long)arg);
	return -ENOTTY;
}

static void fill_stat(struct file *f, struct lx_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_blksize = 4096;
	switch (f->kind) {
	case FILE_SOCKET:
		st->st_mode = LX_S_IFSOCK | 0777;
		break;
	case FILE_PIPE:
		st->st_mode = LX_S_IFIFO | 0600;
		break;
	default:
		/* Character devices with Linux's numbers: console 5:1,
		 * null 1:3, zero 1:5. */
		st->st_mode = LX_S_IFCHR | 0666;
		st->st_rdev = f->kind == FILE_CONSOLE ? (5 << 8) | 1 : f->kind == FILE_DEVNULL ? (1 << 8) | 3 : (1 << 8) | 5;
		break;
	}
	st->st_ino = (uint64_t)(uintptr_t)f;
}

long sys_fstat(long fd, long statp, long a2, long a3, long a4, long a5)
{
	UNUSED4(a2, a3, a4, a5);
	long err = 0;
	struct file *f = file_of(fd, &err);
	if (!f)
		return err;
	if (!user_range_ok((void *)statp, sizeof(struct lx_stat)))
		return -EFAULT;
	fill_stat(f, (struct lx_stat *)statp);
	return 0;
}

long sys_newfstatat(long dirfd, long path, long statp, long flags, long a4, long a5)
{
	UNUSED4(a4, a5, 0, 0);
	long r = path_ok(path);
	if (r < 0)
		return r;
	if ((flags & LX_AT_EMPTY_PATH) && ((const char *)path)[0] == '\0')
		return sys_fstat(dirfd, statp, 0, 0, 0, 0);
	int err = 0;
	struct file *f = devfile_open((const char *)path, 0, &err);
	if (!f)
		return err;
	if (!user_range_ok((void *)statp, sizeof(struct lx_stat))) {
		kfree(f);
		return -EFAULT;
	}
	fill_stat(f, (struct lx_stat *)statp);
	kfree(f);
	return 0;
}
