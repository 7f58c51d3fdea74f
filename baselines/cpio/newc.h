/* A writer for the "newc" cpio format, the one the Linux kernel unpacks as an
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 * Owner root, mtime 0: the same inputs give the same bytes, and device nodes
 * need no mknod, so images build without root. */
#ifndef ZW_NEWC_H
#define ZW_NEWC_H
#include <stddef.h>
#include <stdio.h>

#define NEWC_HEADER_LEN 110

struct newc {
	FILE *out;
	size_t offset;     /* bytes written so far, for 4-byte alignment */
	unsigned next_ino;
	int error;         /* first -errno seen; later calls do nothing */
};

void newc_init(struct newc *w, FILE *out);

/* The 110-byte header of one entry into hdr (not NUL-terminated). */
void newc_header(char hdr[NEWC_HEADER_LEN], unsigned ino, unsigned mode, unsigned nlink,
		 size_t filesize, unsigned rdev_major, unsigned rdev_minor, size_t namesize);

/* Names are stored without a leading '/', as the kernel expects. Modes
 * carry only permission bits except for newc_node (S_IFCHR / S_IFBLK). */
int newc_dir(struct newc *w, const char *name, unsigned perm);
int newc_file(struct newc *w, const char *name, unsigned perm, const void *data, size_t len);
/* Copies the host file src byte for byte. */
int newc_file_from(struct newc *w, const char *name, unsigned perm, const char *src);
int newc_node(struct newc *w, const char *name, unsigned mode, unsigned major, unsigned minor);
int newc_symlink(struct newc *w, const char *name, const char *target);
/* Ends the archive. Returns 0 or the first error of the whole archive. */
int newc_finish(struct newc *w);

/* One line of a list in the manner of the kernel's gen_init_cpio:
 *   dir NAME PERM            file NAME SOURCE PERM
 *   nod NAME PERM c|b MAJ MIN  slink NAME TARGET
 * PERM is octal; '#' starts a comment. 0, or -EINVAL with the line unparsed. */
int newc_spec_line(struct newc *w, const char *line);

#endif
