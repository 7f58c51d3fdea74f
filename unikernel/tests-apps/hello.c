/* Boot test: prints its arguments and environment, exercises the memory
 * and descriptor syscalls musl's start-up and stdio rely on, and exits 7. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	printf("hello from the app: argc=%d", argc);
	for (int i = 0; i < argc; i++)
		printf(" argv[%d]=%s", i, argv[i]);
	printf("\n");
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);

	/* malloc: small (brk or mmap, musl decides) and large (mmap). */
	char *small = malloc(100), *big = malloc(1 << 20);
	if (!small || !big) {
		printf("malloc failed\n");
		return 1;
	}
	memset(big, 0xab, 1 << 20);
	free(big);
	free(small);
	void *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || ((char *)m)[5000] != 0 || munmap(m, 3 * 4096) != 0) {
		printf("mmap failed\n");
		return 1;
	}

	int fd = open("/dev/null", O_WRONLY);
	int zfd = open("/dev/zero", O_RDONLY);
	char buf[8] = "xxxxxxx";
	if (fd < 0 || zfd < 0 || write(fd, "x", 1) != 1 || read(zfd, buf, 4) != 4 || buf[0] || buf[3] ||
	    close(fd) || close(zfd)) {
		printf("device files failed\n");
		return 1;
	}
	if (open("/etc/passwd", O_RDONLY) != -1) {
		printf("open of a missing file succeeded\n");
		return 1;
	}

	/* An unknown syscall must fail with ENOSYS, not crash or hang. */
	errno = 0;
	if (syscall(1000) != -1 || errno != ENOSYS) {
		printf("syscall 1000 did not fail with ENOSYS\n");
		return 1;
	}

	struct utsname u;
	struct timespec t0, t1;
	uname(&u);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long slept_us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("uname %s %s %s; pid %d ppid %d; slept %ld us for 20000\n", u.sysname, u.release,
	       u.machine, getpid(), getppid(), slept_us);
	if (slept_us < 20000) {
		printf("nanosleep returned early\n");
		return 1;
	}
	printf("hello done\n");
	return 7;
}
