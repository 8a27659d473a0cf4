#!/usr/bin/env bash
# Benchmarks rvrun against qemu-riscv64 on the compute-bound guest c-musl/bench.
#
#   tests/bench.sh GUESTS_DIR        (from the repository root; `make bench` does this)
#
# Runs the guest 3 times under each emulator, takes the best wall time of each, checks both
# print the same output, and reports rvrun's speed in MIPS (guest instructions from --stats
# divided by rvrun's wall time) and the ratio of the two wall times.
set -euo pipefail

guests=${1:?usage: tests/bench.sh GUESTS_DIR}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rvrun=./target/release/rvrun
prog=$guests/c-musl/bench
runs=3

[ -x "$rvrun" ] || { echo "$rvrun missing: run cargo build --release" >&2; exit 1; }
[ -x "$prog" ] || { echo "$prog missing: run make programs" >&2; exit 1; }
command -v qemu-riscv64 >/dev/null || { echo "qemu-riscv64 not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best_time NAME CMD...: runs CMD $runs times (stdout to $work/NAME.out, stderr to
# $work/NAME.err) and prints the best wall time in seconds. Fails if CMD fails.
best_time() {
    local name=$1 best="" i start end
    shift
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s.%N)
        if ! "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null; then
            echo "$name failed:" >&2
            cat "$work/$name.err" >&2
            exit 1
        fi
        end=$(date +%s.%N)
        best=$(awk -v s="$start" -v e="$end" -v b="$best" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.3f", b }')
    done
    echo "$best"
}

echo "benchmark: $prog (best of $runs runs each)"
rvrun_time=$(best_time rvrun "$rvrun" run --stats "$prog")
qemu_time=$(best_time qemu env -i qemu-riscv64 "$prog")

if ! cmp -s "$work/rvrun.out" "$work/qemu.out"; then
    echo "OUTPUT MISMATCH" >&2
    echo "  rvrun: $(head -c 200 "$work/rvrun.out")" >&2
    echo "  qemu:  $(head -c 200 "$work/qemu.out")" >&2
    exit 1
fi
insns=$(awk -F': *' '$1 == "instructions" { n = $2 } END { print n }' "$work/rvrun.err")
[ -n "$insns" ] || { echo "no 'instructions: N' line in rvrun --stats output" >&2; exit 1; }

echo "output:       $(head -n 1 "$work/rvrun.out")"
echo "instructions: $insns"
awk -v n="$insns" -v r="$rvrun_time" -v q="$qemu_time" 'BEGIN {
    printf "rvrun:        %.3f s  (%.0f MIPS)\n", r, n / r / 1e6
    printf "qemu-riscv64: %.3f s\n", q
    printf "rvrun/qemu:   %.2fx wall time\n", r / q
}'
