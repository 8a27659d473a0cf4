# Test binaries of Go standard library packages (`go test -c`), one directory per configuration
# of go-std/toolchains.txt (Go release and GORISCV64):
#
#   $(OUT)/go-std/<config>/<pkg>.test
#
# <pkg> is the import path with '/' replaced by '-' (math/big -> math-big.test); a
# configuration builds every package of go-std/packages/<go version>.txt. `go-std` builds what
# `make test` runs (a configuration's QUICK column: all its packages, or those of
# go-std/quick.txt), `go-std-full` everything. Built without -trimpath, like `go test` does, so
# that the binaries know their GOROOT. Included by Makefile (needs GO_ENV, OUT and TOOLCHAIN).

GO_STD_REPO := $(abspath $(TOOLCHAIN)/..)
# NAME:GO_VERSION:GORISCV64:GOROOT:QUICK per configuration (GOROOT made absolute)
GO_STD_CONFIGS := $(shell awk '!/^\#/ && NF >= 5 { r = $$4; if (r !~ /^\//) r = "$(GO_STD_REPO)/" r; \
    print $$1 ":" $$2 ":" $$3 ":" r ":" $$5 }' go-std/toolchains.txt)
go_std_field = $(word $(2),$(subst :, ,$(1)))
GO_STD_QUICK := $(shell awk '!/^\#/ && NF { print $$1 }' go-std/quick.txt)
go_std_pkgs = $(shell awk '!/^\#/ && NF { print $$1 }' go-std/packages/$(1).txt)
go_std_bin = $(OUT)/go-std/$(1)/$(subst /,-,$(2)).test
# Debian's Go has no $GOROOT/lib/time/zoneinfo.zip, the only zone source the time tests
# accept for their US/Pacific fixture: they get the tzdata embedded in the binary instead.
GO_STD_FLAGS_time := -tags=timetzdata

# $(call go_std_rule,NAME,GORISCV64,GOROOT,PKG): the binary depends on the package's sources
# and the go command (a toolchain upgrade rebuilds everything) and on this file (its flags);
# the build cache makes a rebuild cheap. (go leaves an up-to-date output alone: touch tells
# make.)
define go_std_rule
$(call go_std_bin,$(1),$(4)): $(wildcard $(3)/src/$(4)/*.go) $(3)/bin/go go-std.mk
	@mkdir -p $$(@D)
	env $(GO_ENV) GORISCV64=$(2) $(3)/bin/go test -c $(GO_STD_FLAGS_$(4)) -o $$@ $(4)
	@touch $$@
endef

# $(call go_std_config,NAME:GO_VERSION:GORISCV64:GOROOT:QUICK)
define go_std_config
GO_STD_PKGS_$(call go_std_field,$(1),1) := $(call go_std_pkgs,$(call go_std_field,$(1),2))
GO_STD_FULL += $$(foreach p,$$(GO_STD_PKGS_$(call go_std_field,$(1),1)),$$(call go_std_bin,$(call go_std_field,$(1),1),$$(p)))
GO_STD_BINS += $$(foreach p,$$(if $$(filter quick,$(call go_std_field,$(1),5)),$$(filter $$(GO_STD_QUICK),$$(GO_STD_PKGS_$(call go_std_field,$(1),1))),$$(GO_STD_PKGS_$(call go_std_field,$(1),1))),$$(call go_std_bin,$(call go_std_field,$(1),1),$$(p)))
$$(foreach p,$$(GO_STD_PKGS_$(call go_std_field,$(1),1)),$$(eval $$(call go_std_rule,$(call go_std_field,$(1),1),$(call go_std_field,$(1),3),$(call go_std_field,$(1),4),$$(p))))
endef
$(foreach c,$(GO_STD_CONFIGS),$(eval $(call go_std_config,$(c))))

.PHONY: go-std go-std-full
go-std: $(GO_STD_BINS)
go-std-full: $(GO_STD_FULL)
