# Figures and the paper. `make paper` regenerates every figure and table of
# PAPER.md from one run directory (the committed reference run unless RUN=
# names others): figures into plots/paper/ (PNG + SVG, committed), every table
# with its marker into plots/paper/tables.md, and PAPER.md's marked regions
# refilled in place (harness/report_splice.h). `make paper-check` changes
# nothing and fails when PAPER.md no longer matches the run.
PAPER_RUN ?= $(if $(RUN),$(RUN),results/reference)
PAPER_DOC ?= PAPER.md

.PHONY: paper paper-check

paper: $(BUILD)/zerowatt
	$(BUILD)/zerowatt paper $(PAPER_RUN) --doc $(PAPER_DOC) --figures plots/paper --data $(BUILD)/paper

paper-check: $(BUILD)/zerowatt
	$(BUILD)/zerowatt paper $(PAPER_RUN) --doc $(PAPER_DOC) --figures plots/paper --data $(BUILD)/paper --check
