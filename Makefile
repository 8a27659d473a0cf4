# rvrun: `make test` sets up everything on a fresh Debian 12 machine and runs the suite.
SHELL := /bin/bash
CARGO ?= cargo
GUESTS := $(CURDIR)/build/guests
TOOLCHAIN_STAMP := toolchain/.venv/.ready

.PHONY: all build release toolchain programs test test-go-std bench fmt clippy clean sample readme

all: build

$(TOOLCHAIN_STAMP): toolchain/setup.sh
	bash toolchain/setup.sh
	touch $@

toolchain: $(TOOLCHAIN_STAMP)

build:
	$(CARGO) build

release:
	$(CARGO) build --release

programs: toolchain
	$(MAKE) -C tests/programs OUT=$(GUESTS)

test: programs
	RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release

# Only the Go standard library tests (tests/go_std.rs); RVRUN_GO_STD=go/time,math selects runs.
test-go-std: programs
	RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release --test go_std -- --nocapture

sample: programs release
	./target/release/rvrun run $(GUESTS)/c-musl/hello

bench: programs release
	bash tests/bench.sh $(GUESTS)

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf build

# Regenerates the README's syscall table from the dispatch table.
readme: build
	@python3 -c 'import re,subprocess,sys; t=subprocess.run(["./target/debug/rvrun","syscalls","--markdown"],capture_output=True,text=True,check=True).stdout; r=open("README.md").read(); b="<!-- syscall-table:begin -->\n"; e="<!-- syscall-table:end -->"; i=r.index(b)+len(b); j=r.index(e); open("README.md","w").write(r[:i]+t+r[j:])'

# Open-ended differential ISA campaign against qemu-riscv64 (tests/isa_diff.rs). On a mismatch
# it prints the shrunk sequence, both dumps side by side and a regression line.
#   make fuzz-isa SEEDS=1000000-1099999     a seed range (no time limit)
#   make fuzz-isa FUZZ_SECONDS=600          a time budget (default 60 s from seed 1000000)
.PHONY: fuzz-isa
fuzz-isa: programs
	ISA_FUZZ_SEEDS=$(SEEDS) ISA_FUZZ_SECONDS=$(FUZZ_SECONDS) RVRUN_GUESTS=$(GUESTS) \
	    $(CARGO) test --release --test isa_diff fuzz -- --ignored --nocapture
