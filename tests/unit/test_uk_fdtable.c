/* The unikernel's descriptor table (unikernel/core/file.c) and its device
 * files (devices.c): lowest-free allocation, reference counting across
 * dup, release on last close, exhaustion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel.h"
#include "file.h"
#include "fdext.h"
#include "test_uk_mocks.h"

static int released;

static void count_release(struct file *f)
{
	(void)f;
	released++;
}

static const struct file_ops counted_ops = { .release = count_release };

static int close_all(void **state)
{
	(void)state;
	for (int fd = 0; fd < FD_MAX; fd++)
		fd_close(fd);
	released = 0;
	return 0;
}

static void test_lowest_free_descriptor(void **state)
{
	(void)state;
	struct file *a = file_new(&counted_ops, FILE_PIPE, NULL);
	struct file *b = file_new(&counted_ops, FILE_PIPE, NULL);
	struct file *c = file_new(&counted_ops, FILE_PIPE, NULL);
	assert_int_equal(fd_install(a), 0);
	assert_int_equal(fd_install(b), 1);
	assert_int_equal(fd_close(0), 0);
	assert_int_equal(released, 1);
	/* The hole at 0 is reused before 2. */
	assert_int_equal(fd_install(c), 0);
	assert_ptr_equal(fd_get(0), c);
	assert_ptr_equal(fd_get(1), b);
	assert_null(fd_get(2));
	assert_null(fd_get(-1));
	assert_null(fd_get(FD_MAX));
	close_all(NULL);
}

static void test_close_errors(void **state)
{
	(void)state;
	assert_int_equal(fd_close(3), -9);       /* EBADF */
	assert_int_equal(fd_close(-5), -9);
	assert_int_equal(fd_close(FD_MAX + 1), -9);
	assert_int_equal(fd_install(NULL), -22);  /* EINVAL */
	close_all(NULL);
}

static void test_dup_shares_until_last_close(void **state)
{
	(void)state;
	struct file *f = file_new(&counted_ops, FILE_PIPE, NULL);
	int fd = fd_install(f);
	int d1 = fd_dup(fd, 0);
	int d2 = fd_dup(fd, 10);
	assert_int_equal(d1, 1);
	assert_int_equal(d2, 10);
	assert_int_equal(f->refs, 3);
	fd_close(fd);
	fd_close(d2);
	assert_int_equal(released, 0);
	assert_ptr_equal(fd_get(d1), f);
	fd_close(d1);
	assert_int_equal(released, 1);
	close_all(NULL);
}

static void test_dup_to_replaces_open_descriptor(void **state)
{
	(void)state;
	struct file *a = file_new(&counted_ops, FILE_PIPE, NULL);
	struct file *b = file_new(&counted_ops, FILE_PIPE, NULL);
	int fa = fd_install(a), fb = fd_install(b);
	assert_int_equal(fd_dup_to(fa, fb), fb);
	/* b lost its only descriptor. */
	assert_int_equal(released, 1);
	assert_ptr_equal(fd_get(fb), a);
	assert_int_equal(fd_dup_to(fa, fa), fa);
	assert_int_equal(fd_dup_to(77, 3), -9);
	assert_int_equal(fd_dup_to(fa, FD_MAX), -9);
	close_all(NULL);
}

static void test_table_exhaustion(void **state)
{
	(void)state;
	struct file *f = file_new(&counted_ops, FILE_PIPE, NULL);
	assert_int_equal(fd_install(f), 0);
	for (int i = 1; i < FD_MAX; i++)
		assert_int_equal(fd_dup(0, 0), i);
	assert_int_equal(fd_dup(0, 0), -24);   /* EMFILE */
	struct file *g = file_new(&counted_ops, FILE_PIPE, NULL);
	assert_int_equal(fd_install(g), -24);
	/* Not installed: ours to release. */
	kfree(g);
	assert_int_equal(fd_count(), FD_MAX);
	close_all(NULL);
}

static void test_console_on_first_three(void **state)
{
	(void)state;
	assert_int_equal(console_files_install(), 0);
	struct file *f = fd_get(0);
	assert_non_null(f);
	assert_int_equal(f->kind, FILE_CONSOLE);
	assert_ptr_equal(fd_get(1), f);
	assert_ptr_equal(fd_get(2), f);
	mock_console_reset();
	assert_int_equal(f->ops->write(f, "hi\n", 3), 3);
	assert_string_equal(mock_console, "hi\n");
	char c;
	assert_int_equal(f->ops->read(f, &c, 1), 0);  /* EOF */
	/* Closing 1 and 2 keeps the file for 0. */
	fd_close(1);
	fd_close(2);
	assert_ptr_equal(fd_get(0), f);
	close_all(NULL);
}

static void test_device_files(void **state)
{
	(void)state;
	int err = 0;
	struct file *z = devfile_open("/dev/zero", 0, &err);
	assert_non_null(z);
	char buf[16];
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(z->ops->read(z, buf, 8), 8);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[7], 0);
	assert_int_equal(buf[8], 0x55);
	kfree(z);
	struct file *n = devfile_open("/dev/null", 0x801, &err);
	assert_non_null(n);
	assert_int_equal(n->flags, 0x801);  /* O_WRONLY | O_NONBLOCK kept */
	assert_int_equal(n->ops->read(n, buf, 8), 0);
	assert_int_equal(n->ops->write(n, buf, 8), 8);
	kfree(n);
	assert_null(devfile_open("/etc/hosts", 0, &err));
	assert_int_equal(err, -2);
	assert_null(devfile_open("/dev/null", 0x10000, &err));  /* O_DIRECTORY */
	assert_int_equal(err, -20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_free_descriptor),
		cmocka_unit_test(test_close_errors),
		cmocka_unit_test(test_dup_shares_until_last_close),
		cmocka_unit_test(test_dup_to_replaces_open_descriptor),
		cmocka_unit_test(test_table_exhaustion),
		cmocka_unit_test(test_console_on_first_three),
		cmocka_unit_test(test_device_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
	close_all(NULL);
}
