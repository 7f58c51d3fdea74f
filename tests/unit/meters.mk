# Energy meters, the power sampler and per-target accounting (issue 5).
# Each program links only the code under test, the fake-tree fixture and log.o.
METER_TEST_OBJS := $(addprefix $(BUILD)/harness/,meter.o meter_powercap.o meter_perf.o \
	meter_hwmon.o meter_model.o log.o)
METER_FIXTURE   := tests/fixtures/fake_tree.c tests/fixtures/fake_tree.h

UNIT_TESTS += $(BUILD)/tests/test_meter_powercap $(BUILD)/tests/test_meter_perf \
	$(BUILD)/tests/test_meter_hwmon $(BUILD)/tests/test_meter_model \
	$(BUILD)/tests/test_sampler $(BUILD)/tests/test_account

$(BUILD)/tests/test_meter_powercap: $(METER_TEST_OBJS) $(METER_FIXTURE)
$(BUILD)/tests/test_meter_perf: $(METER_TEST_OBJS) $(METER_FIXTURE)
$(BUILD)/tests/test_meter_hwmon: $(METER_TEST_OBJS) $(METER_FIXTURE)
$(BUILD)/tests/test_meter_model: $(METER_TEST_OBJS) $(METER_FIXTURE)
$(BUILD)/tests/test_sampler: $(METER_TEST_OBJS) $(BUILD)/harness/sampler.o $(METER_FIXTURE)
$(BUILD)/tests/test_account: $(BUILD)/harness/account.o $(METER_FIXTURE)
