# unikernel/net: lwIP (fetched from Debian's source package at build time),
# the virtio-net driver, and our socket/epoll layer. Included by
# unikernel/unikernel.mk, whose rule builds our own sources with UK_CFLAGS
# plus UK_NET_CFLAGS; lwIP's sources get a rule here. Also included by
# tests/unit/unikernel_net.mk for the variables.
ifndef UK_NET_MK
UK_NET_MK := 1

UK_NET_DIR := unikernel/net
LWIP_DIR   := $(BUILD)/lwip
LWIP_SRC   := $(LWIP_DIR)/src
# Present once scripts/fetch-lwip.sh has unpacked the source.
LWIP_STAMP := $(LWIP_SRC)/core/tcp.c

# lwIP's core for an IPv4-only, NO_SYS, raw-API stack (timeouts.c is
# replaced by net/timers.c: LWIP_TIMERS_CUSTOM).
LWIP_CORE_SRCS := core/def.c core/inet_chksum.c core/init.c core/ip.c \
	core/mem.c core/memp.c core/netif.c core/pbuf.c core/stats.c \
	core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	netif/ethernet.c

UK_BUILD ?= $(BUILD)/unikernel
UK_NET_SRCS := $(wildcard $(UK_NET_DIR)/*.c)
UK_NET_OWN_OBJS := $(patsubst unikernel/%,$(UK_BUILD)/%.o,$(UK_NET_SRCS))
UK_NET_LWIP_OBJS := $(LWIP_CORE_SRCS:%.c=$(UK_BUILD)/lwip/%.o)
UK_NET_OBJS += $(UK_NET_OWN_OBJS) $(UK_NET_LWIP_OBJS)

# Our headers, lwIP's, and (after every other include directory) the two
# libc headers lwIP's sources include, for a kernel that has no libc.
UK_NET_CFLAGS += -I$(UK_NET_DIR) -I$(LWIP_SRC)/include -idirafter $(UK_NET_DIR)/libc
# lwIP is not our code: its warnings are not our errors.
UK_NET_LWIP_CFLAGS = $(filter-out -Werror -Wextra,$(UK_CFLAGS)) $(UK_NET_CFLAGS)

.PHONY: uknet lwip-fetch
# The network part's share of the kernel image.
uknet: $(UK_NET_OBJS)
	@size -t $(UK_NET_OBJS) | tail -n1 | \
		awk '{ printf "unikernel/net: text %d B, data %d B, bss %d B (lwIP + driver + sockets)\n", $$1, $$2, $$3 }'

lwip-fetch: $(LWIP_STAMP)

$(LWIP_STAMP):
	scripts/fetch-lwip.sh $(BUILD)

# The other sources arrive with the same fetch; saying so lets make pick the
# pattern rule below on a fresh clone, where none of them exists yet.
$(filter-out $(LWIP_STAMP),$(addprefix $(LWIP_SRC)/,$(LWIP_CORE_SRCS))): | $(LWIP_STAMP)
	@:

# Our sources include lwIP's headers: fetch first.
$(UK_NET_OWN_OBJS): | $(LWIP_STAMP)

$(UK_BUILD)/lwip/%.o: $(LWIP_SRC)/%.c $(UK_NET_DIR)/lwipopts.h $(UK_NET_DIR)/arch/cc.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(UK_NET_LWIP_CFLAGS) -c $< -o $@

-include $(UK_NET_LWIP_OBJS:.o=.d)
endif
