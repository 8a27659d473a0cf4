#!/usr/bin/env bash
# Records the results of the Go standard library tests under qemu-riscv64, the reference
# emulator, into expected/<flavour>/<pkg>.txt (pkg: the import path with '/' as '-').
#
#   tests/programs/go-std/gen-expected.sh [GUESTS_DIR] [FILTER...]
#
# GUESTS_DIR defaults to build/guests (run `make programs` first). A FILTER selects the runs
# whose "flavour/import-path" contains it (go/time, go-rva22/, math); without one, every
# package of packages.txt is recorded for both flavours. Each binary runs twice, like
# tests/go_std.rs runs it under rvrun: in $GOROOT/src/<pkg>, with an empty environment and
# `-test.short -test.v`, plus `-test.skip` for the tests of skips.txt. The file lists every
# `--- PASS/FAIL/SKIP` result (subtests included) and the exit status; a test counts as passed
# only when it passed in both runs (the others are reported). expected/GOVERSION records the
# Go release (first line of $GOROOT/VERSION) the binaries were built with.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guests=$(cd "${1:-$here/../../../build/guests}" && pwd)
shift || true
filters=("$@")
goroot=${GOROOT_DIR:-/usr/lib/go-1.23}
flavours=(go go-rva22)

export LC_ALL=C
command -v qemu-riscv64 >/dev/null || { echo "qemu-riscv64 not found (run toolchain/setup.sh)" >&2; exit 1; }

wanted() {
    [ ${#filters[@]} -eq 0 ] && return 0
    local f
    for f in "${filters[@]}"; do [[ "$1" == *"$f"* ]] && return 0; done
    return 1
}

# The -test.skip pattern for package $1 (empty when nothing is skipped).
skip_pattern() {
    local names
    names=$(awk -F'|' -v pkg="$1" '!/^#/ && NF >= 3 {
        p = $1; t = $2; gsub(/^[ \t]+|[ \t]+$/, "", p); gsub(/^[ \t]+|[ \t]+$/, "", t)
        if (p == pkg) print t }' "$here/skips.txt" | paste -sd'|')
    [ -z "$names" ] || printf '^(%s)$' "$names"
}

# Prints the sorted "RESULT name" lines of a test binary's -test.v output. Hexadecimal
# numbers in names (some subtests are named after pointers) become 0xADDR, as in
# tests/go_std.rs; a name reported more than once counts as passed only if it always passed.
results() {
    sed -n 's/^ *--- \(PASS\|FAIL\|SKIP\): \(.*\) ([0-9.]*s)$/\1 \2/p' "$1" |
        sed 's/0x[0-9a-fA-F]\+/0xADDR/g' |
        awk '{ n = substr($0, index($0, " ") + 1) }
             !(n in r) || r[n] == "PASS" { r[n] = $1 }
             END { for (n in r) print r[n], n }' | sort
}

failed=0
count=0
goversion=$(head -1 "$goroot/VERSION")
mkdir -p "$here/expected"
if [ -f "$here/expected/GOVERSION" ] && [ "$(cat "$here/expected/GOVERSION")" != "$goversion" ] &&
    [ ${#filters[@]} -ne 0 ]; then
    echo "expected/ was recorded with $(cat "$here/expected/GOVERSION"), GOROOT has $goversion: record every package (no filter)" >&2
    exit 1
fi
echo "$goversion" >"$here/expected/GOVERSION"
while read -r pkg _; do
    for flavour in "${flavours[@]}"; do
        wanted "$flavour/$pkg" || continue
        name=${pkg//\//-}
        bin=$guests/go-std/$flavour/$name.test
        [ -x "$bin" ] || { echo "$bin missing (make programs)" >&2; failed=1; continue; }
        args=(-test.short -test.v)
        skip=$(skip_pattern "$pkg")
        [ -z "$skip" ] || args+=("-test.skip=$skip")
        out=()
        statuses=()
        for run in 1 2; do
            f=$(mktemp)
            set +e
            (cd "$goroot/src/$pkg" && env -i qemu-riscv64 "$bin" "${args[@]}" </dev/null >"$f" 2>&1)
            statuses+=($?)
            set -e
            out+=("$f")
        done
        if [ "${statuses[0]}" != "${statuses[1]}" ]; then
            echo "$flavour/$pkg: exit status ${statuses[0]} then ${statuses[1]} under QEMU" >&2
            failed=1
        fi
        a=$(results "${out[0]}")
        b=$(results "${out[1]}")
        if [ "$a" != "$b" ]; then
            echo "$flavour/$pkg: results differ between two QEMU runs (a test passing only once is not recorded as passed):" >&2
            diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -20 >&2 || true
        fi
        mkdir -p "$here/expected/$flavour"
        {
            echo "# qemu-riscv64 results: go-std/$flavour/$name.test ${args[*]} (in \$GOROOT/src/$pkg)"
            echo "# written by tests/programs/go-std/gen-expected.sh"
            echo "status ${statuses[0]}"
            # PASS only for a test that passed in both runs, FLAKY when it passed in one; other
            # results as in the first run that reported the test
            awk '{ n = substr($0, index($0, " ") + 1) }
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
        } >"$here/expected/$flavour/$name.txt"
        printf '%-9s %-16s status %s  pass %4d  fail %3d  skip %3d\n' "$flavour" "$pkg" "${statuses[0]}" \
            "$(grep -c '^PASS ' "$here/expected/$flavour/$name.txt" || true)" \
            "$(grep -c '^FAIL ' "$here/expected/$flavour/$name.txt" || true)" \
            "$(grep -c '^SKIP ' "$here/expected/$flavour/$name.txt" || true)"
        rm -f "${out[@]}"
        count=$((count + 1))
    done
done < <(awk '!/^#/ && NF' "$here/packages.txt")

echo "$count package runs recorded"
exit $failed
