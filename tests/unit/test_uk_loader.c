/* The unikernel's app loader, on the host: ELF validation and segment
 * copying (elf.c), the initial stack with argv/envp/auxv (initstack.c), and
 * the kernel command line split into options, environment and argv
 * (cmdline.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel.h"
#include "elf.h"
#include "initstack.h"
#include "cmdline.h"
#include "linux.h"
#include "test_uk_mocks.h"

/* A synthetic static executable: headers+rodata page, a text page, and a
 * data segment with .bss beyond its file size. */
struct ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define IMG_SIZE 0x3000
static unsigned char img[IMG_SIZE];

static struct ehdr *eh(void) { return (struct ehdr *)img; }
static struct phdr *ph(int i) { return (struct phdr *)(img + 64) + i; }

static int make_exec(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(eh()->ident, "\177ELF\2\1\1", 7);
	eh()->type = 2;
	eh()->machine = 62;
	eh()->version = 1;
	eh()->entry = 0x401000;
	eh()->phoff = 64;
	eh()->ehsize = 64;
	eh()->phentsize = sizeof(struct phdr);
	eh()->phnum = 4;
	*ph(0) = (struct phdr){ 1, 4, 0, 0x400000, 0x400000, 0x200, 0x200, 0x1000 };
	*ph(1) = (struct phdr){ 1, 5, 0x1000, 0x401000, 0x401000, 0x100, 0x100, 0x1000 };
	*ph(2) = (struct phdr){ 1, 6, 0x2010, 0x402010, 0x402010, 0x20, 0x1800, 0x1000 };
	*ph(3) = (struct phdr){ 0x6474e551, 6, 0, 0, 0, 0, 0, 16 };  /* GNU_STACK */
	memset(img + 0x1000, 0xc3, 0x100);       /* "code" */
	memset(img + 0x2010, 0x5a, 0x20);        /* initialised data */
	memset(img + 0x2030, 0xee, 0x100);       /* file bytes past filesz: must not load */
	return 0;
}

static void test_parse_static_exec(void **state)
{
	(void)state;
	struct elf_image im;
	const char *why = NULL;
	assert_int_equal(elf_parse(img, IMG_SIZE, &im, &why), 0);
	assert_int_equal(im.lo, 0x400000);
	assert_int_equal(im.hi, 0x404000);       /* 0x402010 + 0x1800, page-rounded */
	assert_int_equal(im.entry, 0x401000);
	assert_int_equal(im.phdr_vaddr, 0x400040); /* inside the first segment */
	assert_int_equal(im.phnum, 4);
	assert_int_equal(im.phentsize, 56);
	assert_false(im.relocatable);
}

static void test_copy_zero_fills_bss(void **state)
{
	(void)state;
	struct elf_image im;
	assert_int_equal(elf_parse(img, IMG_SIZE, &im, NULL), 0);
	size_t span = im.hi - im.lo;
	unsigned char *mem = malloc(span);
	memset(mem, 0x77, span);  /* dirty: the copy must clear bss itself */
	elf_copy_segments(img, &im, mem);
	assert_memory_equal(mem, img, 0x200);               /* headers */
	assert_int_equal(mem[0x1000], 0xc3);
	assert_int_equal(mem[0x10ff], 0xc3);
	assert_int_equal(mem[0x2010], 0x5a);
	assert_int_equal(mem[0x202f], 0x5a);
	for (size_t i = 0x2030; i < 0x2010 + 0x1800; i++)
		if (mem[i] != 0)
			fail_msg("bss byte at +0x%zx is 0x%x", i, mem[i]);
	free(mem);
}

static void expect_refusal(const char *reason_part)
{
	struct elf_image im;
	const char *why = NULL;
	assert_int_equal(elf_parse(img, IMG_SIZE, &im, &why), -8);  /* ENOEXEC */
	assert_non_null(why);
	if (!strstr(why, reason_part))
		fail_msg("reason \"%s\" lacks \"%s\"", why, reason_part);
}

static void test_rejects_bad_files(void **state)
{
	(void)state;
	img[0] = 'X';
	expect_refusal("not an ELF");
	make_exec(NULL);
	eh()->machine = 3;
	expect_refusal("x86-64");
	make_exec(NULL);
	eh()->ident[4] = 1;
	expect_refusal("64-bit");
	make_exec(NULL);
	eh()->type = 1;
	expect_refusal("executable");
	make_exec(NULL);
	ph(3)->type = 3;  /* PT_INTERP */
	expect_refusal("dynamically linked");
	make_exec(NULL);
	ph(1)->filesz = 0x10000;
	ph(1)->memsz = 0x10000;
	expect_refusal("past the end");
	make_exec(NULL);
	ph(1)->filesz = 0x200;
	expect_refusal("exceeds");
	make_exec(NULL);
	eh()->entry = 0x900000;
	expect_refusal("entry point");
	make_exec(NULL);
	eh()->phnum = 200;
	expect_refusal("program header");
	make_exec(NULL);
	ph(0)->vaddr = 0;
	expect_refusal("page 0");
	make_exec(NULL);
	ph(2)->vaddr = ~0ULL - 0x100;
	expect_refusal("out of range");
	struct elf_image im;
	assert_int_equal(elf_parse(img, 10, &im, NULL), -8);
}

static void test_static_pie_is_relocatable(void **state)
{
	(void)state;
	eh()->type = 3;
	eh()->entry = 0x1000;
	*ph(0) = (struct phdr){ 1, 4, 0, 0, 0, 0x200, 0x200, 0x1000 };
	*ph(1) = (struct phdr){ 1, 5, 0x1000, 0x1000, 0x1000, 0x100, 0x100, 0x1000 };
	*ph(2) = (struct phdr){ 1, 6, 0x2010, 0x2010, 0x2010, 0x20, 0x100, 0x200000 };
	*ph(3) = (struct phdr){ 6, 4, 64, 64, 64, 4 * 56, 4 * 56, 8 };  /* PT_PHDR */
	struct elf_image im;
	assert_int_equal(elf_parse(img, IMG_SIZE, &im, NULL), 0);
	assert_true(im.relocatable);
	assert_int_equal(im.lo, 0);
	assert_int_equal(im.phdr_vaddr, 64);
	assert_int_equal(im.align, 0x200000);
}

/* Reads the stack the way a C runtime does. */
struct parsed_stack {
	uint64_t argc;
	const char *argv[8];
	const char *envp[8];
	uint64_t aux[64];      /* value by type, ~0 when absent */
	int envc;
};

static void *at(unsigned char *buf, uint64_t top, size_t len, uint64_t addr)
{
	assert_true(addr >= top - len && addr < top);
	return buf + (addr - (top - len));
}

static void parse_stack(unsigned char *buf, uint64_t top, size_t len, uint64_t sp, struct parsed_stack *ps)
{
	uint64_t *w = at(buf, top, len, sp);
	memset(ps, 0, sizeof(*ps));
	memset(ps->aux, 0xff, sizeof(ps->aux));
	ps->argc = *w++;
	for (uint64_t i = 0; i < ps->argc; i++)
		ps->argv[i] = at(buf, top, len, *w++);
	assert_int_equal(*w++, 0);
	while (*w)
		ps->envp[ps->envc++] = at(buf, top, len, *w++);
	w++;
	for (; w[0] != LX_AT_NULL; w += 2)
		if (w[0] < 64)
			ps->aux[w[0]] = w[1];
}

static void test_initial_stack_layout(void **state)
{
	(void)state;
	static unsigned char stack[8192];
	const uint64_t top = 0x7ff000;
	const char *argv[] = { "httpd", "--port", "8080" };
	const char *envp[] = { "HOME=/", "LANG=C" };
	const struct auxv_entry aux[] = { { LX_AT_PHDR, 0x400040 }, { LX_AT_PHNUM, 4 },
					  { LX_AT_PAGESZ, 4096 }, { LX_AT_ENTRY, 0x401000 } };
	struct initstack_args a = { .argc = 3, .argv = argv, .envc = 2, .envp = envp, .aux = aux,
				    .naux = 4, .platform = "x86_64" };
	for (int i = 0; i < 16; i++)
		a.random[i] = (uint8_t)(i * 17 + 1);
	uint64_t sp;
	assert_int_equal(initstack_build(stack, sizeof(stack), top, &a, &sp), 0);
	assert_int_equal(sp % 16, 0);
	struct parsed_stack ps;
	parse_stack(stack, top, sizeof(stack), sp, &ps);
	assert_int_equal(ps.argc, 3);
	assert_string_equal(ps.argv[0], "httpd");
	assert_string_equal(ps.argv[2], "8080");
	assert_int_equal(ps.envc, 2);
	assert_string_equal(ps.envp[1], "LANG=C");
	assert_int_equal(ps.aux[LX_AT_PHDR], 0x400040);
	assert_int_equal(ps.aux[LX_AT_ENTRY], 0x401000);
	assert_int_equal(ps.aux[LX_AT_PAGESZ], 4096);
	assert_memory_equal(at(stack, top, sizeof(stack), ps.aux[LX_AT_RANDOM]), a.random, 16);
	assert_string_equal(at(stack, top, sizeof(stack), ps.aux[LX_AT_PLATFORM]), "x86_64");
	assert_string_equal(at(stack, top, sizeof(stack), ps.aux[LX_AT_EXECFN]), "httpd");
}

static void test_initial_stack_too_small(void **state)
{
	(void)state;
	static unsigned char stack[128];
	const char *argv[] = { "a-rather-long-program-name", "with", "several", "arguments" };
	struct initstack_args a = { .argc = 4, .argv = argv, .platform = "x86_64" };
	uint64_t sp = 0;
	assert_int_equal(initstack_build(stack, sizeof(stack), 0x10000, &a, &sp), -7);
	assert_int_equal(initstack_build(stack, 64, 0x10000, &a, &sp), -7);
}

static void test_cmdline_options_env_and_argv(void **state)
{
	(void)state;
	cmdline_set("zw.ip=10.201.3.2/24  zw.ring3 TZ=UTC zw.gw=10.201.3.1 -- httpd --port 8080 zw.ip=no");
	char v[32];
	assert_int_equal(cmdline_get("zw.ip", v, sizeof(v)), 0);
	assert_string_equal(v, "10.201.3.2/24");
	assert_int_equal(cmdline_get("zw.ring3", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(cmdline_get("zw.gw", v, 5), 0);
	assert_string_equal(v, "10.2");  /* truncated to the buffer */
	assert_int_equal(cmdline_get("zw.i", v, sizeof(v)), -1);  /* no prefix matches */
	assert_int_equal(cmdline_get("--port", v, sizeof(v)), -1); /* app args are not options */
	const char *argv[8], *envp[8];
	int envc;
	int argc = cmdline_app_args(argv, 8, envp, 8, &envc);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "httpd");
	assert_string_equal(argv[3], "zw.ip=no");
	assert_null(argv[4]);
	assert_int_equal(envc, 1);
	assert_string_equal(envp[0], "TZ=UTC");
	assert_null(envp[1]);
	/* The kernel's own copy is untouched by the split. */
	assert_non_null(strstr(cmdline(), "-- httpd --port 8080"));
}

static void test_cmdline_without_app_args(void **state)
{
	(void)state;
	cmdline_set("");
	const char *argv[4], *envp[4];
	int envc;
	assert_int_equal(cmdline_app_args(argv, 4, envp, 4, &envc), 1);
	assert_string_equal(argv[0], "app");
	assert_int_equal(envc, 0);
	cmdline_set("-- a b c d e f g");
	assert_int_equal(cmdline_app_args(argv, 4, envp, 4, &envc), 3);  /* capped, NULL-terminated */
	assert_null(argv[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_static_exec, make_exec),
		cmocka_unit_test_setup(test_copy_zero_fills_bss, make_exec),
		cmocka_unit_test_setup(test_rejects_bad_files, make_exec),
		cmocka_unit_test_setup(test_static_pie_is_relocatable, make_exec),
		cmocka_unit_test(test_initial_stack_layout),
		cmocka_unit_test(test_initial_stack_too_small),
		cmocka_unit_test(test_cmdline_options_env_and_argv),
		cmocka_unit_test(test_cmdline_without_app_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
