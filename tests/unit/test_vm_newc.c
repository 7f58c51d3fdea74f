/* The initramfs writer (baselines/cpio/newc.c), checked by reading its
 * archives back with an independent walker of the newc format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../baselines/cpio/newc.h"

struct member {
	char name[128];
	unsigned ino, mode, nlink, rmaj, rmin;
	size_t size;
	const unsigned char *data;
};

static unsigned long hex8(const char *p)
{
	char tmp[9];

	memcpy(tmp, p, 8);
	tmp[8] = '\0';
	for (int i = 0; i < 8; i++)
		assert_non_null(strchr("0123456789ABCDEF", tmp[i]));
	return strtoul(tmp, NULL, 16);
}

/* Walks buf; returns the number of members before the trailer. */
static int walk(const unsigned char *buf, size_t len, struct member *m, int max)
{
	size_t off = 0;
	int n = 0;

	for (;;) {
		assert_true(off % 4 == 0);
		assert_true(off + NEWC_HEADER_LEN <= len);
		const char *h = (const char *)buf + off;
		assert_memory_equal(h, "070701", 6);
		struct member e = { 0 };
		e.ino = hex8(h + 6);
		e.mode = hex8(h + 14);
		assert_int_equal(hex8(h + 22), 0);   /* uid */
		assert_int_equal(hex8(h + 30), 0);   /* gid */
		e.nlink = hex8(h + 38);
		assert_int_equal(hex8(h + 46), 0);   /* mtime: reproducible */
		e.size = hex8(h + 54);
		e.rmaj = hex8(h + 78);
		e.rmin = hex8(h + 86);
		size_t namesize = hex8(h + 94);
		assert_int_equal(hex8(h + 102), 0);  /* check */
		assert_true(namesize >= 2 && namesize < sizeof(e.name));
		off += NEWC_HEADER_LEN;
		memcpy(e.name, buf + off, namesize);
		assert_int_equal(e.name[namesize - 1], '\0');
		assert_int_equal(strlen(e.name), namesize - 1);
		off = (off + namesize + 3) & ~(size_t)3;
		e.data = buf + off;
		off = (off + e.size + 3) & ~(size_t)3;
		assert_true(off <= len);
		if (strcmp(e.name, "TRAILER!!!") == 0) {
			assert_int_equal(off, len);
			return n;
		}
		assert_true(n < max);
		m[n++] = e;
	}
}

static char *buf;
static size_t len;
static FILE *mem;
static struct newc w;

static int setup(void **state)
{
	(void)state;
	mem = open_memstream(&buf, &len);
	newc_init(&w, mem);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fclose(mem);
	free(buf);
	return 0;
}

static void header_layout(void **state)
{
	char hdr[NEWC_HEADER_LEN + 1] = { 0 };

	(void)state;
	newc_header(hdr, 0x1a, S_IFREG | 0755, 1, 0x12345, 5, 1, 9);
	assert_int_equal(strlen(hdr), NEWC_HEADER_LEN);
	assert_string_equal(hdr, "070701" "0000001A" "000081ED" "00000000" "00000000" "00000001"
				 "00000000" "00012345" "00000000" "00000000" "00000005" "00000001"
				 "00000009" "00000000");
}

static void entries_round_trip(void **state)
{
	static const unsigned char blob[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 0, 0xff };
	struct member m[8];

	(void)state;
	assert_int_equal(newc_dir(&w, "/dev", 0755), 0);
	assert_int_equal(newc_node(&w, "/dev/console", S_IFCHR | 0600, 5, 1), 0);
	assert_int_equal(newc_file(&w, "/bin/x", 0755, blob, sizeof(blob)), 0);
	assert_int_equal(newc_file(&w, "empty", 0644, NULL, 0), 0);
	assert_int_equal(newc_symlink(&w, "/sbin", "bin"), 0);
	assert_int_equal(newc_finish(&w), 0);
	fflush(mem);
	assert_int_equal(len % 4, 0);
	int n = walk((unsigned char *)buf, len, m, 8);
	assert_int_equal(n, 5);
	assert_string_equal(m[0].name, "dev");        /* no leading '/' */
	assert_int_equal(m[0].mode, S_IFDIR | 0755);
	assert_int_equal(m[0].nlink, 2);
	assert_string_equal(m[1].name, "dev/console");
	assert_int_equal(m[1].mode, S_IFCHR | 0600);
	assert_int_equal(m[1].rmaj, 5);
	assert_int_equal(m[1].rmin, 1);
	assert_string_equal(m[2].name, "bin/x");
	assert_int_equal(m[2].mode, S_IFREG | 0755);
	assert_int_equal(m[2].size, sizeof(blob));
	assert_memory_equal(m[2].data, blob, sizeof(blob));
	assert_int_equal(m[3].size, 0);
	assert_int_equal(m[4].mode, S_IFLNK | 0777);
	assert_int_equal(m[4].size, 3);
	assert_memory_equal(m[4].data, "bin", 3);
	/* Distinct non-zero inodes: the kernel links entries sharing one. */
	for (int i = 0; i < n; i++) {
		assert_int_not_equal(m[i].ino, 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(m[i].ino, m[j].ino);
	}
}

static void file_from_copies_bytes(void **state)
{
	char path[] = "/tmp/zw-newc-XXXXXX";
	unsigned char data[5000];
	struct member m[2];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	assert_int_equal(write(fd, data, sizeof(data)), (int)sizeof(data));
	close(fd);
	assert_int_equal(newc_file_from(&w, "bin/httpd", 0755, path), 0);
	assert_int_equal(newc_finish(&w), 0);
	unlink(path);
	assert_int_equal(walk((unsigned char *)buf, len, m, 2), 1);
	assert_int_equal(m[0].size, sizeof(data));
	assert_memory_equal(m[0].data, data, sizeof(data));
}

static void spec_lines(void **state)
{
	struct member m[4];

	(void)state;
	assert_int_equal(newc_spec_line(&w, "# a comment"), 0);
	assert_int_equal(newc_spec_line(&w, "   "), 0);
	assert_int_equal(newc_spec_line(&w, ""), 0);
	assert_int_equal(newc_spec_line(&w, "dir /proc 0555"), 0);
	assert_int_equal(newc_spec_line(&w, "nod /dev/console 0600 c 5 1"), 0);
	assert_int_equal(newc_spec_line(&w, "slink /init bin/zwinit"), 0);
	const char *bad[] = { "dir /proc", "dir /proc 0999", "dir /proc 755x", "nod /x 0600 x 5 1",
			      "nod /x 0600 c five 1", "nod /x 0600 c 5", "file /x", "frob /x 0755",
			      "dir /proc 0555 extra", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(newc_spec_line(&w, bad[i]), -EINVAL);
	assert_int_equal(newc_finish(&w), 0);
	assert_int_equal(walk((unsigned char *)buf, len, m, 4), 3);
	assert_int_equal(m[0].mode, S_IFDIR | 0555);
	assert_int_equal(m[1].rmaj, 5);
}

static void errors_stick_until_finish(void **state)
{
	(void)state;
	assert_int_equal(newc_spec_line(&w, "file /bin/x /nonexistent/zw-file 0755"), -ENOENT);
	/* Later entries are skipped and the archive as a whole fails. */
	assert_int_equal(newc_dir(&w, "/proc", 0555), -ENOENT);
	assert_int_equal(newc_finish(&w), -ENOENT);
}

static void bad_entries(void **state)
{
	(void)state;
	assert_int_equal(newc_node(&w, "/x", S_IFREG | 0644, 1, 3), -EINVAL);
	teardown(state);
	setup(state);
	assert_int_equal(newc_dir(&w, "/", 0755), -EINVAL);
	assert_int_equal(newc_finish(&w), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_layout),
		cmocka_unit_test_setup_teardown(entries_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(file_from_copies_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(spec_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_stick_until_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_entries, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
