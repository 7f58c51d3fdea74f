# The unikernel: build/unikernel/zwkernel, an x86-64 ELF with a PVH note that
# QEMU boots with -kernel. Freestanding C (no SSE, no red zone: interrupts and
# syscalls run while the app's stack is live) plus a little assembly.
# If unikernel/net/net.mk exists it adds UK_NET_OBJS (net/ and lwIP objects,
# with their own rules) and may append include paths to UK_NET_CFLAGS.
UK_BUILD   := $(BUILD)/unikernel
UK_KERNEL  := $(UK_BUILD)/zwkernel
UK_LD      := ld
UK_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -fno-pic -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-omit-frame-pointer -fno-strict-aliasing -fno-tree-loop-distribute-patterns \
	-Iunikernel/include -Iunikernel/arch/x86_64
UK_NET_CFLAGS :=
UK_NET_OBJS   :=

UK_SRCS := $(wildcard unikernel/arch/x86_64/*.c unikernel/arch/x86_64/*.S \
		      unikernel/core/*.c unikernel/lib/*.c)
UK_OBJS := $(patsubst unikernel/%,$(UK_BUILD)/%.o,$(UK_SRCS))

# UK_NO_NET=1 builds the core alone (net/'s weak stubs stand in).
ifndef UK_NO_NET
-include unikernel/net/net.mk
endif

# Small static musl programs the integration tests boot.
UK_TEST_APPS := $(patsubst unikernel/tests-apps/%.c,$(UK_BUILD)/apps/%,$(wildcard unikernel/tests-apps/*.c))

unikernel: $(UK_KERNEL) $(UK_KERNEL).stripped $(UK_TEST_APPS)

$(UK_KERNEL): $(UK_OBJS) $(UK_NET_OBJS) unikernel/arch/x86_64/linker.ld
	$(UK_LD) -nostdlib -static -z max-page-size=4096 -z noexecstack \
		-T unikernel/arch/x86_64/linker.ld -o $@ $(filter %.o,$^)

$(UK_KERNEL).stripped: $(UK_KERNEL)
	objcopy --strip-all $< $@

$(UK_BUILD)/%.c.o: unikernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(UK_CFLAGS) $(if $(filter net/%,$*),$(UK_NET_CFLAGS)) -c $< -o $@

$(UK_BUILD)/%.S.o: unikernel/%.S
	@mkdir -p $(dir $@)
	$(CC) $(UK_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(UK_BUILD)/apps/%: unikernel/tests-apps/%.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# Debian's musl-gcc specs cannot link -static-pie (they add an interpreter),
# so link it by hand against musl's rcrt1.o, which relocates itself.
UK_MUSL_LIB := $(shell sed -n 's/.*-L\(\/[^ ]*musl[^ ]*\).*/\1/p' \
	$$(sed -n 's/.*-specs "\([^"]*\)".*/\1/p' $$(command -v $(MUSL_CC)) 2>/dev/null) 2>/dev/null | head -n1)
ifneq ($(wildcard $(UK_MUSL_LIB)/rcrt1.o),)
unikernel: $(UK_BUILD)/apps/pie
endif
$(UK_BUILD)/apps/pie: unikernel/tests-apps/hello.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) -fPIE -O2 -Wall -Wextra -Werror -c $< -o $@.o
	$(CC) -static-pie -nostdlib -o $@ $(UK_MUSL_LIB)/rcrt1.o $(UK_MUSL_LIB)/crti.o $@.o \
		$(UK_MUSL_LIB)/libc.a $(UK_MUSL_LIB)/crtn.o $$($(CC) -print-libgcc-file-name)

-include $(UK_OBJS:.o=.d)
