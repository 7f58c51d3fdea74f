# Go workloads (workloads/go/): gohttpd, the httpd contract in Go's
# net/http, built with Debian's golang-go into a static x86-64 ET_EXEC like
# the C workloads. Offline and hermetic: no modules to fetch (go.mod has no
# requirements, GOPROXY=off), the Debian toolchain only (GOTOOLCHAIN=local),
# caches under build/ so $HOME is never touched, no go env file (GOENV=off).
# Stripped (-s -w): symbols and DWARF are not loaded at run time, and the
# C workloads' size is compared without them either way (see README).
# Without a go command the Go workloads are left out, with a note, and
# tests/integration/workloads_go.sh skips.
GO          := $(shell command -v go 2>/dev/null)
GO_SRC_DIR  := $(WL_DIR)/go-src
GO_SOURCES  := workloads/go/go.mod $(wildcard workloads/go/*/*.go)
GO_ENV      := CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS= GOPROXY=off \
               GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off GOWORK=off \
               GOCACHE=$(abspath $(BUILD))/go/cache GOPATH=$(abspath $(BUILD))/go/path \
               GOMODCACHE=$(abspath $(BUILD))/go/path/pkg/mod
GO_BUILD    := build -trimpath -buildvcs=false -ldflags='-s -w'

ifneq ($(GO),)
GO_WORKLOADS := gohttpd
workloads: $(WL_DIR)/gohttpd
else
GO_WORKLOADS :=
workloads: go-missing
.PHONY: go-missing
go-missing:
	@echo "note: no go command (apt-get install golang-go, make deps): gohttpd not built" >&2
endif

# The sources are copied into build/ with httpd's page beside gohttpd's
# main.go, so //go:embed finds it and no copy of the page is ever committed.
$(WL_DIR)/gohttpd: $(GO_SOURCES) $(WL_DIR)/index.html workloads/go.mk
	@rm -rf $(GO_SRC_DIR) && mkdir -p $(GO_SRC_DIR)
	cp -r workloads/go/. $(GO_SRC_DIR)/
	cp $(WL_DIR)/index.html $(GO_SRC_DIR)/gohttpd/index.html
	cd $(GO_SRC_DIR) && $(GO_ENV) $(GO) $(GO_BUILD) -o $(abspath $@).tmp ./gohttpd
	mv $@.tmp $@
