#!/usr/bin/env bash
# Records qemu-riscv64's output of the evm cases (cases.json) into expected/: runs the ignored
# test `record_qemu` of tests/evm.rs, which first checks QEMU's output the way go-ethereum's
# own test does.
#
#   tests/programs/evm/gen-expected.sh [GUESTS_DIR]
#
# GUESTS_DIR defaults to build/guests (run `make programs` first).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
guests=$(cd "${1:-$repo/build/guests}" && pwd)
cd "$repo"
RVRUN_GUESTS=$guests cargo test --release --test evm record_qemu -- --ignored --nocapture
