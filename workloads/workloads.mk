# The workloads: static musl x86-64 ELF binaries that run unmodified on
# every target (native, container, Linux VM, unikernel). Non-PIE, so the
# unikernel's loader gets a plain ET_EXEC with no relocations to apply.
WL_DIR      := $(BUILD)/workloads
WL_CFLAGS   := -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP \
               -fno-pie -fno-stack-protector
WL_LDFLAGS  := -static -no-pie

HTTPD_SRCS    := httpd.c httpd_conn.c http_parse.c http_response.c cli.c
SYSBENCH_SRCS := sysbench.c latency.c cli.c

HTTPD_OBJS    := $(HTTPD_SRCS:%.c=$(WL_DIR)/obj/%.o)
SYSBENCH_OBJS := $(SYSBENCH_SRCS:%.c=$(WL_DIR)/obj/%.o)

workloads: $(WL_DIR)/httpd $(WL_DIR)/sysbench $(WL_DIR)/index.html

# httpd's page as a file, byte for byte, for servers compared against it
# (the nginx target serves it).
$(WL_DIR)/index.html: workloads/page_dump.c workloads/http_response.c workloads/http_response.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE workloads/page_dump.c workloads/http_response.c \
		-o $(WL_DIR)/page_dump
	$(WL_DIR)/page_dump > $@.tmp && mv $@.tmp $@

$(WL_DIR)/httpd: $(HTTPD_OBJS)
	$(MUSL_CC) $(WL_LDFLAGS) $^ -o $@

$(WL_DIR)/sysbench: $(SYSBENCH_OBJS)
	$(MUSL_CC) $(WL_LDFLAGS) $^ -o $@

$(WL_DIR)/obj/%.o: workloads/%.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(WL_CFLAGS) -c $< -o $@

-include $(HTTPD_OBJS:.o=.d) $(SYSBENCH_OBJS:.o=.d)
include workloads/go.mk
