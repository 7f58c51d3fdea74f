# Unit tests of the Linux VM baseline's builders: the kernel command line
# (harness) against the parser the guest's init uses, the init's own parser,
# and the initramfs (newc cpio) writer. All host code, no QEMU.
UNIT_TESTS += $(BUILD)/tests/test_vm_cmdline $(BUILD)/tests/test_vm_bootargs \
	$(BUILD)/tests/test_vm_newc

$(BUILD)/tests/test_vm_cmdline: $(BUILD)/harness/vm_cmdline.o baselines/init/bootargs.c \
	baselines/init/bootargs.h
$(BUILD)/tests/test_vm_bootargs: baselines/init/bootargs.c baselines/init/bootargs.h
$(BUILD)/tests/test_vm_newc: baselines/cpio/newc.c baselines/cpio/newc.h
