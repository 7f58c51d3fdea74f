# Host unit tests for unikernel/net. lwIP's core and our socket, epoll,
# poll, timer and ring code are compiled for the host (UK_NET_HOST), with
# AddressSanitizer, against test_uknet_fakes.c standing in for the core:
# sockets talk to each other over lwIP's loopback interface.
include unikernel/net/net.mk

UKNET_HOST := $(BUILD)/tests/uknet
UKNET_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
UKNET_HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DUK_NET_HOST \
	$(UKNET_SAN) -Iunikernel/include -I$(UK_NET_DIR) -I$(LWIP_SRC)/include \
	-Itests/unit -MMD -MP
UKNET_HOST_LWIP := $(LWIP_CORE_SRCS:%.c=$(UKNET_HOST)/lwip/%.o)
UKNET_HOST_NET := $(addprefix $(UKNET_HOST)/net/,socket.o socket_opt.o socket_sys.o epoll.o \
	poll.o timers.o netpoll.o)
UKNET_HOST_STACK := $(UKNET_HOST_LWIP) $(UKNET_HOST_NET) $(UKNET_HOST)/fakes.o

$(UKNET_HOST)/lwip/%.o: $(LWIP_SRC)/%.c $(UK_NET_DIR)/lwipopts.h $(UK_NET_DIR)/arch/cc.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Werror -Wextra,$(UKNET_HOST_CFLAGS)) -c $< -o $@

$(UKNET_HOST)/net/%.o: $(UK_NET_DIR)/%.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(UKNET_HOST_CFLAGS) -c $< -o $@

$(UKNET_HOST)/fakes.o: tests/unit/test_uknet_fakes.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(UKNET_HOST_CFLAGS) -c $< -o $@

UKNET_TEST_CFLAGS := -DUK_NET_HOST -Iunikernel/include -I$(UK_NET_DIR) \
	-I$(LWIP_SRC)/include -Itests/unit $(UKNET_SAN)

UNIT_TESTS += $(BUILD)/tests/test_uknet_virtq $(BUILD)/tests/test_uknet_config \
	$(BUILD)/tests/test_uknet_socket $(BUILD)/tests/test_uknet_epoll \
	$(BUILD)/tests/test_uknet_timers

$(BUILD)/tests/test_uknet_virtq: $(UKNET_HOST)/net/virtq.o
$(BUILD)/tests/test_uknet_config: $(UKNET_HOST)/net/net_config.o
$(BUILD)/tests/test_uknet_socket: $(UKNET_HOST_STACK)
$(BUILD)/tests/test_uknet_epoll: $(UKNET_HOST_STACK)
$(BUILD)/tests/test_uknet_timers: $(UKNET_HOST_STACK)
$(BUILD)/tests/test_uknet_%: CFLAGS += $(UKNET_TEST_CFLAGS)
$(BUILD)/tests/test_uknet_%: | $(LWIP_STAMP)

-include $(UKNET_HOST_STACK:.o=.d) $(UKNET_HOST)/net/virtq.d $(UKNET_HOST)/net/net_config.d
