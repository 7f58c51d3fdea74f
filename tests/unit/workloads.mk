# Unit tests of the workloads' pure parts, built with the host gcc.
UNIT_TESTS += $(BUILD)/tests/test_http_parse
$(BUILD)/tests/test_http_parse: workloads/http_parse.c workloads/http_parse.h
$(BUILD)/tests/test_http_parse: CFLAGS += -Iworkloads
