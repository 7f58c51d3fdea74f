/* Memory syscalls. One address space and no protection: mprotect is
 * accepted and changes nothing (except making a PROT_NONE reservation
 * usable); mappings are anonymous (or /dev/zero). Reservations, large
 * mappings and anything at an address in the window are demand-paged
 * (vmem.c); the rest is taken eagerly from RAM (appmem.c). */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "linux.h"
#include "appmem.h"
#include "vmem.h"
#include "syscall_table.h"

long sys_brk(long addr, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return (long)appmem_brk((uint64_t)addr);
}

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
	(void)prot;
	if (len <= 0 || off % (long)PAGE_SIZE)
		return -EINVAL;
	if (!(flags & LX_MAP_ANONYMOUS)) {
		struct file *f = fd_get((int)fd);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_DEVZERO)
			return -ENODEV;
	}
	if (!(flags & (LX_MAP_PRIVATE | LX_MAP_SHARED)))
		return -EINVAL;
	int fixed = (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) != 0;
	int noreplace = !(flags & LX_MAP_FIXED);
	int prot_none = prot == LX_PROT_NONE;
	if (vmem_in_window((uint64_t)addr) || (!fixed && (prot_none || (size_t)len >= VMEM_LAZY_MIN)))
		return vmem_map((uint64_t)addr, (size_t)len, prot_none, fixed, noreplace);
	if (fixed)
		return appmem_map_fixed((uint64_t)addr, (size_t)len, !noreplace);
	return appmem_map((size_t)len);
}

long sys_munmap(long addr, long len, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (len <= 0)
		return -EINVAL;
	if (vmem_in_window((uint64_t)addr))
		return vmem_unmap((uint64_t)addr, (size_t)len);
	return appmem_unmap((uint64_t)addr, (size_t)len);
}

long sys_mremap(long old, long oldlen, long newlen, long flags, long newaddr, long a5)
{
	(void)newaddr, (void)a5;
	if (flags & LX_MREMAP_FIXED)
		return -EINVAL;
	if (vmem_in_window((uint64_t)old))
		return vmem_remap((uint64_t)old, (size_t)oldlen, (size_t)newlen, flags & LX_MREMAP_MAYMOVE);
	return appmem_remap((uint64_t)old, (size_t)oldlen, (size_t)newlen, flags & LX_MREMAP_MAYMOVE);
}

long sys_mprotect(long addr, long len, long prot, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (addr % (long)PAGE_SIZE)
		return -EINVAL;
	if (vmem_in_window((uint64_t)addr) && len > 0)
		return vmem_protect((uint64_t)addr, (size_t)len, prot == LX_PROT_NONE);
	return 0;
}

long sys_madvise(long addr, long len, long advice, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (addr % (long)PAGE_SIZE || len < 0)
		return -EINVAL;
	/* MADV_DONTNEED on private anonymous memory must read back as zero. */
	if (advice == LX_MADV_DONTNEED && len > 0 && vmem_in_window((uint64_t)addr))
		return vmem_discard((uint64_t)addr, (size_t)len);
	if (advice == LX_MADV_DONTNEED && len > 0) {
		if (!user_range_ok((void *)addr, (size_t)len))
			return -ENOMEM;
		memset((void *)addr, 0, (size_t)len);
	}
	return 0;
}
