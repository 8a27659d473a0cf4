#!/usr/bin/env bash
# Records the results of the crates' test binaries under qemu-riscv64, the reference emulator,
# into expected/<crate>/<binary>.txt.
#
#   tests/programs/crates/gen-expected.sh [GUESTS_DIR] [FILTER...]
#
# GUESTS_DIR defaults to build/guests (run `make -C tests/programs crates-full` first). A FILTER
# selects the runs whose "crate/binary" contains it (tokio/, regex/lib); without one, every
# binary of every crate in crates.txt is recorded. Each binary runs twice, as tests/crates.rs
# runs it under rvrun: in the crate's unpacked source directory (BUILD/crates/src/NAME-VERSION,
# where `cargo test` runs it too), with an empty environment and `--test-threads=1`, plus
# `--exact --skip NAME` for the tests of skips.txt. The file lists every libtest result line
# (`test NAME ... ok|FAILED|ignored`) as PASS/FAIL/IGNORED and the exit status; a test counts
# as passed only when it passed in both runs (FLAKY when it passed in one).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guests=$(cd "${1:-$here/../../../build/guests}" && pwd)
shift || true
filters=("$@")
build=$(dirname "$guests")
limit=${QEMU_TIMEOUT:-1800}

export LC_ALL=C
command -v qemu-riscv64 >/dev/null || { echo "qemu-riscv64 not found (run toolchain/setup.sh)" >&2; exit 1; }

wanted() {
    [ ${#filters[@]} -eq 0 ] && return 0
    local f
    for f in "${filters[@]}"; do [[ "$1" == *"$f"* ]] && return 0; done
    return 1
}

# The skipped tests of crate $1, binary $2 (one a line).
skipped() {
    awk -F'|' -v c="$1" -v b="$2" '!/^#/ && NF >= 4 {
        for (i = 1; i <= 3; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
        if ($1 == c && $2 == b) print $3 }' "$here/skips.txt"
}

# Prints the sorted "RESULT name" lines of libtest's output; a test reported more than once
# counts as passed only if it always passed.
results() {
    sed -n 's/^test \(.*\) \.\.\. \(ok\|FAILED\|ignored\)\(, .*\)\?$/\2 \1/p' "$1" |
        sed 's/^ok /PASS /; s/^FAILED /FAIL /; s/^ignored /IGNORED /; s/ - should panic$//' |
        awk '{ n = substr($0, index($0, " ") + 1) }
             !(n in r) || r[n] == "PASS" { r[n] = $1 }
             END { for (n in r) print r[n], n }' | sort
}

failed=0
count=0
while read -r crate version _; do
    src=$build/crates/src/$crate-$version
    dir=$guests/crates/$crate
    [ -d "$dir" ] || { wanted "$crate/" && { echo "$dir missing (make -C tests/programs crates-full)" >&2; failed=1; }; continue; }
    for bin in "$dir"/*; do
        name=$(basename "$bin")
        wanted "$crate/$name" || continue
        args=(--test-threads=1)
        mapfile -t skips < <(skipped "$crate" "$name")
        if [ ${#skips[@]} -gt 0 ]; then
            args+=(--exact)
            for s in "${skips[@]}"; do args+=(--skip "$s"); done
        fi
        out=()
        statuses=()
        for run in 1 2; do
            f=$(mktemp)
            set +e
            (cd "$src" && env -i timeout "$limit" qemu-riscv64 "$bin" "${args[@]}" </dev/null >"$f" 2>&1)
            statuses+=($?)
            set -e
            out+=("$f")
        done
        if [ "${statuses[0]}" != "${statuses[1]}" ]; then
            echo "$crate/$name: exit status ${statuses[0]} then ${statuses[1]} under QEMU" >&2
            failed=1
        fi
        a=$(results "${out[0]}")
        b=$(results "${out[1]}")
        if [ "$a" != "$b" ]; then
            echo "$crate/$name: results differ between two QEMU runs (a test passing only once is not recorded as passed):" >&2
            diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -20 >&2 || true
        fi
        mkdir -p "$here/expected/$crate"
        exp=$here/expected/$crate/$name.txt
        {
            echo "# qemu-riscv64 results: crates/$crate/$name ${args[*]} (in the source of $crate $version)"
            echo "# written by tests/programs/crates/gen-expected.sh"
            echo "status ${statuses[0]}"
            awk '!NF { next }
                 { n = substr($0, index($0, " ") + 1) }
                 FNR == NR { r1[n] = $1; next }
                 { r2[n] = $1 }
                 END {
                     for (n in r1) all[n] = 1
                     for (n in r2) all[n] = 1
                     for (n in all) {
                         a = (n in r1) ? r1[n] : ""; b = (n in r2) ? r2[n] : ""
                         if (a == "PASS" && b == "PASS") r = "PASS"
                         else if (a == "PASS" || b == "PASS") r = "FLAKY"
                         else r = (a != "") ? a : b
                         print r, n
                     }
                 }' <(echo "$a") <(echo "$b") | sort
        } >"$exp"
        printf '%-18s %-24s status %3s  pass %4d  fail %3d  ignored %3d\n' "$crate" "$name" "${statuses[0]}" \
            "$(grep -c '^PASS ' "$exp" || true)" "$(grep -c '^FAIL ' "$exp" || true)" \
            "$(grep -c '^IGNORED ' "$exp" || true)"
        rm -f "${out[@]}"
        count=$((count + 1))
    done
done < <(awk '!/^#/ && NF' "$here/crates.txt")

echo "$count test binaries recorded"

# revme (revm's command-line tool): `revme statetest` on revme/statetests/*.json (in that
# directory, the files named relative to it, in glob order) and `revme evm` on the bytecode of
# each benchmark of revme/benches.txt, each run twice; written to revme/expected/.
# statetest's outputs are kept whole, its CPU time line normalised (as tests/crates.rs does);
# `revme evm`'s stdout with its host time normalised, and its exit status.
revme=$guests/crates/revme/revme
rdir=$here/revme
revme_version=$(awk '$1 == "REVME_VERSION" { print $3 }' "$here/../crates.mk")
bench_src=$build/crates/src/revme-$revme_version/src/cmd/bench
# Whether some revme run is selected (a FILTER naming one, or none).
revme_wanted() {
    [ ${#filters[@]} -eq 0 ] && return 0
    local f
    for f in "${filters[@]}"; do [[ "$f" == revme* || "revme/" == *"$f"* ]] && return 0; done
    return 1
}
if revme_wanted; then
    [ -x "$revme" ] || { echo "$revme missing (make -C tests/programs crates)" >&2; exit 1; }
    mkdir -p "$rdir/expected"
    if wanted revme/statetest; then
        for run in 1 2; do
            set +e
            (cd "$rdir/statetests" && env -i timeout "$limit" qemu-riscv64 "$revme" statetest --json-outcome \
                --omit-progress *.json </dev/null >"$rdir/expected/statetest.stdout.$run" \
                2>"$rdir/expected/statetest.stderr.$run")
            echo $? >"$rdir/expected/statetest.status.$run"
            set -e
            sed -i 's/^Finished execution. Total CPU time: [0-9.]*s$/Finished execution. Total CPU time: (normalised)/' \
                "$rdir/expected/statetest.stdout.$run"
        done
        for f in stdout stderr status; do
            cmp -s "$rdir/expected/statetest.$f.1" "$rdir/expected/statetest.$f.2" ||
                { echo "revme statetest: $f differs between two QEMU runs" >&2; failed=1; }
            mv "$rdir/expected/statetest.$f.1" "$rdir/expected/statetest.$f"
            rm -f "$rdir/expected/statetest.$f.2"
        done
        echo "revme statetest: status $(cat "$rdir/expected/statetest.status"), $(grep -c '"pass":true' "$rdir/expected/statetest.stderr" || true) passed, $(grep -c '"pass":false' "$rdir/expected/statetest.stderr" || true) failed"
    fi
    while read -r bench input trace; do
        wanted "revme/evm-$bench" || continue
        args=(evm --path "$bench_src/$bench.hex" --input "$input")
        [ -z "$trace" ] || args+=(--trace)
        results=()
        for run in 1 2; do
            f=$(mktemp)
            set +e
            env -i timeout "$limit" qemu-riscv64 "$revme" "${args[@]}" </dev/null >"$f" 2>/dev/null
            st=$?
            set -e
            results+=("$(echo "status $st"; sed 's/^Elapsed: .*$/Elapsed: (normalised)/' "$f")")
            rm -f "$f"
        done
        [ "${results[0]}" = "${results[1]}" ] ||
            { echo "revme evm $bench: results differ between two QEMU runs" >&2; failed=1; }
        printf '%s\n' "${results[0]}" >"$rdir/expected/evm-$bench.txt"
        echo "revme evm $bench: $(head -1 "$rdir/expected/evm-$bench.txt"), $(wc -l <"$rdir/expected/evm-$bench.txt") lines"
    done < <(awk '!/^#/ && NF' "$rdir/benches.txt")
fi
exit $failed
