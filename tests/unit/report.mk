# Unit tests of the report: data grouping, markdown, the report's pieces,
# figure data extraction and the paper splicer, on synthetic run
# directories written into temp dirs (test_report_fixture.c).
RH := $(BUILD)/harness
RFIX := tests/unit/test_report_fixture.c
UNIT_TESTS += $(BUILD)/tests/test_report_data $(BUILD)/tests/test_report_md \
	$(BUILD)/tests/test_report_frag $(BUILD)/tests/test_report_figdata \
	$(BUILD)/tests/test_report_splice

$(BUILD)/tests/test_report_data: $(RFIX) $(RH)/report_data.o $(RH)/results.o $(RH)/log.o $(RH)/proc.o
$(BUILD)/tests/test_report_md: $(RH)/report_md.o
$(BUILD)/tests/test_report_frag: $(RFIX) $(RH)/report_frag.o $(RH)/report_tables.o $(RH)/report_setup.o \
	$(RH)/report_md.o $(RH)/report_data.o $(RH)/claims.o \
	$(RH)/stats.o $(RH)/results.o $(RH)/log.o $(RH)/proc.o
$(BUILD)/tests/test_report_figdata: $(RFIX) $(RH)/report_figdata.o $(RH)/report_fig_perf.o \
	$(RH)/report_fig_scale.o $(RH)/report_data.o $(RH)/stats.o \
	$(RH)/results.o $(RH)/log.o $(RH)/proc.o
$(BUILD)/tests/test_report_splice: $(RH)/report_splice.o
