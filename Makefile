# rvrun: `make test` sets up everything on a fresh Debian 12 machine and runs the suite.
SHELL := /bin/bash
CARGO ?= cargo
GUESTS := $(CURDIR)/build/guests
TOOLCHAIN_STAMP := toolchain/.venv/.ready

.PHONY: all build release toolchain programs programs-full test test-full test-go-std test-crates test-crates-full census bench fmt clippy clean sample readme

all: build

$(TOOLCHAIN_STAMP): toolchain/setup.sh
	bash toolchain/setup.sh
	touch $@

toolchain: $(TOOLCHAIN_STAMP)

build:
	$(CARGO) build

release:
	$(CARGO) build --release

# Guest builds run in parallel (JOBS at once, default: the number of CPUs).
JOBS ?= $(shell nproc)
programs: toolchain
	$(MAKE) -j$(JOBS) -C tests/programs OUT=$(GUESTS)

# Also every Go std test binary of every configuration (tests/programs/go-std/toolchains.txt)
# and the crates of set `full` (tests/programs/crates/crates.txt).
programs-full: programs
	$(MAKE) -j$(JOBS) -C tests/programs OUT=$(GUESTS) go-std-full crates-full

test: programs
	RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release

# `make test` with the whole matrix: every Go std package of every configuration, every
# crate and every tokio test binary.
test-full: programs-full
	RVRUN_GUESTS=$(GUESTS) RVRUN_GO_STD_FULL=1 RVRUN_CRATES_FULL=1 $(CARGO) test --release

# The syscall census: every guest run of the suites merges the calls it made (with ioctl,
# fcntl, prctl, futex and socket sub-commands, and their outcomes) into build/census.tsv.
census: programs
	rm -f $(CURDIR)/build/census.tsv
	RVRUN_CENSUS=$(CURDIR)/build/census.tsv RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release
	@echo "census: build/census.tsv"

# Only the Go standard library tests (tests/go_std.rs), the quick selection (GO_STD_FULL=1:
# all); RVRUN_GO_STD=go1.23/time,math selects runs.
test-go-std: $(if $(GO_STD_FULL),programs-full,programs)
	RVRUN_GUESTS=$(GUESTS) RVRUN_GO_STD_FULL=$(GO_STD_FULL) $(CARGO) test --release --test go_std -- --nocapture

# Only the crates.io crates' test suites and revme (tests/crates.rs); RVRUN_CRATES=tokio/,regex/lib
# selects runs. test-crates-full also builds and runs the crates that `make test` leaves out.
test-crates: programs
	RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release --test crates -- --nocapture

test-crates-full: programs
	$(MAKE) -C tests/programs OUT=$(GUESTS) crates-full
	RVRUN_CRATES_FULL=1 RVRUN_GUESTS=$(GUESTS) $(CARGO) test --release --test crates -- --nocapture

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

# cargo-fuzz (libFuzzer) targets in fuzz/, each FUZZ_SECONDS seconds (default 60), one after
# the other. New inputs go to fuzz/work/<target>/ (not checked in); a crash, hang or OOM is
# written to fuzz/artifacts/<target>/ and fails the make after the other targets ran. Copy
# such an input to fuzz/regressions/<target>/ once fixed: `make test` replays those and
# fuzz/corpus/ (tests/fuzz_corpus.rs).
# Builds use debug assertions and overflow checks (-a) and no sanitizer (-s none: those need
# only stable flags; RUSTC_BOOTSTRAP=1 lets `cargo fuzz` use nightly ones, e.g. -s address).
FUZZ_TARGETS := elf insn syscall trace
FUZZ_FLAGS := -rss_limit_mb=4096 -timeout=10
.PHONY: fuzz fuzz-setup
fuzz-setup:
	CARGO=$(CARGO) bash toolchain/fuzz-setup.sh

fuzz: fuzz-setup
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz build -O -a -s none
	@failed=; for t in $(FUZZ_TARGETS); do \
	    mkdir -p fuzz/work/$$t fuzz/artifacts/$$t fuzz/regressions/$$t; \
	    case $$t in insn) len=4112;; syscall) len=2048;; *) len=131072;; esac; \
	    echo "== fuzz target $$t: $(or $(FUZZ_SECONDS),60) s"; \
	    (cd fuzz && RUSTC_BOOTSTRAP=1 nice -n 15 $(CARGO) fuzz run -O -a -s none $$t \
	        work/$$t corpus/$$t regressions/$$t -- -max_total_time=$(or $(FUZZ_SECONDS),60) \
	        -max_len=$$len $(FUZZ_FLAGS)) || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (see fuzz/artifacts/)"; exit 1; fi
