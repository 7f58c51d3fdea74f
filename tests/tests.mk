# Unit tests: tests/unit/test_<name>.c, one cmocka program per module,
# linking only the code under test. Each area declares its programs and the
# objects they link in a tests/unit/<area>.mk fragment:
#   UNIT_TESTS += $(BUILD)/tests/test_stats
#   $(BUILD)/tests/test_stats: $(BUILD)/harness/stats.o
# Integration tests: tests/integration/*.sh; exit 0 pass, 77 skip (after
# printing why), anything else fails.
UNIT_TESTS :=
TEST_LIBS  := -lcmocka -lcjson -linih -lpfm -lpthread -lm
include $(wildcard tests/unit/*.mk)

$(BUILD)/tests/%: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iharness $(filter %.c %.o,$^) -o $@ $(TEST_LIBS) $(TEST_LDFLAGS_$*)

unit: $(UNIT_TESTS)
	@tests/run-unit.sh $(UNIT_TESTS)

integration: build
	@tests/run-integration.sh
