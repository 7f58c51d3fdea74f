# Host unit tests for the unikernel core's portable parts: the descriptor
# table and device files, the syscall table and the core's syscalls (with
# one thread and a mock demand-paged window), pipes, the ELF
# loader, initial-stack builder and command line. Kernel sources are compiled
# for the host against test_uk_mocks.c (console capture, cmocka allocator,
# fixed clocks).
UK_CORE := unikernel/core
UK_TEST_MOCKS := tests/unit/test_uk_mocks.c tests/unit/test_uk_mocks.h

UNIT_TESTS += $(BUILD)/tests/test_uk_fdtable $(BUILD)/tests/test_uk_syscall \
	$(BUILD)/tests/test_uk_loader

$(BUILD)/tests/test_uk_fdtable: $(UK_CORE)/file.c $(UK_CORE)/devices.c $(UK_TEST_MOCKS)
$(BUILD)/tests/test_uk_syscall: $(UK_CORE)/syscall.c $(UK_CORE)/sys_fs.c $(UK_CORE)/sys_proc.c \
	$(UK_CORE)/sys_time.c $(UK_CORE)/sys_mm.c $(UK_CORE)/file.c $(UK_CORE)/devices.c \
	$(UK_CORE)/net_stubs.c $(UK_CORE)/sys_thread.c $(UK_CORE)/pipe.c $(UK_TEST_MOCKS)
$(BUILD)/tests/test_uk_loader: $(UK_CORE)/elf.c $(UK_CORE)/initstack.c $(UK_CORE)/cmdline.c \
	$(UK_TEST_MOCKS)
$(BUILD)/tests/test_uk_%: CFLAGS += -Iunikernel/include -I$(UK_CORE) -Itests/unit \
	-fsanitize=address,undefined -fno-omit-frame-pointer
