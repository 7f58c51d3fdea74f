#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "qemu.h"

static int index_of(char **argv, const char *s)
{
	for (int i = 0; argv[i]; i++)
		if (strcmp(argv[i], s) == 0)
			return i;
	return -1;
}

static void microvm_with_tap_and_debug_exit(void **state)
{
	(void)state;
	struct qemu_vm vm = { .kernel = "/k", .initrd = "/i", .append = "zw.ip=10.201.1.2/24 -- httpd",
			      .mem_mib = 16, .vcpus = 1, .accel = "tcg", .tap = "zwt1", .debug_exit = 1 };
	char *argv[64], buf[4096];
	int argc = qemu_build_argv(&vm, argv, 64, buf, sizeof(buf));
	assert_true(argc > 10);
	assert_null(argv[argc]);
	int m = index_of(argv, "-M");
	assert_true(m > 0);
	assert_non_null(strstr(argv[m + 1], "microvm"));
	assert_string_equal(argv[index_of(argv, "-accel") + 1], "tcg");
	assert_string_equal(argv[index_of(argv, "-m") + 1], "16");
	assert_string_equal(argv[index_of(argv, "-append") + 1], "zw.ip=10.201.1.2/24 -- httpd");
	assert_true(index_of(argv, "-nodefaults") > 0);
	assert_non_null(strstr(argv[index_of(argv, "-netdev") + 1], "ifname=zwt1"));
	assert_true(index_of(argv, "isa-debug-exit,iobase=0xf4,iosize=0x04") > 0);
	assert_string_equal(argv[index_of(argv, "-cpu") + 1], "qemu64,+arat");
}

static void kvm_uses_host_cpu(void **state)
{
	(void)state;
	struct qemu_vm vm = { .kernel = "/k", .accel = "kvm" };
	char *argv[64], buf[4096];
	qemu_build_argv(&vm, argv, 64, buf, sizeof(buf));
	assert_string_equal(argv[index_of(argv, "-cpu") + 1], "host");
	assert_int_equal(index_of(argv, "-netdev"), -1);
	assert_int_equal(index_of(argv, "-initrd"), -1);
}

static void overflow_is_reported(void **state)
{
	(void)state;
	struct qemu_vm vm = { .kernel = "/k" };
	char *argv[64], buf[16];
	assert_int_equal(qemu_build_argv(&vm, argv, 64, buf, sizeof(buf)), -ENOSPC);
	char big[4096];
	assert_int_equal(qemu_build_argv(&vm, argv, 4, big, sizeof(big)), -ENOSPC);
}

static void debug_exit_status_decoding(void **state)
{
	(void)state;
	/* Raw wait statuses: exit code c is (c << 8). */
	assert_int_equal(qemu_guest_status((7 << 1 | 1) << 8), 7);
	assert_int_equal(qemu_guest_status(0), 0);
	assert_int_equal(qemu_guest_status(1 << 8), 0);   /* (0 << 1) | 1 */
	assert_int_equal(qemu_guest_status(2 << 8), -1);  /* even: QEMU's own error */
	assert_int_equal(qemu_guest_status(9), -1);       /* killed by SIGKILL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(microvm_with_tap_and_debug_exit),
		cmocka_unit_test(kvm_uses_host_cpu),
		cmocka_unit_test(overflow_is_reported),
		cmocka_unit_test(debug_exit_status_decoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
