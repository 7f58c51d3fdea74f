# Scale to zero (issue 6): the waker's state machine, arrival processes and
# trace files, the fleet simulator. Each links only the code under test.
UNIT_TESTS += $(BUILD)/tests/test_waker_policy $(BUILD)/tests/test_trace

$(BUILD)/tests/test_waker_policy: $(BUILD)/harness/waker_policy.o
$(BUILD)/tests/test_trace: $(BUILD)/harness/trace.o
UNIT_TESTS += $(BUILD)/tests/test_simulate
$(BUILD)/tests/test_simulate: $(BUILD)/harness/simulate.o $(BUILD)/harness/trace.o
