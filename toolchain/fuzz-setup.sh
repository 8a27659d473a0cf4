#!/bin/bash
# Installs cargo-fuzz from crates.io for `make fuzz` (idempotent: nothing happens when it is
# already installed). `make test` does not need it: it replays the fuzz corpus without
# libFuzzer. cargo-fuzz builds with nightly flags; stable rustc accepts them with
# RUSTC_BOOTSTRAP=1, which the Makefile sets. libfuzzer-sys compiles libFuzzer's C++ sources
# with the system C++ compiler.
set -euo pipefail
CARGO=${CARGO:-cargo}
if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz-setup: a C++ compiler (c++) is needed to build libFuzzer" >&2
    exit 1
fi
if "$CARGO" fuzz --version >/dev/null 2>&1; then
    exit 0
fi
"$CARGO" install --locked cargo-fuzz
