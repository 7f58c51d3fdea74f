# Unit tests of the harness core, each linking only the module under test.
H := $(BUILD)/harness
UNIT_TESTS += $(BUILD)/tests/test_stats $(BUILD)/tests/test_results $(BUILD)/tests/test_cli \
	$(BUILD)/tests/test_oci $(BUILD)/tests/test_console $(BUILD)/tests/test_httpclient \
	$(BUILD)/tests/test_qemu_argv

$(BUILD)/tests/test_stats: $(H)/stats.o
$(BUILD)/tests/test_results: $(H)/results.o $(H)/log.o $(H)/proc.o
$(BUILD)/tests/test_cli: $(H)/cli.o $(H)/log.o
$(BUILD)/tests/test_oci: $(H)/oci.o $(H)/results.o $(H)/log.o $(H)/proc.o
$(BUILD)/tests/test_console: $(H)/console.o
$(BUILD)/tests/test_httpclient: $(H)/httpclient.o $(H)/proc.o
$(BUILD)/tests/test_qemu_argv: $(H)/qemu.o $(H)/proc.o $(H)/kvmcheck.o
UNIT_TESTS += $(BUILD)/tests/test_claims
$(BUILD)/tests/test_claims: $(H)/claims.o $(H)/stats.o
