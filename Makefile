# zerowatt: the README's two commands are `make run` and `make test`.
# Each does its own set-up (scripts/deps.sh) before anything else.
SHELL   := /bin/bash
BUILD   := build
CC      := gcc
CFLAGS  := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP
MUSL_CC := musl-gcc
PROFILE ?= quick

.PHONY: all deps build run test check unit integration clean paper \
	harness workloads unikernel baselines

all: build

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory build
	@$(BUILD)/zerowatt suite $(PROFILE)

test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory check

build: harness workloads unikernel baselines

check: unit integration

clean:
	rm -rf $(BUILD)

include workloads/workloads.mk
include harness/harness.mk
include unikernel/unikernel.mk
include baselines/baselines.mk
include tests/tests.mk
include plots/plots.mk
