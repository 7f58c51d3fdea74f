# The Linux VM baseline (issue 4): Debian's cloud kernel, fetched with
# apt-get download and unpacked with dpkg -x (never installed), booted as the
# ELF image inside its bzImage; one initramfs per workload with our static
# init (zwinit), the virtio-mmio/virtio-net modules of the same package and
# the workload binary, byte-identical. See baselines/README.md.
VM_DIR       := $(BUILD)/vm
VM_WORKLOADS := httpd sysbench $(GO_WORKLOADS)
ZWINIT_SRCS  := baselines/init/zwinit.c baselines/init/bootargs.c baselines/init/netcfg.c
ZWCPIO_SRCS  := baselines/cpio/zwcpio.c baselines/cpio/newc.c
VM_INITRAMFS := $(VM_WORKLOADS:%=$(VM_DIR)/initramfs-%.cpio)

baselines: $(VM_DIR)/vmlinux $(VM_INITRAMFS)

# kernel.version is written last by fetch-kernel.sh, so it marks a complete
# fetch. To move to a newer kernel package: rm -r build/vm.
$(VM_DIR)/kernel.version:
	baselines/fetch-kernel.sh $(VM_DIR)

$(VM_DIR)/vmlinux: $(VM_DIR)/kernel.version baselines/extract-vmlinux.sh
	baselines/extract-vmlinux.sh $(VM_DIR)/vmlinuz $@

# PID 1 of the guest: static musl, stripped, as small as the job allows.
$(VM_DIR)/zwinit: $(ZWINIT_SRCS) $(wildcard baselines/init/*.h)
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -s -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(ZWINIT_SRCS) -o $@

$(VM_DIR)/zwcpio: $(ZWCPIO_SRCS) baselines/cpio/newc.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(ZWCPIO_SRCS) -o $@

$(VM_DIR)/initramfs-%.cpio: $(BUILD)/workloads/% $(VM_DIR)/zwinit $(VM_DIR)/zwcpio \
		$(VM_DIR)/kernel.version baselines/mkinitramfs.sh
	baselines/mkinitramfs.sh $(VM_DIR) $(VM_DIR)/zwinit $(VM_DIR)/zwcpio $< $@
