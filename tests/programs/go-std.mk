# Test binaries of Go standard library packages (`go test -c`), for both Go flavours:
#
#   $(OUT)/go-std/go/<pkg>.test         GORISCV64=rva20u64 (the default)
#   $(OUT)/go-std/go-rva22/<pkg>.test   GORISCV64=rva22u64
#
# <pkg> is the import path with '/' replaced by '-' (math/big -> math-big.test). The
# packages are listed in go-std/packages.txt; tests/go_std.rs runs the binaries. Built
# without -trimpath, like `go test` does, so that the binaries know their GOROOT. Included
# by Makefile (needs GO, GO_ENV and OUT).

GO_ROOT := $(patsubst %/bin/go,%,$(GO))
GO_STD_PKGS := $(shell awk '!/^#/ && NF { print $$1 }' go-std/packages.txt)
GO_STD_FLAVOURS := go go-rva22
GORISCV64_go := rva20u64
GORISCV64_go-rva22 := rva22u64
go_std_bin = $(OUT)/go-std/$(1)/$(subst /,-,$(2)).test
# Debian's Go has no $GOROOT/lib/time/zoneinfo.zip, the only zone source the time tests
# accept for their US/Pacific fixture: they get the tzdata embedded in the binary instead.
GO_STD_FLAGS_time := -tags=timetzdata
GO_STD_BINS := $(foreach f,$(GO_STD_FLAVOURS),$(foreach p,$(GO_STD_PKGS),$(call go_std_bin,$(f),$(p))))

.PHONY: go-std
go-std: $(GO_STD_BINS)

# $(call go_std_rule,FLAVOUR,PKG): the binary depends on the package's sources and the go
# command (a toolchain upgrade rebuilds everything) and on this file (its flags); the build
# cache makes a rebuild cheap. (go leaves an up-to-date output alone: touch tells make.)
define go_std_rule
$(call go_std_bin,$(1),$(2)): $(wildcard $(GO_ROOT)/src/$(2)/*.go) $(GO) go-std.mk
	@mkdir -p $$(@D)
	env $(GO_ENV) GORISCV64=$(GORISCV64_$(1)) $(GO) test -c $(GO_STD_FLAGS_$(2)) -o $$@ $(2)
	@touch $$@
endef
$(foreach f,$(GO_STD_FLAVOURS),$(foreach p,$(GO_STD_PKGS),$(eval $(call go_std_rule,$(f),$(p)))))
