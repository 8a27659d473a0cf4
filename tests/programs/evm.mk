# go-ethereum's evm tool (cmd/evm) for tests/evm.rs:
#
#   $(OUT)/evm/evm        built with the Go of go-std configuration go1.26 (the newest Go,
#                         toolchains.txt), CGO_ENABLED=0, -trimpath
#   $(OUT)/evm/testdata   cmd/evm/testdata of the same module version (the test vectors)
#
# The module version is pinned in evm/go.mod (a `tool` directive) and its dependencies' hashes
# in evm/go.sum: the build downloads them from the Go module proxy into $(BUILD)/go-path and
# the go command checks them against go.sum. Included by Makefile (needs GO_ENV, OUT, BUILD).

EVM_GOROOT := $(shell awk '!/^\#/ && $$1 == "go1.26" { r = $$4; if (r !~ /^\//) r = "$(GO_STD_REPO)/" r; print r }' go-std/toolchains.txt)
EVM_MODULE := github.com/ethereum/go-ethereum
EVM_VERSION := $(shell awk '$$1 == "$(EVM_MODULE)" { print $$2 }' evm/go.mod)

.PHONY: evm
evm: $(OUT)/evm/evm

$(OUT)/evm/evm: evm/go.mod evm/go.sum $(EVM_GOROOT)/bin/go evm.mk
	@mkdir -p $(@D)
	cd evm && env $(GO_ENV) GOPROXY=https://proxy.golang.org GOSUMDB=sum.golang.org \
	    $(EVM_GOROOT)/bin/go build -trimpath -o $@ $(EVM_MODULE)/cmd/evm
	rm -rf $(@D)/testdata
	cp -r $(BUILD)/go-path/pkg/mod/$(EVM_MODULE)@$(EVM_VERSION)/cmd/evm/testdata $(@D)/testdata
	chmod -R u+w $(@D)/testdata
