/* Descriptor operations beyond file.h's, for the core's own syscalls. */
#ifndef UK_CORE_FDEXT_H
#define UK_CORE_FDEXT_H

/* Installs another reference to oldfd's file at the lowest free fd >= lowest. */
int fd_dup(int oldfd, int lowest);
/* dup2: closes newfd first if open. */
int fd_dup_to(int oldfd, int newfd);
int fd_count(void);
/* Empties slot fd without releasing its file (undoing an fd_install). */
void fd_table_forget(int fd);

/* The console (fd 0, 1, 2 at boot), /dev/null, /dev/zero, /dev/urandom. */
struct file *devfile_open(const char *path, int flags, int *err);
int console_files_install(void);

#endif
